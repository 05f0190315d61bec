//! A schedule as a compact string: one character per action, so it fits in a URL and replays exactly.
//!
//! `0`–`9`: thread n runs its next micro-step. `a`–`j`: thread n's oldest buffered store reaches
//! memory (x86-TSO). Example: `0012a1`.

use crate::exec::Action;
use std::fmt;
use std::str::FromStr;

/// The most threads a schedule string can name.
pub const MAX_THREADS: u8 = 10;

/// A sequence of actions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Schedule(pub Vec<Action>);

/// Why a schedule string does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// A character that names no action.
    #[error("schedule: character '{}' at position {pos} is not an action (use 0-9 for a thread's step, a-j for flushing its store buffer)", crate::text::escape(&ch.to_string()))]
    BadChar {
        /// The character.
        ch: char,
        /// 0-based position.
        pos: usize,
    },
    /// Longer than any run can be.
    #[error("schedule: {0} actions is longer than the limit of {MAX_LEN}")]
    TooLong(usize),
}

/// Longest accepted schedule.
pub const MAX_LEN: usize = 10_000;

impl Action {
    /// The schedule character.
    pub fn to_char(self) -> char {
        match self {
            Action::Step(t) => (b'0' + t) as char,
            Action::Flush(t) => (b'a' + t) as char,
        }
    }

    /// Parse one schedule character.
    pub fn from_char(c: char) -> Option<Action> {
        match c {
            '0'..='9' => Some(Action::Step(c as u8 - b'0')),
            'a'..='j' => Some(Action::Flush(c as u8 - b'a')),
            _ => None,
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for a in &self.0 {
            write!(f, "{}", a.to_char())?;
        }
        Ok(())
    }
}

impl FromStr for Schedule {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Schedule, ScheduleError> {
        let n = s.chars().count();
        if n > MAX_LEN {
            return Err(ScheduleError::TooLong(n));
        }
        s.chars()
            .enumerate()
            .map(|(pos, ch)| Action::from_char(ch).ok_or(ScheduleError::BadChar { ch, pos }))
            .collect::<Result<Vec<_>, _>>()
            .map(Schedule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trips() {
        let s: Schedule = "0012a1j9".parse().unwrap();
        assert_eq!(s.0[3], Action::Step(2));
        assert_eq!(s.0[4], Action::Flush(0));
        assert_eq!(s.to_string(), "0012a1j9");
    }

    #[test]
    fn bad_characters_are_named() {
        let e = "01x".parse::<Schedule>().unwrap_err().to_string();
        assert!(e.contains("'x' at position 2"), "{e}");
        let e = "0\u{1b}".parse::<Schedule>().unwrap_err().to_string();
        assert!(e.contains("'\\u{1b}' at position 1"), "{e}");
    }

    proptest! {
        #[test]
        fn any_string_parses_or_errors_without_panic(s in ".{0,64}") {
            let _ = s.parse::<Schedule>();
        }

        #[test]
        fn valid_strings_round_trip(s in "[0-9a-j]{0,64}") {
            prop_assert_eq!(s.parse::<Schedule>().unwrap().to_string(), s);
        }
    }
}
