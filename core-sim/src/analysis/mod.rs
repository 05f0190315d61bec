//! Analyses a reviewer asks of a counterexample beyond the trace itself: `preemptions`, the
//! fewest preemptions a schedule needs to hit each violation kind (iterative context bounding);
//! `cause`, the steps that made a violation true; `race`, the pair of conflicting accesses whose
//! order decides it; `trace`, the run with each step's accesses, which the last two read;
//! `coverage`, the pseudo-code lines no schedule runs and those every counterexample of a kind runs;
//! `diff`, one schedule replayed in another world (strategy, version, memory model) and aligned
//! step by step with its own run, and the single knob flips that stop its violation;
//! `evidence`, how likely each kind is in a cell: possible at all, and how many seeded uniform and
//! PCT runs hit it; `zoom`, the run told as macro steps: each kernel operation call one line
//! when none of its steps races, the race itself in micro-steps.

pub mod cause;
pub mod coverage;
pub mod diff;
pub mod evidence;
pub mod preemptions;
pub mod race;
pub mod trace;
pub mod zoom;

pub use cause::{cause, causes, Cause, CauseStep, Role};
pub use coverage::{coverage, Coverage, TooManyStates};
pub use diff::{diff, diff_sims, what_stops, Diff, DiffError, WhatStops};
pub use preemptions::{count_preemptions, fewest_preemptions, Bounded, PreemptionBound};
pub use race::{deciding_races, Race};
pub use trace::Trace;
pub use zoom::{story, story_of_session, Kept, MacroStep, Story};
