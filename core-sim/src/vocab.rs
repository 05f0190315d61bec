//! The shared vocabulary at the bottom of the layers: the kinds of violation, how bad each is,
//! and their titles, impacts and definitions, written once for the CLI, the web, docs and lessons.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a violation is, ordered: latency < corruption < hang.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Late, not lost: the guest sees the interrupt at its next VM entry.
    Latency,
    /// State that no longer means what it says (a stale or torn entry, a mixed update).
    Corruption,
    /// Something waits for ever: a vCPU that sleeps through its interrupt, or a deadlock.
    Hang,
}

impl Severity {
    /// Stable id (`hang`, `corruption`, `latency`).
    pub fn id(self) -> &'static str {
        match self {
            Severity::Latency => "latency",
            Severity::Corruption => "corruption",
            Severity::Hang => "hang",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViolationKind {
    /// An IRTE on a quiescent vCPU's ir_list disagrees with its physical ID entry.
    StaleIrte,
    /// A vCPU sleeps with a pending interrupt and nothing will wake it: a hang.
    LostWakeup,
    /// An interrupt for a running vCPU went to the wrong pCPU or the GA log: it waits for a VM exit.
    DelayedDelivery,
    /// Hardware read an entry value that nobody ever wrote whole.
    TornRead,
    /// A thread waits for ever on a lock, a lock was released by a non-holder, or locks were
    /// taken in an order that closes a cycle (what lockdep reports as a possible deadlock).
    Deadlock,
    /// Two writers edited one IRTE's software copy (`ir_data->entry`) at once: a publish carried
    /// another writer's half-done edit, or lost this writer's own.
    IrteMixedUpdate,
}

impl ViolationKind {
    /// All kinds.
    pub const ALL: [ViolationKind; 6] = [
        ViolationKind::StaleIrte,
        ViolationKind::LostWakeup,
        ViolationKind::DelayedDelivery,
        ViolationKind::TornRead,
        ViolationKind::Deadlock,
        ViolationKind::IrteMixedUpdate,
    ];

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            ViolationKind::StaleIrte => "stale-irte",
            ViolationKind::LostWakeup => "lost-wakeup",
            ViolationKind::DelayedDelivery => "delayed-delivery",
            ViolationKind::TornRead => "torn-read",
            ViolationKind::Deadlock => "deadlock",
            ViolationKind::IrteMixedUpdate => "irte-mixed-update",
        }
    }

    /// Parse a stable id.
    pub fn from_id(id: &str) -> Option<ViolationKind> {
        ViolationKind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// A short title for headings and badges.
    pub fn title(self) -> &'static str {
        match self {
            ViolationKind::StaleIrte => "stale IRTE",
            ViolationKind::LostWakeup => "lost wake-up",
            ViolationKind::DelayedDelivery => "delayed delivery",
            ViolationKind::TornRead => "torn read",
            ViolationKind::Deadlock => "deadlock",
            ViolationKind::IrteMixedUpdate => "mixed IRTE update",
        }
    }

    /// What it means for the guest or the host, in a few words.
    pub fn impact(self) -> &'static str {
        match self {
            ViolationKind::LostWakeup => {
                "the vCPU sleeps with a pending interrupt: the guest hangs"
            }
            ViolationKind::Deadlock => "threads wait on each other for ever: the host hangs",
            ViolationKind::StaleIrte => "the IOMMU routes by an out-of-date IRTE",
            ViolationKind::TornRead => "hardware read a half-written entry",
            ViolationKind::DelayedDelivery => {
                "the interrupt waits for the next VM exit: latency, not a hang"
            }
            ViolationKind::IrteMixedUpdate => {
                "one IRTE update is lost or mixed into another: the IOMMU routes by neither"
            }
        }
    }

    /// The oracle's definition in one line.
    pub fn definition(self) -> &'static str {
        match self {
            ViolationKind::StaleIrte => {
                "an IRTE on a quiescent vCPU's ir_list disagrees with its physical ID entry"
            }
            ViolationKind::LostWakeup => {
                "a vCPU sleeps with a pending interrupt and nothing will wake it"
            }
            ViolationKind::DelayedDelivery => {
                "a running vCPU's interrupt went to the wrong pCPU or the GA log"
            }
            ViolationKind::TornRead => "hardware read an entry value nobody ever wrote whole",
            ViolationKind::Deadlock => {
                "a thread waits for ever on a lock, a non-holder released it, or locks were taken in a cycle"
            }
            ViolationKind::IrteMixedUpdate => {
                "two writers edited one IRTE's software copy at once: an update was lost or mixed"
            }
        }
    }

    /// How bad it is.
    pub fn severity(self) -> Severity {
        match self {
            ViolationKind::LostWakeup | ViolationKind::Deadlock => Severity::Hang,
            ViolationKind::DelayedDelivery => Severity::Latency,
            ViolationKind::StaleIrte | ViolationKind::TornRead | ViolationKind::IrteMixedUpdate => {
                Severity::Corruption
            }
        }
    }
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_are_ordered_and_keep_their_ids() {
        assert!(Severity::Hang > Severity::Corruption && Severity::Corruption > Severity::Latency);
        assert_eq!(ViolationKind::LostWakeup.severity().id(), "hang");
        assert_eq!(
            serde_json::to_string(&ViolationKind::TornRead.severity()).unwrap(),
            "\"corruption\""
        );
        for k in ViolationKind::ALL {
            assert_eq!(ViolationKind::from_id(k.id()), Some(k));
        }
    }
}
