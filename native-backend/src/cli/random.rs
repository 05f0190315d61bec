//! `avic-lab random`: seeded uniform or PCT runs; what they hit, and how to replay it.

use super::exit;
use super::progress;
use super::report;
use super::sim_args::SimArgs;
use anyhow::{bail, Result};
use clap::Args;
use core_sim::explore::{pct_run, random_run, random_runs, RandomMode, RandomSummary};
use serde_json::json;
use std::process::ExitCode;

/// Arguments of `avic-lab random`.
#[derive(Debug, Args)]
pub struct RandomArgs {
    #[command(flatten)]
    pub sim: SimArgs,
    /// Number of runs (seeds SEED, SEED+1, ...).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub runs: u64,
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

const CHUNK: u64 = 500;

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
    let mode = match args.pct {
        None => RandomMode::Uniform,
        Some(d @ 1..=20) => RandomMode::Pct { depth: d },
        Some(d) => bail!("--pct depth must be 1..=20, got {d}"),
    };
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let pb = progress::bar(progress::wanted(args.json), args.runs, "runs");
    let mut sum = RandomSummary::default();
    let mut done = 0;
    while done < args.runs {
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
        let out = json!({
            "scenario": sim.scenario.id,
            "strategy": sim.strategy.name(),
            "memory_model": sim.memory.id(),
            "mode": mode,
            "seed": args.seed,
            "runs": sum.runs,
            "steps": sum.steps,
            "hits": hits.iter().map(|(k, n, seed, replay, schedule)| json!({
                "kind": k.id(), "severity": k.severity(), "runs": n, "first_seed": seed,
                "schedule": schedule, "replay": replay,
            })).collect::<Vec<_>>(),
        });
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
    Ok(ExitCode::from(if hits.is_empty() {
        exit::SAFE
    } else {
        exit::VIOLATION
    }))
}
