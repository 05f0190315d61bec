//! One life cycle for the work the page hands to Web Workers (the explorer's check, the matrix):
//! started, progress, done, failed, cancelled. Only the running job's messages count: an answer
//! carrying any other id is for a world or a run no longer on screen, and is ignored.

/// A job's phase. `P` is what a running job has reported so far, `R` its result.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Job<P, R> {
    /// Nothing asked yet (or the world changed since).
    #[default]
    Idle,
    /// A worker is on it.
    Running {
        /// Job id.
        id: u64,
        /// The last progress report.
        progress: P,
    },
    /// Finished.
    Done {
        /// Job id (0: a result that came from elsewhere, e.g. a matrix cell).
        id: u64,
        /// What it found.
        result: R,
    },
    /// The worker failed.
    Failed {
        /// Job id.
        id: u64,
        /// Why, in words.
        error: String,
    },
    /// The user cancelled it.
    Cancelled {
        /// Job id.
        id: u64,
        /// What it had reported by then.
        progress: P,
    },
}

impl<P, R> Job<P, R> {
    /// Job `id` was sent to a worker, with nothing reported yet; any earlier job is forgotten.
    pub fn start(&mut self, id: u64, progress: P) {
        *self = Job::Running { id, progress };
    }

    /// The running job's id, if a job is running.
    pub fn running(&self) -> Option<u64> {
        match self {
            Job::Running { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// A job is running.
    pub fn is_running(&self) -> bool {
        self.running().is_some()
    }

    /// Job `id` is the one running (its messages count).
    pub fn is_current(&self, id: u64) -> bool {
        self.running() == Some(id)
    }

    /// Job `id` reported progress; `false` (and nothing changes) if it is not the running job.
    pub fn progress(&mut self, id: u64, progress: P) -> bool {
        let current = self.is_current(id);
        if current {
            *self = Job::Running { id, progress };
        }
        current
    }

    /// Job `id` finished with `result`; `false` (and nothing changes) if it is not the running job.
    pub fn done(&mut self, id: u64, result: R) -> bool {
        let current = self.is_current(id);
        if current {
            *self = Job::Done { id, result };
        }
        current
    }

    /// Job `id` failed; `false` (and nothing changes) if it is not the running job.
    pub fn fail(&mut self, id: u64, error: String) -> bool {
        let current = self.is_current(id);
        if current {
            *self = Job::Failed { id, error };
        }
        current
    }

    /// The user cancelled the running job; `false` if none was running.
    pub fn cancel(&mut self) -> bool {
        match std::mem::replace(self, Job::Idle) {
            Job::Running { id, progress } => {
                *self = Job::Cancelled { id, progress };
                true
            }
            other => {
                *self = other;
                false
            }
        }
    }

    /// The result, once done.
    pub fn result(&self) -> Option<&R> {
        match self {
            Job::Done { result, .. } => Some(result),
            _ => None,
        }
    }

    /// Why it failed, if it did.
    pub fn error(&self) -> Option<&str> {
        match self {
            Job::Failed { error, .. } => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type J = Job<u32, &'static str>;

    #[test]
    fn a_job_runs_reports_and_finishes() {
        let mut j = J::default();
        assert_eq!((j.running(), j.result()), (None, None));
        j.start(3, 0);
        assert!(j.is_running() && j.is_current(3) && !j.is_current(2));
        assert!(j.progress(3, 10));
        assert_eq!(
            j,
            Job::Running {
                id: 3,
                progress: 10
            }
        );
        assert!(j.done(3, "found"));
        assert_eq!(j.result(), Some(&"found"));
        assert!(!j.is_running());
        assert!(!j.progress(3, 11), "a finished job takes no more progress");
        assert!(!j.fail(3, "late".into()));
        assert_eq!(j.result(), Some(&"found"));
    }

    #[test]
    fn messages_of_another_job_are_ignored() {
        let mut j = J::default();
        assert!(!j.progress(1, 5), "nothing runs yet");
        assert!(!j.done(1, "x"));
        assert_eq!(j, Job::Idle);
        j.start(1, 0);
        j.start(2, 0); // a new job replaces the first
        assert!(!j.progress(1, 5));
        assert!(!j.done(1, "stale"));
        assert!(!j.fail(1, "stale".into()));
        assert_eq!(j, Job::Running { id: 2, progress: 0 });
        assert!(j.fail(2, "the worker stopped".into()));
        assert_eq!(j.error(), Some("the worker stopped"));
        assert!(!j.done(2, "after the failure"));
    }

    #[test]
    fn cancelling_keeps_the_progress_and_only_stops_a_running_job() {
        let mut j = J::default();
        assert!(!j.cancel());
        assert_eq!(j, Job::Idle);
        j.start(4, 0);
        j.progress(4, 7);
        assert!(j.cancel());
        assert_eq!(j, Job::Cancelled { id: 4, progress: 7 });
        assert!(
            !j.done(4, "too late"),
            "a cancelled job's answer is ignored"
        );
        assert!(!j.cancel());
        j.start(5, 0);
        j.done(5, "ok");
        assert!(!j.cancel(), "a finished job stays finished");
        assert_eq!(j.result(), Some(&"ok"));
    }
}
