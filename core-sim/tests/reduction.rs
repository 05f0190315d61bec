//! The sleep-set reduction is sound: on every shipped scenario, strategy and memory model it finds
//! the same verdict and the same kinds of violation as plain enumeration, visits the same states,
//! and executes no more transitions.

use core_sim::explore::{check, CheckOptions, Session};
use core_sim::{scenario, strategy, Sim};

#[test]
fn sleep_sets_agree_with_plain_enumeration() {
    let mut saved = 0usize;
    let mut total = 0usize;
    for id in scenario::ids() {
        for p in strategy::PRESETS {
            for mm in ["sc", "tso"] {
                let sim = Sim::from_ids(&id, p.id, mm).unwrap();
                let plain = check(
                    &sim,
                    &CheckOptions {
                        reduction: false,
                        ..Default::default()
                    },
                    &mut |_| true,
                );
                let reduced = check(
                    &sim,
                    &CheckOptions {
                        reduction: true,
                        ..Default::default()
                    },
                    &mut |_| true,
                );
                let what = format!("{id} × {} × {mm}", p.id);
                assert_eq!(plain.verdict(), reduced.verdict(), "{what}");
                assert_eq!(plain.kinds(), reduced.kinds(), "{what}");
                assert_eq!(
                    plain.states, reduced.states,
                    "{what}: sleep sets must not lose states"
                );
                assert_eq!(plain.final_states, reduced.final_states, "{what}");
                assert!(reduced.transitions <= plain.transitions, "{what}");
                // Counterexamples found with the reduction still replay to their violation.
                for c in reduced.counterexamples.values() {
                    let s = Session::replay(&sim, &c.schedule.to_string()).unwrap();
                    assert!(
                        s.violations().iter().any(|v| v.kind == c.violation.kind),
                        "{what}: {}",
                        c.schedule
                    );
                }
                saved += plain.transitions - reduced.transitions;
                total += plain.transitions;
            }
        }
    }
    assert!(
        saved > 0,
        "the reduction should skip some transitions ({total} in all)"
    );
}

#[test]
fn plain_bfs_counterexamples_are_shortest_and_replay() {
    for id in scenario::ids() {
        for p in strategy::PRESETS {
            let sim = Sim::from_ids(&id, p.id, "sc").unwrap();
            let r = check(&sim, &CheckOptions::default(), &mut |_| true);
            for c in r.counterexamples.values() {
                let s = Session::replay(&sim, &c.schedule.to_string()).unwrap();
                let at = s
                    .violations()
                    .into_iter()
                    .find(|v| v.kind == c.violation.kind)
                    .expect("replays");
                assert_eq!(
                    at.step,
                    c.schedule.0.len(),
                    "{id} {}: violation at the last step",
                    p.id
                );
                // No prefix shows it: BFS found it at the first depth where it exists.
                let shorter =
                    Session::replay(&sim, &c.schedule.to_string()[..c.schedule.0.len() - 1])
                        .unwrap();
                assert!(shorter
                    .records()
                    .iter()
                    .all(|r| r.violations.iter().all(|v| v.kind != c.violation.kind)));
            }
        }
    }
}

#[test]
fn limits_and_cancellation_are_reported() {
    let sim = Sim::from_ids("retarget-vs-old-owner", "lock-fix", "tso").unwrap();
    let r = check(
        &sim,
        &CheckOptions {
            max_states: 50,
            ..Default::default()
        },
        &mut |_| true,
    );
    assert_eq!(r.outcome, core_sim::explore::Outcome::StateLimit);
    let sim = Sim::from_ids("retarget-vs-old-owner", "upstream-latest", "tso").unwrap();
    let r = check(
        &sim,
        &CheckOptions {
            max_states: 50,
            ..Default::default()
        },
        &mut |_| true,
    );
    assert_eq!(r.verdict().id(), "bounded");
    let r = check(
        &sim,
        &CheckOptions {
            max_bytes: 64 * 1024,
            ..Default::default()
        },
        &mut |_| true,
    );
    assert_eq!(r.outcome, core_sim::explore::Outcome::MemoryLimit);
    assert!(
        r.bytes >= 64 * 1024 && r.states < 6116,
        "{} bytes, {} states",
        r.bytes,
        r.states
    );
    let mut calls = 0;
    let r = check(
        &sim,
        &CheckOptions {
            progress_every: 100,
            ..Default::default()
        },
        &mut |_| {
            calls += 1;
            calls < 3
        },
    );
    assert_eq!(r.outcome, core_sim::explore::Outcome::Cancelled);
}
