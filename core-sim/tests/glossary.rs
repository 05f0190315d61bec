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
