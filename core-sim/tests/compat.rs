//! Links and scenario files written by the first release keep opening, and keep naming the same
//! kernel: a sample of each, as that release wrote them.

use core_sim::share::{self, ScenarioRef};
use core_sim::strategy::{IrteTarget, Strategy};
use core_sim::{Scenario, Sim};

/// Links of the first release: v1 and v2, preset ids that are now aliases, custom knob codes.
const OLD_LINKS: &[(&str, &str)] = &[
    (
        "?v=1&scenario=put-block-vs-affinity&strategy=naive-update&memory=sc&schedule=0000000001111111222&step=12",
        "naive-update",
    ),
    (
        "?v=1&scenario=migrate-vs-affinity&strategy=lock-fix&memory=tso&schedule=0012a1&step=3",
        "linux-6.6",
    ),
    (
        "?v=2&s=running-retarget&t=pre-2023&m=sc&r=000000011122&at=7",
        "linux-6.5",
    ),
    (
        "?v=2&s=retarget-vs-old-owner&t=upstream-latest&m=sc",
        "linux-6.17",
    ),
    (
        "?v=2&s=put-block-vs-affinity&t=lock-fix&m=tso&view=matrix&embed=1&theme=large",
        "linux-6.6",
    ),
];

#[test]
fn first_release_links_open_with_the_kernel_they_named() {
    for (q, preset) in OLD_LINKS {
        let link = share::decode(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        assert_eq!(
            Strategy::custom(link.knobs).preset_id(),
            Some(*preset),
            "{q}"
        );
        link.open().unwrap_or_else(|e| panic!("{q}: {e}"));
    }
}

#[test]
fn first_release_custom_knob_codes_keep_their_meaning() {
    // k.0d7 as the first release wrote it: lock, READ_ONCE, WRITE_ONCE, kick; target #3
    // (under-list-lock): bits 0,1,2,4 and 3 << 6.
    let link = share::decode("?v=2&s=put-block-vs-affinity&t=k.0d7&m=sc").unwrap();
    let k = link.knobs;
    assert!(k.lock_in_load_put && k.read_once && k.write_once && k.kick && !k.smp_mb);
    assert_eq!(k.irte_target, IrteTarget::UnderListLock);
    // The knobs added since are at the value the model had before they existed.
    assert!(!k.irqfds_lock && !k.shadow_entry && k.enable_ipiv && !k.avic_erratum_1235);
    assert!(!k.disarm_on_unlink);
    link.open().unwrap();
}

/// A scenario file as the first release saved it (`avic-lab check --save` / the web's Save).
const OLD_SCENARIO: &str = r#"{
  "id": "my-halt",
  "title": "My halt",
  "description": "saved by the first release",
  "pcpus": 2,
  "vcpus": [{"state": "in-guest", "pcpu": 0}],
  "irtes": [{"vcpu": 0, "posted": false}],
  "threads": [
    {"actor": {"vcpu": 0}, "ops": [{"op": "exit"}, {"op": "block"}]},
    {"actor": "updater", "ops": [{"op": "update-affinity", "irte": 0, "vcpu": 0}]},
    {"actor": "device", "ops": [{"op": "interrupt", "irte": 0}]}
  ],
  "oracles": ["stale-irte", "lost-wakeup", "delayed-delivery", "torn-read", "deadlock"]
}"#;

#[test]
fn a_first_release_scenario_file_still_loads_and_checks() {
    let s = Scenario::from_json(OLD_SCENARIO).unwrap();
    assert_eq!(s.oracles.len(), 5, "the file's own oracle list is kept");
    let sim = Sim::new(
        s.clone(),
        Strategy::preset("naive-update").unwrap(),
        core_sim::strategy::MemoryModel::Sc,
    )
    .unwrap();
    let r = core_sim::explore::check(&sim, &Default::default(), &mut |_| true);
    assert!(r.kinds().contains(&core_sim::ViolationKind::LostWakeup));
    // And inside a link.
    let link = share::Link {
        scenario: ScenarioRef::Json(OLD_SCENARIO.to_string()),
        ..share::Link::default()
    };
    let back = share::decode(&share::encode(&link)).unwrap();
    back.open().unwrap();
}

#[test]
fn first_release_schedules_replay_as_the_same_run() {
    // The v1 link above: the first release's naive-update lost wake-up at its step 12 (the
    // patch's IRTE write) opens at today's step 17, right after that write is published.
    let (q, _) = OLD_LINKS[0];
    let opened = share::decode(q).unwrap().open().unwrap();
    assert_eq!(opened.session.position(), 17);
    assert_eq!(opened.session.len(), 24);
    let mut end = opened.session.clone();
    end.goto(24);
    assert!(end
        .violations()
        .iter()
        .any(|v| v.kind == core_sim::ViolationKind::LostWakeup));
    assert!(!opened.link.legacy_steps);
    assert!(share::encode(&opened.link).starts_with("?v=3&"));
}

#[test]
fn every_lesson_is_its_first_release_run_in_todays_steps() {
    for l in core_sim::lessons::all() {
        let old = l.first_release_schedule.parse().unwrap();
        let t = core_sim::explore::legacy::translate(&l.sim(), &old).unwrap();
        assert_eq!(t.schedule.to_string(), l.schedule, "{}", l.id);
    }
    // An old lesson link's step lands on the same moment of the run.
    let link = share::decode("?v=2&view=lesson&l=first-patch&at=12").unwrap();
    assert!(link.legacy_steps);
    let opened = link.open().unwrap();
    assert_eq!(opened.session.position(), 17);
    assert_eq!(
        share::encode(&opened.link),
        "?v=3&view=lesson&l=first-patch&at=17"
    );
}

#[test]
fn an_edited_scenario_travels_as_compact_text_and_json_links_open_as_before() {
    let s = Scenario::from_json(OLD_SCENARIO).unwrap();
    // The JSON link is written exactly as before (format v3, sj=) and opens the same world.
    let json = share::Link {
        scenario: ScenarioRef::Json(OLD_SCENARIO.to_string()),
        ..share::Link::default()
    };
    let q = share::encode(&json);
    assert!(q.starts_with("?v=3&sj=%7B%0A"), "{q}");
    assert_eq!(share::decode(&q).unwrap().scenario().unwrap(), s);
    // The compact link: format v5, sc=, the same scenario in a fraction of the bytes.
    let compact = share::Link {
        scenario: ScenarioRef::Compact(s.to_compact().unwrap()),
        schedule: "0011".into(),
        ..share::Link::default()
    };
    let c = share::encode(&compact);
    assert!(c.starts_with("?v=5&sc=12_g0_0r_v0XB-uU00-dI0_"), "{c}");
    assert!(4 * c.len() < q.len(), "{} vs {} bytes", c.len(), q.len());
    let back = share::decode(&c).unwrap();
    assert_eq!(back, compact);
    assert_eq!(back.scenario().unwrap(), s);
    assert_eq!(back.open().unwrap().session.len(), 4);
    // A damaged one says where, and what is wrong there.
    let bad = c.replace("v0XB", "v0XQ");
    let e = share::decode(&bad).unwrap().open().unwrap_err().to_string();
    assert_eq!(
        e,
        "the link's scenario cannot run: scenario text: character 13: 'Q' is not an operation's letter"
    );
    // A v4 lab would refuse a v5 link in words: this one refuses v6 the same way.
    assert!(share::decode("?v=6&sc=1").is_err());
}
