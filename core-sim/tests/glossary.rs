//! The glossary covers what the lab shows, and docs/glossary.md is the glossary as the core writes
//! it. Set UPDATE_SNAPSHOTS=1 to rewrite docs/glossary.md after an intended change.

use core_sim::explore::Session;
use core_sim::{glossary, scenario, strategy, view, MemoryModel, Sim};

/// Every state row and heading the explorer can show in any shipped world has a definition: two
/// runs per world (the lowest and the highest runnable thread first, to the end), checked at
/// every step, so the rows that come and go (unpublished copies, held locks, store buffers) are seen.
#[test]
fn every_state_row_and_thread_state_has_a_definition() {
    let mut rows = std::collections::BTreeSet::new();
    for sc in scenario::shipped() {
        for p in strategy::PRESETS.iter() {
            for m in MemoryModel::ALL {
                let sim = Sim::from_ids(&sc.id, p.id, m.id()).unwrap();
                for highest in [false, true] {
                    let mut s = Session::new(&sim);
                    for _ in 0..400 {
                        for c in view::cells(&sim, s.state()) {
                            let term = glossary::for_cell(&c.id);
                            assert!(term.is_some(), "row {} ({}) has no term", c.id, c.label);
                            assert!(glossary::for_group(&c.group).is_some(), "group {}", c.group);
                            rows.insert(term.unwrap().id);
                        }
                        for t in view::threads(&sim, s.state()) {
                            assert!(glossary::by_id(t.state.term()).is_some(), "{:?}", t.state);
                        }
                        let enabled = s.enabled();
                        let next = if highest {
                            enabled.last()
                        } else {
                            enabled.first()
                        };
                        match next {
                            Some(a) => {
                                s.step(*a).unwrap();
                            }
                            None => break,
                        }
                    }
                }
            }
        }
    }
    // The rows that only appear on the way were seen.
    for id in [
        "irte-software-copy",
        "host-locks",
        "store-buffer",
        "kvm-entry-copy",
        "vcpu-request",
    ] {
        assert!(rows.contains(id), "no world showed a {id} row: {rows:?}");
    }
}

#[test]
fn docs_glossary_md_is_up_to_date() {
    let text = glossary::markdown();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/glossary.md");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let want = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        text == want,
        "docs/glossary.md is out of date; run UPDATE_SNAPSHOTS=1 cargo test -p core-sim --test glossary and review the diff"
    );
}

/// Every kernel claim in the glossary points at what docs/kernel-notes.md recorded from the
/// source: each commit it names is one the notes cite, each section it names (§N) exists, and
/// each function it names (`name()`) is one the notes quote.
#[test]
fn glossary_sources_cite_what_the_kernel_notes_checked() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/kernel-notes.md");
    let notes = std::fs::read_to_string(path).expect("docs/kernel-notes.md");
    let sections: Vec<String> = notes
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter_map(|h| h.split('.').next())
        .map(str::to_string)
        .collect();
    let mut commits = 0;
    for term in glossary::all() {
        if term.topic == glossary::Topic::Violation || term.source.is_empty() {
            continue;
        }
        let src = term.source;
        for word in src.split(|c: char| !c.is_ascii_alphanumeric()) {
            let is_commit = word.len() == 12 && word.chars().all(|c| c.is_ascii_hexdigit());
            if is_commit && word.chars().any(|c| c.is_ascii_digit()) {
                commits += 1;
                assert!(
                    notes.contains(word),
                    "{}: commit {word} is not in the kernel notes",
                    term.id
                );
            }
        }
        for (i, _) in src.match_indices('§') {
            let n: String = src[i + '§'.len_utf8()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            assert!(
                sections.contains(&n),
                "{}: no section §{n} in the kernel notes",
                term.id
            );
        }
        for (i, _) in src.match_indices("()") {
            let name: String = src[..i]
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if !name.is_empty() {
                assert!(
                    notes.contains(&name),
                    "{}: {name}() is not in the kernel notes",
                    term.id
                );
            }
        }
    }
    assert!(
        commits >= 15,
        "only {commits} commits cited: the scan is broken"
    );
}
