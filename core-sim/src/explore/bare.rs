//! A run without history: the machine, and which violation kinds it hit. Batches of random runs
//! need no per-step record, and judge each step with exactly the oracles a [`super::Session`] uses,
//! so a seed hits the same kinds here as in a recorded replay of it.

use super::driver::Track;
use crate::exec::{self, Action, ExecError};
use crate::machine::Machine;
use crate::oracle::{self, Violation, ViolationKind};
use crate::sim::Sim;
use std::collections::BTreeSet;

/// A bare run: the current machine and the kinds of violation seen so far (or none, unjudged).
#[derive(Clone, Debug)]
pub struct Bare<'a> {
    sim: &'a Sim,
    state: Machine,
    steps: usize,
    /// `None`: the oracles are not consulted (PCT's measuring run).
    judged: Option<Judged>,
}

/// What the oracles said so far.
#[derive(Clone, Debug, Default)]
struct Judged {
    kinds: BTreeSet<ViolationKind>,
    /// The current state shows a stale IRTE (as in a session, a stale state's successor is not
    /// judged again for staleness until the staleness is gone).
    stale: bool,
}

impl Judged {
    fn add(&mut self, vs: &[Violation]) {
        self.kinds.extend(vs.iter().map(|v| v.kind));
    }
}

impl<'a> Bare<'a> {
    /// At the initial state, judged by the scenario's oracles.
    pub fn new(sim: &'a Sim) -> Bare<'a> {
        let state = sim.initial();
        let initial = oracle::check_state(sim, &state, 0);
        let mut judged = Judged {
            stale: !initial.is_empty(),
            ..Judged::default()
        };
        judged.add(&initial);
        Bare {
            sim,
            state,
            steps: 0,
            judged: Some(judged),
        }
    }

    /// At the initial state, with no oracle consulted (only the steps matter).
    pub fn unjudged(sim: &'a Sim) -> Bare<'a> {
        Bare {
            sim,
            state: sim.initial(),
            steps: 0,
            judged: None,
        }
    }

    /// The current machine.
    pub fn state(&self) -> &Machine {
        &self.state
    }

    /// Steps taken.
    pub fn position(&self) -> usize {
        self.steps
    }

    /// The kinds of violation this run hit, with lost wake-ups and deadlocks if it has ended:
    /// the kinds of [`super::Session::violations`] for the same steps. Empty when unjudged.
    pub fn kinds(&self) -> BTreeSet<ViolationKind> {
        let Some(j) = &self.judged else {
            return BTreeSet::new();
        };
        let mut kinds = j.kinds.clone();
        let end = oracle::check_terminal(self.sim, &self.state, self.steps);
        kinds.extend(end.iter().map(|v| v.kind));
        kinds
    }
}

impl Track for Bare<'_> {
    fn sim(&self) -> &Sim {
        self.sim
    }

    fn position(&self) -> usize {
        Bare::position(self)
    }

    fn enabled(&self) -> Vec<Action> {
        exec::enabled(self.sim, &self.state)
    }

    fn step(&mut self, a: Action) -> Result<(), ExecError> {
        let Some(j) = self.judged.as_mut() else {
            exec::step(self.sim, &mut self.state, a)?;
            self.steps += 1;
            return Ok(());
        };
        let before = self.state.clone();
        let event = exec::step(self.sim, &mut self.state, a)?;
        self.steps += 1;
        j.add(&oracle::check_facts(
            self.sim,
            &before,
            &event.facts,
            self.steps,
        ));
        let now = oracle::check_state(self.sim, &self.state, self.steps);
        if !j.stale {
            j.add(&now);
        }
        j.stale = !now.is_empty();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::{drive, Session, Uniform};

    #[test]
    fn a_bare_run_hits_the_kinds_its_recorded_replay_shows() {
        for (scenario, strategy, memory) in [
            ("put-block-vs-affinity", "naive-update", "sc"),
            ("retarget-vs-old-owner", "linux-6.6", "tso"),
            ("ipi-during-load", "lock-fix-plain-write", "sc"),
            ("lock-order-affinity", "linux-6.17", "tso"),
        ] {
            let sim = Sim::from_ids(scenario, strategy, memory).unwrap();
            for seed in 0..40 {
                let mut b = Bare::new(&sim);
                drive(&mut b, &mut Uniform::new(seed), 2_000).unwrap();
                let mut s = Session::new(&sim);
                drive(&mut s, &mut Uniform::new(seed), 2_000).unwrap();
                let want: BTreeSet<_> = s.violations().iter().map(|v| v.kind).collect();
                assert_eq!(
                    b.kinds(),
                    want,
                    "{scenario} {strategy} {memory} seed {seed}"
                );
                assert_eq!(b.state(), s.state());
                assert_eq!(b.position(), s.position());
            }
        }
    }

    #[test]
    fn an_unjudged_run_takes_the_same_steps_and_reports_nothing() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let mut a = Bare::new(&sim);
        let mut b = Bare::unjudged(&sim);
        drive(&mut a, &mut Uniform::new(14), 2_000).unwrap();
        drive(&mut b, &mut Uniform::new(14), 2_000).unwrap();
        assert_eq!(a.state(), b.state());
        assert!(!a.kinds().is_empty(), "seed 14 hits a stale IRTE");
        assert!(b.kinds().is_empty());
    }
}
