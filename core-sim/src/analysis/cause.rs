//! Cause and effect: for each violation, the step that made the oracle's rule true and the
//! step(s) that wrote the values it acted on, beside the step where the oracle saw it.
//!
//! Derived from the model, not from a table per scenario. Each oracle's rule has a *witness*, the
//! part of it that a single step can make true, read on states:
//! - stale IRTE: IRTE `i` on vCPU `v`'s ir_list disagrees with `v`'s entry
//!   ([`oracle::irte_mismatch`], the rule without its "nothing in flight" guard, so it becomes true
//!   at the write, not at the unlock that ends the operation);
//! - lost wake-up: `v` asleep with a vector in its IRR, no GA-log entry or request for it, and no
//!   interrupt or GA-log handler half way through delivering one;
//! - a thread stuck for ever (deadlock at the end): it has not finished and cannot run.
//!
//! The step that made the witness true is the first of the stretch of states, ending at the
//! detection, where it holds. Violations judged from one step's facts (a doorbell to the wrong
//! pCPU, a torn read, a mixed IRTE publish, a lock-order cycle) are made true by that step.
//! Then, backwards over the run's accesses ([`Trace::last_writer`]): the steps of other threads
//! that last wrote the memory that step read (the IRTE a doorbell followed, the copy a publish
//! carried; for a step that touches no memory, such as AVIC's doorbell, what its operation read
//! before it), and for a stale IRTE the step that wrote the IRTE's stale value.

use super::trace::{is_memory, res_name, Trace};
use crate::exec::{self, Action};
use crate::explore::independence::Res;
use crate::explore::Session;
use crate::machine::{Machine, RunState};
use crate::oracle::{self, Violation, ViolationKind};
use crate::program::Actor;
use crate::sim::Sim;
use serde::{Deserialize, Serialize};

/// What a step did for a violation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// It made the oracle's rule true.
    MadeTrue,
    /// It wrote a value the step that made it true acted on (or, for a stale IRTE, the stale value).
    WroteValue,
}

impl Role {
    /// A short label ("cause", "wrote the value") for legends and lists.
    pub fn label(self) -> &'static str {
        match self {
            Role::MadeTrue => "cause",
            Role::WroteValue => "wrote the value",
        }
    }
}

/// One step named as a cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CauseStep {
    /// 1-based step number (0: the initial state already had it).
    pub step: usize,
    /// What it did.
    pub role: Role,
    /// The step in words: who, which line, and what it did.
    pub text: String,
}

/// Why one violation happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    /// The violation's kind.
    pub kind: ViolationKind,
    /// Where the oracle saw it (the violation's step).
    pub detected: usize,
    /// The causes, the step that made it true first, then the writers of what it read.
    pub steps: Vec<CauseStep>,
}

impl Cause {
    /// The step that made the rule true.
    pub fn made_true(&self) -> usize {
        self.steps.first().map_or(self.detected, |c| c.step)
    }

    /// Every cause step in order, for lists and marks.
    pub fn step_numbers(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.steps.iter().map(|c| c.step).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// "Cause: step 17 …; the oracle saw it at step 21."
    pub fn summary(&self) -> String {
        let mut out = String::from("Cause: ");
        for (n, c) in self.steps.iter().enumerate() {
            if n > 0 {
                out.push_str("; ");
            }
            out.push_str(&c.text);
        }
        if self.made_true() == self.detected {
            out.push_str(". The oracle saw it at that step.");
        } else {
            out.push_str(&format!(". The oracle saw it at step {}.", self.detected));
        }
        out
    }
}

/// The witness a violation's rule is made true by, with what it is about.
enum Witness {
    /// IRTE `i` on vCPU `v`'s list disagrees with its entry.
    Stale { v: u8, i: u8 },
    /// vCPU `v` asleep with a vector nobody will deliver.
    Asleep(u8),
    /// Thread `t` cannot run and has not finished.
    Stuck(usize),
    /// Made true by the facts of the detecting step.
    Facts,
}

fn witness(sim: &Sim, m: &Machine, v: &Violation) -> Witness {
    match v.kind {
        ViolationKind::StaleIrte => (0..m.vcpus.len() as u8)
            .filter(|&c| !oracle::in_flight(sim, m, c))
            .find_map(|c| {
                (0..m.irtes.len() as u8)
                    .find(|&i| oracle::irte_mismatch(sim, m, c, i).is_some())
                    .map(|i| Witness::Stale { v: c, i })
            })
            .unwrap_or(Witness::Facts),
        ViolationKind::LostWakeup => (0..m.vcpus.len() as u8)
            .find(|c| v.explanation.starts_with(&format!("HANG: vCPU{c} ")))
            .map_or(Witness::Facts, Witness::Asleep),
        ViolationKind::Deadlock if v.explanation.starts_with("HANG: ") => (0..sim.threads.len())
            .find(|&t| {
                v.explanation
                    .starts_with(&format!("HANG: {} can never", sim.thread_name(t)))
            })
            .map_or(Witness::Facts, Witness::Stuck),
        _ => Witness::Facts,
    }
}

fn holds(sim: &Sim, m: &Machine, w: &Witness) -> bool {
    match *w {
        Witness::Stale { v, i } => oracle::irte_mismatch(sim, m, v, i).is_some(),
        Witness::Asleep(v) => {
            let vc = &m.vcpus[v as usize];
            let delivering = sim.threads.iter().enumerate().any(|(t, th)| {
                matches!(th.actor, Actor::Device | Actor::Avic | Actor::GaLog)
                    && m.threads[t].pc != 0
            });
            vc.run == RunState::Sleeping
                && vc.irr != 0
                && !vc.request
                && !m.ga_log.contains(&v)
                && !delivering
        }
        Witness::Stuck(t) => {
            !sim.finished(m, t)
                && exec::next_step(sim, m, t).is_none()
                && {
                    !matches!(sim.threads[t].actor, Actor::Vcpu(v) if m.vcpus[v as usize].run == RunState::Sleeping)
                }
        }
        Witness::Facts => false,
    }
}

fn step_text(sim: &Sim, trace: &Trace, n: usize) -> String {
    let e = &trace.events[n - 1];
    match trace.actions[n - 1] {
        Action::Flush(_) => format!("step {n}, {}", e.label),
        Action::Step(_) => format!("step {n}, {}", trace.who(sim, n)),
    }
}

/// Why `v` happened, on the run `trace` (which reaches `v.step`).
pub fn cause(sim: &Sim, trace: &Trace, v: &Violation) -> Cause {
    let detected = v.step.min(trace.len());
    let w = witness(sim, &trace.states[detected], v);
    let mut made = detected;
    if holds(sim, &trace.states[detected], &w) {
        while made > 0 && holds(sim, &trace.states[made - 1], &w) {
            made -= 1;
        }
    }
    let mut out = Cause {
        kind: v.kind,
        detected,
        steps: Vec::new(),
    };
    if made == 0 {
        out.steps.push(CauseStep {
            step: 0,
            role: Role::MadeTrue,
            text: "the initial state already had it".into(),
        });
        return out;
    }
    out.steps.push(CauseStep {
        step: made,
        role: Role::MadeTrue,
        text: {
            let e = &trace.events[made - 1];
            let notes: Vec<String> = e
                .facts
                .iter()
                .filter_map(|f| f.describe(e.action.thread(), sim))
                .collect();
            if notes.is_empty() {
                format!("{} made it true", step_text(sim, trace, made))
            } else {
                format!(
                    "{} made it true ({})",
                    step_text(sim, trace, made),
                    notes.join("; ")
                )
            }
        },
    });
    let mut writers: Vec<(usize, Res)> = Vec::new();
    let t = trace.thread(made);
    let reads = |k: usize| -> Vec<Res> {
        trace.accesses[k - 1]
            .iter()
            .filter(|&&(res, write)| !write && is_memory(res))
            .map(|&(res, _)| res)
            .collect()
    };
    // What the step itself read; if it touched no memory at all (it acts on a value read
    // earlier, as AVIC's doorbell does), what its operation read before it.
    let mut readers = vec![made];
    if !trace.accesses[made - 1]
        .iter()
        .any(|&(res, _)| is_memory(res))
    {
        readers = (trace.op_start(made)..made)
            .filter(|&k| trace.thread(k) == t)
            .collect();
    }
    for k in readers {
        for res in reads(k) {
            if let Some(wr) = trace.last_writer(k, res, t) {
                writers.push((wr, res));
            }
        }
    }
    if let Witness::Stale { i, .. } = w {
        let irte = Res::Irte(i);
        if let Some(wr) = (1..=detected).rev().find(|&k| trace.writes(k, irte)) {
            writers.push((wr, irte));
        }
    }
    writers.sort_unstable_by_key(|&(k, _)| std::cmp::Reverse(k));
    for (k, res) in writers {
        if k == made || out.steps.iter().any(|c| c.step == k) {
            continue;
        }
        out.steps.push(CauseStep {
            step: k,
            role: Role::WroteValue,
            text: format!("{} wrote {}", step_text(sim, trace, k), res_name(sim, res)),
        });
    }
    out
}

/// The cause of every violation of a session's run up to its current position (and of those
/// judged at its end), in the order of [`Session::violations`].
pub fn causes(s: &Session) -> Vec<Cause> {
    let trace = Trace::from_session(s, s.position());
    s.violations()
        .iter()
        .map(|v| cause(s.sim(), &trace, v))
        .collect()
}

#[cfg(test)]
#[path = "cause_tests.rs"]
mod tests;
