//! No source file grows into a room too large to live in: at most [`MAX_CODE_LINES`] lines of
//! code in each file of `core-sim/src` and of the web crates (`web`, `web-worker`,
//! `web-protocol`), not counting test code (from a file's first `#[cfg(test)]`, and whole test
//! modules: `tests.rs`, `*_tests.rs`), comments and blank lines.

use std::fs;
use std::path::{Path, PathBuf};

/// The house limit (see the developers' guide and issue 11).
const MAX_CODE_LINES: usize = 400;

/// The source trees held to the limit, relative to this crate.
const ROOTS: &[&str] = &[
    "src",
    "../web/src",
    "../web-worker/src",
    "../web-protocol/src",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of code before the first `#[cfg(test)]`, without comments and blank lines.
fn code_lines(text: &str) -> usize {
    text.lines()
        .take_while(|l| !l.trim_start().starts_with("#[cfg(test)]"))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .count()
}

#[test]
fn no_file_has_more_than_the_house_limit_of_code() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for root in ROOTS {
        rust_files(&here.join(root), &mut files);
    }
    assert!(files.len() > 20, "found only {} files", files.len());
    let is_test_module = |p: &Path| {
        let stem = p.file_stem().unwrap_or_default().to_string_lossy();
        stem == "tests" || stem.ends_with("_tests")
    };
    let mut big: Vec<String> = files
        .iter()
        .filter(|p| !is_test_module(p))
        .filter_map(|p| {
            let n = code_lines(&fs::read_to_string(p).unwrap());
            (n > MAX_CODE_LINES).then(|| format!("{}: {n} lines of code", p.display()))
        })
        .collect();
    big.sort();
    assert!(big.is_empty(), "over {MAX_CODE_LINES}:\n{}", big.join("\n"));
}

#[test]
fn the_count_leaves_out_tests_comments_and_blank_lines() {
    let text =
        "//! doc\nuse a;\n\n    // note\nfn f() {}\n#[cfg(test)]\nmod tests {\n    fn g() {}\n}\n";
    assert_eq!(code_lines(text), 2);
}
