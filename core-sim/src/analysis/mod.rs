//! Analyses a reviewer asks of a counterexample beyond the trace itself: `preemptions`, the
//! fewest preemptions a schedule needs to hit each violation kind (iterative context bounding);
//! `cause`, the steps that made a violation true; `race`, the pair of conflicting accesses whose
//! order decides it; `trace`, the run with each step's accesses, which the last two read.

pub mod cause;
pub mod preemptions;
pub mod race;
pub mod trace;

pub use cause::{cause, causes, Cause, CauseStep, Role};
pub use preemptions::{count_preemptions, fewest_preemptions, Bounded, PreemptionBound};
pub use race::{deciding_races, Race};
pub use trace::Trace;
