//! Explorers: who chooses the next action. A person (a [`Session`]), a seeded [`Chooser`]
//! (uniform random, PCT, a replayed schedule, a prefix then another chooser) run by the one
//! [`drive`]r, or an exhaustive search ([`check`]).

pub mod bare;
pub mod chooser;
pub mod driver;
pub mod exhaustive;
pub mod future;
pub mod independence;
pub mod legacy;
pub mod matrix;
pub mod metrics;
pub mod pct;
pub mod random;
pub mod schedule;
pub mod session;

pub use bare::Bare;
pub use chooser::{Chooser, Replay, ReplayThen, Uniform};
pub use driver::{drive, End, StepFailed, Track};
pub use exhaustive::{
    check, check_keeping, omission_bound, symmetries, Account, CheckOptions, CheckReport,
    Counterexample, Outcome, Progress, Reduce, StoreMode, Verdict, Visited,
};
pub use metrics::{Metrics, RunMetrics};
pub use pct::Pct;
pub use random::{pct_run, random_run, random_runs, RandomMode, RandomSummary};
pub use schedule::{Schedule, ScheduleError};
pub use session::{ReplayError, Session};
