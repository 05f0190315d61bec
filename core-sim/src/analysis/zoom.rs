//! Zoom: a run told as macro steps. Each thread's steps of one kernel operation call (an
//! `avic_vcpu_put`, an `avic_pi_update_irte`, a device interrupt) become one line when none of
//! its steps races; the rest stay micro-steps, so a counterexample of 20–40 steps reads as a
//! handful of lines with the race itself in full.
//!
//! **Candidates.** The steps of one thread from the start of one operation call to its end
//! ([`Trace::op_start`]), in that thread's order (other threads' steps may run in between); a
//! store-buffer flush is never part of one. *Pinned* steps are the two accesses of each deciding
//! race handed in (see [`crate::analysis::race`]) and every step where a violation became true:
//! each is its own micro-step line, and it splits its candidate into the pieces before and after.
//!
//! **Collapsible**, exactly: a candidate with steps `p1 < … < pk` (no pinned one among them) is
//! collapsed when the schedule with its steps moved together to `p1` (the other threads' steps
//! between `p1` and `pk` after them, in their order; everything else in place) is equivalent to
//! the run, in two senses checked here:
//! 1. it is reached from the run by swapping adjacent pairs (another thread's step, then one of
//!    the candidate's), each pair enabled and [`independent`] in the state where it stands: the
//!    relation the sleep-set reduction uses, whose pairs lead to the same state and the same facts
//!    in either order (`independence::tests`); so the final machine state is the same;
//! 2. replayed from the start, the moved schedule ends in that same final state and shows the
//!    same violations (kind and explanation), since the oracles also judge the new in-between
//!    states.
//!
//! A candidate that fails on a whole operation is split into its runs of one kernel function
//! (`Event::func`), each judged the same way; one that still fails stays as micro-steps, with the
//! step that does not commute named. Candidates are taken in the order of their first step, and
//! each is judged on the schedule with the earlier collapsed ones already moved: the story's
//! order ([`Story::schedule`]) is itself a run equivalent to the original in both senses.

use super::trace::Trace;
use crate::exec::{self, Action};
use crate::explore::independence::independent;
use crate::explore::{Schedule, Session};
use crate::machine::Machine;
use crate::sim::Sim;
use serde::{Deserialize, Serialize};

/// Why a macro step is shown as micro-steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kept {
    /// It is collapsed (not kept).
    Collapsed,
    /// A single step.
    Single,
    /// One side of a deciding race, or a step where a violation became true.
    Pinned,
    /// Its step `step` (1-based, of the run) does not commute with step `with` of another thread
    /// that ran between its steps, or the moved run judged differently.
    Conflict {
        /// The candidate's step.
        step: usize,
        /// The other thread's step (0 when the replay, not a pair, differed).
        with: usize,
    },
}

/// One line of the story.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MacroStep {
    /// The thread (lane).
    pub thread: usize,
    /// The kernel functions or hardware units of its steps, in order, each once:
    /// "avic_vcpu_put → avic_update_iommu_vcpu_affinity".
    pub title: String,
    /// Its steps, 1-based numbers of the original run, in order.
    pub steps: Vec<usize>,
    /// Shown as one line.
    pub collapsed: bool,
    /// Why not, when not.
    pub kept: Kept,
    /// One line: "2 steps: read entry; lock ir_list_lock".
    pub summary: String,
}

impl MacroStep {
    /// "2–3" or "4": its step numbers.
    pub fn range(&self) -> String {
        match (self.steps.first(), self.steps.last()) {
            (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
            (Some(a), _) => a.to_string(),
            _ => String::new(),
        }
    }
}

/// A run as macro steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Story {
    /// The lines, in the story's order.
    pub steps: Vec<MacroStep>,
    /// The run in the story's order (the collapsed steps together): equivalent to the original.
    pub schedule: String,
    /// The original run's step numbers (1-based) in the story's order.
    pub order: Vec<usize>,
    /// Micro-steps of the run.
    pub micro: usize,
}

impl Story {
    /// Lines on screen with every collapsed group one line and every other group its steps.
    pub fn lines(&self) -> usize {
        self.steps
            .iter()
            .map(|g| if g.collapsed { 1 } else { g.steps.len() })
            .sum()
    }
}

/// The story of `s`'s whole recorded run, its deciding races worked out here (one per violation,
/// as the timeline draws them).
pub fn story_of_session(s: &Session) -> Story {
    let trace = Trace::from_session(s, s.len());
    let mut full = s.clone();
    full.goto(full.len());
    let pairs: Vec<(usize, usize)> = full
        .violations()
        .iter()
        .filter_map(|v| {
            super::race::deciding_races(s.sim(), &trace, v)
                .into_iter()
                .next()
        })
        .map(|r| (r.first, r.second))
        .collect();
    story(s.sim(), &trace, &pairs)
}

/// The violations of a replayed run, as (kind, explanation), sorted; and its final state.
fn judged(sim: &Sim, actions: &[Action]) -> Option<(Vec<(String, String)>, Machine)> {
    let s = Session::replay(sim, &Schedule(actions.to_vec()).to_string()).ok()?;
    let mut v: Vec<(String, String)> = s
        .violations()
        .into_iter()
        .map(|v| (v.kind.to_string(), v.explanation))
        .collect();
    v.sort();
    Some((v, s.state().clone()))
}

/// The story of `trace` given the deciding race pairs `(first, second)` (1-based steps).
pub fn story(sim: &Sim, trace: &Trace, deciding: &[(usize, usize)]) -> Story {
    let n = trace.len();
    let mut pinned = vec![false; n + 1];
    for &(a, b) in deciding {
        for k in [a, b] {
            if (1..=n).contains(&k) {
                pinned[k] = true;
            }
        }
    }
    let mut s = Session::new(sim);
    for (k, &a) in trace.actions.iter().enumerate() {
        if s.step(a).is_err() {
            break;
        }
        if !s.records()[k].violations.is_empty() {
            pinned[k + 1] = true;
        }
    }
    let base = judged(sim, &trace.actions);
    let mut mover = Mover {
        sim,
        trace,
        order: (1..=n).collect(),
        states: trace.states.clone(),
        base,
    };
    let mut out: Vec<MacroStep> = Vec::new();
    for op in operation_calls(trace) {
        for piece in split_at(&op, &pinned) {
            if piece.len() == 1 {
                let kept = if pinned[piece[0]] {
                    Kept::Pinned
                } else {
                    Kept::Single
                };
                out.push(line(trace, piece, false, kept));
                continue;
            }
            match mover.try_move(&piece) {
                Ok(()) => out.push(line(trace, piece, true, Kept::Collapsed)),
                Err(_) => {
                    for run in function_runs(trace, &piece) {
                        let done = if run.len() == 1 {
                            Err(Kept::Single)
                        } else {
                            mover.try_move(&run)
                        };
                        match done {
                            Ok(()) => out.push(line(trace, run, true, Kept::Collapsed)),
                            Err(k) => out.push(line(trace, run, false, k)),
                        }
                    }
                }
            }
        }
    }
    let at = |g: &MacroStep| mover.order.iter().position(|&k| k == g.steps[0]);
    out.sort_by_key(|g| at(g));
    let actions: Vec<Action> = mover.order.iter().map(|&k| trace.actions[k - 1]).collect();
    Story {
        steps: out,
        schedule: Schedule(actions).to_string(),
        order: mover.order,
        micro: n,
    }
}

/// The run's operation calls: per thread, its steps from one operation's start to the next, in
/// the order of their first step; each flush alone.
fn operation_calls(trace: &Trace) -> Vec<Vec<usize>> {
    let mut calls: Vec<Vec<usize>> = Vec::new();
    let mut open: Vec<(usize, usize, usize)> = Vec::new(); // (thread, op start, index in calls)
    for k in 1..=trace.len() {
        if matches!(trace.actions[k - 1], Action::Flush(_)) {
            calls.push(vec![k]);
            continue;
        }
        let (t, start) = (trace.thread(k), trace.op_start(k));
        match open.iter().find(|o| o.0 == t && o.1 == start) {
            Some(&(_, _, i)) => calls[i].push(k),
            None => {
                open.retain(|o| o.0 != t);
                open.push((t, start, calls.len()));
                calls.push(vec![k]);
            }
        }
    }
    calls
}

/// `steps` cut at its pinned steps: each pinned step alone, the pieces between in order.
fn split_at(steps: &[usize], pinned: &[bool]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut cur = Vec::new();
    for &k in steps {
        if pinned[k] {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.push(vec![k]);
        } else {
            cur.push(k);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `steps` cut into runs of one kernel function.
fn function_runs(trace: &Trace, steps: &[usize]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for &k in steps {
        let func = &trace.events[k - 1].func;
        match out.last_mut() {
            Some(run) if trace.events[run[0] - 1].func == *func => run.push(k),
            _ => out.push(vec![k]),
        }
    }
    out
}

fn line(trace: &Trace, steps: Vec<usize>, collapsed: bool, kept: Kept) -> MacroStep {
    let mut funcs: Vec<&str> = Vec::new();
    for &k in &steps {
        let f = trace.events[k - 1].func.as_str();
        if !funcs.contains(&f) {
            funcs.push(f);
        }
    }
    let labels: Vec<&str> = steps
        .iter()
        .map(|&k| trace.events[k - 1].label.as_str())
        .collect();
    let summary = if steps.len() == 1 {
        labels[0].to_string()
    } else {
        format!("{} steps: {}", steps.len(), labels.join("; "))
    };
    MacroStep {
        thread: trace.thread(steps[0]),
        title: funcs.join(" → "),
        steps,
        collapsed,
        kept,
        summary,
    }
}

/// The run in its current order and the state before each position, moving groups together.
struct Mover<'a> {
    sim: &'a Sim,
    trace: &'a Trace,
    /// Step numbers (of the original run) in the current order.
    order: Vec<usize>,
    /// `states[p]`: the state after the first `p` steps of `order`.
    states: Vec<Machine>,
    /// The original run's judgement.
    base: Option<(Vec<(String, String)>, Machine)>,
}

impl Mover<'_> {
    /// Move `group`'s steps together to where its first stands, by independent adjacent swaps,
    /// and keep the move when the replay judges the same; else leave the order as it was.
    fn try_move(&mut self, group: &[usize]) -> Result<(), Kept> {
        let (order, states) = (self.order.clone(), self.states.clone());
        let r = self
            .swap_together(group)
            .and_then(|()| self.same_judgement(group));
        if r.is_err() {
            self.order = order;
            self.states = states;
        }
        r
    }

    fn action(&self, p: usize) -> Action {
        self.trace.actions[self.order[p] - 1]
    }

    fn swap_together(&mut self, group: &[usize]) -> Result<(), Kept> {
        let pos = |o: &[usize], k: usize| o.iter().position(|&x| x == k).expect("a step");
        let first = pos(&self.order, group[0]);
        for (i, &g) in group.iter().enumerate().skip(1) {
            let mut p = pos(&self.order, g);
            while p > first + i {
                let (a, b) = (self.action(p - 1), self.action(p));
                let m = &self.states[p - 1];
                if !exec::is_enabled(self.sim, m, b) || !independent(self.sim, m, a, b) {
                    return Err(Kept::Conflict {
                        step: g,
                        with: self.order[p - 1],
                    });
                }
                self.order.swap(p - 1, p);
                let mut after = m.clone();
                exec::step(self.sim, &mut after, b).map_err(|_| Kept::Conflict {
                    step: g,
                    with: self.order[p],
                })?;
                self.states[p] = after;
                p -= 1;
            }
        }
        Ok(())
    }

    fn same_judgement(&self, group: &[usize]) -> Result<(), Kept> {
        let actions: Vec<Action> = (0..self.order.len()).map(|p| self.action(p)).collect();
        let now = judged(self.sim, &actions);
        if now.is_some() && now == self.base {
            Ok(())
        } else {
            Err(Kept::Conflict {
                step: group[0],
                with: 0,
            })
        }
    }
}

#[cfg(test)]
#[path = "zoom_tests.rs"]
mod tests;
