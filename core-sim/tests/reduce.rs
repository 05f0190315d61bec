//! The reductions that cut states are sound by test: on every shipped cell (scenario × strategy ×
//! memory model) the persistent-set search (`Reduce::Por`) finds the same kinds of violation as
//! plain search, the same final states, in no more states; every counterexample it reports
//! replays to its violation, and plain search, asked again, still gives the shortest one. (The
//! generated scenarios of `edited_scenarios.rs` are held to the same rule there.)

use core_sim::explore::{check, matrix, CheckOptions, CheckReport, Reduce, Session, StoreMode};
use core_sim::{MemoryModel, Sim};

fn replays(sim: &Sim, r: &CheckReport, what: &str) {
    for c in r.counterexamples.values() {
        let s = Session::replay(sim, &c.schedule.to_string()).unwrap();
        assert!(
            s.violations().iter().any(|v| v.kind == c.violation.kind),
            "{what}: {} does not show {}",
            c.schedule,
            c.violation.kind.id()
        );
    }
}

#[test]
fn persistent_sets_find_what_plain_search_finds_in_fewer_states() {
    let plain = CheckOptions::default();
    let por = CheckOptions {
        reduce: Reduce::Por,
        ..plain
    };
    let (mut all, mut kept, mut cut_cells) = (0usize, 0usize, 0usize);
    for (s, t, m) in matrix::worlds(&MemoryModel::ALL) {
        let sim = Sim::from_ids(&s, t, m.id()).unwrap();
        let what = format!("{s} × {t} × {}", m.id());
        let base = check(&sim, &plain, &mut |_| true);
        let r = check(&sim, &por, &mut |_| true);
        assert_eq!(r.outcome, base.outcome, "{what}");
        assert_eq!(r.kinds(), base.kinds(), "{what}");
        assert_eq!(
            r.final_states, base.final_states,
            "{what}: final states are kept"
        );
        assert_eq!(r.max_kick_ipis, base.max_kick_ipis, "{what}");
        assert!(r.states <= base.states, "{what}");
        replays(&sim, &r, &what);
        // Plain search is still there for the shortest: never longer than the reduced one's.
        for (k, c) in &r.counterexamples {
            assert!(
                base.counterexamples[k].schedule.0.len() <= c.schedule.0.len(),
                "{what}"
            );
        }
        all += base.states;
        kept += r.states;
        cut_cells += usize::from(r.states < base.states);
    }
    eprintln!("persistent sets: {kept} of {all} states ({cut_cells} cells cut)");
    assert!(
        kept * 10 < all * 9,
        "the reduction should cut states: {kept} of {all}"
    );
}

#[test]
fn persistent_sets_with_fingerprints_agree_too() {
    for (s, t, m) in [
        ("retarget-vs-old-owner", "linux-6.6", "tso"),
        ("old-owner-halts", "linux-6.17", "sc"),
        ("put-block-vs-affinity", "naive-update", "tso"),
    ] {
        let sim = Sim::from_ids(s, t, m).unwrap();
        let full = check(
            &sim,
            &CheckOptions {
                reduce: Reduce::Por,
                ..CheckOptions::default()
            },
            &mut |_| true,
        );
        let fp = check(
            &sim,
            &CheckOptions {
                reduce: Reduce::Por,
                store: StoreMode::Fingerprint,
                ..CheckOptions::default()
            },
            &mut |_| true,
        );
        assert_eq!(fp.store, StoreMode::Fingerprint);
        assert_eq!(fp.kinds(), full.kinds(), "{s} {t} {m}");
        assert_eq!(fp.final_states, full.final_states, "{s} {t} {m}");
        replays(&sim, &fp, s);
    }
}
