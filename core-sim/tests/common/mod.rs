//! Shared by the platform-identity tests: one text that sums up everything the core computes —
//! every exhaustive check of the matrix (verdict, counts, shortest counterexample per kind), seeded
//! random and PCT runs, and the lessons' claims. Native and wasm32 must produce it byte for byte.

use core_sim::explore::{check, pct_run, random_run, CheckOptions};
use core_sim::strategy::{MemoryModel, PRESETS};
use core_sim::{lessons, scenario, Sim, Strategy};
use std::fmt::Write;

/// Where the native test keeps the expected text (the wasm test embeds it).
#[allow(dead_code)]
pub const DIGEST_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/snapshots/platform_digest.txt"
);

/// The digest.
pub fn digest() -> String {
    let mut out = String::new();
    for s in scenario::shipped() {
        for p in PRESETS {
            for m in MemoryModel::ALL {
                let sim = Sim::new(s.clone(), Strategy::preset(p.id).unwrap(), m).unwrap();
                let r = check(&sim, &CheckOptions::default(), &mut |_| true);
                let _ = write!(
                    out,
                    "{} {} {} {} states={} transitions={} depth={} final={}",
                    s.id,
                    p.id,
                    m.id(),
                    r.verdict().id(),
                    r.states,
                    r.transitions,
                    r.max_depth,
                    r.final_states
                );
                for (kind, c) in &r.counterexamples {
                    let _ = write!(out, " {}:{}", kind.id(), c.schedule);
                }
                out.push('\n');
            }
        }
        let sim = Sim::new(
            s.clone(),
            Strategy::preset("naive-update").unwrap(),
            MemoryModel::Tso,
        )
        .unwrap();
        for seed in 1..=3 {
            let _ = writeln!(
                out,
                "{} random seed {seed}: {} · pct seed {seed}: {}",
                s.id,
                random_run(&sim, seed).schedule(),
                pct_run(&sim, seed, 2).schedule()
            );
        }
    }
    for l in lessons::all() {
        for c in l.claims {
            let r = c.verify();
            let _ = writeln!(out, "lesson {}: {c}: {}", l.id, r.detail);
        }
    }
    out
}
