//! The fewest preemptions a schedule needs to hit each violation kind, after iterative context
//! bounding (Musuvathi and Qadeer, PLDI 2007): a bug that needs one preemption shows up under almost
//! any scheduler; one that needs three needs bad luck three times over.
//!
//! A *preemption* is a switch away from a thread that could have gone on: the next action is
//! another thread's step while the thread that ran last still has its next step enabled. Switching
//! away from a thread that finished, sleeps or waits for a lock costs nothing. Every thread counts,
//! device and hardware threads too (an interrupt that arrives in the middle of a kernel function
//! preempts it). Store-buffer drains (`Action::Flush`) are the hardware's, not the scheduler's:
//! they cost nothing and do not change which thread runs.
//!
//! The search is Dijkstra's over (state, last thread), ordered by (preemptions, steps), so each
//! state is settled with its fewest preemptions and, among those, its shortest schedule: each
//! kind's bound is exact within the state bound, and its schedule is the shortest with that many.
//! It keeps its states packed as the exhaustive checker does and its queue as buckets of
//! (preemptions, steps), not a heap: see `search`.

use crate::exec::{self, Action};
use crate::explore::Schedule;
use crate::machine::Machine;
use crate::oracle::ViolationKind;
use crate::sim::Sim;
use std::collections::BTreeMap;

#[cfg(test)]
mod reference;
mod search;

/// The fewest preemptions that hit one violation kind, and a schedule that does it with exactly
/// that many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreemptionBound {
    /// The kind.
    pub kind: ViolationKind,
    /// Preemptions needed.
    pub preemptions: usize,
    /// A schedule that hits the kind with that many preemptions (it ends where the kind shows).
    pub schedule: Schedule,
}

/// The search stopped at its state bound; kinds found so far are listed with the bound they
/// needed, but a kind not listed may still be reachable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bounded {
    /// States visited.
    pub states: usize,
    /// What was found before the bound.
    pub found: BTreeMap<ViolationKind, PreemptionBound>,
}

/// Whether `a` after `last` (the thread that ran last) in state `m` is a preemption.
fn is_preemption(sim: &Sim, m: &Machine, last: Option<u8>, a: Action) -> bool {
    match (a, last) {
        (Action::Step(t), Some(l)) if t != l => exec::is_enabled(sim, m, Action::Step(l)),
        _ => false,
    }
}

fn runs_next(last: Option<u8>, a: Action) -> Option<u8> {
    match a {
        Action::Step(t) => Some(t),
        Action::Flush(_) => last,
    }
}

/// The preemptions in a schedule (as [`fewest_preemptions`] counts them), or `None` when it does
/// not replay in `sim`.
pub fn count_preemptions(sim: &Sim, schedule: &Schedule) -> Option<usize> {
    let mut m = sim.initial();
    let (mut last, mut n) = (None, 0);
    for &a in &schedule.0 {
        if !exec::is_enabled(sim, &m, a) {
            return None;
        }
        n += usize::from(is_preemption(sim, &m, last, a));
        exec::step(sim, &mut m, a).ok()?;
        last = runs_next(last, a);
    }
    Some(n)
}

/// For every violation kind reachable in `sim`, the fewest preemptions a schedule needs to hit it,
/// visiting at most `max_states` (state, last thread) pairs.
pub fn fewest_preemptions(
    sim: &Sim,
    max_states: usize,
) -> Result<BTreeMap<ViolationKind, PreemptionBound>, Bounded> {
    fewest_preemptions_for(sim, max_states, &[])
}

/// [`fewest_preemptions`], stopping as soon as every kind in `wanted` (none: every kind) has its
/// answer. Exact: states are settled in (preemptions, steps) order, and a schedule found from a
/// state settled at (p, d) has at least p preemptions and d steps; so once the search settles a
/// state at or past the (preemptions, steps) of every wanted kind's best schedule so far, nothing
/// it meets later can hit one with fewer preemptions, or as many in fewer steps (a schedule as
/// good as the one it has does not replace it); the wanted kinds' bounds and schedules are the
/// ones the whole search ends with. Other kinds found on the way are in the answer too, but may
/// not be final.
pub fn fewest_preemptions_for(
    sim: &Sim,
    max_states: usize,
    wanted: &[ViolationKind],
) -> Result<BTreeMap<ViolationKind, PreemptionBound>, Bounded> {
    search::run(sim, max_states, wanted)
}

/// "needs 2 preemptions", "needs 1 preemption", "needs no preemption": a bound in words.
pub fn needs(n: usize) -> String {
    match n {
        0 => "needs no preemption".into(),
        1 => "needs 1 preemption".into(),
        n => format!("needs {n} preemptions"),
    }
}

/// Give each counterexample of a matrix cell (checked in `sim`) the fewest preemptions its kind
/// needs, visiting at most `max_states` (state, last thread) pairs; a search cut short by that
/// bound fills only the kinds it found, with the bound it found (an upper bound then).
pub fn fill_cell(cell: &mut crate::explore::matrix::Cell, sim: &Sim, max_states: usize) {
    if cell.counterexamples.is_empty() {
        return;
    }
    let wanted: Vec<ViolationKind> = cell.counterexamples.iter().map(|c| c.kind).collect();
    let found = fewest_preemptions_for(sim, max_states, &wanted).unwrap_or_else(|b| b.found);
    for c in &mut cell.counterexamples {
        c.preemptions = found.get(&c.kind).map(|b| b.preemptions);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::{check, CheckOptions, Session};
    use crate::oracle::{self, Violation};
    use crate::scenario;
    use crate::strategy::MemoryModel;

    /// Whether some schedule with at most `budget` preemptions, continuing from `m`, hits `kind`:
    /// plain depth-first enumeration of schedules, no state caching, nothing shared with the
    /// search above but the preemption rule. `work` bounds the schedules tried.
    fn brute(
        sim: &Sim,
        m: &Machine,
        last: Option<u8>,
        budget: usize,
        depth: usize,
        kind: ViolationKind,
        work: &mut usize,
    ) -> bool {
        *work = work.saturating_sub(1);
        assert!(*work > 0, "brute force ran out of work");
        let hit = |vs: Vec<Violation>| vs.iter().any(|v| v.kind == kind);
        if hit(oracle::check_state(sim, m, depth)) {
            return true;
        }
        let enabled = exec::enabled(sim, m);
        if enabled.is_empty() {
            return hit(oracle::check_terminal(sim, m, depth));
        }
        enabled.into_iter().any(|a| {
            let cost = usize::from(is_preemption(sim, m, last, a));
            if cost > budget {
                return false;
            }
            let mut next = m.clone();
            let event = exec::step(sim, &mut next, a).unwrap();
            hit(oracle::check_facts(sim, m, &event.facts, depth + 1))
                || brute(
                    sim,
                    &next,
                    runs_next(last, a),
                    budget - cost,
                    depth + 1,
                    kind,
                    work,
                )
        })
    }

    #[test]
    fn each_bound_has_a_schedule_that_hits_its_kind_with_exactly_that_many_preemptions() {
        let mut cells = 0;
        for id in scenario::ids() {
            for strategy in ["linux-6.5", "linux-6.17"] {
                let sim = Sim::from_ids(&id, strategy, "sc").unwrap();
                let bounds = fewest_preemptions(&sim, 2_000_000).unwrap();
                // The same kinds as the exhaustive checker finds.
                let report = check(&sim, &CheckOptions::default(), &mut |_| true);
                let kinds: Vec<ViolationKind> = bounds.keys().copied().collect();
                assert_eq!(kinds, report.kinds(), "{id} {strategy}");
                for b in bounds.values() {
                    let run = Session::replay(&sim, &b.schedule.to_string()).unwrap();
                    assert!(
                        run.violations().iter().any(|v| v.kind == b.kind),
                        "{id} {strategy} {:?}: {}",
                        b.kind,
                        b.schedule
                    );
                    assert_eq!(count_preemptions(&sim, &b.schedule), Some(b.preemptions));
                    cells += 1;
                }
            }
        }
        assert!(cells > 20, "only {cells} bounds checked");
    }

    #[test]
    fn no_schedule_with_one_preemption_fewer_hits_the_kind() {
        let mut checked = 0;
        let mut nonzero = 0;
        for id in scenario::ids() {
            let sim = Sim::from_ids(&id, "linux-6.5", "sc").unwrap();
            for b in fewest_preemptions(&sim, 2_000_000).unwrap().values() {
                if b.preemptions == 0 || b.preemptions > 2 {
                    continue;
                }
                let mut work = 3_000_000;
                let m = sim.initial();
                assert!(
                    brute(&sim, &m, None, b.preemptions, 0, b.kind, &mut work),
                    "{id} {:?}: the brute force finds it with {}",
                    b.kind,
                    b.preemptions
                );
                let mut work = 3_000_000;
                assert!(
                    !brute(&sim, &m, None, b.preemptions - 1, 0, b.kind, &mut work),
                    "{id} {:?}: a schedule with {} preemptions hits it",
                    b.kind,
                    b.preemptions - 1
                );
                checked += 1;
                nonzero += usize::from(b.preemptions > 0);
            }
        }
        assert!(
            checked >= 5 && nonzero >= 5,
            "only {checked} bounds checked"
        );
    }

    #[test]
    fn a_matrix_cell_gets_each_kinds_bound() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let mut cell =
            crate::explore::matrix::check_cell(&sim, &crate::explore::CheckOptions::default());
        assert!(cell.counterexamples.iter().all(|c| c.preemptions.is_none()));
        fill_cell(&mut cell, &sim, 2_000_000);
        let bounds = fewest_preemptions(&sim, 2_000_000).unwrap();
        assert_eq!(cell.counterexamples.len(), bounds.len());
        for c in &cell.counterexamples {
            assert_eq!(
                c.preemptions,
                Some(bounds[&c.kind].preemptions),
                "{:?}",
                c.kind
            );
        }
    }

    #[test]
    fn stopping_once_the_wanted_kinds_are_settled_gives_the_whole_searchs_answers() {
        let mut compared = 0;
        for scenario in [
            "put-block-vs-affinity",
            "retarget-vs-old-owner",
            "block-ga-log",
        ] {
            for strategy in crate::strategy::preset_ids() {
                for memory in ["sc", "tso"] {
                    let sim = Sim::from_ids(scenario, strategy, memory).unwrap();
                    let cell = crate::explore::matrix::check_cell(
                        &sim,
                        &crate::explore::CheckOptions::default(),
                    );
                    let wanted: Vec<ViolationKind> =
                        cell.counterexamples.iter().map(|c| c.kind).collect();
                    if wanted.is_empty() {
                        continue;
                    }
                    let whole = fewest_preemptions(&sim, 2_000_000).unwrap();
                    let early = fewest_preemptions_for(&sim, 2_000_000, &wanted).unwrap();
                    for k in &wanted {
                        assert_eq!(
                            early.get(k),
                            whole.get(k),
                            "{scenario} × {strategy} × {memory}: {k:?}"
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 20, "only {compared} kinds compared");
    }

    /// The packed search against the old one (`reference`, the search of 6ded354) on every cell
    /// of the matrix in both memory models, as the matrix asks (stopping once the cell's kinds
    /// are settled, which the new one may see sooner): each wanted kind's bound and schedule.
    #[test]
    fn the_packed_search_answers_as_the_old_one_did_on_every_matrix_cell() {
        let (mut cells, mut kinds) = (0, 0);
        for (scenario, strategy, memory) in crate::explore::matrix::worlds(&MemoryModel::ALL) {
            let sim = Sim::from_ids(&scenario, strategy, memory.id()).unwrap();
            let cell = crate::explore::matrix::check_cell(&sim, &CheckOptions::default());
            let wanted: Vec<ViolationKind> = cell.counterexamples.iter().map(|c| c.kind).collect();
            if wanted.is_empty() {
                continue;
            }
            let new = fewest_preemptions_for(&sim, 2_000_000, &wanted).unwrap();
            let old = reference::fewest_preemptions_for(&sim, 2_000_000, &wanted).unwrap();
            for k in &wanted {
                assert!(
                    new.contains_key(k),
                    "{scenario} × {strategy} × {memory:?}: {k:?}"
                );
                assert_eq!(
                    new.get(k),
                    old.get(k),
                    "{scenario} × {strategy} × {memory:?}"
                );
            }
            cells += 1;
            kinds += wanted.len();
        }
        assert!(
            cells > 150 && kinds > 300,
            "only {cells} cells, {kinds} kinds"
        );
    }

    /// The whole search (no kinds wanted) and a search cut short by its state bound, against the
    /// old one: the same answers, and the same states counted where it stops.
    #[test]
    fn the_whole_and_the_cut_short_packed_searches_answer_as_the_old_ones() {
        let (mut cut, mut found) = (0, 0);
        for strategy in crate::strategy::preset_ids() {
            for memory in ["sc", "tso"] {
                let sim = Sim::from_ids("retarget-vs-old-owner", strategy, memory).unwrap();
                let whole = fewest_preemptions(&sim, 2_000_000);
                found += whole.as_ref().map_or(0, BTreeMap::len);
                assert_eq!(
                    whole,
                    reference::fewest_preemptions_for(&sim, 2_000_000, &[]),
                    "{strategy} {memory}"
                );
                for bound in [0, 1, 57, 1_000, 20_000] {
                    let new = fewest_preemptions(&sim, bound);
                    assert_eq!(new, reference::fewest_preemptions_for(&sim, bound, &[]));
                    if let Err(b) = new {
                        assert!(b.states > bound, "{strategy} {memory} {bound}");
                        cut += 1;
                    }
                }
            }
        }
        assert!(
            cut > 20 && found > 10,
            "only {cut} searches cut short, {found} kinds"
        );
    }

    #[test]
    fn a_switch_away_from_a_thread_that_can_go_on_is_a_preemption() {
        let sim = Sim::from_ids("block-ga-log", "linux-6.5", "sc").unwrap();
        let m = sim.initial();
        let en = exec::enabled(&sim, &m);
        assert!(en.len() >= 2, "{en:?}");
        let (a, b) = (en[0], en[1]);
        assert!(!is_preemption(&sim, &m, None, a), "the first step is free");
        assert!(!is_preemption(&sim, &m, runs_next(None, a), a));
        if let (Action::Step(_), Action::Step(_)) = (a, b) {
            assert!(is_preemption(&sim, &m, runs_next(None, a), b));
        }
        assert_eq!(count_preemptions(&sim, &Schedule(vec![a, b, a])), Some(2));
    }
}
