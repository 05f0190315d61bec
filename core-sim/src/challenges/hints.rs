//! The hint ladder: the checker's shortest counterexample for a challenge's goal, told as
//! "run this thread next, because it does this", revealed a rung at a time.

use crate::exec::Action;
use crate::explore::{Counterexample, Session};
use crate::sim::Sim;

/// Rungs on every ladder: the last one reveals the whole counterexample.
pub const LEVELS: usize = 4;

/// One step of the counterexample, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HintStep {
    /// The action to take.
    pub action: Action,
    /// The thread's display name.
    pub thread: String,
    /// "Run X next: …, because …".
    pub text: String,
}

/// A challenge's hints: its counterexample's steps, and how many rung `k` reveals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ladder {
    /// Every step of the counterexample, in order.
    pub steps: Vec<HintStep>,
}

impl Ladder {
    /// Tells each step of `cx` (a counterexample found in `sim`) in words. `None` if it does not
    /// replay in `sim`.
    pub fn new(sim: &Sim, cx: &Counterexample) -> Option<Ladder> {
        let session = Session::replay(sim, &cx.schedule.to_string()).ok()?;
        let steps = session
            .records()
            .iter()
            .map(|r| {
                let t = r.event.action.thread();
                let thread = sim.thread_name(t).to_string();
                let what = match r.event.action {
                    Action::Step(_) => {
                        format!("{} in {}: {}", r.event.label, r.event.func, r.event.code)
                    }
                    Action::Flush(_) => "commit its oldest buffered store to memory".to_string(),
                };
                let why: Vec<String> = r
                    .event
                    .facts
                    .iter()
                    .filter_map(|f| f.describe(t, sim))
                    .collect();
                let text = if why.is_empty() {
                    format!("Run {thread} next: {what}.")
                } else {
                    format!(
                        "Run {thread} next: {what}. It leads to: {}.",
                        why.join("; ")
                    )
                };
                HintStep {
                    action: r.event.action,
                    thread,
                    text,
                }
            })
            .collect();
        Some(Ladder { steps })
    }

    /// Steps revealed by rung `k` (0: none; [`LEVELS`] or more: all): the first
    /// ceil(k·n/LEVELS) of the n steps.
    pub fn revealed(&self, k: usize) -> &[HintStep] {
        let n = self.steps.len();
        let k = k.min(LEVELS);
        &self.steps[..(k * n).div_ceil(LEVELS)]
    }
}
