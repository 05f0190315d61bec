//! The program language: the kernel operations as text that reads like the code panes, one line
//! per micro-step, parsed back into the same [`Program`] (see `docs/program-language.md`).
//!
//! ```text
//! program "avic_vcpu_put(vCPU0)" for vcpu(0) put
//! on_end sched_out(0)
//!       avic_vcpu_put read_entry(0) ?-> end "read entry"          | entry = …; if (!entry.IsRunning) return
//!       avic_vcpu_put lock(ir_list(0)) "lock ir_list_lock"         | spin_lock_irqsave(&svm->ir_list_lock)
//! L2:   avic_update_iommu_vcpu_affinity walk_next(0) ?-> L5 "walk ir_list" | list_for_each_entry(…)
//! …
//! end
//! ```
//!
//! [`parse`] reads programs (errors at line:column, never a panic; input size, line length,
//! nesting, steps and programs bounded), [`print`] writes the canonical text
//! (`parse(print(p)) == p`), [`validate`] checks a program against a world, and [`Patch`] is a
//! set of programs that replace operations of a scenario's threads (`Sim::with_patch`).
//!
//! One job per file: `lex` tokens, `term` the `name(args)` shapes, `refs` and `kinds` those
//! shapes for references and instructions both ways, `funcs` the function names, `parse` the line
//! structure, `print` the printer, `validate` the checks, `patch` replacements.

mod funcs;
mod kinds;
mod lex;
mod parse;
mod patch;
mod print;
mod refs;
mod term;
mod validate;

pub use self::funcs::FUNCS;
pub use self::kinds::INSTRUCTIONS;
pub use self::parse::MAX_ERRORS;
pub use self::patch::{Patch, Replacement};
pub use self::print::{print_program, CODE_COLUMN};
pub use self::validate::{validate, Bounds};
use crate::program::{Actor, Op, Program};
use std::fmt;

/// Longest program text read, in bytes.
pub const MAX_TEXT: usize = 64 * 1024;
/// Longest line, in characters.
pub const MAX_LINE: usize = 1_000;
/// Deepest nesting of terms (`lock(ir_list(owner_of(0)))` is 3).
pub const MAX_DEPTH: usize = 6;
/// Most steps in one program (a thread's position is one byte).
pub const MAX_STEPS: usize = 200;
/// Most programs in one text.
pub const MAX_PROGRAMS: usize = 32;

/// An error at a line and column (both 1-based; line 0: not tied to a line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diag {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub col: usize,
    /// The column just past what is wrong (`col + 1` for one character): an editor underlines
    /// `col..end`.
    pub end: usize,
    /// What is wrong, in words.
    pub message: String,
}

impl Diag {
    pub(crate) fn at(line: usize, col: usize, message: String) -> Diag {
        Diag::span(line, col, col + 1, message)
    }

    pub(crate) fn span(line: usize, col: usize, end: usize, message: String) -> Diag {
        Diag {
            line,
            col,
            end: end.max(col + 1),
            message,
        }
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// Errors as lines `line:col: message`, each prefixed with `prefix` (a file name, say).
pub fn report(prefix: &str, errors: &[Diag]) -> String {
    errors
        .iter()
        .map(|d| format!("{prefix}{d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One program read from text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The thread and operation it replaces (`program "…" for THREAD OP`), if it says.
    pub target: Option<(Actor, Op)>,
    /// The program.
    pub program: Program,
    /// The source line of each step.
    pub lines: Vec<usize>,
    /// The line of its `program` header.
    pub header_line: usize,
}

/// Every program in `text`.
pub fn parse(text: &str) -> Result<Vec<Block>, Vec<Diag>> {
    parse::parse_blocks(text)
}

/// The one program in `text`.
pub fn parse_one(text: &str) -> Result<Block, Vec<Diag>> {
    let mut blocks = parse(text)?;
    match blocks.len() {
        1 => Ok(blocks.remove(0)),
        0 => Err(vec![Diag::at(
            1,
            1,
            "no program: expected 'program \"title\"'".into(),
        )]),
        _ => Err(vec![Diag::at(
            blocks[1].header_line,
            1,
            "expected one program, found more".into(),
        )]),
    }
}

/// An operation's name as a program header writes it (`put`, `update_affinity`, …).
pub fn op_name(op: Op) -> String {
    refs::op_term(op).name
}

/// The canonical text of a program (no `for` line).
pub fn print(p: &Program) -> String {
    print_program(None, p)
}

/// The canonical form of program text: what [`print`] writes for what [`parse`] reads.
pub fn canonical(text: &str) -> Result<String, Vec<Diag>> {
    Ok(parse(text)?
        .iter()
        .map(|b| print_program(b.target, &b.program))
        .collect::<Vec<_>>()
        .join("\n"))
}

#[cfg(test)]
mod tests;
