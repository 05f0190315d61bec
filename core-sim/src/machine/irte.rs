//! An IOMMU interrupt remapping table entry (`struct irte_ga`), as the fields the race touches.

use serde::{Deserialize, Serialize};

/// One 128-bit IRTE (`struct irte_ga`), as the fields the race touches. The kernel edits a
/// software copy of it field by field and publishes the copy with one 128-bit cmpxchg; the table
/// entry itself therefore only ever changes whole.
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
    /// GA tag and GA root pointer: which vCPU this posts to. Both are written together; the
    /// IOMMU takes the tag (for the GA log) from the table and the root pointer (whose IRR it
    /// sets) from its cache.
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
