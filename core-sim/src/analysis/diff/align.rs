//! The alignment engine: drive world B along A's recorded run by the rules in the module doc
//! (match, blocked and deferred, missed; then the lock holder, then completion).

use super::compare::compare;
use super::look::{count, look, targets, wait_text, Counts, Look, Target};
use super::{Note, Reason};
use crate::exec::{self, Action, Wait};
use crate::explore::Session;
use crate::sim::Sim;
use std::collections::VecDeque;

/// A row before its cells are filled in: indices into A's and B's records.
#[derive(Clone, Debug)]
pub(super) struct Raw {
    pub a: Option<usize>,
    pub b: Option<usize>,
    pub note: Option<Note>,
}

/// B's aligned run and the rows.
pub(super) struct Aligned {
    pub session: Session,
    pub rows: Vec<Raw>,
}

fn note(reason: Reason, text: impl Into<String>) -> Option<Note> {
    Some(Note {
        reason,
        text: text.into(),
    })
}

struct Engine<'a> {
    a: &'a Session,
    b: Session,
    rows: Vec<Raw>,
    /// A's steps waiting in B, oldest first, with the thread they belong to.
    deferred: VecDeque<(usize, Target)>,
    /// Label counts of B's threads.
    counts: Vec<Counts>,
    /// A's targets.
    targets: Vec<Option<Target>>,
    budget: usize,
}

impl Engine<'_> {
    fn run_b(&mut self, act: Action) -> usize {
        self.budget = self.budget.saturating_sub(1);
        let m = self.b.state().clone();
        let ev = self
            .b
            .step(act)
            .expect("the engine runs only enabled actions");
        if let Action::Step(t) = act {
            let label = ev.label.clone();
            count(&mut self.counts[t as usize], &m, t as usize, &label);
        }
        self.b.len() - 1
    }

    /// Run the actions on the way to a target (all but the last) as rows of B only.
    fn run_path(&mut self, path: &[Action]) {
        for &act in path {
            let reason = if matches!(act, Action::Flush(_)) {
                Reason::Drain
            } else {
                Reason::Extra
            };
            let text = match reason {
                Reason::Drain => "B drains the store buffer, as its next step requires",
                _ => "B's code has this step; A's does not, here",
            };
            let b = self.run_b(act);
            self.rows.push(Raw {
                a: None,
                b: Some(b),
                note: note(reason, text),
            });
        }
    }

    /// Try A's step `i` in B. `retry`: it was deferred before. Returns whether it is settled
    /// (ran, or cannot run); `false` leaves it deferred.
    fn attempt(&mut self, i: usize, target: &Target, retry: bool) -> bool {
        let sim = self.b.sim().clone();
        let counts = &self.counts[target.thread];
        match look(&sim, self.b.state(), counts, target) {
            Look::Reached(path) => {
                let (last, before) = path.split_last().expect("a reached path has the step");
                self.run_path(before);
                let m_b = self.b.state().clone();
                let b = self.run_b(*last);
                let note = if retry {
                    note(
                        Reason::Deferred,
                        format!("A's step {} runs here in B, later than in A", i + 1),
                    )
                } else {
                    compare(self.a, i, &self.b, b, &m_b)
                };
                self.rows.push(Raw {
                    a: (!retry).then_some(i),
                    b: Some(b),
                    note,
                });
                true
            }
            Look::Blocked(path, w) => {
                self.run_path(&path);
                if !retry {
                    let (reason, text) = wait_text(&sim, w);
                    self.rows.push(Raw {
                        a: Some(i),
                        b: None,
                        note: note(reason, format!("{text}: this step waits in B")),
                    });
                }
                false
            }
            Look::Missed(reason, mut text) => {
                if reason == Reason::Past {
                    let t = target.thread;
                    let ran = self.b.all_records().iter().rposition(|r| {
                        r.event.action == Action::Step(t as u8) && r.event.label == target.label
                    });
                    if let Some(j) = ran {
                        text = format!("{text} (B's step {})", j + 1);
                    }
                }
                self.rows.push(Raw {
                    a: (!retry).then_some(i),
                    b: None,
                    note: note(
                        if retry { Reason::NeverRan } else { reason },
                        if retry {
                            format!("A's step {} never runs in B: {text}", i + 1)
                        } else {
                            text
                        },
                    ),
                });
                true
            }
        }
    }

    /// Retry deferred steps, oldest first per thread, until none makes progress.
    fn retry(&mut self) {
        loop {
            let mut progressed = false;
            let mut blocked: Vec<usize> = Vec::new();
            let mut k = 0;
            while k < self.deferred.len() && self.budget > 0 {
                let (i, target) = self.deferred[k].clone();
                if blocked.contains(&target.thread) {
                    k += 1;
                    continue;
                }
                if self.attempt(i, &target, true) {
                    self.deferred.remove(k);
                    progressed = true;
                } else {
                    blocked.push(target.thread);
                    k += 1;
                }
            }
            if !progressed || self.deferred.is_empty() {
                return;
            }
        }
    }

    fn step_a(&mut self, i: usize) {
        let act = self.a.all_records()[i].event.action;
        let Some(target) = self.targets[i].clone() else {
            // A store-buffer flush: flush the same thread's buffer in B if it has one.
            let t = act.thread();
            let row = if exec::is_enabled(self.b.sim(), self.b.state(), act) {
                let b = self.run_b(act);
                let (la, lb) = (
                    &self.a.all_records()[i].event.label,
                    &self.b.all_records()[b].event.label,
                );
                let n = (la != lb).then(|| Note {
                    reason: Reason::Outcome,
                    text: format!("B flushes another store: {lb}"),
                });
                Raw {
                    a: Some(i),
                    b: Some(b),
                    note: n,
                }
            } else {
                let text = format!(
                    "in B {} has nothing in its store buffer",
                    self.b.sim().thread_name(t)
                );
                Raw {
                    a: Some(i),
                    b: None,
                    note: note(Reason::NothingBuffered, text),
                }
            };
            self.rows.push(row);
            return;
        };
        if let Some((j, _)) = self
            .deferred
            .iter()
            .find(|(_, d)| d.thread == target.thread)
        {
            let text = format!("waits in B behind this thread's step {}", j + 1);
            self.rows.push(Raw {
                a: Some(i),
                b: None,
                note: note(Reason::Queued, text),
            });
            self.deferred.push_back((i, target));
            return;
        }
        if !self.attempt(i, &target, false) {
            self.deferred.push_back((i, target));
        }
    }

    /// One step of B by the end rules: the holder of the lock the oldest deferred step waits
    /// for, else the lowest-numbered thread that can run. False when nothing can run.
    fn step_b_by_rule(&mut self, reason: Reason) -> bool {
        let sim = self.b.sim().clone();
        let m = self.b.state();
        let holder =
            self.deferred
                .front()
                .and_then(|(_, t)| match exec::waits_for(&sim, m, t.thread) {
                    Some(Wait::Lock(_, Some(h))) => Some(Action::Step(h)),
                    _ => None,
                });
        let act = holder
            .filter(|a| exec::is_enabled(&sim, m, *a))
            .or_else(|| exec::enabled(&sim, m).into_iter().next());
        let Some(act) = act else { return false };
        let text = match (holder == Some(act), reason) {
            (true, _) => format!(
                "A's schedule is used up: B runs {}, which holds the lock a deferred step waits for",
                sim.thread_name(act.thread())
            ),
            (false, Reason::Completion) => {
                "A's run ended in a final state: B completes its run, lowest thread first".into()
            }
            _ => "A's schedule is used up: B runs the lowest thread that can run".into(),
        };
        let reason = if holder == Some(act) {
            Reason::Holder
        } else {
            reason
        };
        let b = self.run_b(act);
        self.rows.push(Raw {
            a: None,
            b: Some(b),
            note: note(reason, text),
        });
        true
    }
}

/// Drive B (`b`, the same scenario) along A's run.
pub(super) fn align(a: &Session, b: &Sim) -> Aligned {
    let mut e = Engine {
        a,
        b: Session::new(b),
        rows: Vec::new(),
        deferred: VecDeque::new(),
        counts: vec![Counts::new(); b.threads.len()],
        targets: targets(a),
        budget: 4 * a.len() + 1024,
    };
    for i in 0..a.len() {
        if e.budget == 0 {
            break;
        }
        e.step_a(i);
        e.retry();
    }
    while !e.deferred.is_empty() && e.budget > 0 {
        if !e.step_b_by_rule(Reason::Lowest) {
            break;
        }
        e.retry();
    }
    for (i, _) in std::mem::take(&mut e.deferred) {
        e.rows.push(Raw {
            a: None,
            b: None,
            note: note(
                Reason::NeverRan,
                format!(
                    "A's step {} never runs in B: nothing can run any more",
                    i + 1
                ),
            ),
        });
    }
    if a.is_terminal() {
        while e.budget > 0 && e.step_b_by_rule(Reason::Completion) {}
    }
    Aligned {
        session: e.b,
        rows: e.rows,
    }
}
