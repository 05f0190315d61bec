//! The micro-step instruction set, the operations a scenario asks for, and the kernel code
//! written in that instruction set for every strategy.

pub mod kernel;
pub mod kinds;
pub mod ops;
pub mod step;
pub mod text;

pub use kernel::{compile, compile_in, Context};
pub use kinds::{OpKind, Param};
pub use ops::{Actor, Op};
pub use step::{
    ActivateTarget, Effect, EntryUpdate, GaUpdate, IrteRef, LockRef, Origin, Part, Program, Step,
    StepKind, VRef,
};
