//! A vCPU as KVM and the AVIC hardware see it.

use serde::{Deserialize, Serialize};

/// Where a vCPU is in its life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunState {
    /// Put: scheduled out, runnable.
    Preempted,
    /// Loaded on a pCPU, outside the guest.
    Loaded(u8),
    /// In the guest (after VMRUN) on a pCPU.
    InGuest(u8),
    /// Halting: put for blocking, not yet asleep or waking up.
    Blocking,
    /// Asleep in `schedule()`, waiting for a wake-up.
    Sleeping,
}

impl RunState {
    /// The pCPU it is loaded on, in or out of the guest.
    pub fn pcpu(self) -> Option<u8> {
        match self {
            RunState::Loaded(p) | RunState::InGuest(p) => Some(p),
            _ => None,
        }
    }

    /// A short human reading.
    pub fn describe(self) -> String {
        match self {
            RunState::Preempted => "put (runnable)".into(),
            RunState::Loaded(p) => format!("loaded on pCPU{p}"),
            RunState::InGuest(p) => format!("in guest on pCPU{p}"),
            RunState::Blocking => "halting".into(),
            RunState::Sleeping => "blocked (asleep)".into(),
        }
    }
}

/// One vCPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Vcpu {
    /// Life-cycle state.
    pub run: RunState,
    /// `vcpu->cpu`: the last pCPU it was loaded on.
    pub cpu: u8,
    /// Task state is TASK_INTERRUPTIBLE (set before the final check, cleared by a wake-up).
    pub waiting: bool,
    /// vAPIC backing page IRR: pending vectors.
    pub irr: u8,
    /// Vectors the guest has taken.
    pub delivered: u8,
    /// A kick request is pending (`kvm_make_request`).
    pub request: bool,
    /// A kick IPI forced it out of the guest and it has not left yet.
    pub forced_exit: bool,
}
