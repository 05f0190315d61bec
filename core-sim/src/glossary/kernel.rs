//! KVM and Linux: vCPUs and their states, load/put, the ir_list, blocking and waking, the locks.

use super::{Term, Topic};

const fn t(
    id: &'static str,
    name: &'static str,
    also: &'static [&'static str],
    definition: &'static str,
    source: &'static str,
) -> Term {
    Term {
        id,
        name,
        also,
        topic: Topic::Kernel,
        definition,
        source,
    }
}

/// The kernel terms, in reading order.
pub(super) const TERMS: &[Term] = &[
    t(
        "vcpu",
        "vCPU",
        &["virtual CPU", "vCPU thread"],
        "A guest's CPU. KVM runs it as a host thread: loaded on a pCPU, it enters the guest with VMRUN and leaves on a #VMEXIT; scheduled out, it is put; halted, it sleeps until woken.",
        "",
    ),
    t(
        "vcpu-state",
        "vCPU state",
        &["in guest", "loaded", "put (runnable)", "halting", "blocked (asleep)"],
        "Where a vCPU is: in guest on a pCPU (after VMRUN), loaded there but back in KVM, put (scheduled out, still runnable), halting (blocking has begun, not yet asleep) or blocked (asleep in schedule()). \", TASK_INTERRUPTIBLE\" means it has announced it will sleep.",
        "svm_vcpu_load/put → avic_vcpu_load/put; kvm_vcpu_block() → avic_vcpu_blocking() (docs/kernel-notes.md §1, §9)",
    ),
    t(
        "vcpu-load",
        "vcpu_load (avic_vcpu_load)",
        &["load", "sched in", "avic_vcpu_load"],
        "What KVM does when a vCPU's thread is scheduled onto a pCPU: write the host ID and IsRunning=1 into its physical ID entry, then walk its ir_list and point every IRTE at that pCPU (IsRun=1). It does nothing while the vCPU is blocking.",
        "avic_vcpu_load(), arch/x86/kvm/svm/avic.c: no lock ≤ v6.5; under ir_list_lock since v6.6 (4c08e737f056); __avic_vcpu_load() with KVM's copy since v6.17 (d921665e01ba); the kvm_vcpu_is_blocking() early return in all (docs/kernel-notes.md §1, §4, §5)",
    ),
    t(
        "vcpu-put",
        "vcpu_put (avic_vcpu_put)",
        &["put", "sched out", "avic_vcpu_put"],
        "What KVM does when a vCPU's thread leaves its pCPU: first the IRTEs on its ir_list get IsRun=0, then the entry gets IsRunning=0. It returns early if IsRunning is already clear.",
        "avic_vcpu_put(), arch/x86/kvm/svm/avic.c: IRTEs before the entry in every version; under ir_list_lock since v6.6 (4c08e737f056) (docs/kernel-notes.md §1, §4, §5)",
    ),
    t(
        "blocking",
        "blocking (halt)",
        &["HLT", "kvm_vcpu_halt", "kvm_vcpu_block", "avic_vcpu_blocking"],
        "A guest with nothing to do executes HLT. KVM puts the vCPU for blocking (IsRunning=0, IRTEs IsRun=0, and from 6.17 GALogIntr=1), sets TASK_INTERRUPTIBLE, checks the IRR once more and, if nothing is pending, sleeps in schedule().",
        "kvm_vcpu_block(), virt/kvm/kvm_main.c (v5.19+, 18869f26df1a) → avic_vcpu_blocking(); AVIC_START_BLOCKING in v6.17 (b03500f03ea0) (docs/kernel-notes.md §5, §9)",
    ),
    t(
        "task-interruptible",
        "TASK_INTERRUPTIBLE",
        &["set_current_state"],
        "The task state a vCPU thread sets before its last check for a pending interrupt: from then on a wake-up makes it runnable again, even if it has not called schedule() yet. set_current_state() is a full barrier, so IsRunning=0 is visible before the IRR is read.",
        "set_current_state() (smp_store_mb, include/linux/sched.h) in kvm_vcpu_block(); the ordering per the avic_vcpu_blocking() comment (docs/kernel-notes.md §9, §11)",
    ),
    t(
        "asleep",
        "asleep",
        &["blocked (asleep)", "schedule()"],
        "A vCPU thread that called schedule() with nothing pending: it is off every pCPU and runs again only when someone calls kvm_vcpu_wake_up(). If its interrupt went to a doorbell nobody answers, nothing will: a lost wake-up.",
        "kvm_vcpu_block(), virt/kvm/kvm_main.c, v5.19+ (docs/kernel-notes.md §9)",
    ),
    t(
        "wake-up",
        "wake-up (kvm_vcpu_wake_up)",
        &["kvm_vcpu_wake_up", "rcuwait_wake_up"],
        "Making a sleeping vCPU thread runnable again. The GA log handler calls it for the vCPU named by the GA tag; KVM calls it for an IPI to a vCPU that is not running. It has no effect on a vCPU that is running.",
        "kvm_vcpu_wake_up(), virt/kvm/kvm_main.c; called from avic_ga_log_notifier() and avic_kick_target_vcpus(), all versions (docs/kernel-notes.md §1, §9, §10)",
    ),
    t(
        "posted-interrupt",
        "posted interrupt",
        &["device posted interrupt", "IRQ bypass"],
        "A device interrupt delivered straight to a guest: the IOMMU sets the bit in the vCPU's IRR and rings its doorbell (or logs it), and the host never handles it. KVM sets this up through the IRQ-bypass path.",
        "avic_pi_update_irte() → irq_set_vcpu_affinity() → amd_ir_set_vcpu_affinity(), all versions (docs/kernel-notes.md §1, §2, §5)",
    ),
    t(
        "irte-update",
        "IRTE update (avic_pi_update_irte)",
        &["IRQ affinity updater", "retarget", "avic_pi_update_irte"],
        "KVM's path that points an IRTE at a (new) vCPU when the guest's interrupt routing changes: it rewrites the IRTE for guest mode and links it to the vCPU's ir_list. The posted 2023 patch, the 6.6 fix and the 6.17 rework are different ways of writing it.",
        "avic_pi_update_irte(), arch/x86/kvm/svm/avic.c: ≤ v6.5; f3cebc75e742 (v6.6); c3d591c91f9c, f965255dc503 (v6.17) (docs/kernel-notes.md §1, §3, §4, §5)",
    ),
    t(
        "irte-software-copy",
        "IRTE software copy",
        &["ir_data->entry", "unpublished"],
        "The driver's own copy of an IRTE: fields are edited there, outside the table's lock, and then published into the table in one 128-bit cmpxchg. The row appears only while the copy holds an edit not yet published.",
        "amd_iommu_update_ga(), amd_iommu_activate_guest_mode() edit ir_data->entry; modify_irte_ga() publishes it, drivers/iommu/amd/iommu.c, v6.5+ (a42f0c7a4118) (docs/kernel-notes.md §2, §11)",
    ),
    t(
        "ir-list",
        "ir_list",
        &["svm->ir_list", "amd_svm_iommu_ir"],
        "A per-vCPU list of the IRTEs that post to that vCPU. Load and put walk it to update each IRTE's IsRun and Destination; an IRTE update links the IRTE into it. An IRTE missing from the list is not updated when its vCPU moves or sleeps.",
        "avic_update_iommu_vcpu_affinity() (≤ v6.16), svm_ir_list_add()/svm_ir_list_del() (≤ v6.16), avic_pi_update_irte() (v6.17, 0a917e9d4b70) (docs/kernel-notes.md §1, §4, §5)",
    ),
    t(
        "ir-list-lock",
        "ir_list_lock",
        &["svm->ir_list_lock"],
        "The spinlock of a vCPU's ir_list. Since 6.6 load and put hold it while they write the entry and walk the list, and the IRTE update takes it to read the entry, so the two sides cannot interleave; since 6.17 it is held across the whole IRTE write.",
        "4c08e737f056, f3cebc75e742 (v6.6); c3d591c91f9c (v6.17); raw spinlock since fd92bd3b4445 (v6.18-rc) (docs/kernel-notes.md §4, §5)",
    ),
    t(
        "kvm-entry-copy",
        "KVM's copy of the entry",
        &["svm->avic_physical_id_entry", "shadow entry"],
        "From 6.17 KVM keeps its own copy of each physical ID entry and reads that, under ir_list_lock, instead of the table. It also holds a synthetic GA-log bit (61) that never reaches the hardware table.",
        "svm->avic_physical_id_entry, d921665e01ba (v6.17); AVIC_PHYSICAL_ID_ENTRY_GA_LOG_INTR in __avic_vcpu_put() (docs/kernel-notes.md §5, §6, §11)",
    ),
    t(
        "host-locks",
        "other locks",
        &["kvm->irqfds.lock", "irq_desc->lock", "rq->lock"],
        "Host locks the race passes through: kvm->irqfds.lock serialises IRTE updaters (since 6.15), irq_desc->lock is held while an IRTE is activated, and a pCPU's rq->lock is held while the scheduler puts a vCPU. Taking them in a cycle is the 6.17 lock-order problem.",
        "f1fb088d9cec (v6.15); irq_set_vcpu_affinity() → irq_get_desc_lock(); kvm_sched_out() → __avic_vcpu_put(); lockdep report of 22 Dec 2025 (docs/kernel-notes.md §5, §11)",
    ),
    t(
        "guest-took",
        "guest took",
        &["delivered"],
        "The vectors the guest has actually taken so far: what the IRR held when the vCPU got a doorbell in the guest or entered it. A vector in the IRR but never here, with the vCPU asleep for good, is a lost wake-up.",
        "",
    ),
    t(
        "vcpu-request",
        "vCPU request",
        &["refresh requested", "kick IPI pending"],
        "Only in the `kick` design: instead of writing the IRTE itself, the updater asks the vCPU to refresh its IRTEs (a KVM request) and kicks it out of the guest with an IPI. A design nobody shipped.",
        "",
    ),
    t(
        "kick-ipi",
        "kick IPIs",
        &["costs"],
        "Only in the `kick` design: how many IPIs the updater sent to force a vCPU out of the guest. It is the price of that design.",
        "",
    ),
    t(
        "vmrun-vmexit",
        "VMRUN / #VMEXIT",
        &["VM entry", "VM exit", "in guest"],
        "VMRUN enters the guest on the current pCPU; a #VMEXIT returns to KVM, with the vCPU still loaded. Pending IRR bits are taken at VM entry.",
        "",
    ),
    t(
        "lockdep",
        "lockdep",
        &["lock order", "lock-order cycle"],
        "The kernel's lock validator: it learns the order in which lock classes are taken and reports a possible deadlock when an order closes a cycle, even if the deadlock did not happen. The lab's deadlock oracle does the same.",
        "kernel/locking/lockdep.c; the ir_list_lock / irq_desc / rq cycle reported on 6.19-rc2, 22 Dec 2025 (docs/kernel-notes.md §11)",
    ),
];
