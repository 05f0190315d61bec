//! End-to-end tests of the model commands of the `avic-lab` binary: check, matrix, replay, random,
//! list, and their errors on bad input.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_avic-lab");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(BIN).args(args).output().expect("binary runs");
    let r = Run {
        code: status.code().expect("exited, not killed"),
        stdout: String::from_utf8(stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(stderr).expect("utf-8 stderr"),
    };
    assert!(
        !r.stderr.contains("panicked"),
        "panic for {args:?}: {}",
        r.stderr
    );
    r
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", r.stdout))
}

/// A bad input: exit 3, one line on stderr starting with `error:` and naming the problem.
fn assert_input_error(args: &[&str], needle: &str) {
    let r = run(args);
    assert_eq!(
        r.code, 3,
        "{args:?}: stdout {} stderr {}",
        r.stdout, r.stderr
    );
    assert!(
        r.stdout.is_empty(),
        "{args:?} printed to stdout: {}",
        r.stdout
    );
    let err = r.stderr.trim_end();
    assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: '{needle}' not in: {err}");
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("avic-lab-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `matrix --json --jobs 2`, run once and shared by the tests that need it.
fn full_matrix() -> &'static Value {
    static M: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        let r = run(&["matrix", "--json", "--jobs", "2"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        json(&r)
    })
}

fn scenario_ids() -> Vec<String> {
    core_sim::scenario::ids()
}

const LOST: [&str; 6] = [
    "check",
    "--scenario",
    "put-block-vs-affinity",
    "--strategy",
    "naive-update",
    "--memory",
];

#[test]
fn check_finds_the_naive_lost_wakeup() {
    let r = run(&[&LOST[..], &["sc"]].concat());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("verdict: VIOLATION"), "{}", r.stdout);
    assert!(r.stdout.contains("lost-wakeup"), "{}", r.stdout);
    assert!(r.stdout.contains("── lost-wakeup (hang)"), "{}", r.stdout);
    assert!(r.stdout.contains("states: "), "{}", r.stdout);
    assert!(r.stdout.contains("transitions: "), "{}", r.stdout);
    assert!(r.stdout.contains("replay: avic-lab replay --scenario put-block-vs-affinity --strategy naive-update --memory sc "));
    // The step list names the threads and the kernel code.
    assert!(r.stdout.contains("  1. "), "{}", r.stdout);
}

#[test]
fn check_lock_fix_on_the_happy_path_is_safe() {
    let r = run(&[
        "check",
        "--scenario",
        "block-ga-log",
        "--strategy",
        "lock-fix",
        "--memory",
        "sc",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("verdict: SAFE"), "{}", r.stdout);
    assert!(r.stdout.contains("complete search"), "{}", r.stdout);
    let r = run(&[
        "check",
        "--scenario",
        "block-ga-log",
        "--strategy",
        "lock-fix",
        "--memory",
        "tso",
        "--reduction",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn check_json_counterexamples_replay_to_the_same_violation() {
    let r = run(&[&LOST[..], &["sc", "--json"]].concat());
    assert_eq!(r.code, 1);
    let v = json(&r);
    assert_eq!(v["verdict"], "violation");
    assert_eq!(v["scenario"], "put-block-vs-affinity");
    assert_eq!(v["strategy"], "naive-update");
    assert_eq!(v["memory_model"], "sc");
    assert!(v["states"].as_u64().unwrap() > 0);
    assert!(v["transitions"].as_u64().unwrap() > 0);
    let ces = v["counterexamples"].as_array().unwrap();
    assert!(!ces.is_empty());
    let kinds: Vec<&str> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"lost-wakeup"));
    for ce in ces {
        let kind = ce["kind"].as_str().unwrap();
        let schedule = ce["schedule"].as_str().unwrap();
        assert_eq!(ce["steps"].as_u64().unwrap() as usize, schedule.len());
        assert_eq!(
            ce["timeline"]["rows"].as_array().unwrap().len(),
            schedule.len()
        );
        let replay = run(&[
            "replay",
            "--scenario",
            "put-block-vs-affinity",
            "--strategy",
            "naive-update",
            "--memory",
            "sc",
            schedule,
        ]);
        assert_eq!(replay.code, 1, "{}", replay.stdout);
        assert!(
            replay.stdout.contains(&format!("[{kind}]")),
            "{kind}: {}",
            replay.stdout
        );
    }
}

#[test]
fn check_writes_an_svg_of_the_shortest_counterexample() {
    let out = temp_file("ce.svg", "");
    let path = out.to_str().unwrap();
    let r = run(&[&LOST[..], &["sc", "--kind", "lost-wakeup", "--svg", path]].concat());
    assert_eq!(r.code, 1);
    // --kind shows only that counterexample.
    assert_eq!(r.stdout.matches("── ").count(), 1, "{}", r.stdout);
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
    assert!(svg.contains("lost-wakeup"));
}

#[test]
fn check_stops_at_the_state_limit_with_status_2() {
    let r = run(&[
        "check",
        "--scenario",
        "block-ga-log",
        "--strategy",
        "lock-fix",
        "--max-states",
        "5",
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout.contains("BOUNDED") && r.stdout.contains("state limit of 5"),
        "{}",
        r.stdout
    );
}

#[test]
fn check_times_out_with_status_2() {
    // The largest safe world of the matrix: big enough to reach a progress report.
    let biggest = full_matrix()
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] == "safe" && c["memory_model"] == "tso")
        .max_by_key(|c| c["states"].as_u64().unwrap())
        .unwrap();
    if biggest["states"].as_u64().unwrap() < 4_000 {
        return; // every safe world is too small to time out in
    }
    let r = run(&[
        "check",
        "--scenario",
        biggest["scenario"].as_str().unwrap(),
        "--strategy",
        biggest["strategy"].as_str().unwrap(),
        "--memory",
        "tso",
        "--timeout",
        "0.000001",
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains("timed out"), "{}", r.stdout);
}

#[test]
fn knobs_build_custom_strategies() {
    // Knobs that rebuild a preset are that preset.
    let r = run(&[
        "check",
        "--scenario",
        "ipi-during-load",
        "--strategy",
        "lock-fix",
        "--knobs",
        "write_once=0",
        "--json",
    ]);
    let knobbed = json(&r);
    let preset = json(&run(&[
        "check",
        "--scenario",
        "ipi-during-load",
        "--strategy",
        "lock-fix-plain-write",
        "--json",
    ]));
    assert_eq!(knobbed["strategy"], "lock-fix-plain-write");
    assert_eq!(knobbed["violations"], preset["violations"]);
    assert_eq!(knobbed["states"], preset["states"]);
    assert_eq!(knobbed["knobs"]["write_once"], false);
    // Others are custom, and the replay hint carries the knobs.
    let r = run(&[
        "check",
        "--scenario",
        "put-block-vs-affinity",
        "--strategy",
        "lock-fix",
        "--knobs",
        "lock-in-load-put=0, irte_target=vcpu-cpu,kick=on",
        "--json",
    ]);
    let v = json(&r);
    assert!(
        v["strategy"].as_str().unwrap().starts_with("custom("),
        "{}",
        v["strategy"]
    );
    assert_eq!(v["knobs"]["irte_target"], "vcpu-cpu");
    if let Some(ce) = v["counterexamples"].as_array().unwrap().first() {
        let replay = ce["replay"].as_str().unwrap();
        assert!(replay.contains("--knobs "), "{replay}");
    }
}

#[test]
fn scenario_files_load() {
    let scenario = core_sim::scenario::by_id("block-ga-log").unwrap();
    let path = temp_file("block.json", &scenario.to_json());
    let r = run(&[
        "check",
        "--scenario-file",
        path.to_str().unwrap(),
        "--strategy",
        "lock-fix",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("SAFE"));
}

#[test]
fn matrix_json_is_the_full_cross_product() {
    let cells = full_matrix().as_array().expect("one JSON array");
    let ids = scenario_ids();
    let presets: Vec<&str> = core_sim::strategy::PRESETS.iter().map(|p| p.id).collect();
    assert_eq!(presets.len(), core_sim::strategy::PRESETS.len());
    assert_eq!(cells.len(), ids.len() * presets.len() * 2);
    let mut seen = std::collections::BTreeSet::new();
    for c in cells {
        let o = c.as_object().unwrap();
        let keys: Vec<&str> = o.keys().map(String::as_str).collect();
        for k in [
            "scenario",
            "strategy",
            "memory_model",
            "verdict",
            "violations",
            "states",
            "shortest",
            "preemptions",
        ] {
            assert!(keys.contains(&k), "{k} missing in {c}");
        }
        // Every kind found has its preemption bound, and nothing else has one.
        let bounds = c["preemptions"].as_object().unwrap();
        let kinds: Vec<&str> = bounds.keys().map(String::as_str).collect();
        let found: Vec<&str> = c["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        let mut sorted = found.clone();
        sorted.sort_unstable();
        assert_eq!(kinds, sorted, "{c}");
        let verdict = c["verdict"].as_str().unwrap();
        assert!(["safe", "violation", "bounded"].contains(&verdict), "{c}");
        let violations = c["violations"].as_array().unwrap();
        for k in violations {
            assert!(
                core_sim::ViolationKind::from_id(k.as_str().unwrap()).is_some(),
                "{c}"
            );
        }
        assert!(c["states"].as_u64().unwrap() > 0);
        match verdict {
            "violation" => {
                assert!(!violations.is_empty());
                assert!(c["shortest"].as_u64().unwrap() > 0, "{c}");
            }
            _ => {
                assert!(violations.is_empty());
                assert!(c["shortest"].is_null(), "{c}");
            }
        }
        seen.insert((
            c["scenario"].as_str().unwrap().to_string(),
            c["strategy"].as_str().unwrap().to_string(),
            c["memory_model"].as_str().unwrap().to_string(),
        ));
    }
    for s in &ids {
        for p in &presets {
            for m in ["sc", "tso"] {
                assert!(
                    seen.contains(&(s.clone(), p.to_string(), m.to_string())),
                    "{s} {p} {m} missing"
                );
            }
        }
    }
    // The same answers on one thread.
    let single = json(&run(&["matrix", "--json", "--jobs", "1", "--memory", "sc"]));
    let sc: Vec<&Value> = cells.iter().filter(|c| c["memory_model"] == "sc").collect();
    assert_eq!(single.as_array().unwrap().iter().collect::<Vec<_>>(), sc);
}

#[test]
fn matrix_text_is_a_table_with_a_summary() {
    let r = run(&[
        "matrix",
        "--memory",
        "sc",
        "--max-states",
        "50",
        "--jobs",
        "2",
    ]);
    // Bounded cells make the status 2.
    assert_eq!(r.code, 2, "{}", r.stderr);
    let first = r.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("scenario") && first.contains("verdict") && first.contains("states"),
        "{first}"
    );
    assert!(r.stdout.contains("put-block-vs-affinity"));
    assert!(r.stdout.contains("states/s"), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!(
            "{} cells",
            scenario_ids().len() * core_sim::strategy::PRESETS.len()
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn replay_prints_steps_and_reports_unfinished_runs() {
    let r = run(&[
        "replay",
        "--scenario",
        "block-ga-log",
        "--strategy",
        "lock-fix",
        "",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("run not finished after 0 steps"),
        "{}",
        r.stdout
    );
    let r = run(&[
        "replay",
        "--scenario",
        "block-ga-log",
        "--strategy",
        "lock-fix",
        "0",
        "--json",
    ]);
    assert_eq!(r.code, 0);
    let v = json(&r);
    assert_eq!(v["schedule"], "0");
    assert_eq!(v["finished"], false);
    assert_eq!(v["timeline"]["rows"].as_array().unwrap().len(), 1);
}

#[test]
fn random_runs_report_first_seeds_that_replay() {
    let r = run(&[
        "random",
        "--scenario",
        "put-block-vs-affinity",
        "--strategy",
        "naive-update",
        "--memory",
        "sc",
        "--runs",
        "2000",
        "--seed",
        "1",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("2000 uniform runs from seed 1"),
        "{}",
        r.stdout
    );
    let line = r
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("lost-wakeup"))
        .expect("lost-wakeup hit");
    assert!(line.contains("first seed"), "{line}");
    // The replay hint after it replays to a lost wake-up.
    let lines: Vec<&str> = r.stdout.lines().collect();
    let i = lines.iter().position(|l| *l == line).unwrap();
    let hint = lines[i + 1].trim();
    let args: Vec<&str> = hint.split_whitespace().skip(1).collect();
    assert_eq!(args[0], "replay", "{hint}");
    let replay = run(&args);
    assert_eq!(replay.code, 1);
    assert!(replay.stdout.contains("[lost-wakeup]"), "{}", replay.stdout);

    let r = run(&[
        "random",
        "--scenario",
        "put-block-vs-affinity",
        "--strategy",
        "naive-update",
        "--memory",
        "tso",
        "--runs",
        "200",
        "--pct",
        "3",
        "--json",
    ]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["runs"], 200);
    for h in v["hits"].as_array().unwrap() {
        assert!(
            h["first_seed"].as_u64().is_some() && h["schedule"].as_str().is_some(),
            "{h}"
        );
    }
}

#[test]
fn list_names_every_id() {
    let r = run(&["list"]);
    assert_eq!(r.code, 0);
    for id in scenario_ids() {
        assert!(r.stdout.contains(&id), "{id}");
    }
    for p in core_sim::strategy::PRESETS {
        assert!(
            r.stdout.contains(p.id) && r.stdout.contains(p.title),
            "{}",
            p.id
        );
    }
    for k in [
        "sc",
        "tso",
        "stale-irte",
        "lost-wakeup",
        "delayed-delivery",
        "torn-read",
        "deadlock",
        "irte_target",
    ] {
        assert!(r.stdout.contains(k), "{k}");
    }
    let v = json(&run(&["list", "--json"]));
    assert_eq!(
        v["strategies"].as_array().unwrap().len(),
        core_sim::strategy::PRESETS.len()
    );
    assert_eq!(
        v["scenarios"].as_array().unwrap().len(),
        scenario_ids().len()
    );
    assert_eq!(
        v["violation_kinds"].as_array().unwrap().len(),
        core_sim::ViolationKind::ALL.len()
    );
}

#[test]
fn list_shows_the_larger_worlds_apart_and_check_opens_them() {
    let larger: Vec<String> = core_sim::scenario::larger()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert!(!larger.is_empty());
    let text = run(&["list"]).stdout;
    let heading = "larger worlds, not in the matrix: check them with avic-lab check --scenario ID";
    let (before, after) = text
        .split_once(heading)
        .expect("the larger worlds' heading");
    let section = after.split("\n\n").next().unwrap();
    for id in &larger {
        assert!(
            section.contains(&format!("  {id} ")),
            "{id} not in: {section}"
        );
        assert!(
            !before.contains(id.as_str()),
            "{id} also among the shipped scenarios"
        );
    }
    let v = json(&run(&["list", "--json"]));
    let ids = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap_or_else(|| panic!("no {key}"))
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("larger_scenarios"), larger);
    assert_eq!(ids("scenarios"), scenario_ids());
    // The smallest opens by id and completes.
    let r = run(&[
        "check",
        "--scenario",
        &larger[0],
        "--strategy",
        "linux-6.6",
        "--memory",
        "sc",
        "--json",
    ]);
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    let report = json(&r);
    assert_eq!(report["scenario"], larger[0].as_str(), "{report}");
    assert_ne!(report["verdict"], "bounded", "{report}");
    assert!(report["states"].as_u64().unwrap() > 1, "{report}");
}

#[test]
fn bad_inputs_are_one_line_errors_with_status_3() {
    let c = |rest: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "check",
            "--scenario",
            "block-ga-log",
            "--strategy",
            "lock-fix",
        ]
        .map(String::from)
        .to_vec();
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "check".into(),
                "--scenario".into(),
                "nope".into(),
                "--strategy".into(),
                "lock-fix".into(),
            ],
            "unknown scenario 'nope'",
        ),
        (
            vec![
                "check".into(),
                "--scenario".into(),
                "block-ga-log".into(),
                "--strategy".into(),
                "nope".into(),
            ],
            "unknown strategy 'nope'",
        ),
        (c(&["--memory", "arm"]), "unknown memory model 'arm'"),
        (c(&["--knobs", "nope=1"]), "unknown knob 'nope'"),
        (c(&["--knobs", "kick=maybe"]), "not a boolean"),
        (
            c(&["--knobs", "irte_target=later"]),
            "unknown value 'later'",
        ),
        (c(&["--kind", "nope"]), "unknown violation kind 'nope'"),
        (
            c(&["--timeout", "-1"]),
            "--timeout must be a number of seconds above 0 and at most 86400",
        ),
        (c(&["--max-states", "lots"]), "invalid value 'lots'"),
        (c(&["--scenario-file", "x.json"]), "cannot be used with"),
        (
            vec!["check".into(), "--strategy".into(), "lock-fix".into()],
            "--scenario",
        ),
        (
            vec![
                "check".into(),
                "--scenario-file".into(),
                "/nonexistent/s.json".into(),
                "--strategy".into(),
                "lock-fix".into(),
            ],
            "cannot read scenario file '/nonexistent/s.json'",
        ),
        (
            vec!["matrix".into(), "--memory".into(), "arm".into()],
            "unknown memory model 'arm'",
        ),
        (
            vec!["matrix".into(), "--jobs".into(), "0".into()],
            "--jobs must be 1..=256",
        ),
        (
            vec![
                "random".into(),
                "--scenario".into(),
                "block-ga-log".into(),
                "--strategy".into(),
                "lock-fix".into(),
                "--pct".into(),
                "0".into(),
            ],
            "--pct depth must be 1..=20",
        ),
        (
            vec![
                "random".into(),
                "--scenario".into(),
                "block-ga-log".into(),
                "--strategy".into(),
                "lock-fix".into(),
                "--runs".into(),
                "0".into(),
            ],
            "--runs must be 1..=100000000",
        ),
        (
            vec!["frobnicate".into()],
            "unrecognized subcommand 'frobnicate'",
        ),
    ];
    for (args, needle) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_input_error(&args, needle);
    }

    let bad = temp_file("bad.json", "{\"id\": 3");
    assert_input_error(
        &[
            "check",
            "--scenario-file",
            bad.to_str().unwrap(),
            "--strategy",
            "lock-fix",
        ],
        "scenario JSON:",
    );
    let empty = temp_file("empty.json", "{}");
    assert_input_error(
        &[
            "check",
            "--scenario-file",
            empty.to_str().unwrap(),
            "--strategy",
            "lock-fix",
        ],
        "missing field",
    );
    let mut s = core_sim::scenario::by_id("block-ga-log").unwrap();
    s.pcpus = 9;
    let invalid = temp_file("invalid.json", &s.to_json());
    assert_input_error(
        &[
            "check",
            "--scenario-file",
            invalid.to_str().unwrap(),
            "--strategy",
            "lock-fix",
        ],
        "pcpus must be",
    );

    let replay = |schedule: &str| {
        vec![
            "replay",
            "--scenario",
            "block-ga-log",
            "--strategy",
            "lock-fix",
            schedule,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    for (schedule, needle) in [
        ("01x", "character 'x' at position 2"),
        ("7", "no thread 7"),
        ("000000000000000000000000000000", "schedule step "),
    ] {
        let args = replay(schedule);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_input_error(&args, needle);
    }
}

#[test]
fn help_and_version_exit_0() {
    let r = run(&["--help"]);
    assert_eq!(r.code, 0);
    for cmd in ["check", "matrix", "replay", "random", "list"] {
        assert!(r.stdout.contains(cmd), "{cmd}");
        assert_eq!(run(&[cmd, "--help"]).code, 0, "{cmd}");
    }
    assert_eq!(run(&["--version"]).code, 0);
    // No subcommand: usage on stderr, status 3.
    assert_eq!(run(&[]).code, 3);
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let mut child = Command::new(BIN)
        .args(&LOST[..])
        .arg("sc")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn check_memory_limit_bounds_the_search_and_zero_is_refused() {
    // Shipped cells now fit in 1 MiB packed: take a world of millions of states (one halting
    // vCPU, an updater, five interrupts) whose only violation, a delayed delivery, is not asked
    // for, so that the search runs on until the limit stops it.
    let mut threads = vec![
        r#"{"actor":{"vcpu":0},"ops":[{"op":"exit"},{"op":"block"}]}"#.to_string(),
        r#"{"actor":"updater","ops":[{"op":"update-affinity","irte":0,"vcpu":0},{"op":"update-affinity","irte":1,"vcpu":0}]}"#.to_string(),
    ];
    for irte in [0, 1, 0, 1, 0] {
        threads.push(format!(
            r#"{{"actor":"device","ops":[{{"op":"interrupt","irte":{irte}}}]}}"#
        ));
    }
    let world = format!(
        r#"{{"id":"seven-threads","title":"seven threads","pcpus":2,"vcpus":[{{"state":"in-guest","pcpu":0}}],"irtes":[{{}},{{}}],"threads":[{}],"oracles":["stale-irte","lost-wakeup","torn-read","deadlock"]}}"#,
        threads.join(",")
    );
    let file = temp_file("seven-threads.json", &world);
    let r = run(&[
        "check",
        "--scenario-file",
        file.to_str().unwrap(),
        "--strategy",
        "linux-6.6",
        "--max-memory",
        "1",
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout.contains("stopped at the memory limit of 1 MiB"),
        "{}",
        r.stdout
    );
    assert_input_error(
        &[
            "check",
            "--scenario",
            "block-ga-log",
            "--strategy",
            "lock-fix",
            "--max-memory",
            "0",
        ],
        "--max-memory must be at least 1",
    );
}

#[test]
fn open_plays_a_lesson_with_its_notes_and_verified_claims() {
    let r = run(&["open", "--lessons"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout
            .lines()
            .filter(|l| l.starts_with(char::is_numeric))
            .count(),
        6
    );

    let r = run(&["open", "first-patch"]);
    assert_eq!(r.code, 1, "the lesson's run loses a wake-up: {}", r.stderr);
    assert!(
        r.stdout.starts_with("Lesson 2: The first patch"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("▶ May 2023") && r.stdout.contains("[lost-wakeup] HANG"));
    assert!(r.stdout.contains("Takeaway:") && r.stdout.contains("add --verify"));

    let r = run(&["open", "lock-fix", "--verify"]);
    assert_eq!(
        r.code, 0,
        "the lock-fix lesson's run is clean: {}",
        r.stdout
    );
    assert_eq!(r.stdout.matches("  ✓ ").count(), 2, "{}", r.stdout);
    assert!(!r.stdout.contains('✗'));
    assert!(r.stdout.contains("4c08e737f056"));
}

#[test]
fn open_reads_share_links_old_and_new() {
    // A v2 link counts the first model's steps; it opens the same run, in today's steps.
    let v2 = "http://127.0.0.1:8080/?v=2&s=put-block-vs-affinity&t=naive-update&m=sc&r=0000000001111111222&at=9";
    let r = run(&["open", v2, "--json"]);
    assert_eq!(r.code, 1);
    let j = json(&r);
    assert_eq!(j["step"], 9);
    assert_eq!(j["strategy"], "naive-update");
    assert_eq!(
        j["link"],
        "?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=9"
    );

    let r = run(&["open", v2]);
    let marker = r
        .stdout
        .find("the link shows the state here, after step 9")
        .unwrap();
    assert!(r.stdout[marker..]
        .trim_start_matches(|c| c != '\n')
        .trim_start()
        .starts_with("10."));

    let v1 = "?v=1&scenario=running-retarget&strategy=lock-fix&memory=tso&schedule=0111";
    let j = json(&run(&["open", v1, "--json"]));
    // Four steps of the first model: today's activation adds its irq_desc lock, publish, flush
    // and unlock.
    assert_eq!(
        (j["memory_model"].as_str(), j["step"].as_u64()),
        (Some("tso"), Some(8))
    );
}

#[test]
fn open_refuses_bad_links_with_a_reason() {
    assert_input_error(&["open", "?v=99&s=x"], "newer version of the lab");
    assert_input_error(&["open", "first-patchx"], "unknown lesson 'first-patchx'");
    assert_input_error(&["open", "?v=2&m=arm"], "unknown memory model 'arm'");
    assert_input_error(
        &["open", "?v=3&s=running-retarget&t=kick&r=99"],
        "schedule step 0: there is no thread 9",
    );
    assert_input_error(&["open", "?v=2&s=nope"], "unknown scenario 'nope'");
    assert_input_error(&["open", "?v=3&r=00&at=7"], "only 2 steps");
}

#[test]
fn check_reports_the_fewest_preemptions_each_kind_needs() {
    let args = [
        "check",
        "--scenario",
        "retarget-vs-old-owner",
        "--strategy",
        "linux-6.5",
        "--memory",
        "sc",
        "--preemptions",
    ];
    let r = run(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("lost-wakeup needs 1 preemption (schedule "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("stale-irte needs 0 preemptions"),
        "{}",
        r.stdout
    );
    let j = json(&run(&[&args[..], &["--json"]].concat()));
    let rows = j["preemptions"].as_array().expect("preemptions in --json");
    let lost = rows.iter().find(|r| r["kind"] == "lost-wakeup").unwrap();
    assert_eq!(lost["preemptions"], 1);
    // The schedule replays to the kind.
    let schedule = lost["schedule"].as_str().unwrap();
    let replay = run(&[
        "replay",
        "--scenario",
        "retarget-vs-old-owner",
        "--strategy",
        "linux-6.5",
        "--memory",
        "sc",
        schedule,
    ]);
    assert!(replay.stdout.contains("lost-wakeup"), "{}", replay.stdout);
    // Without the flag, no such field.
    let plain = json(&run(&[&args[..7], &["--json"]].concat()));
    assert!(plain.get("preemptions").is_none());
}

#[test]
fn coverage_marks_dead_lines_and_the_lines_a_kind_needs() {
    let args = [
        "coverage",
        "--scenario",
        "put-block-vs-affinity",
        "--strategy",
        "naive-update",
        "--json",
    ];
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(
        v["kinds"],
        serde_json::json!(["stale-irte", "lost-wakeup", "delayed-delivery"])
    );
    let lines: Vec<&Value> = v["threads"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["listings"].as_array().unwrap())
        .flat_map(|l| l["lines"].as_array().unwrap())
        .collect();
    let dead = lines.iter().filter(|l| l["runs"] == false).count();
    assert_eq!(v["dead_lines"], dead);
    // The IRTE starts unposted, so svm_ir_list_del never has an old vCPU's list to leave.
    assert!(lines
        .iter()
        .any(|l| l["runs"] == false && l["func"] == "svm_ir_list_del"));
    // A line needed by a kind is a line some schedule runs.
    for l in &lines {
        if !l["needed_by"].as_array().unwrap().is_empty() {
            assert_eq!(l["runs"], true, "{l}");
        }
    }
    let text = run(&args[..5]);
    assert!(
        text.stdout.contains("never")
            && text
                .stdout
                .contains("column 2: '*' on a line every lost-wakeup")
    );
    let r = run(&[&args[..5], &["--max-states", "10"]].concat());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("stopped after 10 states"), "{}", r.stderr);
    assert_input_error(
        &[&args[..5], &["--max-states", "0"]].concat(),
        "--max-states",
    );
}

#[test]
fn glossary_prints_every_term_and_finds_one_by_any_spelling() {
    let all = run(&["glossary"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    for t in core_sim::glossary::all() {
        assert!(all.stdout.contains(&format!("[{}]", t.id)), "{}", t.id);
        assert!(all.stdout.contains(t.definition), "{}", t.id);
    }
    let one = run(&["glossary", "IsRun"]);
    assert_eq!(one.code, 0);
    assert!(
        one.stdout.starts_with("  IsRun (IRTE)  [irte-is-run]\n"),
        "{}",
        one.stdout
    );
    let j = json(&run(&["glossary", "--json", "ga log"]));
    assert_eq!(j[0]["id"], "ga-log");
    assert!(j[0]["source"]
        .as_str()
        .unwrap()
        .contains("avic_ga_log_notifier"));
    let listed = run(&["list", "--glossary"]);
    assert!(listed.stdout.contains("\nglossary:\n") && listed.stdout.contains("[ir-list-lock]"));
    let listed = json(&run(&["list", "--json", "--glossary"]));
    assert_eq!(
        listed["glossary"].as_array().unwrap().len(),
        core_sim::glossary::all().len()
    );
    assert!(json(&run(&["list", "--json"])).get("glossary").is_none());
}

#[test]
fn glossary_refuses_an_unknown_or_oversized_term() {
    assert_input_error(
        &["glossary", "warp drive"],
        "no term 'warp drive' in the glossary",
    );
    let long = "x".repeat(5000);
    let r = run(&["glossary", &long]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.len() < 400, "the echo is clipped: {}", r.stderr);
    assert_input_error(&["glossary", "\u{1b}[2J"], "no term '\\u{1b}[2J'");
}

const NAIVE_LOST: &str = "000000000111111111111222";

#[test]
fn diff_aligns_the_naive_lost_wakeup_with_lock_fix_and_says_what_stops_it() {
    let flags = [
        "diff",
        "--scenario",
        "put-block-vs-affinity",
        "--strategy",
        "naive-update",
        "--schedule",
        NAIVE_LOST,
        "--against",
        "lock-fix",
    ];
    let r = run(&flags);
    assert_eq!(r.code, 0, "B's aligned run has no violation: {}", r.stdout);
    for needle in [
        "B: put-block-vs-affinity · linux-6.6 · sc",
        "first divergence: row 7: in B this thread ran this step already",
        "no-such-step: B's code has no such step in this operation",
        "lost-wakeup: A step 24 → gone in B's aligned run",
        "stale-irte: A step 21 → gone in B's aligned run",
    ] {
        assert!(
            r.stdout.contains(needle),
            "'{needle}' not in:\n{}",
            r.stdout
        );
    }
    // The same through a share link with the app's vs= parameter, as JSON, with --stops.
    let link = format!(
        "http://127.0.0.1:8080/?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r={NAIVE_LOST}&vs=lock-fix"
    );
    let r = run(&["diff", &link, "--json", "--stops"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["diff"]["first_divergence"], 6);
    assert_eq!(v["diff"]["b"]["strategy"], "linux-6.6");
    assert_eq!(v["diff"]["rows"][6]["note"]["reason"], "past");
    let fates = v["diff"]["fates"].as_array().unwrap();
    assert!(fates.iter().all(|f| f["b_step"].is_null()), "{fates:?}");
    let stoppers: Vec<(String, String)> = v["stops"]["stoppers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["flip"]["knob"].as_str().unwrap().to_string(),
                s["flip"]["to"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        stoppers,
        [
            ("kick".into(), "1".into()),
            ("irte_target".into(), "never".into())
        ]
    );
    assert_eq!(v["stops"]["flips"].as_array().unwrap().len(), 15);
    // The text names each stopper and lists every flip checked.
    let r = run(&[&flags[..], &["--stops"]].concat());
    assert!(r.stdout.contains("lost-wakeup: irte_target vcpu-cpu → never (= linux-6.5); this run diverges there at row"), "{}", r.stdout);
    assert!(
        r.stdout.contains("every flip checked (15):"),
        "{}",
        r.stdout
    );
}

#[test]
fn diff_in_the_same_world_matches_every_step_and_keeps_the_violation() {
    let r = run(&[
        "diff",
        "--scenario",
        "put-block-vs-affinity",
        "--strategy",
        "naive-update",
        "--schedule",
        NAIVE_LOST,
        "--model",
        "sc",
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("no divergence"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("lost-wakeup: A step 24 → SURVIVES in B (step 24)"),
        "{}",
        r.stdout
    );
}

#[test]
fn diff_bad_input_is_one_line_and_exit_3() {
    let base = [
        "diff",
        "--scenario",
        "put-block-vs-affinity",
        "--strategy",
        "naive-update",
    ];
    let with = |extra: &[&'static str]| -> Vec<&'static str> { [&base[..], extra].concat() };
    assert_input_error(&with(&["--schedule", NAIVE_LOST]), "give --against ID");
    assert_input_error(&with(&["--against", "lock-fix"]), "give --schedule");
    assert_input_error(
        &with(&["--schedule", "0x", "--against", "lock-fix"]),
        "'x' at position 1",
    );
    assert_input_error(
        &with(&["--schedule", "7", "--against", "lock-fix"]),
        "no thread 7",
    );
    assert_input_error(
        &with(&["--schedule", "0", "--against", "nope"]),
        "unknown strategy 'nope'",
    );
    assert_input_error(
        &with(&["--schedule", "0", "--model", "arm"]),
        "unknown memory model 'arm'",
    );
    assert_input_error(
        &with(&[
            "--schedule",
            "0",
            "--against",
            "lock-fix",
            "--against-knobs",
            "kick=2",
        ]),
        "not a boolean",
    );
    assert_input_error(&["diff", "?v=3&t=nope&vs=kick"], "unknown strategy");
    assert_input_error(&["diff"], "give a LINK");
}

#[test]
fn replay_and_open_draw_the_machine_picture() {
    // The first patch's lost wake-up: at its last step the IRTE rings pCPU0, where nobody is.
    let out = temp_file("picture-end.svg", "");
    let path = out.to_str().unwrap();
    let replay = [
        "replay",
        "--scenario",
        "put-block-vs-affinity",
        "--strategy",
        "naive-update",
        "--memory",
        "sc",
        "000000000111111111111222",
        "--picture",
        path,
    ];
    let r = run(&replay);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
    assert!(svg.contains(r#"class="avic-picture""#));
    assert!(
        svg.contains(r#"data-to="pcpu0" data-unanswered="true""#),
        "{svg}"
    );
    // At step 9 vCPU0 has just gone to sleep; the IRTE is not yet in guest mode's doorbell path.
    let r = run(&[&replay[..], &["--at", "9"]].concat());
    assert_eq!(r.code, 1);
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.contains("step 9 · "), "{svg}");
    assert!(!svg.contains(r#"data-unanswered="true""#), "{svg}");
    assert_input_error(&[&replay[..], &["--at", "25"]].concat(), "--at 25");
    // open draws the link's step.
    let link = "?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=24";
    let r = run(&["open", link, "--picture", path]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.contains("step 24 · ") && svg.contains("nobody answers"));
}

/// `open LINK --email`: the run as 72-column plain text for a list reply, with the link, the
/// violation, its cause and its deciding race, on the first patch's lost wake-up.
#[test]
fn open_email_is_72_columns_with_link_violation_cause_and_race() {
    let link = "http://127.0.0.1:8080/?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=17";
    let r = run(&["open", link, "--email"]);
    assert_eq!(r.code, 1, "a violation: {}", r.stderr);
    for line in r.stdout.lines() {
        assert!(
            line.chars().count() <= 72,
            "{} columns: {line}",
            line.chars().count()
        );
        assert_eq!(line, line.trim_end(), "no trailing blanks: {line:?}");
    }
    // The link, cut at '&' only: joined again it is the link.
    let joined: String = r
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("The run in the lab"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(str::trim)
        .collect();
    assert_eq!(joined, link);
    let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "Violation: lost-wakeup (hang), seen at step 24.",
        "HANG: vCPU0 is asleep",
        "step 24, the device + IOMMU in the IOMMU (IOMMU notifies) made it true (doorbell → pCPU0 for vCPU0: no vCPU in the guest there, nobody answers)",
        "step 17, the IRQ affinity updater in amd_iommu_update_ga() (publish IRTE) wrote IRTE0",
        "Deciding race: the vCPU0 thread's read of vCPU0's ir_list in avic_update_iommu_vcpu_affinity() at step 4 raced with the IRQ affinity updater's write in svm_ir_list_add() at step 20",
        "Violation: stale-irte (corruption), seen at step 21.",
        "The run, step by step (24 steps):",
        "24. device + IOMMU:",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
    // --email is text: it refuses --json.
    let bad = run(&["open", link, "--email", "--json"]);
    assert_eq!(bad.code, 3, "bad input: {}", bad.stderr);
    assert!(bad.stderr.starts_with("error: "), "{}", bad.stderr);
}

/// `open LINK --zoom`: the first patch's hang as its story, fewer lines than the micro-steps,
/// the collapsed calls one line each, the deciding race's two accesses and the violation steps
/// as today's lines; `--json --zoom` adds the macro steps; without `--zoom`, today's output.
#[test]
fn open_zoom_tells_the_run_as_macro_steps_with_the_race_in_full() {
    let link = "?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=9";
    let plain = run(&["open", link]);
    let r = run(&["open", link, "--zoom"]);
    assert_eq!(r.code, 1, "a violation: {}", r.stderr);
    let numbered = |t: &str| {
        t.lines()
            .filter(|l| {
                let l = l.trim_start();
                l.split_once(". ").is_some_and(|(n, _)| {
                    n.split('–')
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                })
            })
            .count()
    };
    assert_eq!(numbered(&plain.stdout), 24, "{}", plain.stdout);
    let lines = numbered(&r.stdout);
    assert!((6..=10).contains(&lines), "{lines} lines:\n{}", r.stdout);
    assert!(
        r.stdout.contains("story: ") && r.stdout.contains("for 24 micro-step(s)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("10–19. IRQ affinity updater")
            && r.stdout
                .contains("▸ irq_set_vcpu_affinity → amd_iommu_activate_guest_mode"),
        "{}",
        r.stdout
    );
    // The race's accesses (steps 4 and 20) and the step where stale-irte fired stay in full,
    // exactly as today's output prints them.
    for step in ["  4. ", " 20. ", " 21. "] {
        let line = |t: &str| t.lines().find(|l| l.starts_with(step)).map(str::to_string);
        assert!(line(&r.stdout).is_some(), "{step} in\n{}", r.stdout);
        assert_eq!(line(&r.stdout), line(&plain.stdout));
    }
    assert!(r
        .stdout
        .contains("Deciding race: the vCPU0 thread's read of vCPU0's ir_list"));
    let j = json(&run(&["open", link, "--zoom", "--json"]));
    let story = j["story"]["steps"].as_array().expect("story steps");
    let collapsed: Vec<&Value> = story.iter().filter(|g| g["collapsed"] == true).collect();
    assert!(collapsed.len() >= 3, "{story:?}");
    assert_eq!(j["story"]["micro"], 24);
    assert!(run(&["open", link, "--json"])
        .stdout
        .find("\"story\"")
        .is_none());
    let bad = run(&["open", link, "--zoom", "--email"]);
    assert_eq!(bad.code, 3, "bad input: {}", bad.stderr);
}

/// `check --reduce por`: the same kinds in fewer states, said in the report; a counterexample
/// that replays to its kind; an unknown reduction is refused.
#[test]
fn check_reduce_por_finds_the_same_kinds_in_fewer_states() {
    let world = [
        "--scenario",
        "retarget-vs-old-owner",
        "--strategy",
        "linux-6.6",
        "--memory",
        "tso",
    ];
    let with = |extra: &[&'static str]| {
        let mut a = vec!["check"];
        a.extend(world);
        a.extend(extra);
        run(&a)
    };
    let plain = json(&with(&["--json"]));
    let por = json(&with(&["--json", "--reduce", "por"]));
    assert_eq!(plain["reduce"], "none");
    assert_eq!(por["reduce"], "por");
    assert_eq!(por["violations"], plain["violations"]);
    assert!(por["states"].as_u64() < plain["states"].as_u64(), "{por}");
    for ce in por["counterexamples"].as_array().unwrap() {
        let mut a = vec!["replay"];
        a.extend(world);
        a.push(ce["schedule"].as_str().unwrap());
        let replay = run(&a);
        let kind = ce["kind"].as_str().unwrap();
        assert!(replay.stdout.contains(kind), "{kind}: {}", replay.stdout);
    }
    let text = with(&["--reduce", "por"]);
    assert!(
        text.stdout.contains("persistent-set reduction"),
        "{}",
        text.stdout
    );
    let bad = with(&["--reduce", "symmetry-ish"]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("--reduce"), "{}", bad.stderr);
}

/// `check --symmetry on`: on a symmetric world, the same kinds in fewer states, the number of
/// symmetries in the report, counterexamples that replay; a world without any says so.
#[test]
fn check_symmetry_on_finds_the_same_kinds_in_fewer_states() {
    let world = [
        "--scenario",
        "twin-halts",
        "--strategy",
        "linux-6.6-zen2",
        "--memory",
        "sc",
    ];
    let with = |extra: &[&'static str]| {
        let mut a = vec!["check"];
        a.extend(world);
        a.extend(extra);
        run(&a)
    };
    let plain = json(&with(&["--json"]));
    let sym = json(&with(&["--json", "--symmetry", "on"]));
    assert_eq!(plain["symmetry"], false);
    assert_eq!(sym["symmetry"], true);
    assert_eq!(sym["symmetries"], 2);
    assert_eq!(sym["violations"], plain["violations"]);
    assert!(sym["states"].as_u64() < plain["states"].as_u64(), "{sym}");
    for ce in sym["counterexamples"].as_array().unwrap() {
        let mut a = vec!["replay"];
        a.extend(world);
        a.push(ce["schedule"].as_str().unwrap());
        let replay = run(&a);
        let kind = ce["kind"].as_str().unwrap();
        assert!(replay.stdout.contains(kind), "{kind}: {}", replay.stdout);
    }
    let text = with(&["--symmetry", "on"]);
    assert!(text.stdout.contains("2 symmetries"), "{}", text.stdout);
    let none = run(&[
        "check",
        "--scenario",
        "block-ga-log",
        "--strategy",
        "linux-6.6",
        "--symmetry",
        "on",
    ]);
    assert!(
        none.stdout.contains("none in this world"),
        "{}",
        none.stdout
    );
    let bad = with(&["--symmetry", "maybe"]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("--symmetry"), "{}", bad.stderr);
}
