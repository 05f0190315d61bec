//! How the kernel code is written: individual knobs and the named presets that retell its history,
//! one preset per kernel version (with the commit that made it so) plus designs nobody shipped.
//!
//! Two knobs describe the hardware rather than the kernel (the AVIC erratum #1235); they live here
//! so that a link, a scenario file and the CLI name a whole world with one strategy.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where `avic_pi_update_irte` points a newly posted IRTE at the vCPU's current pCPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IrteTarget {
    /// Never: the IRTE is activated with IsRun=0 and a cleared destination (before 2023).
    Never,
    /// Before `svm_ir_list_add`, IsRun=1 with `vcpu->cpu`, unconditionally and without a lock
    /// (the first 2023 patch, "KVM: SVM: Update destination when updating pi irte").
    VcpuCpu,
    /// After `svm_ir_list_add`, reading the entry without ir_list_lock (the barrier design).
    AfterListAdd,
    /// Inside `svm_ir_list_add`, reading the entry under ir_list_lock (Linux 6.6).
    UnderListLock,
    /// In the activation write itself, under ir_list_lock (the 2025 rework).
    InActivation,
}

impl IrteTarget {
    /// All values, in history order.
    pub const ALL: [IrteTarget; 5] = [
        IrteTarget::Never,
        IrteTarget::VcpuCpu,
        IrteTarget::AfterListAdd,
        IrteTarget::UnderListLock,
        IrteTarget::InActivation,
    ];

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            IrteTarget::Never => "never",
            IrteTarget::VcpuCpu => "vcpu-cpu",
            IrteTarget::AfterListAdd => "after-list-add",
            IrteTarget::UnderListLock => "under-list-lock",
            IrteTarget::InActivation => "in-activation",
        }
    }

    /// Parse a stable id.
    pub fn from_id(id: &str) -> Option<IrteTarget> {
        IrteTarget::ALL.into_iter().find(|t| t.id() == id)
    }

    /// One line for a picker.
    pub fn describe(self) -> &'static str {
        match self {
            IrteTarget::Never => "never: new IRTE starts IsRun=0, destination cleared",
            IrteTarget::VcpuCpu => {
                "before ir_list_add: IsRun=1, dest=vcpu->cpu, unconditionally, no lock"
            }
            IrteTarget::AfterListAdd => "after ir_list_add, reading the entry without the lock",
            IrteTarget::UnderListLock => "inside ir_list_add, under ir_list_lock",
            IrteTarget::InActivation => "in the activation write, under ir_list_lock",
        }
    }
}

fn yes() -> bool {
    true
}

/// The individual knobs. Every preset is one combination; users may build others.
///
/// Knobs added after the first release default (in JSON and in `k.` link codes) to the value the
/// model had before they existed, so every file and link written earlier keeps its meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Knobs {
    /// `avic_vcpu_load/put` hold ir_list_lock around the entry update and the IRTE walk.
    pub lock_in_load_put: bool,
    /// Where the updater sets the IRTE's target pCPU.
    pub irte_target: IrteTarget,
    /// Entry loads are `READ_ONCE` (one load per read); plain loads may be re-done for each use.
    pub read_once: bool,
    /// Entry stores are `WRITE_ONCE` (one 64-bit store); plain stores may tear into two 32-bit halves.
    pub write_once: bool,
    /// `smp_mb()` between each side's store and its load of the other side's data.
    pub smp_mb: bool,
    /// After an IRTE update, kick the target vCPU so it rewrites its IRTEs before re-entering.
    pub kick: bool,
    /// Set GALogIntr only while the vCPU blocks (the 2025 rework); otherwise always set.
    pub ga_log_only_when_blocking: bool,
    /// IRQ-affinity updaters are serialised by `kvm->irqfds.lock`: routing updates always were
    /// (`kvm_irq_routing_update`), adding/removing a bypass producer only since Linux 6.15
    /// (f1fb088d9cec). Off: two updaters may interleave.
    #[serde(default)]
    pub irqfds_lock: bool,
    /// KVM keeps its own copy of each physical ID entry (`svm->avic_physical_id_entry`, 6.17,
    /// d921665e01ba) and writes the hardware table from it; off: KVM reads and writes the table.
    #[serde(default)]
    pub shadow_entry: bool,
    /// AVIC IPI virtualization (`enable_ipiv`); off: IsRunning is never set in the hardware
    /// table, so every guest IPI to the vCPU exits to KVM, which wakes or kicks the target.
    #[serde(default = "yes")]
    pub enable_ipiv: bool,
    /// Hardware: AMD erratum #1235 (family 17h): AVIC may act on IsRunning read before its IRR
    /// write is visible, i.e. miss a just-cleared IsRunning and skip the #VMEXIT to KVM.
    #[serde(default)]
    pub avic_erratum_1235: bool,
    /// A candidate fix, not in any kernel: when `svm_ir_list_del` unlinks an IRTE from the
    /// previous vCPU, it also marks it not running with GA-log interrupts on, under that vCPU's
    /// lock, so an interrupt before the new target is written wakes the previous vCPU instead of
    /// ringing a stale doorbell (see docs/findings/linux-6.17-unlink-window.md).
    #[serde(default)]
    pub disarm_on_unlink: bool,
}

impl Knobs {
    /// Whether KVM works on its own copy of the entry rather than on the hardware table: with
    /// the 6.17 copy, and whenever IPI virtualization is off (the table then lies about IsRunning).
    pub fn kvm_copy(&self) -> bool {
        self.shadow_entry || !self.enable_ipiv
    }

    /// The value KVM writes into the hardware table for its local entry `e`: without the
    /// synthetic GA-log bit where KVM keeps a copy, and never IsRunning without IPI virtualization
    /// (`__avic_vcpu_load`, Linux 6.17).
    pub fn table_value(&self, e: u64) -> u64 {
        let mut v = e;
        if self.kvm_copy() {
            v &= !crate::machine::entry::GA_LOG_INTR;
        }
        if !self.enable_ipiv {
            v &= !crate::machine::entry::IS_RUNNING;
        }
        v
    }
}

/// One yes/no knob, described once for every shell (CLI `--knobs`, the web's check boxes, links).
#[derive(Clone, Copy)]
pub struct Flag {
    /// Stable name (CLI `--knobs name=1`, `Display`).
    pub name: &'static str,
    /// Short name in v1 share links and the `Display` form (`lock=1,...`).
    pub short: &'static str,
    /// Label for a check box.
    pub label: &'static str,
    /// What turning it on means.
    pub help: &'static str,
    /// Whether it describes the hardware rather than the kernel.
    pub hardware: bool,
    /// Read it.
    pub get: fn(&Knobs) -> bool,
    /// Set it.
    pub set: fn(&mut Knobs, bool),
}

/// Every boolean knob, in display order (the IRTE target is the one knob that is not boolean).
pub const FLAGS: [Flag; 11] = [
    Flag {
        name: "lock_in_load_put",
        short: "lock",
        label: "ir_list_lock in load/put",
        help: "avic_vcpu_load/put hold ir_list_lock around the entry update and the IRTE walk.",
        hardware: false,
        get: |k| k.lock_in_load_put,
        set: |k, v| k.lock_in_load_put = v,
    },
    Flag {
        name: "read_once",
        short: "read_once",
        label: "READ_ONCE entry loads",
        help: "Off: plain loads, which the compiler may repeat for each use.",
        hardware: false,
        get: |k| k.read_once,
        set: |k, v| k.read_once = v,
    },
    Flag {
        name: "write_once",
        short: "write_once",
        label: "WRITE_ONCE entry stores",
        help: "Off: plain 64-bit stores, which may tear into two 32-bit halves.",
        hardware: false,
        get: |k| k.write_once,
        set: |k, v| k.write_once = v,
    },
    Flag {
        name: "smp_mb",
        short: "mb",
        label: "smp_mb() between store and load",
        help: "Each side: store, full barrier, then read the other side's data.",
        hardware: false,
        get: |k| k.smp_mb,
        set: |k, v| k.smp_mb = v,
    },
    Flag {
        name: "kick",
        short: "kick",
        label: "kick the vCPU after an IRTE update",
        help: "Force the target vCPU out of the guest so its next load rewrites its IRTEs (costs an IPI).",
        hardware: false,
        get: |k| k.kick,
        set: |k, v| k.kick = v,
    },
    Flag {
        name: "ga_log_only_when_blocking",
        short: "galog_blocking",
        label: "GALogIntr only while blocking",
        help: "The 2025 rework: GA-log interrupts are requested only while the vCPU blocks.",
        hardware: false,
        get: |k| k.ga_log_only_when_blocking,
        set: |k, v| k.ga_log_only_when_blocking = v,
    },
    Flag {
        name: "irqfds_lock",
        short: "irqfds",
        label: "updaters hold kvm->irqfds.lock",
        help: "IRQ-affinity updates are serialised (routing updates always; producer add/remove since 6.15).",
        hardware: false,
        get: |k| k.irqfds_lock,
        set: |k, v| k.irqfds_lock = v,
    },
    Flag {
        name: "shadow_entry",
        short: "shadow",
        label: "KVM's own copy of the entry",
        help: "6.17: KVM reads svm->avic_physical_id_entry and writes the hardware table from it.",
        hardware: false,
        get: |k| k.shadow_entry,
        set: |k, v| k.shadow_entry = v,
    },
    Flag {
        name: "enable_ipiv",
        short: "ipiv",
        label: "AVIC IPI virtualization (enable_ipiv)",
        help: "Off: IsRunning is never set in the hardware table; every guest IPI exits to KVM.",
        hardware: false,
        get: |k| k.enable_ipiv,
        set: |k, v| k.enable_ipiv = v,
    },
    Flag {
        name: "avic_erratum_1235",
        short: "erratum1235",
        label: "hardware: AVIC erratum #1235",
        help: "Family 17h AVIC may use an IsRunning read from before its IRR write: a halting target can miss the IPI.",
        hardware: true,
        get: |k| k.avic_erratum_1235,
        set: |k, v| k.avic_erratum_1235 = v,
    },
    Flag {
        name: "disarm_on_unlink",
        short: "disarm",
        label: "candidate fix: disarm the IRTE on unlink",
        help: "Not in any kernel: svm_ir_list_del also sets IsRun=0, GALogIntr=1 under the previous vCPU's lock.",
        hardware: false,
        get: |k| k.disarm_on_unlink,
        set: |k, v| k.disarm_on_unlink = v,
    },
];

impl Flag {
    /// The flag with this name (`-` may stand for `_`) or short name.
    pub fn by_name(name: &str) -> Option<Flag> {
        let name = name.replace('-', "_");
        FLAGS
            .into_iter()
            .find(|f| f.name == name || f.short == name)
    }
}

/// A named strategy: a stable id plus its knobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Strategy {
    /// The knobs in force.
    pub knobs: Knobs,
}

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
const BASE: Knobs = Knobs {
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
const LOCK_FIX: Knobs = Knobs {
    lock_in_load_put: true,
    irte_target: IrteTarget::UnderListLock,
    ..BASE
};

/// The knobs of Linux 6.15: 6.6 plus serialised updaters.
const LINUX_6_15: Knobs = Knobs {
    irqfds_lock: true,
    ..LOCK_FIX
};

/// The knobs of Linux 6.17: the IRQ-bypass rework.
const LINUX_6_17: Knobs = Knobs {
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

/// Errors from naming a strategy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrategyError {
    /// The id names no preset.
    #[error("unknown strategy '{0}'; known: {list}", list = preset_ids().join(", "))]
    Unknown(String),
}

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

impl Strategy {
    /// The preset with this id (or one of its older aliases).
    pub fn preset(id: &str) -> Result<Strategy, StrategyError> {
        find_preset(id)
            .map(|p| Strategy { knobs: p.knobs })
            .ok_or_else(|| StrategyError::Unknown(id.to_string()))
    }

    /// Wrap custom knobs.
    pub fn custom(knobs: Knobs) -> Strategy {
        Strategy { knobs }
    }

    /// The id of the preset these knobs equal, if any.
    pub fn preset_id(&self) -> Option<&'static str> {
        PRESETS.iter().find(|p| p.knobs == self.knobs).map(|p| p.id)
    }

    /// A stable name: the preset id, or `custom` with the knobs spelled out.
    pub fn name(&self) -> String {
        match self.preset_id() {
            Some(id) => id.to_string(),
            None => format!("custom({})", self.knobs),
        }
    }
}

impl fmt::Display for Knobs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "target={}", self.irte_target.id())?;
        for flag in FLAGS {
            write!(f, " {}={}", flag.short, (flag.get)(self) as u8)?;
        }
        Ok(())
    }
}

/// How memory behaves for CPU threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemoryModel {
    /// Sequential consistency: every store is visible at once.
    Sc,
    /// x86-TSO: per-CPU FIFO store buffers; fences, locked ops and lock release drain them.
    Tso,
}

impl MemoryModel {
    /// Both models.
    pub const ALL: [MemoryModel; 2] = [MemoryModel::Sc, MemoryModel::Tso];

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            MemoryModel::Sc => "sc",
            MemoryModel::Tso => "tso",
        }
    }

    /// Parse a stable id.
    pub fn from_id(id: &str) -> Result<MemoryModel, String> {
        match id {
            "sc" => Ok(MemoryModel::Sc),
            "tso" => Ok(MemoryModel::Tso),
            other => Err(format!("unknown memory model '{other}'; known: sc, tso")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preset_ids_and_aliases_are_unique_and_resolve() {
        let mut names: Vec<&str> = PRESETS
            .iter()
            .flat_map(|p| std::iter::once(p.id).chain(p.aliases.iter().copied()))
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "an id or alias is used twice");
        for p in PRESETS {
            assert_eq!(Strategy::preset(p.id).unwrap().preset_id(), Some(p.id));
            for a in p.aliases {
                assert_eq!(Strategy::preset(a).unwrap().preset_id(), Some(p.id));
            }
        }
        let knobs: Vec<Knobs> = PRESETS.iter().map(|p| p.knobs).collect();
        for (i, k) in knobs.iter().enumerate() {
            assert!(
                !knobs[..i].contains(k),
                "{} repeats a preset",
                PRESETS[i].id
            );
        }
    }

    #[test]
    fn the_first_release_ids_still_name_the_same_code() {
        assert_eq!(Strategy::preset("pre-2023").unwrap().knobs, BASE);
        assert_eq!(Strategy::preset("lock-fix").unwrap().knobs, LOCK_FIX);
        let latest = Strategy::preset("upstream-latest").unwrap().knobs;
        assert_eq!(latest.irte_target, IrteTarget::InActivation);
        assert!(latest.ga_log_only_when_blocking && latest.lock_in_load_put);
    }

    #[test]
    fn knobs_json_from_before_the_new_knobs_still_reads() {
        let old = r#"{"lock_in_load_put":true,"irte_target":"under-list-lock","read_once":true,
            "write_once":true,"smp_mb":false,"kick":false,"ga_log_only_when_blocking":false}"#;
        let k: Knobs = serde_json::from_str(old).unwrap();
        assert_eq!(k, LOCK_FIX);
    }

    #[test]
    fn unknown_preset_is_a_clear_error() {
        let err = Strategy::preset("nope").unwrap_err().to_string();
        assert!(
            err.contains("unknown strategy 'nope'") && err.contains("linux-6.6"),
            "{err}"
        );
    }

    #[test]
    fn custom_knobs_get_a_custom_name() {
        let s = Strategy::custom(Knobs {
            kick: true,
            ..LOCK_FIX
        });
        assert!(s.name().starts_with("custom("));
        assert!(Flag::by_name("enable-ipiv").is_some());
        assert!(Flag::by_name("erratum1235").unwrap().hardware);
    }
}
