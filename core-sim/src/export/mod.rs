//! Exports of a compiled world for other tools: today a Promela model for the SPIN model checker,
//! a second engine that judges the same programs independently of [`crate::explore`].

pub mod promela;

pub use promela::{pan, promela, ExportError};
