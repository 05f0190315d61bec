//! `--program-file` and `export --program` end to end: export a preset's `avic_vcpu_put`, drop
//! its ir_list_lock, and the verdict changes; the same file works for check, replay, random and
//! open (whose link then carries it); bad files give FILE:line:col errors.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_avic-lab");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::new(BIN).args(args).output().expect("binary runs");
    let r = Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    };
    assert!(
        !r.stderr.contains("panicked"),
        "panic for {args:?}: {}",
        r.stderr
    );
    r
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("avic-lab-program-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const WORLD: [&str; 4] = [
    "--scenario",
    "migrate-vs-affinity",
    "--strategy",
    "linux-6.6",
];

fn with(args: &[&str], extra: &[&str]) -> Vec<String> {
    args.iter()
        .chain(&WORLD)
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

fn run_s(args: &[String]) -> Run {
    run(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn kinds(r: &Run) -> Vec<String> {
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
    let mut k: Vec<String> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    k.sort();
    k
}

/// linux-6.6's put with the two ir_list_lock lines dropped.
fn put_without_lock() -> (String, String) {
    let r = run_s(&with(&["export"], &["--program", "put"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("program \"avic_vcpu_put(vCPU0)\" for vcpu(0) put\n"),
        "{}",
        r.stdout
    );
    let edited: String = r
        .stdout
        .lines()
        .filter(|l| !l.contains("lock(ir_list(0))"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(edited.lines().count() + 2, r.stdout.lines().count());
    (r.stdout, edited)
}

#[test]
fn dropping_the_ir_list_lock_from_put_changes_the_verdict() {
    let (original, edited) = put_without_lock();
    let same = temp_file("same.txt", &original);
    let nolock = temp_file("nolock.txt", &edited);
    let plain = run_s(&with(&["check"], &["--json"]));
    let unchanged = run_s(&with(
        &["check"],
        &["--json", "--program-file", same.to_str().unwrap()],
    ));
    let broken = run_s(&with(
        &["check"],
        &["--json", "--program-file", nolock.to_str().unwrap()],
    ));
    assert_eq!(kinds(&plain), ["delayed-delivery"]);
    assert_eq!(kinds(&unchanged), kinds(&plain));
    let v: Value = serde_json::from_str(&broken.stdout).unwrap();
    assert_eq!(v["edited"][0], "vcpu_put (vCPU0 thread)");
    let v: Value = serde_json::from_str(&plain.stdout).unwrap();
    assert!(v.get("edited").is_none());
    // Without the lock, the put races the updater as in Linux 6.5: a stale IRTE.
    assert_eq!(kinds(&broken), ["delayed-delivery", "stale-irte"]);
    let text = run_s(&with(
        &["check"],
        &["--program-file", nolock.to_str().unwrap()],
    ));
    assert!(
        text.stdout
            .contains("linux-6.6 + edited vcpu_put (vCPU0 thread)"),
        "{}",
        text.stdout
    );
    // The counterexample's schedule replays with the same file, and random runs take it too.
    let v: Value = serde_json::from_str(&broken.stdout).unwrap();
    let stale = v["counterexamples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "stale-irte")
        .unwrap();
    let schedule = stale["schedule"].as_str().unwrap();
    let replay = run_s(&with(
        &["replay"],
        &[schedule, "--program-file", nolock.to_str().unwrap()],
    ));
    assert!(
        replay.stdout.contains("stale-irte") || replay.stdout.contains("STALE"),
        "{}",
        replay.stdout
    );
    let random = run_s(&with(
        &["random"],
        &["--seed", "1", "--program-file", nolock.to_str().unwrap()],
    ));
    assert!(random.code == 0 || random.code == 1, "{}", random.stderr);
}

#[test]
fn open_carries_the_programs_in_its_link() {
    let (_, edited) = put_without_lock();
    let nolock = temp_file("open.txt", &edited);
    let r = run(&[
        "open",
        "?v=3&s=migrate-vs-affinity&t=linux-6.6&m=sc",
        "--json",
        "--program-file",
        nolock.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let link = v["link"].as_str().unwrap();
    assert!(link.starts_with("?v=4&") && link.contains("&pg="), "{link}");
    assert_eq!(v["edited"][0], "vcpu_put (vCPU0 thread)");
    // The link alone opens the same edited world.
    let again = run(&["open", link, "--json"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let w: Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(w["link"], v["link"]);
    assert_eq!(w["edited"], v["edited"]);
}

#[test]
fn bad_program_files_are_refused_at_file_line_column() {
    let (original, _) = put_without_lock();
    let typo = temp_file(
        "typo.txt",
        &original.replacen("lock(ir_list(0))", "lok(ir_list(0))", 1),
    );
    let r = run_s(&with(
        &["check"],
        &["--program-file", typo.to_str().unwrap()],
    ));
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains(&format!(
            "{}:4:21: unknown instruction 'lok'",
            typo.display()
        )),
        "{}",
        r.stderr
    );
    let unbalanced: String = original
        .lines()
        .filter(|l| !l.contains(" unlock("))
        .map(|l| format!("{l}\n"))
        .collect();
    let unbalanced = temp_file("unbalanced.txt", &unbalanced);
    let r = run_s(&with(
        &["check"],
        &["--program-file", unbalanced.to_str().unwrap()],
    ));
    assert_eq!(r.code, 3);
    assert!(
        r.stderr
            .contains(":8:1: the program can end here still holding ir_list(0)"),
        "{}",
        r.stderr
    );
    let r = run_s(&with(&["check"], &["--program-file", "/dev/zero"]));
    assert!(
        r.code == 3 && r.stderr.contains("at most 64 KiB"),
        "{}",
        r.stderr
    );
    let r = run_s(&with(&["check"], &["--program-file", "/no/such/file"]));
    assert!(
        r.code == 3 && r.stderr.contains("cannot read program file"),
        "{}",
        r.stderr
    );
    let put = temp_file("put.txt", &original);
    let r = run(&[
        "check",
        "--scenario",
        "ipi-during-load",
        "--strategy",
        "linux-6.6",
        "--program-file",
        put.to_str().unwrap(),
    ]);
    assert!(
        r.code == 3
            && r.stderr
                .contains(":1:1: no thread of the scenario runs vcpu_put as vCPU0 thread"),
        "{}",
        r.stderr
    );
    let r = run_s(&with(&["export"], &["--program", "nope"]));
    assert!(
        r.code == 3
            && r.stderr
                .contains("no thread of scenario 'migrate-vs-affinity' runs 'nope'"),
        "{}",
        r.stderr
    );
}
