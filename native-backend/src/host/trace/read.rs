//! Reading a trace: line by line from any reader (a file, a pipe, standard input), with every
//! size bounded while it is read: line length, input length, events kept, warnings listed.
//! No I/O of its own beyond the reader, so the fuzz target `trace_text` runs it as it is.

use super::parse::{self, Ev, LineKind, Record};
use anyhow::bail;
use serde::Serialize;
use std::io::{BufRead, ErrorKind};

/// The most bytes read from a trace (a `trace-cmd report` of a few seconds of a busy host is
/// tens of MiB).
pub const MAX_INPUT: u64 = 1 << 30;
/// The most AVIC events kept for the analysis (about 300 MiB of memory).
pub const MAX_EVENTS: usize = 1_000_000;
/// Malformed or lost-event lines listed (all are counted).
pub const MAX_WARNINGS: usize = 100;
/// A line we could not use.
#[derive(Clone, Debug, Serialize)]
pub struct Warning {
    /// Line number.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// Line statistics.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Lines {
    /// Lines read.
    pub total: usize,
    /// Event lines.
    pub events: usize,
    /// Events we decode and use.
    pub used: usize,
    /// Events we do not use.
    pub ignored: usize,
    /// Headers and blanks.
    pub headers: usize,
    /// "[LOST n EVENTS]" lines.
    pub lost_markers: usize,
    /// Malformed lines (each is a warning).
    pub malformed: usize,
    /// Events whose timestamp went backwards (re-sorted).
    pub out_of_order: usize,
}

/// What a whole file parses into.
pub struct Parsed {
    /// Line statistics.
    pub lines: Lines,
    /// The first [`MAX_WARNINGS`] malformed or lost-event lines.
    pub warnings: Vec<Warning>,
    /// Warnings beyond those.
    pub warnings_omitted: usize,
    /// Decoded events in time order.
    pub events: Vec<(Record, Ev)>,
    /// Saw a flags column / tracefs header.
    pub tracefs_hints: usize,
    /// Saw trace-cmd headers.
    pub trace_cmd_hints: usize,
}

/// Read one line (up to and with its `\n`) into `buf`, keeping at most `keep` bytes of it and
/// skipping the rest: a line of gigabytes costs no memory. Returns the line's length in the input
/// and whether it was cut, or `None` at the end of the input.
fn next_line(
    r: &mut impl BufRead,
    buf: &mut Vec<u8>,
    keep: usize,
) -> std::io::Result<Option<(u64, bool)>> {
    buf.clear();
    let mut len = 0u64;
    let mut cut = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok((len > 0).then_some((len, cut)));
        }
        let (n, end) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = keep.saturating_sub(buf.len());
        if n > room {
            cut = true;
        }
        buf.extend_from_slice(&chunk[..n.min(room)]);
        r.consume(n);
        len += n as u64;
        if end {
            return Ok(Some((len, cut)));
        }
    }
}

impl Parsed {
    fn warn(&mut self, line: usize, reason: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(Warning { line, reason });
        } else {
            self.warnings_omitted += 1;
        }
    }
}

/// Parse a whole trace from a reader, line by line: at most [`MAX_INPUT`] bytes, lines of at most
/// [`parse::MAX_LINE`] bytes (longer ones are skipped as they are read, and reported), at most
/// [`MAX_EVENTS`] AVIC events.
pub fn parse_all(reader: impl BufRead) -> anyhow::Result<Parsed> {
    parse_capped(reader, MAX_INPUT)
}

fn parse_capped(reader: impl BufRead, max_input: u64) -> anyhow::Result<Parsed> {
    let mut p = Parsed {
        lines: Lines::default(),
        warnings: Vec::new(),
        warnings_omitted: 0,
        events: Vec::new(),
        tracefs_hints: 0,
        trace_cmd_hints: 0,
    };
    let mut reader = reader;
    let mut buf = Vec::new();
    let mut n = 0;
    let mut last = 0u64;
    let mut read = 0u64;
    // Room for the longest line accepted plus its "\r\n".
    let keep = parse::MAX_LINE + 2;
    while let Some((len, cut)) = next_line(&mut reader, &mut buf, keep)? {
        read += len;
        if read > max_input {
            bail!("the trace is longer than 1 GiB: traces are at most 1 GiB (record a shorter window, or cut it with head -c)");
        }
        n += 1;
        p.lines.total += 1;
        if cut {
            p.lines.malformed += 1;
            p.warn(
                n,
                format!(
                    "line of {len} bytes is longer than {} bytes: skipped",
                    parse::MAX_LINE
                ),
            );
            continue;
        }
        let text = String::from_utf8_lossy(&buf);
        match parse::parse_line(n, &text) {
            LineKind::Blank | LineKind::Header => {
                p.lines.headers += 1;
                let t = text.trim_start();
                if t.starts_with("# tracer:")
                    || t.starts_with("#                              _-----=> irqs-off")
                {
                    p.tracefs_hints += 1;
                }
                if t.starts_with("cpus=") || t.starts_with("version =") {
                    p.trace_cmd_hints += 1;
                }
            }
            LineKind::Lost => {
                p.lines.lost_markers += 1;
                p.warn(
                    n,
                    "the ring buffer lost events here: timelines have gaps".into(),
                );
            }
            LineKind::Bad(why) => {
                p.lines.malformed += 1;
                p.warn(n, why);
            }
            LineKind::Event(mut r) => {
                p.lines.events += 1;
                if has_flags_column(&text) {
                    p.tracefs_hints += 1;
                }
                if r.ts_ns < last {
                    p.lines.out_of_order += 1;
                }
                last = last.max(r.ts_ns);
                match parse::decode(&r) {
                    Ok(Some(e)) => {
                        if p.events.len() >= MAX_EVENTS {
                            bail!(
                                "line {n}: more than {MAX_EVENTS} AVIC events: traces are at most \
                                 {MAX_EVENTS} events (record a shorter window)"
                            );
                        }
                        p.lines.used += 1;
                        // The analysis needs neither the task name nor the fields any more.
                        r.comm = String::new();
                        r.body = String::new();
                        p.events.push((r, e));
                    }
                    Ok(None) => p.lines.ignored += 1,
                    Err(why) => {
                        p.lines.malformed += 1;
                        p.warn(n, format!("{}: {why}", r.event));
                    }
                }
            }
        }
    }
    p.events.sort_by_key(|(r, _)| (r.ts_ns, r.line));
    Ok(p)
}

/// Whether the token after `[cpu]` looks like tracefs's latency flags (`d..2.`, `....`).
fn has_flags_column(line: &str) -> bool {
    let Some(p) = line.find("] ") else {
        return false;
    };
    let tok = line[p + 2..].split_whitespace().next().unwrap_or("");
    (4..=6).contains(&tok.len())
        && !tok.ends_with(':')
        && tok.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    #[test]
    fn whole_file_counts_everything() {
        let text = "# tracer: nop\n#\nq-1 [000] d..1. 1.000002: kvm_entry: vcpu 0, rip 0x0\nq-1 [000] d..1. 1.000001: kvm_exit: vcpu 0 reason hlt rip 0x0\ngarbage here\nq-1 [000] d..1. 1.000003: hrtimer_cancel: hrtimer=0x1\nq-1 [000] d..1. 1.000004: kvm_entry: vcpu X\nCPU:0 [LOST 5 EVENTS]\n";
        let p = parse_all(text.as_bytes()).unwrap();
        assert_eq!(p.lines.total, 8);
        assert_eq!(p.lines.events, 4);
        assert_eq!(p.lines.used, 2);
        assert_eq!(p.lines.ignored, 1);
        assert_eq!(p.lines.malformed, 2);
        assert_eq!(p.lines.lost_markers, 1);
        assert_eq!(p.lines.out_of_order, 1);
        assert!(p.tracefs_hints > p.trace_cmd_hints);
        // Re-sorted by time.
        assert_eq!(p.events[0].0.line, 4);
        assert_eq!(
            p.warnings.iter().map(|w| w.line).collect::<Vec<_>>(),
            vec![5, 7, 8]
        );
    }

    /// A reader of `n` bytes of `x` and then a newline, with small reads, that remembers how
    /// much was asked of it.
    struct Endless {
        left: u64,
    }

    impl std::io::Read for Endless {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.left == 0 {
                return Ok(0);
            }
            let n = (out.len() as u64).min(self.left) as usize;
            out[..n].fill(b'x');
            self.left -= n as u64;
            if self.left == 0 {
                out[n - 1] = b'\n';
            }
            Ok(n)
        }
    }

    #[test]
    fn a_long_line_is_cut_while_it_is_read() {
        let mut r = BufReader::with_capacity(4096, Endless { left: 10 << 20 });
        let mut buf = Vec::new();
        let got = next_line(&mut r, &mut buf, 1000).unwrap();
        assert_eq!(got, Some((10 << 20, true)));
        assert_eq!(buf.len(), 1000, "kept no more than asked");
        assert_eq!(next_line(&mut r, &mut buf, 1000).unwrap(), None);
        // A line that fits is kept whole, with its newline.
        let mut r = "ab\ncd".as_bytes();
        assert_eq!(next_line(&mut r, &mut buf, 1000).unwrap(), Some((3, false)));
        assert_eq!(buf, b"ab\n");
        assert_eq!(next_line(&mut r, &mut buf, 1000).unwrap(), Some((2, false)));
        assert_eq!(buf, b"cd");
    }

    #[test]
    fn the_input_is_capped() {
        let r = BufReader::new(Endless { left: 5000 });
        let e = parse_capped(r, 4096).err().unwrap().to_string();
        assert!(e.contains("traces are at most 1 GiB"), "{e}");
        let text = "# tracer: nop\n".repeat(10);
        let p = parse_capped(text.as_bytes(), text.len() as u64).unwrap();
        assert_eq!(p.lines.total, 10);
    }

    #[test]
    fn only_the_first_warnings_are_kept() {
        let text = "garbage\n".repeat(MAX_WARNINGS + 7);
        let p = parse_all(text.as_bytes()).unwrap();
        assert_eq!(p.lines.malformed, MAX_WARNINGS + 7);
        assert_eq!((p.warnings.len(), p.warnings_omitted), (MAX_WARNINGS, 7));
    }

    #[test]
    fn empty_and_binary_input() {
        let p = parse_all(&b""[..]).unwrap();
        assert_eq!(p.lines.total, 0);
        let p = parse_all(&[0u8, 159, 146, 150, 10, 255, 254, 10][..]).unwrap();
        assert_eq!(p.lines.events, 0);
        assert_eq!(p.lines.malformed, 2);
    }
}
