//! The core in WebAssembly computes exactly what it computes natively: every exhaustive check,
//! seeded random and PCT run and lesson claim (the committed platform digest), plus share links.
//! Runs under node with wasm-bindgen-test: `scripts/test-wasm.sh` (part of scripts/test.sh).
#![cfg(target_arch = "wasm32")]

mod common;

use core_sim::share;
use wasm_bindgen_test::wasm_bindgen_test;

const NATIVE_DIGEST: &str = include_str!("snapshots/platform_digest.txt");

#[wasm_bindgen_test]
fn wasm_digest_equals_the_native_one() {
    let text = common::digest();
    if text != NATIVE_DIGEST {
        let first = text
            .lines()
            .zip(NATIVE_DIGEST.lines())
            .find(|(a, b)| a != b);
        panic!("wasm differs from native; first differing line: {first:?}");
    }
}

#[wasm_bindgen_test]
fn share_links_read_back_and_refuse_the_future() {
    let link = share::decode(
        "?v=2&s=put-block-vs-affinity&t=naive-update&m=sc&r=0000000001111111222&at=9",
    )
    .unwrap();
    assert_eq!(link.open().unwrap().session.position(), 9);
    assert!(share::decode("?v=9")
        .unwrap_err()
        .to_string()
        .contains("newer version"));
}
