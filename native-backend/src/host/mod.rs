//! Host-side commands: run protocols on real threads (`stress`), inspect
//! the machine (`probe`) and replay recorded kernel traces (`trace`).

pub mod probe;
pub mod stress;
pub mod trace;
