//! A run as plain text for a mailing-list reply (`avic-lab open LINK --email`): at most
//! [`WIDTH`] columns a line, with the link, each violation, its cause and its deciding race, then
//! the steps.

use crate::analysis::{cause, race, Trace};
use crate::explore::Session;
use crate::share::{self, Link};
use crate::text::wrap;
use crate::timeline::Timeline;

/// The widest line.
pub const WIDTH: usize = 72;

fn para(out: &mut Vec<String>, text: &str, first: &str, rest: &str) {
    out.extend(wrap(text, WIDTH, first, rest));
}

/// `url` cut into lines of at most `WIDTH - indent` columns, at `&` where it can be.
fn link_lines(url: &str, indent: &str) -> Vec<String> {
    let room = WIDTH - indent.chars().count();
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (n, piece) in url.split('&').enumerate() {
        let piece = if n == 0 {
            piece.to_string()
        } else {
            format!("&{piece}")
        };
        if line.chars().count() + piece.chars().count() > room && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        line.push_str(&piece);
        while line.chars().count() > room {
            let head: String = line.chars().take(room).collect();
            line = line.chars().skip(room).collect();
            lines.push(head);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.into_iter().map(|l| format!("{indent}{l}")).collect()
}

/// The mail text of `session`'s whole run, opened from `link` served at `base` (e.g.
/// `https://HOST/`, or empty for just the query).
pub fn email(base: &str, link: &Link, session: &Session) -> String {
    let sim = session.sim();
    let mut full = session.clone();
    full.goto(full.len());
    let timeline = Timeline::from_session(&full);
    let trace = Trace::from_session(&full, full.len());
    let violations = full.violations();
    let mut out: Vec<String> = Vec::new();
    let kinds: Vec<String> = violations.iter().map(|v| v.kind.to_string()).collect();
    let mut kinds_seen = kinds.clone();
    kinds_seen.dedup();
    para(
        &mut out,
        &format!(
            "[avic-race-lab] {} x {} ({}): {}",
            sim.scenario.id,
            sim.strategy.name(),
            sim.memory.id(),
            if kinds_seen.is_empty() {
                "no violation".to_string()
            } else {
                kinds_seen.join(", ")
            }
        ),
        "",
        "    ",
    );
    out.push(String::new());
    out.push("The run in the lab (one link; join the lines if they are broken):".into());
    out.extend(link_lines(&format!("{base}{}", share::encode(link)), "  "));
    let mut marks: Vec<(usize, &'static str)> = Vec::new();
    for v in &violations {
        out.push(String::new());
        let at = if v.step == 0 {
            "in the initial state".to_string()
        } else {
            format!("at step {}", v.step)
        };
        para(
            &mut out,
            &format!("Violation: {} ({}), seen {at}.", v.kind, v.kind.severity()),
            "",
            "  ",
        );
        para(&mut out, &v.explanation, "  ", "  ");
        let c = cause::cause(sim, &trace, v);
        out.push("Cause:".into());
        for s in &c.steps {
            para(&mut out, &s.text, "  - ", "    ");
            marks.push((s.step, "cause"));
        }
        marks.push((c.detected, "seen"));
        let races = race::deciding_races(sim, &trace, v);
        match races.first() {
            Some(r) => {
                out.push("Deciding race:".into());
                para(&mut out, &r.text, "  ", "  ");
                para(
                    &mut out,
                    &format!(
                        "In the other order (schedule {}) the run has no {}.",
                        r.swapped, v.kind
                    ),
                    "  ",
                    "  ",
                );
                if races.len() > 1 {
                    para(
                        &mut out,
                        &format!("({} more pairs decide it too.)", races.len() - 1),
                        "  ",
                        "  ",
                    );
                }
                marks.push((r.first, "race"));
                marks.push((r.second, "race"));
            }
            None => para(
                &mut out,
                "Deciding race: no single pair of conflicting accesses decides it (swapping any one pair keeps it).",
                "",
                "  ",
            ),
        }
    }
    out.push(String::new());
    out.push(format!(
        "The run, step by step ({} steps):",
        timeline.rows.len()
    ));
    for r in &timeline.rows {
        let mut tags: Vec<&str> = marks
            .iter()
            .filter(|(s, _)| *s == r.step)
            .map(|(_, t)| *t)
            .collect();
        tags.dedup();
        let tag = if tags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", tags.join(", "))
        };
        let head = format!("{:>3}. ", r.step);
        para(
            &mut out,
            &format!("{}: {}{tag}", timeline.lanes[r.lane], r.code.trim()),
            &head,
            "       ",
        );
        for ch in &r.changes {
            para(
                &mut out,
                &format!("{}: {} -> {}", ch.label, ch.before, ch.after),
                "       ",
                "         ",
            );
        }
        for n in &r.notes {
            para(&mut out, &format!("({n})"), "       ", "        ");
        }
    }
    out.push(String::new());
    para(
        &mut out,
        "These are a model's verdicts (avic-race-lab), checked on a small world; they are not observations on hardware.",
        "",
        "",
    );
    let mut text = out
        .iter()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every lesson and the worst counterexample of a few cells: no line over 72 columns, the
    /// link in it, every violation with a cause.
    #[test]
    fn every_line_fits_72_columns() {
        let mut links: Vec<Link> = crate::lessons::all()
            .iter()
            .map(|l| share::lesson_link(l, 0))
            .collect();
        for (s, t) in [
            ("retarget-vs-old-owner", "linux-6.6"),
            ("repost-while-halting", "linux-6.17"),
            ("lock-order-affinity", "linux-6.17"),
        ] {
            let sim = crate::Sim::from_ids(s, t, "tso").unwrap();
            let r = crate::explore::check(&sim, &Default::default(), &mut |_| true);
            let ce = crate::explore::matrix::headline(&r).unwrap();
            let q = format!("?v=3&s={s}&t={t}&m=tso&r={}", ce.schedule);
            links.push(share::decode(&q).unwrap());
        }
        for link in links {
            let opened = link.open().unwrap();
            let text = email("https://example.org/lab/", &opened.link, &opened.session);
            for line in text.lines() {
                assert!(line.chars().count() <= WIDTH, "{line}");
            }
            assert!(text.contains("https://example.org/lab/?v="), "{text}");
            let mut full = opened.session.clone();
            full.goto(full.len());
            let violations = full.violations().len();
            assert_eq!(text.matches("\nViolation: ").count(), violations, "{text}");
            assert_eq!(text.matches("\nCause:").count(), violations, "{text}");
        }
    }
}
