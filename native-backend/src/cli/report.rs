//! Shared rendering: counterexamples as step lists, JSON pieces, SVG files.

use super::sim_args::{quote, SimArgs};
use anyhow::{Context, Result};
use core_sim::explore::{Counterexample, Session};
use core_sim::timeline::Timeline;
use core_sim::{Sim, Violation};
use serde::Serialize;
use std::path::Path;

/// The replay command line for a schedule.
pub fn replay_line(args: &SimArgs, sim: &Sim, schedule: &str) -> String {
    format!("avic-lab replay {} {}", args.to_cli(sim), quote(schedule))
}

/// The timeline of a counterexample, replayed.
pub fn timeline(sim: &Sim, ce: &Counterexample) -> Result<Timeline> {
    let schedule = ce.schedule.to_string();
    let session = Session::replay(sim, &schedule)
        .with_context(|| format!("internal: counterexample '{schedule}' does not replay"))?;
    Ok(Timeline::from_session(&session))
}

/// A violation as one line: `[kind] (severity) explanation`.
pub fn violation_line(v: &Violation) -> String {
    format!(
        "[{}] ({}) step {}: {}",
        v.kind,
        v.kind.severity(),
        v.step,
        v.explanation
    )
}

/// A counterexample as readable text: a heading, the explanation, the step list, the replay line.
pub fn counterexample_text(args: &SimArgs, sim: &Sim, ce: &Counterexample) -> Result<String> {
    let t = timeline(sim, ce)?;
    let schedule = ce.schedule.to_string();
    let kind = ce.violation.kind;
    let mut out = format!(
        "── {} ({}) · {} steps · schedule {}\n",
        kind,
        kind.severity(),
        ce.schedule.0.len(),
        schedule
    );
    out.push_str(&format!("   {}\n", ce.violation.explanation));
    // Skip the timeline's title line: the report's heading already names the world.
    for line in t.to_text().lines().skip(1) {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!(
        "   replay: {}\n",
        replay_line(args, sim, &schedule)
    ));
    Ok(out)
}

/// A counterexample as JSON, with its timeline.
#[derive(Serialize)]
pub struct CounterexampleJson {
    pub kind: &'static str,
    pub severity: core_sim::vocab::Severity,
    pub steps: usize,
    pub schedule: String,
    pub explanation: String,
    pub replay: String,
    pub timeline: Timeline,
}

/// A counterexample as JSON, with its timeline.
pub fn counterexample_json(
    args: &SimArgs,
    sim: &Sim,
    ce: &Counterexample,
) -> Result<CounterexampleJson> {
    let t = timeline(sim, ce)?;
    let schedule = ce.schedule.to_string();
    Ok(CounterexampleJson {
        kind: ce.violation.kind.id(),
        severity: ce.violation.kind.severity(),
        steps: ce.schedule.0.len(),
        replay: replay_line(args, sim, &schedule),
        schedule,
        explanation: ce.violation.explanation.clone(),
        timeline: t,
    })
}

/// Render a timeline to an SVG file.
pub fn write_svg(path: &Path, t: &Timeline) -> Result<()> {
    let svg = core_sim::svg::render(t, None);
    std::fs::write(path, svg).with_context(|| format!("cannot write SVG '{}'", path.display()))
}

/// Draw the machine picture after `step` steps of a session's run to an SVG file.
pub fn write_picture(path: &Path, session: &core_sim::explore::Session, step: usize) -> Result<()> {
    let scene = core_sim::scene::Scene::at(session, step);
    let svg = core_sim::svg::picture(&scene);
    std::fs::write(path, svg)
        .with_context(|| format!("cannot write the picture SVG '{}'", path.display()))
}

/// Parse a violation kind id.
pub fn kind(id: &str) -> Result<core_sim::ViolationKind> {
    core_sim::ViolationKind::from_id(id).ok_or_else(|| {
        let ids: Vec<&str> = core_sim::ViolationKind::ALL
            .iter()
            .map(|k| k.id())
            .collect();
        anyhow::anyhow!("unknown violation kind '{id}'; known: {}", ids.join(", "))
    })
}
