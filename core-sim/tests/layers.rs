//! Holds `core-sim/src` to the layers of the house plan (`architecture.md`): a module may name
//! only modules of its own layer or below. Test code (after a file's first `#[cfg(test)]`) and
//! comments are not counted. A new top-level module must be given a layer here. Modules of one
//! layer may use each other, but never in a circle. And no file grows into a room too large to
//! live in: at most [`MAX_CODE_LINES`] lines of code in each file of `core-sim/src` and of the web
//! crates (`web`, `web-worker`, `web-protocol`), not counting test code (from a file's first
//! `#[cfg(test)]`, and whole test modules: `tests.rs`, `*_tests.rs`), comments and blank lines.

use std::fs;
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and its layer, bottom (1) to top.
const LAYERS: &[(&str, u8)] = &[
    ("vocab", 1),
    ("text", 1),
    ("glossary", 1),
    ("machine", 2),
    ("strategy", 3),
    ("program", 4),
    ("scenario", 5),
    ("sim", 6),
    ("exec", 6),
    ("oracle", 7),
    ("explore", 8),
    ("export", 8),
    ("analysis", 9),
    ("timeline", 9),
    ("scene", 9),
    ("view", 9),
    ("svg", 9),
    ("lessons", 10),
    ("challenges", 10),
    ("primer", 10),
    ("slide", 10),
    ("share", 11),
    ("mail", 12),
];

/// What `lib.rs` re-exports at the crate root, and the module each item comes from.
const ROOT_ITEMS: &[(&str, &str)] = &[
    ("Action", "exec"),
    ("Event", "exec"),
    ("Fact", "exec"),
    ("Machine", "machine"),
    ("Violation", "oracle"),
    ("ViolationKind", "vocab"),
    ("Scenario", "scenario"),
    ("Sim", "sim"),
    ("Knobs", "strategy"),
    ("MemoryModel", "strategy"),
    ("Strategy", "strategy"),
];

fn layer(name: &str) -> Option<u8> {
    let module = ROOT_ITEMS
        .iter()
        .find(|(item, _)| *item == name)
        .map_or(name, |(_, m)| *m);
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

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

/// The `crate::<module>` names in a file's non-test, non-comment code, with their line numbers.
fn crate_refs(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push((n + 1, name));
        }
    }
    out
}

/// Every file of `src/` but `lib.rs`: its path (relative), its top-level module and its text.
fn source_files() -> Vec<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut out = Vec::new();
    for path in files {
        let rel = path.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top != "lib" {
            let text = fs::read_to_string(&path).unwrap();
            out.push((rel.display().to_string(), top, text));
        }
    }
    out
}

/// Every `(file, line, from module, to module)` reference of `src/` between top-level modules.
fn module_refs() -> Vec<(String, usize, String, String)> {
    let mut out = Vec::new();
    for (rel, top, text) in source_files() {
        for (line, name) in crate_refs(&text) {
            let to = ROOT_ITEMS
                .iter()
                .find(|(item, _)| *item == name)
                .map_or(name.as_str(), |(_, m)| *m)
                .to_string();
            if to != top {
                out.push((rel.clone(), line, top.clone(), to));
            }
        }
    }
    out
}

/// A circle in the module graph `edges`, if there is one (as the modules along it).
fn find_cycle(edges: &[(String, String)]) -> Option<Vec<String>> {
    let mut nodes: Vec<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    nodes.sort();
    nodes.dedup();
    // 0 unvisited, 1 on the current path, 2 done.
    fn visit<'a>(
        n: &'a String,
        edges: &'a [(String, String)],
        mark: &mut std::collections::BTreeMap<&'a String, u8>,
        path: &mut Vec<&'a String>,
    ) -> Option<Vec<String>> {
        match mark.get(n) {
            Some(2) => return None,
            Some(1) => {
                let at = path.iter().position(|p| *p == n).unwrap();
                let mut c: Vec<String> = path[at..].iter().map(|s| s.to_string()).collect();
                c.push(n.clone());
                return Some(c);
            }
            _ => {}
        }
        mark.insert(n, 1);
        path.push(n);
        for (_, to) in edges.iter().filter(|(from, _)| from == n) {
            if let Some(c) = visit(to, edges, mark, path) {
                return Some(c);
            }
        }
        path.pop();
        mark.insert(n, 2);
        None
    }
    let mut mark = std::collections::BTreeMap::new();
    for n in nodes {
        if let Some(c) = visit(n, edges, &mut mark, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

#[test]
fn modules_never_use_each_other_in_a_circle() {
    let mut edges: Vec<(String, String)> = module_refs()
        .into_iter()
        .map(|(_, _, a, b)| (a, b))
        .collect();
    edges.sort();
    edges.dedup();
    assert_eq!(find_cycle(&edges), None, "module graph: {edges:?}");
    // The check itself finds a circle of three.
    let circle = [
        ("exec", "scenario"),
        ("scenario", "oracle"),
        ("oracle", "exec"),
    ]
    .map(|(a, b)| (a.to_string(), b.to_string()));
    assert_eq!(find_cycle(&circle).map(|c| c.len()), Some(4));
}

#[test]
fn imports_only_point_down_the_layers() {
    let mut problems = Vec::new();
    for (rel, top, text) in source_files() {
        let Some(own) = layer(&top) else {
            problems.push(format!(
                "{}: module '{top}' has no layer in tests/layers.rs",
                rel
            ));
            continue;
        };
        for (line, name) in crate_refs(&text) {
            match layer(&name) {
                Some(l) if l > own => problems.push(format!(
                    "{}:{line}: {top} (layer {own}) uses crate::{name} (layer {l}), which is above it",
                    rel
                )),
                Some(_) => {}
                None => problems.push(format!(
                    "{}:{line}: crate::{name} is no module this test knows",
                    rel
                )),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_catches_an_upward_import() {
    let refs = crate_refs(
        "use crate::share::Link;\n// crate::lessons in a comment\n#[cfg(test)]\nuse crate::view;",
    );
    assert_eq!(refs, vec![(1, "share".to_string())]);
    assert!(layer("share").unwrap() > layer("machine").unwrap());
}

/// The house limit (see the developers' guide and issue 11).
const MAX_CODE_LINES: usize = 400;

/// The source trees held to the limit, relative to this crate.
const ROOTS: &[&str] = &[
    "src",
    "../web/src",
    "../web-worker/src",
    "../web-protocol/src",
];

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
