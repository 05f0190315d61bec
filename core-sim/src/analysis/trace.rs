//! A run as the analyses read it: every state, every action, and each step's accesses to shared
//! resources (the footprint the partial-order reduction already uses,
//! [`crate::explore::independence::footprint`]), with words for each resource.

use crate::exec::{self, Action, Event};
use crate::explore::independence::{conflicts, footprint, Res};
use crate::explore::Session;
use crate::machine::{LockId, Machine};
use crate::sim::Sim;

/// A run from the initial state: `states[n]` is the state after step `n` (0: before any step).
#[derive(Clone, Debug)]
pub struct Trace {
    /// States, one more than actions.
    pub states: Vec<Machine>,
    /// The actions, in order.
    pub actions: Vec<Action>,
    /// The events, in order.
    pub events: Vec<Event>,
    /// Each step's (resource, is a write) accesses, judged in the state before it.
    pub accesses: Vec<Vec<(Res, bool)>>,
}

impl Trace {
    /// The first `len` steps of a session's history (all of them if `len` is larger).
    pub fn from_session(s: &Session, len: usize) -> Trace {
        let recs = s.all_records();
        let len = len.min(recs.len());
        let mut states = vec![s.state_at(0).clone()];
        let mut accesses = Vec::with_capacity(len);
        for r in &recs[..len] {
            accesses.push(footprint(
                s.sim(),
                states.last().expect("a state"),
                r.event.action,
            ));
            states.push(r.after.clone());
        }
        Trace {
            states,
            actions: recs[..len].iter().map(|r| r.event.action).collect(),
            events: recs[..len].iter().map(|r| r.event.clone()).collect(),
            accesses,
        }
    }

    /// Replay `actions` from the initial state; `None` if one cannot run where it stands.
    pub fn replay(sim: &Sim, actions: &[Action]) -> Option<Trace> {
        let mut m = sim.initial();
        let mut t = Trace {
            states: vec![m.clone()],
            actions: Vec::new(),
            events: Vec::new(),
            accesses: Vec::new(),
        };
        for &a in actions {
            t.accesses.push(footprint(sim, &m, a));
            t.events.push(exec::step(sim, &mut m, a).ok()?);
            t.actions.push(a);
            t.states.push(m.clone());
        }
        Some(t)
    }

    /// Steps in the trace.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// Whether no step ran.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The thread of step `n` (1-based).
    pub fn thread(&self, n: usize) -> usize {
        self.actions[n - 1].thread()
    }

    /// The first step (1-based) of the operation that step `n` belongs to: walking back over the
    /// same thread's steps while that thread was in the middle of an operation.
    pub fn op_start(&self, n: usize) -> usize {
        let t = self.thread(n);
        let mut start = n;
        for k in (1..=n).rev() {
            if self.thread(k) != t || matches!(self.actions[k - 1], Action::Flush(_)) {
                continue;
            }
            start = k;
            let before = &self.states[k - 1].threads[t];
            if before.pc == 0 && !before.forced {
                break;
            }
        }
        start
    }

    /// Whether step `n` writes a resource that conflicts with `res`.
    pub fn writes(&self, n: usize, res: Res) -> bool {
        self.accesses[n - 1]
            .iter()
            .any(|&(r, w)| w && conflicts(r, res))
    }

    /// The last step before `n` (1-based) by another thread than `thread` that wrote `res`.
    pub fn last_writer(&self, n: usize, res: Res, thread: usize) -> Option<usize> {
        (1..n)
            .rev()
            .find(|&k| self.thread(k) != thread && self.writes(k, res))
    }

    /// "the IRQ affinity updater in svm_ir_list_add() (link into ir_list)": who ran step `n`,
    /// in which kernel function or hardware unit, and what the step is.
    pub fn who(&self, sim: &Sim, n: usize) -> String {
        let e = &self.events[n - 1];
        format!(
            "{} {} ({})",
            self.thread_in(sim, n),
            place(&e.func),
            e.label
        )
    }

    /// "the IRQ affinity updater": the thread of step `n`.
    pub fn thread_in(&self, sim: &Sim, n: usize) -> String {
        format!("the {}", sim.thread_name(self.thread(n)))
    }
}

/// "in svm_ir_list_add()" for a kernel function, "in the IOMMU" for a hardware unit.
pub fn place(func: &str) -> String {
    if func.contains('_') {
        format!("in {func}()")
    } else {
        format!("in the {func}")
    }
}

/// Whether a resource is memory the kernel code or the hardware reads and writes (the physical ID
/// entry, ir_list, IRTE and its copies, the owner record), rather than a vCPU's life cycle or a
/// lock.
pub fn is_memory(res: Res) -> bool {
    matches!(
        res,
        Res::Entry(_)
            | Res::KvmEntry(_)
            | Res::List(_)
            | Res::Irte(_)
            | Res::IrteCopy(_)
            | Res::IrteCache(_)
            | Res::Owner(_)
            | Res::GaLog
    )
}

/// A resource in words, e.g. "vCPU0's ir_list".
pub fn res_name(sim: &Sim, res: Res) -> String {
    let (vcpus, pcpus) = (sim.scenario.vcpus.len(), sim.scenario.pcpus as usize);
    match res {
        Res::Entry(v) => format!("vCPU{v}'s physical ID entry"),
        Res::KvmEntry(v) => format!("KVM's copy of vCPU{v}'s physical ID entry"),
        Res::List(v) => format!("vCPU{v}'s ir_list"),
        Res::Irte(i) => format!("IRTE{i}"),
        Res::IrteCopy(i) => format!("IRTE{i}'s software copy (ir_data->entry)"),
        Res::IrteCache(i) => format!("the IOMMU's cached copy of IRTE{i}"),
        Res::Lock(slot) => lock_of_slot(slot as usize, vcpus, pcpus, sim.scenario.irtes.len())
            .map_or_else(|| format!("lock {slot}"), LockId::describe),
        Res::LockOrder => "the lock-order record (lockdep)".into(),
        Res::Owner(i) => format!("KVM's record of IRTE{i}'s vCPU"),
        Res::Vcpu(v) => format!("vCPU{v}'s run state and IRR"),
        Res::AllVcpus => "the vCPUs' run states".into(),
        Res::GaLog => "the GA log".into(),
    }
}

fn lock_of_slot(slot: usize, vcpus: usize, pcpus: usize, irtes: usize) -> Option<LockId> {
    let all = (0..vcpus as u8)
        .map(LockId::IrList)
        .chain([LockId::Irqfds])
        .chain((0..pcpus as u8).map(LockId::Rq))
        .chain((0..irtes as u8).map(LockId::IrqDesc));
    all.into_iter().find(|l| l.slot(vcpus, pcpus) == slot)
}
