use super::*;
use crate::analysis::evidence::{model_evidence, CellId};
use crate::share::bundle::{
    join, recheck, Budget, CellEvidence, Host, StressEvidence, StressRun, TraceEvidence,
};
use crate::ViolationKind;
use std::collections::BTreeMap;

/// A bundle of two real cells (the model's evidence computed here), with a made-up host whose
/// stress numbers are the test's own.
fn bundle() -> Bundle {
    let cells = [
        "put-block-vs-affinity/naive-update/tso",
        "block-ga-log/linux-6.6/tso",
    ]
    .iter()
    .map(|id| {
        let id = CellId::parse(id).unwrap();
        CellEvidence {
            scenario: id.scenario.clone(),
            strategy: id.strategy.clone(),
            memory: id.memory,
            model: model_evidence(&id.sim().unwrap(), 1_000_000, 0, 100, 3),
            stress: StressEvidence::Ran(StressRun {
                iterations: 1000,
                seconds: 0.5,
                timeouts: 0,
                threads: 4,
                cores: 2,
                hits: if id.strategy == "naive-update" {
                    BTreeMap::from([(ViolationKind::StaleIrte, 400)])
                } else {
                    BTreeMap::new()
                },
            }),
        }
    })
    .collect();
    Bundle {
        format: FORMAT.into(),
        version: VERSION,
        tool: "avic-lab test".into(),
        created_unix: 1_796_196_600,
        budget: Budget {
            runs: 100,
            seed: 0,
            pct_depth: 3,
            stress_seconds: 0.5,
            max_states: 1_000_000,
        },
        host: Host {
            statement: "a test host: not an AVIC machine".into(),
            can_exercise_race: false,
            arch: "x86_64".into(),
            cpu_vendor: Some("AuthenticAMD".into()),
            cpu_model: Some("Test CPU".into()),
            cores: 2,
            kernel: Some("6.18.0".into()),
            kernel_preset: Some("linux-6.17".into()),
            avic: Some(false),
            kvm_amd_avic: None,
            iommu_ga: None,
            hypervisor: Some(true),
            virtualization: Some("docker".into()),
            summary: vec!["kvm_amd not loaded".into()],
            trace: TraceEvidence::NotRecorded {
                why: "not an AVIC host".into(),
            },
        },
        cells,
    }
}

fn edited(f: impl FnOnce(&mut serde_json::Value)) -> Result<Bundle, BundleError> {
    let mut v = serde_json::to_value(bundle()).unwrap();
    f(&mut v);
    Bundle::from_json(&v.to_string())
}

#[test]
fn a_bundle_round_trips_and_joins_one_row_per_cell() {
    let b = bundle();
    let back = Bundle::from_json(&b.to_json()).unwrap();
    assert_eq!(back, b);
    // A byte-order mark is fine.
    assert_eq!(
        Bundle::from_json(&format!("\u{feff}{}", b.to_json())).unwrap(),
        b
    );
    let t = join(&b, Some(&recheck(&b, 1_000_000).unwrap()));
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.columns.len(), 7);
    let naive = &t.rows[0];
    assert_eq!(naive.cell, "put-block-vs-affinity · naive-update · tso");
    assert!(
        naive.possible.contains("stale") && naive.possible.contains("lost"),
        "{naive:?}"
    );
    assert_eq!(naive.recomputed, "same");
    assert_eq!(naive.stress, "stale 400000 per million of 1000 iterations");
    assert!(
        naive.verdict.contains("reproduced on the host: stale"),
        "{naive:?}"
    );
    assert!(
        naive
            .verdict
            .contains("not seen on the host in 1000 iterations: lost"),
        "{naive:?}"
    );
    assert!(!naive.mismatch);
    let safe = &t.rows[1];
    assert!(safe.possible.starts_with("safe ("), "{safe:?}");
    assert_eq!(safe.uniform, "none of 100");
    assert_eq!(safe.verdict, "safe, and nothing seen on the host");
    assert!(t.title.contains("Test CPU"));
    assert!(t
        .host
        .iter()
        .any(|(k, v)| k == "trace" && v.contains("not an AVIC host")));
    assert!(t
        .host
        .iter()
        .any(|(k, v)| k == "made by" && v.ends_with("UTC")));
    assert!(t.to_text().contains("2 cell(s), 0 with a MISMATCH"));
    assert_eq!(super::super::table::utc(0), "1970-01-01 00:00 UTC");
    assert_eq!(
        super::super::table::utc(951_782_400 + 3_660),
        "2000-02-29 01:01 UTC"
    );
}

#[test]
fn evidence_against_the_model_is_a_mismatch() {
    let mut b = bundle();
    // The host claims a lost wake-up where the exhaustive search finds none.
    if let StressEvidence::Ran(r) = &mut b.cells[1].stress {
        r.hits.insert(ViolationKind::LostWakeup, 1);
    }
    let t = join(&b, None);
    assert!(t.rows[1].mismatch);
    assert!(
        t.rows[1].verdict.starts_with("MISMATCH: the host saw lost"),
        "{:?}",
        t.rows[1]
    );
    assert_eq!(t.rows[1].recomputed, "not recomputed");
    // A bundle whose verdict this build does not share.
    let mut b = bundle();
    b.cells[1].model.exhaustive.kinds = vec![ViolationKind::StaleIrte];
    b.cells[1].model.exhaustive.verdict = "violation".into();
    let t = join(&b, Some(&recheck(&b, 1_000_000).unwrap()));
    assert!(
        t.rows[1].recomputed.starts_with("DIFFERS: safe"),
        "{:?}",
        t.rows[1]
    );
    assert!(t.rows[1].mismatch);
}

#[test]
fn bad_bundles_are_refused_in_words() {
    let err = |r: Result<Bundle, BundleError>| r.unwrap_err().to_string();
    let big = " ".repeat(MAX_BUNDLE + 1);
    assert!(err(Bundle::from_json(&big)).contains("at most 4 MiB"));
    assert!(err(Bundle::from_json("{oops")).starts_with("not JSON: "));
    assert!(err(Bundle::from_json("[1]")).contains("not a host-report bundle"));
    assert!(err(Bundle::from_json(r#"{"version":1}"#)).contains("\"format\""));
    let e = err(edited(|v| v["version"] = 2.into()));
    assert!(e.contains("format version 2") && e.contains("newer"), "{e}");
    let e = err(edited(|v| v["cells"][1]["scenario"] = "no-such".into()));
    assert!(e.contains("cells[1]") && e.contains("no-such"), "{e}");
    let e = err(edited(|v| v["cells"][0]["strategy"] = "linux-9".into()));
    assert!(e.contains("cells[0]: unknown strategy 'linux-9'"), "{e}");
    let e = err(edited(|v| v["cells"][0]["memory"] = "arm".into()));
    assert!(e.contains("cells[0]"), "{e}");
    let e = err(edited(|v| v["cells"][1] = v["cells"][0].clone()));
    assert!(e.contains("twice"), "{e}");
    let e = err(edited(|v| v["cells"] = serde_json::json!([])));
    assert!(e.contains("empty"), "{e}");
    let e = err(edited(|v| {
        v["cells"][0]["model"]["uniform"]["hits"]["stale-irte"] = 101.into()
    }));
    assert!(e.contains("101 runs hit stale-irte but 100"), "{e}");
    let e = err(edited(|v| {
        v["cells"][0]["stress"]["ran"]["hits"]["lost-wakeup"] = 1001.into()
    }));
    assert!(e.contains("cells[0].stress"), "{e}");
    let e = err(edited(|v| {
        v["cells"][0]["model"]["exhaustive"]["verdict"] = "safe".into()
    }));
    assert!(e.contains("verdict 'safe' with"), "{e}");
    let e = err(edited(|v| v["host"]["statement"] = "x".repeat(1001).into()));
    assert!(e.contains("host.statement is 1001 characters"), "{e}");
    let e = err(edited(|v| v["budget"]["pct_depth"] = 0.into()));
    assert!(e.contains("pct_depth"), "{e}");
    let e = err(edited(|v| {
        v.as_object_mut().unwrap().remove("host");
    }));
    assert!(e.contains("host"), "{e}");
    // An older strategy alias is read as its preset's id.
    let b = edited(|v| v["cells"][1]["strategy"] = "lock-fix".into()).unwrap();
    assert_eq!(b.cells[1].strategy, "linux-6.6");
}
