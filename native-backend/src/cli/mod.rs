//! The model commands: each in its own file, plus the pieces they share.

/// Append a formatted line to a `String` (output is built, then written once by `output::emit`).
macro_rules! outln {
    ($o:expr) => {
        $o.push('\n')
    };
    ($o:expr, $($t:tt)*) => {{
        $o.push_str(&format!($($t)*));
        $o.push('\n');
    }};
}

pub mod check;
pub mod coverage;
pub mod exit;
pub mod export;
pub mod glossary;
pub mod knobs;
pub mod limits;
pub mod list;
pub mod matrix;
pub mod open;
pub mod output;
pub mod progress;
pub mod random;
pub mod replay;
pub mod report;
pub mod sim_args;
