//! A lesson being played (guided mode): which lesson, and its claims as the check worker
//! verifies them. Its world is the page's world and its schedule the page's run; entering and
//! leaving it are cross-room moves (see `super::AppState`).

use crate::jobs::ClaimResult;
use core_sim::lessons::Lesson;

/// A lesson claim as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum ClaimStatus {
    /// Not checked yet (the worker is on it).
    Pending,
    /// Checked.
    Done(ClaimResult),
    /// The check could not run.
    Failed(String),
}

/// Messages of the lesson being played.
#[derive(Clone, Debug, PartialEq)]
pub enum LessonMsg {
    /// The worker was asked to verify the lesson's claims (job id).
    ClaimsStarted(u64),
    /// One claim verified: job id, claim index, result.
    ClaimDone(u64, usize, ClaimResult),
    /// The worker failed on job `id`: the claims still pending cannot be checked.
    ClaimsFailed(u64, String),
    /// The viewer clicked thread `t` (or pressed its key): the lesson schedules, so its pane
    /// explains how to take over.
    Clicked(usize),
    /// The run moved (→, ←, Play, a step picked): the explanation goes.
    Moved,
}

/// A lesson being played.
#[derive(Clone, Debug, PartialEq)]
pub struct Guided {
    /// The lesson.
    pub lesson: &'static Lesson,
    /// Its claims, as the worker verifies them.
    pub claims: Vec<ClaimStatus>,
    /// The worker job verifying them (`None`: not asked yet).
    pub job: Option<u64>,
    /// The thread the viewer last tried to run, while the lesson drives the run: its pane says
    /// "Take over to schedule yourself".
    pub clicked: Option<usize>,
}

impl Guided {
    /// The lesson, its claims not asked for yet.
    pub fn new(lesson: &'static Lesson) -> Guided {
        Guided {
            lesson,
            claims: vec![ClaimStatus::Pending; lesson.claims.len()],
            job: None,
            clicked: None,
        }
    }

    /// The claims still need a worker job.
    pub fn wants_claims(&self) -> bool {
        self.job.is_none()
    }

    /// Apply one message; only the job asked for the claims counts.
    pub fn apply(&mut self, msg: LessonMsg) {
        match msg {
            LessonMsg::ClaimsStarted(job) => self.job = Some(job),
            LessonMsg::ClaimDone(job, i, result) if self.job == Some(job) => {
                if let Some(c) = self.claims.get_mut(i) {
                    *c = ClaimStatus::Done(result);
                }
            }
            LessonMsg::ClaimsFailed(job, e) if self.job == Some(job) => {
                for c in self.claims.iter_mut() {
                    if *c == ClaimStatus::Pending {
                        *c = ClaimStatus::Failed(e.clone());
                    }
                }
            }
            LessonMsg::ClaimDone(..) | LessonMsg::ClaimsFailed(..) => {}
            LessonMsg::Clicked(t) => self.clicked = Some(t),
            LessonMsg::Moved => self.clicked = None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(holds: bool) -> ClaimResult {
        ClaimResult {
            holds,
            worlds: 1,
            states: 10,
            detail: String::new(),
            ms: 1.0,
        }
    }

    #[test]
    fn only_the_claims_job_counts_and_a_failure_marks_what_is_left() {
        let lesson = core_sim::lessons::by_id("lock-fix").unwrap();
        let mut g = Guided::new(lesson);
        assert_eq!(g.claims, [ClaimStatus::Pending, ClaimStatus::Pending]);
        assert!(g.wants_claims());
        g.apply(LessonMsg::ClaimDone(1, 0, result(true)));
        assert_eq!(g.claims[0], ClaimStatus::Pending, "not asked yet");
        g.apply(LessonMsg::ClaimsStarted(2));
        assert!(!g.wants_claims());
        g.apply(LessonMsg::ClaimDone(1, 0, result(true)));
        g.apply(LessonMsg::ClaimsFailed(1, "stale".into()));
        assert_eq!(g.claims, [ClaimStatus::Pending, ClaimStatus::Pending]);
        g.apply(LessonMsg::ClaimDone(2, 0, result(true)));
        g.apply(LessonMsg::ClaimDone(2, 9, result(true))); // no such claim: ignored
        g.apply(LessonMsg::ClaimsFailed(
            2,
            "the check worker stopped".into(),
        ));
        assert_eq!(
            g.claims,
            [
                ClaimStatus::Done(result(true)),
                ClaimStatus::Failed("the check worker stopped".into())
            ]
        );
    }
}
