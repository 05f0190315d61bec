//! `avic-lab trace` input on arbitrary bytes: read (bounded lines, bounded warnings), parsed,
//! decoded and analysed without a panic; the counts add up.
//!
//! The trace reader lives in the native shell (it is host-specific, not part of the core), so its
//! three files are compiled in as they are.
#![no_main]

#[allow(dead_code)]
#[path = "../../native-backend/src/host/trace/analyze.rs"]
mod analyze;
#[allow(dead_code)]
#[path = "../../native-backend/src/host/trace/parse.rs"]
mod parse;
#[allow(dead_code)]
#[path = "../../native-backend/src/host/trace/read.rs"]
mod read;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let p = match read::parse_all(data) {
        Ok(p) => p,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let l = &p.lines;
    assert!(p.warnings.len() <= read::MAX_WARNINGS);
    assert_eq!(l.malformed + l.lost_markers, p.warnings.len() + p.warnings_omitted);
    assert_eq!(l.used, p.events.len());
    assert!(l.used + l.ignored <= l.events && l.events <= l.total);
    assert!(p.events.windows(2).all(|w| w[0].0.ts_ns <= w[1].0.ts_ns));
    let opts = analyze::Options {
        wake_threshold_ns: 1_000_000,
        apic_of_cpu: std::str::from_utf8(data)
            .map(analyze::apic_map)
            .unwrap_or_default(),
    };
    let a = analyze::analyze(&p.events, &opts);
    assert!(a.findings.iter().all(|f| !f.message.is_empty()));
});
