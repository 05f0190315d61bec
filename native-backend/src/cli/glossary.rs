//! `avic-lab glossary [TERM]`: the words the lab uses, defined (the core's glossary, the same one
//! the web app shows on every state row and `docs/glossary.md` prints).

use anyhow::{bail, Result};
use clap::Args;
use core_sim::glossary::{self, Term, Topic};
use std::process::ExitCode;

/// Arguments of `avic-lab glossary`.
#[derive(Debug, Args)]
pub struct GlossaryArgs {
    /// Only this term: its id, name or another spelling (`irte`, `IsRun`, `ir_list_lock`).
    pub term: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

fn entry(text: &mut String, t: &Term) {
    outln!(text, "  {}  [{}]", t.name, t.id);
    if !t.also.is_empty() {
        outln!(text, "      also: {}", t.also.join(", "));
    }
    outln!(text, "      {}", t.definition);
    if !t.source.is_empty() {
        let label = if t.topic == Topic::Violation {
            "impact"
        } else {
            "source"
        };
        outln!(text, "      {label}: {}", t.source);
    }
}

/// The glossary as text: one block per topic.
pub fn text() -> String {
    let mut text = String::new();
    let terms = glossary::all();
    for topic in Topic::ALL {
        outln!(text, "{}:", topic.title());
        for t in terms.iter().filter(|t| t.topic == topic) {
            entry(&mut text, t);
        }
        outln!(text);
    }
    text
}

/// Run `avic-lab glossary`.
pub fn run(args: GlossaryArgs) -> Result<ExitCode> {
    let terms = match &args.term {
        None => glossary::all(),
        Some(q) => match glossary::find(q) {
            Some(t) => vec![t],
            None => bail!(
                "no term '{}' in the glossary (at most {} characters; `avic-lab glossary` lists them all)",
                core_sim::text::shown(q, core_sim::text::MAX_ECHO),
                glossary::MAX_QUERY
            ),
        },
    };
    if args.json {
        super::output::emit_json(&terms)?;
    } else if args.term.is_some() {
        let mut out = String::new();
        entry(&mut out, &terms[0]);
        super::output::emit(&out)?;
    } else {
        super::output::emit(&text())?;
    }
    Ok(ExitCode::SUCCESS)
}
