//! What can be wrong with a link: [`LinkError`] when it is read, [`OpenError`] when it is opened.

use super::MAX_QUERY;
use super::VERSION;
use crate::challenges::UnknownChallenge;
use crate::explore::legacy::LegacyError;
use crate::explore::ReplayError;
use crate::lessons::UnknownLesson;
use crate::scenario::ScenarioError;
use crate::text;
use std::fmt;

/// One thing wrong with a link, in words a reader of the page understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// The link comes from a newer lab; nothing of it was used.
    FutureVersion {
        /// The version it names.
        found: String,
    },
    /// A parameter's value does not make sense; that part fell back to its default.
    BadValue {
        /// The parameter (as written in the link).
        param: String,
        /// What is wrong with it.
        reason: String,
        /// What was used instead.
        fallback: String,
    },
    /// The query is longer than [`MAX_QUERY`]; nothing of it was used.
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
}

impl LinkError {
    /// What lenient decoding did instead, e.g. "Using sequential consistency (sc)." — for a page
    /// that shows the message and carries on.
    pub fn fallback(&self) -> &str {
        match self {
            LinkError::BadValue { fallback, .. } => fallback,
            LinkError::FutureVersion { .. } | LinkError::TooLong { .. } => {
                "Opening the default view instead."
            }
        }
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::FutureVersion { found } => write!(
                f,
                "this link was made by a newer version of the lab (link format v{found}); this \
                 one reads formats v1 to v{VERSION}"
            ),
            LinkError::BadValue { param, reason, .. } => {
                write!(f, "link parameter '{param}': {reason}")
            }
            LinkError::TooLong { len } => write!(
                f,
                "this link is {len} bytes long, more than the {MAX_QUERY} accepted"
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// Why a decoded link cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The link names a lesson that does not exist.
    #[error("the link's lesson cannot open: {0}")]
    Lesson(UnknownLesson),
    /// The link names a challenge that does not exist.
    #[error("the link's challenge cannot open: {0}")]
    Challenge(UnknownChallenge),
    /// The scenario is unknown or invalid.
    #[error("the link's scenario cannot run: {0}")]
    Scenario(ScenarioError),
    /// The schedule does not replay in this world.
    #[error("the link's schedule does not replay: {0}")]
    Replay(ReplayError),
    /// A schedule recorded with the first model's steps does not fit today's model.
    #[error("the link was written by an earlier version of the lab, and its schedule cannot be replayed today: {0}")]
    Legacy(LegacyError),
    /// The link's edited programs do not apply to its world.
    #[error("the link's edited programs cannot run: {0}")]
    Program(String),
    /// The step is past the end of the schedule.
    #[error("the link shows step {step}, but its schedule has only {len} steps")]
    StepBeyondEnd {
        /// Requested step.
        step: usize,
        /// Steps in the schedule.
        len: usize,
    },
}

/// Longest reason a [`LinkError`] gives, in characters (reasons from other modules echo the value).
const MAX_REASON: usize = 300;

pub(super) fn bad(param: &str, reason: String, fallback: &str) -> LinkError {
    LinkError::BadValue {
        param: param.to_string(),
        // A link is untrusted: whatever it carries is shown escaped and clipped.
        reason: text::shown(&reason, MAX_REASON),
        fallback: fallback.to_string(),
    }
}
