//! Writing results to stdout: without panicking when the reader goes away (`| head`), with an
//! error line when the disk is full, and never passing a control character through.

use core_sim::text;
use std::io::{ErrorKind, Write};

/// Write `text` to stdout. A closed pipe is not an error (the reader has what it wanted: the
/// command ends quietly with its own status); any other failure (a full disk) is.
///
/// Every control or invisible formatting character but newlines and tabs is written out escaped
/// ([`core_sim::text::escape`]): whatever a file, a link or a trace carried into the text, the
/// terminal only ever gets plain characters. (Untrusted values are escaped where they are
/// inserted too, newlines included; this is the last line of defence.)
pub fn emit(text: &str) -> anyhow::Result<()> {
    write_out(&plain(text))
}

/// Write a value as pretty JSON plus a newline (invisible formatting characters as `\uXXXX`
/// escapes, so the JSON means the same and shows plainly).
pub fn emit_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = json_plain(&serde_json::to_string_pretty(value)?);
    out.push('\n');
    write_out(&out)
}

fn write_out(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to stdout"))
        }
        _ => Ok(()),
    }
}

/// `text` with every unsafe character but `\n` and `\t` escaped.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (j, part) in line.split('\t').enumerate() {
            if j > 0 {
                out.push('\t');
            }
            out.push_str(&text::escape(part));
        }
    }
    out
}

/// JSON text with the unsafe characters serde_json leaves raw (DEL, C1, bidi and zero-width
/// characters, U+2028/9) written as JSON `\uXXXX` escapes: the same JSON value, shown plainly.
fn json_plain(json: &str) -> String {
    if !json.chars().any(|c| c != '\n' && text::is_unsafe(c)) {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c != '\n' && text::is_unsafe(c) {
            // Every unsafe character is in the Basic Multilingual Plane.
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_newlines_and_tabs_pass_through() {
        assert_eq!(plain("a\tb\nc · é\n"), "a\tb\nc · é\n");
        assert_eq!(plain("x\x1b[2J\ry\u{202e}\n"), "x\\u{1b}[2J\\ry\\u{202e}\n");
    }

    #[test]
    fn json_stays_json_with_the_same_value() {
        let v = serde_json::json!({ "id": "a\u{7f}\u{9b}\u{202e}\u{2028}\u{1b}b" });
        let text = json_plain(&serde_json::to_string_pretty(&v).unwrap());
        assert!(
            !text.chars().any(|c| c != '\n' && text::is_unsafe(c)),
            "{text:?}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }
}
