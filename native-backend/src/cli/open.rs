//! `avic-lab open`: open a share link (or a lesson) from the web app on the terminal: the same
//! world and run, printed step by step, with the link's step marked and a lesson's notes in place.

use super::exit;
use super::report;
use anyhow::{Context, Result};
use clap::Args;
use core_sim::lessons::{self, Lesson};
use core_sim::share::{self, Link, View};
use core_sim::timeline::Timeline;
use core_sim::{Sim, Strategy};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `avic-lab open`.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// A share link from the web app (the whole URL or just its `?…` query), or a lesson id
    /// (see `--lessons`).
    #[arg(value_name = "LINK|LESSON", required_unless_present = "lessons")]
    pub link: Option<String>,
    /// List the lessons and exit.
    #[arg(long)]
    pub lessons: bool,
    /// Also check each lesson claim exhaustively and print the result.
    #[arg(long)]
    pub verify: bool,
    /// Print JSON (the link, the timeline and violations) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Draw the run as an SVG sequence diagram.
    #[arg(long, value_name = "OUT.svg")]
    pub svg: Option<PathBuf>,
    /// Replace operations of the link's world with these programs (the link then carries them:
    /// `--json` prints it).
    #[arg(long, value_name = "FILE")]
    pub program_file: Option<PathBuf>,
    /// Draw the machine picture (pCPUs, vCPUs, IRTE arrows, GA log) at the link's step as SVG.
    #[arg(long, value_name = "OUT.svg")]
    pub picture: Option<PathBuf>,
    /// Print the run as 72-column plain text for a mailing-list reply: the link, each violation
    /// with its cause and deciding race, then the steps.
    #[arg(long, conflicts_with_all = ["json", "verify"])]
    pub email: bool,
    /// Print the run as its story: each kernel operation call whose steps race with nothing one
    /// line (`core_sim::analysis::zoom`), the deciding race and the violations in micro-steps.
    /// With `--json`, the story's macro steps are added as "story".
    #[arg(long, conflicts_with_all = ["email"])]
    pub zoom: bool,
}

/// Run `avic-lab open`.
pub fn run(args: OpenArgs) -> Result<ExitCode> {
    if args.lessons {
        return list_lessons(args.json);
    }
    let text = args.link.as_deref().unwrap_or_default().trim();
    let mut link = resolve(text).context("cannot open the link")?;
    if let Some(path) = &args.program_file {
        let base = link
            .with_lesson_world()
            .map_err(anyhow::Error::new)
            .and_then(|l| {
                Ok(Sim::new(
                    l.scenario()?,
                    Strategy::custom(l.knobs),
                    l.memory,
                )?)
            })
            .context("cannot open the link")?;
        let name = core_sim::text::shown(&path.display().to_string(), 200);
        let patch = super::sim_args::load_program_file(path)?;
        // Check it here, for errors at FILE:line:col rather than in the link's words.
        let checked = Sim::with_patch(base.scenario.clone(), base.strategy, base.memory, patch)
            .map_err(|e| {
                anyhow::anyhow!(
                    "program file '{name}' does not fit the link's world:\n{}",
                    prefixed(&name, &e)
                )
            })?;
        let patch = checked.patch.expect("a patched world has its patch");
        link.program = Some(share::program::encode_patch(&base, &patch));
    }
    let lesson = link
        .lesson
        .as_deref()
        .and_then(|id| lessons::by_id(id).ok());
    let opened = link.open().context("cannot open the link")?;
    let mut session = opened.session;
    let at = session.position();
    session.goto(session.len());
    let timeline = Timeline::from_session(&session);
    let violations = session.violations();
    if let Some(path) = &args.svg {
        report::write_svg(path, &timeline)?;
    }
    if let Some(path) = &args.picture {
        report::write_picture(path, &session, at)?;
    }
    let code = ExitCode::from(if violations.is_empty() {
        exit::SAFE
    } else {
        exit::VIOLATION
    });
    if args.email {
        let text = core_sim::mail::email(base_of(text), &opened.link, &session);
        super::output::emit(&text)?;
        return Ok(code);
    }
    if args.json {
        let mut out = json!({
            "link": share::encode(&opened.link),
            "lesson": lesson.map(|l| l.id),
            "scenario": opened.sim.scenario.id,
            "strategy": opened.sim.strategy.name(),
            "memory_model": opened.sim.memory.id(),
            "schedule": opened.link.schedule,
            "step": at,
            "violations": violations,
            "timeline": timeline,
        });
        if let Some(e) = super::sim_args::edited(&opened.sim) {
            out["edited"] = json!(e);
        }
        if args.zoom {
            out["story"] = json!(timeline.story(&session));
        }
        super::output::emit_json(&out)?;
        return Ok(code);
    }
    let mut text = String::new();
    if let Some(p) = &opened.sim.patch {
        outln!(text, "{}", super::sim_args::patched_ops(p));
    }
    if let Some(l) = lesson {
        outln!(text, "Lesson {}: {}", l.number, l.title);
    }
    let mut notes = lesson
        .map(|l| l.notes)
        .unwrap_or_default()
        .iter()
        .peekable();
    let printed = if args.zoom {
        timeline.to_story_text(&timeline.story(&session))
    } else {
        timeline.to_text()
    };
    for line in printed.lines() {
        let step = step_number(line);
        if let Some(n) = step {
            while let Some(note) = notes.next_if(|note| note.at < n) {
                outln!(text, "\n  ▶ {}\n", note.text);
            }
            if link.view != View::Lesson && n == at + 1 && at > 0 {
                outln!(
                    text,
                    "  ── the link shows the state here, after step {at} ──"
                );
            }
        }
        outln!(text, "{line}");
    }
    for note in notes {
        outln!(text, "\n  ▶ {}", note.text);
    }
    if let Some(l) = lesson {
        lesson_footer(&mut text, l, args.verify);
    }
    outln!(text);
    let judged = if opened.sim.scenario.oracles.is_empty() {
        "no oracle selected: nothing was checked".to_string()
    } else {
        format!("{} violation(s)", violations.len())
    };
    outln!(
        text,
        "{} step(s), {judged}{}",
        session.len(),
        if link.view == View::Lesson {
            String::new()
        } else {
            format!("; the link's step: {at}")
        }
    );
    super::output::emit(&text)?;
    Ok(code)
}

/// The address the link was served at (`https://HOST/`), for the mail's link: kept only when it
/// is a plain http(s) address of at most 200 characters, else the mail gives just the query.
fn base_of(text: &str) -> &str {
    let Some((base, _)) = text.split_once('?') else {
        return "";
    };
    let plain = base.len() <= 200
        && (base.starts_with("http://") || base.starts_with("https://"))
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~:/[]@%".contains(c));
    if plain {
        base
    } else {
        ""
    }
}

fn step_number(line: &str) -> Option<usize> {
    line.trim_start()
        .split_once(". ")
        .and_then(|(n, _)| n.parse().ok())
}

fn lesson_footer(text: &mut String, l: &Lesson, verify: bool) {
    outln!(text, "\nTakeaway: {}", l.takeaway);
    outln!(
        text,
        "\nClaims{}:",
        if verify {
            " (checked now, every interleaving)"
        } else {
            " (add --verify to check them)"
        }
    );
    for c in l.claims {
        if verify {
            let r = c.verify();
            let mark = if r.holds { "✓" } else { "✗" };
            outln!(text, "  {mark} {c}: {}", r.detail);
        } else {
            outln!(text, "  - {c}");
        }
    }
    if !l.commits.is_empty() {
        outln!(text, "\nKernel history:");
        for c in l.commits {
            outln!(text, "  {} {}\n      {}", c.id, c.title, c.url());
        }
    }
}

fn list_lessons(as_json: bool) -> Result<ExitCode> {
    if as_json {
        let out: Vec<_> = lessons::all()
            .iter()
            .map(|l| {
                json!({
                    "id": l.id, "number": l.number, "title": l.title,
                    "scenario": l.scenario, "strategy": l.strategy, "memory_model": l.memory.id(),
                    "schedule": l.schedule, "link": share::encode(&share::lesson_link(l, 0)),
                })
            })
            .collect();
        super::output::emit_json(&out)?;
    } else {
        let mut text = String::new();
        for l in lessons::all() {
            outln!(text, "{}. {:<16} {}", l.number, l.id, l.title);
        }
        outln!(text, "\nopen one with: avic-lab open <id>");
        super::output::emit(&text)?;
    }
    Ok(ExitCode::from(exit::SAFE))
}

/// The link a lesson id or a share link stands for. Text without `?` or `=` is a lesson id.
pub fn resolve(text: &str) -> Result<Link> {
    if !text.contains(['?', '=']) {
        return Ok(share::lesson_link(lessons::by_id(text)?, 0));
    }
    Ok(share::decode(share::query_of(text))?)
}

/// A patch error with each line prefixed by the file name.
fn prefixed(name: &str, e: &core_sim::sim::PatchError) -> String {
    match e {
        core_sim::sim::PatchError::Program(errors) => {
            core_sim::program::text::report(&format!("{name}:"), errors)
        }
        other => other.to_string(),
    }
}
