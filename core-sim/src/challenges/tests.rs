use super::*;
use crate::explore::CheckOptions;

#[test]
fn ids_are_unique_and_found() {
    for c in all() {
        assert_eq!(by_id(c.id).unwrap(), c);
        assert!(c.sim().is_ok(), "{}", c.id);
    }
    let ids: std::collections::BTreeSet<_> = all().iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), all().len());
    let err = by_id("nope").unwrap_err().to_string();
    assert!(err.contains("unknown challenge 'nope'") && err.contains("hang-6-6-old-owner"));
}

/// Every shipped challenge's goal is proven reachable by the exhaustive checker, its ladder
/// replays, and following the whole ladder by hand wins.
#[test]
fn every_goal_is_reachable_and_the_ladder_wins() {
    for c in all() {
        let cx = c
            .prove(&CheckOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cx.violation.kind, c.win);
        let sim = c.sim().unwrap();
        let ladder = Ladder::new(&sim, &cx).expect("counterexamples replay");
        let n = ladder.steps.len();
        assert_eq!(n, cx.schedule.0.len());
        assert!(ladder.revealed(0).is_empty());
        assert_eq!(ladder.revealed(LEVELS).len(), n);
        assert_eq!(ladder.revealed(LEVELS + 3).len(), n);
        for k in 1..=LEVELS {
            assert_eq!(
                ladder.revealed(k).len(),
                (k * n).div_ceil(LEVELS),
                "{}",
                c.id
            );
        }
        let mut s = Session::new(&sim);
        assert!(c.won(&s).is_none(), "{} is won before any step", c.id);
        for h in ladder.revealed(LEVELS) {
            assert!(h.text.starts_with(&format!("Run {} next: ", h.thread)));
            s.step(h.action).unwrap();
        }
        let v = c
            .won(&s)
            .unwrap_or_else(|| panic!("{}: ladder does not win", c.id));
        assert_eq!(v.kind, c.win);
    }
}

/// A challenge whose goal no interleaving reaches is rejected, not shipped.
#[test]
fn an_unreachable_goal_is_rejected() {
    let bad = Challenge {
        id: "impossible",
        title: "",
        scenario: "put-block-vs-affinity",
        strategy: "linux-6.6",
        memory: MemoryModel::Sc,
        goal: "",
        win: ViolationKind::LostWakeup,
    };
    let err = bad.prove(&CheckOptions::default()).unwrap_err();
    assert_eq!(
        err,
        Rejected::Unreachable {
            id: "impossible".into(),
            kind: "lost-wakeup"
        }
    );
    let tiny = CheckOptions {
        max_states: 1,
        ..CheckOptions::default()
    };
    let hang = by_id("hang-6-6-old-owner").unwrap();
    assert!(matches!(hang.prove(&tiny), Err(Rejected::Unproven { .. })));
    let broken = Challenge {
        scenario: "no-such-scenario",
        ..bad
    };
    assert!(matches!(
        broken.prove(&CheckOptions::default()),
        Err(Rejected::World { .. })
    ));
}
