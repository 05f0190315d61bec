//! A thread's number key during a replay: the recorded steps after the position would be lost,
//! so the page asks first. Run the step and discard them, run it and keep the recorded run as a
//! branch to come back to (Restore), or keep replaying. A click on a thread's button is a
//! deliberate choice and does not ask; a key the recorded run takes next does not either.

use super::chrome::Say;
use super::run::Run;
use core_sim::Action;

/// The question on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ask {
    /// The action the key asked for.
    pub action: Action,
    /// The step it would run after.
    pub at: usize,
    /// Recorded steps it would drop.
    pub discards: usize,
}

/// The viewer's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Run the step; the recorded steps after it are dropped.
    Discard,
    /// Run the step; keep the recorded run to come back to.
    Branch,
    /// Do nothing: keep replaying.
    Cancel,
}

impl Run {
    /// A thread's key (see the module doc).
    pub(super) fn key(&mut self, a: Action, guided: bool) -> Option<Say> {
        let s = self.session.as_ref()?;
        let (pos, len) = (s.position(), s.len());
        let next = s.all_records().get(pos).map(|r| r.event.action);
        if guided || pos >= len || next == Some(a) || !s.enabled().contains(&a) {
            self.ask = None;
            return self.apply(super::RunMsg::Act(a), guided);
        }
        self.ask = Some(Ask {
            action: a,
            at: pos,
            discards: len - pos,
        });
        None
    }

    /// The answer to the question on screen.
    pub(super) fn answer(&mut self, answer: Answer, guided: bool) -> Option<Say> {
        let ask = self.ask.take()?;
        match answer {
            Answer::Cancel => None,
            Answer::Discard => self.apply(super::RunMsg::Act(ask.action), guided),
            Answer::Branch => {
                let stash = (self.schedule(), ask.at);
                let say = self.apply(super::RunMsg::Act(ask.action), guided);
                self.stash = Some(stash);
                say
            }
        }
    }

    /// Back to the recorded run the branch left, at the step it left.
    pub(super) fn restore(&mut self) {
        if let Some((schedule, at)) = self.stash.take() {
            self.load(&schedule, "The recorded run");
            self.goto(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::RunMsg;
    use core_sim::Sim;

    fn replaying() -> Run {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let mut r = Run::default();
        r.rebuild(Ok(sim));
        r.load("000000000111111111111222", "test");
        r.goto(9);
        r
    }

    #[test]
    fn a_key_off_the_recorded_run_asks_and_cancel_keeps_it() {
        let mut r = replaying();
        // The recording runs thread 1 next: its key just replays.
        r.apply(RunMsg::Key(Action::Step(1)), false);
        assert_eq!((r.position(), r.ask.clone()), (10, None));
        r.goto(9);
        r.apply(RunMsg::Key(Action::Step(2)), false);
        let ask = r.ask.clone().expect("asks");
        assert_eq!((ask.at, ask.discards), (9, 15));
        assert_eq!(r.position(), 9, "nothing ran yet");
        r.apply(RunMsg::Answer(Answer::Cancel), false);
        assert_eq!(r.ask, None);
        assert_eq!(r.schedule(), "000000000111111111111222");
        // Any other move drops the question.
        r.apply(RunMsg::Key(Action::Step(2)), false);
        r.apply(RunMsg::Next, false);
        assert_eq!((r.ask.clone(), r.position()), (None, 10));
    }

    #[test]
    fn discard_runs_the_step_and_a_branch_can_go_back() {
        let mut r = replaying();
        r.apply(RunMsg::Key(Action::Step(2)), false);
        r.apply(RunMsg::Answer(Answer::Discard), false);
        assert_eq!(r.schedule(), "0000000002");
        assert_eq!(r.stash, None);
        let mut r = replaying();
        r.apply(RunMsg::Key(Action::Step(2)), false);
        r.apply(RunMsg::Answer(Answer::Branch), false);
        assert_eq!(r.schedule(), "0000000002");
        assert_eq!(r.stash, Some(("000000000111111111111222".into(), 9)));
        r.apply(RunMsg::Restore, false);
        assert_eq!(
            (r.schedule().as_str(), r.position(), r.stash.clone()),
            ("000000000111111111111222", 9, None)
        );
        // At the end of the recording a key just steps.
        let mut r = replaying();
        r.goto(24);
        r.apply(RunMsg::Key(Action::Step(2)), false);
        assert_eq!(r.ask, None);
    }
}
