//! A manual session: the user is the scheduler. Step, go back, go forward, replay a schedule.

use super::chooser::Replay;
use super::driver::{drive, Track};
use super::schedule::{Schedule, ScheduleError};
use crate::exec::{self, Action, Event, ExecError};
use crate::machine::Machine;
use crate::oracle::{self, Violation};
use crate::sim::Sim;

/// One step of history.
#[derive(Clone, Debug)]
pub struct Record {
    /// The event.
    pub event: Event,
    /// The machine after it.
    pub after: Machine,
    /// Violations that became true at this step.
    pub violations: Vec<Violation>,
}

/// A run under a person's (or a replayed schedule's) control, with undo.
#[derive(Clone, Debug)]
pub struct Session {
    sim: Sim,
    initial: Machine,
    initial_violations: Vec<Violation>,
    history: Vec<Record>,
    cursor: usize,
}

/// Why a schedule could not be replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The string does not parse.
    #[error(transparent)]
    Parse(#[from] ScheduleError),
    /// An action could not run at its position.
    #[error("schedule step {pos}: {err}")]
    Step {
        /// 0-based position.
        pos: usize,
        /// Why.
        err: ExecError,
    },
}

impl Session {
    /// Start at the scenario's initial state.
    pub fn new(sim: &Sim) -> Session {
        let initial = sim.initial();
        let initial_violations = oracle::check_state(sim, &initial, 0);
        Session {
            sim: sim.clone(),
            initial,
            initial_violations,
            history: Vec::new(),
            cursor: 0,
        }
    }

    /// Replay a schedule string from the start.
    pub fn replay(sim: &Sim, schedule: &str) -> Result<Session, ReplayError> {
        let schedule: Schedule = schedule.parse()?;
        let mut s = Session::new(sim);
        let mut replay = Replay::new(schedule);
        drive(&mut s, &mut replay, usize::MAX).map_err(|e| ReplayError::Step {
            pos: e.pos,
            err: e.err,
        })?;
        if let Some(&a) = replay.rest().first() {
            // The run ended in a final state before the schedule did: say why its next action
            // cannot run.
            let pos = s.position();
            let err = s.step(a).expect_err("nothing runs in a final state");
            return Err(ReplayError::Step { pos, err });
        }
        Ok(s)
    }

    /// The compiled world.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// The current machine.
    pub fn state(&self) -> &Machine {
        self.state_at(self.cursor)
    }

    /// The machine after `n` steps (0: initial), within the recorded history.
    pub fn state_at(&self, n: usize) -> &Machine {
        if n == 0 {
            &self.initial
        } else {
            &self.history[n - 1].after
        }
    }

    /// Steps taken up to the current position.
    pub fn position(&self) -> usize {
        self.cursor
    }

    /// Steps recorded (the position can go forward up to here).
    pub fn len(&self) -> usize {
        self.history.len()
    }

    /// No steps recorded.
    pub fn is_empty(&self) -> bool {
        self.history.is_empty()
    }

    /// The records up to the current position.
    pub fn records(&self) -> &[Record] {
        &self.history[..self.cursor]
    }

    /// Every record, also those after the position (for redo).
    pub fn all_records(&self) -> &[Record] {
        &self.history
    }

    /// Actions that can run now.
    pub fn enabled(&self) -> Vec<Action> {
        exec::enabled(&self.sim, self.state())
    }

    /// Nothing can run.
    pub fn is_terminal(&self) -> bool {
        self.enabled().is_empty()
    }

    /// Run one action; history after the position is dropped unless it is the same action.
    pub fn step(&mut self, a: Action) -> Result<&Event, ExecError> {
        if self.cursor < self.history.len() && self.history[self.cursor].event.action == a {
            self.cursor += 1;
            return Ok(&self.history[self.cursor - 1].event);
        }
        let before = self.state().clone();
        let mut after = before.clone();
        let event = exec::step(&self.sim, &mut after, a)?;
        let n = self.cursor + 1;
        let mut violations = oracle::check_facts(&self.sim, &before, &event.facts, n);
        let was_stale = !oracle::check_state(&self.sim, &before, self.cursor).is_empty();
        if !was_stale {
            violations.extend(oracle::check_state(&self.sim, &after, n));
        }
        self.history.truncate(self.cursor);
        self.history.push(Record {
            event,
            after,
            violations,
        });
        self.cursor = n;
        Ok(&self.history[n - 1].event)
    }

    /// Go back one step. Returns false at the start.
    pub fn back(&mut self) -> bool {
        if self.cursor == 0 {
            return false;
        }
        self.cursor -= 1;
        true
    }

    /// Go forward one recorded step. Returns false at the end of the history.
    pub fn forward(&mut self) -> bool {
        if self.cursor >= self.history.len() {
            return false;
        }
        self.cursor += 1;
        true
    }

    /// Jump to position `n` within the recorded history (clamped).
    pub fn goto(&mut self, n: usize) {
        self.cursor = n.min(self.history.len());
    }

    /// Back to the initial state, dropping the history.
    pub fn reset(&mut self) {
        self.history.clear();
        self.cursor = 0;
    }

    /// The schedule up to the current position.
    pub fn schedule(&self) -> Schedule {
        Schedule(self.records().iter().map(|r| r.event.action).collect())
    }

    /// Every violation up to the current position, plus lost wake-ups and deadlocks if the run
    /// has ended.
    pub fn violations(&self) -> Vec<Violation> {
        let mut out: Vec<Violation> = self.initial_violations.clone();
        out.extend(
            self.records()
                .iter()
                .flat_map(|r| r.violations.iter().cloned()),
        );
        out.extend(oracle::check_terminal(&self.sim, self.state(), self.cursor));
        out
    }
}

/// A driven run records every step.
impl Track for Session {
    fn sim(&self) -> &Sim {
        &self.sim
    }
    fn position(&self) -> usize {
        self.cursor
    }
    fn enabled(&self) -> Vec<Action> {
        Session::enabled(self)
    }
    fn step(&mut self, a: Action) -> Result<(), ExecError> {
        Session::step(self, a).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_back_forward_and_branch() {
        let sim = Sim::from_ids("block-ga-log", "lock-fix", "sc").unwrap();
        let mut s = Session::new(&sim);
        let first = s.enabled()[0];
        s.step(first).unwrap();
        s.step(s.enabled()[0]).unwrap();
        assert_eq!(s.position(), 2);
        assert!(s.back());
        assert_eq!(s.position(), 1);
        assert!(s.forward());
        assert!(!s.forward());
        s.goto(0);
        assert_eq!(s.state(), &sim.initial());
        // Taking another action at the start drops the old future.
        let other = *s.enabled().last().unwrap();
        s.step(other).unwrap();
        assert_eq!(s.len(), if other == first { 2 } else { 1 });
    }

    #[test]
    fn replay_errors_name_the_position() {
        let sim = Sim::from_ids("block-ga-log", "lock-fix", "sc").unwrap();
        let e = Session::replay(&sim, "000000000000000000000000")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("schedule step "), "{e}");
        let e = Session::replay(&sim, "0z").unwrap_err().to_string();
        assert!(e.contains("'z' at position 1"), "{e}");
        let e = Session::replay(&sim, "7").unwrap_err().to_string();
        assert!(e.contains("no thread 7"), "{e}");
    }

    #[test]
    fn a_schedule_longer_than_its_run_fails_at_the_first_extra_action() {
        let sim = Sim::from_ids("block-ga-log", "lock-fix", "sc").unwrap();
        let full = crate::explore::random_run(&sim, 3).schedule().to_string();
        assert!(Session::replay(&sim, &full).unwrap().is_terminal());
        let e = Session::replay(&sim, &format!("{full}0")).unwrap_err();
        assert_eq!(
            e,
            ReplayError::Step {
                pos: full.len(),
                err: ExecError::NotEnabled(Action::Step(0))
            }
        );
    }

    #[test]
    fn runs_to_the_end_and_checks_terminal_oracles() {
        let sim = Sim::from_ids("block-ga-log", "lock-fix", "sc").unwrap();
        let mut s = Session::new(&sim);
        while let Some(a) = s.enabled().first().copied() {
            s.step(a).unwrap();
        }
        assert!(s.is_terminal());
        assert!(s.violations().is_empty(), "{:?}", s.violations());
    }
}
