//! `avic-lab diff`: one schedule, two worlds. Replay a run (a share link's, or a schedule in a
//! world named by flags) in a second world (`--against` strategy, `--model` memory model) and
//! print both runs side by side, aligned step by step, with where and why they diverge and
//! whether each violation survives (`core_sim::analysis::diff`). `--stops` adds the single knob
//! flips whose world, checked exhaustively, has none of the run's violation.

use super::exit;
use super::knobs;
use super::sim_args::{memory, ScenarioArg, SimArgs};
use anyhow::{bail, Context, Result};
use clap::Args;
use core_sim::analysis::diff::{self, Cell, Diff, Reason, WhatStops};
use core_sim::explore::{CheckOptions, Schedule};
use core_sim::{MemoryModel, Sim, Strategy};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `avic-lab diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// A share link from the web app (the whole URL or its `?…` query) or a lesson id: world A
    /// and the run. A link with `vs=` (the app's "compare with") names world B too.
    #[arg(value_name = "LINK", conflicts_with_all = ["scenario", "scenario_file", "strategy", "schedule"])]
    pub link: Option<String>,
    /// World A's shipped scenario id (instead of a link).
    #[arg(long, value_name = "ID")]
    pub scenario: Option<String>,
    /// World A's scenario JSON file (instead of a link).
    #[arg(long, value_name = "FILE")]
    pub scenario_file: Option<PathBuf>,
    /// World A's strategy preset.
    #[arg(long, value_name = "ID")]
    pub strategy: Option<String>,
    /// Custom knobs on top of world A's preset, e.g. `write_once=0`.
    #[arg(long, value_name = "K=V,...")]
    pub knobs: Option<String>,
    /// World A's memory model: sc or tso.
    #[arg(long, value_name = "MODEL", default_value = "sc")]
    pub memory: String,
    /// The schedule to replay in world A (`0`-`9` a thread's step, `a`-`j` a store-buffer flush).
    #[arg(long, value_name = "SCHEDULE", allow_hyphen_values = true)]
    pub schedule: Option<String>,
    /// World B's strategy preset (default: world A's).
    #[arg(long, value_name = "ID")]
    pub against: Option<String>,
    /// Custom knobs on top of world B's strategy.
    #[arg(long, value_name = "K=V,...")]
    pub against_knobs: Option<String>,
    /// World B's memory model (default: world A's).
    #[arg(long, value_name = "sc|tso")]
    pub model: Option<String>,
    /// Also list the single knob flips that make each violation of the run impossible (each
    /// flipped world checked exhaustively) and where this run's replay there diverges.
    #[arg(long)]
    pub stops: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// A world B: its strategy and memory model.
type WorldB = (Strategy, MemoryModel);

/// World A, its schedule, and world B's strategy and model if the link named them.
fn world_a(args: &DiffArgs) -> Result<(Sim, Schedule, Option<WorldB>)> {
    if let Some(text) = &args.link {
        let link = super::open::resolve(text.trim()).context("cannot open the link")?;
        let opened = link.open().context("cannot open the link")?;
        let schedule = opened.link.schedule.parse()?;
        let b = link.against.map(|b| (Strategy::custom(b.knobs), b.memory));
        return Ok((opened.sim, schedule, b));
    }
    let Some(strategy) = args.strategy.clone() else {
        bail!("give a LINK, or --scenario ID (or --scenario-file FILE), --strategy ID and --schedule SCHEDULE");
    };
    let Some(schedule) = &args.schedule else {
        bail!("give --schedule SCHEDULE: the run to replay in both worlds");
    };
    let sim_args = SimArgs {
        scenario: ScenarioArg {
            scenario: args.scenario.clone(),
            scenario_file: args.scenario_file.clone(),
        },
        strategy,
        knobs: args.knobs.clone(),
        memory: args.memory.clone(),
        program_file: None,
    };
    Ok((sim_args.sim()?, schedule.trim().parse()?, None))
}

/// World B: `--against`/`--against-knobs`/`--model`, else what the link named.
fn world_b(args: &DiffArgs, a: &Sim, from_link: Option<WorldB>) -> Result<WorldB> {
    let (link_strategy, link_memory) = from_link.unwrap_or((a.strategy, a.memory));
    let flags = args.against.is_some() || args.against_knobs.is_some() || args.model.is_some();
    if !flags && from_link.is_none() {
        bail!("give --against ID (world B's strategy) and/or --model sc|tso (its memory model)");
    }
    let base = match &args.against {
        Some(id) => Strategy::preset(id)?,
        None => link_strategy,
    };
    let strategy = match &args.against_knobs {
        Some(spec) => Strategy::custom(knobs::apply(base.knobs, spec).context("--against-knobs")?),
        None => base,
    };
    let model = match &args.model {
        Some(m) => memory(m)?,
        None => link_memory,
    };
    Ok((strategy, model))
}

/// Run `avic-lab diff`.
pub fn run(args: DiffArgs) -> Result<ExitCode> {
    let (a, schedule, from_link) = world_a(&args)?;
    let (strategy, model) = world_b(&args, &a, from_link)?;
    let d = diff::diff(&a, &schedule, strategy, model)?;
    let stops = if args.stops {
        Some(diff::what_stops(&a, &schedule, &CheckOptions::default())?)
    } else {
        None
    };
    let code = ExitCode::from(if d.violations_b.is_empty() {
        exit::SAFE
    } else {
        exit::VIOLATION
    });
    if args.json {
        super::output::emit_json(&json!({ "diff": d, "stops": stops }))?;
    } else {
        let mut text = render(&d);
        if let Some(w) = &stops {
            render_stops(&mut text, w);
        }
        super::output::emit(&text)?;
    }
    Ok(code)
}

const COL: usize = 44;

fn cell_text(c: &Option<Cell>) -> String {
    match c {
        None => "·".into(),
        Some(c) => {
            let mut s = format!("{:>3} T{} {}", c.step, c.thread, c.label);
            if !c.violations.is_empty() {
                let kinds: Vec<String> = c.violations.iter().map(|k| k.to_string()).collect();
                s.push_str(&format!(" ⚠ {}", kinds.join(", ")));
            }
            s
        }
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        format!("{s:<n$}")
    } else {
        let mut out: String = s.chars().take(n - 1).collect();
        out.push('…');
        out
    }
}

fn marker(r: &diff::Row) -> &'static str {
    match r.note.as_ref().map(|n| n.reason) {
        None => " ",
        Some(_) if r.diverges() => "≠",
        Some(Reason::Extra | Reason::Drain) => "+",
        Some(_) => "·",
    }
}

/// The aligned runs as text: both worlds, the first divergence, the rows, the fates.
pub fn render(d: &Diff) -> String {
    let mut out = String::new();
    let world = |w: &diff::World| format!("{} · {} · {}", w.scenario, w.strategy, w.memory);
    outln!(out, "A: {}   schedule {}", world(&d.a), d.schedule_a);
    outln!(out, "B: {}   schedule {}", world(&d.b), d.schedule_b);
    match d.divergence() {
        None => outln!(out, "no divergence: B runs every step of A, alike"),
        Some(r) => outln!(
            out,
            "first divergence: row {}: {}",
            d.first_divergence.unwrap_or(0) + 1,
            r.note.as_ref().map_or("", |n| n.text.as_str())
        ),
    }
    outln!(out);
    outln!(out, " row   {}  {}", clip("A", COL), "B");
    let mut last_note = "";
    for (i, r) in d.rows.iter().enumerate() {
        outln!(
            out,
            "{:>4} {} {}  {}",
            i + 1,
            marker(r),
            clip(&cell_text(&r.a), COL),
            cell_text(&r.b)
        );
        // A note repeated on the rows after it (B completing its run) is said once.
        match &r.note {
            Some(n) if n.text != last_note => {
                outln!(out, "{:>8}{}: {}", "", n.reason.id(), n.text);
                last_note = &n.text;
            }
            Some(_) => {}
            None => last_note = "",
        }
    }
    outln!(out);
    outln!(
        out,
        "A's run {}; B's {}",
        if d.a_finished {
            "finished"
        } else {
            "stops here"
        },
        if d.b_finished {
            "finished"
        } else {
            "stops here too"
        }
    );
    if d.fates.is_empty() {
        outln!(out, "A's run shows no violation");
    }
    for f in &d.fates {
        match f.b_step {
            Some(s) => outln!(
                out,
                "  {}: A step {} → SURVIVES in B (step {s})",
                f.kind,
                f.a_step
            ),
            None => outln!(
                out,
                "  {}: A step {} → gone in B's aligned run",
                f.kind,
                f.a_step
            ),
        }
    }
    for k in &d.new_in_b {
        outln!(out, "  {k}: only in B");
    }
    out
}

fn render_stops(out: &mut String, w: &WhatStops) {
    outln!(out);
    outln!(
        out,
        "What stops it: each single knob flip of A's strategy, its world checked exhaustively:"
    );
    for k in &w.kinds {
        let by: Vec<&diff::Stopper> = w.stoppers.iter().filter(|s| s.stops.contains(k)).collect();
        if by.is_empty() {
            outln!(out, "  {k}: no single flip makes it impossible");
        }
        for s in by {
            let at = match (&s.row, s.diverges_at) {
                (Some(r), Some(i)) => format!(
                    "; this run diverges there at row {}: {}",
                    i + 1,
                    r.note.as_ref().map_or("", |n| n.text.as_str())
                ),
                _ => String::new(),
            };
            outln!(out, "  {k}: {}{at}", flip_name(&s.flip));
        }
    }
    outln!(out, "  every flip checked ({}):", w.flips.len());
    for f in &w.flips {
        let kinds: Vec<String> = f.kinds.iter().map(|k| k.to_string()).collect();
        outln!(
            out,
            "    {:<44} {} {}",
            flip_name(&f.flip),
            f.verdict.id(),
            kinds.join(", ")
        );
    }
}

fn flip_name(f: &diff::KnobFlip) -> String {
    let mut s = format!("{} {} → {}", f.knob, f.from, f.to);
    if let Some(p) = &f.preset {
        s.push_str(&format!(" (= {p})"));
    }
    if f.hardware {
        s.push_str(" [hardware]");
    }
    s
}
