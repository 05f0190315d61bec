//! Host-side commands: run protocols on real threads (`stress`), inspect
//! the machine (`probe`), replay recorded kernel traces (`trace`), and put all of it beside the
//! model's evidence in one bundle (`host-report`).

pub mod probe;
pub mod report;
pub mod stress;
pub mod trace;
