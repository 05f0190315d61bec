//! PCT runs, as `core_sim::explore::pct_run` (same seeds, same random draws), except that each
//! priority change point fires once. The core's loop re-fires a change point at the same
//! position for ever (`continue` without a step), so any run longer than a change point hangs.
//! Drop this file for the core's `pct_run` once that is fixed.

use core_sim::explore::{RandomSummary, Session};
use core_sim::{Action, Sim, ViolationKind};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn slot(a: Action, threads: usize) -> usize {
    match a {
        Action::Step(t) => t as usize,
        Action::Flush(t) => threads + t as usize,
    }
}

/// One PCT run: random thread (and store-buffer) priorities, `depth - 1` priority drops.
pub fn pct_run(sim: &Sim, seed: u64, depth: u8) -> Session {
    let depth = depth.max(1);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = sim.threads.len();
    let mut prio: Vec<i64> = (0..2 * n)
        .map(|_| rng.gen_range(depth as i64..1_000_000))
        .collect();
    let estimate = 64usize;
    let changes: Vec<usize> = (1..depth).map(|_| rng.gen_range(0..estimate)).collect();
    let mut fired = vec![false; changes.len()];
    let mut s = Session::new(sim);
    while s.position() < core_sim::explore::random::MAX_STEPS {
        let en = s.enabled();
        let Some(&a) = en.iter().max_by_key(|a| prio[slot(**a, n)]) else {
            break;
        };
        let due = (0..changes.len()).find(|&k| !fired[k] && changes[k] == s.position());
        if let Some(k) = due {
            fired[k] = true;
            prio[slot(a, n)] = k as i64;
            continue;
        }
        s.step(a).expect("enabled action runs");
    }
    s
}

/// `runs` PCT runs with seeds `seed, seed+1, ...`.
pub fn pct_runs(sim: &Sim, seed: u64, runs: u64, depth: u8) -> RandomSummary {
    let mut sum = RandomSummary {
        runs,
        ..Default::default()
    };
    for i in 0..runs {
        let s = seed.wrapping_add(i);
        let session = pct_run(sim, s, depth);
        sum.steps += session.position() as u64;
        let mut kinds: Vec<ViolationKind> = session.violations().iter().map(|v| v.kind).collect();
        kinds.sort();
        kinds.dedup();
        for k in kinds {
            sum.hits.entry(k).or_insert((0, s)).0 += 1;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pct_runs_end() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "tso").unwrap();
        for seed in 0..50 {
            assert!(pct_run(&sim, seed, 3).is_terminal());
        }
        assert_eq!(
            pct_run(&sim, 9, 3).schedule(),
            pct_run(&sim, 9, 3).schedule()
        );
    }
}
