//! PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte: "A
//! Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010).
//!
//! Every thread and every store buffer gets a distinct random priority; the highest-priority
//! enabled action runs. At `depth - 1` change points the action about to run drops below every
//! priority given so far, so another one runs instead. The paper bounds the chance that one run
//! finds a bug of depth d from below by 1 / (n · k^(d-1)), for n threads and change points drawn
//! over k steps: drawing them over the decision points only makes k smaller.
//!
//! The change points are placed over the decision points only (steps where more than one action
//! is enabled: elsewhere a drop changes nothing), and over a run length that is measured, not
//! guessed: before each run, a measuring run with the same priorities and no change point (on a
//! bare, unjudged machine) counts its decision points `k`, and the change points are `depth - 1`
//! distinct decision indices drawn from `1..k` (0 is left out: a drop before any step only
//! reshuffles the initial priorities). The drops change the run, and with it its length: a
//! second measuring run with the change points checks that all of them fire; if some fall past
//! the end of the changed run (or a short first run left room for fewer than the changed run
//! has), they are drawn again over the changed run's measured length, at most [`MAX_DRAWS`]
//! times. A seed gives the same run every time, on every platform. `tests/pct_depth.rs` measures
//! the depth delivered.

use super::bare::Bare;
use super::chooser::Chooser;
use super::driver::{drive, MAX_STEPS};
use crate::exec::Action;
use crate::sim::Sim;
use rand::seq::{index, SliceRandom};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// How often the change points are drawn again when the drops change the run's length so much
/// that some would not fire.
pub const MAX_DRAWS: usize = 8;

/// A PCT chooser: one seed, one depth; every run draws new priorities and change points.
#[derive(Clone, Debug)]
pub struct Pct {
    rng: ChaCha8Rng,
    depth: u8,
    plan: Plan,
    /// Decision points of the last measuring run (the length the change points were drawn over).
    measured: usize,
}

impl Pct {
    /// PCT targeting bugs of depth `depth` (at least 1: depth 1 has no change point).
    pub fn new(seed: u64, depth: u8) -> Pct {
        Pct {
            rng: ChaCha8Rng::seed_from_u64(seed),
            depth: depth.max(1),
            plan: Plan::default(),
            measured: 0,
        }
    }

    /// The decision indices where this run's priority drops are placed.
    pub fn change_points(&self) -> &[usize] {
        &self.plan.changes
    }

    /// Decision points of the measuring run the change points were drawn over.
    pub fn measured_decisions(&self) -> usize {
        self.measured
    }

    /// `depth - 1` distinct decision indices from `1..decisions` (fewer if the run is shorter).
    fn draw(&mut self, decisions: usize) -> Vec<usize> {
        let span = decisions.saturating_sub(1);
        let wanted = usize::from(self.depth - 1).min(span);
        let mut points: Vec<usize> = index::sample(&mut self.rng, span, wanted)
            .into_iter()
            .map(|i| i + 1)
            .collect();
        points.sort_unstable();
        points
    }
}

impl Chooser for Pct {
    fn start(&mut self, sim: &Sim) {
        let slots = 2 * sim.threads.len();
        let mut prio: Vec<i64> = (0..slots as i64).collect();
        prio.shuffle(&mut self.rng);
        let prios = Priorities {
            prio,
            threads: sim.threads.len(),
            lowest: 0,
        };
        let mut plan = Plan::new(prios.clone(), Vec::new()).measure(sim);
        self.measured = plan.decisions;
        let draws = if self.depth > 1 { MAX_DRAWS } else { 0 };
        for _ in 0..draws {
            self.measured = plan.decisions;
            let changes = self.draw(plan.decisions);
            plan = Plan::new(prios.clone(), changes).measure(sim);
            // Done when every point fires and the changed run has no room for more of them.
            let room = usize::from(self.depth - 1).min(plan.decisions.saturating_sub(1));
            if plan.fired == plan.changes.len() && plan.changes.len() >= room {
                break;
            }
        }
        self.plan = Plan::new(prios, plan.changes);
        let c = &self.plan.changes;
        debug_assert!(c.len() < usize::from(self.depth));
        debug_assert!(c.windows(2).all(|w| w[0] < w[1]) && c.first().is_none_or(|&f| f >= 1));
    }

    fn choose(&mut self, enabled: &[Action], step: usize) -> Option<Action> {
        self.plan.choose(enabled, step)
    }

    fn changes_fired(&self) -> usize {
        self.plan.fired
    }
}

/// One run's priorities and change points, and how far it got through them.
#[derive(Clone, Debug, Default)]
struct Plan {
    prios: Priorities,
    /// Decision indices where the action about to run drops. Invariant: sorted and distinct.
    changes: Vec<usize>,
    /// Change points fired so far (they fire in order: `changes[..fired]`).
    fired: usize,
    /// Decision points seen so far.
    decisions: usize,
}

impl Plan {
    fn new(prios: Priorities, changes: Vec<usize>) -> Plan {
        Plan {
            prios,
            changes,
            fired: 0,
            decisions: 0,
        }
    }

    /// This plan run to the end on a bare, unjudged machine: the decision points it meets and
    /// the change points that fire (a plan's run is the same every time).
    fn measure(mut self, sim: &Sim) -> Plan {
        // A plan only picks enabled actions: the run cannot fail.
        let _ = drive(&mut Bare::unjudged(sim), &mut self, MAX_STEPS);
        self
    }
}

impl Chooser for Plan {
    fn choose(&mut self, enabled: &[Action], _step: usize) -> Option<Action> {
        if enabled.len() > 1 {
            if self.changes.get(self.fired) == Some(&self.decisions) {
                let top = self.prios.top(enabled);
                self.prios.lower(top);
                self.fired += 1;
            }
            self.decisions += 1;
        }
        Some(self.prios.top(enabled))
    }
}

/// Priorities of thread steps (slots `0..threads`) and store-buffer flushes (the next `threads`).
/// Invariant: all distinct; a dropped one is below every other given so far.
#[derive(Clone, Debug, Default)]
struct Priorities {
    prio: Vec<i64>,
    threads: usize,
    /// The last priority handed to a dropped action (0 before any drop; drops go below it).
    lowest: i64,
}

impl Priorities {
    fn slot(&self, a: Action) -> usize {
        match a {
            Action::Step(t) => t as usize,
            Action::Flush(t) => self.threads + t as usize,
        }
    }

    fn top(&self, enabled: &[Action]) -> Action {
        *enabled
            .iter()
            .max_by_key(|a| self.prio[self.slot(**a)])
            .expect("the driver offers at least one action")
    }

    fn lower(&mut self, a: Action) {
        self.lowest -= 1;
        let s = self.slot(a);
        self.prio[s] = self.lowest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::{Metrics, Session};

    #[test]
    fn change_points_lie_within_the_measured_decisions() {
        let sim = Sim::from_ids("retarget-vs-old-owner", "linux-6.6", "tso").unwrap();
        for seed in 0..30 {
            for depth in 1..=5u8 {
                let mut p = Pct::new(seed, depth);
                p.start(&sim);
                let k = p.measured_decisions();
                assert!(k > 5, "{k}");
                assert_eq!(p.change_points().len(), usize::from(depth - 1));
                assert!(p.change_points().iter().all(|&c| (1..k).contains(&c)));
            }
        }
    }

    #[test]
    fn with_depth_one_it_is_the_measuring_run() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "tso").unwrap();
        for seed in 0..10 {
            let mut m = Metrics::new(Pct::new(seed, 1));
            let mut s = Session::new(&sim);
            drive(&mut s, &mut m, MAX_STEPS).unwrap();
            assert_eq!(m.run.changes_fired, 0);
            assert_eq!(m.run.decisions, m.inner.measured_decisions());
        }
    }

    #[test]
    fn the_first_change_point_always_fires() {
        let sim = Sim::from_ids("halt-preempted", "linux-6.17", "sc").unwrap();
        for seed in 0..50 {
            let mut m = Metrics::new(Pct::new(seed, 2));
            drive(&mut Bare::unjudged(&sim), &mut m, MAX_STEPS).unwrap();
            assert_eq!(m.run.changes_fired, 1, "seed {seed}");
        }
    }
}
