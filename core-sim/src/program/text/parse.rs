//! The line structure: `program` headers, `on_end`, step lines and `end`; jump targets resolved
//! once a program's steps are all read. Errors are collected (at most [`MAX_ERRORS`]) with their
//! line and column; a bad step line still counts as a step, so later targets stay where they are.

use super::kinds::kind_of;
use super::lex::{tokens, Tok, Token};
use super::refs::Ctx;
use super::term::Cursor;
use super::{funcs, Block, Diag, MAX_PROGRAMS, MAX_STEPS, MAX_TEXT};
use crate::program::{Origin, Program, Step, StepKind};
use std::collections::HashMap;

/// Most errors reported for one text.
pub const MAX_ERRORS: usize = 50;

/// A program being read.
struct Open {
    header_line: usize,
    target: Option<(crate::program::Actor, crate::program::Op)>,
    title: String,
    on_end: Option<crate::program::Effect>,
    steps: Vec<Step>,
    lines: Vec<usize>,
    /// Names defined (`name:`), with their line and column.
    names: HashMap<String, (usize, usize)>,
    /// Targets to resolve: step, conditional (else next), name, line, column.
    refs: Vec<(usize, bool, String, usize, usize)>,
}

/// Every program in `text`, or every error found.
pub fn parse_blocks(text: &str) -> Result<Vec<Block>, Vec<Diag>> {
    if text.len() > MAX_TEXT {
        return Err(vec![Diag::at(
            1,
            1,
            format!(
                "program text is {} bytes; at most {MAX_TEXT} are read",
                text.len()
            ),
        )]);
    }
    let mut errors = Vec::new();
    let mut blocks = Vec::new();
    let mut open: Option<Open> = None;
    let mut last = 0;
    for (n, raw) in text.split('\n').enumerate() {
        let line = n + 1;
        last = line;
        if errors.len() >= MAX_ERRORS {
            break;
        }
        let toks = match tokens(raw, line) {
            Ok(t) => t,
            Err(e) => {
                errors.push(e);
                if let Some(o) = open.as_mut() {
                    placeholder(o, line);
                }
                continue;
            }
        };
        if toks.is_empty() {
            continue;
        }
        let end_col = raw.chars().count() + 1;
        let mut cur = Cursor::new(&toks, line, end_col);
        match open.take() {
            None => match header(&mut cur) {
                Ok(o) => open = Some(o),
                Err(e) => errors.push(e),
            },
            Some(mut o) => {
                if is_word(&toks, "end") && toks.len() == 1 {
                    match close(o) {
                        Ok(b) if blocks.len() < MAX_PROGRAMS => blocks.push(b),
                        Ok(_) => errors.push(Diag::at(
                            line,
                            1,
                            format!("more than {MAX_PROGRAMS} programs in one text"),
                        )),
                        Err(mut es) => errors.append(&mut es),
                    }
                    continue;
                }
                if is_word(&toks, "program") {
                    errors.push(Diag::at(
                        line,
                        1,
                        format!("the program opened on line {} needs its 'end' line before the next one", o.header_line),
                    ));
                } else if is_word(&toks, "on_end") {
                    if let Err(e) = on_end(&mut o, &mut cur) {
                        errors.push(e);
                    }
                } else if o.steps.len() >= MAX_STEPS {
                    if o.steps.len() == MAX_STEPS {
                        errors.push(Diag::at(
                            line,
                            1,
                            format!("a program has at most {MAX_STEPS} steps"),
                        ));
                        placeholder(&mut o, line);
                    }
                } else if let Err(e) = step(&mut o, &mut cur) {
                    errors.push(e);
                    placeholder(&mut o, line);
                }
                open = Some(o);
            }
        }
    }
    if let Some(o) = open {
        errors.push(Diag::at(
            last,
            1,
            format!(
                "the program opened on line {} has no 'end' line",
                o.header_line
            ),
        ));
    }
    errors.truncate(MAX_ERRORS);
    if errors.is_empty() {
        Ok(blocks)
    } else {
        Err(errors)
    }
}

fn is_word(toks: &[Token], w: &str) -> bool {
    matches!(toks.first(), Some(Token { tok: Tok::Word(x), .. }) if x == w)
}

/// A stand-in for a step line that had an error, so that step numbers stay where they are.
fn placeholder(o: &mut Open, line: usize) {
    o.steps.push(step_of(StepKind::Local, "avic_vcpu_load"));
    o.lines.push(line);
}

fn step_of(kind: StepKind, func: &'static str) -> Step {
    Step {
        kind,
        label: String::new(),
        code: String::new(),
        func,
        jump: None,
        next: None,
        effect: None,
        quiet: false,
        origin: Origin::Legacy,
    }
}

fn rest_is_empty(cur: &Cursor) -> Result<(), Diag> {
    match cur.peek() {
        None => Ok(()),
        Some(_) => Err(cur.expected("the end of the line")),
    }
}

/// `program "title" [for ACTOR OP]`
fn header(cur: &mut Cursor) -> Result<Open, Diag> {
    let (w, _) = cur.word("'program \"title\"'")?;
    if w != "program" {
        cur.at -= 1;
        return Err(cur.expected("'program \"title\"' (a program starts with its header)"));
    }
    let title = match cur.bump() {
        Some(Token {
            tok: Tok::Str(s), ..
        }) => s.clone(),
        _ => {
            cur.at -= 1;
            return Err(cur.expected("the program's title in quotes"));
        }
    };
    let mut target = None;
    if cur.peek().is_some() {
        let (w, _) = cur.word("'for'")?;
        if w != "for" {
            cur.at -= 1;
            return Err(cur.expected("'for THREAD OPERATION' or the end of the line"));
        }
        let cx = Ctx { line: cur.line };
        let actor = cx.actor(&cur.term(1)?)?;
        let op = cx.op(&cur.term(1)?)?;
        target = Some((actor, op));
    }
    rest_is_empty(cur)?;
    Ok(Open {
        header_line: cur.line,
        target,
        title,
        on_end: None,
        steps: Vec::new(),
        lines: Vec::new(),
        names: HashMap::new(),
        refs: Vec::new(),
    })
}

fn on_end(o: &mut Open, cur: &mut Cursor) -> Result<(), Diag> {
    cur.bump();
    if !o.steps.is_empty() || o.on_end.is_some() {
        return Err(Diag::at(
            cur.line,
            1,
            "'on_end' comes once, before the first step".into(),
        ));
    }
    let cx = Ctx { line: cur.line };
    o.on_end = Some(cx.effect(&cur.term(1)?)?);
    rest_is_empty(cur)
}

/// `[name:] FUNC INSTR [?-> T] [-> T] [effect E] [quiet] [before|after] ["label"] [| code]`
fn step(o: &mut Open, cur: &mut Cursor) -> Result<(), Diag> {
    let line = cur.line;
    let index = o.steps.len();
    if let (
        Some(Token {
            tok: Tok::Word(name),
            col,
            ..
        }),
        Some(Token {
            tok: Tok::Colon, ..
        }),
    ) = (cur.toks.first(), cur.toks.get(1))
    {
        if name == "end" {
            return Err(Diag::at(
                line,
                *col,
                "'end' names the end of the program; pick another name".into(),
            ));
        }
        if let Some((l, _)) = o.names.get(name) {
            return Err(Diag::at(
                line,
                *col,
                format!("'{name}' is already the name of the step on line {l}"),
            ));
        }
        o.names.insert(name.clone(), (line, index));
        cur.at = 2;
    }
    let (func, col) = cur.word("the step's kernel function")?;
    let func = funcs::lookup(&func).ok_or_else(|| {
        Diag::span(
            line,
            col,
            col + func.chars().count(),
            format!(
                "unknown kernel function '{}'; known: {}",
                crate::text::shown(&func, 48),
                funcs::FUNCS.join(", ")
            ),
        )
    })?;
    let cx = Ctx { line };
    let kind = kind_of(&cx, &cur.term(1)?)?;
    let mut s = step_of(kind, func);
    let mut seen: Vec<&'static str> = Vec::new();
    let mut once = |what: &'static str, col: usize| -> Result<(), Diag> {
        if seen.contains(&what) {
            return Err(Diag::at(line, col, format!("the step gives {what} twice")));
        }
        seen.push(what);
        Ok(())
    };
    while let Some(t) = cur.bump() {
        let col = t.col;
        match &t.tok {
            Tok::Jump | Tok::Next => {
                let cond = t.tok == Tok::Jump;
                once(if cond { "'?->'" } else { "'->'" }, col)?;
                let (name, ncol) = cur.word("the name of a step, or end")?;
                o.refs.push((index, cond, name, line, ncol));
            }
            Tok::Word(w) if w == "effect" => {
                once("an effect", col)?;
                s.effect = Some(cx.effect(&cur.term(1)?)?);
            }
            Tok::Word(w) if w == "quiet" => {
                once("quiet", col)?;
                s.quiet = true;
            }
            Tok::Word(w) if w == "before" || w == "after" => {
                once("before/after", col)?;
                s.origin = if w == "before" {
                    Origin::Before
                } else {
                    Origin::After
                };
            }
            Tok::Str(label) => {
                once("a label", col)?;
                s.label = label.clone();
            }
            Tok::Code(code) => s.code = code.clone(),
            _ => {
                cur.at -= 1;
                return Err(cur.expected(
                    "'?-> name', '-> name', 'effect …', 'quiet', 'before', 'after', a \"label\" or '| pseudo-code'",
                ));
            }
        }
    }
    o.steps.push(s);
    o.lines.push(line);
    Ok(())
}

/// Resolve the targets of a finished program.
fn close(mut o: Open) -> Result<Block, Vec<Diag>> {
    let mut errors = Vec::new();
    if o.steps.is_empty() {
        errors.push(Diag::at(
            o.header_line,
            1,
            "the program has no steps".into(),
        ));
    }
    let end = o.steps.len();
    for (at, cond, name, line, col) in std::mem::take(&mut o.refs) {
        let to = if name == "end" {
            Some(end)
        } else {
            o.names.get(&name).map(|(_, i)| *i)
        };
        match to {
            Some(to) if cond => o.steps[at].jump = Some(to),
            Some(to) => o.steps[at].next = Some(to),
            None => errors.push(Diag::span(
                line,
                col,
                col + name.chars().count(),
                format!("no step is named '{}'", crate::text::shown(&name, 32)),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Block {
        target: o.target,
        program: Program {
            title: o.title,
            steps: o.steps,
            on_end: o.on_end,
        },
        lines: o.lines,
        header_line: o.header_line,
    })
}
