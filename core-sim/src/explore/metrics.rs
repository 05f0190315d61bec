//! A decorator that wraps any [`Chooser`] and counts what its runs looked like: steps, decision
//! points, preemptions and (for PCT) the priority change points that actually fired.

use super::chooser::Chooser;
use crate::exec::Action;
use crate::sim::Sim;

/// What one run (or a sum of runs) looked like to the chooser.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunMetrics {
    /// Steps chosen.
    pub steps: usize,
    /// Steps where more than one action (thread step or store-buffer flush) was enabled: the
    /// only places where a chooser has a choice.
    pub decisions: usize,
    /// Steps that switched away from the previous step's action while it was still enabled.
    pub preemptions: usize,
    /// Priority change points that fired (PCT; 0 for other choosers).
    pub changes_fired: usize,
}

impl RunMetrics {
    fn add(&mut self, o: &RunMetrics) {
        self.steps += o.steps;
        self.decisions += o.decisions;
        self.preemptions += o.preemptions;
        self.changes_fired += o.changes_fired;
    }
}

/// Wraps a chooser and measures its runs; it chooses exactly what the inner chooser chooses.
#[derive(Clone, Debug, Default)]
pub struct Metrics<C> {
    /// The chooser measured.
    pub inner: C,
    /// The run under way (or the last one).
    pub run: RunMetrics,
    /// Every finished run before it, summed.
    pub total: RunMetrics,
    /// Runs started.
    pub runs: u64,
    last: Option<Action>,
}

impl<C: Chooser> Metrics<C> {
    /// Measure `inner`.
    pub fn new(inner: C) -> Metrics<C> {
        Metrics {
            inner,
            run: RunMetrics::default(),
            total: RunMetrics::default(),
            runs: 0,
            last: None,
        }
    }

    /// Every run so far summed, the current one included.
    pub fn sum(&self) -> RunMetrics {
        let mut s = self.total;
        s.add(&self.run);
        s
    }
}

impl<C: Chooser> Chooser for Metrics<C> {
    fn start(&mut self, sim: &Sim) {
        let run = std::mem::take(&mut self.run);
        self.total.add(&run);
        self.runs += 1;
        self.last = None;
        self.inner.start(sim);
    }

    fn choose(&mut self, enabled: &[Action], step: usize) -> Option<Action> {
        let a = self.inner.choose(enabled, step)?;
        self.run.steps += 1;
        if enabled.len() > 1 {
            self.run.decisions += 1;
        }
        if self.last.is_some_and(|l| l != a && enabled.contains(&l)) {
            self.run.preemptions += 1;
        }
        self.last = Some(a);
        self.run.changes_fired = self.inner.changes_fired();
        Some(a)
    }

    fn changes_fired(&self) -> usize {
        self.inner.changes_fired()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::{drive, Bare, Replay, Uniform};

    #[test]
    fn counts_steps_decisions_and_preemptions() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        // Thread 0 to its end, then 1, then 2: it switches only when a thread cannot go on.
        let serial = "000000000111111111111222";
        let mut m = Metrics::new(Replay::new(serial.parse().unwrap()));
        drive(&mut Bare::new(&sim), &mut m, 2_000).unwrap();
        assert_eq!(m.run.steps, serial.len());
        assert_eq!(m.run.preemptions, 0);
        assert_eq!(m.run.changes_fired, 0);
        assert!(m.run.decisions > 0 && m.run.decisions < serial.len());
        // One step of thread 1 first, then back to 0 while 1 could still run: one preemption.
        let mut m = Metrics::new(Replay::new("100000000011111111111222".parse().unwrap()));
        drive(&mut Bare::new(&sim), &mut m, 2_000).unwrap();
        assert_eq!(m.run.steps, serial.len());
        assert_eq!(m.run.preemptions, 1, "{:?}", m.run);
    }

    #[test]
    fn sums_over_runs() {
        let sim = Sim::from_ids("block-ga-log", "lock-fix", "sc").unwrap();
        let mut m = Metrics::new(Uniform::new(9));
        let mut steps = 0;
        for _ in 0..5 {
            let mut b = Bare::new(&sim);
            drive(&mut b, &mut m, 2_000).unwrap();
            steps += b.position();
        }
        assert_eq!(m.runs, 5);
        assert_eq!(m.sum().steps, steps);
    }
}
