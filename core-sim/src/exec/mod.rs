//! `step(state, action) -> event`: the only place the machine changes.
//!
//! `fact` the facts an event reports, `effects` the effects steps share, `run` each kind of step;
//! this file holds the actions and the step function that drives them.

mod effects;
mod fact;
mod run;

use self::effects::*;
pub use self::fact::Fact;
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
        let store = m.flush_one(t).expect("enabled flush has a store");
        return Ok(Event {
            action: a,
            op: "store buffer".into(),
            label: format!("flush {}", store.loc.describe()),
            code: memory::describe_store(&store),
            func: "x86-TSO".into(),
            facts: vec![Fact::Flushed(store)],
        });
    }
    let (prog, forced) = sim.current(m, t).expect("enabled step has a program");
    let pc = m.threads[t].pc as usize;
    let st = &prog.steps[pc];
    let mut facts = Vec::new();
    if let Some(effect) = st.effect {
        apply_effect(m, effect);
    }
    let jumped = run_kind(sim, m, t, st, &mut facts);
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
    Ok(Event {
        action: a,
        op: prog.title.clone(),
        label: st.label.clone(),
        code: st.code.clone(),
        func: st.func.to_string(),
        facts,
    })
}

#[cfg(test)]
mod tests {
    //! Step-level tests of the hardware facts the model rests on: each fails if the order or the
    //! rule it pins is reversed.
    use super::*;
    use crate::program::GaUpdate;
    use crate::program::{Actor, Op};
    use crate::scenario::{IrteInit, Scenario, ThreadSpec, VcpuInit, VcpuStart};
    use crate::strategy::{Knobs, Strategy};

    fn world(threads: Vec<ThreadSpec>, irtes: Vec<IrteInit>, preset: &str) -> Sim {
        let scenario = Scenario {
            id: "unit".into(),
            title: "unit".into(),
            description: String::new(),
            pcpus: 2,
            vcpus: vec![
                VcpuInit {
                    state: VcpuStart::InGuest,
                    pcpu: 0,
                },
                VcpuInit {
                    state: VcpuStart::InGuest,
                    pcpu: 1,
                },
            ],
            irtes,
            threads,
            oracles: crate::oracle::ViolationKind::ALL.to_vec(),
        };
        Sim::new(scenario, Strategy::preset(preset).unwrap(), MemoryModel::Sc).unwrap()
    }

    fn spec(actor: Actor, ops: Vec<Op>) -> ThreadSpec {
        ThreadSpec {
            name: None,
            actor,
            ops,
        }
    }

    /// Run thread `t` until its next step is of the kind `stop` matches (or it finishes).
    fn run_until(sim: &Sim, m: &mut Machine, t: u8, stop: impl Fn(&StepKind) -> bool) -> Vec<Fact> {
        let mut facts = Vec::new();
        while let Some(s) = next_step(sim, m, t as usize) {
            if stop(&s.kind) {
                break;
            }
            facts.extend(step(sim, m, Action::Step(t)).unwrap().facts);
        }
        facts
    }

    #[test]
    fn avic_writes_the_irr_before_it_reads_is_running() {
        let knobs = Strategy::preset("linux-6.6").unwrap().knobs;
        let p = crate::program::compile(Actor::Avic, Op::Ipi { to: 0 }, &knobs);
        let kinds: Vec<StepKind> = p.steps.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                StepKind::AvicSetIrr(0),
                StepKind::AvicRead(0),
                StepKind::AvicNotify(0)
            ]
        );
        // The erratum is the reversed order.
        let erratum = Knobs {
            avic_erratum_1235: true,
            ..knobs
        };
        let p = crate::program::compile(Actor::Avic, Op::Ipi { to: 0 }, &erratum);
        assert_eq!(p.steps[0].kind, StepKind::AvicRead(0));
        assert_eq!(p.steps[1].kind, StepKind::AvicSetIrr(0));
    }

    #[test]
    fn without_ipiv_the_table_never_says_running_and_the_ipi_exits_to_kvm() {
        let sim = world(
            vec![spec(Actor::Avic, vec![Op::Ipi { to: 0 }])],
            vec![],
            "linux-6.17-zen2",
        );
        let mut m = sim.initial();
        assert!(!entry::is_running(m.entries[0]) && entry::is_running(m.kvm_entries[0]));
        let facts = run_until(&sim, &mut m, 0, |_| false);
        assert!(facts.contains(&Fact::IncompleteIpi(0)), "{facts:?}");
        // KVM's kick of a running target: the doorbell path took the vector.
        assert!(facts
            .iter()
            .any(|f| matches!(f, Fact::Delivered { vcpu: 0, .. })));
    }

    #[test]
    fn the_iommu_takes_root_and_vector_from_its_cache_and_the_destination_from_the_table() {
        // IRTE0 posts to vCPU1 and moves to vCPU0 (both running): stop the updater after the
        // publish, before the flush, and let the device fire.
        let sim = world(
            vec![
                spec(
                    Actor::Updater,
                    vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }],
                ),
                spec(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            vec![IrteInit {
                vcpu: 1,
                posted: true,
            }],
            "linux-6.17",
        );
        let mut m = sim.initial();
        run_until(&sim, &mut m, 0, |k| matches!(k, StepKind::FlushIrt(_)));
        assert_eq!(
            m.irtes[0].ga_tag,
            Some(0),
            "the table already posts to vCPU0"
        );
        assert_eq!(
            m.iommu_cache[0].ga_tag,
            Some(1),
            "the cache still posts to vCPU1"
        );
        let facts = run_until(&sim, &mut m, 1, |_| false);
        // The vector lands in vCPU1's IRR (cached root); the doorbell rings vCPU0's pCPU0.
        assert!(
            facts.iter().any(|f| matches!(
                f,
                Fact::Doorbell {
                    apic,
                    target: 1,
                    ..
                } if *apic == entry::apic_id(0)
            )),
            "{facts:?}"
        );
        // After the flush, the cache agrees with the table.
        run_until(&sim, &mut m, 0, |_| false);
        assert_eq!(m.iommu_cache[0], m.irtes[0]);
    }

    #[test]
    fn two_editors_of_one_irte_copy_are_seen_at_publish() {
        // 6.6: the old owner's load edits IRTE0's copy while the updater's activation has edited
        // it and not yet published.
        let sim = world(
            vec![spec(
                Actor::Updater,
                vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }],
            )],
            vec![IrteInit {
                vcpu: 1,
                posted: true,
            }],
            "linux-6.6",
        );
        let mut m = sim.initial();
        run_until(&sim, &mut m, 0, |k| matches!(k, StepKind::PublishIrte(_)));
        // Another writer's edit lands in the copy (as vCPU1's update_ga would).
        GaUpdate::Run(None).apply(&mut m.irte_copies[0], entry::make(1, 1, true));
        let facts = step(&sim, &mut m, Action::Step(0)).unwrap().facts;
        assert!(
            facts
                .iter()
                .any(|f| matches!(f, Fact::MixedIrte { irte: 0, .. })),
            "{facts:?}"
        );
        assert!(
            m.irtes[0].is_run,
            "the publish carried the other writer's IsRun=1"
        );
    }

    #[test]
    fn set_current_state_and_vmrun_wait_for_the_store_buffer() {
        let sim = Sim::from_ids("block-ga-log", "linux-6.5", "tso").unwrap();
        let mut m = sim.initial();
        // Exit, then the put up to and including its entry store (the last step before
        // set_current_state in 6.5's put).
        run_until(&sim, &mut m, 0, |k| matches!(k, StepKind::SetWaiting(_)));
        assert!(
            !m.threads[0].buffer.is_empty(),
            "the IsRunning=0 store is buffered"
        );
        assert!(
            next_step(&sim, &m, 0).is_none(),
            "a full barrier waits for the drain"
        );
        step(&sim, &mut m, Action::Flush(0)).unwrap();
        assert!(next_step(&sim, &m, 0).is_some());
    }

    #[test]
    fn a_lock_order_cycle_is_reported_when_it_closes() {
        let sim = Sim::from_ids("lock-order-affinity", "linux-6.17", "sc").unwrap();
        let mut m = sim.initial();
        // Host: irq_desc -> rq; then the vCPU's put: rq -> ir_list; then the updater:
        // ir_list -> irq_desc closes the cycle.
        run_until(&sim, &mut m, 2, |_| false);
        run_until(&sim, &mut m, 0, |_| false);
        let facts = run_until(&sim, &mut m, 1, |_| false);
        assert!(
            facts.iter().any(|f| matches!(
                f,
                Fact::LockOrder {
                    held: LockClass::IrList,
                    taken: LockClass::IrqDesc,
                    ..
                }
            )),
            "{facts:?}"
        );
    }
}
