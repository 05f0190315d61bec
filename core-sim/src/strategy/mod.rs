//! How the kernel code is written: individual knobs and the named presets that retell its history,
//! one preset per kernel version (with the commit that made it so) plus designs nobody shipped.
//!
//! Two knobs describe the hardware rather than the kernel (the AVIC erratum #1235); they live here
//! so that a link, a scenario file and the CLI name a whole world with one strategy.
//!
//! `flags` the table of on/off knobs, `presets` the named strategies; this file holds the knobs,
//! the strategy and the memory models.

mod flags;
mod presets;

pub use self::flags::*;
pub use self::presets::*;
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

/// A named strategy: a stable id plus its knobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Strategy {
    /// The knobs in force.
    pub knobs: Knobs,
}

/// Errors from naming a strategy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrategyError {
    /// The id names no preset.
    #[error("unknown strategy '{0}'; known: {list}", list = preset_ids().join(", "))]
    Unknown(String),
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
