//! CPUID: vendor, SVM, AVIC (Fn8000_000A EDX[13]) and x2AVIC (EDX[18]), hypervisor bit.

use super::read::Known;
use serde::Serialize;

/// What CPUID says.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cpuid {
    /// Leaf 0 vendor string.
    pub vendor: String,
    /// Leaf 0x80000000 EAX.
    pub max_extended_leaf: u32,
    /// Leaf 1 ECX[31]: running under a hypervisor.
    pub hypervisor_bit: bool,
    /// Leaf 0x40000000 signature, when the hypervisor bit is set.
    pub hypervisor_signature: Option<String>,
    /// Fn8000_0001 ECX[2]: SVM.
    pub svm: Known<bool>,
    /// Fn8000_000A EDX[13]: AVIC.
    pub avic: Known<bool>,
    /// Fn8000_000A EDX[18]: x2AVIC.
    pub x2avic: Known<bool>,
}

/// Raw registers, so the interpretation can be tested without the instruction.
#[derive(Clone, Copy, Debug, Default)]
pub struct Raw {
    /// Leaf 0 EBX, EDX, ECX (vendor).
    pub vendor: [u32; 3],
    /// Leaf 1 ECX.
    pub leaf1_ecx: u32,
    /// Leaf 0x80000000 EAX.
    pub max_ext: u32,
    /// Leaf 0x80000001 ECX.
    pub ext1_ecx: u32,
    /// Leaf 0x8000000A EDX (only read when the leaf exists).
    pub ext_a_edx: u32,
    /// Leaf 0x40000000 EBX, ECX, EDX.
    pub hv_signature: [u32; 3],
}

fn text(regs: [u32; 3]) -> String {
    let bytes: Vec<u8> = regs.iter().flat_map(|r| r.to_le_bytes()).collect();
    String::from_utf8_lossy(&bytes)
        .trim_end_matches('\0')
        .trim()
        .to_string()
}

/// Interpret raw CPUID registers.
pub fn interpret(raw: &Raw) -> Cpuid {
    let vendor = text(raw.vendor);
    let hypervisor_bit = raw.leaf1_ecx & (1 << 31) != 0;
    let amd = vendor == "AuthenticAMD";
    let (svm, avic, x2avic) = if !amd {
        let why = format!("not an AMD CPU (vendor {vendor})");
        (
            Known::Unknown(why.clone()),
            Known::Unknown(why.clone()),
            Known::Unknown(why),
        )
    } else if raw.max_ext < 0x8000_0001 {
        let why = format!("max extended leaf {:#x} < 0x80000001", raw.max_ext);
        (
            Known::Unknown(why.clone()),
            Known::Unknown(why.clone()),
            Known::Unknown(why),
        )
    } else {
        let svm = raw.ext1_ecx & (1 << 2) != 0;
        if raw.max_ext < 0x8000_000A {
            let why = format!("max extended leaf {:#x} < 0x8000000A", raw.max_ext);
            (
                Known::Known(svm),
                Known::Unknown(why.clone()),
                Known::Unknown(why),
            )
        } else if !svm {
            let why = "SVM not reported, so leaf 0x8000000A is not meaningful".to_string();
            (
                Known::Known(false),
                Known::Unknown(why.clone()),
                Known::Unknown(why),
            )
        } else {
            (
                Known::Known(true),
                Known::Known(raw.ext_a_edx & (1 << 13) != 0),
                Known::Known(raw.ext_a_edx & (1 << 18) != 0),
            )
        }
    };
    Cpuid {
        vendor,
        max_extended_leaf: raw.max_ext,
        hypervisor_bit,
        hypervisor_signature: hypervisor_bit
            .then(|| text(raw.hv_signature))
            .filter(|s| !s.is_empty()),
        svm,
        avic,
        x2avic,
    }
}

/// Execute CPUID on this machine.
#[cfg(target_arch = "x86_64")]
pub fn read() -> Known<Cpuid> {
    use std::arch::x86_64::__cpuid;
    // `__cpuid` is an unprivileged instruction available on every x86-64 CPU; older toolchains
    // declare it `unsafe`.
    #[allow(unused_unsafe)]
    let q = |leaf: u32| unsafe { __cpuid(leaf) };
    let l0 = q(0);
    let mut raw = Raw {
        vendor: [l0.ebx, l0.edx, l0.ecx],
        ..Raw::default()
    };
    if l0.eax >= 1 {
        raw.leaf1_ecx = q(1).ecx;
    }
    raw.max_ext = q(0x8000_0000).eax;
    if raw.max_ext >= 0x8000_0001 && raw.max_ext < 0x8000_1000 {
        raw.ext1_ecx = q(0x8000_0001).ecx;
    }
    if raw.max_ext >= 0x8000_000A && raw.max_ext < 0x8000_1000 {
        raw.ext_a_edx = q(0x8000_000A).edx;
    }
    if raw.leaf1_ecx & (1 << 31) != 0 {
        let h = q(0x4000_0000);
        raw.hv_signature = [h.ebx, h.ecx, h.edx];
    }
    Known::Known(interpret(&raw))
}

/// Not x86-64: no CPUID.
#[cfg(not(target_arch = "x86_64"))]
pub fn read() -> Known<Cpuid> {
    Known::Unknown("not x86_64".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regs(s: &str) -> [u32; 3] {
        let b = s.as_bytes();
        let w = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        [w(0), w(4), w(8)]
    }

    #[test]
    fn amd_with_avic_and_x2avic() {
        let raw = Raw {
            vendor: regs("AuthenticAMD"),
            max_ext: 0x8000_0021,
            ext1_ecx: 1 << 2,
            ext_a_edx: (1 << 13) | (1 << 18),
            ..Raw::default()
        };
        let c = interpret(&raw);
        assert_eq!(c.vendor, "AuthenticAMD");
        assert_eq!(c.avic, Known::Known(true));
        assert_eq!(c.x2avic, Known::Known(true));
        assert!(!c.hypervisor_bit);
    }

    #[test]
    fn intel_and_guests_are_explained() {
        let raw = Raw {
            vendor: regs("GenuineIntel"),
            max_ext: 0x8000_0008,
            ..Raw::default()
        };
        assert!(matches!(interpret(&raw).avic, Known::Unknown(ref r) if r.contains("not an AMD")));
        let guest = Raw {
            vendor: regs("AuthenticAMD"),
            leaf1_ecx: 1 << 31,
            max_ext: 0x8000_0021,
            hv_signature: regs("KVMKVMKVM\0\0\0"),
            ..Raw::default()
        };
        let c = interpret(&guest);
        assert!(c.hypervisor_bit);
        assert_eq!(c.hypervisor_signature.as_deref(), Some("KVMKVMKVM"));
        assert_eq!(c.svm, Known::Known(false));
        assert!(matches!(c.avic, Known::Unknown(_)));
        let old = Raw {
            vendor: regs("AuthenticAMD"),
            max_ext: 0x8000_0008,
            ext1_ecx: 4,
            ..Raw::default()
        };
        assert!(matches!(interpret(&old).avic, Known::Unknown(ref r) if r.contains("0x8000000A")));
    }
}
