//! `avic-lab trace FILE`: read a `trace-cmd report` or tracefs `trace` text file with the
//! AVIC-relevant events, build per-vCPU timelines and replay them through invariants in the
//! spirit of the core's oracles (see [`analyze`]).

pub mod analyze;
pub mod parse;
pub mod read;

use crate::cli::output;
use anyhow::{bail, Context};
use core_sim::text;
use read::{parse_all, Lines, Warning, MAX_WARNINGS};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Findings listed with `--json` (all are counted); the text lists [`MAX_FINDINGS_TEXT`].
pub const MAX_FINDINGS: usize = 1_000;
/// Findings listed in the text report.
pub const MAX_FINDINGS_TEXT: usize = 100;
/// Timeline marks kept per vCPU (all events are counted).
pub const MAX_MARKS: usize = 10_000;

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
    /// The trace text file (at most 1 GiB), or `-` for standard input.
    pub file: PathBuf,
    /// Input format (both are read by one tolerant parser; this only labels the input).
    #[arg(long, value_enum, default_value = "auto")]
    pub format: Format,
    /// A GA-log wake-up not followed by a VM entry within this many microseconds is reported
    /// (1..=60000000).
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

#[derive(Serialize)]
struct Report {
    file: String,
    format: Format,
    format_detected: bool,
    lines: Lines,
    /// The first [`MAX_WARNINGS`].
    warnings: Vec<Warning>,
    /// Warnings not listed.
    warnings_omitted: usize,
    /// All findings, listed or not.
    findings_total: usize,
    /// The first [`MAX_FINDINGS`] are in `analysis.findings`.
    analysis: analyze::Analysis,
}

/// Run `avic-lab trace`.
pub fn run(args: TraceArgs) -> anyhow::Result<ExitCode> {
    let stdin = args.file == Path::new("-");
    let name = if stdin {
        "standard input".to_string()
    } else {
        text::shown(&args.file.display().to_string(), 200)
    };
    crate::cli::limits::within("--wake-threshold-us", args.wake_threshold_us, 1, 60_000_000)?;
    let parsed = if stdin {
        parse_all(std::io::stdin().lock())
    } else {
        if std::fs::metadata(&args.file).is_ok_and(|m| m.is_dir()) {
            bail!("{name} is a directory, not a trace file");
        }
        // A pipe (/dev/stdin, a FIFO) has no length: whether it is empty shows once it is read.
        let file = std::fs::File::open(&args.file)
            .with_context(|| format!("cannot read trace file {name}"))?;
        parse_all(BufReader::with_capacity(64 << 10, file))
    }
    .with_context(|| format!("reading {name}"))?;
    if parsed.lines.total == 0 {
        bail!("{name} is empty: nothing to analyse (record a trace with scripts/record-avic-trace.sh on an AMD host)");
    }
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
        use std::io::Read;
        let shown = text::shown(&path.display().to_string(), 200);
        let cap = crate::host::probe::read::MAX_FILE;
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(cap + 1).read_to_end(&mut bytes))
            .with_context(|| format!("cannot read --cpuinfo {shown}"))?;
        if bytes.len() as u64 > cap {
            bail!("--cpuinfo {shown} is longer than 4 MiB: a cpuinfo file is at most 4 MiB");
        }
        let text = String::from_utf8_lossy(&bytes);
        apic_of_cpu = analyze::apic_map(&text);
        if apic_of_cpu.is_empty() {
            bail!("--cpuinfo {shown}: no 'processor'/'apicid' lines");
        }
    }
    let opts = analyze::Options {
        wake_threshold_ns: args.wake_threshold_us.saturating_mul(1000),
        apic_of_cpu,
    };
    let mut analysis = analyze::analyze(&parsed.events, &opts);
    let (format, detected) = match args.format {
        Format::Auto if parsed.tracefs_hints > parsed.trace_cmd_hints => (Format::Tracefs, true),
        Format::Auto => (Format::TraceCmd, true),
        f => (f, false),
    };
    let found = !analysis.findings.is_empty();
    let findings_total = analysis.findings.len();
    analysis.findings.truncate(MAX_FINDINGS);
    for (v, t) in analysis.timelines.iter_mut() {
        if t.marks.len() > MAX_MARKS {
            let all = t.marks.len();
            t.marks.truncate(MAX_MARKS);
            analysis.notes.push(format!(
                "vCPU{v}'s timeline lists its first {MAX_MARKS} of {all} events"
            ));
        }
    }
    let report = Report {
        file: name,
        format,
        format_detected: detected,
        lines: parsed.lines,
        warnings: parsed.warnings,
        warnings_omitted: parsed.warnings_omitted,
        findings_total,
        analysis,
    };
    if args.json {
        output::emit_json(&report)?;
    } else {
        output::emit(&print_text(&report, args.timeline))?;
    }
    Ok(ExitCode::from(if found { 1 } else { 0 }))
}

fn print_text(r: &Report, full: bool) -> String {
    let mut out = String::new();
    let l = &r.lines;
    let fmt = match r.format {
        Format::Tracefs => "tracefs",
        Format::TraceCmd => "trace-cmd report",
        Format::Auto => "auto",
    };
    outln!(
        out,
        "avic-lab trace: {} ({fmt}{})",
        r.file,
        if r.format_detected { ", detected" } else { "" }
    );
    outln!(
        out,
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
        outln!(out, "  warning: line {}: {}", w.line, w.reason);
    }
    let more = r.warnings.len().saturating_sub(10) + r.warnings_omitted;
    if more > 0 {
        outln!(
            out,
            "  … and {more} more warnings (--json lists the first {MAX_WARNINGS})"
        );
    }
    let a = &r.analysis;
    outln!(out);
    outln!(out, "vCPU timelines:");
    for (v, t) in &a.timelines {
        let cpus: Vec<String> = t.cpus.iter().map(|c| c.to_string()).collect();
        let pids: Vec<String> = t.pids.iter().map(|c| c.to_string()).collect();
        outln!(
        out,
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
                outln!(
                    out,
                    "      {} (line {}): {}",
                    analyze::ts(m.ts_ns),
                    m.line,
                    m.what
                );
            }
        }
    }
    outln!(out);
    if a.findings.is_empty() {
        outln!(out, "findings: none");
    } else {
        outln!(out, "findings: {}", r.findings_total);
        for f in a.findings.iter().take(MAX_FINDINGS_TEXT) {
            outln!(
                out,
                "  [{}] {} line {} ({}): {}",
                f.severity,
                analyze::ts(f.ts_ns),
                f.line,
                f.kind,
                f.message
            );
        }
    }
    if r.findings_total > MAX_FINDINGS_TEXT {
        outln!(
            out,
            "  … and {} more findings (--json lists the first {MAX_FINDINGS})",
            r.findings_total - MAX_FINDINGS_TEXT
        );
    }
    for n in &a.notes {
        outln!(out, "note: {n}");
    }
    outln!(out, "note: a trace shows no IRTE contents or physical ID entries; these checks are the observable shadows of the model's oracles.");
    out
}
