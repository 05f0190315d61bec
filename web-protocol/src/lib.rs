//! The work the page hands to its Web Workers, and the messages they answer with.
//!
//! Both directions are JSON strings: the page (`web`) posts a [`Request`], the worker
//! (assets/worker.js, which loads the checker module `web-worker`) answers with [`Response`]s.
//! Both enums are externally tagged (`{"check": {"job": 1, …}}`): serde's internally tagged
//! enums buffer every message and cost several times the code in the wasm module.
//!
//! This crate holds the types and the pure helpers both sides need; it never calls the exhaustive
//! checker, so the page's module does not link it. Carrying a request out is `web_worker::jobs`.
//! The page reads answers with [`Response::from_json`] (`decode`), not serde's derived
//! deserialisers, which would weigh a tenth of its module.

mod decode;
mod stops;

pub use decode::MAX_RESPONSE;
pub use stops::{FlipAnswer, StopsAnswer};

use core_sim::explore::{CheckOptions, CheckReport, Counterexample, Progress};
use core_sim::{Knobs, MemoryModel, Scenario};
use serde::{Deserialize, Serialize};

/// The largest world whose line coverage a check also reports (the coverage search keeps every
/// state with its edges, several times the checker's bytes a state).
pub const COVERAGE_STATES: usize = 300_000;

/// What a worker is asked to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Request {
    /// An exhaustive check of one world (shortest counterexamples).
    Check {
        /// Job id, echoed in every answer.
        job: u64,
        /// The scenario (shipped or edited).
        scenario: Scenario,
        /// The strategy's knobs.
        knobs: Knobs,
        /// The memory model.
        memory: MemoryModel,
        /// Edited programs that replace operations of the world (`core_sim::program::text::Patch`
        /// text, applied with `Sim::with_patch`); absent: the strategy's own programs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        patch: Option<String>,
    },
    /// What stops a run: each single knob flip of its world checked exhaustively, and for the
    /// flips whose world never shows a kind of the run, where the run's replay there parts
    /// (`core_sim::analysis::what_stops`).
    Stops {
        /// Job id.
        job: u64,
        /// The scenario (shipped or edited).
        scenario: Scenario,
        /// The strategy's knobs.
        knobs: Knobs,
        /// The memory model.
        memory: MemoryModel,
        /// Edited programs, as in [`Request::Check`] (kept in every flipped world).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        patch: Option<String>,
        /// The run (`core_sim::Schedule` text).
        schedule: String,
    },
    /// One cell of the strategy × scenario matrix.
    Cell {
        /// Job id.
        job: u64,
        /// Cell index in [`matrix_worlds`] order.
        index: usize,
        /// Shipped scenario id.
        scenario: String,
        /// Preset id.
        strategy: String,
        /// Memory model.
        memory: MemoryModel,
    },
    /// Verify every claim of a lesson with the exhaustive checker, one answer per claim.
    Claims {
        /// Job id.
        job: u64,
        /// Lesson id.
        lesson: String,
    },
    /// Read a host-report bundle (its text, as the file holds it), check each of its cells
    /// again, and join the evidence (`core_sim::share::bundle`).
    Bundle {
        /// Job id.
        job: u64,
        /// The bundle's JSON, at most `core_sim::share::bundle::MAX_BUNDLE` bytes.
        text: String,
    },
    /// The welcome card's "Show me the hang": the shortest schedule to a lost wake-up in one
    /// world (`core_sim::share::welcome::hang_schedule`), so the page's module need not carry the
    /// exhaustive checker.
    Hang {
        /// Job id.
        job: u64,
        /// The scenario (shipped or edited).
        scenario: Scenario,
        /// The strategy's knobs.
        knobs: Knobs,
        /// The memory model.
        memory: MemoryModel,
    },
}

/// What a worker answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Response {
    /// A check is under way.
    Progress {
        /// Job id.
        job: u64,
        /// How far it got.
        progress: Progress,
    },
    /// A check finished.
    Checked {
        /// Job id.
        job: u64,
        /// The report.
        report: CheckReport,
        /// Milliseconds the search took in the worker.
        ms: f64,
        /// The lines no schedule runs and those every counterexample of a kind runs, for a
        /// complete search of at most [`COVERAGE_STATES`] states.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        coverage: Option<core_sim::analysis::Coverage>,
    },
    /// A matrix cell finished.
    Cell {
        /// Job id.
        job: u64,
        /// Its verdict.
        cell: MatrixCell,
    },
    /// One claim of a lesson, checked.
    Claim {
        /// Job id.
        job: u64,
        /// Which claim of the lesson.
        index: usize,
        /// Claims in the lesson (the answer for the last one ends the job).
        count: usize,
        /// What the checker found.
        result: ClaimResult,
    },
    /// A host-report bundle, read and joined, each cell checked again here.
    Evidence {
        /// Job id.
        job: u64,
        /// One row per cell, and the host section.
        table: core_sim::share::bundle::Table,
    },
    /// The shortest schedule to a lost wake-up ([`Request::Hang`]), none if the world has none.
    Hang {
        /// Job id.
        job: u64,
        /// The schedule (`core_sim::Schedule` text).
        schedule: Option<String>,
    },
    /// What stops a run ([`Request::Stops`]).
    Stops {
        /// Job id.
        job: u64,
        /// Every single flip, checked.
        stops: StopsAnswer,
    },
    /// The request could not be carried out.
    Failed {
        /// Job id (0 if the request did not even parse).
        job: u64,
        /// Why, in words for the page.
        error: String,
    },
}

impl Response {
    /// The job it answers.
    pub fn job(&self) -> u64 {
        match self {
            Response::Progress { job, .. }
            | Response::Checked { job, .. }
            | Response::Cell { job, .. }
            | Response::Claim { job, .. }
            | Response::Evidence { job, .. }
            | Response::Hang { job, .. }
            | Response::Stops { job, .. }
            | Response::Failed { job, .. } => *job,
        }
    }

    /// Whether this answer ends its job (progress reports and all but the last claim do not).
    pub fn is_final(&self) -> bool {
        match self {
            Response::Progress { .. } => false,
            Response::Claim { index, count, .. } => index + 1 >= *count,
            _ => true,
        }
    }

    /// This answer as JSON (a [`Response::Failed`] if it cannot be written).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| failed_json(self.job(), &e.to_string()))
    }
}

/// `{"failed": {"job": …, "error": …}}`, the shape assets/worker.js writes too.
pub fn failed_json(job: u64, error: &str) -> String {
    serde_json::to_string(&Response::Failed {
        job,
        error: error.to_string(),
    })
    .unwrap_or_default()
}

/// A lesson's claim, verified by the exhaustive checker (`core_sim::lessons::Claim::verify`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimResult {
    /// Whether it held in every world.
    pub holds: bool,
    /// Worlds checked.
    pub worlds: usize,
    /// States visited in all of them.
    pub states: usize,
    /// What was found, in words.
    pub detail: String,
    /// Milliseconds the checks took.
    pub ms: f64,
}

/// One counterexample, flattened for JSON and the page (the core's matrix type).
pub type Cex = core_sim::explore::matrix::CellCounterexample;

/// One cell of the matrix: the core's cell (whose first fields match `avic-lab matrix --json`),
/// its index in [`matrix_worlds`] order and how long its check took.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixCell {
    /// Cell index in [`matrix_worlds`] order.
    pub index: usize,
    /// What the check found.
    #[serde(flatten)]
    pub cell: core_sim::explore::matrix::Cell,
    /// Milliseconds the check took.
    pub ms: f64,
}

impl std::ops::Deref for MatrixCell {
    type Target = core_sim::explore::matrix::Cell;

    fn deref(&self) -> &Self::Target {
        &self.cell
    }
}

/// Options of every check the page runs: the defaults (breadth-first, no reduction, so
/// counterexamples are shortest), with more frequent progress reports.
pub fn check_options() -> CheckOptions {
    CheckOptions {
        progress_every: 2_000,
        ..CheckOptions::default()
    }
}

/// The counterexample the page opens first (the core's rule: the shortest of the most severe kind).
pub fn headline(report: &CheckReport) -> Option<&Counterexample> {
    core_sim::explore::matrix::headline(report)
}

/// Counterexamples of a report, most severe (then shortest) first.
pub fn cexes(report: &CheckReport) -> Vec<Cex> {
    core_sim::explore::matrix::cell_counterexamples(report)
}

/// Every world of the matrix for one memory model (the core's order).
pub fn matrix_worlds(memory: MemoryModel) -> Vec<(String, &'static str, MemoryModel)> {
    core_sim::explore::matrix::worlds(&[memory])
}

/// Milliseconds from some fixed point (wall clock; for durations only).
pub fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::time::{SystemTime, UNIX_EPOCH};
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// assets/worker.js reads the job of a request and writes failures in this shape.
    #[test]
    fn the_wire_format_is_externally_tagged() {
        let req = Request::Claims {
            job: 3,
            lesson: "x".into(),
        };
        assert_eq!(
            serde_json::to_string(&req).unwrap(),
            r#"{"claims":{"job":3,"lesson":"x"}}"#
        );
        let failed: Response =
            serde_json::from_str(r#"{"failed":{"job":3,"error":"the worker could not load"}}"#)
                .unwrap();
        assert_eq!(failed.job(), 3);
        assert_eq!(
            failed_json(4, "e\"x"),
            r#"{"failed":{"job":4,"error":"e\"x"}}"#
        );
        assert_eq!(
            failed.to_json(),
            r#"{"failed":{"job":3,"error":"the worker could not load"}}"#
        );
    }

    #[test]
    fn only_progress_and_all_but_the_last_claim_leave_a_job_open() {
        let claim = |index| Response::Claim {
            job: 1,
            index,
            count: 2,
            result: ClaimResult {
                holds: true,
                worlds: 1,
                states: 1,
                detail: String::new(),
                ms: 0.0,
            },
        };
        assert!(!claim(0).is_final());
        assert!(claim(1).is_final());
        let progress = Response::Progress {
            job: 2,
            progress: Progress {
                states: 1,
                transitions: 0,
                frontier: 1,
                depth: 0,
            },
        };
        assert!(!progress.is_final());
        assert!(Response::Failed {
            job: 2,
            error: "x".into()
        }
        .is_final());
    }

    #[test]
    fn the_matrix_holds_every_shipped_scenario_and_preset_once() {
        let worlds = matrix_worlds(MemoryModel::Tso);
        assert_eq!(
            worlds.len(),
            core_sim::scenario::shipped().len() * core_sim::strategy::PRESETS.len()
        );
        assert!(worlds.iter().all(|w| w.2 == MemoryModel::Tso));
    }
}
