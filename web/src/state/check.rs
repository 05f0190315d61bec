//! "Find a race": the explorer's exhaustive check of the world on screen, as a [`Job`] whose
//! progress is the search's and whose result is a [`CheckSummary`].

use super::job::Job;
use crate::jobs::{self, Cex, MatrixCell};
use core_sim::analysis::Coverage;
use core_sim::explore::{CheckReport, Outcome, Progress, Verdict};
use std::rc::Rc;

/// What an exhaustive check found (from the explorer's own check or a matrix cell).
#[derive(Clone, Debug, PartialEq)]
pub struct CheckSummary {
    /// Safe, violation or bounded.
    pub verdict: Verdict,
    /// How the search ended.
    pub outcome: Outcome,
    /// Distinct states.
    pub states: usize,
    /// Transitions.
    pub transitions: usize,
    /// Counterexamples, most severe first.
    pub cexes: Vec<Cex>,
    /// Most kick IPIs in any state.
    pub max_kick_ipis: u8,
    /// Milliseconds the search took.
    pub ms: f64,
    /// Which lines run, and which every counterexample of a kind runs (the explorer's own
    /// check of a small enough world; not a matrix cell's).
    pub coverage: Option<Rc<Coverage>>,
}

impl CheckSummary {
    /// From a full report.
    pub fn from_report(r: &CheckReport, ms: f64, coverage: Option<Rc<Coverage>>) -> CheckSummary {
        CheckSummary {
            verdict: r.verdict(),
            outcome: r.outcome,
            states: r.states,
            transitions: r.transitions,
            cexes: jobs::cexes(r),
            max_kick_ipis: r.max_kick_ipis,
            ms,
            coverage,
        }
    }

    /// From a matrix cell.
    pub fn from_cell(c: &MatrixCell) -> CheckSummary {
        let verdict = match c.verdict.as_str() {
            "safe" => Verdict::Safe,
            "violation" => Verdict::Violation,
            _ => Verdict::Bounded,
        };
        CheckSummary {
            verdict,
            outcome: if verdict == Verdict::Bounded {
                Outcome::StateLimit
            } else {
                Outcome::Complete
            },
            states: c.states,
            transitions: c.transitions,
            cexes: c.counterexamples.clone(),
            max_kick_ipis: 0,
            ms: c.ms,
            coverage: None,
        }
    }

    /// The schedule of the worst violation's shortest run, if any.
    pub fn worst_schedule(&self) -> Option<String> {
        self.cexes.first().map(|c| c.schedule.clone())
    }
}

/// The "Find a race" panel: idle, searching, found, cancelled or failed.
pub type CheckState = Job<Progress, CheckSummary>;

/// Messages of the check.
#[derive(Clone, Debug, PartialEq)]
pub enum CheckMsg {
    /// A check was sent to a worker.
    Started(u64),
    /// A worker's progress.
    Progress(u64, Progress),
    /// A worker's report (boxed: it is large), the milliseconds it took and its line coverage.
    Done(u64, Box<CheckReport>, f64, Option<Rc<Coverage>>),
    /// A worker failed.
    Failed(u64, String),
    /// The user cancelled the check.
    Cancelled,
}

impl CheckState {
    /// Apply one message. Returns the schedule the run should load: the worst violation's
    /// shortest run, when the running check finishes with one.
    pub fn apply(&mut self, msg: CheckMsg) -> Option<String> {
        match msg {
            CheckMsg::Started(id) => self.start(id, Progress::default()),
            CheckMsg::Progress(id, p) => {
                self.progress(id, p);
            }
            CheckMsg::Done(id, report, ms, coverage) => {
                let summary = CheckSummary::from_report(&report, ms, coverage);
                let worst = summary.worst_schedule();
                if self.done(id, summary) {
                    return worst;
                }
            }
            CheckMsg::Failed(id, e) => {
                self.fail(id, e);
            }
            CheckMsg::Cancelled => {
                self.cancel();
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_sim::explore::{self, CheckOptions};
    use core_sim::{Sim, ViolationKind};

    fn report(strategy: &str) -> Box<CheckReport> {
        let sim = Sim::from_ids("put-block-vs-affinity", strategy, "sc").unwrap();
        Box::new(explore::check(&sim, &CheckOptions::default(), &mut |_| {
            true
        }))
    }

    #[test]
    fn a_finished_check_hands_the_worst_run_to_load() {
        let mut c = CheckState::default();
        assert_eq!(
            c.apply(CheckMsg::Done(1, report("naive-update"), 2.0, None)),
            None
        );
        assert_eq!(c, Job::Idle, "no check was asked for");
        c.apply(CheckMsg::Started(2));
        let p = Progress {
            states: 10,
            ..Progress::default()
        };
        c.apply(CheckMsg::Progress(2, p));
        assert_eq!(c, Job::Running { id: 2, progress: p });
        let worst = c.apply(CheckMsg::Done(2, report("naive-update"), 2.0, None));
        let sum = c.result().unwrap();
        assert_eq!(sum.verdict, Verdict::Violation);
        assert_eq!(sum.cexes[0].kind, ViolationKind::LostWakeup);
        assert_eq!(worst, Some(sum.cexes[0].schedule.clone()));
    }

    #[test]
    fn a_safe_world_loads_nothing_and_failures_and_cancels_end_the_job() {
        let mut c = CheckState::default();
        c.apply(CheckMsg::Started(1));
        assert_eq!(
            c.apply(CheckMsg::Done(1, report("linux-6.17"), 1.0, None)),
            None
        );
        assert_eq!(c.result().unwrap().verdict, Verdict::Safe);
        c.apply(CheckMsg::Started(2));
        c.apply(CheckMsg::Failed(1, "stale".into()));
        assert!(c.is_running());
        c.apply(CheckMsg::Failed(2, "the check worker stopped".into()));
        assert_eq!(c.error(), Some("the check worker stopped"));
        c.apply(CheckMsg::Started(3));
        c.apply(CheckMsg::Cancelled);
        assert_eq!(
            c,
            Job::Cancelled {
                id: 3,
                progress: Progress::default()
            }
        );
    }
}
