//! A patch: programs that replace operations of a scenario's threads, each named by its header
//! (`program "…" for vcpu(0) put`), checked against the world it is applied to.

use super::{parse, print_program, validate, Bounds, Diag};
use crate::program::{Actor, Op, Program};

/// One replaced operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    /// The thread.
    pub actor: Actor,
    /// Its operation.
    pub op: Op,
    /// What it runs instead of the strategy's program.
    pub program: Program,
    /// The source line of each step (for errors found later).
    pub lines: Vec<usize>,
    /// The line of its header.
    pub header_line: usize,
}

/// Programs that replace operations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Patch {
    /// In the order given; at most one per thread and operation.
    pub programs: Vec<Replacement>,
}

impl Patch {
    /// Read a patch: programs that each say which thread's operation they replace.
    pub fn parse(text: &str) -> Result<Patch, Vec<Diag>> {
        let mut programs: Vec<Replacement> = Vec::new();
        let mut errors = Vec::new();
        for b in parse(text)? {
            let Some((actor, op)) = b.target else {
                errors.push(Diag::at(
                    b.header_line,
                    1,
                    "say which operation this program replaces: program \"…\" for THREAD OPERATION (e.g. for vcpu(0) put)".into(),
                ));
                continue;
            };
            if !op.fits(actor) {
                errors.push(Diag::at(
                    b.header_line,
                    1,
                    format!("thread {actor} does not run {op}"),
                ));
                continue;
            }
            if let Some(r) = programs.iter().find(|r| r.actor == actor && r.op == op) {
                errors.push(Diag::at(
                    b.header_line,
                    1,
                    format!("line {} already replaces this operation", r.header_line),
                ));
                continue;
            }
            programs.push(Replacement {
                actor,
                op,
                program: b.program,
                lines: b.lines,
                header_line: b.header_line,
            });
        }
        if errors.is_empty() {
            Ok(Patch { programs })
        } else {
            Err(errors)
        }
    }

    /// The canonical text.
    pub fn print(&self) -> String {
        self.programs
            .iter()
            .map(|r| print_program(Some((r.actor, r.op)), &r.program))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The program replacing this thread's operation, if any.
    pub fn find(&self, actor: Actor, op: Op) -> Option<&Program> {
        self.programs
            .iter()
            .find(|r| r.actor == actor && r.op == op)
            .map(|r| &r.program)
    }

    /// Check every program against the world; `runs(actor, op)` says whether some thread of
    /// the scenario runs that operation (a replacement nothing runs is an error, not a no-op).
    pub fn validate(&self, b: &Bounds, runs: &dyn Fn(Actor, Op) -> bool) -> Result<(), Vec<Diag>> {
        let mut errors = Vec::new();
        for r in &self.programs {
            if !runs(r.actor, r.op) {
                errors.push(Diag::at(
                    r.header_line,
                    1,
                    format!("no thread of the scenario runs {} as {}", r.op, r.actor),
                ));
                continue;
            }
            let line = |i: usize| r.lines.get(i).copied().unwrap_or(r.header_line);
            if let Err(mut es) = validate(&r.program, b, &line) {
                for e in &mut es {
                    if e.line == 0 {
                        e.line = r.header_line;
                    }
                }
                errors.append(&mut es);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
