//! The host section of a bundle: what `probe` found, in the bundle's terms, with a statement of
//! what this machine's numbers can show; and the trace: recorded where the host allows it (an AMD
//! CPU with AVIC, kvm_amd using it, root, tracefs), else why not.

use crate::host::probe::{self, read::Known, ProbeReport};
use crate::host::trace::{analyze, read::parse_all};
use anyhow::{bail, Context};
use core_sim::share::bundle::{Host, TraceEvidence};
use core_sim::text;
use std::path::{Path, PathBuf};

/// Findings of a trace kept in the bundle, one line each.
const FIRST_FINDINGS: usize = 10;

fn known(k: &Known<String>) -> Option<String> {
    k.get().map(|s| text::shown(s, 200))
}

/// The host section from a probe of this machine (the trace is filled in by [`trace`]).
pub fn host(r: &ProbeReport) -> Host {
    let f = probe::facts(r);
    let can = f.can_exercise(r);
    let iommu_ga = r
        .iommu
        .get()
        .map(|units| units.iter().any(|u| u.ga_sup == Known::Known(true)));
    let cpu = known(&r.cpu.model_name).unwrap_or_else(|| "an unnamed CPU".into());
    let statement = if can {
        format!("Made on an AMD host with AVIC in use by kvm_amd ({cpu}): stress ran the model's micro-step programs on its cores, and a trace, where there is one, shows its real kernel.")
    } else {
        let mut why = Vec::new();
        match f.amd {
            Some(false) => why.push("not an AMD CPU".to_string()),
            None => why.push("CPU vendor unknown".to_string()),
            Some(true) => {}
        }
        if f.in_vm == Some(true) {
            why.push("running under a hypervisor".into());
        }
        if f.avic != Some(true) {
            why.push("the CPU does not report AVIC".into());
        }
        if r.kvm_amd.avic.get() != Some(&true) {
            why.push(if r.kvm_amd.loaded.get() == Some(&true) {
                "kvm_amd does not use AVIC".into()
            } else {
                "kvm_amd not loaded".into()
            });
        }
        format!("Made on a machine that cannot run the real AVIC race ({cpu}: {}): a non-AVIC machine. Its stress numbers are the model's micro-step programs racing on real threads and cores, not the kernel on AVIC hardware.", why.join(", "))
    };
    Host {
        statement,
        can_exercise_race: can,
        arch: std::env::consts::ARCH.into(),
        cpu_vendor: known(&r.cpu.vendor),
        cpu_model: known(&r.cpu.model_name),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
        kernel: known(&r.kernel),
        kernel_preset: r.preset.get().map(|p| p.preset.to_string()),
        avic: f.avic,
        kvm_amd_avic: r.kvm_amd.avic.get().copied(),
        iommu_ga,
        hypervisor: f.in_vm,
        virtualization: known(&r.detect_virt),
        summary: r.summary.iter().map(|s| text::shown(s, 400)).collect(),
        trace: TraceEvidence::NotRecorded {
            why: "not looked at yet".into(),
        },
    }
}

/// Why this host cannot record a trace, or `None` when it can.
fn why_no_recording(r: &ProbeReport, script: &Path) -> Option<String> {
    let f = probe::facts(r);
    if !cfg!(target_os = "linux") {
        return Some("recording needs Linux".into());
    }
    if f.amd != Some(true) {
        return Some("not an AMD CPU: AVIC is AMD-only".into());
    }
    if r.kvm_amd.loaded.get() != Some(&true) {
        return Some("the kvm_amd module is not loaded".into());
    }
    if r.kvm_amd.avic.get() != Some(&true) {
        return Some("kvm_amd does not use AVIC (avic=N): the AVIC events would not fire".into());
    }
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()
        .is_some_and(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2))
                == Some("0")
        });
    if !root {
        return Some("tracing needs root (run host-report with sudo)".into());
    }
    if !script.is_file() {
        return Some(format!(
            "the recording script {} is not there (--record-script)",
            text::shown(&script.display().to_string(), 200)
        ));
    }
    None
}

/// Analyse a trace file as `avic-lab trace` does, into the bundle's summary.
pub fn analyse(path: &Path, source: String) -> anyhow::Result<TraceEvidence> {
    let name = text::shown(&path.display().to_string(), 200);
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        bail!("--trace {name} is a directory, not a trace file");
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read trace file {name}"))?;
    let parsed = parse_all(std::io::BufReader::with_capacity(64 << 10, file))
        .with_context(|| format!("reading {name}"))?;
    if parsed.lines.events == 0 {
        bail!(
            "trace file {name} has no events ({} lines): nothing to analyse",
            parsed.lines.total
        );
    }
    let opts = analyze::Options {
        wake_threshold_ns: 1_000_000,
        apic_of_cpu: Default::default(),
    };
    let a = analyze::analyze(&parsed.events, &opts);
    Ok(TraceEvidence::Recorded {
        source,
        lines: parsed.lines.total as u64,
        events: parsed.lines.events as u64,
        event_counts: a
            .event_counts
            .into_iter()
            .take(64)
            .map(|(k, v)| (text::shown(&k, 60), v))
            .collect(),
        findings: a.findings.len() as u64,
        first_findings: a
            .findings
            .iter()
            .take(FIRST_FINDINGS)
            .map(|f| text::shown(&format!("[{}] {}: {}", f.severity, f.kind, f.message), 400))
            .collect(),
    })
}

/// The trace section: a given file analysed, a recording made where the host allows it, or why
/// there is none.
pub fn trace(
    r: &ProbeReport,
    no_trace: bool,
    given: Option<&PathBuf>,
    script: &Path,
    seconds: u32,
) -> anyhow::Result<TraceEvidence> {
    if no_trace {
        return Ok(TraceEvidence::NotRecorded {
            why: "not asked for (--no-trace)".into(),
        });
    }
    if let Some(path) = given {
        let shown = text::shown(&path.display().to_string(), 200);
        return analyse(path, format!("{shown} (given with --trace)"));
    }
    if let Some(why) = why_no_recording(r, script) {
        return Ok(TraceEvidence::NotRecorded { why });
    }
    let out = std::env::temp_dir().join(format!("avic-lab-trace-{}.txt", std::process::id()));
    let status = std::process::Command::new("bash")
        .arg(script)
        .args(["-d", &seconds.to_string(), "-o"])
        .arg(&out)
        .status();
    let result = match status {
        Ok(s) if s.success() => analyse(
            &out,
            format!("recorded here for {seconds} s by {}", script.display()),
        ),
        Ok(s) => Ok(TraceEvidence::NotRecorded {
            why: format!("the recording script failed ({s}); its reason is on stderr above"),
        }),
        Err(e) => Ok(TraceEvidence::NotRecorded {
            why: format!("cannot run bash for the recording script: {e}"),
        }),
    };
    let _ = std::fs::remove_file(&out);
    result
}
