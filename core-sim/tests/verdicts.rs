//! Pins the verdict of every strategy preset on every shipped scenario, under both memory models.
//!
//! Where this differs from `../shared/design/domain.md`'s expectations, the kernel (see
//! docs/kernel-notes.md) won, and the model shows why:
//! - `lock-fix` (Linux 6.6), its READ_ONCE/WRITE_ONCE variants and `kick` still show
//!   `delayed-delivery`, never a stale IRTE or a lost wake-up from load/put: between
//!   `amd_iommu_activate_guest_mode()` (IsRun=0, destination cleared) and the moment the target is
//!   set, an interrupt for a running vCPU goes the GA-log way. Only the 2025 rework, which writes
//!   the target in the activation itself, closes that window (`upstream-latest` is safe everywhere).
//! - `retarget-vs-old-owner`: in 6.6–6.16 the IRTE is rewritten for the new vCPU before it leaves
//!   the old vCPU's ir_list; the old vCPU's load can stamp its own pCPU into it, and the new vCPU,
//!   asleep, never hears of the interrupt: `lost-wakeup` under `lock-fix`. 6.17 unlinks first.
//! - The first 2023 patch (`naive-update`) wrote IsRun=1 with `vcpu->cpu` unconditionally: it does
//!   not even need a race to lose a wake-up if the vCPU already sleeps.
//! - x86-TSO never changes the set of kinds: every store the race depends on is followed by a lock
//!   release or a locked cmpxchg (both drain the store buffer), and the barrier design already
//!   fails under sequential consistency (ordering is not atomicity).

use core_sim::explore::{check, CheckOptions, Verdict};
use core_sim::{scenario, strategy, Sim, ViolationKind};

const EXPECTED: &[(&str, &str, &str, &[&str])] = &[
    (
        "put-block-vs-affinity",
        "pre-2023",
        "sc",
        &["stale-irte", "delayed-delivery"],
    ),
    (
        "put-block-vs-affinity",
        "pre-2023",
        "tso",
        &["stale-irte", "delayed-delivery"],
    ),
    (
        "put-block-vs-affinity",
        "naive-update",
        "sc",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "put-block-vs-affinity",
        "naive-update",
        "tso",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "put-block-vs-affinity",
        "lock-fix",
        "sc",
        &["delayed-delivery"],
    ),
    (
        "put-block-vs-affinity",
        "lock-fix",
        "tso",
        &["delayed-delivery"],
    ),
    (
        "put-block-vs-affinity",
        "lock-fix-plain-read",
        "sc",
        &["delayed-delivery"],
    ),
    (
        "put-block-vs-affinity",
        "lock-fix-plain-read",
        "tso",
        &["delayed-delivery"],
    ),
    (
        "put-block-vs-affinity",
        "lock-fix-plain-write",
        "sc",
        &["delayed-delivery"],
    ),
    (
        "put-block-vs-affinity",
        "lock-fix-plain-write",
        "tso",
        &["delayed-delivery"],
    ),
    (
        "put-block-vs-affinity",
        "barrier-only",
        "sc",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "put-block-vs-affinity",
        "barrier-only",
        "tso",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    ("put-block-vs-affinity", "kick", "sc", &["delayed-delivery"]),
    (
        "put-block-vs-affinity",
        "kick",
        "tso",
        &["delayed-delivery"],
    ),
    ("put-block-vs-affinity", "upstream-latest", "sc", &[]),
    ("put-block-vs-affinity", "upstream-latest", "tso", &[]),
    (
        "migrate-vs-affinity",
        "pre-2023",
        "sc",
        &["stale-irte", "delayed-delivery"],
    ),
    (
        "migrate-vs-affinity",
        "pre-2023",
        "tso",
        &["stale-irte", "delayed-delivery"],
    ),
    (
        "migrate-vs-affinity",
        "naive-update",
        "sc",
        &["stale-irte", "delayed-delivery"],
    ),
    (
        "migrate-vs-affinity",
        "naive-update",
        "tso",
        &["stale-irte", "delayed-delivery"],
    ),
    (
        "migrate-vs-affinity",
        "lock-fix",
        "sc",
        &["delayed-delivery"],
    ),
    (
        "migrate-vs-affinity",
        "lock-fix",
        "tso",
        &["delayed-delivery"],
    ),
    (
        "migrate-vs-affinity",
        "lock-fix-plain-read",
        "sc",
        &["delayed-delivery"],
    ),
    (
        "migrate-vs-affinity",
        "lock-fix-plain-read",
        "tso",
        &["delayed-delivery"],
    ),
    (
        "migrate-vs-affinity",
        "lock-fix-plain-write",
        "sc",
        &["delayed-delivery"],
    ),
    (
        "migrate-vs-affinity",
        "lock-fix-plain-write",
        "tso",
        &["delayed-delivery"],
    ),
    (
        "migrate-vs-affinity",
        "barrier-only",
        "sc",
        &["stale-irte", "delayed-delivery"],
    ),
    (
        "migrate-vs-affinity",
        "barrier-only",
        "tso",
        &["stale-irte", "delayed-delivery"],
    ),
    ("migrate-vs-affinity", "kick", "sc", &["delayed-delivery"]),
    ("migrate-vs-affinity", "kick", "tso", &["delayed-delivery"]),
    ("migrate-vs-affinity", "upstream-latest", "sc", &[]),
    ("migrate-vs-affinity", "upstream-latest", "tso", &[]),
    (
        "running-retarget",
        "pre-2023",
        "sc",
        &["stale-irte", "delayed-delivery"],
    ),
    (
        "running-retarget",
        "pre-2023",
        "tso",
        &["stale-irte", "delayed-delivery"],
    ),
    (
        "running-retarget",
        "naive-update",
        "sc",
        &["delayed-delivery"],
    ),
    (
        "running-retarget",
        "naive-update",
        "tso",
        &["delayed-delivery"],
    ),
    ("running-retarget", "lock-fix", "sc", &["delayed-delivery"]),
    ("running-retarget", "lock-fix", "tso", &["delayed-delivery"]),
    (
        "running-retarget",
        "lock-fix-plain-read",
        "sc",
        &["delayed-delivery"],
    ),
    (
        "running-retarget",
        "lock-fix-plain-read",
        "tso",
        &["delayed-delivery"],
    ),
    (
        "running-retarget",
        "lock-fix-plain-write",
        "sc",
        &["delayed-delivery"],
    ),
    (
        "running-retarget",
        "lock-fix-plain-write",
        "tso",
        &["delayed-delivery"],
    ),
    (
        "running-retarget",
        "barrier-only",
        "sc",
        &["delayed-delivery"],
    ),
    (
        "running-retarget",
        "barrier-only",
        "tso",
        &["delayed-delivery"],
    ),
    ("running-retarget", "kick", "sc", &["delayed-delivery"]),
    ("running-retarget", "kick", "tso", &["delayed-delivery"]),
    ("running-retarget", "upstream-latest", "sc", &[]),
    ("running-retarget", "upstream-latest", "tso", &[]),
    ("ipi-during-load", "pre-2023", "sc", &[]),
    ("ipi-during-load", "pre-2023", "tso", &[]),
    ("ipi-during-load", "naive-update", "sc", &[]),
    ("ipi-during-load", "naive-update", "tso", &[]),
    ("ipi-during-load", "lock-fix", "sc", &[]),
    ("ipi-during-load", "lock-fix", "tso", &[]),
    ("ipi-during-load", "lock-fix-plain-read", "sc", &[]),
    ("ipi-during-load", "lock-fix-plain-read", "tso", &[]),
    (
        "ipi-during-load",
        "lock-fix-plain-write",
        "sc",
        &["delayed-delivery", "torn-read"],
    ),
    (
        "ipi-during-load",
        "lock-fix-plain-write",
        "tso",
        &["delayed-delivery", "torn-read"],
    ),
    ("ipi-during-load", "barrier-only", "sc", &[]),
    ("ipi-during-load", "barrier-only", "tso", &[]),
    ("ipi-during-load", "kick", "sc", &[]),
    ("ipi-during-load", "kick", "tso", &[]),
    ("ipi-during-load", "upstream-latest", "sc", &[]),
    ("ipi-during-load", "upstream-latest", "tso", &[]),
    (
        "retarget-vs-old-owner",
        "pre-2023",
        "sc",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "retarget-vs-old-owner",
        "pre-2023",
        "tso",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "retarget-vs-old-owner",
        "naive-update",
        "sc",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "retarget-vs-old-owner",
        "naive-update",
        "tso",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "retarget-vs-old-owner",
        "lock-fix",
        "sc",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "retarget-vs-old-owner",
        "lock-fix",
        "tso",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "retarget-vs-old-owner",
        "lock-fix-plain-read",
        "sc",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "retarget-vs-old-owner",
        "lock-fix-plain-read",
        "tso",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "retarget-vs-old-owner",
        "lock-fix-plain-write",
        "sc",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "retarget-vs-old-owner",
        "lock-fix-plain-write",
        "tso",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "retarget-vs-old-owner",
        "barrier-only",
        "sc",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "retarget-vs-old-owner",
        "barrier-only",
        "tso",
        &["stale-irte", "lost-wakeup", "delayed-delivery"],
    ),
    (
        "retarget-vs-old-owner",
        "kick",
        "sc",
        &["lost-wakeup", "delayed-delivery"],
    ),
    (
        "retarget-vs-old-owner",
        "kick",
        "tso",
        &["lost-wakeup", "delayed-delivery"],
    ),
    ("retarget-vs-old-owner", "upstream-latest", "sc", &[]),
    ("retarget-vs-old-owner", "upstream-latest", "tso", &[]),
    ("block-ga-log", "pre-2023", "sc", &[]),
    ("block-ga-log", "pre-2023", "tso", &[]),
    ("block-ga-log", "naive-update", "sc", &[]),
    ("block-ga-log", "naive-update", "tso", &[]),
    ("block-ga-log", "lock-fix", "sc", &[]),
    ("block-ga-log", "lock-fix", "tso", &[]),
    ("block-ga-log", "lock-fix-plain-read", "sc", &[]),
    ("block-ga-log", "lock-fix-plain-read", "tso", &[]),
    ("block-ga-log", "lock-fix-plain-write", "sc", &[]),
    ("block-ga-log", "lock-fix-plain-write", "tso", &[]),
    ("block-ga-log", "barrier-only", "sc", &[]),
    ("block-ga-log", "barrier-only", "tso", &[]),
    ("block-ga-log", "kick", "sc", &[]),
    ("block-ga-log", "kick", "tso", &[]),
    ("block-ga-log", "upstream-latest", "sc", &[]),
    ("block-ga-log", "upstream-latest", "tso", &[]),
];

#[test]
fn every_preset_on_every_scenario_has_its_pinned_verdict() {
    let mut seen = 0;
    for id in scenario::ids() {
        for p in strategy::PRESETS {
            for mm in ["sc", "tso"] {
                let want = EXPECTED
                    .iter()
                    .find(|(s, st, m, _)| *s == id && *st == p.id && *m == mm)
                    .unwrap_or_else(|| panic!("no pinned verdict for {id} {} {mm}", p.id))
                    .3;
                let sim = Sim::from_ids(&id, p.id, mm).unwrap();
                let report = check(&sim, &CheckOptions::default(), &mut |_| true);
                let got: Vec<&str> = report.kinds().iter().map(|k| k.id()).collect();
                assert_eq!(got, want, "{id} × {} × {mm}", p.id);
                let verdict = if want.is_empty() {
                    Verdict::Safe
                } else {
                    Verdict::Violation
                };
                assert_eq!(report.verdict(), verdict);
                seen += 1;
            }
        }
    }
    assert_eq!(seen, EXPECTED.len());
}

#[test]
fn the_history_in_one_test() {
    let kinds = |s: &str, st: &str| {
        let sim = Sim::from_ids(s, st, "tso").unwrap();
        check(&sim, &CheckOptions::default(), &mut |_| true).kinds()
    };
    use ViolationKind::*;
    // Before 2023: a running vCPU's new IRTE stays IsRun=0.
    assert!(kinds("running-retarget", "pre-2023").contains(&StaleIrte));
    // The first patch loses wake-ups.
    assert!(kinds("put-block-vs-affinity", "naive-update").contains(&LostWakeup));
    // The lock fix: load/put can no longer leave a stale IRTE behind.
    for s in [
        "put-block-vs-affinity",
        "migrate-vs-affinity",
        "running-retarget",
        "block-ga-log",
    ] {
        let k = kinds(s, "lock-fix");
        assert!(
            !k.contains(&StaleIrte) && !k.contains(&LostWakeup),
            "{s}: {k:?}"
        );
    }
    // The 2025 rework is safe everywhere.
    for s in scenario::ids() {
        assert!(kinds(&s, "upstream-latest").is_empty(), "{s}");
    }
}

#[test]
fn kick_costs_ipis_and_the_checker_counts_them() {
    let sim = Sim::from_ids("running-retarget", "kick", "sc").unwrap();
    let r = check(&sim, &CheckOptions::default(), &mut |_| true);
    assert_eq!(r.max_kick_ipis, 1, "one IPI per updated running vCPU");
    let sim = Sim::from_ids("running-retarget", "lock-fix", "sc").unwrap();
    assert_eq!(
        check(&sim, &CheckOptions::default(), &mut |_| true).max_kick_ipis,
        0
    );
}
