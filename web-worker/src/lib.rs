//! The checker module of the web app: what the page's Web Workers run (exhaustive checks, matrix
//! cells, lesson claims), built as its own wasm module so the page's first render does not load
//! the checker.
//!
//! - [`jobs`]: carrying out a `web_protocol::Request` (plain Rust over `core_sim`, tested natively);
//! - [`api`]: the functions exported to JavaScript (assets/worker.js, the browser tests, the bench).

pub mod api;
pub mod jobs;

pub use jobs::{handle, matrix, matrix_cell, verify_claim};
