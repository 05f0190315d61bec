//! Untrusted text (from a scenario file, a share link, a trace) made safe to show: the one rule
//! every shell uses, so a link cannot clear a terminal, set its title, move the cursor or start a
//! line that looks like the lab's own verdict.
//!
//! - [`escape`]: control characters (C0, DEL, C1) and the invisible Unicode formatting characters
//!   that reorder or hide text (bidirectional overrides, zero-width characters, line and paragraph
//!   separators, the byte-order mark) are written out as `\n`, `\t`, `\r` or `\u{..}`; a
//!   backslash itself stays as it is.
//! - [`clip`]: at most N characters, with `…` when cut.
//! - [`xml`]: [`escape`], then XML entities, for the core's SVG drawings.
//! - [`shown`]: both, for echoing a value in a message: `shown("a\x1b[2J", 64)` is `a\u{1b}[2J`.
//! - [`check_id`], [`check_label`]: what a scenario's id and its names may contain (used by
//!   [`crate::Scenario::validate`]).
//!
//! Pure: no I/O, no allocation beyond the returned string.

use std::borrow::Cow;

/// Longest scenario id, in characters.
pub const MAX_ID: usize = 64;
/// Longest thread name or scenario title, in characters.
pub const MAX_NAME: usize = 80;
/// Longest scenario description, in characters.
pub const MAX_DESCRIPTION: usize = 2_000;
/// How much of an untrusted value an error message echoes, in characters.
pub const MAX_ECHO: usize = 64;

/// Whether `c` must not reach a terminal or a page as it is: a control character, or an invisible
/// formatting character that can reorder, hide or break the text around it.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
                | '\u{2028}'..='\u{202E}' // line/paragraph separators, bidi embeddings/overrides
                | '\u{2060}'..='\u{2069}' // word joiner, invisible operators, bidi isolates
                | '\u{FEFF}'              // byte-order mark / zero-width no-break space
                | '\u{FFF9}'..='\u{FFFB}' // interlinear annotations
        )
}

/// `s` with every [unsafe](is_unsafe) character written out (`\n`, `\r`, `\t`, `\u{1b}`);
/// borrowed when there is nothing to change.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The first `max` characters of `s`, with `…` appended when it was longer.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((cut, _)) => Cow::Owned(format!("{}…", &s[..cut])),
    }
}

/// An untrusted value as a message may echo it: clipped to `max` characters, then escaped.
pub fn shown(s: &str, max: usize) -> String {
    escape(&clip(s, max)).into_owned()
}

/// Text for an XML (SVG) text node or attribute value: [`escape`]d, then `&`, `<`, `>`, `"` and
/// `'` written as entities. The drawings of the core put every string through this.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in escape(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A scenario id: 1 to [`MAX_ID`] characters, each an ASCII letter, digit, `-`, `_` or `.`.
/// Ids start the lab's report lines, so they are kept to what cannot look like anything else.
pub fn check_id(id: &str) -> Result<(), String> {
    let len = id.chars().count();
    if len == 0 {
        return Err("the scenario id is empty".into());
    }
    if len > MAX_ID {
        return Err(format!(
            "the scenario id is {len} characters long; at most {MAX_ID} are allowed"
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "the scenario id contains '{}'; use only letters, digits, '-', '_' and '.'",
            escape(&c.to_string())
        ));
    }
    Ok(())
}

/// A display text (`what` names it in the message): at most `max` characters and no
/// [unsafe](is_unsafe) character.
pub fn check_label(what: &str, text: &str, max: usize) -> Result<(), String> {
    let len = text.chars().count();
    if len > max {
        return Err(format!(
            "{what} '{}' is {len} characters long; at most {max} are allowed",
            shown(text, 24)
        ));
    }
    if let Some(c) = text.chars().find(|&c| is_unsafe(c)) {
        return Err(format!(
            "{what} '{}' contains the control character {}; names and titles must be plain text",
            shown(text, MAX_ECHO),
            escape(&c.to_string())
        ));
    }
    Ok(())
}

/// `s` wrapped at spaces into lines of at most `width` columns (one column per character): the
/// first line starts with `first`, the rest with `rest`. A word longer than a line is cut.
pub fn wrap(s: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    let cols = |l: &str| l.chars().count();
    for word in s.split_whitespace() {
        let mut word = word.to_string();
        loop {
            let room = width.saturating_sub(cols(&line) + usize::from(!empty));
            if cols(&word) <= room {
                if !empty {
                    line.push(' ');
                }
                line.push_str(&word);
                empty = false;
                break;
            }
            if empty && room > 0 {
                // A word longer than a whole line: cut it.
                let cut: String = word.chars().take(room).collect();
                word = word.chars().skip(room).collect();
                line.push_str(&cut);
            }
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
    }
    if !empty || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_are_written_out() {
        assert_eq!(escape("plain · text é"), "plain · text é");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(escape("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape("x\ny\rz\t"), "x\\ny\\rz\\t");
        assert_eq!(escape("\x1b]0;title\x07"), "\\u{1b}]0;title\\u{7}");
        assert_eq!(escape("\u{9b}2J"), "\\u{9b}2J", "C1 CSI");
        assert_eq!(escape("\u{7f}"), "\\u{7f}");
        assert_eq!(escape("abc\u{202e}cba"), "abc\\u{202e}cba", "bidi override");
        assert_eq!(escape("\u{feff}x\u{2028}"), "\\u{feff}x\\u{2028}");
        // The result never holds an unsafe character, so it cannot start a new line.
        for s in ["\n✓ verdict: SAFE", "\r\x1b[1A\x1b[2Kverdict: SAFE"] {
            let e = escape(s);
            assert!(!e.chars().any(is_unsafe), "{e}");
        }
    }

    #[test]
    fn xml_text_is_entities_and_no_controls() {
        assert_eq!(
            xml("a<b>&\"c'\u{1b}[2J\u{202e}"),
            "a&lt;b&gt;&amp;&quot;c&#39;\\u{1b}[2J\\u{202e}"
        );
        assert_eq!(xml("plain · text"), "plain · text");
    }

    #[test]
    fn clipping_counts_characters_not_bytes() {
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("ééé", 2), "éé…");
        assert_eq!(clip("", 0), "");
        assert_eq!(shown("\x1b\x1b\x1b", 2), "\\u{1b}\\u{1b}…");
    }

    #[test]
    fn ids_are_slugs() {
        assert_eq!(check_id("put-block-vs-affinity"), Ok(()));
        assert_eq!(check_id("my_scenario.v2"), Ok(()));
        assert!(check_id("").unwrap_err().contains("empty"));
        let long = "a".repeat(MAX_ID + 1);
        assert!(check_id(&long).unwrap_err().contains("at most 64"));
        let e = check_id("x\x1b[2J").unwrap_err();
        assert!(e.contains("'\\u{1b}'") && !e.contains('\x1b'), "{e}");
        let e = check_id("verdict: SAFE").unwrap_err();
        assert!(e.contains("contains ':'"), "{e}");
    }

    #[test]
    fn labels_are_plain_and_short() {
        assert_eq!(
            check_label("thread 1's name", "AVIC on pCPU1 (vCPU1's IPI)", MAX_NAME),
            Ok(())
        );
        let e = check_label("thread 0's name", "a\rverdict: SAFE", MAX_NAME).unwrap_err();
        assert!(
            e.contains("control character \\r") && !e.contains('\r'),
            "{e}"
        );
        let e = check_label("the title", &"x".repeat(81), MAX_NAME).unwrap_err();
        assert!(
            e.contains("81 characters") && e.contains("at most 80"),
            "{e}"
        );
    }

    #[test]
    fn wrap_keeps_every_line_within_the_width() {
        let text = "HANG: vCPU0 is asleep in schedule() with vector(s) 0x01 pending in its IRR, and a_word_that_is_much_longer_than_the_whole_line_can_ever_hold_without_cutting";
        let lines = wrap(text, 30, "  !! ", "     ");
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:#?}");
        assert!(lines[0].starts_with("  !! HANG:"));
        assert!(lines[1].starts_with("     "));
        let joined: String = lines
            .concat()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("");
        assert_eq!(
            joined.replace("!!", ""),
            text.split_whitespace().collect::<String>()
        );
        assert_eq!(wrap("", 10, "> ", "  "), ["> "]);
    }
}
