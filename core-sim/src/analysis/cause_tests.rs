//! The cause of shipped counterexamples is the step a kernel engineer would name, reasoned out
//! from each scenario (not read off the analysis).

use super::*;
use crate::exec::Fact;
use crate::explore::{check, CheckOptions};

/// The shortest counterexample of `kind` in a shipped cell, its run and the violation.
fn counterexample(scenario: &str, strategy: &str, kind: ViolationKind) -> (Sim, Trace, Violation) {
    let sim = Sim::from_ids(scenario, strategy, "sc").unwrap();
    let report = check(&sim, &CheckOptions::default(), &mut |_| true);
    let ce = report
        .counterexample(kind)
        .unwrap_or_else(|| panic!("{scenario} {strategy} has {kind}"));
    let s = Session::replay(&sim, &ce.schedule.to_string()).unwrap();
    let v = s.violations().into_iter().find(|v| v.kind == kind).unwrap();
    let trace = Trace::from_session(&s, s.len());
    (sim, trace, v)
}

fn label(trace: &Trace, n: usize) -> (&str, &str) {
    let e = &trace.events[n - 1];
    (e.func.as_str(), e.label.as_str())
}

fn wrote(c: &Cause) -> Vec<usize> {
    c.steps
        .iter()
        .filter(|s| s.role == Role::WroteValue)
        .map(|s| s.step)
        .collect()
}

/// Naive update (the first 2023 patch): vCPU0 blocks (its put walks an empty ir_list), then the
/// updater writes IsRun=1 and vCPU0's old pCPU into the IRTE without the lock; the device's
/// interrupt rings that pCPU's doorbell, where nobody runs. The hang is made true by that
/// doorbell, on the value the updater's cmpxchg wrote.
#[test]
fn naive_update_hang_is_the_doorbell_nobody_answers_on_the_updaters_stale_irte() {
    let (sim, trace, v) = counterexample(
        "put-block-vs-affinity",
        "naive-update",
        ViolationKind::LostWakeup,
    );
    let c = cause(&sim, &trace, &v);
    let made = c.made_true();
    assert!(
        trace.events[made - 1].facts.iter().any(|f| matches!(
            f,
            Fact::Doorbell {
                target: 0,
                taken_by: None,
                ..
            }
        )),
        "{}",
        c.summary()
    );
    assert_eq!(c.detected, trace.len(), "a hang is seen at the end");
    let w = wrote(&c);
    assert_eq!(w.len(), 1, "{}", c.summary());
    assert_eq!(label(&trace, w[0]), ("amd_iommu_update_ga", "publish IRTE"));
    assert_eq!(trace.thread(w[0]), 1, "the updater");
    assert!(c.summary().contains("nobody answers"), "{}", c.summary());
}

/// Same cell, stale IRTE: the IRTE with IsRun=1 lands on vCPU0's list after its put walked the
/// list and cleared IsRunning. It becomes stale when the updater links it (list_add), on the value
/// its cmpxchg wrote, and the oracle only sees it when the updater lets go of the lock.
#[test]
fn naive_update_stale_irte_is_made_by_the_link_of_the_irte_the_updater_wrote() {
    let (sim, trace, v) = counterexample(
        "put-block-vs-affinity",
        "naive-update",
        ViolationKind::StaleIrte,
    );
    let c = cause(&sim, &trace, &v);
    assert_eq!(
        label(&trace, c.made_true()),
        ("svm_ir_list_add", "link into ir_list")
    );
    assert!(c.detected > c.made_true(), "seen at the unlock, after");
    let w = wrote(&c);
    assert_eq!(w.len(), 1, "{}", c.summary());
    assert_eq!(label(&trace, w[0]), ("amd_iommu_update_ga", "publish IRTE"));
}

/// Erratum #1235 (Zen 2): AVIC reads vCPU0's entry (IsRunning=1) before the put clears it, then
/// rings the doorbell of a pCPU vCPU0 has left. Made true by AVIC's doorbell.
#[test]
fn zen2_ipi_hang_is_avics_doorbell_to_the_pcpu_the_vcpu_left() {
    let (sim, trace, v) = counterexample(
        "ipi-to-halting",
        "linux-6.6-zen2",
        ViolationKind::LostWakeup,
    );
    let c = cause(&sim, &trace, &v);
    let made = c.made_true();
    assert_eq!(sim.threads[trace.thread(made)].actor, Actor::Avic);
    assert!(
        trace.events[made - 1]
            .facts
            .iter()
            .any(|f| matches!(f, Fact::Doorbell { taken_by: None, .. })),
        "{}",
        c.summary()
    );
}

/// A plain 64-bit store of the entry is two 32-bit stores; AVIC reads between them. Made true by
/// AVIC's read, on the half the load stored first.
#[test]
fn torn_read_is_avics_read_between_the_two_halves_of_the_plain_store() {
    let (sim, trace, v) = counterexample(
        "ipi-during-load",
        "lock-fix-plain-write",
        ViolationKind::TornRead,
    );
    let c = cause(&sim, &trace, &v);
    assert_eq!(label(&trace, c.made_true()).1, "AVIC reads entry");
    let w = wrote(&c);
    assert_eq!(w.len(), 1, "{}", c.summary());
    assert_eq!(label(&trace, w[0]), ("avic_vcpu_load", "store entry.hi"));
}

/// Linux 6.6, retarget-vs-old-owner: the old owner's put edits the IRTE's software copy while the
/// updater edits it too; the publish that carries both is what the oracle sees, on the other
/// writer's edit.
#[test]
fn mixed_update_is_the_publish_carrying_the_other_writers_edit() {
    let (sim, trace, v) = counterexample(
        "retarget-vs-old-owner",
        "linux-6.6",
        ViolationKind::IrteMixedUpdate,
    );
    let c = cause(&sim, &trace, &v);
    let made = c.made_true();
    assert_eq!(made, c.detected);
    assert_eq!(label(&trace, made).1, "publish IRTE");
    let w = wrote(&c);
    assert_eq!(w.len(), 1, "{}", c.summary());
    assert_ne!(trace.thread(w[0]), trace.thread(made));
    assert!(
        label(&trace, w[0]).1.contains("IRTE copy"),
        "{}",
        c.summary()
    );
}

/// Every counterexample of three versions: the cause lies in the run, no later than where the
/// oracle saw it, and each value it names was written before the step that made it true.
#[test]
fn every_cause_precedes_its_detection() {
    let mut checked = 0;
    for id in crate::scenario::ids() {
        for strategy in ["linux-6.5", "naive-update", "linux-6.17"] {
            let sim = Sim::from_ids(&id, strategy, "sc").unwrap();
            let report = check(&sim, &CheckOptions::default(), &mut |_| true);
            for kind in report.kinds() {
                let ce = report.counterexample(kind).unwrap();
                let s = Session::replay(&sim, &ce.schedule.to_string()).unwrap();
                let trace = Trace::from_session(&s, s.len());
                for v in s.violations() {
                    let c = cause(&sim, &trace, &v);
                    assert!(
                        c.made_true() >= 1 && c.made_true() <= c.detected,
                        "{id} {strategy} {}",
                        c.summary()
                    );
                    assert_eq!(c.steps[0].role, Role::MadeTrue);
                    for w in c.steps.iter().skip(1) {
                        assert_eq!(w.role, Role::WroteValue);
                        assert!(
                            w.step < c.made_true() || v.kind == ViolationKind::StaleIrte,
                            "{id} {strategy} {}",
                            c.summary()
                        );
                        assert!(w.step <= c.detected);
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 60, "only {checked} causes checked");
}
