//! Runs per second of seeded batches, bare (`random_runs`, as the CLI and the web run them) beside
//! the same seeds recorded as sessions (`random_run`/`pct_run` per seed, as batches ran before
//! they went bare), interleaved round by round so both see the same machine load.
//!
//! `cargo run --release -p core-sim --example random_rate [RUNS] [ROUNDS]`

use core_sim::explore::{pct_run, random_run, random_runs, RandomMode};
use core_sim::Sim;
use std::collections::BTreeSet;
use std::time::Instant;

/// The kinds-per-seed batch over recorded sessions.
fn recorded_batch(sim: &Sim, runs: u64, mode: RandomMode) -> u64 {
    let mut hits = 0;
    for seed in 1..=runs {
        let s = match mode {
            RandomMode::Uniform => random_run(sim, seed),
            RandomMode::Pct { depth } => pct_run(sim, seed, depth),
        };
        let kinds: BTreeSet<_> = s.violations().iter().map(|v| v.kind).collect();
        hits += kinds.len() as u64;
    }
    hits
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: u64 = args.next().map_or(256, |a| a.parse().expect("RUNS"));
    let rounds: usize = args.next().map_or(7, |a| a.parse().expect("ROUNDS"));
    println!("{runs} runs per batch, median of {rounds} rounds, runs/s");
    println!("{:<52} {:>10} {:>10}", "world / mode", "bare", "recorded");
    for (scenario, strategy, memory) in [
        ("put-block-vs-affinity", "naive-update", "sc"),
        ("retarget-vs-old-owner", "linux-6.6", "tso"),
        ("halt-preempted", "linux-6.17", "sc"),
    ] {
        let sim = Sim::from_ids(scenario, strategy, memory).expect("shipped ids");
        for (name, mode) in [
            ("uniform", RandomMode::Uniform),
            ("pct3", RandomMode::Pct { depth: 3 }),
        ] {
            let (mut bare, mut recorded) = (Vec::new(), Vec::new());
            for _ in 0..rounds {
                let t = Instant::now();
                std::hint::black_box(random_runs(&sim, 1, runs, mode));
                bare.push(runs as f64 / t.elapsed().as_secs_f64());
                let t = Instant::now();
                std::hint::black_box(recorded_batch(&sim, runs, mode));
                recorded.push(runs as f64 / t.elapsed().as_secs_f64());
            }
            println!(
                "{:<52} {:>10.0} {:>10.0}",
                format!("{scenario} {strategy} {memory} {name}"),
                median(bare),
                median(recorded)
            );
        }
    }
}
