//! The work the page hands to its Web Workers, and the messages they answer with: the protocol
//! crate `web_protocol`, re-exported under its old path for the UI code.
//!
//! Carrying a request out (the exhaustive checker) is the separate checker module `web_worker`,
//! which this crate does not link: the page's first render loads only the UI. Tests here may call
//! it directly (a dev-dependency), to compare the page's state with what the worker computes.

pub use web_protocol::*;

#[cfg(test)]
pub use web_worker::{matrix_cell, verify_claim};
