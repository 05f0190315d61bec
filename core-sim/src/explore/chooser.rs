//! Who picks the next step of a run: one small trait, and the choosers that need no search
//! (uniform random, replay, replay-then-continue). PCT is in [`super::pct`], the metrics
//! decorator in [`super::metrics`]; [`super::driver::drive`] runs any of them.

use super::schedule::Schedule;
use crate::exec::Action;
use crate::sim::Sim;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Picks the next action of a run, one step at a time.
///
/// The driver ([`super::drive`]) calls [`Chooser::start`] once before each run, then
/// [`Chooser::choose`] at every state where some action is enabled, until the chooser returns
/// `None` (stop here), nothing can run (a final state) or the step limit is reached. A chooser sees
/// the enabled actions and the step index, never the machine, so the same chooser drives a
/// recorded [`super::Session`] and a bare batch run ([`super::Bare`]) alike.
///
/// Guarantees the driver gives: `enabled` is never empty and is in [`crate::exec::enabled`]'s
/// order (steps in thread order, then flushes); `step` is the number of steps already taken in the
/// run (0 at the initial state). A chooser that picks from `enabled` never makes the run fail; one
/// that replays may name an action that cannot run, and the driver reports it with its position.
pub trait Chooser {
    /// A run of `sim` is about to start (from its initial state, or from where a session stands).
    fn start(&mut self, _sim: &Sim) {}

    /// The action for step `step`, or `None` to end the run here.
    fn choose(&mut self, enabled: &[Action], step: usize) -> Option<Action>;

    /// Priority change points that fired so far in this run (PCT); 0 for choosers without any.
    fn changes_fired(&self) -> usize {
        0
    }
}

impl<C: Chooser + ?Sized> Chooser for &mut C {
    fn start(&mut self, sim: &Sim) {
        (**self).start(sim)
    }
    fn choose(&mut self, enabled: &[Action], step: usize) -> Option<Action> {
        (**self).choose(enabled, step)
    }
    fn changes_fired(&self) -> usize {
        (**self).changes_fired()
    }
}

impl<C: Chooser + ?Sized> Chooser for Box<C> {
    fn start(&mut self, sim: &Sim) {
        (**self).start(sim)
    }
    fn choose(&mut self, enabled: &[Action], step: usize) -> Option<Action> {
        (**self).choose(enabled, step)
    }
    fn changes_fired(&self) -> usize {
        (**self).changes_fired()
    }
}

/// Uniform among the enabled actions, from a seed. ChaCha8 keeps a seed's run the same on every
/// platform (native and wasm32); it draws once per step, also when only one action is enabled,
/// so a seed gives the run it always gave (share links and the CLI's "first seed" rely on it).
#[derive(Clone, Debug)]
pub struct Uniform {
    rng: ChaCha8Rng,
}

impl Uniform {
    /// A uniform chooser seeded with `seed`.
    pub fn new(seed: u64) -> Uniform {
        Uniform {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }
}

impl Chooser for Uniform {
    fn choose(&mut self, enabled: &[Action], _step: usize) -> Option<Action> {
        // u32, not usize: rand samples a usize range differently on 32-bit targets (wasm32).
        Some(enabled[self.rng.gen_range(0..enabled.len() as u32) as usize])
    }
}

/// Replays a schedule, one action per step, then stops.
#[derive(Clone, Debug)]
pub struct Replay {
    schedule: Schedule,
    next: usize,
}

impl Replay {
    /// Replay `schedule` from its first action.
    pub fn new(schedule: Schedule) -> Replay {
        Replay { schedule, next: 0 }
    }

    /// The actions not replayed yet.
    pub fn rest(&self) -> &[Action] {
        &self.schedule.0[self.next..]
    }
}

impl Chooser for Replay {
    fn choose(&mut self, _enabled: &[Action], _step: usize) -> Option<Action> {
        let a = self.schedule.0.get(self.next).copied()?;
        self.next += 1;
        Some(a)
    }
}

/// Replays a prefix, then lets another chooser continue the run (for instance: a counterexample's
/// first steps, then uniform random). The continuing chooser is started with the run, so a PCT
/// continuation measures its run from the start, prefix included.
#[derive(Clone, Debug)]
pub struct ReplayThen<C> {
    /// The prefix still to replay.
    pub prefix: Replay,
    /// Who chooses after it.
    pub then: C,
}

impl<C: Chooser> ReplayThen<C> {
    /// Replay `prefix`, then continue with `then`.
    pub fn new(prefix: Schedule, then: C) -> ReplayThen<C> {
        ReplayThen {
            prefix: Replay::new(prefix),
            then,
        }
    }
}

impl<C: Chooser> Chooser for ReplayThen<C> {
    fn start(&mut self, sim: &Sim) {
        self.then.start(sim)
    }
    fn choose(&mut self, enabled: &[Action], step: usize) -> Option<Action> {
        match self.prefix.choose(enabled, step) {
            Some(a) => Some(a),
            None => self.then.choose(enabled, step),
        }
    }
    fn changes_fired(&self) -> usize {
        self.then.changes_fired()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::{drive, Session};

    #[test]
    fn uniform_picks_only_enabled_actions_and_repeats_per_seed() {
        let en = [Action::Step(0), Action::Step(2), Action::Flush(1)];
        let picks = |seed| {
            let mut u = Uniform::new(seed);
            (0..50)
                .map(|i| u.choose(&en, i).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(picks(3), picks(3));
        assert_ne!(picks(3), picks(4));
        assert!(picks(3).iter().all(|a| en.contains(a)));
        // Every enabled action is picked now and then.
        assert!(en.iter().all(|a| picks(3).contains(a)));
    }

    #[test]
    fn replay_stops_at_the_end_of_its_schedule() {
        let mut r = Replay::new("01a".parse().unwrap());
        let en = [Action::Step(0)];
        assert_eq!(r.choose(&en, 0), Some(Action::Step(0)));
        assert_eq!(r.rest(), &[Action::Step(1), Action::Flush(0)]);
        assert_eq!(r.choose(&en, 1), Some(Action::Step(1)));
        assert_eq!(r.choose(&en, 2), Some(Action::Flush(0)));
        assert_eq!(r.choose(&en, 3), None);
        assert!(r.rest().is_empty());
    }

    #[test]
    fn replay_then_continue_keeps_the_prefix_and_runs_to_the_end() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let prefix: Schedule = "000000000".parse().unwrap();
        for seed in 0..20 {
            let mut s = Session::new(&sim);
            let mut c = ReplayThen::new(prefix.clone(), Uniform::new(seed));
            drive(&mut s, &mut c, 2_000).unwrap();
            assert!(s.is_terminal());
            let run = s.schedule().to_string();
            assert!(run.starts_with("000000000"), "{run}");
            assert!(run.len() > 9);
        }
    }
}
