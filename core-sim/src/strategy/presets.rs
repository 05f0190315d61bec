//! The strategy presets: real kernel versions (with the commits they stand for), the designs
//! nobody shipped, and the older ids kept as aliases so written links keep their meaning.

use super::*;

/// Whether a preset retells a kernel that shipped, a patch that was posted, or a design.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PresetKind {
    /// Code as released in a mainline kernel version.
    Release,
    /// A patch posted to the list, never merged.
    Posted,
    /// A variant or design nobody shipped, for comparison.
    Design,
}

/// A shipped strategy with a stable id, a title and the verdict history gave it.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// Stable id (URLs, JSON, CLI).
    pub id: &'static str,
    /// Older ids that still name it (links and files written before it was renamed).
    pub aliases: &'static [&'static str],
    /// Short title.
    pub title: &'static str,
    /// Released kernel, posted patch or design.
    pub kind: PresetKind,
    /// The kernel versions it stands for (empty for designs).
    pub versions: &'static str,
    /// The commits that made the code so (`id "title"`), newest last.
    pub commits: &'static [&'static str],
    /// What this code looked like and where it came from.
    pub summary: &'static str,
    /// Its knobs.
    pub knobs: Knobs,
}

/// The knobs of Linux 6.5, the code before the 2023 fix.
pub(super) const BASE: Knobs = Knobs {
    lock_in_load_put: false,
    irte_target: IrteTarget::Never,
    read_once: true,
    write_once: true,
    smp_mb: false,
    kick: false,
    ga_log_only_when_blocking: false,
    irqfds_lock: false,
    shadow_entry: false,
    enable_ipiv: true,
    avic_erratum_1235: false,
    disarm_on_unlink: false,
};

/// The knobs of Linux 6.6, the ir_list_lock fix.
pub(super) const LOCK_FIX: Knobs = Knobs {
    lock_in_load_put: true,
    irte_target: IrteTarget::UnderListLock,
    ..BASE
};

/// The knobs of Linux 6.15: 6.6 plus serialised updaters.
pub(super) const LINUX_6_15: Knobs = Knobs {
    irqfds_lock: true,
    ..LOCK_FIX
};

/// The knobs of Linux 6.17: the IRQ-bypass rework.
pub(super) const LINUX_6_17: Knobs = Knobs {
    irte_target: IrteTarget::InActivation,
    ga_log_only_when_blocking: true,
    shadow_entry: true,
    ..LINUX_6_15
};

/// The presets: kernel versions in history order, then designs and hardware variants.
pub const PRESETS: [Preset; 12] = [
    Preset {
        id: "linux-6.5",
        aliases: &["pre-2023"],
        title: "Linux 6.5 (before the 2023 fix)",
        kind: PresetKind::Release,
        versions: "6.5",
        commits: &[
            "ed8a2f4ddef2 \"iommu/amd: Don't block updates to GATag if guest mode is on\" (6.4)",
            "a42f0c7a4118 \"iommu/amd: Switch amd_iommu_update_ga() to use modify_irte_ga()\" (6.5)",
        ],
        summary: "A new IRTE is posted with IsRun=0 and no destination; load/put fix it only on the next reschedule. (6.3 and older did not even rewrite an IRTE already in guest mode; 6.4 updated IsRun/destination with plain stores into the live IRTE: neither is modelled.)",
        knobs: BASE,
    },
    Preset {
        id: "naive-update",
        aliases: &[],
        title: "Naive destination update (posted May 2023)",
        kind: PresetKind::Posted,
        versions: "",
        commits: &["<20230516122159.3834044-1-dengqiao.joey@bytedance.com> \"KVM: SVM: Update destination when updating pi irte\" (not merged)"],
        summary: "The first 2023 patch: right after activation, write IsRun=1 and vcpu->cpu into the IRTE, no lock, whatever the vCPU is doing.",
        knobs: Knobs { irte_target: IrteTarget::VcpuCpu, ..BASE },
    },
    Preset {
        id: "linux-6.6",
        aliases: &["lock-fix"],
        title: "Linux 6.6 (ir_list_lock fix)",
        kind: PresetKind::Release,
        versions: "6.6 – 6.14",
        commits: &[
            "4c08e737f056 \"KVM: SVM: Take and hold ir_list_lock when updating vCPU's Physical ID entry\"",
            "f3cebc75e742 \"KVM: SVM: Set target pCPU during IRTE update if target vCPU is running\"",
        ],
        summary: "load/put hold ir_list_lock around the entry update and the IRTE walk; ir_list_add reads the entry under the same lock. Adding a bypass producer is not serialised against routing updates.",
        knobs: LOCK_FIX,
    },
    Preset {
        id: "lock-fix-plain-read",
        aliases: &[],
        title: "6.6 without READ_ONCE",
        kind: PresetKind::Design,
        versions: "",
        commits: &[],
        summary: "As Linux 6.6, but entry loads are plain: the compiler may load the entry once per use.",
        knobs: Knobs { read_once: false, ..LOCK_FIX },
    },
    Preset {
        id: "lock-fix-plain-write",
        aliases: &[],
        title: "6.6 without WRITE_ONCE",
        kind: PresetKind::Design,
        versions: "",
        commits: &[],
        summary: "As Linux 6.6, but entry stores are plain: a 64-bit store may be two 32-bit stores.",
        knobs: Knobs { write_once: false, ..LOCK_FIX },
    },
    Preset {
        id: "barrier-only",
        aliases: &[],
        title: "Barriers instead of the lock",
        kind: PresetKind::Design,
        versions: "",
        commits: &[],
        summary: "No lock around the entry: each side stores, smp_mb(), then reads the other side's data.",
        knobs: Knobs { irte_target: IrteTarget::AfterListAdd, smp_mb: true, ..BASE },
    },
    Preset {
        id: "kick",
        aliases: &[],
        title: "Kick the vCPU instead",
        kind: PresetKind::Design,
        versions: "",
        commits: &[],
        summary: "Post the IRTE as in 6.5, then kick the vCPU so it rewrites its IRTEs before it re-enters the guest.",
        knobs: Knobs { kick: true, ..BASE },
    },
    Preset {
        id: "linux-6.15",
        aliases: &[],
        title: "Linux 6.15 (updaters serialised)",
        kind: PresetKind::Release,
        versions: "6.15 – 6.16",
        commits: &["f1fb088d9cec \"KVM: x86: Take irqfds.lock when adding/deleting IRQ bypass producer\""],
        summary: "As 6.6, and every IRQ-affinity update (routing update or producer add/remove) holds kvm->irqfds.lock, so two updaters never interleave.",
        knobs: LINUX_6_15,
    },
    Preset {
        id: "linux-6.17",
        aliases: &["upstream-latest"],
        title: "Linux 6.17 and later (IRQ-bypass rework)",
        kind: PresetKind::Release,
        versions: "6.17 – newest read (kvm-x86 @1a27afa0511e)",
        commits: &[
            "0a917e9d4b70 \"KVM: SVM: Delete IRTE link from previous vCPU before setting new IRTE\"",
            "c3d591c91f9c \"KVM: SVM: Take and hold ir_list_lock across IRTE updates in IOMMU\"",
            "f965255dc503 \"iommu/amd: KVM: SVM: Set pCPU info in IRTE when setting vCPU affinity\"",
            "d921665e01ba \"KVM: SVM: Add enable_ipiv param, never set IsRunning if disabled\"",
            "b03500f03ea0 \"KVM: SVM: Generate GA log IRQs only if the associated vCPUs is blocking\"",
            "fd92bd3b4445 \"KVM: SVM: switch to raw spinlock for svm->ir_list_lock\" (6.18)",
        ],
        summary: "KVM keeps its own copy of the entry; the IRTE is activated with its target pCPU in one write under ir_list_lock, after leaving the previous vCPU's list; GALogIntr is set only while blocking. Not safe everywhere: the model finds a lost wake-up in the unlink window (docs/findings/linux-6.17-unlink-window.md) and the ir_list_lock / irq_desc / rq lock-order cycle reported in Dec 2025.",
        knobs: LINUX_6_17,
    },
    Preset {
        id: "linux-6.6-zen2",
        aliases: &[],
        title: "Linux 6.6 on Zen 1/2 (erratum #1235)",
        kind: PresetKind::Release,
        versions: "6.6 – 6.16 on family 17h/18h",
        commits: &[],
        summary: "Linux 6.6 on a CPU with AVIC erratum #1235: hardware may miss a just-cleared IsRunning, and these kernels leave IPI virtualization on.",
        knobs: Knobs { avic_erratum_1235: true, ..LOCK_FIX },
    },
    Preset {
        id: "linux-6.17-zen2",
        aliases: &[],
        title: "Linux 6.17 on Zen 1/2 (IPIv off)",
        kind: PresetKind::Release,
        versions: "6.17 – newest on family 17h/18h",
        commits: &["8de4a1c8164e \"KVM: SVM: Disable (x2)AVIC IPI virtualization if CPU has erratum #1235\""],
        summary: "Linux 6.17 on a CPU with erratum #1235: enable_ipiv is forced off, IsRunning is never set in the hardware table, and every guest IPI exits to KVM, which wakes the target.",
        knobs: Knobs { avic_erratum_1235: true, enable_ipiv: false, ..LINUX_6_17 },
    },
    Preset {
        id: "linux-6.17-disarm",
        aliases: &[],
        title: "6.17 + candidate fix: disarm on unlink",
        kind: PresetKind::Design,
        versions: "",
        commits: &[],
        summary: "Linux 6.17 with a candidate fix for the unlink window: svm_ir_list_del() also sets the IRTE to IsRun=0, GALogIntr=1 while it holds the previous vCPU's ir_list_lock.",
        knobs: Knobs { disarm_on_unlink: true, ..LINUX_6_17 },
    },
];

/// The preset ids in order (aliases not included).
pub fn preset_ids() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.id).collect()
}

/// The preset with this id or alias.
pub fn find_preset(id: &str) -> Option<&'static Preset> {
    PRESETS
        .iter()
        .find(|p| p.id == id || p.aliases.contains(&id))
}
