//! `step(state, action) -> event`: the only place the machine changes.
//!
//! `fact` the facts an event reports, `effects` the effects steps share, `route` where a device
//! interrupt goes, `run` each kind of step;
//! this file holds the actions and the step function that drives them.

mod effects;
mod fact;
mod route;
mod run;

use self::effects::*;
pub use self::fact::Fact;
pub use self::route::{doorbell_taker, Delivery};
use self::run::*;
use crate::machine::memory::{self, Buffered, Loc};
use crate::machine::{entry, lock_order_path, Irte, LockClass, LockId, Machine, Regs, RunState};
use crate::program::{Effect, IrteRef, LockRef, Part, Step, StepKind, VRef};
use crate::scenario::IPI_VECTOR;
use crate::sim::Sim;
use crate::strategy::MemoryModel;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the scheduler may choose: a thread's next micro-step, or committing the oldest store in a
/// thread's store buffer (x86-TSO only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Action {
    /// Run thread `n`'s next micro-step.
    Step(u8),
    /// Commit the oldest store of thread `n`'s store buffer to memory.
    Flush(u8),
}

impl Action {
    /// The thread it belongs to.
    pub fn thread(self) -> usize {
        match self {
            Action::Step(t) | Action::Flush(t) => t as usize,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Step(t) => write!(f, "T{t}"),
            Action::Flush(t) => write!(f, "flush T{t}"),
        }
    }
}

/// The record of one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// What was chosen.
    pub action: Action,
    /// Title of the operation the step belongs to.
    pub op: String,
    /// Step label.
    pub label: String,
    /// Its pseudo-code line.
    pub code: String,
    /// The kernel function or hardware unit.
    pub func: String,
    /// What happened.
    pub facts: Vec<Fact>,
}

/// Why an action could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    /// Not among the enabled actions.
    #[error("{0} cannot run now (finished, asleep, waiting for a lock, or nothing to flush)")]
    NotEnabled(Action),
    /// The thread id does not exist.
    #[error("there is no thread {0}")]
    NoThread(u8),
}

/// The step thread `t` would run next, if it is enabled.
pub fn next_step<'a>(sim: &'a Sim, m: &Machine, t: usize) -> Option<&'a Step> {
    let (prog, _) = sim.current(m, t)?;
    let ts = &m.threads[t];
    let step = prog.steps.get(ts.pc as usize)?;
    if let crate::program::Actor::Vcpu(v) = sim.threads[t].actor {
        if m.vcpus[v as usize].run == RunState::Sleeping {
            return None;
        }
    }
    let drained = ts.buffer.is_empty();
    // Locked instructions, fences, lock operations, VMRUN (serialising) and set_current_state()
    // (smp_store_mb) wait for the store buffer to drain.
    let ok = match step.kind {
        StepKind::Lock(r) => match resolve_lock(m, &ts.regs, r) {
            Some(l) => drained && m.holder(l).is_none(),
            None => true,
        },
        StepKind::Unlock(_)
        | StepKind::Mb
        | StepKind::PublishIrte(_)
        | StepKind::Kick(_)
        | StepKind::VmRun(_)
        | StepKind::SetWaiting(_) => drained,
        _ => true,
    };
    ok.then_some(step)
}

/// Why a thread cannot run its next step now (see [`waits_for`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Wait {
    /// Its script is done.
    Finished,
    /// A daemon with nothing to do (the GA-log handler with an empty log).
    Idle,
    /// Its vCPU sleeps in `schedule()`.
    Asleep(u8),
    /// The lock its next step takes is held (by that thread).
    Lock(LockId, Option<u8>),
    /// Its next step drains the store buffer first, and the buffer is not empty.
    Drain,
}

/// Why thread `t`'s next step cannot run, or `None` when it can: the same rules as
/// [`next_step`], named.
pub fn waits_for(sim: &Sim, m: &Machine, t: usize) -> Option<Wait> {
    if next_step(sim, m, t).is_some() {
        return None;
    }
    let Some((prog, _)) = sim.current(m, t) else {
        return Some(if sim.threads[t].is_daemon() {
            Wait::Idle
        } else {
            Wait::Finished
        });
    };
    if let crate::program::Actor::Vcpu(v) = sim.threads[t].actor {
        if m.vcpus[v as usize].run == RunState::Sleeping {
            return Some(Wait::Asleep(v));
        }
    }
    let ts = &m.threads[t];
    let step = prog.steps.get(ts.pc as usize)?;
    match step.kind {
        StepKind::Lock(r) if ts.buffer.is_empty() => {
            resolve_lock(m, &ts.regs, r).map(|l| Wait::Lock(l, m.holder(l)))
        }
        _ => Some(Wait::Drain),
    }
}

/// Every enabled action, steps first, in thread order.
pub fn enabled(sim: &Sim, m: &Machine) -> Vec<Action> {
    let mut out = Vec::new();
    for t in 0..sim.threads.len() {
        if next_step(sim, m, t).is_some() {
            out.push(Action::Step(t as u8));
        }
    }
    for (t, ts) in m.threads.iter().enumerate() {
        if !ts.buffer.is_empty() {
            out.push(Action::Flush(t as u8));
        }
    }
    out
}

/// Whether one action is enabled.
pub fn is_enabled(sim: &Sim, m: &Machine, a: Action) -> bool {
    match a {
        Action::Step(t) => {
            (t as usize) < sim.threads.len() && next_step(sim, m, t as usize).is_some()
        }
        Action::Flush(t) => m
            .threads
            .get(t as usize)
            .is_some_and(|ts| !ts.buffer.is_empty()),
    }
}

/// Apply one action. The machine is unchanged on error.
pub fn step(sim: &Sim, m: &mut Machine, a: Action) -> Result<Event, ExecError> {
    let t = a.thread();
    if t >= sim.threads.len() {
        return Err(ExecError::NoThread(t as u8));
    }
    if !is_enabled(sim, m, a) {
        return Err(ExecError::NotEnabled(a));
    }
    if let Action::Flush(_) = a {
        let store = m.threads[t].buffer[0];
        let mut facts = Vec::new();
        run_enabled(sim, m, a, &mut facts);
        return Ok(Event {
            action: a,
            op: "store buffer".into(),
            label: format!("flush {}", store.loc.describe()),
            code: memory::describe_store(&store),
            func: "x86-TSO".into(),
            facts,
        });
    }
    let (prog, _) = sim.current(m, t).expect("enabled step has a program");
    let st = &prog.steps[m.threads[t].pc as usize];
    let mut facts = Vec::new();
    run_enabled(sim, m, a, &mut facts);
    Ok(Event {
        action: a,
        op: prog.title.clone(),
        label: st.label.clone(),
        code: st.code.clone(),
        func: st.func.to_string(),
        facts,
    })
}

/// [`step`] for a search: apply an action known to be enabled (from [`enabled`]), appending
/// what happened to `facts` and building no [`Event`] text. The same state change as `step`.
pub fn run_enabled(sim: &Sim, m: &mut Machine, a: Action, facts: &mut Vec<Fact>) {
    let t = a.thread();
    if let Action::Flush(_) = a {
        let store = m.flush_one(t).expect("enabled flush has a store");
        facts.push(Fact::Flushed(store));
        return;
    }
    let (prog, forced) = sim.current(m, t).expect("enabled step has a program");
    let pc = m.threads[t].pc as usize;
    let st = &prog.steps[pc];
    if let Some(effect) = st.effect {
        apply_effect(m, effect);
    }
    let jumped = run_kind(sim, m, t, st, facts);
    let next = if jumped {
        st.jump.expect("jumping step has a target")
    } else {
        st.next.unwrap_or(pc + 1)
    };
    let ts = &mut m.threads[t];
    ts.forced = forced;
    if next >= prog.steps.len() {
        ts.pc = 0;
        ts.regs = Regs::default();
        if forced {
            ts.forced = false;
        } else if !sim.threads[t].is_daemon() {
            ts.op += 1;
        }
        if let Some(effect) = prog.on_end {
            apply_effect(m, effect);
        }
    } else {
        ts.pc = next as u8;
    }
}

#[cfg(test)]
mod tests;
