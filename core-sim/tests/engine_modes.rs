//! The checker's storage and parallel modes change how states are kept and who expands them,
//! never what is found: on every shipped cell, fingerprints and two worker threads report the
//! same verdict, the same counts and the very same counterexamples as one thread storing full
//! states.

use core_sim::explore::{check, matrix, CheckOptions, CheckReport, StoreMode};
use core_sim::{MemoryModel, Sim};

fn same(a: &CheckReport, b: &CheckReport, what: &str) {
    assert_eq!(a.outcome, b.outcome, "{what}");
    assert_eq!(a.states, b.states, "{what}");
    assert_eq!(a.transitions, b.transitions, "{what}");
    assert_eq!(a.final_states, b.final_states, "{what}");
    assert_eq!(a.max_depth, b.max_depth, "{what}");
    assert_eq!(a.max_kick_ipis, b.max_kick_ipis, "{what}");
    assert_eq!(a.counterexamples, b.counterexamples, "{what}");
}

#[test]
fn fingerprints_and_threads_find_what_full_storage_finds() {
    let plain = CheckOptions::default();
    let modes = [
        (
            "fingerprint",
            CheckOptions {
                store: StoreMode::Fingerprint,
                ..plain
            },
        ),
        (
            "2 threads",
            CheckOptions {
                threads: 2,
                ..plain
            },
        ),
        (
            "fingerprint, 3 threads",
            CheckOptions {
                store: StoreMode::Fingerprint,
                threads: 3,
                ..plain
            },
        ),
    ];
    for (s, t, m) in matrix::worlds(&MemoryModel::ALL) {
        let sim = Sim::from_ids(&s, t, m.id()).unwrap();
        let base = check(&sim, &plain, &mut |_| true);
        assert_eq!(base.omission_bound(), 0.0);
        for (name, opts) in &modes {
            let r = check(&sim, opts, &mut |_| true);
            same(&base, &r, &format!("{s} × {t} × {} ({name})", m.id()));
            assert_eq!(r.store, opts.store);
        }
    }
}

#[test]
fn fingerprints_take_fewer_bytes_and_state_their_risk() {
    let sim = Sim::from_ids("retarget-vs-old-owner", "naive-update", "tso").unwrap();
    let full = check(&sim, &CheckOptions::default(), &mut |_| true);
    let opts = CheckOptions {
        store: StoreMode::Fingerprint,
        ..CheckOptions::default()
    };
    let fp = check(&sim, &opts, &mut |_| true);
    assert!(fp.bytes < full.bytes, "{} vs {}", fp.bytes, full.bytes);
    assert!(
        full.bytes / full.states <= 100,
        "{} bytes a state",
        full.bytes / full.states
    );
    let risk = fp.omission_bound();
    assert!(risk > 0.0 && risk < 1e-9, "{risk}");
}

#[test]
fn parallel_limits_and_cancellation_are_reported() {
    let sim = Sim::from_ids("retarget-vs-old-owner", "upstream-latest", "tso").unwrap();
    let two = CheckOptions {
        threads: 2,
        ..CheckOptions::default()
    };
    let r = check(
        &sim,
        &CheckOptions {
            max_states: 50,
            ..two
        },
        &mut |_| true,
    );
    assert_eq!(r.outcome, core_sim::explore::Outcome::StateLimit);
    let mut calls = 0;
    let r = check(
        &sim,
        &CheckOptions {
            progress_every: 100,
            ..two
        },
        &mut |_| {
            calls += 1;
            calls < 2
        },
    );
    assert_eq!(r.outcome, core_sim::explore::Outcome::Cancelled);
}
