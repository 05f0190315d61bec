//! Each symmetry found is an automorphism of the transition system, checked step by step on
//! random runs: the image of a step's result is the result of the image step on the image
//! state, with the same facts' kinds of violation; canonical images are the same across an
//! orbit and canonicalising twice changes nothing.

use super::*;
use crate::exec::{enabled, run_enabled};

fn image_action(p: &Perm, a: Action) -> Action {
    match a {
        Action::Step(t) => Action::Step(p.t[t as usize]),
        Action::Flush(t) => Action::Flush(p.t[t as usize]),
    }
}

#[test]
fn symmetries_commute_with_every_step() {
    for (s, strat, mm, order) in [
        ("twin-halts", "linux-6.6", "tso", 2),
        ("twin-halts", "lock-fix-plain-write", "tso", 2),
        ("three-vcpus-ipi", "linux-6.17", "sc", 2),
        ("twin-put-block", "naive-update", "tso", 2),
        ("twin-put-block", "linux-6.17-zen2", "sc", 2),
    ] {
        let sim = Sim::from_ids(s, strat, mm).unwrap();
        let mut sym = Symmetry::of(&sim).expect("a symmetric world");
        assert_eq!(sym.order(), order, "{s}");
        let reps = sym.reps.clone();
        let init = sim.initial();
        let (mut a1, mut a2, mut pm) = (init.clone(), init.clone(), init.clone());
        for seed in 0..40 {
            let run = crate::explore::random_run(&sim, seed);
            for n in 0..=run.position() {
                let m = run.state_at(n);
                let mut c1 = m.clone();
                sym.canonicalise(&mut c1);
                let mut again = c1.clone();
                assert!(
                    !sym.canonicalise(&mut again) || again == c1,
                    "{s}: idempotent"
                );
                for p in &reps {
                    p.machine(m, &mut pm);
                    let mut c2 = pm.clone();
                    sym.canonicalise(&mut c2);
                    assert_eq!(c1, c2, "{s} {strat}: one canonical image per orbit");
                    for a in enabled(&sim, m) {
                        let b = image_action(p, a);
                        assert!(
                            enabled(&sim, &pm).contains(&b),
                            "{s}: {a} enabled in the image"
                        );
                        a1.clone_from(m);
                        a2.clone_from(&pm);
                        let (mut f1, mut f2) = (Vec::new(), Vec::new());
                        run_enabled(&sim, &mut a1, a, &mut f1);
                        run_enabled(&sim, &mut a2, b, &mut f2);
                        let mut img = a1.clone();
                        p.machine(&a1, &mut img);
                        assert_eq!(
                            img, a2,
                            "{s} {strat} {mm}: {a} from step {n} of seed {seed}"
                        );
                        let k =
                            |vs: Vec<Violation>| vs.into_iter().map(|v| v.kind).collect::<Vec<_>>();
                        assert_eq!(
                            k(oracle::check_facts(&sim, m, &f1, 1)),
                            k(oracle::check_facts(&sim, &pm, &f2, 1))
                        );
                        assert_eq!(
                            k(oracle::check_state(&sim, &a1, 1)),
                            k(oracle::check_state(&sim, &a2, 1))
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn identical_threads_are_interchangeable_and_ordered_walks_are_kept() {
    use crate::program::Op;
    use crate::scenario::{self, IrteInit};
    // Two identical device threads: the threads alone form a symmetry of order 2.
    let mut s = scenario::by_id("block-ga-log").unwrap();
    s.threads.push(s.threads[1].clone());
    let sim = Sim::new(
        s,
        crate::Strategy::preset("linux-6.6").unwrap(),
        crate::MemoryModel::Sc,
    )
    .unwrap();
    assert_eq!(Symmetry::of(&sim).map(|s| s.order()), Some(2));
    // Two IRTEs posted to one vCPU share its ir_list: swapping them (and their devices) would
    // reorder its walk, so it is no symmetry.
    let mut s = scenario::by_id("block-ga-log").unwrap();
    s.irtes.push(IrteInit {
        vcpu: 0,
        posted: true,
    });
    let mut second = s.threads[1].clone();
    second.ops = vec![Op::Interrupt { irte: 1 }];
    s.threads.push(second);
    let sim = Sim::new(
        s,
        crate::Strategy::preset("linux-6.6").unwrap(),
        crate::MemoryModel::Sc,
    )
    .unwrap();
    assert!(Symmetry::of(&sim).is_none());
    // The shipped teaching scenarios have none.
    for id in scenario::ids() {
        let sim = Sim::from_ids(&id, "linux-6.6", "tso").unwrap();
        assert!(Symmetry::of(&sim).is_none(), "{id}");
    }
}
