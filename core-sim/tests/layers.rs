//! Holds `core-sim/src` to the layers of the house plan (`architecture.md`): a module may name
//! only modules of its own layer or below. Test code (after a file's first `#[cfg(test)]`) and
//! comments are not counted. A new top-level module must be given a layer here. Modules of one
//! layer may use each other, but never in a circle.

use std::fs;
use std::path::Path;

/// Each top-level module of `src/` and its layer, bottom (1) to top.
const LAYERS: &[(&str, u8)] = &[
    ("vocab", 1),
    ("text", 1),
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
    ("view", 9),
    ("svg", 9),
    ("lessons", 10),
    ("share", 11),
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

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
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

/// Every `(file, line, from module, to module)` reference of `src/` between top-level modules.
fn module_refs() -> Vec<(String, usize, String, String)> {
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
        if top == "lib" {
            continue;
        }
        for (line, name) in crate_refs(&fs::read_to_string(&path).unwrap()) {
            let to = ROOT_ITEMS
                .iter()
                .find(|(item, _)| *item == name)
                .map_or(name.as_str(), |(_, m)| *m)
                .to_string();
            if to != top {
                out.push((rel.display().to_string(), line, top.clone(), to));
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
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
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
        if top == "lib" {
            continue;
        }
        let Some(own) = layer(&top) else {
            problems.push(format!(
                "{}: module '{top}' has no layer in tests/layers.rs",
                rel.display()
            ));
            continue;
        };
        for (line, name) in crate_refs(&fs::read_to_string(&path).unwrap()) {
            match layer(&name) {
                Some(l) if l > own => problems.push(format!(
                    "{}:{line}: {top} (layer {own}) uses crate::{name} (layer {l}), which is above it",
                    rel.display()
                )),
                Some(_) => {}
                None => problems.push(format!(
                    "{}:{line}: crate::{name} is no module this test knows",
                    rel.display()
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
