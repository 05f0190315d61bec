//! AMD hardware: AVIC, the physical APIC ID table, the IOMMU and its IRTEs, doorbells.

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
        topic: Topic::Hardware,
        definition,
        source,
    }
}

/// The hardware terms, in reading order.
pub(super) const TERMS: &[Term] = &[
    t(
        "avic",
        "AVIC",
        &["Advanced Virtual Interrupt Controller", "APICv (KVM's generic name)"],
        "AMD's hardware support for a guest's local APIC: interrupts for a vCPU are written into its vAPIC backing page and, if it is running, announced to its pCPU by a doorbell, so the guest takes them without a VM exit.",
        "KVM's side: arch/x86/kvm/svm/avic.c (docs/kernel-notes.md §1, §5)",
    ),
    t(
        "pcpu",
        "pCPU",
        &["physical CPU", "host CPU"],
        "A real CPU of the host. A vCPU runs on one pCPU at a time; each pCPU has a host physical APIC ID.",
        "",
    ),
    t(
        "host-apic-id",
        "host physical APIC ID",
        &["host ID", "h_physical_id"],
        "The APIC ID of a pCPU: where a doorbell is sent. KVM writes it into the physical ID entry (bits 11:0) and into the IRTE's Destination.",
        "kvm_cpu_get_apicid(cpu) in avic_vcpu_load(), all versions; mask 11:0 since 4a204f789587 (docs/kernel-notes.md §1, §6)",
    ),
    t(
        "backing-page",
        "vAPIC backing page",
        &["backing page", "GA root", "ga_root_ptr"],
        "The page that holds a vCPU's virtual APIC registers, its IRR among them. Its address is in the vCPU's physical ID entry (bits 51:12) and in each IRTE posting to it (ga_root_ptr, the \"GA root\").",
        "for AVIC it is vcpu->arch.apic->regs; AVIC_PHYSICAL_ID_ENTRY_BACKING_PAGE_MASK, arch/x86/include/asm/svm.h (docs/kernel-notes.md §6, §7, §9)",
    ),
    t(
        "irr",
        "IRR",
        &["vIRR", "Interrupt Request Register"],
        "The Interrupt Request Register in the backing page: one bit per pending vector. AVIC and the IOMMU set it before they ring a doorbell or log; the guest takes the interrupt on the doorbell or at its next VM entry, and a halting vCPU that sees a bit set does not go to sleep.",
        "\"the IOMMU should have already set the pending bit in the vAPIC backing page\": avic_ga_log_notifier(), all versions; the vIRR check in kvm_vcpu_check_block() (docs/kernel-notes.md §1, §9)",
    ),
    t(
        "physical-id-table",
        "AVIC physical APIC ID table",
        &["physical ID table", "avic_physical_id_table"],
        "A table in memory with one 64-bit entry per vCPU of a VM, indexed by the guest's APIC ID. AVIC reads it to deliver an IPI from one vCPU to another: to find where the target runs, or that it does not.",
        "arch/x86/include/asm/svm.h, AVIC_PHYSICAL_ID_ENTRY_* (docs/kernel-notes.md §6)",
    ),
    t(
        "physical-id-entry",
        "physical ID entry",
        &["entry", "avic_physical_id_cache"],
        "One vCPU's entry in the physical APIC ID table: host physical APIC ID (bits 11:0), backing page (51:12), IsRunning (62), Valid (63). KVM writes it whole with WRITE_ONCE in load and put; the lab shows it as the real 64-bit value.",
        "avic_vcpu_load()/avic_vcpu_put(), arch/x86/kvm/svm/avic.c: no lock up to v6.5, under ir_list_lock since v6.6 (4c08e737f056) (docs/kernel-notes.md §1, §4, §6)",
    ),
    t(
        "is-running",
        "IsRunning",
        &["IsRunning bit", "bit 62"],
        "Bit 62 of the physical ID entry: the vCPU is loaded on the pCPU named by the host ID. AVIC rings that pCPU's doorbell for an IPI when it is set; when it is clear the sender exits to KVM (AVIC_INCOMPLETE_IPI, TARGET_NOT_RUNNING), which wakes the target. Not the IRTE's IsRun.",
        "set in avic_vcpu_load(), cleared in avic_vcpu_put() and avic_vcpu_blocking(), all versions; avic_incomplete_ipi_interception() (docs/kernel-notes.md §1, §10)",
    ),
    t(
        "iommu",
        "IOMMU",
        &["AMD-Vi", "AMD IOMMU"],
        "The I/O memory management unit between devices and memory. Its interrupt remapping looks up every device interrupt in an IRTE; in guest (GA) mode it posts the interrupt to a vCPU instead of the host.",
        "drivers/iommu/amd/iommu.c (docs/kernel-notes.md §2)",
    ),
    t(
        "irte",
        "IRTE",
        &["interrupt remapping table entry", "struct irte_ga", "IRT entry"],
        "The IOMMU's entry for one device interrupt. In GA mode (128 bits, struct irte_ga) it holds GuestMode, IsRun, Destination, GALogIntr, the GA tag, the vector and the GA root. Linux edits a software copy and publishes it whole.",
        "struct irte_ga, drivers/iommu/amd/amd_iommu_types.h; published by modify_irte_ga() with try_cmpxchg128 since v6.5 (b9ae9266b196) (docs/kernel-notes.md §2, §7)",
    ),
    t(
        "guest-mode",
        "guest mode (GA mode)",
        &["GuestMode", "GA", "guest virtual APIC mode", "posted"],
        "An IRTE with GuestMode=1 posts its interrupt to a vCPU (backing page, then doorbell or GA log) instead of remapping it to a host vector. \"GA vCPU0\" in a state row means: in guest mode, posting to vCPU0. \"remapped (legacy)\" means the host takes it.",
        "amd_iommu_activate_guest_mode() / amd_iommu_deactivate_guest_mode(), drivers/iommu/amd/iommu.c, v6.4–v6.16 and v6.17 (f965255dc503) (docs/kernel-notes.md §2, §5)",
    ),
    t(
        "irte-is-run",
        "IsRun (IRTE)",
        &["IsRun", "is_run"],
        "The IRTE's bit for \"the target vCPU is running\". Set: the IOMMU rings the doorbell of Destination. Clear: it writes the GA log if GALogIntr is set, otherwise it only sets the IRR. KVM keeps it in step with IsRunning on load and put.",
        "amd_iommu_update_ga(), drivers/iommu/amd/iommu.c; activation writes IsRun=0 in v6.4–v6.16 (amd_iommu_activate_guest_mode); IsRun inferred from cpu ≥ 0 since v6.17 (08d9ccdd1a5c) (docs/kernel-notes.md §2, §5, §10)",
    ),
    t(
        "destination",
        "Destination",
        &["dest"],
        "The IRTE's host physical APIC ID: the pCPU whose doorbell the IOMMU rings while IsRun is set. Its 32 bits span both halves of the IRTE (24 low bits in lo, 8 in hi).",
        "struct irte_ga fields_vapic/hi, drivers/iommu/amd/amd_iommu_types.h; APICID_TO_IRTE_DEST_LO/HI (docs/kernel-notes.md §7)",
    ),
    t(
        "ga-tag",
        "GA tag",
        &["GATag", "ga_tag"],
        "A 32-bit tag in the IRTE that names the vCPU: the IOMMU writes it into the GA log, and KVM decodes VM and vCPU from it to wake the right one.",
        "AVIC_GATAG(vm_id, vcpu_id), arch/x86/kvm/svm/avic.c; vcpu_idx instead of vcpu_id since v6.17 (11a60455d4c9) (docs/kernel-notes.md §1, §5)",
    ),
    t(
        "ga-log",
        "GA log",
        &["guest virtual APIC log"],
        "A ring in memory where the IOMMU writes the GA tag of an interrupt it posted to a vCPU that is not running (IsRun=0, GALogIntr=1). Its interrupt makes the host run avic_ga_log_notifier(), which wakes that vCPU.",
        "avic_ga_log_notifier() → kvm_vcpu_wake_up(), arch/x86/kvm/svm/avic.c, all versions (docs/kernel-notes.md §1, §10)",
    ),
    t(
        "ga-log-intr",
        "GALogIntr (GA log interrupt)",
        &["GALog", "ga_log_intr", "GA log interrupt"],
        "IRTE bit 2: when IsRun is clear, log the interrupt in the GA log and interrupt the host, so a sleeping vCPU is woken. Up to v6.16 every activation sets it; from v6.17 only a blocking vCPU's IRTEs have it (a preempted vCPU's interrupts wait in the IRR). \"GALog\" in a physical ID entry is KVM's synthetic bit 61, only in its own copy.",
        "amd_iommu_activate_guest_mode() (v6.4–v6.16); b9e53f9ff4a8, b03500f03ea0 (v6.17); AVIC_PHYSICAL_ID_ENTRY_GA_LOG_INTR (docs/kernel-notes.md §2, §5, §6)",
    ),
    t(
        "doorbell",
        "doorbell",
        &["AVIC doorbell"],
        "A signal to one pCPU that the vCPU in the guest there has new bits in its IRR; the guest takes them at once. If no vCPU of the VM is in the guest on that pCPU, nobody answers: the bit waits in the IRR until the next VM entry, and a sleeping vCPU is not woken.",
        "hardware (AVIC IPI, IOMMU with IsRun=1); KVM's own: avic_ring_doorbell(), arch/x86/kvm/svm/avic.c; hardware doorbells are never traced (docs/kernel-notes.md §8, §10)",
    ),
    t(
        "iommu-irte-cache",
        "IOMMU IRTE cache",
        &["IRTE IOMMU cache", "not yet invalidated", "IRT invalidation"],
        "The IOMMU caches IRTEs. Until Linux invalidates the interrupt table (INVALIDATE_INTERRUPT_TABLE) it may use the cached GuestMode, vector and GA root; IsRun, Destination and the GA tag are read afresh. The row appears only while the cache differs from the table.",
        "iommu_flush_irt_and_complete() after modify_irte_ga(); the not-cached fields as quoted from the IOMMU spec in 57cdb720eaa5 (v6.7) (docs/kernel-notes.md §2, §11)",
    ),
    t(
        "erratum-1235",
        "erratum #1235",
        &["zen2"],
        "An AMD family 17h (Zen 1 and 2) erratum: AVIC may use an IsRunning it read before writing the IRR, so an IPI to a vCPU that is just halting is lost. Linux 6.17 turns IPI virtualization off on those CPUs.",
        "avic_vcpu_blocking() comment; avic_hardware_setup(), 8de4a1c8164e (v6.17) (docs/kernel-notes.md §10, §11)",
    ),
];
