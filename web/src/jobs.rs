//! The work the page hands to its Web Workers, and the messages they answer with.
//!
//! Both directions are JSON strings: the page posts a [`Request`], the worker (assets/worker.js,
//! which loads this same wasm module) passes it to [`handle`] and posts back every [`Response`].
//! Both enums are externally tagged (`{"check": {"job": 1, …}}`): serde's internally tagged
//! enums buffer every message and cost several times the code in the wasm module.
//! All of it is plain Rust over `core_sim`, so the same code runs natively in tests and in the
//! `native_matrix` example that the browser tests compare against.

use core_sim::explore::{self, CheckOptions, CheckReport, Counterexample, Progress};
use core_sim::{Knobs, MemoryModel, Scenario, Sim, Strategy};
use serde::{Deserialize, Serialize};

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

/// Verify claim `index` of a lesson.
pub fn verify_claim(lesson: &str, index: usize) -> Result<ClaimResult, String> {
    let lesson = core_sim::lessons::by_id(lesson).map_err(|e| e.to_string())?;
    let claim = lesson
        .claims
        .get(index)
        .ok_or_else(|| format!("lesson '{}' has no claim {index}", lesson.id))?;
    let t0 = now_ms();
    let c = claim.verify();
    Ok(ClaimResult {
        holds: c.holds,
        worlds: c.worlds,
        states: c.states,
        detail: c.detail,
        ms: now_ms() - t0,
    })
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

/// Check one matrix cell (the core's check), timed.
pub fn matrix_cell(
    index: usize,
    scenario: &str,
    strategy: &str,
    memory: MemoryModel,
) -> Result<MatrixCell, String> {
    let sim = Sim::from_ids(scenario, strategy, memory.id())?;
    let t0 = now_ms();
    let cell = core_sim::explore::matrix::check_cell(&sim, &check_options());
    let ms = now_ms() - t0;
    Ok(MatrixCell { index, cell, ms })
}

/// The whole matrix for one memory model, in order, on this thread.
pub fn matrix(memory: MemoryModel) -> Result<Vec<MatrixCell>, String> {
    matrix_worlds(memory)
        .iter()
        .enumerate()
        .map(|(i, (s, p, m))| matrix_cell(i, s, p, *m))
        .collect()
}

/// Carry out one request; `emit` receives every response as JSON, the last one being the answer.
pub fn handle(request: &str, emit: &mut dyn FnMut(String)) {
    let mut send = |r: Response| {
        emit(serde_json::to_string(&r).unwrap_or_else(|e| failed_json(0, &e.to_string())))
    };
    let req: Request = match serde_json::from_str(request) {
        Ok(r) => r,
        Err(e) => {
            send(Response::Failed {
                job: 0,
                error: format!("the worker got a request it does not understand: {e}"),
            });
            return;
        }
    };
    match req {
        Request::Check {
            job,
            scenario,
            knobs,
            memory,
        } => {
            let sim = match Sim::new(scenario, Strategy::custom(knobs), memory) {
                Ok(s) => s,
                Err(e) => {
                    send(Response::Failed {
                        job,
                        error: e.to_string(),
                    });
                    return;
                }
            };
            let t0 = now_ms();
            let mut last = t0;
            let report = explore::check(&sim, &check_options(), &mut |p| {
                let now = now_ms();
                if now - last >= 50.0 {
                    last = now;
                    send(Response::Progress { job, progress: *p });
                }
                true
            });
            send(Response::Checked {
                job,
                report,
                ms: now_ms() - t0,
            });
        }
        Request::Cell {
            job,
            index,
            scenario,
            strategy,
            memory,
        } => match matrix_cell(index, &scenario, &strategy, memory) {
            Ok(cell) => send(Response::Cell { job, cell }),
            Err(error) => send(Response::Failed { job, error }),
        },
        Request::Claims { job, lesson } => {
            let count = match core_sim::lessons::by_id(&lesson) {
                Ok(l) => l.claims.len(),
                Err(e) => {
                    return send(Response::Failed {
                        job,
                        error: e.to_string(),
                    })
                }
            };
            for index in 0..count {
                match verify_claim(&lesson, index) {
                    Ok(result) => send(Response::Claim {
                        job,
                        index,
                        count,
                        result,
                    }),
                    Err(error) => return send(Response::Failed { job, error }),
                }
            }
        }
    }
}

fn failed_json(job: u64, error: &str) -> String {
    serde_json::to_string(&Response::Failed {
        job,
        error: error.to_string(),
    })
    .unwrap_or_default()
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
    use core_sim::strategy::PRESETS;
    use core_sim::ViolationKind;

    fn run(req: &Request) -> Vec<Response> {
        let mut out = Vec::new();
        handle(&serde_json::to_string(req).unwrap(), &mut |s| {
            out.push(serde_json::from_str(&s).unwrap())
        });
        out
    }

    #[test]
    fn check_request_finds_the_naive_lost_wakeup() {
        let req = Request::Check {
            job: 7,
            scenario: core_sim::scenario::by_id("put-block-vs-affinity").unwrap(),
            knobs: Strategy::preset("naive-update").unwrap().knobs,
            memory: MemoryModel::Sc,
        };
        let out = run(&req);
        let Some(Response::Checked { job: 7, report, .. }) = out.last() else {
            panic!("{out:?}")
        };
        let head = headline(report).unwrap();
        assert_eq!(head.violation.kind, ViolationKind::LostWakeup);
        assert_eq!(cexes(report)[0].kind, ViolationKind::LostWakeup);
    }

    #[test]
    fn impossible_scenarios_and_garbage_fail_politely() {
        let mut scenario = core_sim::scenario::by_id("migrate-vs-affinity").unwrap();
        scenario.pcpus = 0;
        let out = run(&Request::Check {
            job: 3,
            scenario,
            knobs: PRESETS[0].knobs,
            memory: MemoryModel::Sc,
        });
        assert!(
            matches!(&out[..], [Response::Failed { job: 3, .. }]),
            "{out:?}"
        );

        let mut out = Vec::new();
        handle("{not json", &mut |s| out.push(s));
        assert!(out[0].contains("does not understand"), "{out:?}");
    }

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
    }

    #[test]
    fn claims_are_verified_by_the_checker_one_answer_each() {
        let out = run(&Request::Claims {
            job: 4,
            lesson: "once-accessors".into(),
        });
        let lesson = core_sim::lessons::by_id("once-accessors").unwrap();
        assert_eq!(out.len(), lesson.claims.len());
        for (i, (r, claim)) in out.iter().zip(lesson.claims).enumerate() {
            let Response::Claim {
                job: 4,
                index,
                count,
                result,
            } = r
            else {
                panic!("{r:?}")
            };
            assert_eq!((*index, *count), (i, lesson.claims.len()));
            assert_eq!(r.is_final(), i + 1 == lesson.claims.len());
            let direct = claim.verify();
            assert!(result.holds && direct.holds, "{}", result.detail);
            assert_eq!(
                (result.worlds, result.states, &result.detail),
                (direct.worlds, direct.states, &direct.detail)
            );
            assert!(result.states > 0);
        }
        let out = run(&Request::Claims {
            job: 5,
            lesson: "no-such-lesson".into(),
        });
        assert!(
            matches!(&out[..], [Response::Failed { job: 5, error }] if error.contains("unknown lesson 'no-such-lesson'")),
            "{out:?}"
        );
        assert!(verify_claim("lock-fix", 99)
            .unwrap_err()
            .contains("no claim 99"));
    }

    #[test]
    fn matrix_cells_match_direct_checks() {
        let worlds = matrix_worlds(MemoryModel::Tso);
        assert_eq!(
            worlds.len(),
            core_sim::scenario::shipped().len() * PRESETS.len()
        );
        let (s, p, m) = &worlds[3];
        let cell = matrix_cell(3, s, p, *m).unwrap();
        let sim = Sim::from_ids(s, p, "tso").unwrap();
        let r = explore::check(&sim, &CheckOptions::default(), &mut |_| true);
        assert_eq!(cell.states, r.states);
        assert_eq!(cell.verdict, r.verdict().id());
    }
}
