//! Challenges, in the spirit of The Deadlock Empire: a world, a goal in words, and a win
//! condition (a violation kind appearing in the user's own run). The user schedules; the
//! session's oracle decides the win. A hint ladder, derived from the exhaustive checker's
//! shortest counterexample for the goal kind, reveals that schedule a few steps at a time.
//!
//! `catalogue` the shipped challenges; `hints` the ladder; this file the type and its lookup.

mod catalogue;
mod hints;

pub use self::hints::*;

use self::catalogue::CHALLENGES;
use crate::explore::{check, CheckOptions, CheckReport, Counterexample, Outcome, Session};
use crate::oracle::{Violation, ViolationKind};
use crate::sim::Sim;
use crate::strategy::MemoryModel;

/// A challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// Stable id (links).
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// Scenario id.
    pub scenario: &'static str,
    /// Strategy preset id.
    pub strategy: &'static str,
    /// Memory model.
    pub memory: MemoryModel,
    /// The goal, in words (kernel claims cited by function, version and commit).
    pub goal: &'static str,
    /// The win condition: this kind of violation appears in the user's run.
    pub win: ViolationKind,
}

/// No challenge has this id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown challenge '{0}'; known: {list}", list = all().iter().map(|c| c.id).collect::<Vec<_>>().join(", "))]
pub struct UnknownChallenge(pub String);

/// Why a challenge cannot be offered: its world does not build, or the checker does not prove
/// its goal reachable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    /// The world does not build.
    #[error("challenge '{id}': cannot build its world: {reason}")]
    World {
        /// The challenge.
        id: String,
        /// Why.
        reason: String,
    },
    /// A complete search found no violation of the goal kind.
    #[error("challenge '{id}': no {kind} in any interleaving: the goal is unreachable")]
    Unreachable {
        /// The challenge.
        id: String,
        /// The goal kind's id.
        kind: &'static str,
    },
    /// The search stopped at its limits before finding one.
    #[error("challenge '{id}': no {kind} found before the search stopped")]
    Unproven {
        /// The challenge.
        id: String,
        /// The goal kind's id.
        kind: &'static str,
    },
}

/// Every challenge, in order.
pub fn all() -> &'static [Challenge] {
    &CHALLENGES
}

/// The challenge with this id.
pub fn by_id(id: &str) -> Result<&'static Challenge, UnknownChallenge> {
    all()
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| UnknownChallenge(id.to_string()))
}

impl Challenge {
    /// The challenge's world.
    pub fn sim(&self) -> Result<Sim, Rejected> {
        Sim::from_ids(self.scenario, self.strategy, self.memory.id()).map_err(|reason| {
            Rejected::World {
                id: self.id.to_string(),
                reason,
            }
        })
    }

    /// Runs the exhaustive checker (breadth-first, no reduction: the counterexample is a
    /// shortest one) and returns its counterexample of the goal kind, or why there is none.
    pub fn prove(&self, options: &CheckOptions) -> Result<Counterexample, Rejected> {
        let sim = self.sim()?;
        let options = CheckOptions {
            reduction: false,
            ..*options
        };
        let report = check(&sim, &options, &mut |_| true);
        self.found(&report).cloned()
    }

    /// The goal kind's counterexample in `report` (a check of this challenge's world), or why
    /// there is none.
    pub fn found<'r>(&self, report: &'r CheckReport) -> Result<&'r Counterexample, Rejected> {
        match report.counterexamples.get(&self.win) {
            Some(c) => Ok(c),
            None if report.outcome == Outcome::Complete => Err(Rejected::Unreachable {
                id: self.id.to_string(),
                kind: self.win.id(),
            }),
            None => Err(Rejected::Unproven {
                id: self.id.to_string(),
                kind: self.win.id(),
            }),
        }
    }

    /// The hint ladder from `report`, a breadth-first check of this challenge's world (a page
    /// gets one from its check worker): the goal kind's shortest counterexample, told step by
    /// step. Refused if the report has none, or if that schedule does not win when replayed here.
    pub fn ladder(&self, report: &CheckReport) -> Result<Ladder, Rejected> {
        let sim = self.sim()?;
        let cx = self.found(report)?;
        let wins = Session::replay(&sim, &cx.schedule.to_string())
            .ok()
            .is_some_and(|s| self.won(&s).is_some());
        let ladder = Ladder::new(&sim, cx).filter(|_| wins);
        ladder.ok_or_else(|| Rejected::World {
            id: self.id.to_string(),
            reason: "the checker's counterexample does not reach the goal when replayed".into(),
        })
    }

    /// The goal in one sentence ("Make the guest hang under Linux 6.6 in …."): the goal's
    /// first sentence.
    pub fn aim(&self) -> &'static str {
        self.goal.find(". ").map_or(self.goal, |i| &self.goal[..=i])
    }

    /// The rest of the goal: why the world allows it, with the kernel's commits.
    pub fn background(&self) -> &'static str {
        self.goal
            .find(". ")
            .map_or("", |i| self.goal[i + 2..].trim_start())
    }

    /// The win condition in words.
    pub fn win_condition(&self) -> String {
        format!(
            "You win when the {} oracle fires in your own run ({}). The world: {} × {} ({}); you schedule every step.",
            self.win.title(),
            self.win.definition(),
            self.scenario,
            self.strategy,
            self.memory.id()
        )
    }

    /// The win: the first violation of the goal kind in the session's run so far (the oracle's
    /// verdict on the user's own schedule), if any.
    pub fn won(&self, session: &Session) -> Option<Violation> {
        session
            .violations()
            .into_iter()
            .find(|v| v.kind == self.win)
    }

    /// The core's judgement of a page's run: its steps up to the cursor replayed afresh in this
    /// challenge's own world (so a run from any other world, or one that does not replay, never
    /// wins), and the first violation of the goal kind there.
    pub fn judge(&self, run: &Session) -> Option<Violation> {
        let sim = self.sim().ok()?;
        let own = run.sim();
        let same = own.scenario == sim.scenario
            && own.strategy == sim.strategy
            && own.memory == sim.memory;
        if !same {
            return None;
        }
        let schedule: String = run
            .records()
            .iter()
            .map(|r| r.event.action.to_char())
            .collect();
        self.won(&Session::replay(&sim, &schedule).ok()?)
    }
}

#[cfg(test)]
mod tests;
