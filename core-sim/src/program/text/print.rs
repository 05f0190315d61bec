//! The printer: a program as its canonical text. Steps that something jumps to are named `L<n>`
//! (n: the step's index); the instruction part is padded so the pseudo-code after `|` lines up
//! like a code pane.

use super::kinds::kind_term;
use super::refs::{actor_term, effect_term, op_term};
use crate::program::{Actor, Op, Origin, Program};
use std::fmt::Write;

/// The column (0-based) the `|` of the pseudo-code starts at, where the instruction part is shorter.
pub const CODE_COLUMN: usize = 76;

/// `s` in quotes, with `"` and `\` escaped.
pub(super) fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The canonical text of one program, replacing `target`'s program when given.
pub fn print_program(target: Option<(Actor, Op)>, p: &Program) -> String {
    let mut out = String::new();
    let _ = write!(out, "program {}", quoted(&p.title));
    if let Some((actor, op)) = target {
        let _ = write!(out, " for {} {}", actor_term(actor), op_term(op));
    }
    out.push('\n');
    if let Some(e) = p.on_end {
        let _ = writeln!(out, "on_end {}", effect_term(e));
    }
    let n = p.steps.len();
    let mut named = vec![false; n];
    for s in &p.steps {
        for t in [s.jump, s.next].into_iter().flatten() {
            if t < n {
                named[t] = true;
            }
        }
    }
    let name = |t: usize| {
        if t >= n {
            "end".to_string()
        } else {
            format!("L{t}")
        }
    };
    for (i, s) in p.steps.iter().enumerate() {
        let mut line = if named[i] {
            format!("{:<6}", format!("L{i}:"))
        } else {
            " ".repeat(6)
        };
        let _ = write!(line, "{} {}", s.func, kind_term(s.kind));
        if let Some(j) = s.jump {
            let _ = write!(line, " ?-> {}", name(j));
        }
        if let Some(j) = s.next {
            let _ = write!(line, " -> {}", name(j));
        }
        if let Some(e) = s.effect {
            let _ = write!(line, " effect {}", effect_term(e));
        }
        if s.quiet {
            line.push_str(" quiet");
        }
        match s.origin {
            Origin::Legacy => {}
            Origin::Before => line.push_str(" before"),
            Origin::After => line.push_str(" after"),
        }
        let _ = write!(line, " {}", quoted(&s.label));
        if !s.code.is_empty() {
            let width = line.chars().count();
            line.push_str(&" ".repeat(CODE_COLUMN.saturating_sub(width).max(1)));
            line.push_str("| ");
            line.push_str(&s.code);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("end\n");
    out
}
