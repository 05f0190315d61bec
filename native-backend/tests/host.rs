//! Integration tests of the host commands (`stress`, `probe`, `trace`), run through the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_avic-lab"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run avic-lab")
}

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .display()
        .to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

// ---- stress ----

#[test]
fn stress_safe_strategy_shows_no_violation() {
    // Linux 6.6's lock fix on the happy-path scenario: the model says safe, so any observation
    // would be a bug in the model or in the harness. Deterministic: zero is the only right answer.
    let o = run(&[
        "stress",
        "--scenario",
        "block-ga-log",
        "--strategy",
        "lock-fix",
        "--iterations",
        "200",
        "--seconds",
        "2",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let r = json(&o);
    assert_eq!(r["model_verdict"], "safe");
    let out = &r["outcome"];
    let n = out["iterations"].as_u64().unwrap();
    assert!((1..=200).contains(&n), "{n}");
    assert_eq!(out["panics"], 0);
    assert!(
        out["tallies"].as_object().unwrap().is_empty(),
        "{}",
        out["tallies"]
    );
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), core_sim::ViolationKind::ALL.len());
    for row in rows {
        assert_eq!(row["observed"], 0, "{row}");
        assert_eq!(row["model_violation"], false, "{row}");
    }
    assert_eq!(out["placement"].as_array().unwrap().len(), 3);
}

#[test]
fn stress_text_output_has_the_table_and_honest_limits() {
    // An unsafe strategy: assert only the structure, never that the race was observed.
    let o = run(&[
        "stress",
        "--scenario",
        "put-block-vs-affinity",
        "--strategy",
        "naive-update",
        "--memory",
        "sc",
        "--iterations",
        "200",
        "--seconds",
        "2",
    ]);
    let code = o.status.code();
    assert!(
        code == Some(0) || code == Some(1),
        "{code:?} {}",
        stderr(&o)
    );
    let s = stdout(&o);
    for needle in [
        "CPU core(s)",
        "--memory sc ignored",
        "model (exhaustive, x86-TSO): violation",
        "lost-wakeup",
        "per million",
        "limits:",
    ] {
        assert!(s.contains(needle), "missing '{needle}' in:\n{s}");
    }
    // Each oracle the model flags is either reproduced or honestly "not observed in N iterations".
    for line in s.lines().filter(|l| l.contains("VIOLATION")) {
        assert!(
            line.contains("reproduced") || line.contains("not observed in"),
            "{line}"
        );
    }
    assert!(!s.contains("MISMATCH"), "{s}");
}

#[test]
fn stress_rejects_bad_input() {
    let o = run(&["stress", "--scenario", "nope", "--strategy", "lock-fix"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("unknown scenario"), "{}", stderr(&o));
    let o = run(&[
        "stress",
        "--scenario",
        "block-ga-log",
        "--strategy",
        "lock-fix",
        "--seconds",
        "-1",
    ]);
    assert_eq!(o.status.code(), Some(3));
    let o = run(&[
        "stress",
        "--scenario",
        "block-ga-log",
        "--strategy",
        "lock-fix",
        "--iterations",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(3));
}

// ---- probe ----

struct TempTree(PathBuf);

impl TempTree {
    fn new(tag: &str) -> TempTree {
        let p = std::env::temp_dir().join(format!("avic-host-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempTree(p)
    }

    fn file(&self, rel: &str, text: &str) {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn probe_runs_on_this_machine() {
    let o = run(&["probe"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    for needle in [
        "CPU",
        "vendor:",
        "CPUID:",
        "kvm_amd loaded:",
        "AMD IOMMU",
        "release:",
        "summary",
    ] {
        assert!(s.contains(needle), "missing '{needle}' in:\n{s}");
    }
    let o = run(&["probe", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let r = json(&o);
    assert!(r["kernel"]["status"] == "known" || r["kernel"]["status"] == "unknown");
    assert!(r["summary"].as_array().is_some_and(|s| !s.is_empty()));
}

#[test]
fn probe_reads_a_fake_amd_tree() {
    let t = TempTree::new("probe-amd");
    t.file(
        "proc/cpuinfo",
        "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC 7763\nstepping\t: 1\nflags\t\t: svm avic x2avic\n\n",
    );
    t.file("proc/sys/kernel/osrelease", "5.15.0-91-generic\n");
    t.file("sys/module/kvm_amd/parameters/avic", "Y\n");
    t.file(
        "sys/class/iommu/ivhd0/amd-iommu/features",
        "f77ef22294ada\n",
    );
    let o = run(&["probe", "--json", "--root", t.path()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = json(&o);
    assert_eq!(r["cpu"]["vendor"]["value"], "AuthenticAMD");
    assert_eq!(r["kvm_amd"]["avic"]["value"], true);
    assert_eq!(r["iommu"]["value"][0]["ga_sup"]["value"], true);
    assert_eq!(r["preset"]["value"]["preset"], "pre-2023");
    assert_eq!(r["cpuid"]["status"], "unknown");
    let o = run(&["probe", "--root", t.path()]);
    let s = stdout(&o);
    assert!(s.contains("pre-2023") && s.contains("never landed"), "{s}");
}

#[test]
fn probe_survives_an_empty_tree() {
    let t = TempTree::new("probe-empty");
    let o = run(&["probe", "--root", t.path()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("unknown (cannot read /proc/cpuinfo"), "{s}");
    assert!(s.contains("kvm_amd loaded:    no"), "{s}");
}

// ---- trace ----

#[test]
fn trace_tracefs_sample_finds_the_staged_problems() {
    let o = run(&["trace", &data("avic-tracefs.txt"), "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = json(&o);
    assert_eq!(r["format"], "tracefs");
    let kinds: Vec<&str> = r["analysis"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "delayed-delivery",
            "irte-update-while-out",
            "near-lost-wakeup",
            "wrong-doorbell"
        ]
    );
    assert_eq!(r["lines"]["malformed"], 0);
    let f0 = &r["analysis"]["findings"][0];
    assert_eq!(f0["line"], 20);
    assert!(r["analysis"]["timelines"]["0"]["entries"].as_u64().unwrap() >= 3);
}

#[test]
fn trace_trace_cmd_sample_and_text_output() {
    let o = run(&["trace", &data("avic-trace-cmd.txt"), "--timeline"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("trace-cmd report, detected"), "{s}");
    assert!(s.contains("findings: 2"), "{s}");
    assert!(s.contains("line 9 (delayed-delivery)"), "{s}");
    assert!(s.contains("(line 12): IRTE for irq 45 posted to it"), "{s}");
    assert!(s.contains("0 malformed"), "{s}");
}

#[test]
fn trace_clean_sample_has_no_findings() {
    let o = run(&["trace", &data("clean-tracefs.txt"), "--format", "tracefs"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("findings: none"));
}

#[test]
fn trace_malformed_lines_are_counted_warnings() {
    let o = run(&["trace", &data("malformed-tracefs.txt"), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = json(&o);
    assert_eq!(r["lines"]["malformed"], 4);
    assert_eq!(r["lines"]["lost_markers"], 1);
    let lines: Vec<u64> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![4, 5, 6, 7, 8]);
}

#[test]
fn trace_bad_inputs_are_clear_errors() {
    let o = run(&["trace", &data("not-a-trace.txt")]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("does not look like a trace") && stderr(&o).contains("line 1"),
        "{}",
        stderr(&o)
    );
    let o = run(&["trace", &data("empty.txt")]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("is empty"), "{}", stderr(&o));
    let o = run(&["trace", &data("no-such-file.txt")]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("cannot read trace file"),
        "{}",
        stderr(&o)
    );
    let o = run(&["trace", &data("")]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("directory"), "{}", stderr(&o));
}

#[test]
fn trace_binary_garbage_is_an_error_not_a_panic() {
    let t = TempTree::new("trace-garbage");
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(t.0.join("g.bin"), bytes).unwrap();
    let o = run(&["trace", t.0.join("g.bin").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}{}", stdout(&o), stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn record_script_is_valid_bash_and_has_help() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/record-avic-trace.sh");
    let o = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("bash");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = Command::new("bash")
        .arg(&script)
        .arg("--help")
        .output()
        .expect("bash");
    assert!(o.status.success());
    assert!(stdout(&o).contains("trace-cmd"));
    let o = Command::new("bash")
        .arg(&script)
        .arg("--bogus")
        .output()
        .expect("bash");
    assert_eq!(o.status.code(), Some(2));
}
