//! The shortest counterexample for the first 2023 patch's lost wake-up, as a kernel engineer reads
//! it. Set UPDATE_SNAPSHOTS=1 to rewrite the snapshot after an intended model change, then review
//! the diff.

use core_sim::explore::{check, CheckOptions, Session};
use core_sim::timeline::Timeline;
use core_sim::{Sim, ViolationKind};

#[test]
fn naive_update_lost_wakeup_step_by_step() {
    let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
    let report = check(&sim, &CheckOptions::default(), &mut |_| true);
    let c = report
        .counterexample(ViolationKind::LostWakeup)
        .expect("the naive patch loses a wake-up");
    let session = Session::replay(&sim, &c.schedule.to_string()).unwrap();
    let text = format!(
        "schedule: {}\n{}",
        c.schedule,
        Timeline::from_session(&session).to_text()
    );
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/snapshots/naive_lost_wakeup.txt"
    );
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let want =
        std::fs::read_to_string(path).expect("snapshot exists (UPDATE_SNAPSHOTS=1 to create)");
    assert_eq!(
        text, want,
        "counterexample changed; review and UPDATE_SNAPSHOTS=1"
    );
    assert!(text.contains("HANG: vCPU0 is asleep"));
}
