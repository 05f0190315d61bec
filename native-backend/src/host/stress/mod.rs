//! `avic-lab stress`: run a strategy's protocol for real, on OS threads racing over shared memory,
//! and compare what the hardware shows with the model checker's verdict.
//!
//! The threads do not run hand-written copies of the kernel code: each one interprets the very
//! micro-step programs the core compiles for the scenario and strategy ([`interp`]), against real
//! atomics, a real spinlock and real sleeping ([`shared`]); [`harness`] runs the iterations and
//! judges each quiescent state with the core's oracles.

mod harness;
mod interp;
mod shared;

use crate::cli::{limits, output};
use anyhow::{bail, Context};
use core_sim::explore::{self, CheckOptions};
use core_sim::{Sim, ViolationKind};
use serde::Serialize;
use std::process::ExitCode;
use std::time::Duration;

/// The largest `--jitter`: 100000 `pause`s is a few milliseconds per step already.
pub const MAX_JITTER: u32 = 100_000;

/// Arguments of `avic-lab stress`.
#[derive(Debug, clap::Args)]
pub struct StressArgs {
    /// Scenario id (see `avic-lab list`).
    #[arg(long)]
    pub scenario: String,
    /// Strategy preset id (see `avic-lab list`).
    #[arg(long)]
    pub strategy: String,
    /// Ignored: real hardware brings its own memory model (x86-TSO on x86-64). The model verdict
    /// shown beside the results is always the TSO one.
    #[arg(long, value_name = "IGNORED")]
    pub memory: Option<String>,
    /// Stop after this many iterations, 1..=1000000000.
    #[arg(long, default_value_t = 20_000)]
    pub iterations: u64,
    /// Stop after this many seconds (at most 86400).
    #[arg(long, default_value_t = 5.0, allow_negative_numbers = true)]
    pub seconds: f64,
    /// Random spin of 0..=N pause instructions before each step, to vary interleavings
    /// (N at most 100000).
    #[arg(long, default_value_t = 64)]
    pub jitter: u32,
    /// Microseconds a vCPU may stay asleep, with nothing left that could wake it, before it
    /// counts as a lost wake-up.
    #[arg(long, default_value_t = 2000)]
    pub wake_timeout_us: u64,
    /// Do not pin threads to cores.
    #[arg(long)]
    pub no_pin: bool,
    /// Seed of the jitter.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// One row of the model-vs-hardware table.
#[derive(Debug, Serialize)]
struct Row {
    oracle: ViolationKind,
    /// Whether the scenario enables this oracle.
    enabled: bool,
    /// The checker found a counterexample (TSO).
    model_violation: bool,
    /// Iterations in which the hardware run showed it.
    observed: u64,
    per_million: f64,
    /// One line: agrees / reproduced / not observed in N iterations / MISMATCH.
    note: String,
    /// The first observation, if any.
    first: Option<String>,
}

#[derive(Debug, Serialize)]
struct Report {
    scenario: String,
    strategy: String,
    memory_ignored: Option<String>,
    arch: &'static str,
    model_verdict: &'static str,
    model_states: usize,
    outcome: harness::Outcome,
    rows: Vec<Row>,
    limits: Vec<&'static str>,
}

const LIMITS: [&str; 4] = [
    "A stale IRTE is judged only at the quiescent point after each iteration; a stale window that a later step closes is invisible to the hardware run (the model sees every state).",
    "Doorbell acceptance, VMRUN picking up the IRR and the GA log are hardware events; one small mutex stands in for their atomicity.",
    "Threads on the same core interleave only when the OS preempts them: with more threads than cores, many interleavings are rare or unreachable in the time given.",
    "Zero observations mean 'not observed in N iterations', never 'safe'.",
];

/// Stress one world for `seconds` with `stress`'s default jitter, wake timeout and pinning, for
/// `avic-lab host-report`: iterations judged and, per kind, how many showed it. An error (in
/// words) for a strategy the harness cannot run.
pub fn measure(
    sim: &Sim,
    seconds: f64,
    seed: u64,
) -> Result<core_sim::share::bundle::StressRun, String> {
    if let Some(v) = harness::single_writer_violation(sim) {
        return Err(format!("this strategy stores vCPU{v}'s entry from another thread; the stress harness needs one writer per entry"));
    }
    let cfg = harness::Config {
        iterations: 1_000_000_000,
        seconds,
        jitter: 64,
        wake_timeout: Duration::from_micros(2000),
        pin: true,
        seed,
    };
    let o = harness::run(sim, &cfg);
    Ok(core_sim::share::bundle::StressRun {
        iterations: o.iterations,
        seconds: o.seconds,
        timeouts: o.timeouts,
        threads: o.placement.len() as u32,
        cores: o.cores as u32,
        hits: o
            .tallies
            .iter()
            .filter(|(_, t)| t.iterations > 0)
            .map(|(k, t)| (*k, t.iterations))
            .collect(),
    })
}

/// Run `avic-lab stress`.
pub fn run(args: StressArgs) -> anyhow::Result<ExitCode> {
    limits::within("--iterations", args.iterations, 1, 1_000_000_000)?;
    limits::seconds("--seconds", args.seconds)?;
    limits::within("--jitter", args.jitter, 0, MAX_JITTER)?;
    limits::within("--wake-timeout-us", args.wake_timeout_us, 1, 1_000_000)?;
    let sim = Sim::from_ids(&args.scenario, &args.strategy, "tso")
        .map_err(anyhow::Error::msg)
        .context("stress")?;
    if let Some(v) = harness::single_writer_violation(&sim) {
        bail!("this strategy stores vCPU{v}'s entry from another thread; the stress harness needs one writer per entry");
    }
    let model = explore::check(&sim, &CheckOptions::default(), &mut |_| true);
    let cfg = harness::Config {
        iterations: args.iterations,
        seconds: args.seconds,
        jitter: args.jitter,
        wake_timeout: Duration::from_micros(args.wake_timeout_us),
        pin: !args.no_pin,
        seed: args.seed,
    };
    let outcome = harness::run(&sim, &cfg);
    let rows: Vec<Row> = ViolationKind::ALL
        .into_iter()
        .map(|k| {
            let enabled = sim.scenario.oracles.contains(&k);
            let model_violation = model.counterexample(k).is_some();
            let tally = outcome.tallies.get(&k);
            let observed = tally.map(|t| t.iterations).unwrap_or(0);
            let per_million = observed as f64 * 1e6 / outcome.iterations.max(1) as f64;
            let note = match (enabled, model_violation, observed > 0) {
                (false, _, _) => "oracle off in this scenario".to_string(),
                (_, true, true) => "reproduced on this machine".to_string(),
                (_, true, false) => format!("not observed in {} iterations", outcome.iterations),
                (_, false, false) => "agrees (nothing seen)".to_string(),
                (_, false, true) => {
                    "MISMATCH: seen on hardware but ruled out by the model (a bug in the model or in this harness)".to_string()
                }
            };
            Row {
                oracle: k,
                enabled,
                model_violation,
                observed,
                per_million,
                note,
                first: tally.and_then(|t| t.first.as_ref()).map(|(i, why)| format!("iteration {i}: {why}")),
            }
        })
        .collect();
    let any = outcome.tallies.values().any(|t| t.iterations > 0);
    let report = Report {
        scenario: args.scenario,
        strategy: args.strategy,
        memory_ignored: args.memory,
        arch: std::env::consts::ARCH,
        model_verdict: model.verdict().id(),
        model_states: model.states,
        outcome,
        rows,
        limits: LIMITS.to_vec(),
    };
    if args.json {
        output::emit_json(&report)?;
    } else {
        output::emit(&print_text(&report))?;
    }
    Ok(ExitCode::from(if any { 1 } else { 0 }))
}

fn print_text(r: &Report) -> String {
    let mut out = String::new();
    let o = &r.outcome;
    outln!(
        out,
        "avic-lab stress: scenario {} × strategy {}, on real threads",
        r.scenario,
        r.strategy
    );
    let pinned: Vec<String> = o
        .placement
        .iter()
        .map(|p| match p.core {
            Some(c) => format!("{} → core {c}", p.thread),
            None => format!("{} (unpinned)", p.thread),
        })
        .collect();
    outln!(
        out,
        "machine: {} ({}), {} CPU core(s); {} threads: {}",
        r.arch,
        memory_model(r.arch),
        o.cores,
        o.placement.len(),
        pinned.join(", ")
    );
    if o.placement.len() > o.cores {
        outln!(out, "  note: more threads than cores ({} > {}): threads sharing a core race only when the OS preempts one", o.placement.len(), o.cores);
    }
    if let Some(m) = &r.memory_ignored {
        outln!(
            out,
            "  --memory {m} ignored: the hardware's own memory model applies"
        );
    }
    outln!(
        out,
        "ran {} iterations in {:.2} s ({} timed out, {} worker panics)",
        o.iterations,
        o.seconds,
        o.timeouts,
        o.panics
    );
    outln!(
        out,
        "model (exhaustive, x86-TSO): {} after {} states",
        r.model_verdict,
        r.model_states
    );
    outln!(out);
    outln!(
        out,
        "{:<17} {:<10} {:>9} {:>12}  note",
        "oracle",
        "model",
        "hardware",
        "per million"
    );
    for row in &r.rows {
        let model = if !row.enabled {
            "-"
        } else if row.model_violation {
            "VIOLATION"
        } else {
            "safe"
        };
        outln!(
            out,
            "{:<17} {:<10} {:>9} {:>12.1}  {}",
            row.oracle.id(),
            model,
            row.observed,
            row.per_million,
            row.note
        );
    }
    for row in r.rows.iter().filter(|r| r.first.is_some()) {
        outln!(
            out,
            "  first {}: {}",
            row.oracle.id(),
            row.first.as_deref().unwrap_or_default()
        );
    }
    let e = &o.events;
    outln!(out);
    outln!(
        out,
        "events: doorbells {} ({} reached no guest), GA-log entries {}, silent {}, wake-ups {}, real sleeps {}, incomplete IPIs {}, kick IPIs {}, host-injected {}",
        e.doorbells, e.doorbells_missed, e.ga_log_entries, e.silent, e.wakes, e.sleeps, e.incomplete_ipis, e.kick_ipis, e.host_injected
    );
    outln!(out, "limits:");
    for l in &r.limits {
        outln!(out, "  - {l}");
    }
    out
}

fn memory_model(arch: &str) -> &'static str {
    match arch {
        "x86_64" | "x86" => "x86-TSO",
        _ => "weaker than TSO: results do not transfer to x86 directly",
    }
}
