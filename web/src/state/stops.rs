//! "What stops it": for the run on screen, the single knob flips whose world never shows one of
//! its violations, asked of the checker worker (`web_protocol::Request::Stops`) as a [`Job`]. The
//! answer is for one run: it is shown only while that run (its whole schedule) is on screen.

use super::job::Job;
use crate::jobs::StopsAnswer;
use std::rc::Rc;

/// What can happen to the question.
#[derive(Clone, Debug, PartialEq)]
pub enum StopsMsg {
    /// Job `.0` asks about the run with schedule `.1`.
    Started(u64, String),
    /// Job `.0` answered.
    Done(u64, Box<StopsAnswer>),
    /// Job `.0` failed.
    Failed(u64, String),
    /// Its worker was stopped (another check took it).
    Cancelled,
}

/// The question and its answer: the job, and the schedule it was asked for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stops {
    /// The worker job.
    pub job: Job<(), Rc<StopsAnswer>>,
    /// The run it is about.
    pub schedule: String,
}

impl Stops {
    /// Apply a message (answers of any other job are ignored).
    pub fn apply(&mut self, m: StopsMsg) {
        match m {
            StopsMsg::Started(id, schedule) => {
                self.job.start(id, ());
                self.schedule = schedule;
            }
            StopsMsg::Done(id, answer) => {
                self.job.done(id, Rc::new(*answer));
            }
            StopsMsg::Failed(id, error) => {
                self.job.fail(id, error);
            }
            StopsMsg::Cancelled => {
                self.job.cancel();
            }
        }
    }

    /// The job's state for the run `schedule` (another run's answer is no answer).
    pub fn for_run(&self, schedule: &str) -> &Job<(), Rc<StopsAnswer>> {
        const IDLE: &Job<(), Rc<StopsAnswer>> = &Job::Idle;
        if self.schedule == schedule {
            &self.job
        } else {
            IDLE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer() -> StopsAnswer {
        StopsAnswer {
            kinds: vec![core_sim::ViolationKind::LostWakeup],
            flips: Vec::new(),
            ms: 1.0,
        }
    }

    #[test]
    fn an_answer_belongs_to_its_job_and_its_run() {
        let mut s = Stops::default();
        s.apply(StopsMsg::Started(3, "0011".into()));
        assert!(s.for_run("0011").is_running());
        assert_eq!(s.for_run("01"), &Job::Idle, "another run");
        s.apply(StopsMsg::Done(2, Box::new(answer())));
        assert!(s.for_run("0011").is_running(), "another job's answer");
        s.apply(StopsMsg::Done(3, Box::new(answer())));
        assert_eq!(s.for_run("0011").result().unwrap().ms, 1.0);
        s.apply(StopsMsg::Started(4, "01".into()));
        s.apply(StopsMsg::Cancelled);
        assert!(matches!(s.for_run("01"), Job::Cancelled { id: 4, .. }));
        s.apply(StopsMsg::Started(5, "01".into()));
        s.apply(StopsMsg::Failed(5, "the worker stopped".into()));
        assert_eq!(s.for_run("01").error(), Some("the worker stopped"));
    }
}
