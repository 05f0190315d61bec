//! Halting and APICv toggles: `avic_vcpu_blocking`/`unblocking` around a halt (plain, preempted,
//! resumed elsewhere), and `avic_refresh_apicv_exec_ctrl`.

use super::*;

/// How a halt goes beyond the plain one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Halt {
    /// Block, sleep, wake, unblock.
    Plain,
    /// Preempted after `avic_vcpu_blocking`, before `set_current_state`.
    Preempted,
    /// Woken and scheduled in on another pCPU.
    ResumeOn(u8),
}

pub(super) fn block(knobs: &Knobs, v: u8, halt: Halt) -> Program {
    let mut a = Asm::new();
    let check = put_body(&mut a, knobs, v, true);
    let after_put = a.here();
    a.jump(check, after_put);
    if halt == Halt::Preempted {
        let out = a.emit(
            StepKind::ReadEntry(v),
            "sched out: read entry",
            PUT,
            if knobs.ga_log_only_when_blocking {
                "preempted: avic_vcpu_put(): !IsRunning && blocking && GA_LOG_INTR set → return"
            } else {
                "preempted: avic_vcpu_put(): entry.IsRunning == 0 → return"
            },
        );
        a.effect(out, Effect::Halting(v));
        a.emit(
            StepKind::Local,
            "sched in: early return",
            LOAD,
            "scheduled in: avic_vcpu_load(): kvm_vcpu_is_blocking(vcpu) → return",
        );
    }
    let set = a.emit(
        StepKind::SetWaiting(v),
        "set TASK_INTERRUPTIBLE",
        "kvm_vcpu_block",
        "set_current_state(TASK_INTERRUPTIBLE)   /* smp_store_mb: full barrier */",
    );
    a.effect(set, Effect::Halting(v));
    a.steps[set].quiet = true;
    let pending = a.emit(
        StepKind::CheckBlock(v),
        "check IRR",
        "kvm_vcpu_check_block",
        "if (kvm_vcpu_check_block(vcpu) < 0) goto out   /* IRR pending? */",
    );
    a.steps[pending].quiet = true;
    let sleep = a.emit(
        StepKind::Sleep(v),
        "schedule()",
        "kvm_vcpu_block",
        "schedule()   /* sleep until kvm_vcpu_wake_up() */",
    );
    a.steps[sleep].quiet = true;
    if let Halt::ResumeOn(p) = halt {
        let moved = a.emit(
            StepKind::Local,
            "sched in elsewhere",
            "kvm_arch_vcpu_load",
            format!("woken, runs on pCPU{p}: vcpu->cpu = {p}; avic_vcpu_load(): kvm_vcpu_is_blocking() → return"),
        );
        a.effect(moved, Effect::SetCpu(v, p));
    }
    let out = load_body(&mut a, knobs, v, None);
    a.jump(pending, out);
    let title = match halt {
        Halt::Plain => "halt: avic_vcpu_blocking … schedule() … avic_vcpu_unblocking".to_string(),
        Halt::Preempted => "halt, preempted while blocking … avic_vcpu_unblocking".to_string(),
        Halt::ResumeOn(p) => format!("halt … woken on pCPU{p} … avic_vcpu_unblocking"),
    };
    a.finish(title, None)
}

/// `avic_set_pi_irte_mode()` (up to 6.16): under ir_list_lock, switch every IRTE on the vCPU's
/// list to guest mode or to remapped mode.
pub(super) fn set_pi_irte_mode(a: &mut Asm, knobs: &Knobs, v: u8, activate: bool) {
    const FUNC: &str = "avic_set_pi_irte_mode";
    let ir = LockRef::IrList(VRef::Fixed(v));
    lock(
        a,
        ir,
        "lock ir_list_lock",
        FUNC,
        "spin_lock_irqsave(&svm->ir_list_lock)",
    );
    walk_toggle(a, knobs, v, activate, FUNC);
    unlock(
        a,
        ir,
        "unlock",
        FUNC,
        "spin_unlock_irqrestore(&svm->ir_list_lock)",
    );
}

/// `avic_refresh_apicv_exec_ctrl` on a loaded vCPU: off puts the AVIC and switches its IRTEs to
/// remapped mode; on loads it and switches them back to guest mode. Up to 6.16 the switch is a
/// second walk after the load/put (`avic_set_pi_irte_mode`), whose activation clears IsRun and
/// the destination; 6.17 does it inside `__avic_vcpu_load/put` with the target (f965255dc503).
pub(super) fn apicv_toggle(knobs: &Knobs, v: u8, on: bool) -> Program {
    let mut a = Asm::new();
    let ir = LockRef::IrList(VRef::Fixed(v));
    let in_load_put = knobs.irte_target == IrteTarget::InActivation && knobs.lock_in_load_put;
    if on {
        if in_load_put {
            load_body_with(&mut a, knobs, v, None, Some(REFRESH));
        } else {
            load_body(&mut a, knobs, v, None);
            set_pi_irte_mode(&mut a, knobs, v, true);
        }
        a.finish(
            format!("APICv on: avic_refresh_apicv_exec_ctrl(vCPU{v})"),
            None,
        )
    } else {
        if in_load_put {
            lock(
                &mut a,
                ir,
                "lock ir_list_lock",
                REFRESH,
                "__avic_vcpu_put(AVIC_DEACTIVATE): raw_spin_lock_irqsave(&svm->ir_list_lock)",
            );
            a.emit(
                StepKind::ReadEntry(v),
                "read entry",
                REFRESH,
                entry_read_code(knobs),
            );
            walk_toggle(&mut a, knobs, v, false, REFRESH);
            store_entry(
                &mut a,
                knobs,
                v,
                EntryUpdate::Put(false),
                REFRESH,
                "entry.IsRunning = 0",
            );
            unlock(
                &mut a,
                ir,
                "unlock",
                REFRESH,
                "raw_spin_unlock_irqrestore(&svm->ir_list_lock)",
            );
        } else {
            let check = put_body(&mut a, knobs, v, false);
            let here = a.here();
            a.jump(check, here);
            set_pi_irte_mode(&mut a, knobs, v, false);
        }
        a.finish(
            format!("APICv off: avic_refresh_apicv_exec_ctrl(vCPU{v})"),
            None,
        )
    }
}
