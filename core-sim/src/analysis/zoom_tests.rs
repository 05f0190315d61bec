//! Zoom on shipped counterexamples: the story is shorter than the run, every collapsed group
//! moved together (alone, in the original run) replays to the same final state and violations,
//! the story's own order does too, and the deciding race's accesses stay micro-steps.

use super::*;
use crate::analysis::race::deciding_races;
use crate::explore::{check, CheckOptions};
use crate::oracle::ViolationKind;

/// The run with `group`'s steps (1-based) moved together to where its first stands.
fn moved(actions: &[Action], group: &[usize]) -> Vec<Action> {
    let (first, last) = (group[0], *group.last().unwrap());
    let mut out = actions[..first - 1].to_vec();
    out.extend(group.iter().map(|&k| actions[k - 1]));
    out.extend(
        (first..=last)
            .filter(|k| !group.contains(k))
            .map(|k| actions[k - 1]),
    );
    out.extend_from_slice(&actions[last..]);
    out
}

/// A counterexample of `kind`, its trace, its story and its deciding pairs.
fn zoomed(
    scenario: &str,
    strategy: &str,
    kind: ViolationKind,
) -> (Sim, Trace, Story, Vec<(usize, usize)>) {
    let sim = Sim::from_ids(scenario, strategy, "sc").unwrap();
    let report = check(&sim, &CheckOptions::default(), &mut |_| true);
    let ce = report.counterexample(kind).unwrap();
    let s = Session::replay(&sim, &ce.schedule.to_string()).unwrap();
    let trace = Trace::from_session(&s, s.len());
    let pairs: Vec<(usize, usize)> = s
        .violations()
        .iter()
        .filter_map(|v| deciding_races(&sim, &trace, v).into_iter().next())
        .map(|r| (r.first, r.second))
        .collect();
    let story = story(&sim, &trace, &pairs);
    (sim, trace, story, pairs)
}

/// Every claim of the module on one counterexample.
fn holds(sim: &Sim, trace: &Trace, story: &Story, pairs: &[(usize, usize)]) {
    let base = judged(sim, &trace.actions).unwrap();
    let mut seen: Vec<usize> = story.steps.iter().flat_map(|g| g.steps.clone()).collect();
    seen.sort_unstable();
    assert_eq!(
        seen,
        (1..=trace.len()).collect::<Vec<_>>(),
        "each step in one line"
    );
    for g in story.steps.iter().filter(|g| g.collapsed) {
        let alone = moved(&trace.actions, &g.steps);
        assert_eq!(
            judged(sim, &alone).as_ref(),
            Some(&base),
            "group {}",
            g.range()
        );
        for &(a, b) in pairs {
            assert!(
                !g.steps.contains(&a) && !g.steps.contains(&b),
                "{}",
                g.range()
            );
        }
    }
    let whole: Schedule = story.schedule.parse().unwrap();
    assert_eq!(
        judged(sim, &whole.0).as_ref(),
        Some(&base),
        "the story's order"
    );
}

/// The first 2023 patch's hang: 24 micro-steps read as 8 lines; the put's walk of the ir_list
/// and the updater's link into it stay micro-steps.
#[test]
fn naive_update_hang_reads_in_a_few_lines_with_the_race_in_full() {
    let (sim, trace, story, pairs) = zoomed(
        "put-block-vs-affinity",
        "naive-update",
        ViolationKind::LostWakeup,
    );
    holds(&sim, &trace, &story, &pairs);
    assert_eq!(story.micro, 24);
    assert!(story.lines() <= 10, "{} lines: {story:#?}", story.lines());
    for &(a, b) in &pairs {
        for k in [a, b] {
            let g = story.steps.iter().find(|g| g.steps.contains(&k)).unwrap();
            assert!(!g.collapsed && g.kept == Kept::Pinned, "step {k}: {g:?}");
        }
    }
    assert!(story
        .steps
        .iter()
        .any(|g| g.collapsed && g.steps.len() >= 5));
}

/// The shipped counterexamples of the version presets in the retarget and old-owner worlds:
/// every collapsed group replays moved together to the same end, and the story is shorter.
#[test]
fn collapsed_groups_move_together_without_changing_the_run() {
    let mut collapsed = 0;
    for (scenario, strategy) in [
        ("retarget-vs-old-owner", "naive-update"),
        ("retarget-vs-old-owner", "linux-6.6"),
        ("put-block-vs-affinity", "linux-6.6"),
        ("old-owner-halts", "linux-6.17"),
        ("halt-preempted", "linux-6.17"),
    ] {
        let sim = Sim::from_ids(scenario, strategy, "sc").unwrap();
        let report = check(&sim, &CheckOptions::default(), &mut |_| true);
        for kind in report.kinds() {
            let (sim, trace, story, pairs) = zoomed(scenario, strategy, kind);
            holds(&sim, &trace, &story, &pairs);
            assert!(story.lines() < story.micro, "{scenario} {strategy} {kind}");
            collapsed += story.steps.iter().filter(|g| g.collapsed).count();
        }
    }
    assert!(collapsed >= 10, "{collapsed}");
}

/// In random runs (many interleavings), groups that do not commute with a step between their
/// own stay micro-steps, naming the step; every collapsed one still moves together.
#[test]
fn groups_that_do_not_commute_stay_micro_steps() {
    let mut conflicts = 0;
    for (scenario, strategy) in [
        ("retarget-vs-old-owner", "linux-6.6"),
        ("put-block-vs-affinity", "naive-update"),
    ] {
        let sim = Sim::from_ids(scenario, strategy, "sc").unwrap();
        for seed in 0..20 {
            let s = crate::explore::random_run(&sim, seed);
            let trace = Trace::from_session(&s, s.len());
            let z = story(&sim, &trace, &[]);
            holds(&sim, &trace, &z, &[]);
            for g in &z.steps {
                if let Kept::Conflict { step, with } = g.kept {
                    conflicts += 1;
                    assert!(g.steps.contains(&step), "{g:?}");
                    if with > 0 {
                        assert_ne!(trace.thread(with), g.thread);
                        assert!(with > g.steps[0] && with < step, "{g:?}");
                    }
                }
            }
        }
    }
    assert!(conflicts > 0);
}
