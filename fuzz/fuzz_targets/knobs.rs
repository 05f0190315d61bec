//! Knob strings on arbitrary input: a v1 link's `knobs=` list, a v2 link's `k.<hex>` code and the
//! CLI's `--knobs k=v,...` (compiled in from native-backend). Each decodes or is refused in words,
//! and what decodes re-encodes to the same knobs.
#![no_main]

#[allow(dead_code)]
#[path = "../../native-backend/src/cli/knobs.rs"]
mod knobs;

use core_sim::share;
use core_sim::strategy::PRESETS;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match share::decode_knob_list(text) {
        Ok(k) => {
            let code = share::knob_code(&k);
            assert_eq!(share::decode_knob_code(&code[2..]), Ok(k));
        }
        Err(e) => assert!(!e.is_empty()),
    }
    match share::decode_knob_code(text.strip_prefix("k.").unwrap_or(text)) {
        Ok(k) => {
            // Three hex digits, or four once a knob of bit 12 or 13 is on; it reads back.
            let code = share::knob_code(&k);
            assert!(code.len() == 5 || code.len() == 6, "{code}");
            assert_eq!(share::decode_knob_code(&code[2..]), Ok(k));
        }
        Err(e) => assert!(!e.is_empty()),
    }
    for base in PRESETS.iter().map(|p| p.knobs) {
        match knobs::apply(base, text) {
            Ok(k) => assert_eq!(knobs::apply(base, &knobs::diff(&base, &k)).unwrap(), k),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
});
