//! Users edit scenarios freely (JSON, or the web editor). Whatever validates must run without a
//! panic in every explorer; whatever does not validate must be refused with a reason.

use core_sim::explore::{check, pct_run, random_run, CheckOptions, Session};
use core_sim::program::{Actor, Op};
use core_sim::scenario::{IrteInit, Scenario, ThreadSpec, VcpuInit, VcpuStart};
use core_sim::{strategy, MemoryModel, Sim};
use proptest::prelude::*;

/// A random edit: mostly valid (vCPU scripts follow the life cycle, indices in range), with a
/// random operation appended to a random thread one time in four so invalid edits occur too.
fn scenario() -> impl Strategy<Value = Scenario> {
    (
        1u8..=3,
        1usize..=2,
        0usize..=2,
        prop::collection::vec(any::<u8>(), 40),
    )
        .prop_map(|(pcpus, nv, ni, r)| {
            let mut r = r.into_iter().cycle();
            let mut next = move |n: u8| r.next().unwrap() % n;
            let mut used = vec![false; pcpus as usize];
            let vcpus: Vec<VcpuInit> = (0..nv)
                .map(|_| {
                    let pcpu = next(pcpus);
                    let state = match next(3) {
                        0 if !used[pcpu as usize] => VcpuStart::InGuest,
                        1 if !used[pcpu as usize] => VcpuStart::Loaded,
                        _ => VcpuStart::Preempted,
                    };
                    if state != VcpuStart::Preempted {
                        used[pcpu as usize] = true;
                    }
                    VcpuInit { state, pcpu }
                })
                .collect();
            let irtes: Vec<IrteInit> = (0..ni)
                .map(|_| IrteInit {
                    vcpu: next(nv as u8),
                    posted: next(2) == 1,
                })
                .collect();
            let mut threads = Vec::new();
            for (v, init) in vcpus.iter().enumerate() {
                if next(3) == 0 {
                    continue;
                }
                let mut state = init.state;
                let mut ops = Vec::new();
                for _ in 0..1 + next(3) {
                    let op = match state {
                        VcpuStart::InGuest => Op::Exit,
                        VcpuStart::Loaded => [Op::Enter, Op::Put, Op::Block][next(3) as usize],
                        VcpuStart::Preempted => Op::Load { pcpu: next(pcpus) },
                    };
                    state = match op {
                        Op::Exit | Op::Block | Op::Load { .. } => VcpuStart::Loaded,
                        Op::Enter => VcpuStart::InGuest,
                        _ => VcpuStart::Preempted,
                    };
                    ops.push(op);
                }
                threads.push(ThreadSpec {
                    name: None,
                    actor: Actor::Vcpu(v as u8),
                    ops,
                });
            }
            if ni > 0 && next(2) == 0 {
                let op = Op::UpdateAffinity {
                    irte: next(ni as u8),
                    vcpu: next(nv as u8),
                };
                threads.push(ThreadSpec {
                    name: None,
                    actor: Actor::Updater,
                    ops: vec![op],
                });
            }
            if ni > 0 && next(2) == 0 {
                threads.push(ThreadSpec {
                    name: None,
                    actor: Actor::Device,
                    ops: vec![Op::Interrupt {
                        irte: next(ni as u8),
                    }],
                });
            }
            if threads.is_empty() || next(3) == 0 {
                threads.push(ThreadSpec {
                    name: None,
                    actor: Actor::Avic,
                    ops: vec![Op::Ipi { to: next(nv as u8) }],
                });
            }
            if next(4) == 0 {
                let t = next(threads.len() as u8) as usize;
                let any = [
                    Op::Enter,
                    Op::Exit,
                    Op::Put,
                    Op::Block,
                    Op::Load { pcpu: next(4) },
                    Op::Interrupt { irte: next(3) },
                    Op::Ipi { to: next(3) },
                ];
                threads[t].ops.push(any[next(any.len() as u8) as usize]);
            }
            Scenario {
                id: "edited".into(),
                title: "edited".into(),
                description: String::new(),
                pcpus,
                vcpus,
                irtes,
                threads,
                oracles: core_sim::ViolationKind::ALL.to_vec(),
            }
        })
}

/// Runs every explorer on one edited scenario; returns whether it validated.
fn exercise(s: &Scenario, preset: usize, tso: bool, seed: u64) -> Result<bool, TestCaseError> {
    let mm = if tso {
        MemoryModel::Tso
    } else {
        MemoryModel::Sc
    };
    match Sim::new(
        s.clone(),
        core_sim::Strategy::custom(strategy::PRESETS[preset].knobs),
        mm,
    ) {
        Err(e) => {
            prop_assert!(e.to_string().starts_with("scenario 'edited': "), "{e}");
            Ok(false)
        }
        Ok(sim) => {
            let r = check(
                &sim,
                &CheckOptions {
                    max_states: 3_000,
                    ..Default::default()
                },
                &mut |_| true,
            );
            for c in r.counterexamples.values() {
                let replayed = Session::replay(&sim, &c.schedule.to_string()).unwrap();
                prop_assert!(replayed
                    .violations()
                    .iter()
                    .any(|v| v.kind == c.violation.kind));
            }
            // The persistent-set reduction finds the same kinds wherever plain search finished.
            if r.outcome == core_sim::explore::Outcome::Complete {
                let por = check(
                    &sim,
                    &CheckOptions {
                        max_states: 3_000,
                        reduce: core_sim::explore::Reduce::Por,
                        ..Default::default()
                    },
                    &mut |_| true,
                );
                prop_assert_eq!(por.kinds(), r.kinds());
                prop_assert_eq!(por.final_states, r.final_states);
                for c in por.counterexamples.values() {
                    let replayed = Session::replay(&sim, &c.schedule.to_string()).unwrap();
                    prop_assert!(replayed
                        .violations()
                        .iter()
                        .any(|v| v.kind == c.violation.kind));
                }
            }
            // So does the symmetry reduction (one state per orbit; final states are then
            // counted per orbit too).
            if r.outcome == core_sim::explore::Outcome::Complete {
                let sym = check(
                    &sim,
                    &CheckOptions {
                        max_states: 3_000,
                        symmetry: true,
                        ..Default::default()
                    },
                    &mut |_| true,
                );
                prop_assert_eq!(sym.kinds(), r.kinds());
                prop_assert!(sym.states <= r.states);
                for c in sym.counterexamples.values() {
                    let replayed = Session::replay(&sim, &c.schedule.to_string()).unwrap();
                    prop_assert!(replayed
                        .violations()
                        .iter()
                        .any(|v| v.kind == c.violation.kind));
                }
            }
            let run = random_run(&sim, seed);
            let _ = run.violations();
            let _ = core_sim::timeline::Timeline::from_session(&run);
            let _ = pct_run(&sim, seed, 3).violations();
            // The JSON round trip keeps it.
            prop_assert_eq!(&Scenario::from_json(&s.to_json()).unwrap(), s);
            Ok(true)
        }
    }
}

#[test]
fn valid_edits_run_everywhere_and_invalid_ones_say_why() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 1500,
        ..ProptestConfig::default()
    });
    let valid = std::cell::Cell::new(0usize);
    let inputs = (
        scenario(),
        0usize..strategy::PRESETS.len(),
        any::<bool>(),
        any::<u64>(),
    );
    runner
        .run(&inputs, |(s, preset, tso, seed)| {
            if exercise(&s, preset, tso, seed)? {
                valid.set(valid.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    // The generator must reach the explorers often enough for the test to mean something.
    assert!(
        valid.get() >= 750,
        "only {} of 1500 edited scenarios were valid",
        valid.get()
    );
}
