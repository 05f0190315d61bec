use super::*;
use core_sim::explore::matrix::check_cell;
use core_sim::explore::{check, CheckOptions};
use core_sim::Sim;

/// Every answer a real check can give, as the worker writes them.
fn answers() -> Vec<Response> {
    let mut out = vec![
        Response::Progress {
            job: 7,
            progress: Progress {
                states: 10,
                transitions: 20,
                frontier: 3,
                depth: 4,
            },
        },
        Response::Claim {
            job: 8,
            index: 1,
            count: 3,
            result: ClaimResult {
                holds: false,
                worlds: 2,
                states: 1234,
                detail: "naive-update: \"lost\" ✗".into(),
                ms: 12.625,
            },
        },
        Response::Failed {
            job: 0,
            error: "unreadable \u{1} request".into(),
        },
    ];
    // A violation of every kind the matrix shows, a safe world, and a bounded search.
    let worlds = [
        ("put-block-vs-affinity", "naive-update", "sc"),
        ("retarget-vs-old-owner", "linux-6.6", "tso"),
        ("ipi-during-load", "lock-fix-plain-write", "sc"),
        ("lock-order-affinity", "linux-6.17", "sc"),
        ("put-block-vs-affinity", "linux-6.17", "tso"),
    ];
    for (i, (s, p, m)) in worlds.into_iter().enumerate() {
        let sim = Sim::from_ids(s, p, m).unwrap();
        let report = check(&sim, &CheckOptions::default(), &mut |_| true);
        let coverage = (i % 2 == 0)
            .then(|| core_sim::analysis::coverage(&sim, crate::COVERAGE_STATES).ok())
            .flatten();
        out.push(Response::Checked {
            job: 100 + i as u64,
            report,
            ms: 0.1 + i as f64,
            coverage,
        });
        // Half the cells with the fewest preemptions filled in, as the worker sends them.
        let mut cell = check_cell(&sim, &CheckOptions::default());
        if i % 2 == 1 {
            core_sim::analysis::preemptions::fill_cell(&mut cell, &sim, 2_000_000);
        }
        out.push(Response::Cell {
            job: 200 + i as u64,
            cell: MatrixCell {
                index: i,
                cell,
                ms: 1.5,
            },
        });
    }
    let sim = Sim::from_ids("retarget-vs-old-owner", "naive-update", "tso").unwrap();
    let bounded = CheckOptions {
        max_states: 50,
        ..CheckOptions::default()
    };
    out.push(Response::Checked {
        job: 300,
        report: check(&sim, &bounded, &mut |_| true),
        ms: 0.0,
        coverage: None,
    });
    // The committed sample bundle (made on this project's non-AVIC build machine), joined as
    // the worker joins it, and once more with a mismatch.
    use core_sim::share::bundle::{self, Bundle};
    let b = Bundle::from_json(include_str!("../../../docs/host-report-sample.json")).unwrap();
    let mut table = bundle::join(&b, Some(&bundle::recheck(&b, 2_000_000).unwrap()));
    out.push(Response::Evidence {
        job: 400,
        table: table.clone(),
    });
    table.rows[0].mismatch = true;
    table.can_exercise_race = true;
    out.push(Response::Evidence { job: 401, table });
    // The welcome card's hang, found and not.
    let first = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
    let safe = Sim::from_ids("put-block-vs-affinity", "linux-6.17", "sc").unwrap();
    for (job, sim) in [(400, first), (401, safe)] {
        out.push(Response::Hang {
            job,
            schedule: core_sim::share::welcome::hang_schedule(&sim),
        });
    }
    out.push(stops_answer());
    out
}

/// What stops the naive update's lost wake-up, as the worker sends it: flips that stop a kind
/// (with a row and its reason), flips that stop none, presets named and not.
fn stops_answer() -> Response {
    let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
    let schedule = "000000000111111111111222".parse().unwrap();
    let w = core_sim::analysis::what_stops(&sim, &schedule, &CheckOptions::default()).unwrap();
    Response::Stops {
        job: 400,
        stops: crate::StopsAnswer::from_core(&w, 12.5),
    }
}

#[test]
fn a_stops_answer_has_every_optional_field_both_ways() {
    let Response::Stops { stops, .. } = stops_answer() else {
        panic!()
    };
    assert!(stops.stoppers().count() >= 2);
    assert!(stops
        .stoppers()
        .all(|f| f.diverges_at.is_some() && f.why.is_some()));
    assert!(stops
        .flips
        .iter()
        .any(|f| f.stops.is_empty() && f.why.is_none()));
    assert!(stops.flips.iter().any(|f| f.preset.is_some()));
    assert!(stops.flips.iter().any(|f| f.preset.is_none()));
    // An absent optional field reads as serde reads it: none.
    let mut v: Value = serde_json::from_str(&stops_answer().to_json()).unwrap();
    v["stops"]["stops"]["flips"][0]
        .as_object_mut()
        .unwrap()
        .remove("preset");
    let text = v.to_string();
    let serde: Response = serde_json::from_str(&text).unwrap();
    assert_eq!(Response::from_json(&text), Ok(serde));
}

#[test]
fn bad_values_inside_a_stops_answer_are_named() {
    let json = stops_answer().to_json();
    let bad = |from: &str, to: &str| {
        assert!(json.contains(from), "{from}");
        Response::from_json(&json.replacen(from, to, 1)).unwrap_err()
    };
    assert!(bad("\"verdict\":\"", "\"verdict\":\"x").contains("unknown verdict"));
    assert!(bad("\"stops\":[\"", "\"stops\":[\"nope").contains("unknown violation kind"));
    assert!(bad("\"hardware\":", "\"hardware\":1,\"h\":").contains("'hardware'"));
    assert!(bad("\"diverges_at\":", "\"diverges_at\":-1,\"y\":").contains("'diverges_at'"));
    assert!(bad("\"flips\":[", "\"flips\":[1,").contains("'flips'"));
    assert!(bad("\"knobs\":\"", "\"knobs\":0,\"x\":\"").contains("'knobs'"));
}

#[test]
fn it_reads_what_serde_reads_for_every_answer() {
    let all = answers();
    let kinds: std::collections::BTreeSet<_> = all
        .iter()
        .filter_map(|r| match r {
            Response::Checked { report, .. } => Some(report.kinds()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(
        kinds.len(),
        ViolationKind::ALL.len(),
        "every kind is covered"
    );
    let with_coverage = all
        .iter()
        .filter(|r| {
            matches!(
                r,
                Response::Checked {
                    coverage: Some(_),
                    ..
                }
            )
        })
        .count();
    assert!(with_coverage > 0, "some report carries line coverage");
    let hangs: Vec<_> = all
        .iter()
        .filter_map(|r| match r {
            Response::Hang { schedule, .. } => Some(schedule.is_some()),
            _ => None,
        })
        .collect();
    assert_eq!(hangs, [true, false], "a hang found and one not");
    for r in all {
        let json = r.to_json();
        let serde: Response = serde_json::from_str(&json).unwrap();
        assert_eq!(Response::from_json(&json).as_ref(), Ok(&serde), "{json}");
        assert_eq!(serde, r);
    }
}

#[test]
fn a_report_without_a_store_field_is_a_full_one() {
    let r = answers().remove(3);
    let mut v: Value = serde_json::from_str(&r.to_json()).unwrap();
    v["checked"]["report"]
        .as_object_mut()
        .unwrap()
        .remove("store");
    let Response::Checked { report, .. } = Response::from_json(&v.to_string()).unwrap() else {
        panic!("not a report");
    };
    assert_eq!(report.store, StoreMode::Full);
}

#[test]
fn broken_answers_are_errors_in_words() {
    let cases = [
        ("", "EOF"),
        ("[1]", "wrong type"),
        ("{}", "one key"),
        (r#"{"a":{},"b":{}}"#, "one key"),
        (
            r#"{"nonsense":{"job":1}}"#,
            "unknown answer kind 'nonsense'",
        ),
        (r#"{"failed":{"error":"x"}}"#, "missing field 'job'"),
        (
            r#"{"failed":{"job":-1,"error":"x"}}"#,
            "'job' has the wrong type",
        ),
        (
            r#"{"failed":{"job":1,"error":2}}"#,
            "'error' has the wrong type",
        ),
        (
            r#"{"progress":{"job":1,"progress":{"states":1,"transitions":1,"frontier":1}}}"#,
            "missing field 'depth'",
        ),
        (
            r#"{"claim":{"job":1,"index":0,"count":1,"result":{"holds":1}}}"#,
            "'holds' has the wrong type",
        ),
        (r#"{"hang":{"job":1}}"#, "missing field 'schedule'"),
        (
            r#"{"hang":{"job":1,"schedule":3}}"#,
            "'schedule' has the wrong type",
        ),
    ];
    for (text, want) in cases {
        let e = Response::from_json(text).unwrap_err();
        assert!(e.contains(want), "{text}: {e}");
    }
    let long = format!(
        "{{\"failed\":{{\"job\":1,\"error\":\"{}\"}}}}",
        "x".repeat(MAX_RESPONSE)
    );
    assert!(Response::from_json(&long).unwrap_err().contains("too long"));
}

#[test]
fn bad_values_inside_a_report_are_named() {
    let json = answers().remove(3).to_json();
    let bad = |from: &str, to: &str| {
        assert!(json.contains(from), "{from}");
        Response::from_json(&json.replacen(from, to, 1)).unwrap_err()
    };
    assert!(
        bad("\"outcome\":\"complete\"", "\"outcome\":\"done\"").contains("unknown outcome 'done'")
    );
    assert!(bad("\"store\":\"full\"", "\"store\":\"all\"").contains("unknown store 'all'"));
    assert!(bad("\"kind\":\"", "\"kind\":\"x").contains("unknown violation kind"));
    assert!(bad("\"max_kick_ipis\":", "\"max_kick_ipis\":999").contains("'max_kick_ipis'"));
    assert!(bad("\"schedule\":\"", "\"schedule\":\"?").contains("schedule:"));
    let cell = answers().remove(4).to_json();
    let e = Response::from_json(&cell.replacen("\"violations\":[\"", "\"violations\":[1,\"", 1));
    assert!(e.unwrap_err().contains("'violations'"));
}

#[test]
fn bad_values_inside_line_coverage_are_named() {
    let json = answers()
        .into_iter()
        .find(|r| {
            matches!(
                r,
                Response::Checked {
                    coverage: Some(c),
                    ..
                } if !c.in_every.is_empty()
            )
        })
        .expect("a report with coverage of a kind")
        .to_json();
    let bad = |from: &str, to: &str| {
        assert!(json.contains(from), "{from}");
        Response::from_json(&json.replacen(from, to, 1)).unwrap_err()
    };
    assert!(bad("\"executed\":[[[", "\"executed\":[[[1,").contains("coverage: field 'executed'"));
    assert!(
        bad("\"in_every\":{\"", "\"in_every\":{\"x").contains("coverage: unknown violation kind")
    );
    assert!(bad("\"in_every\":{", "\"in_every\":[],\"y\":{").contains("coverage: field 'in_every'"));
    let missing = json.replacen("\"executed\":", "\"executed_\":", 1);
    assert!(Response::from_json(&missing)
        .unwrap_err()
        .contains("coverage: missing field 'executed'"));
}
