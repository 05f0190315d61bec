//! `avic-lab list`: the stable ids a user can name.

use super::knobs;
use anyhow::Result;
use clap::Args;
use core_sim::{strategy, MemoryModel, ViolationKind};
use serde_json::json;
use std::process::ExitCode;

/// Arguments of `avic-lab list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also the glossary: every term the lab uses, defined (as `avic-lab glossary`).
    #[arg(long)]
    pub glossary: bool,
}

/// The heading of the larger scenarios' section: they open by id but are not in the matrix.
const LARGER_HEADING: &str =
    "larger worlds, not in the matrix: check them with avic-lab check --scenario ID";

fn memory_title(m: MemoryModel) -> &'static str {
    match m {
        MemoryModel::Sc => "sequential consistency: every store is visible at once",
        MemoryModel::Tso => {
            "x86-TSO: per-CPU FIFO store buffers, drained by fences, locked ops and unlock"
        }
    }
}

fn kind_title(k: ViolationKind) -> &'static str {
    k.definition()
}

/// Run `avic-lab list`.
pub fn run(args: ListArgs) -> Result<ExitCode> {
    let scenarios = core_sim::scenario::shipped();
    let larger = core_sim::scenario::larger();
    let described = |list: &[core_sim::scenario::Scenario]| {
        list.iter()
            .map(|s| json!({"id": s.id, "title": s.title, "description": s.description}))
            .collect::<Vec<_>>()
    };
    if args.json {
        let out = json!({
            "scenarios": described(&scenarios),
            "larger_scenarios": described(&larger),
            "strategies": strategy::PRESETS.iter().map(|p| json!({"id": p.id, "aliases": p.aliases, "title": p.title, "kind": p.kind, "versions": p.versions, "commits": p.commits, "summary": p.summary, "knobs": p.knobs})).collect::<Vec<_>>(),
            "knobs": knobs::names().iter().map(|k| json!({"name": k, "description": knobs::describe(k)})).collect::<Vec<_>>(),
            "memory_models": MemoryModel::ALL.iter().map(|m| json!({"id": m.id(), "title": memory_title(*m)})).collect::<Vec<_>>(),
            "violation_kinds": ViolationKind::ALL.iter().map(|k| json!({"id": k.id(), "severity": k.severity(), "title": kind_title(*k)})).collect::<Vec<_>>(),
        });
        let mut out = out;
        if args.glossary {
            out["glossary"] = json!(core_sim::glossary::all());
        }
        super::output::emit_json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    outln!(text, "scenarios (--scenario ID):");
    let w = scenarios
        .iter()
        .chain(&larger)
        .map(|s| s.id.len())
        .max()
        .unwrap_or(0);
    for s in &scenarios {
        outln!(text, "  {:w$}  {}", s.id, s.title);
    }
    outln!(text, "\n{LARGER_HEADING}");
    for s in &larger {
        outln!(text, "  {:w$}  {}", s.id, s.title);
    }
    outln!(text, "\nstrategies (--strategy ID):");
    let w = strategy::PRESETS
        .iter()
        .map(|p| p.id.len())
        .max()
        .unwrap_or(0);
    for p in strategy::PRESETS {
        outln!(text, "  {:w$}  {}", p.id, p.title);
        if !p.versions.is_empty() {
            outln!(text, "  {:w$}  Linux {}", "", p.versions);
        }
        if !p.aliases.is_empty() {
            outln!(text, "  {:w$}  also named: {}", "", p.aliases.join(", "));
        }
        outln!(text, "  {:w$}  {}", "", p.summary);
        for c in p.commits {
            outln!(text, "  {:w$}    {}", "", c);
        }
    }
    outln!(text, "\nknobs (--knobs k=v,...; on top of --strategy):");
    let w = knobs::names().iter().map(|k| k.len()).max().unwrap_or(0);
    for k in knobs::names() {
        outln!(text, "  {:w$}  {}", k, knobs::describe(k));
    }
    outln!(text, "\nmemory models (--memory ID):");
    for m in MemoryModel::ALL {
        outln!(text, "  {:3}  {}", m.id(), memory_title(m));
    }
    outln!(text, "\nviolation kinds:");
    let w = ViolationKind::ALL
        .iter()
        .map(|k| k.id().len())
        .max()
        .unwrap_or(0);
    for k in ViolationKind::ALL {
        outln!(
            text,
            "  {:w$}  {:10}  {}",
            k.id(),
            k.severity(),
            kind_title(k)
        );
    }
    if args.glossary {
        outln!(text, "\nglossary:");
        text.push_str(&super::glossary::text());
    }
    super::output::emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
