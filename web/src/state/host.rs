//! The Host evidence view's room: which bundle is being opened, and what its worker answered,
//! on the generic job life cycle ([`Job`]): each open is a new job, Cancel stops it, and an
//! answer for any job but the running one (an older bundle's, a cancelled one's) is ignored, so
//! it can never overwrite the bundle chosen last.

use super::job::Job;
use core_sim::share::bundle::Table;
use std::rc::Rc;
use yew::Reducible;

/// What the view shows: the job reports the file's name while it runs.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct HostState {
    /// Reading and checking a bundle (its shown name), then its table.
    pub job: Job<String, Rc<Table>>,
    /// The last job id given out.
    last: u64,
}

/// What happens to the Host view.
#[derive(Clone, Debug, PartialEq)]
pub enum HostMsg {
    /// A bundle (its shown name) is being opened as job `id`: any earlier open is forgotten.
    Open(u64, String),
    /// A file refused before it was read (too big): no job runs.
    Refused(String),
    /// Job `id`'s worker answered with the table.
    Done(u64, Rc<Table>),
    /// Job `id` failed, in words.
    Failed(u64, String),
    /// The user cancelled the open.
    Cancel,
}

impl HostState {
    /// A fresh job id (ids only grow, so an older job's answer never matches a newer job).
    pub fn next_id(&mut self) -> u64 {
        self.last += 1;
        self.last
    }

    /// Whether job `id` is the one running (its answers count).
    pub fn is_current(&self, id: u64) -> bool {
        self.job.is_current(id)
    }

    /// Apply one message.
    pub fn apply(&mut self, m: HostMsg) {
        match m {
            HostMsg::Open(id, name) => {
                self.last = self.last.max(id);
                self.job.start(id, name);
            }
            HostMsg::Refused(error) => {
                // A failed job no later answer can match.
                self.last += 1;
                self.job.start(self.last, String::new());
                self.job.fail(self.last, error);
            }
            HostMsg::Done(id, table) => {
                self.job.done(id, table);
            }
            HostMsg::Failed(id, error) => {
                self.job.fail(id, error);
            }
            HostMsg::Cancel => {
                self.job.cancel();
            }
        }
    }
}

impl Reducible for HostState {
    type Action = HostMsg;

    fn reduce(self: Rc<Self>, action: HostMsg) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(title: &str) -> Rc<Table> {
        Rc::new(Table {
            title: title.into(),
            statement: String::new(),
            can_exercise_race: false,
            host: Vec::new(),
            verdicts: String::new(),
            columns: Vec::new(),
            rows: Vec::new(),
        })
    }

    #[test]
    fn an_older_bundles_answer_arriving_after_a_newer_open_is_ignored() {
        let mut s = HostState::default();
        let a = s.next_id();
        s.apply(HostMsg::Open(a, "a.json".into()));
        let b = s.next_id();
        s.apply(HostMsg::Open(b, "b.json".into()));
        assert!(!s.is_current(a) && s.is_current(b));
        s.apply(HostMsg::Done(a, table("A")));
        assert_eq!(
            s.job,
            Job::Running {
                id: b,
                progress: "b.json".into()
            },
            "a's late answer does not replace b's open"
        );
        s.apply(HostMsg::Failed(a, "late".into()));
        assert!(s.job.is_running());
        s.apply(HostMsg::Done(b, table("B")));
        assert_eq!(s.job.result().unwrap().title, "B");
        s.apply(HostMsg::Done(a, table("A")));
        assert_eq!(s.job.result().unwrap().title, "B", "still b's table");
    }

    #[test]
    fn cancel_stops_the_open_and_its_answer_is_ignored() {
        let mut s = HostState::default();
        let a = s.next_id();
        s.apply(HostMsg::Open(a, "big.json".into()));
        s.apply(HostMsg::Cancel);
        assert_eq!(
            s.job,
            Job::Cancelled {
                id: a,
                progress: "big.json".into()
            }
        );
        s.apply(HostMsg::Done(a, table("A")));
        assert!(s.job.result().is_none(), "a cancelled open shows nothing");
        // A refusal before reading is a failure no answer can overwrite.
        s.apply(HostMsg::Refused("too big".into()));
        assert_eq!(s.job.error(), Some("too big"));
        s.apply(HostMsg::Done(a, table("A")));
        assert_eq!(s.job.error(), Some("too big"));
        assert!(s.next_id() > a + 1);
    }
}
