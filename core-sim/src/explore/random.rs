//! Seeded runs: uniform random and PCT, one run recorded as a [`Session`] or a batch of bare
//! runs summed up. Thin wrappers over the [`super::chooser`]s and the [`super::drive`]r; a seed
//! gives the same run on every platform (native and wasm32).

use super::bare::Bare;
use super::chooser::{Chooser, Uniform};
use super::driver::drive;
use super::pct::Pct;
use super::session::Session;
use crate::oracle::ViolationKind;
use crate::sim::Sim;
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

/// A PCT run to the end (see [`super::pct`]); `depth` 0 counts as 1.
pub fn pct_run(sim: &Sim, seed: u64, depth: u8) -> Session {
    recorded(sim, Pct::new(seed, depth))
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
        let mut run = Bare::new(sim);
        let end = match mode {
            RandomMode::Uniform => drive(&mut run, &mut Uniform::new(s), MAX_STEPS),
            RandomMode::Pct { depth } => drive(&mut run, &mut Pct::new(s, depth), MAX_STEPS),
        };
        end.expect("seeded choosers pick enabled actions");
        sum.steps += run.position() as u64;
        for k in run.kinds() {
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

    #[test]
    fn a_batch_counts_what_each_seed_s_recorded_run_shows() {
        // The CLI replays a batch's first seed with random_run/pct_run: they must agree.
        let sim = Sim::from_ids("retarget-vs-old-owner", "naive-update", "tso").unwrap();
        for mode in [RandomMode::Uniform, RandomMode::Pct { depth: 3 }] {
            let sum = random_runs(&sim, 10, 30, mode);
            let mut want = RandomSummary {
                runs: 30,
                ..Default::default()
            };
            for seed in 10..40 {
                let run = match mode {
                    RandomMode::Uniform => random_run(&sim, seed),
                    RandomMode::Pct { depth } => pct_run(&sim, seed, depth),
                };
                want.steps += run.position() as u64;
                let kinds: std::collections::BTreeSet<_> =
                    run.violations().iter().map(|v| v.kind).collect();
                for k in kinds {
                    want.hits.entry(k).or_insert((0, seed)).0 += 1;
                }
            }
            assert!(!want.hits.is_empty());
            assert_eq!(sum, want, "{mode:?}");
        }
    }
}
