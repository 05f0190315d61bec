//! `avic-lab random`: seeded uniform or PCT runs; what they hit, and how to replay it.

use super::exit;
use super::limits;
use super::progress;
use super::report;
use super::sim_args::{self, SimArgs};
use anyhow::{bail, Result};
use clap::Args;
use core_sim::explore::{pct_run, random_run, random_runs, RandomMode, RandomSummary};
use serde_json::json;
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `avic-lab random`.
#[derive(Debug, Args)]
pub struct RandomArgs {
    #[command(flatten)]
    pub sim: SimArgs,
    /// Number of runs (seeds SEED, SEED+1, ...), 1..=100000000.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub runs: u64,
    /// Stop after this many seconds (at most 86400) with the runs done so far.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 600.0,
        allow_negative_numbers = true
    )]
    pub timeout: f64,
    /// First seed.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// PCT scheduling targeting bugs of this depth (1-20) instead of uniform choice.
    #[arg(long, value_name = "DEPTH")]
    pub pct: Option<u8>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs between two looks at the clock: small enough that even the largest scenario's runs
/// (a few thousand steps each) keep the timeout to a few milliseconds.
const CHUNK: u64 = 16;

/// The most `--runs` accepted (about an hour here: the timeout ends it earlier).
pub const MAX_RUNS: u64 = 100_000_000;

fn merge(into: &mut RandomSummary, part: RandomSummary) {
    into.runs += part.runs;
    into.steps += part.steps;
    for (k, (n, seed)) in part.hits {
        let e = into.hits.entry(k).or_insert((0, seed));
        e.0 += n;
    }
}

/// Run `avic-lab random`.
pub fn run(args: RandomArgs) -> Result<ExitCode> {
    let sim = args.sim.sim()?;
    sim_args::require_oracles(&sim)?;
    let limit = limits::seconds("--timeout", args.timeout)?;
    let mode = match args.pct {
        None => RandomMode::Uniform,
        Some(d @ 1..=20) => RandomMode::Pct { depth: d },
        Some(d) => bail!("--pct depth must be 1..=20, got {d}"),
    };
    limits::within("--runs", args.runs, 1, MAX_RUNS)?;
    let pb = progress::bar(progress::wanted(args.json), args.runs, "runs");
    let mut sum = RandomSummary::default();
    let mut done = 0;
    let start = Instant::now();
    let mut timed_out = false;
    while done < args.runs {
        if start.elapsed() >= limit {
            timed_out = true;
            break;
        }
        let n = CHUNK.min(args.runs - done);
        let first = args.seed.wrapping_add(done);
        let part = random_runs(&sim, first, n, mode);
        merge(&mut sum, part);
        done += n;
        pb.set_position(done);
    }
    pb.finish_and_clear();
    let mode_name = match mode {
        RandomMode::Uniform => "uniform".to_string(),
        RandomMode::Pct { depth } => format!("pct depth {depth}"),
    };
    let mut hits = Vec::new();
    for (kind, (count, seed)) in &sum.hits {
        let session = match mode {
            RandomMode::Uniform => random_run(&sim, *seed),
            RandomMode::Pct { depth } => pct_run(&sim, *seed, depth),
        };
        let schedule = session.schedule().to_string();
        hits.push((
            *kind,
            *count,
            *seed,
            report::replay_line(&args.sim, &sim, &schedule),
            schedule,
        ));
    }
    if args.json {
        let mut out = json!({
            "scenario": sim.scenario.id,
            "strategy": sim.strategy.name(),
            "memory_model": sim.memory.id(),
            "mode": mode,
            "seed": args.seed,
            "runs": sum.runs,
            "runs_asked": args.runs,
            "timed_out": timed_out,
            "steps": sum.steps,
            "hits": hits.iter().map(|(k, n, seed, replay, schedule)| json!({
                "kind": k.id(), "severity": k.severity(), "runs": n, "first_seed": seed,
                "schedule": schedule, "replay": replay,
            })).collect::<Vec<_>>(),
        });
        if let Some(e) = super::sim_args::edited(&sim) {
            out["edited"] = json!(e);
        }
        super::output::emit_json(&out)?;
    } else {
        let mut text = String::new();
        outln!(
            text,
            "{} · {} · {}",
            sim.scenario.id,
            args.sim.strategy_name(&sim),
            sim.memory.id()
        );
        outln!(
            text,
            "{} {} runs from seed {} ({} steps)",
            sum.runs,
            mode_name,
            args.seed,
            sum.steps
        );
        if timed_out {
            outln!(
                text,
                "stopped after {} of {} runs: timed out after {:.3} s (--timeout)",
                sum.runs,
                args.runs,
                limit.as_secs_f64()
            );
        }
        if hits.is_empty() {
            outln!(
                text,
                "no violation hit (random runs prove nothing: use `avic-lab check`)"
            );
        }
        for (k, n, seed, replay, _) in &hits {
            let pct = 100.0 * *n as f64 / sum.runs as f64;
            let sev = format!("({})", k.severity());
            outln!(
                text,
                "  {:<16} {sev:<12} {n:>7} runs ({pct:.1}%), first seed {seed}",
                k.id()
            );
            outln!(text, "      {replay}");
        }
        super::output::emit(&text)?;
    }
    Ok(ExitCode::from(if !hits.is_empty() {
        exit::VIOLATION
    } else if timed_out {
        exit::BOUNDED
    } else {
        exit::SAFE
    }))
}
