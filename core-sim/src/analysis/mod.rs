//! Analyses a reviewer asks of a counterexample beyond the trace itself: `preemptions`, the
//! fewest preemptions a schedule needs to hit each violation kind (iterative context bounding).

pub mod preemptions;

pub use preemptions::{count_preemptions, fewest_preemptions, Bounded, PreemptionBound};
