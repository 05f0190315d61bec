//! Analyses a reviewer asks of a counterexample beyond the trace itself: `preemptions`, the
//! fewest preemptions a schedule needs to hit each violation kind (iterative context bounding);
//! `coverage`, the pseudo-code lines no schedule runs and those every counterexample of a kind runs;
//! `diff`, one schedule replayed in another world (strategy, version, memory model) and aligned
//! step by step with its own run, and the single knob flips that stop its violation.

pub mod coverage;
pub mod diff;
pub mod preemptions;

pub use coverage::{coverage, Coverage, TooManyStates};
pub use diff::{diff, diff_sims, what_stops, Diff, DiffError, WhatStops};
pub use preemptions::{count_preemptions, fewest_preemptions, Bounded, PreemptionBound};
