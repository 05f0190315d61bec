//! `avic-lab replay`: run a schedule string step by step and show what happened.

use super::exit;
use super::report;
use super::sim_args::SimArgs;
use anyhow::Result;
use clap::Args;
use core_sim::explore::Session;
use core_sim::timeline::Timeline;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `avic-lab replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub sim: SimArgs,
    /// The schedule: one character per action, `0`-`9` a thread's step, `a`-`j` a store-buffer flush.
    #[arg(value_name = "SCHEDULE", allow_hyphen_values = true)]
    pub schedule: String,
    /// Print JSON (the timeline and violations) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Draw the run as an SVG sequence diagram.
    #[arg(long, value_name = "OUT.svg")]
    pub svg: Option<PathBuf>,
}

/// Run `avic-lab replay`.
pub fn run(args: ReplayArgs) -> Result<ExitCode> {
    let sim = args.sim.sim()?;
    let session = Session::replay(&sim, args.schedule.trim())?;
    let timeline = Timeline::from_session(&session);
    let violations = session.violations();
    let enabled: Vec<String> = session
        .enabled()
        .iter()
        .map(|a| format!("{} ({})", a.to_char(), sim.thread_name(a.thread())))
        .collect();
    if let Some(path) = &args.svg {
        report::write_svg(path, &timeline)?;
    }
    if args.json {
        let mut out = json!({
            "scenario": sim.scenario.id,
            "strategy": sim.strategy.name(),
            "memory_model": sim.memory.id(),
            "schedule": session.schedule().to_string(),
            "finished": enabled.is_empty(),
            "enabled": session.enabled().iter().map(|a| a.to_char().to_string()).collect::<Vec<_>>(),
            "violations": violations,
            "timeline": timeline,
        });
        if let Some(e) = super::sim_args::edited(&sim) {
            out["edited"] = json!(e);
        }
        super::output::emit_json(&out)?;
    } else {
        let mut text = timeline.to_text();
        outln!(text);
        if enabled.is_empty() {
            outln!(text, "run finished after {} steps", session.position());
        } else {
            outln!(
                text,
                "run not finished after {} steps; can run next: {}",
                session.position(),
                enabled.join(", ")
            );
        }
        if sim.scenario.oracles.is_empty() {
            outln!(text, "no oracle selected: nothing was checked");
        } else if violations.is_empty() {
            outln!(text, "no violation");
        } else {
            outln!(text, "{} violation(s):", violations.len());
            for v in &violations {
                outln!(text, "  {}", report::violation_line(v));
            }
        }
        super::output::emit(&text)?;
    }
    Ok(ExitCode::from(if violations.is_empty() {
        exit::SAFE
    } else {
        exit::VIOLATION
    }))
}
