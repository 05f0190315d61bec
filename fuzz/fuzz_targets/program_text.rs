//! The program language (`--program-file`, a link's edited programs) on arbitrary bytes: errors
//! with a line and a column, never a panic; whatever reads prints back to text that reads to the
//! same programs; validation and patches never panic either.
#![no_main]

use core_sim::program::text::{self, Bounds, Patch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    match text::parse(s) {
        Ok(blocks) => {
            for b in blocks {
                let printed = text::print_program(b.target, &b.program);
                let again = text::parse_one(&printed).expect("printed text reads");
                assert_eq!(again.program, b.program);
                assert_eq!(again.target, b.target);
                let bounds = Bounds {
                    vcpus: 2,
                    pcpus: 2,
                    irtes: 2,
                    kick: data.len() % 2 == 0,
                };
                let _ = text::validate(&b.program, &bounds, &|i| i + 1);
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty() && errors.len() <= text::MAX_ERRORS);
            for e in &errors {
                assert!(e.line >= 1 && e.col >= 1 && !e.message.is_empty(), "{e}");
            }
        }
    }
    let _ = Patch::parse(s);
});
