//! Tokens of one line of program text, each with the column (1-based, in characters) it starts at.

use super::{Diag, MAX_LINE};

/// One token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    /// A name: ASCII letters, digits and `_`, not starting with a digit.
    Word(String),
    /// A decimal number.
    Num(u64),
    /// A `"quoted"` string (`\"` and `\\` escapes), unescaped.
    Str(String),
    /// `(`
    Open,
    /// `)`
    Close,
    /// `,`
    Comma,
    /// `:`
    Colon,
    /// `=`
    Eq,
    /// `->`: the step's next step.
    Next,
    /// `?->`: the step's conditional target.
    Jump,
    /// `|` and the rest of the line: the pseudo-code (one leading space and trailing spaces dropped).
    Code(String),
}

impl Tok {
    /// How an error names it.
    pub(super) fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("'{}'", crate::text::shown(w, 32)),
            Tok::Num(n) => format!("number {n}"),
            Tok::Str(_) => "a quoted label".into(),
            Tok::Open => "'('".into(),
            Tok::Close => "')'".into(),
            Tok::Comma => "','".into(),
            Tok::Colon => "':'".into(),
            Tok::Eq => "'='".into(),
            Tok::Next => "'->'".into(),
            Tok::Jump => "'?->'".into(),
            Tok::Code(_) => "'|'".into(),
        }
    }
}

/// A token and its column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Token {
    pub tok: Tok,
    pub col: usize,
    /// The column just past it.
    pub end: usize,
}

/// Whether `c` may stand in a word.
fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The tokens of line `line` (1-based); a `#` outside a string starts a comment.
pub(super) fn tokens(text: &str, line: usize) -> Result<Vec<Token>, Diag> {
    let chars: Vec<char> = text.chars().take(MAX_LINE + 1).collect();
    if chars.len() > MAX_LINE {
        return Err(Diag::at(
            line,
            MAX_LINE + 1,
            format!("line is longer than {MAX_LINE} characters"),
        ));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        let err = |col: usize, msg: String| Err(Diag::at(line, col, msg));
        if c == ' ' || c == '\t' || c == '\r' {
            i += 1;
            continue;
        }
        if c == '#' {
            break;
        }
        let tok = match c {
            '(' => Tok::Open,
            ')' => Tok::Close,
            ',' => Tok::Comma,
            ':' => Tok::Colon,
            '=' => Tok::Eq,
            '-' if chars.get(i + 1) == Some(&'>') => {
                i += 1;
                Tok::Next
            }
            '?' if chars.get(i + 1) == Some(&'-') && chars.get(i + 2) == Some(&'>') => {
                i += 2;
                Tok::Jump
            }
            '|' => {
                let mut rest: String = chars[i + 1..].iter().collect();
                if rest.starts_with(' ') {
                    rest.remove(0);
                }
                let rest = rest.trim_end().to_string();
                if let Some((k, bad)) = rest.chars().enumerate().find(|(_, c)| unsafe_char(*c)) {
                    return err(
                        col + 2 + k,
                        format!("pseudo-code may not hold the control character {:?}", bad),
                    );
                }
                out.push(Token {
                    tok: Tok::Code(rest),
                    col,
                    end: chars.len() + 1,
                });
                break;
            }
            '"' => {
                let mut s = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => {
                            return err(col, "unterminated string: add the closing '\"'".into())
                        }
                        Some('"') => break,
                        Some('\\') => {
                            let e = match chars.get(j + 1) {
                                Some('"') => '"',
                                Some('\\') => '\\',
                                _ => return err(j + 1, "unknown escape: use \\\" or \\\\".into()),
                            };
                            s.push(e);
                            j += 2;
                        }
                        Some(&c) if unsafe_char(c) => {
                            return err(
                                j + 1,
                                format!("a label may not hold the control character {c:?}"),
                            )
                        }
                        Some(&c) => {
                            s.push(c);
                            j += 1;
                        }
                    }
                }
                i = j;
                Tok::Str(s)
            }
            c if c.is_ascii_digit() => {
                let mut j = i;
                let mut n: u64 = 0;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    n = n
                        .saturating_mul(10)
                        .saturating_add(chars[j] as u64 - '0' as u64);
                    j += 1;
                }
                if j < chars.len() && word_char(chars[j]) {
                    return err(col, "a name may not start with a digit".into());
                }
                i = j - 1;
                Tok::Num(n)
            }
            c if word_char(c) => {
                let mut j = i;
                while j < chars.len() && word_char(chars[j]) {
                    j += 1;
                }
                let w: String = chars[i..j].iter().collect();
                i = j - 1;
                Tok::Word(w)
            }
            c => {
                return err(
                    col,
                    format!(
                        "unexpected character '{}'",
                        crate::text::escape(&c.to_string())
                    ),
                )
            }
        };
        out.push(Token {
            tok,
            col,
            end: i + 2,
        });
        i += 1;
    }
    Ok(out)
}

/// Characters a label or a line of pseudo-code may not hold (they would reach a terminal or a
/// page as they are): [`crate::text::is_unsafe`].
fn unsafe_char(c: char) -> bool {
    crate::text::is_unsafe(c)
}
