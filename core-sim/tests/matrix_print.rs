//! Prints the verdict matrix in the shape of `tests/verdicts.rs`'s table (run with --ignored
//! --nocapture after a model change, then review every changed line before pasting it).
use core_sim::explore::{check, CheckOptions};
use core_sim::{scenario, strategy, Sim};

#[test]
#[ignore]
fn print_matrix() {
    for id in scenario::ids() {
        for p in strategy::PRESETS {
            for mm in ["sc", "tso"] {
                let sim = Sim::from_ids(&id, p.id, mm).unwrap();
                let r = check(&sim, &CheckOptions::default(), &mut |_| true);
                let kinds: Vec<String> = r.kinds().iter().map(|k| format!("\"{k}\"")).collect();
                println!(
                    "    (\"{id}\", \"{}\", \"{mm}\", &[{}]), // states={} {:?}",
                    p.id,
                    kinds.join(", "),
                    r.states,
                    r.outcome
                );
            }
        }
    }
}
