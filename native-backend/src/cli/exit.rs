//! Exit statuses and one-line error reporting.

use std::io::Write;
use std::process::ExitCode;

/// Complete search, nothing wrong (or no violation found).
pub const SAFE: u8 = 0;
/// At least one violation.
pub const VIOLATION: u8 = 1;
/// The search stopped early (state limit, timeout) without finding a violation.
pub const BOUNDED: u8 = 2;
/// Bad usage or bad input: unknown id, unreadable file, bad JSON, bad schedule, bad knob.
pub const USAGE: u8 = 3;

/// Longest error line, in characters (a message echoes at most a clipped value; this bounds the
/// rest).
const MAX_ERROR: usize = 2_000;

/// Print an error as one line on stderr and return the usage/input exit status. The message may
/// echo untrusted input (a link, a file's contents): it is escaped and clipped, so it stays one
/// line of plain text; a stderr that cannot be written is not a panic.
pub fn error(e: &anyhow::Error) -> ExitCode {
    // `{:#}` joins the context chain with ": " on one line.
    let msg = format!("{e:#}").replace('\n', " ");
    let msg = core_sim::text::shown(&msg, MAX_ERROR);
    let _ = writeln!(std::io::stderr(), "error: {msg}");
    ExitCode::from(USAGE)
}

/// Help and version go to stdout with status 0; any other clap error becomes one line on stderr.
pub fn clap_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::from(SAFE)
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprint!("{}", e.render());
            ExitCode::from(USAGE)
        }
        _ => {
            let msg = core_sim::text::shown(&one_line(&e.render().to_string()), MAX_ERROR);
            let _ = writeln!(std::io::stderr(), "error: {msg}");
            ExitCode::from(USAGE)
        }
    }
}

/// Squeeze clap's multi-line message into one line, dropping the usage block.
fn one_line(text: &str) -> String {
    let mut parts = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if !line.is_empty() {
            parts.push(line.strip_prefix("error: ").unwrap_or(line));
        }
    }
    let mut out = parts.join(" ");
    out.push_str(" (see --help)");
    out
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn clap_messages_become_one_line() {
        let text = "error: the following required arguments were not provided:\n  --strategy <ID>\n\nUsage: avic-lab check --strategy <ID>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(text),
            "the following required arguments were not provided: --strategy <ID> (see --help)"
        );
    }
}
