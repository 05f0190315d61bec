//! Running B's thread towards A's step, alone on a copy of B's machine: what it meets on the way
//! (extra steps, a drain, a lock, sleep) and whether it gets there.

use super::Reason;
use crate::exec::{self, Action, Wait};
use crate::explore::Session;
use crate::machine::Machine;
use crate::sim::Sim;
use std::collections::HashMap;

/// How often each label ran in a thread's current program instance (since it last started a
/// program at its first step).
pub(super) type Counts = HashMap<String, usize>;

/// Most steps B's thread may run on the way to one matched step.
const LOOKAHEAD: usize = 64;

/// The step of A that B's thread is asked to run: operation, forced exit, label, and which
/// occurrence of that label in the operation (a label may come twice: the entry write of a put
/// and of the load after it).
#[derive(Clone, Debug)]
pub(super) struct Target {
    pub thread: usize,
    pub op: u8,
    pub forced: bool,
    pub label: String,
    pub nth: usize,
}

/// Count a step of thread `t` about to run in `m` with this label.
pub(super) fn count(counts: &mut Counts, m: &Machine, t: usize, label: &str) {
    if m.threads[t].pc == 0 {
        counts.clear();
    }
    *counts.entry(label.to_string()).or_default() += 1;
}

/// What running B's thread towards a target found.
pub(super) enum Look {
    /// The actions on the way, the target's own step last.
    Reached(Vec<Action>),
    /// The actions on the way, then the thread must wait.
    Blocked(Vec<Action>, Wait),
    /// It cannot get there.
    Missed(Reason, String),
}

/// The operation thread `t` is in (or starts next) and whether it is the forced exit.
pub(super) fn position(sim: &Sim, m: &Machine, t: usize) -> Option<(u8, bool, u8)> {
    let (_, forced) = sim.current(m, t)?;
    let ts = &m.threads[t];
    Some((ts.op, forced, ts.pc))
}

/// The targets of A's steps (`None` for flushes), each with its occurrence number.
pub(super) fn targets(a: &Session) -> Vec<Option<Target>> {
    let sim = a.sim();
    let mut counts: Vec<Counts> = vec![Counts::new(); sim.threads.len()];
    let mut out = Vec::new();
    for (i, rec) in a.all_records().iter().enumerate() {
        let Action::Step(t) = rec.event.action else {
            out.push(None);
            continue;
        };
        let (t, m) = (t as usize, a.state_at(i));
        let (op, forced, _) = position(sim, m, t).expect("a step that ran had a program");
        count(&mut counts[t], m, t, &rec.event.label);
        out.push(Some(Target {
            thread: t,
            op,
            forced,
            label: rec.event.label.clone(),
            nth: counts[t][&rec.event.label] - 1,
        }));
    }
    out
}

/// Why a thread waits, in words.
pub(super) fn wait_text(sim: &Sim, w: Wait) -> (Reason, String) {
    match w {
        Wait::Finished => (
            Reason::Finished,
            "in B this thread has finished its script".into(),
        ),
        Wait::Idle => (
            Reason::Idle,
            "in B the GA log is empty: nothing to handle".into(),
        ),
        Wait::Asleep(v) => (
            Reason::Asleep,
            format!("in B vCPU{v} is asleep in schedule(): nothing has woken it"),
        ),
        Wait::Lock(l, Some(h)) => (
            Reason::LockHeld,
            format!(
                "in B it waits for {}, held by {}",
                l.describe(),
                sim.thread_name(h as usize)
            ),
        ),
        Wait::Lock(l, None) => (
            Reason::LockHeld,
            format!("in B it waits for {}", l.describe()),
        ),
        Wait::Drain => (
            Reason::Drain,
            "its next step drains the store buffer first".into(),
        ),
    }
}

/// Run B's thread alone (on a copy) towards `target`.
pub(super) fn look(sim: &Sim, m: &Machine, counts: &Counts, target: &Target) -> Look {
    let t = target.thread;
    let daemon = sim.threads[t].is_daemon();
    let mut m = m.clone();
    let mut counts = counts.clone();
    let mut path = Vec::new();
    for _ in 0..LOOKAHEAD {
        let Some((op, forced, pc)) = position(sim, &m, t) else {
            let (r, text) = wait_text(sim, exec::waits_for(sim, &m, t).unwrap_or(Wait::Finished));
            return Look::Missed(r, text);
        };
        if daemon && pc == 0 && !path.is_empty() {
            return Look::Missed(
                Reason::NotReached,
                "in B the GA-log handler finished its pass without this step".into(),
            );
        }
        if op > target.op {
            return Look::Missed(
                Reason::Past,
                "in B this thread is already past this operation".into(),
            );
        }
        if target.forced && !forced && op == target.op {
            return Look::Missed(
                Reason::NotReached,
                "in B this vCPU is not forced out of the guest here".into(),
            );
        }
        let (prog, _) = sim.current(&m, t).expect("position has a program");
        let here = op == target.op && forced == target.forced;
        let done = if pc == 0 {
            0
        } else {
            counts.get(&target.label).copied().unwrap_or(0)
        };
        if here && done > target.nth {
            return Look::Missed(
                Reason::Past,
                "in B this thread ran this step already, earlier in its code".into(),
            );
        }
        if here && !reachable(prog, pc as usize, &target.label) {
            let (reason, text) = if prog.steps.iter().any(|s| s.label == target.label) {
                if path.is_empty() {
                    (
                        Reason::Past,
                        "in B this thread ran this step already, earlier in its code",
                    )
                } else {
                    (
                        Reason::NotReached,
                        "in B a branch takes this thread past this step",
                    )
                }
            } else {
                (
                    Reason::NoSuchStep,
                    "B's code has no such step in this operation",
                )
            };
            return Look::Missed(reason, text.into());
        }
        let label = &prog.steps[pc as usize].label;
        let is_target = here && *label == target.label && done == target.nth;
        match exec::waits_for(sim, &m, t) {
            Some(Wait::Drain) => {
                path.push(Action::Flush(t as u8));
                exec::step(sim, &mut m, Action::Flush(t as u8)).expect("a drain can run");
                continue;
            }
            Some(w @ (Wait::Lock(..) | Wait::Asleep(_))) => return Look::Blocked(path, w),
            Some(w) => {
                let (r, text) = wait_text(sim, w);
                return Look::Missed(r, text);
            }
            None => {}
        }
        path.push(Action::Step(t as u8));
        if is_target {
            return Look::Reached(path);
        }
        count(&mut counts, &m, t, &label.clone());
        exec::step(sim, &mut m, Action::Step(t as u8)).expect("an enabled step runs");
    }
    Look::Missed(
        Reason::NotReached,
        format!(
            "B's thread does not reach '{}' within {LOOKAHEAD} steps",
            target.label
        ),
    )
}

/// Whether a step labelled `label` can still run in `prog` from step `pc` (following its
/// unconditional and conditional successors).
fn reachable(prog: &crate::program::Program, pc: usize, label: &str) -> bool {
    let n = prog.steps.len();
    let mut seen = vec![false; n];
    let mut todo = vec![pc];
    while let Some(i) = todo.pop() {
        if i >= n || seen[i] {
            continue;
        }
        seen[i] = true;
        let st = &prog.steps[i];
        if st.label == label {
            return true;
        }
        todo.push(st.next.unwrap_or(i + 1));
        todo.extend(st.jump);
    }
    false
}
