//! `avic-lab check`: exhaustive search of one world, with shortest counterexamples.

use super::exit;
use super::limits;
use super::progress;
use super::report;
use super::sim_args::{self, SimArgs};
use anyhow::Result;
use clap::Args;
use core_sim::analysis::fewest_preemptions;
use core_sim::explore::{self, CheckOptions, CheckReport, Outcome, Reduce, StoreMode, Verdict};
use core_sim::Sim;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `avic-lab check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub sim: SimArgs,
    /// Sleep-set partial-order reduction (counterexamples may then not be shortest).
    #[arg(long, overrides_with = "no_reduction")]
    pub reduction: bool,
    /// No reduction: every interleaving, shortest counterexamples (the default).
    #[arg(long, overrides_with = "reduction")]
    pub no_reduction: bool,
    /// A reduction that visits fewer states: `por` (persistent sets: the same kinds of
    /// violation, counterexamples that replay but may be longer than the shortest; run again
    /// without it for the shortest) or `none` (the default).
    #[arg(long, value_name = "none|por", default_value = "none", value_parser = ["none", "por"])]
    pub reduce: String,
    /// Symmetry reduction: `on` stores one state per orbit of the world's interchangeable
    /// vCPUs, pCPUs, IRTEs and identical threads (the same kinds of violation, counterexamples
    /// that replay but may be longer than the shortest; sleep sets and --threads are then not
    /// used); `off` (the default). A world without symmetries searches as with `off`.
    #[arg(long, value_name = "on|off", default_value = "off", value_parser = ["on", "off"])]
    pub symmetry: String,
    /// Store 64-bit fingerprints of the visited states instead of the states (a few bytes each):
    /// a "safe" verdict is then safe with the probability printed beside it.
    #[arg(long, overrides_with = "full")]
    pub fingerprint: bool,
    /// Store every visited state in full: certain verdicts (the default).
    #[arg(long, overrides_with = "fingerprint")]
    pub full: bool,
    /// Worker threads expanding each breadth-first level, 1..=64 (same result for any number).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub threads: usize,
    /// Stop after this many states, 1..=1000000000 (verdict: bounded).
    #[arg(long, value_name = "N", default_value_t = CheckOptions::default().max_states)]
    pub max_states: usize,
    /// Stop when the visited states take about this many MiB (verdict: bounded). Default 1024,
    /// or less when the machine has less: at most 60% of the available memory is accepted.
    #[arg(long, value_name = "MIB")]
    pub max_memory: Option<usize>,
    /// Stop after this many seconds, at most 86400 (verdict: bounded).
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub timeout: Option<f64>,
    /// Show (and draw) only this violation kind's counterexample.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Print JSON on stdout instead of text.
    #[arg(long, conflicts_with = "text")]
    pub json: bool,
    /// Print the text report (the default).
    #[arg(long)]
    pub text: bool,
    /// Draw the shortest counterexample (or the --kind one) as an SVG sequence diagram.
    #[arg(long, value_name = "OUT.svg")]
    pub svg: Option<PathBuf>,
    /// Also report the fewest preemptions a schedule needs to hit each violation kind
    /// (iterative context bounding: a second search, within --max-states).
    #[arg(long)]
    pub preemptions: bool,
}

/// The `--json` report (fields in this order).
#[derive(Serialize)]
struct JsonReport<'a> {
    scenario: &'a str,
    strategy: String,
    /// The operations `--program-file` replaced, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    edited: Option<Vec<String>>,
    knobs: core_sim::Knobs,
    memory_model: &'static str,
    reduction: bool,
    reduce: &'static str,
    /// `--symmetry on` and the number of symmetries it found (1: none).
    symmetry: bool,
    symmetries: usize,
    store: &'static str,
    omission_bound: f64,
    verdict: &'static str,
    outcome: Outcome,
    violations: Vec<&'static str>,
    states: usize,
    transitions: usize,
    max_depth: usize,
    final_states: usize,
    max_kick_ipis: u8,
    elapsed_ms: f64,
    counterexamples: Vec<report::CounterexampleJson>,
    /// With `--preemptions`: per kind, the fewest preemptions and a schedule with that many.
    #[serde(skip_serializing_if = "Option::is_none")]
    preemptions: Option<Vec<PreemptionJson>>,
}

/// One kind's preemption bound in `--json`.
#[derive(Serialize)]
struct PreemptionJson {
    kind: &'static str,
    preemptions: usize,
    schedule: String,
}

/// The `--preemptions` search: the bounds, and whether the state bound cut it short.
fn preemption_bounds(sim: &Sim, max_states: usize) -> (Vec<PreemptionJson>, bool) {
    let (found, complete) = match fewest_preemptions(sim, max_states) {
        Ok(found) => (found, true),
        Err(b) => (b.found, false),
    };
    let rows = found
        .values()
        .map(|b| PreemptionJson {
            kind: b.kind.id(),
            preemptions: b.preemptions,
            schedule: b.schedule.to_string(),
        })
        .collect();
    (rows, complete)
}

/// "lost-wakeup needs 2 preemptions (schedule …)" lines.
fn preemption_text(rows: &[PreemptionJson], complete: bool, max_states: usize) -> String {
    let mut text = String::new();
    for r in rows {
        let s = if r.preemptions == 1 { "" } else { "s" };
        outln!(
            text,
            "  {} needs {} preemption{s} (schedule {})",
            r.kind,
            r.preemptions,
            r.schedule
        );
    }
    if !complete {
        outln!(
            text,
            "  (stopped at {max_states} states: kinds not listed may need more, listed bounds may be lower)"
        );
    } else if rows.is_empty() {
        outln!(text, "  no violation to bound");
    }
    text
}

/// The most states `--max-states` accepts (states are numbered with 32 bits; memory runs out
/// long before this).
pub const MAX_STATES: usize = 1_000_000_000;

/// The most worker threads `--threads` accepts.
pub const MAX_THREADS: usize = 64;

/// Run the search with a progress spinner and the timeout.
fn search(sim: &Sim, opts: &CheckOptions, limit: Option<Duration>, show: bool) -> CheckReport {
    let pb = progress::spinner(show);
    let start = Instant::now();
    let (report, visited) = explore::check_keeping(sim, opts, &mut |p| {
        let rate = p.states as f64 / start.elapsed().as_secs_f64().max(1e-9);
        pb.set_message(format!(
            "{} states, {} transitions, frontier {}, depth {} ({:.0} states/s)",
            p.states, p.transitions, p.frontier, p.depth, rate
        ));
        limit.is_none_or(|l| start.elapsed() < l)
    });
    // Freeing millions of states takes seconds, which a timeout must not hide; the process ends
    // right after the report, and the operating system takes the memory back at once.
    std::mem::forget(visited);
    pb.finish_and_clear();
    report
}

fn bound_reason(r: &CheckReport, opts: &CheckOptions, limit: Option<Duration>) -> String {
    match r.outcome {
        Outcome::Complete => "complete search".into(),
        Outcome::StateLimit => format!("stopped at the state limit of {}", opts.max_states),
        Outcome::MemoryLimit => format!(
            "stopped at the memory limit of {} MiB ({} states)",
            opts.max_bytes >> 20,
            r.states
        ),
        Outcome::Cancelled => match limit {
            Some(l) => format!("timed out after {:.3} s", l.as_secs_f64()),
            None => "cancelled".into(),
        },
    }
}

/// Run `avic-lab check`.
pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let sim = args.sim.sim()?;
    sim_args::require_oracles(&sim)?;
    let limit = args
        .timeout
        .map(|s| limits::seconds("--timeout", s))
        .transpose()?;
    let only = args.kind.as_deref().map(report::kind).transpose()?;
    let max_states = limits::within("--max-states", args.max_states, 1, MAX_STATES)?;
    let default_mib = CheckOptions::default().max_bytes >> 20;
    let reduce = Reduce::from_id(&args.reduce).ok_or_else(|| {
        anyhow::anyhow!("--reduce: '{}' is not a reduction (none, por)", args.reduce)
    })?;
    let opts = CheckOptions {
        reduction: args.reduction && !args.no_reduction,
        reduce,
        symmetry: args.symmetry == "on",
        store: if args.fingerprint && !args.full {
            StoreMode::Fingerprint
        } else {
            StoreMode::Full
        },
        threads: limits::within("--threads", args.threads, 1, MAX_THREADS)?,
        max_states,
        max_bytes: limits::search_bytes(args.max_memory, default_mib, 1)?,
        // Often enough that a timeout is honoured to a few milliseconds even in a debug build.
        progress_every: 256,
    };
    let start = Instant::now();
    let r = search(&sim, &opts, limit, progress::wanted(args.json));
    let elapsed = start.elapsed();
    let shown: Vec<_> = r
        .counterexamples
        .values()
        .filter(|c| only.is_none_or(|k| c.violation.kind == k))
        .collect();
    let verdict = r.verdict();
    let strategy = args.sim.strategy_name(&sim);
    let preemptions = args
        .preemptions
        .then(|| preemption_bounds(&sim, max_states));

    if let Some(path) = &args.svg {
        let pick = shown
            .iter()
            .min_by_key(|c| (c.schedule.0.len(), c.violation.kind));
        match pick {
            Some(ce) => report::write_svg(path, &report::timeline(&sim, ce)?)?,
            None => eprintln!(
                "note: no counterexample to draw; {} not written",
                path.display()
            ),
        }
    }

    if args.json {
        let ces: Vec<_> = shown
            .iter()
            .map(|c| report::counterexample_json(&args.sim, &sim, c))
            .collect::<Result<_>>()?;
        let out = JsonReport {
            scenario: &sim.scenario.id,
            strategy: sim.strategy.name(),
            edited: super::sim_args::edited(&sim),
            knobs: sim.strategy.knobs,
            memory_model: sim.memory.id(),
            reduction: opts.reduction,
            reduce: opts.reduce.id(),
            symmetry: opts.symmetry,
            symmetries: explore::symmetries(&sim),
            store: r.store.id(),
            omission_bound: r.omission_bound(),
            verdict: verdict.id(),
            outcome: r.outcome,
            violations: r.kinds().iter().map(|k| k.id()).collect(),
            states: r.states,
            transitions: r.transitions,
            max_depth: r.max_depth,
            final_states: r.final_states,
            max_kick_ipis: r.max_kick_ipis,
            elapsed_ms: elapsed.as_secs_f64() * 1e3,
            counterexamples: ces,
            preemptions: preemptions.map(|(rows, _)| rows),
        };
        super::output::emit_json(&out)?;
    } else {
        let mut text = String::new();
        outln!(
            text,
            "{} · {} · {}",
            sim.scenario.id,
            strategy,
            sim.memory.id()
        );
        let kinds: Vec<&str> = r.kinds().iter().map(|k| k.id()).collect();
        let what = match verdict {
            Verdict::Safe => "SAFE: no violation in any interleaving".to_string(),
            Verdict::Violation => format!("VIOLATION: {}", kinds.join(", ")),
            Verdict::Bounded => "BOUNDED: no violation found so far".to_string(),
        };
        outln!(text, "verdict: {what} ({})", bound_reason(&r, &opts, limit));
        outln!(
            text,
            "states: {}  transitions: {}  max depth: {}  final states: {}  time: {:.3} s{}",
            r.states,
            r.transitions,
            r.max_depth,
            r.final_states,
            elapsed.as_secs_f64(),
            match (opts.reduce, opts.reduction) {
                (Reduce::Por, _) => "  (persistent-set reduction: not always the shortest)",
                (Reduce::None, true) => "  (sleep-set reduction)",
                (Reduce::None, false) => "",
            }
        );
        if opts.symmetry {
            let n = explore::symmetries(&sim);
            outln!(
                text,
                "symmetry: {}",
                if n > 1 {
                    format!("{n} symmetries, one state per orbit (counterexamples not always the shortest)")
                } else {
                    "none in this world: plain search".to_string()
                }
            );
        }
        if r.store == StoreMode::Fingerprint {
            outln!(
                text,
                "fingerprints: 64-bit, chance that a state was missed at most {:.1e}",
                r.omission_bound()
            );
        }
        if sim.strategy.knobs.kick {
            outln!(text, "kick IPIs: at most {} in any run", r.max_kick_ipis);
        }
        if let Some((rows, complete)) = &preemptions {
            outln!(
                text,
                "fewest preemptions (a switch away from a thread that could go on):"
            );
            text.push_str(&preemption_text(rows, *complete, max_states));
        }
        for ce in &shown {
            outln!(text);
            text.push_str(&report::counterexample_text(&args.sim, &sim, ce)?);
        }
        super::output::emit(&text)?;
    }
    Ok(ExitCode::from(match verdict {
        Verdict::Safe => exit::SAFE,
        Verdict::Violation => exit::VIOLATION,
        Verdict::Bounded => exit::BOUNDED,
    }))
}
