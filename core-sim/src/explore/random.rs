//! Seeded runs: uniform random and PCT, one run recorded as a [`Session`] or a batch of bare
//! runs summed up. Thin wrappers over the [`super::chooser`]s and the [`super::drive`]r; a seed
//! gives the same run on every platform (native and wasm32).

use super::bare::Bare;
use super::chooser::{Chooser, Uniform};
use super::driver::drive;
use super::session::Session;
use crate::exec::Action;
use crate::oracle::ViolationKind;
use crate::sim::Sim;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use super::driver::MAX_STEPS;

/// How a random run picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RandomMode {
    /// Uniform among enabled actions.
    Uniform,
    /// PCT: random priorities, `depth - 1` priority drops placed over the decision points.
    Pct {
        /// Bug depth targeted.
        depth: u8,
    },
}

/// Drive a new session with `chooser` to the end (or [`MAX_STEPS`]).
fn recorded(sim: &Sim, mut chooser: impl Chooser) -> Session {
    let mut s = Session::new(sim);
    drive(&mut s, &mut chooser, MAX_STEPS).expect("seeded choosers pick enabled actions");
    s
}

/// A uniform random run to the end.
pub fn random_run(sim: &Sim, seed: u64) -> Session {
    recorded(sim, Uniform::new(seed))
}

fn slot(a: Action, threads: usize) -> usize {
    match a {
        Action::Step(t) => t as usize,
        Action::Flush(t) => threads + t as usize,
    }
}

/// A PCT run (Burckhardt et al.): each thread (and each store buffer) gets a random priority;
/// the highest-priority enabled one runs; at `depth - 1` random points the running one drops to
/// the lowest priority.
pub fn pct_run(sim: &Sim, seed: u64, depth: u8) -> Session {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = sim.threads.len();
    let mut prio: Vec<i64> = (0..2 * n)
        .map(|_| rng.gen_range(depth as i64..1_000_000))
        .collect();
    let estimate = 64u32;
    let mut changes: Vec<Option<usize>> = (1..depth)
        .map(|_| Some(rng.gen_range(0..estimate) as usize))
        .collect();
    let mut s = Session::new(sim);
    while s.position() < MAX_STEPS {
        let en = s.enabled();
        let Some(&a) = en.iter().max_by_key(|a| prio[slot(**a, n)]) else {
            break;
        };
        // A change point fires once: the chosen one drops below every initial priority.
        if let Some(k) = changes.iter().position(|&c| c == Some(s.position())) {
            changes[k] = None;
            prio[slot(a, n)] = k as i64;
            continue;
        }
        s.step(a).expect("enabled action runs");
    }
    s
}

/// What a batch of random runs hit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RandomSummary {
    /// Runs made.
    pub runs: u64,
    /// Per violation kind: how many runs hit it, and the first seed that did.
    pub hits: BTreeMap<ViolationKind, (u64, u64)>,
    /// Total steps taken.
    pub steps: u64,
}

/// `runs` runs with seeds `seed, seed+1, …`, each on a bare machine judged by the scenario's
/// oracles (no history kept): the kinds each seed hits are those of its recorded run.
pub fn random_runs(sim: &Sim, seed: u64, runs: u64, mode: RandomMode) -> RandomSummary {
    let mut sum = RandomSummary {
        runs,
        ..Default::default()
    };
    for i in 0..runs {
        let s = seed.wrapping_add(i);
        let (steps, kinds) = match mode {
            RandomMode::Uniform => {
                let mut run = Bare::new(sim);
                drive(&mut run, &mut Uniform::new(s), MAX_STEPS)
                    .expect("seeded choosers pick enabled actions");
                (run.position(), run.kinds())
            }
            RandomMode::Pct { depth } => {
                let run = pct_run(sim, s, depth.max(1));
                let kinds = run.violations().iter().map(|v| v.kind).collect();
                (run.position(), kinds)
            }
        };
        sum.steps += steps as u64;
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
    fn same_seed_same_run() {
        let sim = Sim::from_ids("migrate-vs-affinity", "naive-update", "tso").unwrap();
        assert_eq!(
            random_run(&sim, 7).schedule(),
            random_run(&sim, 7).schedule()
        );
        assert_eq!(
            pct_run(&sim, 7, 3).schedule(),
            pct_run(&sim, 7, 3).schedule()
        );
    }

    #[test]
    fn runs_end_in_a_final_state() {
        let sim = Sim::from_ids("put-block-vs-affinity", "lock-fix", "tso").unwrap();
        for seed in 0..20 {
            assert!(random_run(&sim, seed).is_terminal());
            assert!(pct_run(&sim, seed, 2).is_terminal());
        }
    }

    #[test]
    fn random_runs_find_the_naive_lost_wakeup() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let sum = random_runs(&sim, 1, 2000, RandomMode::Uniform);
        assert!(sum.hits.contains_key(&ViolationKind::LostWakeup), "{sum:?}");
    }
}
