use super::*;
use crate::exec::Fact;
use crate::explore::{self, CheckOptions};
use crate::ViolationKind;

/// The shortest lost wake-up of the first 2023 patch (lesson 2), replayed.
fn naive_hang() -> Session {
    let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
    let report = explore::check(&sim, &CheckOptions::default(), &mut |_| true);
    let lost = report.counterexample(ViolationKind::LostWakeup).unwrap();
    Session::replay(&sim, &lost.schedule.to_string()).unwrap()
}

#[test]
fn at_the_hang_the_irte_rings_a_doorbell_nobody_answers() {
    let s = naive_hang();
    let hang = Scene::at(&s, s.len());
    assert_eq!(hang.step, s.len());
    let arrows = hang.unanswered();
    assert_eq!(arrows.len(), 1, "{hang:#?}");
    let Route::Doorbell {
        pcpu,
        vcpu,
        taken_by,
        ..
    } = arrows[0].route
    else {
        panic!("not a doorbell: {:?}", arrows[0].route)
    };
    let p = pcpu.expect("the Destination names a pCPU");
    assert_eq!((vcpu, taken_by), (0, None));
    assert_eq!(hang.pcpus[p as usize].occupant, None, "the pCPU is empty");
    let v0 = &hang.vcpus[0];
    assert!(v0.asleep && v0.irr != 0 && !v0.is_running, "{v0:#?}");
    assert!(hang.ga_log.is_empty(), "no GA-log entry will wake it");
    assert!(arrows[0].route.describe().contains("nobody answers"));
}

#[test]
fn the_arrow_turns_at_the_patch_line_and_is_marked_there() {
    let s = naive_hang();
    // The step whose IRTE write made the arrow a doorbell: before it the interrupt would have
    // taken the GA-log way (activation wrote IsRun=0, GALogIntr=1) and woken vCPU0.
    let k = (1..=s.len())
        .find(|&k| Scene::at(&s, k).irtes[0].route.unanswered())
        .expect("the arrow turns");
    let before = Scene::at(&s, k - 1);
    assert!(
        matches!(before.irtes[0].route, Route::GaLog { tag: 0, .. }),
        "{:?}",
        before.irtes[0].route
    );
    let turned = Scene::at(&s, k);
    assert!(turned.irtes[0].changed, "the step's change is marked");
    assert!(turned
        .last
        .as_deref()
        .unwrap()
        .starts_with(&format!("step {k} · ")));
    assert!(s.all_records()[k - 1].event.code.contains("cmpxchg"));
    // One step later nothing about the IRTE changed.
    if k < s.len() {
        let next = Scene::at(&s, k + 1);
        assert!(!next.irtes[0].changed || next.irtes[0].route != turned.irtes[0].route);
    }
}

#[test]
fn the_arrow_is_what_the_iommu_then_does() {
    // Wherever the device's notify step runs with the cache it read still in place, the route
    // drawn one step before is the fact the step reports.
    let s = naive_hang();
    for (j, r) in s.all_records().iter().enumerate() {
        for f in &r.event.facts {
            let before = Scene::at(&s, j);
            match *f {
                Fact::Doorbell { apic, taken_by, .. } => {
                    let Route::Doorbell {
                        apic: a,
                        taken_by: t,
                        ..
                    } = before.irtes[0].route
                    else {
                        panic!("step {}: drawn {:?}", j + 1, before.irtes[0].route)
                    };
                    assert_eq!((a, t), (apic, taken_by));
                }
                Fact::GaLogged(v) => {
                    assert!(matches!(before.irtes[0].route, Route::GaLog { tag, .. } if tag == v))
                }
                _ => {}
            }
        }
    }
}

#[test]
fn a_running_vcpu_answers_its_doorbell_and_loaded_is_not_in_guest() {
    let sim = Sim::from_ids("running-retarget", "linux-6.17", "sc").unwrap();
    let mut s = Session::new(&sim);
    let first = Scene::of_session(&s);
    assert_eq!(first.step, 0);
    assert!(first.last.is_none());
    assert!(first.pcpus.iter().all(|p| !p.changed));
    // Run to the end: every doorbell drawn there is answered or the route is not a doorbell.
    while let Some(&a) = s.enabled().first() {
        s.step(a).unwrap();
        let sc = Scene::of_session(&s);
        for p in &sc.pcpus {
            if let Some(o) = p.occupant {
                let v = &sc.vcpus[o.vcpu as usize];
                assert_eq!(v.state.contains("in guest"), o.in_guest, "{v:#?}");
            }
        }
    }
    let end = Scene::of_session(&s);
    assert!(end.unanswered().is_empty(), "{end:#?}");
}
