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
use crate::explore::{check, CheckOptions, Counterexample, Outcome, Session};
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
        match report.counterexamples.get(&self.win) {
            Some(c) => Ok(c.clone()),
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

    /// The win: the first violation of the goal kind in the session's run so far (the oracle's
    /// verdict on the user's own schedule), if any.
    pub fn won(&self, session: &Session) -> Option<Violation> {
        session
            .violations()
            .into_iter()
            .find(|v| v.kind == self.win)
    }
}

#[cfg(test)]
mod tests;
