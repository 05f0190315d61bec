//! `avic-lab host-report` through the binary: a bundle made here on a few cells with tiny
//! budgets, read back by `--show`; a given trace in the bundle; bad bundle files and bad flags
//! refused with one error line and status 3.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_avic-lab"))
        .args(args)
        .output()
        .expect("run avic-lab")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("avic-lab-host-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .display()
        .to_string()
}

const CELLS: &str =
    "put-block-vs-affinity/naive-update/tso,block-ga-log/lock-fix/sc,block-ga-log/linux-6.6/tso";

/// A bundle of three cells made here (0.2 s of stress each, 50 seeded runs of each kind).
fn make(name: &str, extra: &[&str]) -> (PathBuf, Value) {
    let path = temp(name);
    let p = path.display().to_string();
    let mut args = vec![
        "host-report",
        "-o",
        &p,
        "--cells",
        CELLS,
        "--stress-seconds",
        "0.2",
        "--runs",
        "50",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("(3 cells)"), "{}", text(&o));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (path, v)
}

#[test]
fn a_bundle_made_here_reads_back_with_one_row_per_cell() {
    let (path, v) = make("made.json", &["--no-trace"]);
    assert_eq!(v["format"], "avic-lab host-report");
    assert_eq!(v["version"], 1);
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 3);
    // The alias is written as its preset's id.
    assert_eq!(cells[1]["strategy"], "linux-6.6");
    assert_eq!(cells[0]["model"]["uniform"]["runs"], 50);
    assert_eq!(cells[0]["model"]["exhaustive"]["verdict"], "violation");
    assert_eq!(cells[1]["model"]["exhaustive"]["verdict"], "safe");
    // The two block-ga-log cells share one stress run: the hardware has one memory model.
    assert_eq!(cells[1]["stress"], cells[2]["stress"]);
    let ran = &cells[2]["stress"]["ran"];
    assert!(ran["iterations"].as_u64().unwrap() > 0, "{ran}");
    // Linux 6.6 on the happy path: the model says safe, so the host must show nothing.
    assert_eq!(ran["hits"], serde_json::json!({}));
    let host = &v["host"];
    assert_eq!(
        host["trace"]["not-recorded"]["why"],
        "not asked for (--no-trace)"
    );
    let statement = host["statement"].as_str().unwrap();
    if host["can_exercise_race"] == false {
        assert!(statement.contains("a non-AVIC machine"), "{statement}");
    }
    let p = path.display().to_string();
    let o = run(&["host-report", "--show", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("block-ga-log · linux-6.6 · sc"), "{t}");
    assert_eq!(
        t.matches("recomputed here            same").count(),
        3,
        "{t}"
    );
    assert!(t.contains("3 cell(s), 0 with a MISMATCH"), "{t}");
    assert!(t.contains(statement), "{t}");
    let o = run(&["host-report", "--show", &p, "--json"]);
    let table: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(table["rows"].as_array().unwrap().len(), 3);
    assert_eq!(
        table["rows"][1]["verdict"],
        "safe, and nothing seen on the host"
    );

    // A host that claims what the model rules out is a MISMATCH, status 1.
    let mut bad = v.clone();
    bad["cells"][2]["stress"]["ran"]["hits"]["lost-wakeup"] = 1.into();
    let bad_path = temp("mismatch.json");
    std::fs::write(&bad_path, bad.to_string()).unwrap();
    let o = run(&["host-report", "--show", &bad_path.display().to_string()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("MISMATCH: the host saw lost"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_given_trace_is_summarised_in_the_bundle() {
    // A synthetic trace-cmd report (tests/data/README.md): not recorded on an AVIC host.
    let (_, v) = make("traced.json", &["--trace", &data("avic-trace-cmd.txt")]);
    let t = &v["host"]["trace"]["recorded"];
    assert!(
        t["source"]
            .as_str()
            .unwrap()
            .ends_with("(given with --trace)"),
        "{t}"
    );
    assert!(t["events"].as_u64().unwrap() > 0, "{t}");
    assert!(t["event_counts"].as_object().unwrap().len() > 1, "{t}");
    let o = run(&[
        "host-report",
        "-o",
        &temp("x.json").display().to_string(),
        "--cells",
        CELLS,
        "--trace",
        &data("empty.txt"),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("no events"), "{}", text(&o));
}

fn refused(args: &[&str], needle: &str) {
    let o = run(args);
    assert_eq!(o.status.code(), Some(3), "{args:?}: {}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: ") && err.contains(needle),
        "{args:?}: {err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn bad_bundle_files_and_flags_are_refused_with_status_3() {
    let (path, v) = make("good.json", &["--no-trace"]);
    let write = |name: &str, body: &[u8]| {
        let p = temp(name);
        std::fs::write(&p, body).unwrap();
        p.display().to_string()
    };
    let show = |p: &str, needle: &str| refused(&["host-report", "--show", p], needle);
    show(&write("big.json", &vec![b' '; 5 << 20]), "at most 4 MiB");
    show(&write("garbage.json", b"hello"), "not JSON");
    show(&write("binary.json", &[0xff, 0xfe, 0x00]), "not UTF-8");
    show(
        &write("other.json", b"{\"cells\": []}"),
        "not a host-report bundle",
    );
    let mut newer = v.clone();
    newer["version"] = 2.into();
    show(
        &write("v2.json", newer.to_string().as_bytes()),
        "format version 2",
    );
    let mut unknown = v.clone();
    unknown["cells"][0]["scenario"] = "no-such-scenario".into();
    show(
        &write("cell.json", unknown.to_string().as_bytes()),
        "cells[0]",
    );
    show(
        &std::env::temp_dir().display().to_string(),
        "is a directory",
    );
    show(
        &temp("missing.json").display().to_string(),
        "cannot read bundle",
    );
    let out = temp("flags.json").display().to_string();
    refused(
        &["host-report", "-o", &out, "--cells", "nope/linux-6.6/tso"],
        "unknown scenario",
    );
    refused(
        &[
            "host-report",
            "-o",
            &out,
            "--cells",
            "put-block-vs-affinity",
        ],
        "SCENARIO/STRATEGY/MEMORY",
    );
    refused(
        &[
            "host-report",
            "-o",
            &out,
            "--cells",
            "block-ga-log/lock-fix/sc,block-ga-log/linux-6.6/sc",
        ],
        "named twice",
    );
    refused(
        &["host-report", "-o", &out, "--cells", CELLS, "--runs", "0"],
        "--runs",
    );
    refused(
        &[
            "host-report",
            "-o",
            &out,
            "--cells",
            CELLS,
            "--stress-seconds",
            "700",
        ],
        "--stress-seconds",
    );
    refused(
        &["host-report", "-o", &out, "--cells", CELLS, "--pct", "21"],
        "--pct",
    );
    assert!(!Path::new(&out).exists());
    let _ = std::fs::remove_file(path);
}
