//! `step(state, action) -> event`: the only place the machine changes.

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
    UnlockNotHeld(LockId),
    /// A lock was taken while holding one of a class that, earlier in the run, was taken while
    /// holding this one's class: the circular dependency lockdep reports as a possible deadlock.
    LockOrder {
        /// The class held.
        held: LockClass,
        /// The class taken.
        taken: LockClass,
        /// The lock taken.
        lock: LockId,
    },
    /// A publish of an IRTE's software copy carried another writer's edit made since this
    /// thread's own edit (or lost this thread's edit under another's).
    MixedIrte {
        /// The IRTE.
        irte: u8,
        /// What this thread's edit left in the copy.
        mine: Irte,
        /// What it published.
        published: Irte,
    },
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
            Fact::UnlockNotHeld(l) => format!("released {} without holding it", l.describe()),
            Fact::LockOrder { held, taken, lock } => format!(
                "took {} while holding a {}: a {} → {} dependency closes a cycle (lockdep: possible deadlock)",
                lock.describe(),
                held.name(),
                held.name(),
                taken.name()
            ),
            Fact::MixedIrte {
                irte,
                mine,
                published,
            } => format!(
                "published IRTE{irte}'s copy as {} though this thread's edit left {}: another writer edited it in between",
                published.describe(),
                mine.describe()
            ),
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

fn resolve_lock(m: &Machine, regs: &Regs, r: LockRef) -> Option<LockId> {
    match r {
        LockRef::IrList(v) => resolve(m, regs, v).map(LockId::IrList),
        LockRef::Irqfds => Some(LockId::Irqfds),
        LockRef::RqOf(v) => Some(LockId::Rq(m.vcpus[v as usize].cpu)),
        LockRef::Rq(p) => Some(LockId::Rq(p)),
        LockRef::IrqDesc(i) => Some(LockId::IrqDesc(i)),
    }
}

fn resolve_irte(regs: &Regs, r: IrteRef) -> u8 {
    match r {
        IrteRef::Fixed(i) => i,
        IrteRef::Cursor => regs.cursor.expect("walk stands on an IRTE"),
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
        Effect::SetCpu(v, p) => m.vcpus[v as usize].cpu = p,
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

/// Learn the lock-order edges of taking `l` while holding what thread `t` holds, as lockdep does,
/// and report a dependency that closes a cycle.
fn note_lock_order(m: &mut Machine, t: u8, l: LockId, facts: &mut Vec<Fact>) {
    let taken = l.class();
    for held in m.held_classes(t) {
        if held == taken {
            continue;
        }
        let bit = 1u16 << (4 * held as u16 + taken as u16);
        if m.lock_order & bit == 0 && lock_order_path(m.lock_order, taken, held) {
            facts.push(Fact::LockOrder {
                held,
                taken,
                lock: l,
            });
        }
        m.lock_order |= bit;
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
            let e = if knobs.kvm_copy() {
                m.kvm_entries[v as usize]
            } else {
                m.entry_view(t, v)
            };
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
            let value = knobs.table_value(regs.entry);
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
        StepKind::WriteKvmEntry(v, update) => {
            let vcpu_cpu = m.vcpus[v as usize].cpu;
            let regs = &mut m.threads[t].regs;
            if let Some(u) = update {
                regs.entry = u.apply(regs.entry, vcpu_cpu, &knobs);
            }
            m.kvm_entries[v as usize] = regs.entry;
            false
        }
        StepKind::Lock(r) => match resolve_lock(m, &m.threads[t].regs, r) {
            Some(l) => {
                note_lock_order(m, t as u8, l, facts);
                let slot = m.lock_slot(l);
                m.locks[slot] = Some(t as u8);
                if let (LockRef::IrList(VRef::OwnerOf(_)), LockId::IrList(v)) = (r, l) {
                    m.threads[t].regs.prev = Some(v);
                }
                false
            }
            None => true,
        },
        StepKind::Unlock(r) => {
            if let Some(l) = resolve_lock(m, &m.threads[t].regs, r) {
                if m.holder(l) != Some(t as u8) {
                    facts.push(Fact::UnlockNotHeld(l));
                }
                let slot = m.lock_slot(l);
                m.locks[slot] = None;
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
            let i = resolve_irte(regs, r) as usize;
            let e = regs.entry;
            how.apply(&mut m.irte_copies[i], e);
            m.threads[t].regs.edited = Some(m.irte_copies[i]);
            false
        }
        StepKind::Activate(r, v, target) => {
            let regs = &m.threads[t].regs;
            let i = resolve_irte(regs, r);
            let e = regs.entry;
            m.irte_copies[i as usize] = target.irte(i, v, e, &knobs);
            m.threads[t].regs.edited = Some(m.irte_copies[i as usize]);
            false
        }
        StepKind::Deactivate(r) => {
            let i = resolve_irte(&m.threads[t].regs, r) as usize;
            let copy = &mut m.irte_copies[i];
            copy.guest_mode = false;
            copy.is_run = false;
            copy.ga_log_intr = false;
            m.threads[t].regs.edited = Some(*copy);
            false
        }
        StepKind::PublishIrte(r) => {
            let i = resolve_irte(&m.threads[t].regs, r);
            let published = m.irte_copies[i as usize];
            if let Some(mine) = m.threads[t].regs.edited.take() {
                if mine != published {
                    facts.push(Fact::MixedIrte {
                        irte: i,
                        mine,
                        published,
                    });
                }
            }
            m.irtes[i as usize] = published;
            false
        }
        StepKind::FlushIrt(r) => {
            let i = resolve_irte(&m.threads[t].regs, r) as usize;
            m.iommu_cache[i] = m.irtes[i];
            false
        }
        StepKind::Local => false,
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
            m.threads[t].regs.irte = Some(m.iommu_cache[i as usize]);
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
            // GuestMode, the vector and the root pointer came from the IOMMU's cache; IsRun,
            // Destination, GATag and GALogIntr are not cached (57cdb720eaa5, 6.7), so they are
            // read from the table now. The IRR that was set is the cached root's.
            let cached = m.threads[t].regs.irte.expect("IOMMU read the IRTE");
            let root = cached.ga_tag.unwrap_or(0);
            let live = m.irtes[i as usize];
            if cached.guest_mode {
                if live.is_run {
                    doorbell(m, live.destination, root, facts);
                } else if live.ga_log_intr {
                    let tag = live.ga_tag.unwrap_or(root);
                    m.ga_log.push(tag);
                    facts.push(Fact::GaLogged(tag));
                } else {
                    facts.push(Fact::Silent(root));
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
