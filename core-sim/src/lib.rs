//! core-sim
