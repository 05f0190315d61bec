//! `avic-lab host-report`: probe this machine, run `stress` on every chosen cell beside the
//! model's own evidence (exhaustive, uniform and PCT runs), record a trace where the host allows
//! it, and write it all as one JSON bundle (`core_sim::share::bundle`); `--show FILE` reads a
//! bundle (this machine's or anyone's) and prints one joined row per cell.

mod machine;

use crate::cli::{exit, limits, output, progress};
use anyhow::{bail, Context};
use core_sim::analysis::evidence::{self, CellId};
use core_sim::explore::CheckOptions;
use core_sim::share::bundle::{
    self, Budget, Bundle, CellEvidence, StressEvidence, MAX_BUNDLE, MAX_CELLS,
};
use core_sim::{text, MemoryModel};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Arguments of `avic-lab host-report`.
#[derive(Debug, clap::Args)]
pub struct HostReportArgs {
    /// Where to write the bundle.
    #[arg(
        short = 'o',
        long,
        value_name = "FILE",
        default_value = "host-report.json"
    )]
    pub output: PathBuf,
    /// Cells as SCENARIO/STRATEGY/MEMORY, comma-separated (default: every shipped scenario ×
    /// every preset, x86-TSO: 204 cells).
    #[arg(long, value_name = "CELLS", value_delimiter = ',')]
    pub cells: Vec<String>,
    /// Seconds of `stress` per cell, 0..=600 (0: no stress runs).
    #[arg(long, value_name = "S", default_value_t = 0.5)]
    pub stress_seconds: f64,
    /// Uniform runs per cell, and as many PCT runs, 1..=1000000.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub runs: u64,
    /// First seed of the uniform and PCT runs (and of stress's jitter).
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// PCT bug depth, 1..=20.
    #[arg(long, value_name = "DEPTH", default_value_t = 3)]
    pub pct: u8,
    /// Do not record a trace even where the host allows it.
    #[arg(long)]
    pub no_trace: bool,
    /// Put this already recorded trace (trace-cmd report or tracefs text) in the bundle instead.
    #[arg(long, value_name = "FILE", conflicts_with = "no_trace")]
    pub trace: Option<PathBuf>,
    /// Seconds the recording runs, 1..=3600.
    #[arg(long, value_name = "S", default_value_t = 10)]
    pub trace_seconds: u32,
    /// The recording script.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "scripts/record-avic-trace.sh"
    )]
    pub record_script: PathBuf,
    /// Read this bundle and print its joined table (each cell also checked again here) instead
    /// of making one. Exit status 1 when a row shows a MISMATCH.
    #[arg(long, value_name = "FILE")]
    pub show: Option<PathBuf>,
    /// With --show: the joined table as JSON.
    #[arg(long, requires = "show")]
    pub json: bool,
}

/// Run `avic-lab host-report`.
pub fn run(args: HostReportArgs) -> anyhow::Result<ExitCode> {
    match &args.show {
        Some(path) => show(path, args.json),
        None => make(&args),
    }
}

/// Read a bundle file: bounded before it is read, UTF-8, then the core's validated reader.
pub fn read_bundle(path: &Path) -> anyhow::Result<Bundle> {
    let name = text::shown(&path.display().to_string(), 200);
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read bundle {name}"))?;
    if meta.is_dir() {
        bail!("{name} is a directory, not a bundle");
    }
    if meta.len() > MAX_BUNDLE as u64 {
        bail!(
            "bundle {name} is {} bytes: a host-report bundle is at most 4 MiB",
            meta.len()
        );
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_BUNDLE as u64 + 1).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read bundle {name}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "bundle {name} is not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Bundle::from_json(&text).with_context(|| format!("bundle {name}"))
}

fn show(path: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let b = read_bundle(path)?;
    let max = b
        .budget
        .max_states
        .clamp(1, CheckOptions::default().max_states);
    let again = bundle::recheck(&b, max).map_err(anyhow::Error::msg)?;
    let table = bundle::join(&b, Some(&again));
    if json {
        output::emit_json(&table)?;
    } else {
        output::emit(&table.to_text())?;
    }
    let bad = table.rows.iter().any(|r| r.mismatch);
    Ok(ExitCode::from(if bad {
        exit::VIOLATION
    } else {
        exit::SAFE
    }))
}

fn cells(asked: &[String]) -> anyhow::Result<Vec<CellId>> {
    if asked.is_empty() {
        return Ok(evidence::all_cells(&[MemoryModel::Tso]));
    }
    if asked.len() > MAX_CELLS {
        bail!("--cells names {} cells: at most {MAX_CELLS}", asked.len());
    }
    let mut out: Vec<CellId> = Vec::new();
    for a in asked {
        let c = CellId::parse(a)
            .map_err(anyhow::Error::msg)
            .context("--cells")?;
        if out.contains(&c) {
            bail!("--cells: {c} is named twice");
        }
        out.push(c);
    }
    Ok(out)
}

fn make(args: &HostReportArgs) -> anyhow::Result<ExitCode> {
    let cells = cells(&args.cells)?;
    limits::within("--runs", args.runs, 1, 1_000_000)?;
    limits::within("--pct", args.pct, 1, 20)?;
    limits::within("--trace-seconds", args.trace_seconds, 1, 3600)?;
    let s = args.stress_seconds;
    if !(s.is_finite() && (0.0..=600.0).contains(&s)) {
        bail!("--stress-seconds must be a number of seconds from 0 to 600, got {s}");
    }
    if args.output.is_dir() {
        bail!(
            "-o {} is a directory",
            text::shown(&args.output.display().to_string(), 200)
        );
    }
    let began = Instant::now();
    let probe = crate::host::probe::gather(Path::new("/"), true);
    let mut host = machine::host(&probe);
    host.trace = machine::trace(
        &probe,
        args.no_trace,
        args.trace.as_ref(),
        &args.record_script,
        args.trace_seconds,
    )?;
    let max_states = CheckOptions::default().max_states;
    let pb = progress::bar(progress::wanted(false), cells.len() as u64, "cells");
    // The hardware has one memory model: a pair's stress run serves its SC and TSO cells.
    let mut stressed: HashMap<(String, String), StressEvidence> = HashMap::new();
    let mut out = Vec::new();
    for c in &cells {
        pb.set_message(c.to_string());
        let sim = c.sim().map_err(anyhow::Error::msg)?;
        let model = evidence::model_evidence(&sim, max_states, args.seed, args.runs, args.pct);
        let key = (c.scenario.clone(), c.strategy.clone());
        let stress = match stressed.get(&key) {
            Some(s) => s.clone(),
            None => {
                let s = if args.stress_seconds == 0.0 {
                    StressEvidence::Skipped {
                        why: "not asked for (--stress-seconds 0)".into(),
                    }
                } else {
                    let hw = CellId {
                        memory: MemoryModel::Tso,
                        ..c.clone()
                    }
                    .sim()
                    .map_err(anyhow::Error::msg)?;
                    match crate::host::stress::measure(&hw, args.stress_seconds, args.seed) {
                        Ok(run) => StressEvidence::Ran(run),
                        Err(why) => StressEvidence::Skipped { why },
                    }
                };
                stressed.insert(key, s.clone());
                s
            }
        };
        out.push(CellEvidence {
            scenario: c.scenario.clone(),
            strategy: c.strategy.clone(),
            memory: c.memory,
            model,
            stress,
        });
        pb.inc(1);
    }
    pb.finish_and_clear();
    let b = Bundle {
        format: bundle::FORMAT.into(),
        version: bundle::VERSION,
        tool: format!("avic-lab {}", env!("CARGO_PKG_VERSION")),
        created_unix: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        budget: Budget {
            runs: args.runs,
            seed: args.seed,
            pct_depth: args.pct,
            stress_seconds: args.stress_seconds,
            max_states,
        },
        host,
        cells: out,
    };
    // What is written must read back: the same reader the web app and --show use.
    let json = b.to_json();
    Bundle::from_json(&json).context("the bundle this run made does not read back (a bug)")?;
    std::fs::write(&args.output, format!("{json}\n")).with_context(|| {
        format!(
            "cannot write {}",
            text::shown(&args.output.display().to_string(), 200)
        )
    })?;
    let mut text = bundle::join(&b, None).to_text();
    text.push_str(&format!(
        "wrote {} ({} cells) in {:.1} s\n",
        args.output.display(),
        b.cells.len(),
        began.elapsed().as_secs_f64()
    ));
    output::emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
