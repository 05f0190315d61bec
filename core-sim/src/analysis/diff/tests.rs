use super::*;
use crate::explore::{check, random_run, CheckOptions, Outcome};
use crate::program::text::{print_program, Patch};
use crate::program::Op;
use crate::scenario;
use crate::strategy::{Strategy, PRESETS};

fn world(s: &str, t: &str, m: &str) -> Sim {
    Sim::from_ids(s, t, m).unwrap()
}

/// The lost wake-up of the first 2023 patch (README, lesson `first-patch`).
const NAIVE_LOST: &str = "000000000111111111111222";

fn naive() -> (Sim, Schedule) {
    (
        world("put-block-vs-affinity", "naive-update", "sc"),
        NAIVE_LOST.parse().unwrap(),
    )
}

fn against(a: &Sim, s: &Schedule, b: &str) -> Diff {
    diff(a, s, Strategy::preset(b).unwrap(), a.memory).unwrap()
}

fn fate(d: &Diff, kind: ViolationKind) -> &Fate {
    d.fates.iter().find(|f| f.kind == kind).unwrap()
}

/// The invariants of any alignment: A's steps appear once each, in order; B's too; B's
/// schedule replays exactly in B with the violations the diff reports.
fn well_formed(d: &Diff, b: &Sim) {
    let a_steps: Vec<usize> = d
        .rows
        .iter()
        .filter_map(|r| r.a.as_ref())
        .map(|c| c.step)
        .collect();
    assert_eq!(
        a_steps,
        (1..=d.schedule_a.len()).collect::<Vec<_>>(),
        "A's steps"
    );
    let b_steps: Vec<usize> = d
        .rows
        .iter()
        .filter_map(|r| r.b.as_ref())
        .map(|c| c.step)
        .collect();
    assert_eq!(
        b_steps,
        (1..=d.schedule_b.len()).collect::<Vec<_>>(),
        "B's steps"
    );
    let replay = Session::replay(b, &d.schedule_b).unwrap();
    assert_eq!(replay.violations(), d.violations_b);
    assert_eq!(replay.is_terminal(), d.b_finished);
    for r in &d.rows {
        if let (Some(x), Some(y)) = (&r.a, &r.b) {
            assert_eq!((x.thread, &x.label), (y.thread, &y.label), "a matched row");
        }
    }
}

#[test]
fn a_world_against_itself_matches_every_step() {
    for (s, t, m) in [
        ("put-block-vs-affinity", "naive-update", "sc"),
        ("retarget-vs-old-owner", "linux-6.6", "tso"),
        ("halt-preempted", "linux-6.17", "sc"),
    ] {
        let a = world(s, t, m);
        let report = check(&a, &CheckOptions::default(), &mut |_| true);
        assert!(!report.counterexamples.is_empty(), "{s} {t}");
        for c in report.counterexamples.values() {
            let d = diff_sims(&a, &c.schedule, &a).unwrap();
            well_formed(&d, &a);
            assert_eq!(d.first_divergence, None, "{s} {t} {}", c.schedule);
            assert!(d
                .rows
                .iter()
                .all(|r| r.a.is_some() && r.b.is_some() && r.note.is_none()));
            assert_eq!(d.schedule_b, d.schedule_a);
            assert!(d.fates.iter().all(|f| f.b_step == Some(f.a_step)));
            assert!(d.new_in_b.is_empty());
        }
    }
}

#[test]
fn the_naive_lost_wakeup_against_lock_fix_diverges_at_the_entry_write_under_the_lock() {
    let (a, s) = naive();
    // `lock-fix` is the first release's id of linux-6.6.
    let d = against(&a, &s, "lock-fix");
    well_formed(&d, &world("put-block-vs-affinity", "linux-6.6", "sc"));
    assert_eq!(d.b.strategy, "linux-6.6");
    assert!(fate(&d, ViolationKind::LostWakeup).a_step > 0);
    assert!(!fate(&d, ViolationKind::LostWakeup).survives());
    assert!(!fate(&d, ViolationKind::StaleIrte).survives());
    assert!(d.a_finished && d.b_finished);
    // The linux-6.6 preset's put writes the entry while it holds ir_list_lock (B's code has
    // that step before the unlock; 4c08e737f056, Linux 6.6, docs/kernel-notes.md), the patch's
    // after it: the first divergence.
    let first = d.divergence().unwrap();
    let note = first.note.as_ref().unwrap();
    assert_eq!(note.reason, Reason::Past, "{note:?}");
    let a_cell = first.a.as_ref().unwrap();
    assert_eq!(
        (a_cell.step, a_cell.label.as_str()),
        (6, "WRITE_ONCE entry")
    );
    assert!(note.text.contains("B's step 5"), "{}", note.text);
    let i = d.first_divergence.unwrap();
    let extra = d.rows[..i]
        .iter()
        .find(|r| r.note.as_ref().is_some_and(|n| n.reason == Reason::Extra))
        .unwrap();
    assert_eq!(extra.b.as_ref().unwrap().label, "WRITE_ONCE entry");
    let unlock = &d.rows[i - 1];
    assert_eq!(unlock.a.as_ref().unwrap().label, "unlock");
    // The patch's unlocked read of vcpu->cpu is not in the linux-6.6 preset's updater, which
    // reads the entry under the lock instead (f3cebc75e742, Linux 6.6, docs/kernel-notes.md).
    assert!(d.rows.iter().any(
        |r| r.a.as_ref().is_some_and(|c| c.label == "read vcpu->cpu")
            && r.note.as_ref().unwrap().reason == Reason::NoSuchStep
    ));
}

#[test]
fn the_naive_lost_wakeup_against_upstream_latest_is_woken_through_the_ga_log() {
    let (a, s) = naive();
    let d = against(&a, &s, "upstream-latest");
    well_formed(&d, &world("put-block-vs-affinity", "linux-6.17", "sc"));
    assert_eq!(d.b.strategy, "linux-6.17");
    assert!(d.fates.iter().all(|f| !f.survives()), "{:?}", d.fates);
    assert!(d.violations_b.is_empty(), "{:?}", d.violations_b);
    // The linux-6.17 preset's updater takes kvm->irqfds.lock first (knob irqfds_lock:
    // f1fb088d9cec, Linux 6.15, docs/kernel-notes.md): a step of B only.
    assert!(d
        .rows
        .iter()
        .any(|r| r.a.is_none() && r.b.as_ref().is_some_and(|c| c.label == "lock irqfds.lock")));
    // The same IOMMU notification rings a doorbell nobody answers in A, logs to the GA log in B.
    let notify = d
        .rows
        .iter()
        .find(|r| r.a.as_ref().is_some_and(|c| c.label == "IOMMU notifies"))
        .unwrap();
    let n = notify.note.as_ref().unwrap();
    assert_eq!(n.reason, Reason::Outcome);
    assert!(
        n.text.contains("nobody answers") && n.text.contains("GA-log"),
        "{}",
        n.text
    );
    assert!(d
        .rows
        .iter()
        .any(|r| r.b.as_ref().is_some_and(|c| c.label == "wake vCPU")));
}

#[test]
fn a_lock_held_in_b_defers_the_step_until_its_holder_lets_go() {
    // Unlocked load/put (naive-update) against 6.6, which takes ir_list_lock in load/put: some
    // interleaving has the vCPU's put reach the lock while the updater holds it.
    let a = world("put-block-vs-affinity", "naive-update", "sc");
    let b = world("put-block-vs-affinity", "linux-6.6", "sc");
    let mut seen = 0;
    for seed in 0..300 {
        let run = random_run(&a, seed);
        let d = diff_sims(&a, &run.schedule(), &b).unwrap();
        well_formed(&d, &b);
        let Some(i) = d.rows.iter().position(|r| {
            r.note
                .as_ref()
                .is_some_and(|n| n.reason == Reason::LockHeld)
        }) else {
            continue;
        };
        let row = &d.rows[i];
        let step = row.a.as_ref().unwrap().step;
        let text = &row.note.as_ref().unwrap().text;
        assert!(text.contains("ir_list_lock, held by"), "{text}");
        // It runs later in B (or is said never to), after the holder's unlock.
        let later = d.rows[i..]
            .iter()
            .position(|r| {
                r.note.as_ref().is_some_and(|n| {
                    matches!(n.reason, Reason::Deferred | Reason::NeverRan)
                        && n.text.contains(&format!("A's step {step} "))
                })
            })
            .map(|k| k + i)
            .unwrap_or_else(|| panic!("seed {seed}: step {step} never settled"));
        let unlocked = d.rows[i..later]
            .iter()
            .any(|r| r.b.as_ref().is_some_and(|c| c.label.starts_with("unlock")));
        if d.rows[later].note.as_ref().unwrap().reason == Reason::Deferred {
            assert!(unlocked, "seed {seed}: ran before any unlock");
        }
        seen += 1;
    }
    assert!(seen >= 5, "only {seen} runs met a held lock");
}

#[test]
fn flushes_of_a_tso_run_have_nothing_to_flush_under_sc() {
    let a = world("retarget-vs-old-owner", "naive-update", "tso");
    let mut flushes = 0;
    for seed in 0..40 {
        let run = random_run(&a, seed);
        let d = diff(&a, &run.schedule(), a.strategy, MemoryModel::Sc).unwrap();
        well_formed(&d, &world("retarget-vs-old-owner", "naive-update", "sc"));
        for r in &d.rows {
            if r.a.as_ref().is_some_and(|c| c.action.is_ascii_lowercase()) {
                assert_eq!(r.note.as_ref().unwrap().reason, Reason::NothingBuffered);
                flushes += 1;
            }
        }
        assert_eq!(d.b.memory, "sc");
    }
    assert!(flushes > 0);
}

#[test]
fn random_runs_align_in_every_preset_and_model() {
    for id in scenario::ids().into_iter().step_by(3) {
        let a = world(&id, "linux-6.5", "sc");
        for seed in 0..2 {
            let run = random_run(&a, seed);
            for p in PRESETS {
                for m in MemoryModel::ALL {
                    let b = Sim::new(a.scenario.clone(), Strategy::custom(p.knobs), m).unwrap();
                    let d = diff_sims(&a, &run.schedule(), &b).unwrap();
                    well_formed(&d, &b);
                    if let Some(i) = d.first_divergence {
                        assert!(d.rows[i].diverges());
                    }
                }
            }
        }
    }
}

#[test]
fn a_schedule_that_does_not_replay_in_a_is_an_error() {
    let (a, _) = naive();
    let e = diff(&a, &"7".parse().unwrap(), a.strategy, a.memory).unwrap_err();
    assert!(e.to_string().contains("no thread 7"), "{e}");
    let other = world("block-ga-log", "naive-update", "sc");
    let e = diff_sims(&a, &Schedule::default(), &other).unwrap_err();
    assert!(e.to_string().contains("same scenario"), "{e}");
}

#[test]
fn what_stops_the_naive_lost_wakeup_is_exactly_the_single_flips_whose_world_lacks_it() {
    let (a, s) = naive();
    let options = CheckOptions::default();
    let w = what_stops(&a, &s, &options).unwrap();
    assert_eq!(
        w.kinds,
        vec![ViolationKind::StaleIrte, ViolationKind::LostWakeup]
    );
    // 11 boolean knobs and the 4 other IRTE targets.
    assert_eq!(w.flips.len(), 15);
    for flip in single_flips(&a.strategy.knobs) {
        // Checked here again, independently of what_stops.
        let sim = Sim::new(a.scenario.clone(), Strategy::custom(flip.knobs), a.memory).unwrap();
        let report = check(&sim, &options, &mut |_| true);
        assert_eq!(report.outcome, Outcome::Complete);
        let stopper = w.stoppers.iter().find(|st| st.flip == flip);
        for k in &w.kinds {
            let gone = report.counterexample(*k).is_none();
            let listed = stopper.is_some_and(|st| st.stops.contains(k));
            assert_eq!(gone, listed, "{} -> {}: {k}", flip.knob, flip.to);
        }
        if let Some(st) = stopper {
            // The schedule's replay in that world diverges somewhere, and says where.
            let d = diff_sims(&a, &s, &sim).unwrap();
            assert_eq!(st.diverges_at, d.first_divergence);
            assert!(st.row.as_ref().unwrap().diverges());
        }
    }
    let names: Vec<(String, String, Vec<ViolationKind>)> = w
        .stoppers
        .iter()
        .map(|st| (st.flip.knob.clone(), st.flip.to.clone(), st.stops.clone()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("kick".into(), "1".into(), vec![ViolationKind::StaleIrte]),
            (
                "irte_target".into(),
                "never".into(),
                vec![ViolationKind::LostWakeup]
            ),
        ]
    );
    // The 6.6 fix needed two knobs: the lock alone does not stop the lost wake-up.
    let lock = w
        .flips
        .iter()
        .find(|f| f.flip.knob == "lock_in_load_put")
        .unwrap();
    assert!(lock.kinds.contains(&ViolationKind::LostWakeup));
    let fixed = world("put-block-vs-affinity", "linux-6.6", "sc");
    let report = check(&fixed, &options, &mut |_| true);
    assert!(report.counterexample(ViolationKind::LostWakeup).is_none());
}

#[test]
fn single_flips_name_their_presets() {
    let flips = single_flips(&Strategy::preset("linux-6.17").unwrap().knobs);
    let disarm = flips.iter().find(|f| f.knob == "disarm_on_unlink").unwrap();
    assert_eq!(disarm.preset.as_deref(), Some("linux-6.17-disarm"));
    let erratum = flips
        .iter()
        .find(|f| f.knob == "avic_erratum_1235")
        .unwrap();
    assert!(erratum.hardware);
}

#[test]
fn reason_ids_are_the_json_names() {
    for r in [
        Reason::LockHeld,
        Reason::NoSuchStep,
        Reason::NothingBuffered,
        Reason::NeverRan,
    ] {
        assert_eq!(serde_json::to_value(r).unwrap(), r.id());
    }
}

/// linux-6.6's put in migrate-vs-affinity without its two ir_list_lock lines (Linux 6.5's stale
/// IRTE comes back), as a patched world.
fn unlocked_put() -> Sim {
    let sim = world("migrate-vs-affinity", "linux-6.6", "sc");
    let (t, o) = sim
        .scenario
        .threads
        .iter()
        .enumerate()
        .find_map(|(t, spec)| {
            spec.ops
                .iter()
                .position(|op| *op == Op::Put)
                .map(|o| (t, o))
        })
        .unwrap();
    let spec = &sim.scenario.threads[t];
    let text: String = print_program(Some((spec.actor, Op::Put)), &sim.threads[t].programs[o])
        .lines()
        .filter(|l| !l.contains("lock(ir_list(0))"))
        .map(|l| format!("{l}\n"))
        .collect();
    let patch = Patch::parse(&text).unwrap();
    Sim::with_patch(sim.scenario.clone(), sim.strategy, sim.memory, patch).unwrap()
}

#[test]
fn what_stops_a_patched_worlds_bug_keeps_the_patch_in_every_flipped_world() {
    let a = unlocked_put();
    let options = CheckOptions::default();
    let report = check(&a, &options, &mut |_| true);
    let cex = report.counterexample(ViolationKind::StaleIrte).unwrap();
    let w = what_stops(&a, &cex.schedule, &options).unwrap();
    assert!(w.kinds.contains(&ViolationKind::StaleIrte));
    assert_eq!(w.flips.len(), single_flips(&a.strategy.knobs).len());
    let patch = a.patch.clone().unwrap();
    let mut differs = false;
    for f in &w.flips {
        let strategy = Strategy::custom(f.flip.knobs);
        let patched = Sim::with_patch(a.scenario.clone(), strategy, a.memory, patch.clone());
        let r = check(&patched.unwrap(), &options, &mut |_| true);
        assert_eq!(
            (f.states, &f.kinds),
            (r.states, &r.kinds()),
            "{}",
            f.flip.knob
        );
        let plain = Sim::new(a.scenario.clone(), strategy, a.memory).unwrap();
        differs |= check(&plain, &options, &mut |_| true).states != r.states;
    }
    assert!(differs, "some flipped world is not the unpatched one");
    // The diff's world B built the same way keeps the patch too.
    let b = a.rebuilt(a.strategy, MemoryModel::Tso).unwrap();
    assert_eq!(b.patch, a.patch);
    for (x, y) in b.threads.iter().zip(&a.threads) {
        assert_eq!(x.programs, y.programs);
    }
}
