//! Explorers: who chooses the next action. A person (a [`Session`]), a seed ([`random`]), or an
//! exhaustive search ([`check`]).

pub mod exhaustive;
pub mod independence;
pub mod legacy;
pub mod matrix;
pub mod random;
pub mod schedule;
pub mod session;

pub use exhaustive::{
    check, check_keeping, omission_bound, CheckOptions, CheckReport, Counterexample, Outcome,
    Progress, StoreMode, Verdict, Visited,
};
pub use random::{pct_run, random_run, random_runs, RandomMode, RandomSummary};
pub use schedule::{Schedule, ScheduleError};
pub use session::{ReplayError, Session};
