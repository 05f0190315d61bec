//! The IOMMU side: publishing an IRTE, walking a vCPU's `ir_list`, activating and deactivating
//! guest mode, unlinking an IRTE from its list, and `irq_set_vcpu_affinity`.

use super::*;

/// Publish an IRTE's software copy (`modify_irte_ga`: cmpxchg128 under the table lock) and, when
/// asked, flush the IOMMU's cached copy (`iommu_flush_irt_and_complete`).
pub(super) fn publish(a: &mut Asm, irte: IrteRef, flush: bool, func: &'static str) {
    let at = a.emit(
        StepKind::PublishIrte(irte),
        "publish IRTE",
        func,
        "modify_irte_ga(): try_cmpxchg128(&table[index], &old, ir_data->entry)",
    );
    a.origin(at, Origin::After);
    if flush {
        let at = a.emit(
            StepKind::FlushIrt(irte),
            "flush IRT",
            func,
            "iommu_flush_irt_and_complete()   /* INVALIDATE_INTERRUPT_TABLE + COMPLETION_WAIT */",
        );
        a.origin(at, Origin::After);
    }
}

/// `list_for_each_entry(ir, &svm->ir_list) amd_iommu_update_ga(...)`; returns the walk's first step.
///
/// `amd_iommu_update_ga` edits IsRun/Destination (and, in 6.17, GALogIntr) in the software copy
/// and publishes it; 6.5/6.6 also flushed the IOMMU's cache afterwards, 6.7 stopped (57cdb720eaa5)
/// because those fields are not cached: the model's flush would change nothing, so it is left out.
pub(super) fn walk_irtes(a: &mut Asm, v: u8, how: GaUpdate, func: &'static str) -> usize {
    let walk = a.emit(
        StepKind::WalkNext(v),
        "walk ir_list",
        func,
        "list_for_each_entry(ir, &svm->ir_list, node)",
    );
    let code = match how {
        GaUpdate::Run(_) => "    amd_iommu_update_ga(ir->data, cpu = entry.host_id, IsRun = 1)",
        GaUpdate::NotRunning(Some(true)) => {
            "    amd_iommu_update_ga(ir->data, cpu = -1: IsRun = 0, GALogIntr = 1)"
        }
        GaUpdate::NotRunning(Some(false)) => {
            "    amd_iommu_update_ga(ir->data, cpu = -1: IsRun = 0, GALogIntr = 0)"
        }
        GaUpdate::NotRunning(None) => "    amd_iommu_update_ga(ir->data, cpu = -1, IsRun = 0)",
        GaUpdate::FromEntry => {
            "    amd_iommu_update_ga(ir->data, entry.IsRunning ? entry.host_id : -1)"
        }
    };
    a.emit(
        StepKind::UpdateGa(IrteRef::Cursor, how),
        "edit IRTE copy",
        func,
        code,
    );
    let last = a.emit(
        StepKind::PublishIrte(IrteRef::Cursor),
        "publish IRTE",
        func,
        "    modify_irte_ga(): try_cmpxchg128(&table[index], &old, ir_data->entry)",
    );
    a.origin(last, Origin::After);
    a.goto(last, walk);
    let end = a.here();
    a.jump(walk, end);
    walk
}

/// The walk of `avic_refresh_apicv_exec_ctrl` / `avic_set_pi_irte_mode`: switch every IRTE on the
/// list to guest mode (`activate`) or to remapped mode; each switch is published and flushed.
pub(super) fn walk_toggle(a: &mut Asm, knobs: &Knobs, v: u8, activate: bool, func: &'static str) {
    let walk = a.emit(
        StepKind::WalkNext(v),
        "walk ir_list",
        func,
        "list_for_each_entry(ir, &svm->ir_list, node)",
    );
    if activate {
        let (target, code) = if knobs.irte_target == IrteTarget::InActivation {
            (
                ActivateTarget::FromEntry,
                "    amd_iommu_activate_guest_mode(ir->data, cpu, ga_log_intr)",
            )
        } else {
            (
                ActivateTarget::Cleared,
                "    amd_iommu_activate_guest_mode(ir->data): IsRun = 0, dest = 0, GALogIntr = 1",
            )
        };
        a.emit(
            StepKind::Activate(IrteRef::Cursor, v, target),
            "activate IRTE copy",
            func,
            code,
        );
    } else {
        a.emit(
            StepKind::Deactivate(IrteRef::Cursor),
            "deactivate IRTE copy",
            func,
            "    amd_iommu_deactivate_guest_mode(ir->data): GuestMode = 0 (remapped)",
        );
    }
    a.emit(
        StepKind::PublishIrte(IrteRef::Cursor),
        "publish IRTE",
        func,
        "    modify_irte_ga(): try_cmpxchg128(&table[index], &old, ir_data->entry)",
    );
    let last = a.emit(
        StepKind::FlushIrt(IrteRef::Cursor),
        "flush IRT",
        func,
        "    iommu_flush_irt_and_complete()",
    );
    a.goto(last, walk);
    let end = a.here();
    a.jump(walk, end);
}

/// Remove the IRTE from the ir_list of the vCPU it was posted to before, if any.
pub(super) fn list_del(a: &mut Asm, knobs: &Knobs, irte: u8) {
    let first = lock(
        a,
        LockRef::IrList(VRef::OwnerOf(irte)),
        "lock prev ir_list_lock",
        LIST_DEL,
        "if (prev vCPU) { spin_lock_irqsave(&prev_svm->ir_list_lock)",
    );
    a.emit(
        StepKind::Unlink(VRef::Prev, irte),
        "unlink from prev",
        LIST_DEL,
        "    list_del(&ir->node)",
    );
    if knobs.disarm_on_unlink {
        a.emit(
            StepKind::UpdateGa(IrteRef::Fixed(irte), GaUpdate::NotRunning(Some(true))),
            "disarm IRTE copy",
            LIST_DEL,
            "    amd_iommu_update_ga(ir->data, cpu = -1, ga_log_intr = true)   /* candidate fix */",
        );
        publish(a, IrteRef::Fixed(irte), false, LIST_DEL);
    }
    unlock(
        a,
        LockRef::IrList(VRef::Prev),
        "unlock prev",
        LIST_DEL,
        "    spin_unlock_irqrestore(&prev_svm->ir_list_lock) }",
    );
    let end = a.here();
    a.jump(first, end);
}

/// `irq_set_vcpu_affinity()` → `amd_ir_set_vcpu_affinity()`: under the host interrupt's
/// `irq_desc->lock`, rewrite the IRTE's software copy in GA mode, publish it, flush the IOMMU.
pub(super) fn set_vcpu_affinity(a: &mut Asm, irte: u8, v: u8, target: ActivateTarget, code: &str) {
    let desc = LockRef::IrqDesc(irte);
    let first = lock(
        a,
        desc,
        "lock irq_desc",
        SET_AFFINITY,
        "irq_get_desc_lock(host_irq)   /* raw_spin_lock(&desc->lock) */",
    );
    a.origin(first, Origin::Before);
    a.emit(
        StepKind::Activate(IrteRef::Fixed(irte), v, target),
        "activate IRTE copy",
        "amd_iommu_activate_guest_mode",
        code,
    );
    publish(
        a,
        IrteRef::Fixed(irte),
        true,
        "amd_iommu_activate_guest_mode",
    );
    let last = unlock(
        a,
        desc,
        "unlock irq_desc",
        SET_AFFINITY,
        "irq_put_desc_unlock(desc)",
    );
    a.origin(last, Origin::After);
}
