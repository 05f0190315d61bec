//! How the kernel code is written: individual knobs and the named presets that retell its history.

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

/// The individual knobs. Every preset is one combination; users may build others.
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
}

/// A named strategy: a stable id plus its knobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Strategy {
    /// The knobs in force.
    pub knobs: Knobs,
}

/// A shipped strategy with a stable id, a title and the verdict history gave it.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// Stable id (URLs, JSON, CLI).
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// What this code looked like and where it came from.
    pub summary: &'static str,
    /// Its knobs.
    pub knobs: Knobs,
}

const BASE: Knobs = Knobs {
    lock_in_load_put: false,
    irte_target: IrteTarget::Never,
    read_once: true,
    write_once: true,
    smp_mb: false,
    kick: false,
    ga_log_only_when_blocking: false,
};

const LOCK_FIX: Knobs = Knobs {
    lock_in_load_put: true,
    irte_target: IrteTarget::UnderListLock,
    ..BASE
};

/// The presets, in history order.
pub const PRESETS: [Preset; 8] = [
    Preset {
        id: "pre-2023",
        title: "Before 2023",
        summary: "A new IRTE is posted with IsRun=0 and no destination; load/put fix it only on the next reschedule.",
        knobs: BASE,
    },
    Preset {
        id: "naive-update",
        title: "Naive destination update",
        summary: "The first 2023 patch: right after activation, write IsRun=1 and vcpu->cpu into the IRTE, no lock, whatever the vCPU is doing.",
        knobs: Knobs { irte_target: IrteTarget::VcpuCpu, ..BASE },
    },
    Preset {
        id: "lock-fix",
        title: "ir_list_lock fix (Linux 6.6)",
        summary: "load/put hold ir_list_lock around the entry update and the IRTE walk; ir_list_add reads the entry under the same lock.",
        knobs: LOCK_FIX,
    },
    Preset {
        id: "lock-fix-plain-read",
        title: "Lock fix without READ_ONCE",
        summary: "As the lock fix, but entry loads are plain: the compiler may load the entry once per use.",
        knobs: Knobs { read_once: false, ..LOCK_FIX },
    },
    Preset {
        id: "lock-fix-plain-write",
        title: "Lock fix without WRITE_ONCE",
        summary: "As the lock fix, but entry stores are plain: a 64-bit store may be two 32-bit stores.",
        knobs: Knobs { write_once: false, ..LOCK_FIX },
    },
    Preset {
        id: "barrier-only",
        title: "Barriers instead of the lock",
        summary: "No lock around the entry: each side stores, smp_mb(), then reads the other side's data.",
        knobs: Knobs { irte_target: IrteTarget::AfterListAdd, smp_mb: true, ..BASE },
    },
    Preset {
        id: "kick",
        title: "Kick the vCPU instead",
        summary: "Post the IRTE as before 2023, then kick the vCPU so it rewrites its IRTEs before it re-enters the guest.",
        knobs: Knobs { kick: true, ..BASE },
    },
    Preset {
        id: "upstream-latest",
        title: "Upstream rework (2025)",
        summary: "The IRTE is activated with its target pCPU in one write under ir_list_lock; GALogIntr is set only while blocking.",
        knobs: Knobs {
            irte_target: IrteTarget::InActivation,
            ga_log_only_when_blocking: true,
            ..LOCK_FIX
        },
    },
];

/// Errors from naming a strategy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrategyError {
    /// The id names no preset.
    #[error("unknown strategy '{0}'; known: {list}", list = preset_ids().join(", "))]
    Unknown(String),
}

/// The preset ids in order.
pub fn preset_ids() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.id).collect()
}

impl Strategy {
    /// The preset with this id.
    pub fn preset(id: &str) -> Result<Strategy, StrategyError> {
        PRESETS
            .iter()
            .find(|p| p.id == id)
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
        write!(
            f,
            "lock={} target={} read_once={} write_once={} mb={} kick={} galog_blocking={}",
            self.lock_in_load_put as u8,
            self.irte_target.id(),
            self.read_once as u8,
            self.write_once as u8,
            self.smp_mb as u8,
            self.kick as u8,
            self.ga_log_only_when_blocking as u8
        )
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
    fn preset_ids_are_unique_and_resolve() {
        let ids = preset_ids();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len());
        for id in ids {
            assert_eq!(Strategy::preset(id).unwrap().preset_id(), Some(id));
        }
    }

    #[test]
    fn unknown_preset_is_a_clear_error() {
        let err = Strategy::preset("nope").unwrap_err().to_string();
        assert!(
            err.contains("unknown strategy 'nope'") && err.contains("lock-fix"),
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
    }
}
