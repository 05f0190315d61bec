//! Reading the host's facts from a root directory (`/` for real, a fake tree in tests).
//! Every read failure becomes `Unknown(reason)`; nothing here panics on odd input.

use serde::Serialize;
use std::fs;
use std::path::Path;

/// A fact, or why we could not tell.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "value")]
pub enum Known<T> {
    /// Read and understood.
    Known(T),
    /// Why not.
    Unknown(String),
}

impl<T> Known<T> {
    /// The value, if known.
    pub fn get(&self) -> Option<&T> {
        match self {
            Known::Known(v) => Some(v),
            Known::Unknown(_) => None,
        }
    }

    /// Map the known value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Known<U> {
        match self {
            Known::Known(v) => Known::Known(f(v)),
            Known::Unknown(r) => Known::Unknown(r),
        }
    }
}

impl<T: std::fmt::Display> Known<T> {
    /// `value` or `unknown (reason)`.
    pub fn show(&self) -> String {
        match self {
            Known::Known(v) => v.to_string(),
            Known::Unknown(r) => format!("unknown ({r})"),
        }
    }
}

/// The most bytes read from one file of the host (the largest, /proc/cpuinfo of a big machine,
/// is a few hundred KiB).
pub const MAX_FILE: u64 = 4 << 20;

/// Read a small text file under `root`: at most [`MAX_FILE`] bytes of it, so a `--root` whose
/// files are `/dev/zero` is not read until memory runs out.
pub fn read(root: &Path, rel: &str) -> Known<String> {
    use std::io::Read;
    let path = root.join(rel.trim_start_matches('/'));
    let mut bytes = Vec::new();
    let got = fs::File::open(&path).and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes));
    match got.map(|_| bytes) {
        Ok(bytes) if bytes.len() as u64 > MAX_FILE => {
            Known::Unknown(format!("/{rel} is longer than 4 MiB: implausibly large"))
        }
        Ok(bytes) => Known::Known(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) => Known::Unknown(format!(
            "cannot read /{}: {}",
            rel.trim_start_matches('/'),
            e.kind()
        )),
    }
}

/// `yes` / `no` for a sysfs boolean (`Y`, `N`, `1`, `0`).
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "Y" | "y" | "1" => Some(true),
        "N" | "n" | "0" => Some(false),
        _ => None,
    }
}

/// What /proc/cpuinfo says about the first CPU.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CpuInfo {
    /// `vendor_id`.
    pub vendor: Known<String>,
    /// `model name`.
    pub model_name: Known<String>,
    /// `cpu family` / `model` / `stepping`.
    pub family_model: Known<String>,
    /// Number of `processor` lines.
    pub logical_cpus: Known<usize>,
    /// The kernel's `avic` flag (kernel-visible AVIC).
    pub flag_avic: Known<bool>,
    /// The kernel's `x2avic` flag.
    pub flag_x2avic: Known<bool>,
    /// The kernel's `svm` flag.
    pub flag_svm: Known<bool>,
    /// The kernel's `hypervisor` flag (CPUID.1:ECX[31] as the kernel saw it).
    pub flag_hypervisor: Known<bool>,
}

fn unknown_cpuinfo(r: &str) -> CpuInfo {
    CpuInfo {
        vendor: Known::Unknown(r.to_string()),
        model_name: Known::Unknown(r.to_string()),
        family_model: Known::Unknown(r.to_string()),
        logical_cpus: Known::Unknown(r.to_string()),
        flag_avic: Known::Unknown(r.to_string()),
        flag_x2avic: Known::Unknown(r.to_string()),
        flag_svm: Known::Unknown(r.to_string()),
        flag_hypervisor: Known::Unknown(r.to_string()),
    }
}

/// Parse /proc/cpuinfo text.
pub fn cpuinfo(root: &Path) -> CpuInfo {
    let text = match read(root, "proc/cpuinfo") {
        Known::Known(t) => t,
        Known::Unknown(r) => return unknown_cpuinfo(&r),
    };
    let mut first: Vec<(String, String)> = Vec::new();
    let mut cpus = 0usize;
    let mut in_first = true;
    for line in text.lines() {
        if line.trim().is_empty() {
            if cpus > 0 {
                in_first = false;
            }
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if k == "processor" {
            cpus += 1;
        }
        if in_first {
            first.push((k.to_string(), v.to_string()));
        }
    }
    let field = |name: &str| -> Known<String> {
        first
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| Known::Known(v.clone()))
            .unwrap_or_else(|| Known::Unknown(format!("no '{name}' line in /proc/cpuinfo")))
    };
    let flags = field("flags");
    let flag = |f: &str| {
        flags
            .clone()
            .map(|fl| fl.split_whitespace().any(|x| x == f))
    };
    let fm = match (field("cpu family"), field("model"), field("stepping")) {
        (Known::Known(f), Known::Known(m), Known::Known(s)) => {
            Known::Known(format!("family {f} model {m} stepping {s}"))
        }
        (Known::Known(f), Known::Known(m), _) => Known::Known(format!("family {f} model {m}")),
        _ => Known::Unknown("no 'cpu family'/'model' lines in /proc/cpuinfo".into()),
    };
    CpuInfo {
        vendor: field("vendor_id"),
        model_name: field("model name"),
        family_model: fm,
        logical_cpus: if cpus > 0 {
            Known::Known(cpus)
        } else {
            Known::Unknown("no 'processor' lines in /proc/cpuinfo".into())
        },
        flag_avic: flag("avic"),
        flag_x2avic: flag("x2avic"),
        flag_svm: flag("svm"),
        flag_hypervisor: flag("hypervisor"),
    }
}

/// kvm_amd module state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KvmAmd {
    /// /sys/module/kvm_amd exists.
    pub loaded: Known<bool>,
    /// /sys/module/kvm_amd/parameters/avic.
    pub avic: Known<bool>,
    /// /sys/module/kvm_amd/parameters/enable_ipiv (6.17+ may disable it on erratum #1235 parts).
    pub enable_ipiv: Known<bool>,
}

/// Read kvm_amd's state.
pub fn kvm_amd(root: &Path) -> KvmAmd {
    let dir = root.join("sys/module/kvm_amd");
    let loaded = match fs::metadata(&dir) {
        Ok(m) => Known::Known(m.is_dir()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Known::Known(false),
        Err(e) => Known::Unknown(format!("cannot stat /sys/module/kvm_amd: {}", e.kind())),
    };
    let param = |name: &str| -> Known<bool> {
        if loaded == Known::Known(false) {
            return Known::Unknown("kvm_amd is not loaded".into());
        }
        match read(root, &format!("sys/module/kvm_amd/parameters/{name}")) {
            Known::Known(t) => match parse_bool(&t) {
                Some(b) => Known::Known(b),
                None => Known::Unknown(format!(
                    "unexpected value '{}' in parameters/{name}",
                    t.trim()
                )),
            },
            Known::Unknown(r) => Known::Unknown(r),
        }
    };
    KvmAmd {
        avic: param("avic"),
        enable_ipiv: param("enable_ipiv"),
        loaded,
    }
}

/// One AMD IOMMU unit's extended features.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IommuUnit {
    /// sysfs name (e.g. `ivhd0`).
    pub name: String,
    /// The `features` file as read.
    pub raw: Known<String>,
    /// The Extended Feature Register, as far as we can tell which value it is.
    pub efr: Known<u64>,
    /// EFR bit 7, GASup (`FEATURE_GA` in amd_iommu_types.h): guest virtual APIC (GA) mode.
    pub ga_sup: Known<bool>,
    /// EFR bit 21, GAMSup = vAPIC (`FEATURE_GAM_VAPIC`): posting to vAPIC backing pages.
    pub gam_vapic: Known<bool>,
    /// How the EFR was picked out of the file.
    pub note: Option<String>,
}

/// `FEATURE_GA` in drivers/iommu/amd/amd_iommu_types.h.
pub const FEATURE_GA: u64 = 1 << 7;
/// `FEATURE_GAM_VAPIC` in the same header.
pub const FEATURE_GAM_VAPIC: u64 = 1 << 21;

fn hex(s: &str) -> Option<u64> {
    let s = s.trim();
    let s = s.strip_prefix("0x").unwrap_or(s);
    if s.is_empty() || s.len() > 16 {
        return None;
    }
    u64::from_str_radix(s, 16).ok()
}

/// Pick the EFR out of an `amd-iommu/features` file.
///
/// Old kernels print `%llx` (the EFR); from about 5.12 `features2:features` (EFR2 first); later
/// kernels with the global EFR print `efr:efr2` (EFR first). The version where the order flipped is
/// not verified (we saw both forms in kernel sources, around 6.2–6.5), so when the two readings
/// disagree on the bits we test we fall back on the kernel version and say so.
pub fn parse_features(text: &str, kernel: Option<(u32, u32)>) -> (Known<u64>, Option<String>) {
    let t = text.trim();
    match t.split_once(':') {
        None => match hex(t) {
            Some(v) => (Known::Known(v), None),
            None => (
                Known::Unknown(format!("unexpected features text '{}'", short(t))),
                None,
            ),
        },
        Some((a, b)) => {
            let (Some(a), Some(b)) = (hex(a), hex(b)) else {
                return (
                    Known::Unknown(format!("unexpected features text '{}'", short(t))),
                    None,
                );
            };
            let bits = |v: u64| v & (FEATURE_GA | FEATURE_GAM_VAPIC);
            if bits(a) == bits(b) {
                return (
                    Known::Known(a),
                    Some("two values (EFR and EFR2, order depends on the kernel); both agree on GASup/GAMSup".into()),
                );
            }
            match kernel {
                Some(v) if v >= (6, 4) => (
                    Known::Known(a),
                    Some("two values; taking the first as EFR (efr:efr2, newer kernels; version boundary unverified)".into()),
                ),
                Some(_) => (
                    Known::Known(b),
                    Some("two values; taking the second as EFR (features2:features, older kernels; version boundary unverified)".into()),
                ),
                None => (
                    Known::Unknown("two values whose order depends on the kernel version, which is unknown".into()),
                    None,
                ),
            }
        }
    }
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Every AMD IOMMU under /sys/class/iommu.
pub fn iommus(root: &Path, kernel: Option<(u32, u32)>) -> Known<Vec<IommuUnit>> {
    let dir = root.join("sys/class/iommu");
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) => {
            return Known::Unknown(format!(
                "cannot list /sys/class/iommu: {} (no IOMMU driver, or not exposed here)",
                e.kind()
            ))
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut units = Vec::new();
    for name in &names {
        let rel = format!("sys/class/iommu/{name}/amd-iommu/features");
        if !root.join(&rel).exists() {
            continue;
        }
        let raw = read(root, &rel);
        let (efr, note) = match &raw {
            Known::Known(t) => parse_features(t, kernel),
            Known::Unknown(r) => (Known::Unknown(r.clone()), None),
        };
        units.push(IommuUnit {
            name: name.clone(),
            ga_sup: efr.clone().map(|v| v & FEATURE_GA != 0),
            gam_vapic: efr.clone().map(|v| v & FEATURE_GAM_VAPIC != 0),
            raw: raw.map(|t| t.trim().to_string()),
            efr,
            note,
        });
    }
    if units.is_empty() {
        let found = if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        };
        return Known::Unknown(format!("no AMD IOMMU in /sys/class/iommu (found: {found})"));
    }
    Known::Known(units)
}

/// The kernel release and its (major, minor).
pub fn kernel(root: &Path) -> (Known<String>, Option<(u32, u32)>) {
    match read(root, "proc/sys/kernel/osrelease") {
        Known::Known(t) => {
            let t = t.trim().to_string();
            let v = parse_version(&t);
            (Known::Known(t), v)
        }
        u => (u, None),
    }
}

/// `6.18.44-foo` → (6, 18).
pub fn parse_version(release: &str) -> Option<(u32, u32)> {
    let mut it = release.split(|c: char| !c.is_ascii_digit());
    let major = it.next()?.parse().ok()?;
    let minor = it.next()?.parse().ok()?;
    Some((major, minor))
}

/// /sys/hypervisor/type (Xen and some others publish it).
pub fn sys_hypervisor(root: &Path) -> Known<String> {
    match fs::metadata(root.join("sys/hypervisor")) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Known::Known("absent".into()),
        Err(e) => Known::Unknown(format!("cannot stat /sys/hypervisor: {}", e.kind())),
        Ok(_) => read(root, "sys/hypervisor/type").map(|t| {
            let t = t.trim();
            if t.is_empty() {
                "present (empty type)".to_string()
            } else {
                format!("type {t}")
            }
        }),
    }
}

/// `systemd-detect-virt`'s answer, if the tool exists.
pub fn detect_virt() -> Known<String> {
    match std::process::Command::new("systemd-detect-virt").output() {
        Ok(out) => {
            let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if s.is_empty() {
                Known::Unknown(format!(
                    "systemd-detect-virt printed nothing (status {})",
                    out.status
                ))
            } else {
                Known::Known(s)
            }
        }
        Err(e) => Known::Unknown(format!("systemd-detect-virt not available: {}", e.kind())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_or_not() {
        assert_eq!(parse_version("6.18.44-fc-v509"), Some((6, 18)));
        assert_eq!(parse_version("5.15.0-91-generic"), Some((5, 15)));
        assert_eq!(parse_version("6.6"), Some((6, 6)));
        assert_eq!(parse_version("garbage"), None);
        assert_eq!(parse_version("99999999999999.1"), None);
        assert_eq!(parse_version(""), None);
    }

    #[test]
    fn features_single_and_pairs() {
        assert_eq!(
            parse_features("f77ef22294ada\n", None).0,
            Known::Known(0xf77ef22294ada)
        );
        // Both orders agree on the bits we test.
        let (efr, note) = parse_features("0:0", None);
        assert_eq!(efr, Known::Known(0));
        assert!(note.is_some());
        // Disagreeing halves: resolved by version, or unknown without one.
        let t = "25bf732fa2295afe:53";
        assert_eq!(
            parse_features(t, Some((6, 8))).0,
            Known::Known(0x25bf732fa2295afe)
        );
        assert_eq!(parse_features(t, Some((5, 15))).0, Known::Known(0x53));
        assert!(matches!(parse_features(t, None).0, Known::Unknown(_)));
        assert!(matches!(parse_features("zz", None).0, Known::Unknown(_)));
        assert!(matches!(
            parse_features("1ffffffffffffffff", None).0,
            Known::Unknown(_)
        ));
        assert!(matches!(parse_features(":", None).0, Known::Unknown(_)));
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool("Y\n"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }
}
