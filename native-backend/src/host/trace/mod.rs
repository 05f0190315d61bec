//! `avic-lab trace FILE`: read a `trace-cmd report` or tracefs `trace` text file with the
//! AVIC-relevant events, build per-vCPU timelines and replay them through invariants in the
//! spirit of the core's oracles (see [`analyze`]).

pub mod analyze;
pub mod parse;

use anyhow::{bail, Context};
use parse::{Ev, LineKind, Record};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::ExitCode;

/// Input format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Decide from the headers and the flags column.
    Auto,
    /// `trace-cmd report` output.
    TraceCmd,
    /// `/sys/kernel/tracing/trace` text.
    Tracefs,
}

/// Arguments of `avic-lab trace`.
#[derive(Debug, clap::Args)]
pub struct TraceArgs {
    /// The trace text file.
    pub file: PathBuf,
    /// Input format (both are read by one tolerant parser; this only labels the input).
    #[arg(long, value_enum, default_value = "auto")]
    pub format: Format,
    /// A GA-log wake-up not followed by a VM entry within this many microseconds is reported.
    #[arg(long, default_value_t = 1000)]
    pub wake_threshold_us: u64,
    /// The host's /proc/cpuinfo, to map CPU numbers to APIC IDs for the doorbell check.
    #[arg(long)]
    pub cpuinfo: Option<PathBuf>,
    /// Print every vCPU's full timeline.
    #[arg(long)]
    pub timeline: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

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

#[derive(Serialize)]
struct Report {
    file: String,
    format: Format,
    format_detected: bool,
    lines: Lines,
    warnings: Vec<Warning>,
    analysis: analyze::Analysis,
}

/// What a whole file parses into.
pub struct Parsed {
    /// Line statistics.
    pub lines: Lines,
    /// Malformed lines (all of them; printing is capped).
    pub warnings: Vec<Warning>,
    /// Decoded events in time order.
    pub events: Vec<(Record, Ev)>,
    /// Saw a flags column / tracefs header.
    pub tracefs_hints: usize,
    /// Saw trace-cmd headers.
    pub trace_cmd_hints: usize,
}

/// Parse a whole file from a reader, line by line (the file may be large).
pub fn parse_all(reader: impl BufRead) -> std::io::Result<Parsed> {
    let mut p = Parsed {
        lines: Lines::default(),
        warnings: Vec::new(),
        events: Vec::new(),
        tracefs_hints: 0,
        trace_cmd_hints: 0,
    };
    let mut reader = reader;
    let mut buf = Vec::new();
    let mut n = 0;
    let mut last = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        n += 1;
        p.lines.total += 1;
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
                p.warnings.push(Warning {
                    line: n,
                    reason: "the ring buffer lost events here: timelines have gaps".into(),
                });
            }
            LineKind::Bad(why) => {
                p.lines.malformed += 1;
                p.warnings.push(Warning {
                    line: n,
                    reason: why,
                });
            }
            LineKind::Event(r) => {
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
                        p.lines.used += 1;
                        p.events.push((r, e));
                    }
                    Ok(None) => p.lines.ignored += 1,
                    Err(why) => {
                        p.lines.malformed += 1;
                        p.warnings.push(Warning {
                            line: n,
                            reason: format!("{}: {why}", r.event),
                        });
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

/// Run `avic-lab trace`.
pub fn run(args: TraceArgs) -> anyhow::Result<ExitCode> {
    let name = args.file.display().to_string();
    let meta =
        std::fs::metadata(&args.file).with_context(|| format!("cannot read trace file {name}"))?;
    if meta.is_dir() {
        bail!("{name} is a directory, not a trace file");
    }
    if meta.len() == 0 {
        bail!("{name} is empty: nothing to analyse (record a trace with scripts/record-avic-trace.sh on an AMD host)");
    }
    let file = std::fs::File::open(&args.file).with_context(|| format!("cannot open {name}"))?;
    let parsed = parse_all(BufReader::new(file)).with_context(|| format!("reading {name}"))?;
    if parsed.lines.events == 0 {
        if let Some(w) = parsed
            .warnings
            .iter()
            .find(|w| parsed.lines.malformed > 0 && !w.reason.contains("LOST"))
        {
            bail!(
                "{name} does not look like a trace-cmd report or a tracefs trace: line {}: {}",
                w.line,
                w.reason
            );
        }
        bail!(
            "{name} has no events ({} header or blank lines): nothing to analyse",
            parsed.lines.headers
        );
    }
    let mut apic_of_cpu = BTreeMap::new();
    if let Some(path) = &args.cpuinfo {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read --cpuinfo {}", path.display()))?;
        apic_of_cpu = analyze::apic_map(&text);
        if apic_of_cpu.is_empty() {
            bail!(
                "--cpuinfo {}: no 'processor'/'apicid' lines",
                path.display()
            );
        }
    }
    let opts = analyze::Options {
        wake_threshold_ns: args.wake_threshold_us.saturating_mul(1000),
        apic_of_cpu,
    };
    let analysis = analyze::analyze(&parsed.events, &opts);
    let (format, detected) = match args.format {
        Format::Auto if parsed.tracefs_hints > parsed.trace_cmd_hints => (Format::Tracefs, true),
        Format::Auto => (Format::TraceCmd, true),
        f => (f, false),
    };
    let found = !analysis.findings.is_empty();
    let report = Report {
        file: name,
        format,
        format_detected: detected,
        lines: parsed.lines,
        warnings: parsed.warnings,
        analysis,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_text(&report, args.timeline);
    }
    Ok(ExitCode::from(if found { 1 } else { 0 }))
}

fn print_text(r: &Report, full: bool) {
    let l = &r.lines;
    let fmt = match r.format {
        Format::Tracefs => "tracefs",
        Format::TraceCmd => "trace-cmd report",
        Format::Auto => "auto",
    };
    println!(
        "avic-lab trace: {} ({fmt}{})",
        r.file,
        if r.format_detected { ", detected" } else { "" }
    );
    println!(
        "lines: {} read, {} events ({} used, {} other events ignored), {} headers/blank, {} malformed, {} lost-event markers{}",
        l.total,
        l.events,
        l.used,
        l.ignored,
        l.headers,
        l.malformed,
        l.lost_markers,
        if l.out_of_order > 0 { format!(", {} out of time order (re-sorted)", l.out_of_order) } else { String::new() }
    );
    for w in r.warnings.iter().take(10) {
        println!("  warning: line {}: {}", w.line, w.reason);
    }
    if r.warnings.len() > 10 {
        println!(
            "  … and {} more warnings (--json lists them all)",
            r.warnings.len() - 10
        );
    }
    let a = &r.analysis;
    println!();
    println!("vCPU timelines:");
    for (v, t) in &a.timelines {
        let cpus: Vec<String> = t.cpus.iter().map(|c| c.to_string()).collect();
        let pids: Vec<String> = t.pids.iter().map(|c| c.to_string()).collect();
        println!(
            "  vCPU{v} (task {}): {} entries / {} exits on CPU {{{}}}, {} migrations, {} blocks, {} preemptions, {} GA-log wake-ups, {} doorbells, {} IRTE updates, {} incomplete IPIs",
            if pids.is_empty() { "?".into() } else { pids.join(",") },
            t.entries,
            t.exits,
            cpus.join(","),
            t.migrations,
            t.blocks,
            t.preemptions,
            t.ga_log,
            t.doorbells,
            t.irte_updates,
            t.incomplete_ipis
        );
        if full {
            for m in &t.marks {
                println!(
                    "      {} (line {}): {}",
                    analyze::ts(m.ts_ns),
                    m.line,
                    m.what
                );
            }
        }
    }
    println!();
    if a.findings.is_empty() {
        println!("findings: none");
    } else {
        println!("findings: {}", a.findings.len());
        for f in &a.findings {
            println!(
                "  [{}] {} line {} ({}): {}",
                f.severity,
                analyze::ts(f.ts_ns),
                f.line,
                f.kind,
                f.message
            );
        }
    }
    for n in &a.notes {
        println!("note: {n}");
    }
    println!("note: a trace shows no IRTE contents or physical ID entries; these checks are the observable shadows of the model's oracles.");
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn empty_and_binary_input() {
        let p = parse_all(&b""[..]).unwrap();
        assert_eq!(p.lines.total, 0);
        let p = parse_all(&[0u8, 159, 146, 150, 10, 255, 254, 10][..]).unwrap();
        assert_eq!(p.lines.events, 0);
        assert_eq!(p.lines.malformed, 2);
    }
}
