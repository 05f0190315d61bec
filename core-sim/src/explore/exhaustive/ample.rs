//! The persistent-set reduction (`Reduce::Por`): at each state, expand only the enabled actions
//! of one thread when nothing any other thread can still do (its remaining programs, read
//! statically: [`crate::explore::future`]) conflicts with them. Such a set is persistent
//! (Godefroid's sense): every run from the state that starts with other threads' actions only
//! commutes with it, so the states it skips are reorderings of states it reaches.
//!
//! Three rules keep every verdict:
//! - *Deadlocks* (final states: lost wake-ups, deadlocks) are all kept by persistent sets.
//! - *Visibility*: a thread's actions are chosen only if none of them changes an input of the
//!   stale-IRTE oracle ([`crate::oracle::state_inputs_same`]; tried on a copy first). Steps of
//!   other threads cannot touch what the chosen ones touch, so an action that leaves the inputs
//!   alone here leaves them alone in every state the skipped runs pass through.
//! - *Cycles*: if a chosen action leads back to a state at this depth or above (BFS numbers
//!   states level by level, so that is an id below the level's boundary), the state is
//!   expanded in full: every cycle of the reduced graph then holds a fully expanded state, and
//!   no thread is ignored for ever. With fingerprints, where an old state has no id, any
//!   chosen action that leads to a state seen before counts.
//!
//! Facts a step reports (doorbells, torn reads, lock-order edges) travel with the step: in the
//! reordered run the same action runs after the same dependent actions, with the same facts.
//! `core-sim/tests/reduce.rs` checks on every shipped cell that the kinds found are the same as
//! plain search's, and that every counterexample replays. Counterexamples are then not always
//! shortest: ask plain search (no `--reduce`) for the shortest.

use super::search::{bit, Scratch, Search, ALL};
use crate::exec::{self, Action, Fact};
use crate::explore::future::{Fp, Future};
use crate::explore::independence::footprint;
use crate::machine::Machine;
use crate::oracle::{self, ViolationKind};
use crate::sim::Sim;

/// The reduction's tables and its place in the breadth-first order.
pub(super) struct Por {
    future: Future,
    /// Depth being expanded, and the first id of the next level.
    level: Option<(u32, usize)>,
    /// States expanded with one thread's actions only.
    pub(super) reduced: usize,
    /// A machine and facts to try actions on.
    probe: Machine,
    facts: Vec<Fact>,
}

impl Por {
    pub(super) fn new(sim: &Sim, root: &Machine) -> Por {
        Por {
            future: Future::new(sim, root),
            level: None,
            reduced: 0,
            probe: root.clone(),
            facts: Vec::new(),
        }
    }

    /// The actions (masks of [`bit`]s) of each thread that form a persistent set in `m`, fewest
    /// actions first; empty when every enabled action must run.
    fn candidates(&self, sim: &Sim, m: &Machine, enabled: &[Action]) -> Vec<u32> {
        let n = sim.threads.len();
        let futures: Vec<Fp> = (0..n).map(|u| self.future.of(sim, m, u)).collect();
        let mut out: Vec<(usize, u32)> = Vec::new();
        for t in 0..n {
            let mine: Vec<Action> = enabled
                .iter()
                .copied()
                .filter(|a| a.thread() == t)
                .collect();
            if mine.is_empty() || mine.len() == enabled.len() {
                continue;
            }
            // Its next step must be enabled (nobody else can disable it: that would conflict),
            // or it has no step left at all (only its buffer to flush).
            let steps = mine.iter().any(|a| matches!(a, Action::Step(_)));
            if !steps && !self.future.done(sim, m, t) {
                continue;
            }
            let mut fp = Fp::default();
            for &a in &mine {
                for (r, w) in footprint(sim, m, a) {
                    fp.add_res(r, w);
                }
            }
            if (0..n).any(|u| u != t && fp.conflicts(&futures[u])) {
                continue;
            }
            out.push((mine.len(), mine.iter().fold(0, |acc, &a| acc | bit(a))));
        }
        out.sort_by_key(|&(size, _)| size);
        out.into_iter().map(|(_, mask)| mask).collect()
    }

    /// Whether every action of `mask` leaves the stale-IRTE oracle's inputs as they are in
    /// `parent` (run on a copy).
    fn invisible(&mut self, sim: &Sim, parent: &Machine, enabled: &[Action], mask: u32) -> bool {
        if !sim.scenario.oracles.contains(&ViolationKind::StaleIrte) {
            return true;
        }
        enabled.iter().filter(|&&a| bit(a) & mask != 0).all(|&a| {
            self.probe.clone_from(parent);
            self.facts.clear();
            exec::run_enabled(sim, &mut self.probe, a, &mut self.facts);
            oracle::state_inputs_same(sim, parent, &self.probe)
        })
    }
}

impl Search<'_> {
    /// Expand `n` (packed in `sc.pkey`, unpacked in `sc.parent`; `enabled` not empty) under the
    /// persistent-set reduction.
    pub(super) fn expand_reduced(
        &mut self,
        sc: &mut Scratch,
        n: u32,
        depth: u32,
        enabled: &[Action],
    ) {
        let states = self.states();
        let Some(por) = self.por.as_mut() else {
            unreachable!("expand_reduced runs with the reduction on");
        };
        if por.level.is_none_or(|(d, _)| depth > d) {
            por.level = Some((depth, states));
        }
        let boundary = por.level.map_or(0, |(_, b)| b);
        let sim = self.sim;
        let chosen = por
            .candidates(sim, &sc.parent, enabled)
            .into_iter()
            .find(|&mask| por.invisible(sim, &sc.parent, enabled, mask));
        let mask = chosen.unwrap_or(ALL);
        let mut full = chosen.is_none();
        for &a in enabled.iter().filter(|&&a| bit(a) & mask != 0) {
            let (id, new) = self.successor(sc, n, a, depth, 0);
            full = full || (!new && id.is_none_or(|c| (c as usize) < boundary));
        }
        if chosen.is_some() && full {
            for &a in enabled.iter().filter(|&&a| bit(a) & mask == 0) {
                self.successor(sc, n, a, depth, 0);
            }
        } else if chosen.is_some() {
            if let Some(p) = self.por.as_mut() {
                p.reduced += 1;
            }
        }
    }
}
