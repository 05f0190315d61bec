//! Share links: a URL query that holds a whole view of the lab (scenario, strategy knobs, memory
//! model, schedule, current step, view, lesson, embed and theme), versioned so old links keep
//! opening.
//!
//! Version 5 adds `sc=`, an edited scenario in compact text. Version 4 is version 3 with `pg=`, edited programs (see [`program`]); [`encode`] writes it
//! only for a link that has them. Version 3 spells its parameters as version 2 did; its schedules and
//! steps count the finer micro-steps of today's model. A v1 or v2 link's schedule and step are
//! translated when it is opened (see [`crate::explore::legacy`]), so it shows the same run.
//!
//! ```text
//! ?v=3&s=<scenario id>&t=<strategy>&m=sc|tso&r=<schedule>&at=<step>
//!     s=   a shipped scenario id, or sj=<percent-encoded scenario JSON> for an edited one, or
//!          (v5) sc=<compact scenario text>, the same in a few characters per part
//!          ([`crate::scenario::Scenario::to_compact`])
//!     t=   a preset id (or an older alias), or k.<3 or 4 hex digits> for custom knobs (see [`knob_code`])
//!     r=   the schedule string (one character per step, 0-9 a-j), at= the step on screen
//!          (left out: the end of the run)
//! &view=matrix                      the strategy × scenario matrix
//! &view=host                        the Host evidence view (a host-report bundle opened from a file)
//! &view=editor                      the scenario editor, on the link's scenario (its draft)
//! &view=lesson&l=<lesson id>&at=<n> a guided lesson at step n (the world comes from the lesson)
//! &view=lesson                      the list of lessons (over the world the link names)
//! &ch=<challenge id>                a challenge ([`crate::challenges`]): its world wins over the
//!                                   s=/t=/m= written beside it (so a lab without challenges
//!                                   opens the same world); r=/at= are the player's own run
//! &view=challenge                   the list of challenges
//! &vs=<strategy>&vm=sc|tso          the diff view: the run replayed in a second world (a preset
//!                                   id or k.<hex>; vm= left out: the same memory model), aligned
//!                                   step by step (see [`crate::analysis::diff`])
//! &embed=1  &theme=light|dark|large presentation
//! &pg=<edited programs>             v4: operations replaced by user programs ([`program`])
//! ```
//!
//! Version 1 (the first web release) spelled the same things out:
//! `?v=1&scenario=…&strategy=…|custom&knobs=lock=1,target=…,…&memory=…&schedule=…&step=…&view=…`
//! and `scenario_json=…`. [`decode`] reads both; a link from a newer version is refused with a
//! message rather than half-understood.
//!
//! One job per file: [`link`] the types a link holds, [`encode`](mod@encode) and
//! [`decode`](mod@decode) the syntax (the decoder knows no lesson: a lesson is an id until
//! [`open`](mod@open) resolves it), `versions` each format's parameter names, [`knobs`] the
//! custom-knob codes, [`percent`] percent coding, [`error`] what can be wrong with a link, and
//! [`open`](mod@open) the step from a link to a world and a run; [`deck`] a presenter script;
//! [`bundle`] the host-report bundle (a machine's evidence beside the model's), read and joined.

pub mod bundle;
pub mod deck;
pub mod decode;
pub mod encode;
pub mod error;
pub mod knobs;
pub mod link;
pub mod open;
pub mod percent;
pub mod program;
mod versions;
pub mod welcome;

pub use decode::parse_lenient;
pub use encode::encode;
pub use error::{LinkError, OpenError};
pub use knobs::{decode_knob_code, decode_knob_list, knob_code};
pub use link::{default_scenario, Against, Link, ScenarioRef, Theme, View};
pub use open::{decode, decode_lenient, lesson_link, Opened};
pub use percent::{percent_decode, percent_encode, percent_encode_spaces, query_of};

/// The newest link format version: [`encode`] writes it for a link with a compact edited
/// scenario (`sc=`), version 4 for one with edited programs (`pg=`), and version 3 (the same
/// parameters without either) for any other, so those links stay as they were. A lab that reads
/// only up to v4 refuses a v5 link in words instead of opening the wrong scenario.
pub const VERSION: u32 = 5;
/// Longest query accepted, in bytes.
pub const MAX_QUERY: usize = 128 * 1024;
/// Longest schedule accepted, in steps.
pub const MAX_SCHEDULE: usize = 10_000;
/// Longest scenario JSON accepted, in bytes (after percent-decoding).
pub const MAX_SCENARIO_JSON: usize = 20_000;
