//! Scenario JSON (files, links) on arbitrary input: parsed and validated, or refused with words;
//! a valid scenario compiles under every preset and replays a random run.
#![no_main]

use core_sim::explore::random_run;
use core_sim::strategy::{MemoryModel, Strategy, PRESETS};
use core_sim::{Scenario, Sim};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Scenario::from_json(text) {
        Err(e) => assert!(!e.to_string().is_empty()),
        Ok(s) => {
            for p in PRESETS {
                let sim = Sim::new(s.clone(), Strategy::preset(p.id).unwrap(), MemoryModel::Tso)
                    .expect("a validated scenario compiles");
                let _ = random_run(&sim, data.len() as u64);
            }
        }
    }
});
