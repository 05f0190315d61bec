//! The guided lessons: every run replays and shows what its notes say it shows, every claim holds
//! under the exhaustive checker, and docs/lessons.md (the lessons as text, for docs and talks) is
//! what the lessons say. Set UPDATE_SNAPSHOTS=1 to rewrite docs/lessons.md after an intended
//! change, then review the diff.

use std::collections::BTreeSet;

use core_sim::explore::Session;
use core_sim::lessons::{self, Lesson};
use core_sim::share;
use core_sim::timeline::Timeline;

#[test]
fn six_lessons_retell_the_history_in_order() {
    let ids: Vec<&str> = lessons::all().iter().map(|l| l.id).collect();
    assert_eq!(
        ids,
        [
            "original-delay",
            "first-patch",
            "barriers",
            "lock-fix",
            "once-accessors",
            "upstream-rework"
        ]
    );
}

#[test]
fn every_run_replays_and_shows_exactly_what_it_claims() {
    for l in lessons::all() {
        let session = Session::replay(&l.sim(), l.schedule)
            .unwrap_or_else(|e| panic!("{}: schedule does not replay: {e}", l.id));
        assert_eq!(session.len(), l.len(), "{}", l.id);
        let shown: BTreeSet<_> = session.violations().iter().map(|v| v.kind).collect();
        let claimed: BTreeSet<_> = l.run_shows.iter().copied().collect();
        assert_eq!(shown, claimed, "{}: the run's violations", l.id);
        assert_eq!(
            l.session().position(),
            0,
            "{}: lessons start at step 0",
            l.id
        );
    }
}

#[test]
fn notes_start_at_the_beginning_and_stay_within_the_run() {
    for l in lessons::all() {
        assert_eq!(l.notes.first().map(|n| n.at), Some(0), "{}", l.id);
        for w in l.notes.windows(2) {
            assert!(
                w[0].at < w[1].at,
                "{}: notes out of order at {}",
                l.id,
                w[1].at
            );
        }
        let last = l.notes.last().unwrap().at;
        assert!(last <= l.len(), "{}: a note after the end", l.id);
        assert!(!l.takeaway.is_empty() && !l.claims.is_empty(), "{}", l.id);
    }
}

#[test]
fn every_claim_holds_under_the_exhaustive_checker() {
    for l in lessons::all() {
        for c in l.claims {
            let r = c.verify();
            assert!(r.holds, "{}: claim '{c}' {}", l.id, r.detail);
            assert!(r.states > 0 && r.worlds > 0);
        }
    }
}

#[test]
fn lesson_links_round_trip_and_open_at_their_step() {
    for l in lessons::all() {
        let link = share::lesson_link(l, 3);
        let back = share::decode(&share::encode(&link)).unwrap();
        assert_eq!(back, link, "{}", l.id);
        let opened = back.open().unwrap();
        assert_eq!(opened.session.position(), 3, "{}", l.id);
        assert_eq!(opened.session.len(), l.len(), "{}", l.id);
    }
}

/// One lesson as Markdown: notes interleaved with the steps they follow.
fn render(l: &Lesson) -> String {
    let session = Session::replay(&l.sim(), l.schedule).unwrap();
    let timeline = Timeline::from_session(&session).to_text();
    let mut out = format!(
        "## {}. {}\n\n`{}` · `{}` · `{}` · schedule `{}` · open: `?v=2&view=lesson&l={}`\n\n",
        l.number,
        l.title,
        l.scenario,
        l.strategy,
        l.memory.id(),
        l.schedule,
        l.id
    );
    let mut notes = l.notes.iter().peekable();
    let mut block = String::new();
    let flush = |block: &mut String, out: &mut String| {
        if !block.is_empty() {
            out.push_str("```text\n");
            out.push_str(block);
            out.push_str("```\n\n");
            block.clear();
        }
    };
    for line in timeline.lines().skip(1) {
        let step: Option<usize> = line
            .trim_start()
            .split_once(". ")
            .and_then(|(n, _)| n.parse().ok());
        if let Some(n) = step {
            while let Some(note) = notes.next_if(|note| note.at < n) {
                flush(&mut block, &mut out);
                out.push_str(&format!("> **after step {}.** {}\n\n", note.at, note.text));
            }
        }
        block.push_str(line);
        block.push('\n');
    }
    for note in notes {
        flush(&mut block, &mut out);
        out.push_str(&format!("> **after step {}.** {}\n\n", note.at, note.text));
    }
    flush(&mut block, &mut out);
    out.push_str(&format!("**Takeaway.** {}\n\n", l.takeaway));
    out.push_str("Checked exhaustively (every interleaving):\n\n");
    for c in l.claims {
        out.push_str(&format!("- {c} — {}\n", c.verify().detail));
    }
    if !l.commits.is_empty() {
        out.push_str("\nKernel history:\n\n");
        for c in l.commits {
            out.push_str(&format!("- [{}]({}) {}\n", short(c.id), c.url(), c.title));
        }
    }
    out.push('\n');
    out
}

fn short(id: &str) -> &str {
    if id.contains('@') {
        "patch"
    } else {
        id
    }
}

#[test]
fn docs_lessons_md_is_up_to_date() {
    let mut text = String::from(
        "# Lessons: the AVIC / IRTE race, retold\n\n\
         Generated from `core-sim/src/lessons.rs` by `core-sim/tests/lessons.rs` \
         (`UPDATE_SNAPSHOTS=1 cargo test -p core-sim --test lessons`). The web app plays the \
         same runs step by step (Lessons in the top bar); the step lines are the model's \
         micro-steps, each one shared-memory access, in our own pseudo-code.\n\n",
    );
    for l in lessons::all() {
        text.push_str(&render(l));
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/lessons.md");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let want = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        text == want,
        "docs/lessons.md is out of date; run UPDATE_SNAPSHOTS=1 cargo test -p core-sim --test lessons and review the diff"
    );
}
