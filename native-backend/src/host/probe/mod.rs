//! `avic-lab probe`: what this host is, whether it could run the AVIC/IOMMU race for real, and
//! which strategy preset its kernel corresponds to (with the checker's verdicts for it).

pub mod cpuid;
pub mod read;

use core_sim::explore::{self, CheckOptions};
use core_sim::{Sim, ViolationKind};
use read::Known;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `avic-lab probe`.
#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Read /proc and /sys under this directory instead of `/` (for tests and offline copies).
    /// CPUID and systemd-detect-virt describe the running machine, so they are skipped then.
    #[arg(long, default_value = "/", hide = true)]
    pub root: PathBuf,
}

/// The checker's verdict for one scenario under the guessed preset.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioVerdict {
    /// Scenario id.
    pub scenario: String,
    /// safe / violation / bounded.
    pub verdict: &'static str,
    /// Kinds found.
    pub kinds: Vec<ViolationKind>,
}

/// The kernel version mapped to a strategy preset.
#[derive(Clone, Debug, Serialize)]
pub struct PresetGuess {
    /// Preset id.
    pub preset: &'static str,
    /// Why.
    pub why: String,
    /// Checker verdicts (x86-TSO) across the shipped scenarios.
    pub verdicts: Vec<ScenarioVerdict>,
}

/// Everything `probe` found.
#[derive(Clone, Debug, Serialize)]
pub struct ProbeReport {
    /// The root the files were read under.
    pub root: String,
    /// /proc/cpuinfo.
    pub cpu: read::CpuInfo,
    /// CPUID.
    pub cpuid: Known<cpuid::Cpuid>,
    /// kvm_amd.
    pub kvm_amd: read::KvmAmd,
    /// AMD IOMMUs.
    pub iommu: Known<Vec<read::IommuUnit>>,
    /// /sys/hypervisor.
    pub sys_hypervisor: Known<String>,
    /// systemd-detect-virt.
    pub detect_virt: Known<String>,
    /// Kernel release.
    pub kernel: Known<String>,
    /// Preset for that kernel.
    pub preset: Known<PresetGuess>,
    /// One-line conclusions.
    pub summary: Vec<String>,
}

/// Map a kernel version to the strategy preset its AVIC/IOMMU code corresponds to.
pub fn preset_for(v: (u32, u32)) -> (&'static str, String) {
    if v < (6, 6) {
        (
            "pre-2023",
            format!(
                "{}.{} < 6.6: before the ir_list_lock fix (4c08e737f056, f3cebc75e742). The naive May-2023 patch never landed. Both fix commits were Cc stable, so a patched stable kernel may already behave like lock-fix.",
                v.0, v.1
            ),
        )
    } else if v < (6, 17) {
        (
            "lock-fix",
            format!(
                "{}.{} in 6.6..6.16: ir_list_lock held across the entry update and the IRTE walk",
                v.0, v.1
            ),
        )
    } else {
        ("upstream-latest", format!("{}.{} >= 6.17: the IRQ-bypass/AVIC rework (IRTE written once under ir_list_lock, GA-log interrupts only while blocking)", v.0, v.1))
    }
}

/// The checker's verdicts for a preset across the shipped scenarios.
pub fn verdicts(preset: &str) -> Vec<ScenarioVerdict> {
    core_sim::scenario::ids()
        .into_iter()
        .filter_map(|s| {
            let sim = Sim::from_ids(&s, preset, "tso").ok()?;
            let r = explore::check(&sim, &CheckOptions::default(), &mut |_| true);
            Some(ScenarioVerdict {
                scenario: s,
                verdict: r.verdict().id(),
                kinds: r.kinds(),
            })
        })
        .collect()
}

/// Gather everything under `root`; `live` runs CPUID and systemd-detect-virt on this machine.
pub fn gather(root: &Path, live: bool) -> ProbeReport {
    let cpu = read::cpuinfo(root);
    let (kernel, version) = read::kernel(root);
    const SKIPPED: &str = "not read: --root points at another tree";
    let cpuid = if live {
        cpuid::read()
    } else {
        Known::Unknown(SKIPPED.into())
    };
    let detect_virt = if live {
        read::detect_virt()
    } else {
        Known::Unknown(SKIPPED.into())
    };
    let preset = match version {
        Some(v) => {
            let (preset, why) = preset_for(v);
            Known::Known(PresetGuess {
                preset,
                why,
                verdicts: verdicts(preset),
            })
        }
        None => match &kernel {
            Known::Known(k) => Known::Unknown(format!("cannot parse a version out of '{k}'")),
            Known::Unknown(r) => Known::Unknown(r.clone()),
        },
    };
    let mut report = ProbeReport {
        root: root.display().to_string(),
        kvm_amd: read::kvm_amd(root),
        iommu: read::iommus(root, version),
        sys_hypervisor: read::sys_hypervisor(root),
        cpu,
        cpuid,
        detect_virt,
        kernel,
        preset,
        summary: Vec::new(),
    };
    report.summary = summarize(&report);
    report
}

/// What the probe found, in three answers (each `None` when it could not tell).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// An AuthenticAMD CPU.
    pub amd: Option<bool>,
    /// The CPU reports AVIC (CPUID first, else /proc/cpuinfo).
    pub avic: Option<bool>,
    /// Running under a hypervisor.
    pub in_vm: Option<bool>,
}

impl Facts {
    /// Whether this host can run the real race: an AMD CPU with AVIC, and kvm_amd using it.
    pub fn can_exercise(&self, r: &ProbeReport) -> bool {
        self.amd == Some(true) && self.avic == Some(true) && r.kvm_amd.avic.get() == Some(&true)
    }
}

/// The probe's three answers about the CPU.
pub fn facts(r: &ProbeReport) -> Facts {
    let amd = r
        .cpu
        .vendor
        .get()
        .map(|v| v == "AuthenticAMD")
        .or_else(|| r.cpuid.get().map(|c| c.vendor == "AuthenticAMD"));
    let avic = r
        .cpuid
        .get()
        .and_then(|c| c.avic.get().copied())
        .or_else(|| r.cpu.flag_avic.get().copied());
    let in_vm = r
        .cpuid
        .get()
        .map(|c| c.hypervisor_bit)
        .or_else(|| r.cpu.flag_hypervisor.get().copied());
    Facts { amd, avic, in_vm }
}

fn summarize(r: &ProbeReport) -> Vec<String> {
    let mut out = Vec::new();
    let f = facts(r);
    let (amd, avic, in_vm) = (f.amd, f.avic, f.in_vm);
    match amd {
        Some(false) => {
            out.push("not an AMD CPU: AVIC does not exist here (the race is AMD-specific)".into())
        }
        None => out.push("CPU vendor unknown".into()),
        Some(true) => {}
    }
    if in_vm == Some(true) {
        out.push("running under a hypervisor: AVIC and the IOMMU's GA mode are the host's; a guest rarely sees them".into());
    }
    match avic {
        Some(true) => out.push("AVIC present".into()),
        Some(false) => out.push("AVIC not reported by this CPU (or hidden by a hypervisor)".into()),
        None => {}
    }
    match (r.kvm_amd.loaded.get(), r.kvm_amd.avic.get()) {
        (Some(true), Some(true)) => out.push("kvm_amd loaded with avic=Y: KVM uses AVIC".into()),
        (Some(true), Some(false)) => {
            out.push("kvm_amd loaded but avic=N: KVM does not use AVIC (load with avic=1)".into())
        }
        (Some(false), _) => out.push("kvm_amd not loaded".into()),
        _ => {}
    }
    if let Known::Known(units) = &r.iommu {
        let ga = units.iter().any(|u| u.ga_sup == Known::Known(true));
        out.push(if ga {
            "an AMD IOMMU reports GASup: device interrupts can be posted to vCPUs (if amd_iommu_intr=vapic is in effect)".into()
        } else {
            "no AMD IOMMU reports GASup: no posted device interrupts, only the IPI half of the race applies".into()
        });
    }
    if let Known::Known(p) = &r.preset {
        let bad: Vec<&str> = p
            .verdicts
            .iter()
            .filter(|v| v.verdict == "violation")
            .map(|v| v.scenario.as_str())
            .collect();
        out.push(format!(
            "kernel corresponds to preset '{}': the checker finds violations in {} of {} shipped scenarios{}",
            p.preset,
            bad.len(),
            p.verdicts.len(),
            if bad.is_empty() { String::new() } else { format!(" ({})", bad.join(", ")) }
        ));
    }
    out.push(if f.can_exercise(r) {
        "this host can exercise the real race: record a trace with scripts/record-avic-trace.sh".into()
    } else {
        "this host cannot exercise the real AVIC race; `avic-lab stress` still runs the protocols on real threads".into()
    });
    out
}

fn yes(b: &Known<bool>) -> String {
    b.clone().map(|b| if b { "yes" } else { "no" }).show()
}

fn print_text(r: &ProbeReport) -> String {
    let mut o = String::new();
    outln!(o, "avic-lab probe (reading {})", r.root);
    outln!(o, "CPU");
    outln!(o, "  vendor:            {}", r.cpu.vendor.show());
    outln!(
        o,
        "  model:             {} ({})",
        r.cpu.model_name.show(),
        r.cpu.family_model.show()
    );
    outln!(o, "  logical CPUs:      {}", r.cpu.logical_cpus.show());
    outln!(
        o,
        "  cpuinfo flags:     svm {}, avic {}, x2avic {}, hypervisor {}",
        yes(&r.cpu.flag_svm),
        yes(&r.cpu.flag_avic),
        yes(&r.cpu.flag_x2avic),
        yes(&r.cpu.flag_hypervisor)
    );
    match &r.cpuid {
        Known::Known(c) => {
            outln!(
                o,
                "  CPUID:             vendor {}, max extended leaf {:#x}",
                c.vendor,
                c.max_extended_leaf
            );
            outln!(
                o,
                "                     SVM {}, AVIC (8000_000A EDX[13]) {}, x2AVIC (EDX[18]) {}",
                yes(&c.svm),
                yes(&c.avic),
                yes(&c.x2avic)
            );
            outln!(
                o,
                "                     hypervisor bit (1:ECX[31]) {}{}",
                if c.hypervisor_bit { "set" } else { "clear" },
                c.hypervisor_signature
                    .as_ref()
                    .map(|s| format!(", signature '{s}'"))
                    .unwrap_or_default()
            );
        }
        Known::Unknown(why) => outln!(o, "  CPUID:             unknown ({why})"),
    }
    outln!(o, "virtualization");
    outln!(o, "  /sys/hypervisor:   {}", r.sys_hypervisor.show());
    outln!(o, "  systemd-detect-virt: {}", r.detect_virt.show());
    outln!(o, "KVM");
    outln!(o, "  kvm_amd loaded:    {}", yes(&r.kvm_amd.loaded));
    outln!(o, "  avic parameter:    {}", yes(&r.kvm_amd.avic));
    outln!(o, "  enable_ipiv:       {}", yes(&r.kvm_amd.enable_ipiv));
    outln!(o, "AMD IOMMU");
    match &r.iommu {
        Known::Known(units) => {
            for u in units {
                outln!(
                    o,
                    "  {}: features {} → GASup (EFR[7]) {}, GAMSup vAPIC (EFR[21]) {}",
                    u.name,
                    u.raw.show(),
                    yes(&u.ga_sup),
                    yes(&u.gam_vapic)
                );
                if let Some(n) = &u.note {
                    outln!(o, "      ({n})");
                }
            }
        }
        Known::Unknown(why) => outln!(o, "  unknown ({why})"),
    }
    outln!(o, "kernel");
    outln!(o, "  release:           {}", r.kernel.show());
    match &r.preset {
        Known::Known(p) => {
            outln!(o, "  preset:            {} — {}", p.preset, p.why);
            for v in &p.verdicts {
                let kinds: Vec<&str> = v.kinds.iter().map(|k| k.id()).collect();
                outln!(
                    o,
                    "    {:<24} {:<9} {}",
                    v.scenario,
                    v.verdict,
                    kinds.join(", ")
                );
            }
        }
        Known::Unknown(why) => outln!(o, "  preset:            unknown ({why})"),
    }
    outln!(o, "summary");
    for s in &r.summary {
        outln!(o, "  - {s}");
    }
    o
}

/// Run `avic-lab probe`.
pub fn run(args: ProbeArgs) -> anyhow::Result<ExitCode> {
    let live = args.root == Path::new("/");
    let report = gather(&args.root, live);
    if args.json {
        crate::cli::output::emit_json(&report)?;
    } else {
        crate::cli::output::emit(&print_text(&report))?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempTree(PathBuf);

    impl TempTree {
        fn new(tag: &str) -> TempTree {
            let p = std::env::temp_dir().join(format!(
                "avic-probe-{tag}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = fs::remove_dir_all(&p);
            fs::create_dir_all(&p).unwrap();
            TempTree(p)
        }

        fn file(&self, rel: &str, text: &str) {
            let p = self.0.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
    }

    impl Drop for TempTree {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    const CPUINFO: &str = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC 7763 64-Core Processor\nstepping\t: 1\nflags\t\t: fpu svm avic x2avic npt\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\n\n";

    #[test]
    fn fake_amd_host_with_avic() {
        let t = TempTree::new("amd");
        t.file("proc/cpuinfo", CPUINFO);
        t.file("proc/sys/kernel/osrelease", "6.8.0-45-generic\n");
        t.file("sys/module/kvm_amd/parameters/avic", "Y\n");
        t.file("sys/module/kvm_amd/parameters/enable_ipiv", "N\n");
        t.file(
            "sys/class/iommu/ivhd0/amd-iommu/features",
            "25bf732fa2295afe:53\n",
        );
        let r = gather(&t.0, false);
        assert_eq!(r.cpu.vendor, Known::Known("AuthenticAMD".into()));
        assert_eq!(r.cpu.logical_cpus, Known::Known(2));
        assert_eq!(r.cpu.flag_avic, Known::Known(true));
        assert_eq!(r.kvm_amd.loaded, Known::Known(true));
        assert_eq!(r.kvm_amd.avic, Known::Known(true));
        assert_eq!(r.kvm_amd.enable_ipiv, Known::Known(false));
        let units = r.iommu.get().unwrap();
        assert_eq!(units[0].ga_sup, Known::Known(true));
        let p = r.preset.get().unwrap();
        assert_eq!(p.preset, "lock-fix");
        assert!(!p.verdicts.is_empty());
        assert!(matches!(r.cpuid, Known::Unknown(_)));
        assert!(
            r.summary
                .iter()
                .any(|s| s.contains("can exercise the real race")),
            "{:?}",
            r.summary
        );
    }

    #[test]
    fn empty_tree_is_all_unknown_never_a_crash() {
        let t = TempTree::new("empty");
        let r = gather(&t.0, false);
        assert!(matches!(r.cpu.vendor, Known::Unknown(ref why) if why.contains("proc/cpuinfo")));
        assert_eq!(r.kvm_amd.loaded, Known::Known(false));
        assert!(matches!(r.kvm_amd.avic, Known::Unknown(_)));
        assert!(matches!(r.iommu, Known::Unknown(_)));
        assert!(matches!(r.kernel, Known::Unknown(_)));
        assert!(matches!(r.preset, Known::Unknown(_)));
        assert_eq!(r.sys_hypervisor, Known::Known("absent".into()));
    }

    #[test]
    fn garbage_files_are_unknown() {
        let t = TempTree::new("garbage");
        t.file("proc/cpuinfo", "\u{0}\u{1}binary junk without colons\n");
        t.file("proc/sys/kernel/osrelease", "not-a-version\n");
        t.file("sys/module/kvm_amd/parameters/avic", "perhaps\n");
        t.file("sys/class/iommu/dmar0/intel-iommu/cap", "0\n");
        t.file("sys/hypervisor/type", "xen\n");
        let r = gather(&t.0, false);
        assert!(matches!(r.cpu.vendor, Known::Unknown(_)));
        assert!(matches!(r.kvm_amd.avic, Known::Unknown(ref w) if w.contains("perhaps")));
        assert!(matches!(r.iommu, Known::Unknown(ref w) if w.contains("dmar0")));
        assert!(matches!(r.preset, Known::Unknown(ref w) if w.contains("not-a-version")));
        assert_eq!(r.sys_hypervisor, Known::Known("type xen".into()));
    }

    #[test]
    fn presets_by_version() {
        assert_eq!(preset_for((5, 15)).0, "pre-2023");
        assert_eq!(preset_for((6, 5)).0, "pre-2023");
        assert_eq!(preset_for((6, 6)).0, "lock-fix");
        assert_eq!(preset_for((6, 16)).0, "lock-fix");
        assert_eq!(preset_for((6, 17)).0, "upstream-latest");
        assert_eq!(preset_for((7, 0)).0, "upstream-latest");
        assert!(preset_for((5, 4)).1.contains("never landed"));
    }
}
