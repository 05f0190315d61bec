//! Terms: the `name(arg, key = arg)` shapes every instruction, reference and effect is written in,
//! parsed from tokens (nesting bounded by [`MAX_DEPTH`](super::MAX_DEPTH)) and printed back.

use super::lex::{Tok, Token};
use super::{Diag, MAX_DEPTH};
use std::fmt;

/// A term: a number, or a name with optional arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Term {
    /// The name (empty for a number).
    pub name: String,
    /// The number, for a number term.
    pub num: Option<u64>,
    /// Arguments, each with an optional `key =`.
    pub args: Vec<(Option<String>, Term)>,
    /// Where it starts.
    pub col: usize,
    /// The column just past it.
    pub end: usize,
}

impl Term {
    /// A bare name.
    pub fn word(name: &str) -> Term {
        Term::call(name, Vec::new())
    }

    /// A name with positional arguments.
    pub fn call(name: &str, args: Vec<Term>) -> Term {
        Term {
            name: name.to_string(),
            num: None,
            args: args.into_iter().map(|a| (None, a)).collect(),
            col: 0,
            end: 0,
        }
    }

    /// A name with `key = value` arguments.
    pub fn keyed(name: &str, args: Vec<(&str, Term)>) -> Term {
        Term {
            name: name.to_string(),
            num: None,
            args: args
                .into_iter()
                .map(|(k, a)| (Some(k.to_string()), a))
                .collect(),
            col: 0,
            end: 0,
        }
    }

    /// A number.
    pub fn num(n: u8) -> Term {
        Term {
            name: String::new(),
            num: Some(n as u64),
            args: Vec::new(),
            col: 0,
            end: 0,
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(n) = self.num {
            return write!(f, "{n}");
        }
        f.write_str(&self.name)?;
        if !self.args.is_empty() {
            f.write_str("(")?;
            for (i, (key, a)) in self.args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                if let Some(k) = key {
                    write!(f, "{k} = ")?;
                }
                write!(f, "{a}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A cursor over one line's tokens.
pub(super) struct Cursor<'a> {
    pub toks: &'a [Token],
    pub at: usize,
    pub line: usize,
    /// The column just past the line's last token, for "expected … at the end of the line".
    pub end_col: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(toks: &'a [Token], line: usize, end_col: usize) -> Cursor<'a> {
        Cursor {
            toks,
            at: 0,
            line,
            end_col,
        }
    }

    pub fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.at)
    }

    pub fn col(&self) -> usize {
        self.peek().map_or(self.end_col, |t| t.col)
    }

    pub fn bump(&mut self) -> Option<&'a Token> {
        let t = self.toks.get(self.at);
        self.at += 1;
        t
    }

    pub fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek().map(|t| &t.tok) == Some(tok) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// An error at the current token: "expected X, found Y".
    pub fn expected(&self, what: &str) -> Diag {
        let found = match self.peek() {
            Some(t) => t.tok.describe(),
            None => "the end of the line".into(),
        };
        let end = self.peek().map_or(self.end_col + 1, |t| t.end);
        Diag::span(
            self.line,
            self.col(),
            end,
            format!("expected {what}, found {found}"),
        )
    }

    /// A word.
    pub fn word(&mut self, what: &str) -> Result<(String, usize), Diag> {
        match self.peek() {
            Some(Token {
                tok: Tok::Word(w),
                col,
                ..
            }) => {
                self.at += 1;
                Ok((w.clone(), *col))
            }
            _ => Err(self.expected(what)),
        }
    }

    /// A term.
    pub fn term(&mut self, depth: usize) -> Result<Term, Diag> {
        if depth > MAX_DEPTH {
            return Err(Diag::at(
                self.line,
                self.col(),
                format!("terms nest more than {MAX_DEPTH} deep"),
            ));
        }
        let col = self.col();
        if let Some(Token {
            tok: Tok::Num(n), ..
        }) = self.peek()
        {
            self.at += 1;
            return Ok(Term {
                name: String::new(),
                num: Some(*n),
                args: Vec::new(),
                col,
                end: self.toks[self.at - 1].end,
            });
        }
        let (name, _) = self.word("a name or a number")?;
        let mut args = Vec::new();
        if self.eat(&Tok::Open) {
            loop {
                let key = match (self.toks.get(self.at), self.toks.get(self.at + 1)) {
                    (
                        Some(Token {
                            tok: Tok::Word(k), ..
                        }),
                        Some(Token { tok: Tok::Eq, .. }),
                    ) => {
                        self.at += 2;
                        Some(k.clone())
                    }
                    _ => None,
                };
                args.push((key, self.term(depth + 1)?));
                if self.eat(&Tok::Close) {
                    break;
                }
                if !self.eat(&Tok::Comma) {
                    return Err(self.expected("',' or ')'"));
                }
            }
        }
        let end = self
            .toks
            .get(self.at.wrapping_sub(1))
            .map_or(col + 1, |t| t.end);
        Ok(Term {
            name,
            num: None,
            args,
            col,
            end,
        })
    }
}
