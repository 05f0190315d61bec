//! Which actions commute: the footprint of an action on shared resources. Two actions of different
//! threads whose footprints do not conflict lead to the same state in either order, with the same
//! facts; the sleep-set reduction relies on this (and tests check it against plain enumeration).

use crate::exec::{next_step, Action};
use crate::machine::LockId;
use crate::machine::{Loc, Machine};
use crate::program::{Actor, IrteRef, LockRef, StepKind, VRef};
use crate::sim::Sim;
use crate::strategy::MemoryModel;

/// A shared resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Res {
    /// A physical ID entry in memory (and its record of whole values).
    Entry(u8),
    /// An ir_list in memory.
    List(u8),
    /// An IRTE in the table.
    Irte(u8),
    /// An IRTE's software copy (`ir_data->entry`).
    IrteCopy(u8),
    /// The IOMMU's cached copy of an IRTE.
    IrteCache(u8),
    /// KVM's own copy of a physical ID entry.
    KvmEntry(u8),
    /// A lock, by its slot in `Machine::locks`.
    Lock(u8),
    /// The lock-order graph.
    LockOrder,
    /// KVM's record of an IRTE's owner.
    Owner(u8),
    /// Everything about a vCPU's life cycle, IRR and requests.
    Vcpu(u8),
    /// All vCPUs (a doorbell looks for whoever runs on a pCPU).
    AllVcpus,
    /// The GA log.
    GaLog,
}

/// Whether accesses to `a` and `b` touch the same thing (a doorbell touches every vCPU).
pub fn conflicts(a: Res, b: Res) -> bool {
    match (a, b) {
        (Res::AllVcpus, Res::Vcpu(_) | Res::AllVcpus) | (Res::Vcpu(_), Res::AllVcpus) => true,
        _ => a == b,
    }
}

/// (resource, is a write) pairs touched by `a` in `m`.
pub fn footprint(sim: &Sim, m: &Machine, a: Action) -> Vec<(Res, bool)> {
    let t = a.thread();
    let mut fp = Vec::new();
    if let Action::Flush(_) = a {
        if let Some(b) = m.threads[t].buffer.first() {
            fp.push(match b.loc {
                Loc::Link { vcpu, .. } => (Res::List(vcpu), true),
                loc => (Res::Entry(loc.vcpu()), true),
            });
        }
        return fp;
    }
    let sc = sim.memory == MemoryModel::Sc;
    // Which program a thread runs is chosen at its start: a vCPU's by a forced exit, the
    // daemon's by whether the GA log has work. In the middle of a program only the steps' own
    // accesses count (an enabled vCPU is not asleep, and only it can put itself to sleep).
    let starting = m.threads[t].pc == 0 && !m.threads[t].forced;
    if let (Actor::Vcpu(v), true) = (sim.threads[t].actor, starting) {
        fp.push((Res::Vcpu(v), false));
    }
    if sim.threads[t].is_daemon() && starting {
        fp.push((Res::GaLog, false));
    }
    let Some(step) = next_step(sim, m, t) else {
        return fp;
    };
    if let Some(effect) = step.effect {
        let v = match effect {
            crate::program::Effect::SchedIn(v, _)
            | crate::program::Effect::Halting(v)
            | crate::program::Effect::SchedOut(v)
            | crate::program::Effect::SetCpu(v, _) => v,
        };
        fp.push((Res::Vcpu(v), true));
    }
    // Ending an operation may apply its end effect.
    if let Some((prog, _)) = sim.current(m, t) {
        if let Some(crate::program::Effect::SchedOut(v)) = prog.on_end {
            fp.push((Res::Vcpu(v), true));
        }
    }
    let regs = &m.threads[t].regs;
    let vcpu_of = |r: VRef| match r {
        VRef::Fixed(v) => Some(v),
        VRef::OwnerOf(i) => m.owners[i as usize],
        VRef::Prev => regs.prev,
    };
    let lock_of = |r: LockRef| {
        let id = match r {
            LockRef::IrList(v) => vcpu_of(v).map(LockId::IrList),
            LockRef::Irqfds => Some(LockId::Irqfds),
            LockRef::RqOf(v) => Some(LockId::Rq(m.vcpus[v as usize].cpu)),
            LockRef::Rq(p) => Some(LockId::Rq(p)),
            LockRef::IrqDesc(i) => Some(LockId::IrqDesc(i)),
        };
        id.map(|id| m.lock_slot(id) as u8)
    };
    let irte_of = |r: IrteRef| match r {
        IrteRef::Fixed(i) => Some(i),
        IrteRef::Cursor => regs.cursor,
    };
    let kvm_copy = sim.strategy.knobs.kvm_copy();
    match step.kind {
        StepKind::ReadEntry(v) if kvm_copy => fp.push((Res::KvmEntry(v), false)),
        StepKind::ReadEntry(v) => fp.push((Res::Entry(v), false)),
        StepKind::WriteKvmEntry(v, _) => {
            fp.push((Res::Vcpu(v), false));
            fp.push((Res::KvmEntry(v), true));
        }
        StepKind::ReadVcpuCpu(v) => fp.push((Res::Vcpu(v), false)),
        StepKind::WriteEntry(v, _, _) => {
            fp.push((Res::Vcpu(v), false));
            if sc {
                fp.push((Res::Entry(v), true));
            }
        }
        StepKind::Lock(r) => {
            match r {
                LockRef::IrList(VRef::OwnerOf(i)) => fp.push((Res::Owner(i), false)),
                LockRef::RqOf(v) => fp.push((Res::Vcpu(v), false)),
                _ => {}
            }
            if let Some(slot) = lock_of(r) {
                fp.push((Res::Lock(slot), true));
            }
            if m.locks.contains(&Some(t as u8)) {
                fp.push((Res::LockOrder, true));
            }
        }
        StepKind::Unlock(r) => {
            if let Some(v) = lock_of(r) {
                fp.push((Res::Lock(v), true));
            }
        }
        StepKind::Mb => {}
        StepKind::WalkNext(v) => fp.push((Res::List(v), false)),
        StepKind::UpdateGa(r, _) | StepKind::Activate(r, _, _) | StepKind::Deactivate(r) => {
            if let Some(i) = irte_of(r) {
                fp.push((Res::IrteCopy(i), true));
            }
        }
        StepKind::PublishIrte(r) => {
            if let Some(i) = irte_of(r) {
                fp.push((Res::IrteCopy(i), false));
                fp.push((Res::Irte(i), true));
            }
        }
        StepKind::FlushIrt(r) => {
            if let Some(i) = irte_of(r) {
                fp.push((Res::Irte(i), false));
                fp.push((Res::IrteCache(i), true));
            }
        }
        StepKind::Local => {}
        StepKind::Link(v, i) => {
            fp.push((Res::Owner(i), true));
            if sc {
                fp.push((Res::List(v), true));
            }
        }
        StepKind::Unlink(r, i) => {
            fp.push((Res::Owner(i), true));
            if let (true, Some(v)) = (sc, vcpu_of(r)) {
                fp.push((Res::List(v), true));
            }
        }
        StepKind::Kick(v)
        | StepKind::TestRequest(v)
        | StepKind::VmRun(v)
        | StepKind::VmExit(v)
        | StepKind::SetWaiting(v)
        | StepKind::CheckBlock(v)
        | StepKind::Sleep(v)
        | StepKind::AvicSetIrr(v) => fp.push((Res::Vcpu(v), true)),
        StepKind::IommuRead(i) => fp.push((Res::IrteCache(i), false)),
        StepKind::IommuPost(_) => fp.push((Res::AllVcpus, true)),
        StepKind::IommuNotify(i) => {
            fp.push((Res::Irte(i), false));
            fp.push((Res::AllVcpus, true));
            fp.push((Res::GaLog, true));
        }
        StepKind::GaLogPop => fp.push((Res::GaLog, true)),
        StepKind::Wake => fp.push((Res::AllVcpus, true)),
        StepKind::AvicRead(v) => fp.push((Res::Entry(v), false)),
        StepKind::AvicNotify(_) => fp.push((Res::AllVcpus, true)),
    }
    fp
}

/// Whether `a` and `b` (both enabled in `m`) commute.
pub fn independent(sim: &Sim, m: &Machine, a: Action, b: Action) -> bool {
    if a.thread() == b.thread() {
        return false;
    }
    let fa = footprint(sim, m, a);
    let fb = footprint(sim, m, b);
    !fa.iter().any(|(ra, wa)| {
        fb.iter()
            .any(|(rb, wb)| (*wa || *wb) && conflicts(*ra, *rb))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::{enabled, step};

    /// Independent pairs really commute: same state and same facts in both orders, on every state
    /// of random runs of every scenario and strategy.
    #[test]
    fn independent_actions_commute() {
        for scenario in crate::scenario::ids() {
            for preset in crate::strategy::PRESETS {
                for mm in ["sc", "tso"] {
                    let sim = Sim::from_ids(&scenario, preset.id, mm).unwrap();
                    for seed in 0..8 {
                        let run = crate::explore::random_run(&sim, seed);
                        for n in 0..=run.position() {
                            let m = run.state_at(n);
                            let en = enabled(&sim, m);
                            for (i, &a) in en.iter().enumerate() {
                                for &b in &en[i + 1..] {
                                    if !independent(&sim, m, a, b) {
                                        continue;
                                    }
                                    let (mut ab, mut ba) = (m.clone(), m.clone());
                                    let ea1 = step(&sim, &mut ab, a).unwrap();
                                    let eb1 = step(&sim, &mut ab, b).unwrap();
                                    let eb2 = step(&sim, &mut ba, b).unwrap();
                                    let ea2 = step(&sim, &mut ba, a).unwrap();
                                    assert_eq!(ab, ba, "{scenario} {} {mm}: {a} {b}", preset.id);
                                    assert_eq!(ea1.facts, ea2.facts);
                                    assert_eq!(eb1.facts, eb2.facts);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
