//! The AVIC physical APIC ID table entry: a real 64-bit value and its fields.
//!
//! Layout as in `arch/x86/include/asm/svm.h` (`AVIC_PHYSICAL_ID_ENTRY_*`): host physical APIC ID in
//! the low bits, the vAPIC backing page address in bits 12..51, IsRunning in bit 62, Valid in bit 63.
//! Bit 61 is the software-only GA-log-interrupt flag the 2025 rework keeps in KVM's cached copy.

/// Host physical APIC ID (xAVIC width).
pub const HOST_ID_MASK: u64 = 0xFF;
/// vAPIC backing page address.
pub const BACKING_PAGE_MASK: u64 = 0x000F_FFFF_FFFF_F000;
/// Software flag of the 2025 rework: the vCPU is blocking, IRTEs want GA-log interrupts.
pub const GA_LOG_INTR: u64 = 1 << 61;
/// IsRunning: the vCPU is loaded on the pCPU named by the host APIC ID.
pub const IS_RUNNING: u64 = 1 << 62;
/// Valid.
pub const VALID: u64 = 1 << 63;

/// The host APIC ID of pCPU `p`. Our machines number APIC IDs from 1, so a cleared
/// destination field (0) visibly names no CPU.
pub fn apic_id(p: u8) -> u8 {
    p + 1
}

/// The pCPU whose host APIC ID is `id`, if any.
pub fn pcpu_of_apic(id: u8, pcpus: u8) -> Option<u8> {
    (id >= 1 && id <= pcpus).then(|| id - 1)
}

/// The (made-up, but realistically shaped) backing page address of vCPU `v`.
pub fn backing_page(v: u8) -> u64 {
    0x0000_0012_3400_0000 + ((v as u64) << 12)
}

/// The entry of vCPU `v`, running on `pcpu` or not running with `last` as its host ID.
pub fn make(v: u8, last: u8, running: bool) -> u64 {
    let mut e = VALID | backing_page(v) | apic_id(last) as u64;
    if running {
        e |= IS_RUNNING;
    }
    e
}

/// IsRunning.
pub fn is_running(e: u64) -> bool {
    e & IS_RUNNING != 0
}

/// The host APIC ID field.
pub fn host_id(e: u64) -> u8 {
    (e & HOST_ID_MASK) as u8
}

/// The software GA-log flag.
pub fn wants_ga_log(e: u64) -> bool {
    e & GA_LOG_INTR != 0
}

/// `entry.host_id = apic_id(p); entry.IsRunning = 1` (and the GA-log flag cleared).
pub fn loaded_on(e: u64, p: u8) -> u64 {
    ((e & !HOST_ID_MASK & !GA_LOG_INTR) | apic_id(p) as u64) | IS_RUNNING
}

/// `entry.IsRunning = 0`, optionally marking that the vCPU blocks.
pub fn put(e: u64, blocking_ga_log: bool) -> u64 {
    let e = e & !IS_RUNNING & !GA_LOG_INTR;
    if blocking_ga_log {
        e | GA_LOG_INTR
    } else {
        e
    }
}

/// A short human reading of an entry.
pub fn describe(e: u64) -> String {
    let mut s = format!("host {} IsRunning {}", host_id(e), is_running(e) as u8);
    if wants_ga_log(e) {
        s.push_str(" GALog");
    }
    if e & VALID == 0 {
        s.push_str(" invalid");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip() {
        let e = make(1, 0, false);
        assert_eq!(host_id(e), 1);
        assert!(!is_running(e));
        let l = loaded_on(e, 2);
        assert_eq!(host_id(l), 3);
        assert!(is_running(l));
        assert_eq!(l & BACKING_PAGE_MASK, backing_page(1));
        let p = put(l, true);
        assert!(!is_running(p) && wants_ga_log(p));
        assert!(!wants_ga_log(loaded_on(p, 0)));
    }

    #[test]
    fn halves_carry_different_fields() {
        let e = make(0, 0, true);
        // IsRunning and Valid live in the high half, the host ID in the low half.
        assert_ne!(e >> 32, 0);
        assert_eq!(
            (e & 0xFFFF_FFFF) as u8 as u64 & HOST_ID_MASK,
            host_id(e) as u64
        );
        assert_eq!(pcpu_of_apic(apic_id(1), 2), Some(1));
        assert_eq!(pcpu_of_apic(0, 2), None);
    }
}
