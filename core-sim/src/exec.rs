//! `step(state, action) -> event`: the only place the machine changes.

use crate::machine::memory::{self, Buffered, Loc};
use crate::machine::{entry, Machine, Regs, RunState};
use crate::program::{Effect, IrteRef, Part, Step, StepKind, VRef};
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

/// Something observable that happened in a step; the oracles judge these.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fact {
    /// A doorbell rang the pCPU with this host APIC ID, meant for vCPU `target`.
    Doorbell {
        /// Host APIC ID rung.
        apic: u8,
        /// The vCPU the interrupt is for.
        target: u8,
        /// The vCPU that took pending vectors because of it, if any.
        taken_by: Option<u8>,
    },
    /// The IOMMU logged the interrupt to the GA log (IsRun=0, GALogIntr=1).
    GaLogged(u8),
    /// The IOMMU set the IRR but notified no one (IsRun=0, GALogIntr=0).
    Silent(u8),
    /// Legacy mode: the host took the interrupt and KVM injected it.
    HostInjected(u8),
    /// AVIC found the target not running: #VMEXIT, KVM kicked it.
    IncompleteIpi(u8),
    /// Hardware read a vCPU's physical ID entry from memory.
    HwRead {
        /// Whose entry.
        vcpu: u8,
        /// The value read.
        value: u64,
    },
    /// The guest took these vectors.
    Delivered {
        /// Which vCPU.
        vcpu: u8,
        /// IRR bits taken.
        vectors: u8,
    },
    /// `kvm_vcpu_wake_up`; `woke` when it ended a wait.
    Wake {
        /// Which vCPU.
        vcpu: u8,
        /// It ended a wait.
        woke: bool,
    },
    /// A kick; `ipi` when it had to interrupt the guest.
    Kick {
        /// Which vCPU.
        vcpu: u8,
        /// An IPI was sent.
        ipi: bool,
    },
    /// A lock was released by a thread that did not hold it.
    UnlockNotHeld(u8),
    /// A buffered store reached memory.
    Flushed(Buffered),
}

impl Fact {
    /// A sentence for timelines; `None` for facts the state changes already show.
    pub fn describe(&self, _thread: usize, sim: &Sim) -> Option<String> {
        let pcpus = sim.scenario.pcpus;
        let cpu = |apic: u8| match entry::pcpu_of_apic(apic, pcpus) {
            Some(p) => format!("pCPU{p}"),
            None => format!("APIC ID {apic}, no CPU"),
        };
        Some(match *self {
            Fact::Doorbell {
                apic,
                target,
                taken_by,
            } => match taken_by {
                Some(v) if v == target => {
                    format!("doorbell → {}: vCPU{v} takes its IRR at once", cpu(apic))
                }
                Some(v) => format!(
                    "doorbell → {} for vCPU{target}, but vCPU{v} runs there",
                    cpu(apic)
                ),
                None => format!(
                    "doorbell → {} for vCPU{target}: no vCPU in the guest there, nobody answers",
                    cpu(apic)
                ),
            },
            Fact::GaLogged(v) => {
                format!("IsRun=0: GA-log entry for vCPU{v} and a GA-log interrupt")
            }
            Fact::Silent(v) => format!("IsRun=0, GALogIntr=0: vCPU{v}'s IRR set, nobody notified"),
            Fact::HostInjected(v) => {
                format!("legacy remapping: the host takes it and KVM injects into vCPU{v}")
            }
            Fact::IncompleteIpi(v) => {
                format!("vCPU{v} not running: #VMEXIT (incomplete IPI), KVM kicks it")
            }
            Fact::HwRead { vcpu, value } => {
                format!("AVIC read entry[vCPU{vcpu}] = {}", entry::describe(value))
            }
            Fact::Delivered { vcpu, vectors } => {
                format!("the guest on vCPU{vcpu} takes vector bits {vectors:#04x}")
            }
            Fact::Wake { vcpu, woke: true } => {
                format!("kvm_vcpu_wake_up(vCPU{vcpu}) ends its wait")
            }
            Fact::Wake { vcpu, woke: false } => {
                format!("kvm_vcpu_wake_up(vCPU{vcpu}): it was not waiting, nothing to do")
            }
            Fact::Kick { vcpu, ipi: true } => {
                format!("kick: IPI forces vCPU{vcpu} out of the guest")
            }
            Fact::Kick { vcpu, ipi: false } => {
                format!("kick: vCPU{vcpu} not in the guest, request left for its next entry")
            }
            Fact::UnlockNotHeld(v) => format!("released vCPU{v}'s ir_list_lock without holding it"),
            Fact::Flushed(_) => return None,
        })
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

fn resolve(m: &Machine, regs: &Regs, r: VRef) -> Option<u8> {
    match r {
        VRef::Fixed(v) => Some(v),
        VRef::OwnerOf(i) => m.owners[i as usize],
        VRef::Prev => regs.prev,
    }
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
    let ok = match step.kind {
        StepKind::Lock(r) => match resolve(m, &ts.regs, r) {
            Some(v) => drained && m.locks[v as usize].is_none(),
            None => true,
        },
        // The activation rewrites cached fields and flushes the IRT with completion-wait: it
        // cannot finish while the IOMMU is remapping an interrupt through the old entry.
        StepKind::Activate(i, _, _) => drained && !remap_in_flight(sim, m, i),
        StepKind::Unlock(_) | StepKind::Mb | StepKind::UpdateGa(..) | StepKind::Kick(_) => drained,
        _ => true,
    };
    ok.then_some(step)
}

/// Whether some device thread is between reading IRTE `i` and notifying.
fn remap_in_flight(sim: &Sim, m: &Machine, i: u8) -> bool {
    (0..sim.threads.len()).any(|t| {
        sim.current(m, t)
            .and_then(|(p, _)| p.steps.get(m.threads[t].pc as usize))
            .is_some_and(
                |s| matches!(s.kind, StepKind::IommuPost(j) | StepKind::IommuNotify(j) if j == i),
            )
    })
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

fn apply_effect(m: &mut Machine, e: Effect) {
    match e {
        Effect::SchedIn(v, p) => {
            let vc = &mut m.vcpus[v as usize];
            let p = p.unwrap_or(vc.cpu);
            vc.cpu = p;
            vc.run = RunState::Loaded(p);
        }
        Effect::Halting(v) => m.vcpus[v as usize].run = RunState::Blocking,
        Effect::SchedOut(v) => m.vcpus[v as usize].run = RunState::Preempted,
    }
}

fn store(sim: &Sim, m: &mut Machine, t: usize, b: Buffered) {
    match sim.memory {
        MemoryModel::Sc => m.commit(b),
        MemoryModel::Tso => m.threads[t].buffer.push(b),
    }
}

/// Deliver pending vectors of the vCPU in the guest on the pCPU with this APIC ID.
fn doorbell(m: &mut Machine, apic: u8, target: u8, facts: &mut Vec<Fact>) {
    let pcpu = entry::pcpu_of_apic(apic, m.pcpus);
    let taker = pcpu.and_then(|p| m.vcpus.iter().position(|vc| vc.run == RunState::InGuest(p)));
    facts.push(Fact::Doorbell {
        apic,
        target,
        taken_by: taker.map(|v| v as u8),
    });
    if let Some(v) = taker {
        take_irr(m, v as u8, facts);
    }
}

fn take_irr(m: &mut Machine, v: u8, facts: &mut Vec<Fact>) {
    let vc = &mut m.vcpus[v as usize];
    if vc.irr != 0 {
        facts.push(Fact::Delivered {
            vcpu: v,
            vectors: vc.irr,
        });
        vc.delivered |= vc.irr;
        vc.irr = 0;
    }
}

/// `kvm_vcpu_wake_up`.
fn wake(m: &mut Machine, v: u8, facts: &mut Vec<Fact>) {
    let vc = &mut m.vcpus[v as usize];
    let woke = vc.waiting;
    if vc.waiting {
        vc.waiting = false;
        if vc.run == RunState::Sleeping {
            vc.run = RunState::Blocking;
        }
    }
    facts.push(Fact::Wake { vcpu: v, woke });
}

/// `kvm_vcpu_kick` as the host's injection path uses it: wake a waiter, or make a running guest
/// exit and re-enter, which takes the IRR.
fn kick_for_interrupt(m: &mut Machine, v: u8, facts: &mut Vec<Fact>) {
    wake(m, v, facts);
    if matches!(m.vcpus[v as usize].run, RunState::InGuest(_)) {
        take_irr(m, v, facts);
    }
}

/// Run the step's instruction; returns whether it takes its conditional jump.
fn run_kind(sim: &Sim, m: &mut Machine, t: usize, st: &Step, facts: &mut Vec<Fact>) -> bool {
    let knobs = sim.strategy.knobs;
    match st.kind {
        StepKind::ReadEntry(v) => {
            let e = m.entry_view(t, v);
            m.threads[t].regs.entry = e;
            st.jump.is_some() && !entry::is_running(e)
        }
        StepKind::ReadVcpuCpu(v) => {
            let cpu = m.vcpus[v as usize].cpu;
            m.threads[t].regs.entry = entry::loaded_on(0, cpu);
            false
        }
        StepKind::WriteEntry(v, update, part) => {
            let vcpu_cpu = m.vcpus[v as usize].cpu;
            let regs = &mut m.threads[t].regs;
            if let Some(u) = update {
                regs.entry = u.apply(regs.entry, vcpu_cpu, &knobs);
            }
            let value = regs.entry;
            let b = match part {
                Part::Whole => Buffered {
                    loc: Loc::Entry(v),
                    value,
                    completes: true,
                },
                Part::Hi => memory::torn_halves(v, value)[0],
                Part::Lo => memory::torn_halves(v, value)[1],
            };
            store(sim, m, t, b);
            false
        }
        StepKind::Lock(r) => match resolve(m, &m.threads[t].regs, r) {
            Some(v) => {
                m.locks[v as usize] = Some(t as u8);
                if let VRef::OwnerOf(_) = r {
                    m.threads[t].regs.prev = Some(v);
                }
                false
            }
            None => true,
        },
        StepKind::Unlock(r) => {
            if let Some(v) = resolve(m, &m.threads[t].regs, r) {
                if m.locks[v as usize] != Some(t as u8) {
                    facts.push(Fact::UnlockNotHeld(v));
                }
                m.locks[v as usize] = None;
            }
            false
        }
        StepKind::Mb => false,
        StepKind::WalkNext(v) => {
            let list = m.list_view(t, v);
            let regs = &mut m.threads[t].regs;
            let from = regs.cursor.map(|c| c + 1).unwrap_or(0);
            match (from..8).find(|i| list & (1 << i) != 0) {
                Some(i) => {
                    regs.cursor = Some(i);
                    false
                }
                None => {
                    regs.cursor = None;
                    true
                }
            }
        }
        StepKind::UpdateGa(r, how) => {
            let regs = &m.threads[t].regs;
            let i = match r {
                IrteRef::Fixed(i) => i,
                IrteRef::Cursor => regs.cursor.expect("walk stands on an IRTE"),
            };
            let e = regs.entry;
            how.apply(&mut m.irtes[i as usize], e);
            false
        }
        StepKind::Activate(i, v, target) => {
            let e = m.threads[t].regs.entry;
            m.irtes[i as usize] = target.irte(i, v, e, &knobs);
            false
        }
        StepKind::Link(v, i) => {
            m.owners[i as usize] = Some(v);
            store(
                sim,
                m,
                t,
                Buffered {
                    loc: Loc::Link { vcpu: v, irte: i },
                    value: 1,
                    completes: true,
                },
            );
            false
        }
        StepKind::Unlink(r, i) => {
            if let Some(v) = resolve(m, &m.threads[t].regs, r) {
                m.owners[i as usize] = None;
                store(
                    sim,
                    m,
                    t,
                    Buffered {
                        loc: Loc::Link { vcpu: v, irte: i },
                        value: 0,
                        completes: true,
                    },
                );
            }
            false
        }
        StepKind::Kick(v) => {
            m.vcpus[v as usize].request = true;
            wake(m, v, facts);
            let ipi = matches!(m.vcpus[v as usize].run, RunState::InGuest(_));
            if ipi {
                m.kick_ipis = m.kick_ipis.saturating_add(1);
                m.vcpus[v as usize].forced_exit = true;
            }
            facts.push(Fact::Kick { vcpu: v, ipi });
            false
        }
        StepKind::TestRequest(v) => {
            let vc = &mut m.vcpus[v as usize];
            let had = vc.request;
            vc.request = false;
            !had
        }
        StepKind::VmRun(v) => {
            if knobs.kick && m.vcpus[v as usize].request {
                return true;
            }
            let vc = &mut m.vcpus[v as usize];
            vc.run = RunState::InGuest(vc.cpu);
            take_irr(m, v, facts);
            false
        }
        StepKind::VmExit(v) => {
            let vc = &mut m.vcpus[v as usize];
            vc.run = RunState::Loaded(vc.cpu);
            vc.forced_exit = false;
            false
        }
        StepKind::SetWaiting(v) => {
            m.vcpus[v as usize].waiting = true;
            false
        }
        StepKind::CheckBlock(v) => {
            let vc = &mut m.vcpus[v as usize];
            if vc.irr != 0 {
                vc.waiting = false;
                true
            } else {
                false
            }
        }
        StepKind::Sleep(v) => {
            let vc = &mut m.vcpus[v as usize];
            if vc.waiting {
                vc.run = RunState::Sleeping;
            }
            false
        }
        StepKind::IommuRead(i) => {
            m.threads[t].regs.irte = Some(m.irtes[i as usize]);
            false
        }
        StepKind::IommuPost(_) => {
            let irte = m.threads[t].regs.irte.expect("IOMMU read the IRTE");
            let v = irte.ga_tag.unwrap_or(0);
            m.vcpus[v as usize].irr |= 1 << irte.vector;
            if !irte.guest_mode {
                facts.push(Fact::HostInjected(v));
                kick_for_interrupt(m, v, facts);
            }
            false
        }
        StepKind::IommuNotify(i) => {
            let cached = m.threads[t].regs.irte.expect("IOMMU read the IRTE");
            let v = cached.ga_tag.unwrap_or(0);
            // IsRun, Destination and GALogIntr are not cached by the IOMMU (Linux 6.7,
            // "iommu/amd: Do not flush IRTE when only updating isRun and destination fields").
            let irte = m.irtes[i as usize];
            if cached.guest_mode && irte.guest_mode {
                if irte.is_run {
                    doorbell(m, irte.destination, v, facts);
                } else if irte.ga_log_intr {
                    m.ga_log.push(v);
                    facts.push(Fact::GaLogged(v));
                } else {
                    facts.push(Fact::Silent(v));
                }
            }
            false
        }
        StepKind::GaLogPop => {
            let v = m.ga_log.remove(0);
            m.threads[t].regs.target = Some(v);
            false
        }
        StepKind::Wake => {
            let v = m.threads[t].regs.target.expect("popped a GA-log entry");
            wake(m, v, facts);
            false
        }
        StepKind::AvicRead(v) => {
            let value = m.entries[v as usize];
            m.threads[t].regs.entry = value;
            facts.push(Fact::HwRead { vcpu: v, value });
            false
        }
        StepKind::AvicSetIrr(v) => {
            m.vcpus[v as usize].irr |= 1 << IPI_VECTOR;
            false
        }
        StepKind::AvicNotify(v) => {
            let e = m.threads[t].regs.entry;
            if entry::is_running(e) {
                doorbell(m, entry::host_id(e), v, facts);
            } else {
                facts.push(Fact::IncompleteIpi(v));
                kick_for_interrupt(m, v, facts);
            }
            false
        }
    }
}
