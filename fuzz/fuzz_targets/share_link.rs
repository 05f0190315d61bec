//! The share-link decoder on arbitrary input: no panic, every problem has words, and a link that
//! decodes cleanly either opens or says why not; what decodes re-encodes to a link that decodes to
//! the same thing.
#![no_main]

use core_sim::share;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (link, problems) = share::decode_lenient(text);
    assert!(problems.iter().all(|p| !p.to_string().is_empty()));
    assert_eq!(share::decode(text).is_ok(), problems.is_empty());
    let again = share::encode(&link);
    assert_eq!(share::decode(&again), Ok(link.clone()), "re-encoded: {again}");
    if let Err(e) = link.open() {
        assert!(!e.to_string().is_empty());
    }
});
