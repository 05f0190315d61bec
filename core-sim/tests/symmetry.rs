//! The symmetry reduction is sound by test: on every shipped cell (scenario × strategy × memory
//! model), alone and with the persistent-set reduction, it finds the same kinds of violation as
//! plain search in no more states, and every counterexample it reports replays in the world
//! itself to its violation; plain search, asked again, still gives the shortest. On the larger
//! symmetric scenarios it finds what plain search finds in fewer states. (The generated
//! scenarios of `edited_scenarios.rs` are held to the same rule there.)

use core_sim::explore::{check, matrix, symmetries, CheckOptions, CheckReport, Reduce, Session};
use core_sim::{MemoryModel, Sim};

fn replays(sim: &Sim, r: &CheckReport, what: &str) {
    for c in r.counterexamples.values() {
        let s = Session::replay(sim, &c.schedule.to_string()).unwrap();
        let v = s.violations();
        assert!(
            v.iter().any(|v| v.kind == c.violation.kind),
            "{what}: {} does not show {}",
            c.schedule,
            c.violation.kind.id()
        );
        // Its words are the world's own: the replay's violation of that kind says the same.
        assert!(
            v.iter()
                .any(|v| v.kind == c.violation.kind && v.explanation == c.violation.explanation),
            "{what}: {} words differ: {}",
            c.violation.kind.id(),
            c.violation.explanation
        );
    }
}

fn same_verdicts(sim: &Sim, base: &CheckReport, opts: &CheckOptions, what: &str) -> usize {
    let r = check(sim, opts, &mut |_| true);
    assert_eq!(r.outcome, base.outcome, "{what}");
    assert_eq!(r.kinds(), base.kinds(), "{what}");
    assert_eq!(r.max_kick_ipis, base.max_kick_ipis, "{what}");
    assert!(r.states <= base.states, "{what}");
    replays(sim, &r, what);
    for (k, c) in &r.counterexamples {
        assert!(
            base.counterexamples[k].schedule.0.len() <= c.schedule.0.len(),
            "{what}"
        );
    }
    r.states
}

#[test]
fn symmetry_keeps_every_shipped_verdict_alone_and_with_persistent_sets() {
    let sym = CheckOptions {
        symmetry: true,
        ..CheckOptions::default()
    };
    let both = CheckOptions {
        reduce: Reduce::Por,
        ..sym
    };
    let mut symmetric = 0;
    for (s, t, m) in matrix::worlds(&MemoryModel::ALL) {
        let sim = Sim::from_ids(&s, t, m.id()).unwrap();
        let what = format!("{s} × {t} × {}", m.id());
        let base = check(&sim, &CheckOptions::default(), &mut |_| true);
        same_verdicts(&sim, &base, &sym, &what);
        same_verdicts(&sim, &base, &both, &format!("{what} (por)"));
        symmetric += usize::from(symmetries(&sim) > 1);
    }
    eprintln!("shipped cells with a symmetry: {symmetric}");
}

#[test]
fn symmetric_worlds_take_fewer_states_with_the_same_verdicts() {
    for (s, t, m) in [
        ("twin-halts", "linux-6.6", "tso"),
        ("twin-halts", "naive-update", "sc"),
        ("twin-halts", "linux-6.6-zen2", "sc"),
        ("three-vcpus-ipi", "linux-6.17", "sc"),
    ] {
        let sim = Sim::from_ids(s, t, m).unwrap();
        assert_eq!(symmetries(&sim), 2, "{s}");
        let what = format!("{s} × {t} × {m}");
        let opts = CheckOptions {
            symmetry: true,
            ..CheckOptions::default()
        };
        let base = check(&sim, &CheckOptions::default(), &mut |_| true);
        let reduced = same_verdicts(&sim, &base, &opts, &what);
        // Most states are not their own mirror image: about half remain.
        assert!(
            reduced * 10 < base.states * 6,
            "{what}: {reduced} of {}",
            base.states
        );
    }
}

#[test]
fn a_world_without_symmetry_searches_as_plain() {
    let sim = Sim::from_ids("three-vcpus-migrate", "linux-6.17", "sc").unwrap();
    assert_eq!(symmetries(&sim), 1);
    let sim = Sim::from_ids("retarget-vs-old-owner", "linux-6.6", "tso").unwrap();
    let plain = check(&sim, &CheckOptions::default(), &mut |_| true);
    let sym = check(
        &sim,
        &CheckOptions {
            symmetry: true,
            ..CheckOptions::default()
        },
        &mut |_| true,
    );
    assert_eq!(plain, sym);
}
