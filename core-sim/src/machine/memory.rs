//! Shared memory accesses: locations, x86-TSO store buffers and store tearing.

use super::entry;
use serde::{Deserialize, Serialize};

/// A location a CPU thread stores to through its store buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Loc {
    /// The whole 64-bit entry of a vCPU (`WRITE_ONCE`).
    Entry(u8),
    /// Its high 32 bits (IsRunning, Valid), one half of a torn plain store.
    EntryHi(u8),
    /// Its low 32 bits (host APIC ID), the other half.
    EntryLo(u8),
    /// IRTE `irte`'s link in vCPU `vcpu`'s ir_list (value 1 linked, 0 unlinked).
    Link {
        /// List owner.
        vcpu: u8,
        /// IRTE index.
        irte: u8,
    },
}

impl Loc {
    /// The vCPU whose state this location belongs to.
    pub fn vcpu(self) -> u8 {
        match self {
            Loc::Entry(v) | Loc::EntryHi(v) | Loc::EntryLo(v) => v,
            Loc::Link { vcpu, .. } => vcpu,
        }
    }

    /// A short human name.
    pub fn describe(self) -> String {
        match self {
            Loc::Entry(v) => format!("entry[vCPU{v}]"),
            Loc::EntryHi(v) => format!("entry[vCPU{v}].hi"),
            Loc::EntryLo(v) => format!("entry[vCPU{v}].lo"),
            Loc::Link { vcpu, irte } => format!("ir_list[vCPU{vcpu}]∋IRTE{irte}"),
        }
    }
}

/// A store waiting in a store buffer (or applied at once under SC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Buffered {
    /// Where.
    pub loc: Loc,
    /// What (for halves, the value in the low 32 bits).
    pub value: u64,
    /// After this store the entry holds a value its writer meant whole.
    pub completes: bool,
}

const LO: u64 = 0xFFFF_FFFF;

/// Apply one store to an entry's memory value.
pub fn apply_entry_store(old: u64, loc: Loc, value: u64) -> u64 {
    match loc {
        Loc::Entry(_) => value,
        Loc::EntryHi(_) => (old & LO) | (value << 32),
        Loc::EntryLo(_) => (old & !LO) | (value & LO),
        Loc::Link { .. } => old,
    }
}

/// The two halves a plain 64-bit store may tear into, in the order that exposes the worse reading
/// (IsRunning before the host ID).
pub fn torn_halves(v: u8, value: u64) -> [Buffered; 2] {
    [
        Buffered {
            loc: Loc::EntryHi(v),
            value: value >> 32,
            completes: false,
        },
        Buffered {
            loc: Loc::EntryLo(v),
            value: value & LO,
            completes: true,
        },
    ]
}

/// Entry `v` as a thread sees it: memory, then its own buffered stores oldest to newest.
pub fn entry_view(mem: u64, buffer: &[Buffered], v: u8) -> u64 {
    buffer
        .iter()
        .filter(|b| !matches!(b.loc, Loc::Link { .. }) && b.loc.vcpu() == v)
        .fold(mem, |acc, b| apply_entry_store(acc, b.loc, b.value))
}

/// ir_list of `v` as a thread sees it.
pub fn list_view(mem: u8, buffer: &[Buffered], v: u8) -> u8 {
    buffer.iter().fold(mem, |acc, b| match b.loc {
        Loc::Link { vcpu, irte } if vcpu == v => {
            if b.value != 0 {
                acc | (1 << irte)
            } else {
                acc & !(1 << irte)
            }
        }
        _ => acc,
    })
}

/// A store's value as text.
pub fn describe_store(b: &Buffered) -> String {
    match b.loc {
        Loc::Entry(_) => format!("{} = {}", b.loc.describe(), entry::describe(b.value)),
        Loc::EntryHi(_) | Loc::EntryLo(_) => format!("{} = {:#010x}", b.loc.describe(), b.value),
        Loc::Link { .. } => format!(
            "{} {}",
            b.loc.describe(),
            if b.value != 0 { "link" } else { "unlink" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torn_store_passes_through_a_value_nobody_wrote() {
        let old = entry::make(0, 1, false);
        let new = entry::loaded_on(old, 0);
        let [hi, lo] = torn_halves(0, new);
        let mid = apply_entry_store(old, hi.loc, hi.value);
        assert!(entry::is_running(mid));
        assert_eq!(entry::host_id(mid), entry::host_id(old));
        assert_eq!(apply_entry_store(mid, lo.loc, lo.value), new);
    }

    #[test]
    fn own_buffer_forwards_newest_store() {
        let old = entry::make(0, 0, true);
        let new = entry::put(old, false);
        let buf = [Buffered {
            loc: Loc::Entry(0),
            value: new,
            completes: true,
        }];
        assert_eq!(entry_view(old, &buf, 0), new);
        assert_eq!(entry_view(old, &buf, 1), old);
        let link = [Buffered {
            loc: Loc::Link { vcpu: 1, irte: 2 },
            value: 1,
            completes: true,
        }];
        assert_eq!(list_view(0, &link, 1), 0b100);
        assert_eq!(list_view(0, &link, 0), 0);
    }
}
