//! The deciding race of shipped counterexamples: swapped, the verdict really flips (both runs
//! replayed from their schedules), and the pairs said not to decide it keep it.

use super::*;
use crate::explore::{check, CheckOptions, Session};

fn hits(sim: &Sim, schedule: &str, kind: ViolationKind) -> bool {
    Session::replay(sim, schedule)
        .unwrap_or_else(|e| panic!("{schedule}: {e}"))
        .violations()
        .iter()
        .any(|v| v.kind == kind)
}

/// The first 2023 patch: the put walks vCPU0's ir_list (empty) before the updater links the
/// IRTE with IsRun=1; the other way round, the put finds the IRTE and clears IsRun, the interrupt
/// goes to the GA log and vCPU0 wakes. That is Maxim's objection, and the race drawn.
#[test]
fn naive_update_hang_is_decided_by_the_puts_walk_of_the_ir_list_against_list_add() {
    let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
    let report = check(&sim, &CheckOptions::default(), &mut |_| true);
    let ce = report.counterexample(ViolationKind::LostWakeup).unwrap();
    let s = Session::replay(&sim, &ce.schedule.to_string()).unwrap();
    let trace = Trace::from_session(&s, s.len());
    let v = s
        .violations()
        .into_iter()
        .find(|v| v.kind == ViolationKind::LostWakeup)
        .unwrap();
    let r = deciding_races(&sim, &trace, &v).into_iter().next().unwrap();
    let (e1, e2) = (&trace.events[r.first - 1], &trace.events[r.second - 1]);
    assert_eq!(
        (e1.label.as_str(), r.first_writes),
        ("walk ir_list", false),
        "{}",
        r.text
    );
    assert_eq!(
        (e2.label.as_str(), r.second_writes),
        ("link into ir_list", true),
        "{}",
        r.text
    );
    assert_eq!(r.resource, "vCPU0's ir_list");
    assert!(
        r.text.starts_with("the vCPU0 thread's read of vCPU0's ir_list in avic_update_iommu_vcpu_affinity() at step 4 raced with the IRQ affinity updater's write in svm_ir_list_add() at step"),
        "{}",
        r.text
    );
    assert!(hits(&sim, &ce.schedule.to_string(), v.kind));
    assert!(!hits(&sim, &r.swapped, v.kind));
}

/// On every counterexample of three versions: each race reported as deciding flips the verdict
/// when its schedule is replayed, each one reported as not deciding keeps it, and in both the
/// two accesses really ran in the other order.
#[test]
fn deciding_pairs_flip_the_verdict_and_the_others_do_not() {
    let (mut deciding, mut keeping, mut counterexamples, mut with_pair) = (0, 0, 0, 0);
    for id in crate::scenario::ids() {
        for strategy in ["naive-update", "linux-6.6", "linux-6.17"] {
            let sim = Sim::from_ids(&id, strategy, "sc").unwrap();
            let report = check(&sim, &CheckOptions::default(), &mut |_| true);
            for kind in report.kinds() {
                let schedule = report.counterexample(kind).unwrap().schedule.to_string();
                let s = Session::replay(&sim, &schedule).unwrap();
                let trace = Trace::from_session(&s, s.len());
                let v = s.violations().into_iter().find(|v| v.kind == kind).unwrap();
                assert!(hits(&sim, &schedule, kind));
                let all = races(&sim, &trace, &v);
                counterexamples += 1;
                with_pair += usize::from(all.iter().any(|r| !r.still_hits));
                for r in all {
                    let ran: Schedule = r.swapped.parse().unwrap();
                    assert!(
                        reversed(&trace.actions, &ran.0, r.first, r.second),
                        "{id} {strategy} {kind}: {} not swapped in {}",
                        r.text,
                        r.swapped
                    );
                    assert_eq!(
                        hits(&sim, &r.swapped, kind),
                        r.still_hits,
                        "{id} {strategy} {kind}: {} ({})",
                        r.text,
                        r.swapped
                    );
                    if r.still_hits {
                        keeping += 1;
                    } else {
                        deciding += 1;
                    }
                }
            }
        }
    }
    assert!(
        deciding > 40 && keeping > 40,
        "{deciding} deciding, {keeping} not"
    );
    assert!(
        with_pair * 10 >= counterexamples * 7,
        "only {with_pair} of {counterexamples} counterexamples have a deciding pair"
    );
}

#[test]
fn a_swap_moves_the_later_thread_s_steps_before_the_earlier_access() {
    let a = |c: char| Action::from_char(c).unwrap();
    let s: Vec<Action> = "0011021".chars().map(a).collect();
    let out: String = swap(&s, 2, 6).iter().map(|x| x.to_char()).collect();
    assert_eq!(out, "0201101");
    // Step 6 (thread 2) now runs before step 2 (thread 0's second step).
    let ran: Vec<Action> = out.chars().map(a).collect();
    assert!(reversed(&s, &ran, 2, 6));
    assert!(!reversed(&s, &s, 2, 6));
}
