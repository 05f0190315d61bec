//! The deciding race: the pair(s) of conflicting accesses of a counterexample (the same resource,
//! at least one a write, different threads) whose order decides it. Swap them (the later access's
//! thread runs its steps since the earlier one first, everything else in its place), replay, and
//! the violation no longer happens.
//!
//! Candidates come from the run's accesses ([`Trace::accesses`], the footprint of the
//! partial-order reduction): for each step and each resource it touches, the last earlier step of
//! another thread that touched the same resource, one of the two writing. Each is swapped and
//! replayed; the ones after which the kind is gone decide it. The replay keeps each thread's
//! program order: an action that cannot run where it now stands waits until it can; for a kind
//! judged at the end of the run (a lost wake-up, a thread stuck for ever) the run is finished by
//! running the first thread that can run.

use super::trace::{is_memory, place, res_name, Trace};
use crate::exec::{self, Action};
use crate::explore::independence::{conflicts, Res};
use crate::explore::Schedule;
use crate::oracle::{self, Violation, ViolationKind};
use crate::program::Actor;
use crate::sim::Sim;
use serde::{Deserialize, Serialize};

/// The most steps a replay may add to finish a run.
const FINISH_LIMIT: usize = 10_000;

/// A pair of conflicting accesses, with the replay of the swapped order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Race {
    /// The violation kind it decides (or not).
    pub kind: ViolationKind,
    /// The earlier step (1-based).
    pub first: usize,
    /// The later step.
    pub second: usize,
    /// Whether the earlier step writes the resource.
    pub first_writes: bool,
    /// Whether the later step writes it.
    pub second_writes: bool,
    /// The resource, in words.
    pub resource: String,
    /// The race in words: "avic_vcpu_put(vCPU0)'s read of vCPU0's ir_list at step 7 raced with …".
    pub text: String,
    /// The schedule that ran with the two in the other order (it replays exactly).
    pub swapped: String,
    /// Whether the kind still happens on it.
    pub still_hits: bool,
    /// Both accesses are kernel paths (vCPU threads, the updater, the host), not hardware.
    pub kernel: bool,
    /// The resource is memory (an entry, an ir_list, an IRTE or a copy), not a run state or lock.
    pub memory: bool,
}

fn verb(write: bool) -> &'static str {
    if write {
        "write"
    } else {
        "read"
    }
}

/// Whether `kind` is judged only when the run has ended.
fn at_end(v: &Violation, trace: &Trace) -> bool {
    matches!(v.kind, ViolationKind::LostWakeup)
        || (v.kind == ViolationKind::Deadlock && v.explanation.starts_with("HANG: "))
        || v.step > trace.len()
}

/// The conflicting pairs of a run's first `n` steps: (earlier, later, resource, earlier writes,
/// later writes), each later step paired with the last earlier step of another thread that
/// touched the same resource, one of them writing; memory resources first.
pub fn candidates(trace: &Trace, n: usize) -> Vec<(usize, usize, Res, bool, bool)> {
    let mut out: Vec<(usize, usize, Res, bool, bool)> = Vec::new();
    for j in 1..=n.min(trace.len()) {
        for &(res, wj) in &trace.accesses[j - 1] {
            let earlier = (1..j).rev().find_map(|i| {
                if trace.thread(i) == trace.thread(j) {
                    return None;
                }
                trace.accesses[i - 1]
                    .iter()
                    .find(|&&(r, wi)| conflicts(r, res) && (wi || wj))
                    .map(|&(_, wi)| (i, wi))
            });
            if let Some((i, wi)) = earlier {
                if !out.iter().any(|c| c.0 == i && c.1 == j) {
                    out.push((i, j, res, wi, wj));
                }
            }
        }
    }
    out.sort_by_key(|c| {
        (
            !is_memory(c.2),
            std::cmp::Reverse(c.1),
            std::cmp::Reverse(c.0),
        )
    });
    out
}

/// `actions` with step `j`'s thread's steps from `i` to `j` (1-based) moved just before step `i`.
pub fn swap(actions: &[Action], i: usize, j: usize) -> Vec<Action> {
    let t = actions[j - 1].thread();
    let mut out = actions[..i - 1].to_vec();
    out.extend(actions[i - 1..j].iter().filter(|a| a.thread() == t));
    out.extend(actions[i - 1..j].iter().filter(|a| a.thread() != t));
    out.extend_from_slice(&actions[j..]);
    out
}

/// Run `wanted` in order, each action waiting until it can run; with `finish`, then run the first
/// enabled action until nothing can. Returns the schedule that ran and whether `kind` happened.
pub fn run_hits(
    sim: &Sim,
    wanted: &[Action],
    kind: ViolationKind,
    finish: bool,
) -> (Schedule, bool) {
    let mut m = sim.initial();
    let mut ran = Vec::new();
    let mut hit = oracle::check_state(sim, &m, 0)
        .iter()
        .any(|v| v.kind == kind);
    let mut waiting: Vec<Action> = Vec::new();
    let mut queue = wanted.iter().copied();
    let mut extra = 0;
    loop {
        // The oldest waiting action that can run now, else the next wanted one.
        let next = match waiting.iter().position(|&a| exec::is_enabled(sim, &m, a)) {
            Some(p) => Some(waiting.remove(p)),
            None => loop {
                match queue.next() {
                    Some(a) if exec::is_enabled(sim, &m, a) => break Some(a),
                    Some(a) => waiting.push(a),
                    None => break None,
                }
            },
        };
        let a = match next {
            Some(a) => a,
            None if finish && extra < FINISH_LIMIT => match exec::enabled(sim, &m).first() {
                Some(&a) => {
                    extra += 1;
                    a
                }
                None => break,
            },
            None => break,
        };
        let before = m.clone();
        let event = exec::step(sim, &mut m, a).expect("enabled action runs");
        ran.push(a);
        let depth = ran.len();
        hit |= oracle::check_facts(sim, &before, &event.facts, depth)
            .iter()
            .chain(oracle::check_state(sim, &m, depth).iter())
            .any(|v| v.kind == kind);
    }
    if finish {
        let depth = ran.len();
        hit |= oracle::check_terminal(sim, &m, depth)
            .iter()
            .any(|v| v.kind == kind);
    }
    (Schedule(ran), hit)
}

/// Position of the `n`-th (1-based) occurrence of `a` in `actions`.
fn nth(actions: &[Action], a: Action, n: usize) -> Option<usize> {
    actions
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == a)
        .nth(n - 1)
        .map(|(p, _)| p)
}

/// Whether the schedule `ran` runs the actions of steps `i` and `j` of `orig` (1-based) in the
/// other order.
fn reversed(orig: &[Action], ran: &[Action], i: usize, j: usize) -> bool {
    let count = |k: usize| orig[..k].iter().filter(|&&b| b == orig[k - 1]).count();
    match (
        nth(ran, orig[i - 1], count(i)),
        nth(ran, orig[j - 1], count(j)),
    ) {
        (Some(pi), Some(pj)) => pj < pi,
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// Where to move step `j`'s thread to so that it runs before step `i`: just before `i`, or, when
/// `i`'s thread holds locks at `i`, before the step that took the first of them (the two critical
/// sections change places).
fn swap_points(trace: &Trace, i: usize) -> Vec<usize> {
    let t = trace.thread(i);
    let held = |k: usize| -> Vec<usize> {
        trace.states[k - 1]
            .locks
            .iter()
            .enumerate()
            .filter(|(_, h)| **h == Some(t as u8))
            .map(|(slot, _)| slot)
            .collect()
    };
    let at_i = held(i);
    let mut points = vec![i];
    if !at_i.is_empty() {
        let mut k = i;
        while k > 1 && held(k).iter().any(|l| at_i.contains(l)) {
            k -= 1;
        }
        let start = (k..=i)
            .find(|&s| trace.thread(s) == t && held(s + 1).iter().any(|l| at_i.contains(l)))
            .unwrap_or(i);
        if start < i {
            points.push(start);
        }
    }
    points
}

/// Whether a thread is a kernel path (a vCPU's thread, the updater, the host) rather than
/// hardware (a device and the IOMMU, AVIC, the GA-log handler's interrupt).
fn is_kernel(sim: &Sim, t: usize) -> bool {
    matches!(
        sim.threads[t].actor,
        Actor::Vcpu(_) | Actor::Updater | Actor::Host
    )
}

/// Every conflicting pair of the run up to `v` (see [`candidates`]) that can be swapped, swapped
/// and replayed: the ones with `still_hits == false` decide it. Deciding pairs come first, and
/// among them races between two kernel paths over memory, the later first.
pub fn races(sim: &Sim, trace: &Trace, v: &Violation) -> Vec<Race> {
    let finish = at_end(v, trace);
    let n = if finish {
        trace.len()
    } else {
        v.step.min(trace.len())
    };
    let actions = &trace.actions[..n];
    let mut out: Vec<Race> = Vec::new();
    for (i, j, res, wi, wj) in candidates(trace, n) {
        let Some((swapped, still_hits)) = swap_points(trace, i).into_iter().find_map(|p| {
            let (ran, hits) = run_hits(sim, &swap(actions, p, j), v.kind, finish);
            reversed(actions, &ran.0, i, j).then_some((ran, hits))
        }) else {
            continue;
        };
        let resource = res_name(sim, res);
        let func = |k: usize| place(&trace.events[k - 1].func);
        out.push(Race {
            kind: v.kind,
            first: i,
            second: j,
            first_writes: wi,
            second_writes: wj,
            text: format!(
                "{}'s {} of {resource} {} at step {i} raced with {}'s {} {} at step {j}",
                trace.thread_in(sim, i),
                verb(wi),
                func(i),
                trace.thread_in(sim, j),
                verb(wj),
                func(j)
            ),
            resource,
            swapped: swapped.to_string(),
            still_hits,
            kernel: is_kernel(sim, trace.thread(i)) && is_kernel(sim, trace.thread(j)),
            memory: is_memory(res),
        });
    }
    out.sort_by_key(|r| {
        (
            r.still_hits,
            !r.kernel,
            !r.memory,
            std::cmp::Reverse(r.second),
        )
    });
    out
}

/// The pairs whose order decides `v`: swapped, the kind is gone. The first is the one to draw.
pub fn deciding_races(sim: &Sim, trace: &Trace, v: &Violation) -> Vec<Race> {
    races(sim, trace, v)
        .into_iter()
        .filter(|r| !r.still_hits)
        .collect()
}

#[cfg(test)]
#[path = "race_tests.rs"]
mod tests;
