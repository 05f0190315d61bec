//! Schedule strings (a link's `r=`, `avic-lab replay SCHEDULE`) on arbitrary input: they parse
//! and print back the same, or are refused in plain words; in every shipped world they replay
//! or say why.
#![no_main]

use core_sim::explore::{Schedule, Session};
use core_sim::Sim;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn worlds() -> &'static [Sim] {
    static W: OnceLock<Vec<Sim>> = OnceLock::new();
    W.get_or_init(|| {
        let mut out = Vec::new();
        for s in core_sim::scenario::ids() {
            for m in ["sc", "tso"] {
                out.push(Sim::from_ids(&s, "naive-update", m).unwrap());
            }
        }
        out
    })
}

fn plain(msg: &str) -> bool {
    !msg.is_empty() && !msg.chars().any(core_sim::text::is_unsafe)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match text.parse::<Schedule>() {
        Ok(s) => assert_eq!(s.to_string(), text),
        Err(e) => assert!(plain(&e.to_string()), "{e}"),
    }
    let sim = &worlds()[data.len() % worlds().len()];
    match Session::replay(sim, text) {
        Ok(s) => {
            assert_eq!(s.len(), text.chars().count());
            assert_eq!(s.schedule().to_string(), text);
        }
        Err(e) => assert!(plain(&e.to_string()), "{e}"),
    }
});
