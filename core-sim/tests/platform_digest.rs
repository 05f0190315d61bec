//! The platform digest (see tests/common) on this machine equals the committed one, which the
//! wasm32 build must reproduce too (tests/wasm.rs, run by scripts/test-wasm.sh). Set
//! UPDATE_SNAPSHOTS=1 to rewrite it after an intended model change, then review the diff.

mod common;

#[test]
fn native_digest_matches_the_committed_one() {
    let text = common::digest();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(common::DIGEST_PATH, &text).unwrap();
    }
    let want = std::fs::read_to_string(common::DIGEST_PATH).unwrap_or_default();
    assert!(
        text == want,
        "platform digest changed; review and UPDATE_SNAPSHOTS=1 cargo test -p core-sim --test platform_digest"
    );
}
