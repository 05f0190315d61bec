//! Retargeting an interrupt: `avic_pi_update_irte` (the updater's side of the race) and the
//! table-entry read it depends on.

use super::*;

/// Read the entry for the updater; with plain loads the IsRunning test and the host ID use may
/// be two loads. Returns the step whose jump means "not running".
pub(super) fn read_entry_for_target(
    a: &mut Asm,
    knobs: &Knobs,
    v: u8,
    func: &'static str,
) -> usize {
    if knobs.read_once {
        a.emit(
            StepKind::ReadEntry(v),
            "read entry",
            func,
            format!("{}; if (entry.IsRunning)", entry_read_code(knobs)),
        )
    } else {
        let test = a.emit(
            StepKind::ReadEntry(v),
            "read entry (test)",
            func,
            "if ((*entry_ptr).IsRunning)   /* plain load #1 */",
        );
        a.emit(
            StepKind::ReadEntry(v),
            "read entry (use)",
            func,
            "    cpu = (*entry_ptr).host_id      /* plain load #2 */",
        );
        test
    }
}

pub(super) fn update_affinity(knobs: &Knobs, irte: u8, v: u8) -> Program {
    let mut a = Asm::new();
    if knobs.irqfds_lock {
        let at = lock(
            &mut a,
            LockRef::Irqfds,
            "lock irqfds.lock",
            "kvm_irq_routing_update",
            "spin_lock_irq(&kvm->irqfds.lock)",
        );
        a.origin(at, Origin::Before);
    }
    let ir = LockRef::IrList(VRef::Fixed(v));
    match knobs.irte_target {
        IrteTarget::Never
        | IrteTarget::VcpuCpu
        | IrteTarget::AfterListAdd
        | IrteTarget::UnderListLock => {
            set_vcpu_affinity(
                &mut a,
                irte,
                v,
                ActivateTarget::Cleared,
                "amd_iommu_activate_guest_mode(): entry = 0; GuestMode = 1, IsRun = 0, dest = 0, GALogIntr = 1, tag/root/vector",
            );
            if knobs.irte_target == IrteTarget::VcpuCpu {
                a.emit(
                    StepKind::ReadVcpuCpu(v),
                    "read vcpu->cpu",
                    PI_UPDATE,
                    "cpu = svm->vcpu.cpu   /* plain read, no lock */",
                );
                a.emit(
                    StepKind::UpdateGa(IrteRef::Fixed(irte), GaUpdate::Run(None)),
                    "edit IRTE copy",
                    PI_UPDATE,
                    "amd_iommu_update_ga(kvm_cpu_get_apicid(cpu), IsRun = true, pi.ir_data)",
                );
                publish(&mut a, IrteRef::Fixed(irte), false, "amd_iommu_update_ga");
            }
            list_del(&mut a, knobs, irte);
            lock(
                &mut a,
                ir,
                "lock ir_list_lock",
                LIST_ADD,
                "spin_lock_irqsave(&svm->ir_list_lock)",
            );
            if knobs.irte_target == IrteTarget::UnderListLock {
                let test = read_entry_for_target(&mut a, knobs, v, LIST_ADD);
                a.emit(
                    StepKind::UpdateGa(IrteRef::Fixed(irte), GaUpdate::Run(None)),
                    "edit IRTE copy",
                    LIST_ADD,
                    "    amd_iommu_update_ga(pi->ir_data, cpu = entry.host_id, IsRun = 1)",
                );
                publish(&mut a, IrteRef::Fixed(irte), false, "amd_iommu_update_ga");
                let link = a.here();
                a.jump(test, link);
            }
            a.emit(
                StepKind::Link(v, irte),
                "link into ir_list",
                LIST_ADD,
                "list_add(&ir->node, &svm->ir_list)",
            );
            unlock(
                &mut a,
                ir,
                "unlock",
                LIST_ADD,
                "spin_unlock_irqrestore(&svm->ir_list_lock)",
            );
            if knobs.irte_target == IrteTarget::AfterListAdd {
                if knobs.smp_mb {
                    a.emit(
                        StepKind::Mb,
                        "smp_mb",
                        PI_UPDATE,
                        "smp_mb()   /* publish the link before reading the entry */",
                    );
                }
                let test = read_entry_for_target(&mut a, knobs, v, PI_UPDATE);
                a.emit(
                    StepKind::UpdateGa(IrteRef::Fixed(irte), GaUpdate::Run(None)),
                    "edit IRTE copy",
                    PI_UPDATE,
                    "    amd_iommu_update_ga(pi.ir_data, cpu = entry.host_id, IsRun = 1)",
                );
                publish(&mut a, IrteRef::Fixed(irte), false, "amd_iommu_update_ga");
                let end = a.here();
                a.jump(test, end);
            }
        }
        IrteTarget::InActivation => {
            list_del(&mut a, knobs, irte);
            lock(
                &mut a,
                ir,
                "lock ir_list_lock",
                PI_UPDATE,
                "guard(raw_spinlock_irqsave)(&svm->ir_list_lock)",
            );
            if knobs.read_once {
                a.emit(
                    StepKind::ReadEntry(v),
                    "read entry",
                    PI_UPDATE,
                    format!(
                        "{}; pi.cpu = IsRunning ? host_id : -1",
                        entry_read_code(knobs)
                    ),
                );
            } else {
                a.emit(
                    StepKind::ReadEntry(v),
                    "read entry (test)",
                    PI_UPDATE,
                    "if (entry.IsRunning)   /* plain load #1 */",
                );
                a.emit(
                    StepKind::ReadEntry(v),
                    "read entry (use)",
                    PI_UPDATE,
                    "    pi.cpu = entry.host_id   /* plain load #2 */",
                );
            }
            set_vcpu_affinity(
                &mut a,
                irte,
                v,
                ActivateTarget::FromEntry,
                "amd_iommu_activate_guest_mode(cpu, ga_log_intr): entry = 0; GA mode with IsRun/dest or GALogIntr from entry",
            );
            a.emit(
                StepKind::Link(v, irte),
                "link into ir_list",
                PI_UPDATE,
                "list_add(&irqfd->vcpu_list, &svm->ir_list)",
            );
            unlock(
                &mut a,
                ir,
                "unlock",
                PI_UPDATE,
                "/* guard drops ir_list_lock */",
            );
        }
    }
    if knobs.irqfds_lock {
        let at = unlock(
            &mut a,
            LockRef::Irqfds,
            "unlock irqfds.lock",
            "kvm_irq_routing_update",
            "spin_unlock_irq(&kvm->irqfds.lock)",
        );
        a.origin(at, Origin::After);
    }
    if knobs.kick {
        a.emit(
            StepKind::Kick(v),
            "kick vCPU",
            "kvm_vcpu_kick",
            "kvm_make_request(KVM_REQ_IRTE_REFRESH, vcpu); kvm_vcpu_kick(vcpu)",
        );
    }
    a.finish(format!("avic_pi_update_irte(IRTE{irte} → vCPU{v})"), None)
}
