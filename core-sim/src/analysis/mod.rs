//! Analyses a reviewer asks of a counterexample beyond the trace itself: `preemptions`, the
//! fewest preemptions a schedule needs to hit each violation kind (iterative context bounding);
//! `coverage`, the pseudo-code lines no schedule runs and those every counterexample of a kind runs.

pub mod coverage;
pub mod preemptions;

pub use coverage::{coverage, Coverage, TooManyStates};
pub use preemptions::{count_preemptions, fewest_preemptions, Bounded, PreemptionBound};
