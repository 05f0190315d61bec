//! An IOMMU interrupt remapping table entry (`struct irte_ga`), as the fields the race touches.

use serde::{Deserialize, Serialize};

/// One 128-bit IRTE. The kernel writes it whole (cmpxchg128) and then flushes the IOMMU's cache,
/// so the model treats every write as one atomic step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Irte {
    /// GuestMode: post to a vCPU (GA mode) instead of remapping to a host vector.
    pub guest_mode: bool,
    /// IsRun: ring the doorbell of `destination` after setting the IRR bit.
    pub is_run: bool,
    /// GALogIntr: when not running, log to the GA log and raise its interrupt.
    pub ga_log_intr: bool,
    /// Destination: a host APIC ID.
    pub destination: u8,
    /// GA tag: which vCPU this posts to.
    pub ga_tag: Option<u8>,
    /// The guest vector it sets in the vAPIC IRR (bit index in our 8-bit IRR).
    pub vector: u8,
}

impl Irte {
    /// A short human reading.
    pub fn describe(&self) -> String {
        if !self.guest_mode {
            return format!("remapped (legacy) vec {}", self.vector);
        }
        format!(
            "GA vCPU{} IsRun {} dest {} GALog {} vec {}",
            self.ga_tag.map(|v| v as i16).unwrap_or(-1),
            self.is_run as u8,
            self.destination,
            self.ga_log_intr as u8,
            self.vector
        )
    }
}
