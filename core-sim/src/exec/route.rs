//! Where the IOMMU sends a device interrupt: the one rule [`run_kind`](super::run) follows when a
//! device fires (`IommuPost`, `IommuNotify`) and that the machine picture draws as an arrow
//! ("where would an interrupt posted now go?").
//!
//! The IOMMU takes GuestMode, the vector and the GA root pointer from its cache, and IsRun,
//! Destination, GATag and GALogIntr from the table, which it does not cache (57cdb720eaa5,
//! Linux 6.7; `docs/kernel-notes.md` §2, §10).

use crate::machine::{entry, Irte, Machine, RunState};
use serde::{Deserialize, Serialize};

/// Where one interrupt goes after the IOMMU has set the vector in the IRR of `vcpu` (the vCPU
/// of the cached GA root pointer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Delivery {
    /// GuestMode is off: remapped to the host, which takes it and KVM injects it into `vcpu`.
    Host {
        /// The vCPU KVM injects into.
        vcpu: u8,
    },
    /// IsRun=1: a doorbell to the pCPU with host APIC ID `apic`, for `vcpu`.
    Doorbell {
        /// The host APIC ID rung (the IRTE's Destination).
        apic: u8,
        /// The vCPU whose IRR was set.
        vcpu: u8,
    },
    /// IsRun=0, GALogIntr=1: a GA-log entry for `tag` and a GA-log interrupt
    /// (`avic_ga_log_notifier` wakes that vCPU).
    GaLog {
        /// The vCPU of the GA tag, whom the handler wakes.
        tag: u8,
        /// The vCPU whose IRR was set.
        vcpu: u8,
    },
    /// IsRun=0, GALogIntr=0: the IRR of `vcpu` is set and nobody is notified.
    Silent {
        /// The vCPU whose IRR was set.
        vcpu: u8,
    },
}

impl Delivery {
    /// The decision for an IRTE whose cached copy is `cached` and whose table entry is `live`.
    pub fn decide(cached: &Irte, live: &Irte) -> Delivery {
        let vcpu = cached.ga_tag.unwrap_or(0);
        if !cached.guest_mode {
            Delivery::Host { vcpu }
        } else if live.is_run {
            Delivery::Doorbell {
                apic: live.destination,
                vcpu,
            }
        } else if live.ga_log_intr {
            Delivery::GaLog {
                tag: live.ga_tag.unwrap_or(vcpu),
                vcpu,
            }
        } else {
            Delivery::Silent { vcpu }
        }
    }

    /// Where an interrupt of IRTE `i` would go if the device fired now (the IOMMU reading its
    /// cache and the table at the same instant).
    pub fn now(m: &Machine, i: usize) -> Delivery {
        Delivery::decide(&m.iommu_cache[i], &m.irtes[i])
    }

    /// The vCPU whose IRR the interrupt sets.
    pub fn vcpu(self) -> u8 {
        match self {
            Delivery::Host { vcpu }
            | Delivery::Doorbell { vcpu, .. }
            | Delivery::GaLog { vcpu, .. }
            | Delivery::Silent { vcpu } => vcpu,
        }
    }
}

/// The vCPU in the guest on the pCPU with host APIC ID `apic`: the one a doorbell there reaches.
pub fn doorbell_taker(m: &Machine, apic: u8) -> Option<u8> {
    let pcpu = entry::pcpu_of_apic(apic, m.pcpus)?;
    m.vcpus
        .iter()
        .position(|vc| vc.run == RunState::InGuest(pcpu))
        .map(|v| v as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ga(is_run: bool, dest: u8, log: bool) -> Irte {
        Irte {
            guest_mode: true,
            is_run,
            ga_log_intr: log,
            destination: dest,
            ga_tag: Some(1),
            vector: 0,
        }
    }

    #[test]
    fn the_cache_decides_the_mode_and_the_table_the_notification() {
        let legacy = Irte::default();
        assert_eq!(
            Delivery::decide(&legacy, &ga(true, 1, true)),
            Delivery::Host { vcpu: 0 }
        );
        assert_eq!(
            Delivery::decide(&ga(false, 0, true), &ga(true, 2, false)),
            Delivery::Doorbell { apic: 2, vcpu: 1 }
        );
        assert_eq!(
            Delivery::decide(&ga(true, 2, false), &ga(false, 2, true)),
            Delivery::GaLog { tag: 1, vcpu: 1 }
        );
        assert_eq!(
            Delivery::decide(&ga(true, 2, true), &ga(false, 2, false)),
            Delivery::Silent { vcpu: 1 }
        );
    }
}
