//! The claims of the seed thread (Sean Christopherson, 19 Jul 2023), checked exhaustively.

use core_sim::explore::{check, CheckOptions};
use core_sim::strategy::{IrteTarget, Knobs};
use core_sim::{scenario, MemoryModel, Sim, Strategy, ViolationKind};

fn kinds(scenario_id: &str, knobs: Knobs, mm: MemoryModel) -> Vec<ViolationKind> {
    let sim = Sim::new(
        scenario::by_id(scenario_id).unwrap(),
        Strategy::custom(knobs),
        mm,
    )
    .unwrap();
    let r = check(&sim, &CheckOptions::default(), &mut |_| true);
    assert_eq!(r.outcome, core_sim::explore::Outcome::Complete);
    r.kinds()
}

fn lock_fix() -> Knobs {
    Strategy::preset("lock-fix").unwrap().knobs
}

/// "without the spinlock, READ_ONCE() wouldn't prevent svm_ir_list_add() from racing with
/// avic_vcpu_{load,put}() and ultimately shoving stale data into the IRTE."
#[test]
fn without_the_lock_read_once_does_not_prevent_a_stale_irte() {
    let knobs = Knobs {
        lock_in_load_put: false,
        read_once: true,
        ..lock_fix()
    };
    assert_eq!(knobs.irte_target, IrteTarget::UnderListLock);
    for mm in MemoryModel::ALL {
        let k = kinds("put-block-vs-affinity", knobs, mm);
        assert!(k.contains(&ViolationKind::StaleIrte), "{mm:?}: {k:?}");
        assert!(k.contains(&ViolationKind::LostWakeup), "{mm:?}: {k:?}");
    }
}

/// "It *should* actually be safe to drop the READ_ONCE() since acquiring/releasing the spinlock
/// will prevent multiple loads from observing different values."
#[test]
fn with_the_lock_dropping_read_once_stays_safe() {
    let plain = Knobs {
        read_once: false,
        ..lock_fix()
    };
    for id in scenario::ids() {
        for mm in MemoryModel::ALL {
            assert_eq!(
                kinds(&id, plain, mm),
                kinds(&id, lock_fix(), mm),
                "{id} {mm:?}"
            );
        }
    }
}

/// Dropping READ_ONCE is safe only because of the lock: without it, the two plain loads of the
/// entry can disagree and a stale IRTE follows.
#[test]
fn without_the_lock_plain_reads_are_not_safe_either() {
    let knobs = Knobs {
        lock_in_load_put: false,
        read_once: false,
        ..lock_fix()
    };
    let k = kinds("migrate-vs-affinity", knobs, MemoryModel::Sc);
    assert!(k.contains(&ViolationKind::StaleIrte), "{k:?}");
}

/// "The WRITE_ONCE() needs to stay to ensure that hardware doesn't see inconsistent information
/// due to store tearing."
#[test]
fn dropping_write_once_lets_hardware_see_a_torn_entry() {
    let plain = Knobs {
        write_once: false,
        ..lock_fix()
    };
    for mm in MemoryModel::ALL {
        let k = kinds("ipi-during-load", plain, mm);
        assert!(k.contains(&ViolationKind::TornRead), "{mm:?}: {k:?}");
        assert!(kinds("ipi-during-load", lock_fix(), mm).is_empty());
    }
}
