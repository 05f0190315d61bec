//! The one loop every seeded or replayed run goes through: ask the chooser, step, repeat.
//!
//! Where the steps go is a [`Track`]: a [`super::Session`] records every step with its state and
//! violations (for a person, a link, a counterexample); a [`super::Bare`] keeps only the machine
//! and the violation kinds seen (for batches of random runs and PCT's measuring run).

use super::chooser::Chooser;
use crate::exec::{Action, ExecError};
use crate::sim::Sim;

/// Longest seeded run (every shipped scenario ends far sooner).
pub const MAX_STEPS: usize = 2_000;

/// A run's state as the driver sees it: what can run, and one step at a time.
pub trait Track {
    /// The compiled world.
    fn sim(&self) -> &Sim;
    /// Steps taken so far.
    fn position(&self) -> usize;
    /// Actions that can run now.
    fn enabled(&self) -> Vec<Action>;
    /// Run one action (the state is unchanged on error).
    fn step(&mut self, a: Action) -> Result<(), ExecError>;
}

/// Why a driven run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Nothing can run: a final state.
    Final,
    /// The chooser said stop (a replay at the end of its schedule).
    Stopped,
    /// The step limit was reached with actions still enabled.
    Limit,
}

/// A chosen action could not run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("step {pos}: {err}")]
pub struct StepFailed {
    /// 0-based position of the step.
    pub pos: usize,
    /// Why it could not run.
    pub err: ExecError,
}

/// Run `chooser` on `track` from where it stands until a final state, the chooser stops, or
/// `limit` steps have been taken in all. The chooser is started first.
pub fn drive<T, C>(track: &mut T, chooser: &mut C, limit: usize) -> Result<End, StepFailed>
where
    T: Track + ?Sized,
    C: Chooser + ?Sized,
{
    chooser.start(track.sim());
    while track.position() < limit {
        let enabled = track.enabled();
        if enabled.is_empty() {
            return Ok(End::Final);
        }
        let pos = track.position();
        let Some(a) = chooser.choose(&enabled, pos) else {
            return Ok(End::Stopped);
        };
        track.step(a).map_err(|err| StepFailed { pos, err })?;
    }
    Ok(End::Limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::{Bare, Replay, Session, Uniform};

    #[test]
    fn drive_ends_for_each_reason() {
        let sim = Sim::from_ids("block-ga-log", "lock-fix", "sc").unwrap();
        let mut s = Session::new(&sim);
        assert_eq!(drive(&mut s, &mut Uniform::new(1), 3), Ok(End::Limit));
        assert_eq!(s.position(), 3);
        // From where the session stands, to the end.
        assert_eq!(drive(&mut s, &mut Uniform::new(1), 2_000), Ok(End::Final));
        assert!(s.is_terminal());
        let mut b = Bare::new(&sim);
        let mut r = Replay::new("01".parse().unwrap());
        assert_eq!(drive(&mut b, &mut r, 2_000), Ok(End::Stopped));
        assert_eq!(b.position(), 2);
    }

    #[test]
    fn an_action_that_cannot_run_is_reported_with_its_position() {
        let sim = Sim::from_ids("block-ga-log", "lock-fix", "sc").unwrap();
        let mut b = Bare::new(&sim);
        let e = drive(&mut b, &mut Replay::new("07".parse().unwrap()), 2_000).unwrap_err();
        assert_eq!(e.pos, 1);
        assert_eq!(e.err, ExecError::NoThread(7));
        assert_eq!(b.position(), 1);
    }
}
