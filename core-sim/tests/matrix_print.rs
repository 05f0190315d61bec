//! Prints the full verdict matrix (run with --nocapture); used while developing.
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
                let kinds: Vec<String> = r.counterexamples.iter().map(|(k, c)| format!("{k}({})", c.schedule.0.len())).collect();
                println!("{id:24} {:22} {mm:3} {:9} states={:6} final={:5} {}", p.id, r.verdict().id(), r.states, r.final_states, kinds.join(" "));
            }
        }
    }
}
