//! Guided lessons: the history of the race, retold as runs to play step by step.
//!
//! Each lesson is a world (scenario, strategy, memory model), a fixed schedule, notes shown at
//! chosen positions of the run, and claims about the whole world that the exhaustive checker
//! verifies (the tests verify every one; a page can verify them live). Notes are our own words;
//! the kernel changes are cited by commit id and title.
//!
//! `claims` what a lesson claims and how it is checked, `catalogue` the lessons; this file holds
//! the lesson type and its lookup.

mod catalogue;
mod claims;

use self::catalogue::*;
pub use self::claims::*;
use std::fmt;

use crate::explore::{check, CheckOptions, CheckReport, Outcome, Session};
use crate::oracle::ViolationKind;
use crate::scenario;
use crate::sim::Sim;
use crate::strategy::MemoryModel;

/// A note shown when the run has done `at` steps (0: before the first step).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Note {
    /// Steps done when the note shows.
    pub at: usize,
    /// The note.
    pub text: &'static str,
}

/// A kernel change or mailing-list message a lesson is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Commit {
    /// A commit id (12 hex digits) or, for a posted patch, its Message-Id.
    pub id: &'static str,
    /// Its title.
    pub title: &'static str,
}

impl Commit {
    /// Where to read it: the commit in Linus' tree, or the message on lore.kernel.org.
    pub fn url(&self) -> String {
        if self.id.contains('@') {
            format!("https://lore.kernel.org/all/{}/", self.id)
        } else {
            format!(
                "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id={}",
                self.id
            )
        }
    }
}

fn ids(kinds: &[ViolationKind]) -> String {
    kinds.iter().map(|k| k.id()).collect::<Vec<_>>().join(", ")
}

/// A guided lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lesson {
    /// Stable id (links).
    pub id: &'static str,
    /// 1-based position in the course.
    pub number: usize,
    /// Title.
    pub title: &'static str,
    /// Scenario id.
    pub scenario: &'static str,
    /// Strategy preset id.
    pub strategy: &'static str,
    /// Memory model.
    pub memory: MemoryModel,
    /// The run, as a schedule string.
    pub schedule: &'static str,
    /// The same run as the first release recorded it (share-link formats v1 and v2, whose
    /// micro-steps were coarser): old lesson links name steps of this one.
    pub first_release_schedule: &'static str,
    /// Notes along the run, by position.
    pub notes: &'static [Note],
    /// Kinds of violation the run itself shows (empty: a clean run).
    pub run_shows: &'static [ViolationKind],
    /// What to take away, shown at the end.
    pub takeaway: &'static str,
    /// Statements about the whole world, checked exhaustively.
    pub claims: &'static [Claim],
    /// The kernel changes and messages the lesson is about.
    pub commits: &'static [Commit],
}

/// No lesson has this id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown lesson '{0}'; known: {list}", list = all().iter().map(|l| l.id).collect::<Vec<_>>().join(", "))]
pub struct UnknownLesson(pub String);

/// Every lesson, in order.
pub fn all() -> &'static [Lesson] {
    &LESSONS
}

/// The lesson with this id.
pub fn by_id(id: &str) -> Result<&'static Lesson, UnknownLesson> {
    all()
        .iter()
        .find(|l| l.id == id)
        .ok_or_else(|| UnknownLesson(id.to_string()))
}

impl Lesson {
    /// The lesson's world.
    pub fn sim(&self) -> Sim {
        Sim::from_ids(self.scenario, self.strategy, self.memory.id())
            .expect("lessons name shipped scenarios and presets (tested)")
    }

    /// The whole run replayed, with the cursor at the start.
    pub fn session(&self) -> Session {
        let mut s =
            Session::replay(&self.sim(), self.schedule).expect("lesson schedules replay (tested)");
        s.goto(0);
        s
    }

    /// Steps in the run.
    pub fn len(&self) -> usize {
        self.schedule.chars().count()
    }

    /// Whether the run has no steps (never true for a shipped lesson).
    pub fn is_empty(&self) -> bool {
        self.schedule.is_empty()
    }

    /// The note shown after `position` steps: the last note at or before it.
    pub fn note_at(&self, position: usize) -> Option<&'static Note> {
        self.notes.iter().rev().find(|n| n.at <= position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_numbers_are_unique_and_in_order() {
        for (i, l) in all().iter().enumerate() {
            assert_eq!(l.number, i + 1);
            assert_eq!(by_id(l.id).unwrap().id, l.id);
        }
        let err = by_id("nope").unwrap_err().to_string();
        assert!(
            err.contains("unknown lesson 'nope'") && err.contains("first-patch"),
            "{err}"
        );
    }

    #[test]
    fn note_at_picks_the_latest_note_so_far() {
        let l = by_id("first-patch").unwrap();
        assert_eq!(l.note_at(0).unwrap().at, 0);
        assert_eq!(l.note_at(5).unwrap().at, 1);
        assert_eq!(l.note_at(6).unwrap().at, 6);
        assert_eq!(l.note_at(100).unwrap().at, 24);
    }

    #[test]
    fn commit_urls_point_at_the_tree_or_the_list() {
        let c = Commit {
            id: "4c08e737f056",
            title: "",
        };
        assert!(c.url().ends_with("commit/?id=4c08e737f056"));
        let m = Commit {
            id: "a@b",
            title: "",
        };
        assert_eq!(m.url(), "https://lore.kernel.org/all/a@b/");
    }

    #[test]
    fn a_claim_that_does_not_hold_says_where() {
        let wrong = Claim {
            scenarios: &["put-block-vs-affinity"],
            strategy: "naive-update",
            memory: &[MemoryModel::Sc],
            expect: Expect::Safe,
        };
        let r = wrong.verify();
        assert!(!r.holds);
        assert!(
            r.detail.contains("put-block-vs-affinity (sc): found"),
            "{}",
            r.detail
        );
        assert_eq!(
            wrong.to_string(),
            "naive-update, put-block-vs-affinity (sc): safe: no violation in any interleaving"
        );
    }
}
