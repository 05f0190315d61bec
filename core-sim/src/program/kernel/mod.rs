//! The kernel operations written as micro-step programs, one per strategy.
//!
//! Sources (read, not copied): `arch/x86/kvm/svm/avic.c` and `drivers/iommu/amd/iommu.c` in Linux 6.5
//! (before the fix), 6.6 (the ir_list_lock fix) and 6.17 (the IRQ-bypass rework); see
//! `docs/kernel-notes.md` for the function-by-function mapping.
//!
//! One file per part: `asm` the assembler, `avic` the table entry and the entry path, `iommu`
//! IRTEs and `ir_list`s, `affinity` retargeting an interrupt, `block` halts and APICv toggles;
//! this file compiles an operation of a thread into its program.

mod affinity;
mod asm;
mod avic;
mod block;
mod iommu;

use self::affinity::*;
use self::asm::*;
use self::avic::*;
use self::block::*;
use self::iommu::*;
use super::ops::{Actor, Op};
use super::step::LockRef;
use super::step::*;
use crate::strategy::{IrteTarget, Knobs};

/// What the compiler needs to know about the world beyond the operation itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// Model the scheduler's `rq->lock` around a sched-out put (only worth its steps when some
    /// other thread takes a run-queue lock too).
    pub rq_locks: bool,
}

/// Compile one operation of a thread for a strategy, in the default context.
pub fn compile(actor: Actor, op: Op, knobs: &Knobs) -> Program {
    compile_in(actor, op, knobs, &Context::default())
}

/// Compile one operation of a thread for a strategy.
pub fn compile_in(actor: Actor, op: Op, knobs: &Knobs, ctx: &Context) -> Program {
    let v = match actor {
        Actor::Vcpu(v) => v,
        _ => 0,
    };
    let mut a = Asm::new();
    match op {
        Op::Load { pcpu } => {
            load_body(&mut a, knobs, v, Some(pcpu));
            a.finish(format!("avic_vcpu_load(vCPU{v}, pCPU{pcpu})"), None)
        }
        Op::Put => {
            let rq = LockRef::RqOf(v);
            if ctx.rq_locks {
                lock(
                    &mut a,
                    rq,
                    "lock rq",
                    "__schedule",
                    "rq_lock(rq)   /* schedule(): kvm_sched_out() runs under it */",
                );
            }
            let check = put_body(&mut a, knobs, v, false);
            let end = a.here();
            a.jump(check, end);
            if ctx.rq_locks {
                unlock(
                    &mut a,
                    rq,
                    "unlock rq",
                    "finish_task_switch",
                    "rq_unlock(rq)",
                );
            }
            a.finish(format!("avic_vcpu_put(vCPU{v})"), Some(Effect::SchedOut(v)))
        }
        Op::Enter => {
            enter_body(&mut a, knobs, v);
            a.finish(format!("enter guest (vCPU{v})"), None)
        }
        Op::Exit => {
            a.emit(
                StepKind::VmExit(v),
                "#VMEXIT",
                "svm_vcpu_run",
                "#VMEXIT   /* back in KVM, still loaded */",
            );
            a.finish(format!("exit guest (vCPU{v})"), None)
        }
        Op::Block => block(knobs, v, Halt::Plain),
        Op::BlockPreempted => block(knobs, v, Halt::Preempted),
        Op::BlockResumeOn { pcpu } => block(knobs, v, Halt::ResumeOn(pcpu)),
        Op::ApicvOff => apicv_toggle(knobs, v, false),
        Op::ApicvOn => apicv_toggle(knobs, v, true),
        Op::UpdateAffinity { irte, vcpu } => update_affinity(knobs, irte, vcpu),
        Op::Interrupt { irte } => {
            a.emit(
                StepKind::IommuRead(irte),
                "IOMMU reads cached IRTE",
                "IOMMU",
                format!("mode, vector, root = cache(IRT[{irte}])   /* cached until invalidated */"),
            );
            a.emit(
                StepKind::IommuPost(irte),
                "IOMMU sets IRR",
                "IOMMU",
                "GuestMode ? set_bit(vector, root.IRR) : remap to host",
            );
            a.emit(
                StepKind::IommuNotify(irte),
                "IOMMU notifies",
                "IOMMU",
                format!("IRT[{irte}].IsRun ? doorbell(Destination) : GALogIntr ? GA log(GATag) : nothing   /* not cached: read afresh */"),
            );
            a.finish(format!("device interrupt via IRTE{irte}"), None)
        }
        Op::Ipi { to } => {
            let set_irr = |a: &mut Asm| {
                a.emit(
                    StepKind::AvicSetIrr(to),
                    "AVIC sets IRR",
                    "AVIC",
                    "set_bit(IPI vector, backing_page(target).IRR)",
                );
            };
            let read = |a: &mut Asm| {
                a.emit(
                    StepKind::AvicRead(to),
                    "AVIC reads entry",
                    "AVIC",
                    format!("e = physical_id_table[vCPU{to}]   /* one 64-bit read, after the IRR write */"),
                );
            };
            if knobs.avic_erratum_1235 {
                // The erratum: the IsRunning read is not ordered after the IRR write.
                a.emit(
                    StepKind::AvicRead(to),
                    "AVIC reads entry (early)",
                    "AVIC",
                    format!("e = physical_id_table[vCPU{to}]   /* erratum #1235: read before the IRR write is seen */"),
                );
                set_irr(&mut a);
            } else {
                set_irr(&mut a);
                read(&mut a);
            }
            a.emit(
                StepKind::AvicNotify(to),
                "AVIC notifies",
                "AVIC",
                "e.IsRunning ? doorbell(e.host_id) : #VMEXIT(INCOMPLETE_IPI) → avic_kick_target_vcpus",
            );
            a.finish(format!("guest IPI → vCPU{to}"), None)
        }
        Op::HostAffinity { irte, pcpu } => {
            let desc = LockRef::IrqDesc(irte);
            let rq = LockRef::Rq(pcpu);
            lock(
                &mut a,
                desc,
                "lock irq_desc",
                "irq_set_affinity",
                "raw_spin_lock_irqsave(&desc->lock)",
            );
            lock(
                &mut a,
                rq,
                "lock rq",
                "wake_up_process",
                "irq_set_thread_affinity() → wake_up_process(): rq_lock(task_rq)",
            );
            unlock(&mut a, rq, "unlock rq", "wake_up_process", "rq_unlock()");
            unlock(
                &mut a,
                desc,
                "unlock irq_desc",
                "irq_set_affinity",
                "raw_spin_unlock_irqrestore(&desc->lock)",
            );
            a.finish(format!("irq_set_affinity(IRTE{irte}'s host IRQ)"), None)
        }
    }
}

/// The GA-log interrupt handler's program (`avic_ga_log_notifier`), run whenever the log is not empty.
pub fn ga_log_handler() -> Program {
    let mut a = Asm::new();
    a.emit(
        StepKind::GaLogPop,
        "pop GA log",
        "avic_ga_log_notifier",
        "vcpu = vcpu of GATag from ga_log.pop()   /* GA-log interrupt */",
    );
    a.emit(
        StepKind::Wake,
        "wake vCPU",
        "avic_ga_log_notifier",
        "kvm_vcpu_wake_up(vcpu)",
    );
    a.finish("avic_ga_log_notifier".into(), None)
}

/// What a vCPU thread runs when a kick IPI forced it out of the guest.
pub fn forced_exit(knobs: &Knobs, v: u8) -> Program {
    let mut a = Asm::new();
    a.emit(
        StepKind::VmExit(v),
        "#VMEXIT (kick)",
        "svm_vcpu_run",
        "#VMEXIT   /* the kick IPI */",
    );
    enter_body(&mut a, knobs, v);
    a.finish(format!("kicked: exit and re-enter (vCPU{v})"), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::Strategy;

    fn kinds(p: &Program) -> Vec<StepKind> {
        p.steps.iter().map(|s| s.kind).collect()
    }

    #[test]
    fn lock_fix_load_holds_the_lock_around_entry_and_walk() {
        let k = Strategy::preset("lock-fix").unwrap().knobs;
        let p = compile(Actor::Vcpu(0), Op::Load { pcpu: 1 }, &k);
        let ks = kinds(&p);
        assert!(matches!(
            ks[0],
            StepKind::Lock(LockRef::IrList(VRef::Fixed(0)))
        ));
        assert!(matches!(ks[1], StepKind::ReadEntry(0)));
        assert!(matches!(
            ks.last().unwrap(),
            StepKind::Unlock(LockRef::IrList(VRef::Fixed(0)))
        ));
    }

    #[test]
    fn pre_2023_put_clears_entry_after_unlocking() {
        let k = Strategy::preset("pre-2023").unwrap().knobs;
        let p = compile(Actor::Vcpu(0), Op::Put, &k);
        assert!(matches!(
            p.steps.last().unwrap().kind,
            StepKind::WriteEntry(0, Some(EntryUpdate::Put(false)), Part::Whole)
        ));
        // The early return ends the operation.
        assert_eq!(p.steps[0].jump, Some(p.steps.len()));
    }

    #[test]
    fn plain_write_tears_into_two_steps() {
        let k = Strategy::preset("lock-fix-plain-write").unwrap().knobs;
        let p = compile(Actor::Vcpu(0), Op::Load { pcpu: 0 }, &k);
        let parts: Vec<Part> = p
            .steps
            .iter()
            .filter_map(|s| match s.kind {
                StepKind::WriteEntry(_, _, part) => Some(part),
                _ => None,
            })
            .collect();
        assert_eq!(parts, vec![Part::Hi, Part::Lo]);
    }

    #[test]
    fn every_jump_stays_inside_its_program() {
        for preset in crate::strategy::PRESETS {
            for op in [
                Op::Load { pcpu: 1 },
                Op::Put,
                Op::Enter,
                Op::Exit,
                Op::Block,
                Op::UpdateAffinity { irte: 0, vcpu: 0 },
            ] {
                let actor = if matches!(op, Op::UpdateAffinity { .. }) {
                    Actor::Updater
                } else {
                    Actor::Vcpu(0)
                };
                let p = compile(actor, op, &preset.knobs);
                for s in &p.steps {
                    for t in [s.jump, s.next].into_iter().flatten() {
                        assert!(t <= p.steps.len(), "{} {}: jump {t}", preset.id, p.title);
                    }
                }
            }
        }
    }
}
