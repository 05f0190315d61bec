//! The small effects steps share: resolving a step's references against the thread's registers,
//! stores (straight to memory or into a store buffer), doorbells, the IRR, wake-ups and the lock
//! order lockdep would record.

use super::*;

pub(super) fn resolve(m: &Machine, regs: &Regs, r: VRef) -> Option<u8> {
    match r {
        VRef::Fixed(v) => Some(v),
        VRef::OwnerOf(i) => m.owners[i as usize],
        VRef::Prev => regs.prev,
    }
}

pub(super) fn resolve_lock(m: &Machine, regs: &Regs, r: LockRef) -> Option<LockId> {
    match r {
        LockRef::IrList(v) => resolve(m, regs, v).map(LockId::IrList),
        LockRef::Irqfds => Some(LockId::Irqfds),
        LockRef::RqOf(v) => Some(LockId::Rq(m.vcpus[v as usize].cpu)),
        LockRef::Rq(p) => Some(LockId::Rq(p)),
        LockRef::IrqDesc(i) => Some(LockId::IrqDesc(i)),
    }
}

pub(super) fn resolve_irte(regs: &Regs, r: IrteRef) -> u8 {
    match r {
        IrteRef::Fixed(i) => i,
        IrteRef::Cursor => regs.cursor.expect("walk stands on an IRTE"),
    }
}

pub(super) fn apply_effect(m: &mut Machine, e: Effect) {
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

pub(super) fn store(sim: &Sim, m: &mut Machine, t: usize, b: Buffered) {
    match sim.memory {
        MemoryModel::Sc => m.commit(b),
        MemoryModel::Tso => m.threads[t].buffer.push(b),
    }
}

/// Deliver pending vectors of the vCPU in the guest on the pCPU with this APIC ID.
pub(super) fn doorbell(m: &mut Machine, apic: u8, target: u8, facts: &mut Vec<Fact>) {
    let taker = doorbell_taker(m, apic);
    facts.push(Fact::Doorbell {
        apic,
        target,
        taken_by: taker,
    });
    if let Some(v) = taker {
        take_irr(m, v, facts);
    }
}

pub(super) fn take_irr(m: &mut Machine, v: u8, facts: &mut Vec<Fact>) {
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
pub(super) fn note_lock_order(m: &mut Machine, t: u8, l: LockId, facts: &mut Vec<Fact>) {
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
pub(super) fn wake(m: &mut Machine, v: u8, facts: &mut Vec<Fact>) {
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
pub(super) fn kick_for_interrupt(m: &mut Machine, v: u8, facts: &mut Vec<Fact>) {
    wake(m, v, facts);
    if matches!(m.vcpus[v as usize].run, RunState::InGuest(_)) {
        take_irr(m, v, facts);
    }
}
