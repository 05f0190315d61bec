use super::*;
use crate::explore::CheckOptions;
use crate::sim::Sim;

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

/// Each challenge says its goal in one sentence and its win condition in words.
#[test]
fn goals_and_win_conditions_read_as_sentences() {
    let hang = by_id("hang-6-6-old-owner").unwrap();
    assert_eq!(
        hang.aim(),
        "Make the guest hang under Linux 6.6 in retarget-vs-old-owner."
    );
    assert!(hang.background().starts_with("Since 4c08e737f056"));
    let win = hang.win_condition();
    assert!(
        win.starts_with("You win when the lost wake-up oracle fires in your own run")
            && win.contains("retarget-vs-old-owner × linux-6.6 (sc)"),
        "{win}"
    );
    for c in all() {
        assert!(c.aim().ends_with('.') && c.aim().len() < 120, "{}", c.id);
        assert_eq!(
            format!("{} {}", c.aim(), c.background()),
            c.goal,
            "{}",
            c.id
        );
    }
}

/// The ladder from a check report (what a page's worker sends): the same as proving it here;
/// a report without the goal kind says why.
#[test]
fn the_ladder_comes_from_a_report_of_the_challenges_world() {
    let c = by_id("torn-entry").unwrap();
    let sim = c.sim().unwrap();
    let report = check(&sim, &CheckOptions::default(), &mut |_| true);
    let ladder = c.ladder(&report).unwrap();
    let cx = c.prove(&CheckOptions::default()).unwrap();
    assert_eq!(ladder, Ladder::new(&sim, &cx).unwrap());
    let safe = Sim::from_ids("put-block-vs-affinity", "linux-6.17", "sc").unwrap();
    let none = check(&safe, &CheckOptions::default(), &mut |_| true);
    assert!(matches!(
        c.ladder(&none),
        Err(Rejected::Unreachable {
            kind: "torn-read",
            ..
        })
    ));
    // Another world's counterexample of the same kind does not win here.
    let other = by_id("first-patch-hang").unwrap();
    let foreign = check(&c.sim().unwrap(), &CheckOptions::default(), &mut |_| true);
    assert!(other.ladder(&foreign).is_err());
}

/// The page's run is judged afresh in the challenge's own world: up to its cursor, and never
/// when it is a run of another world.
#[test]
fn a_run_is_judged_in_the_challenges_own_world() {
    let c = by_id("first-patch-hang").unwrap();
    let cx = c.prove(&CheckOptions::default()).unwrap();
    let sim = c.sim().unwrap();
    let mut run = Session::replay(&sim, &cx.schedule.to_string()).unwrap();
    let v = c.judge(&run).expect("the shortest hang wins");
    assert_eq!((v.kind, v.step), (c.win, run.len()));
    run.goto(run.len() - 1);
    assert_eq!(c.judge(&run), None, "not yet at the step that hangs");
    let elsewhere = Sim::from_ids("put-block-vs-affinity", "linux-6.6", "sc").unwrap();
    let mut other = Session::new(&elsewhere);
    for r in Session::replay(&sim, &cx.schedule.to_string())
        .unwrap()
        .records()
    {
        if other.step(r.event.action).is_err() {
            break;
        }
    }
    assert_eq!(c.judge(&other), None, "another world's run never wins");
}
