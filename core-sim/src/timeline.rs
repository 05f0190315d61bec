//! A renderer-neutral record of a run: lanes per actor, one row per step with its state changes and
//! the violations that became true there.

use crate::analysis::{cause, race, zoom, Cause, Race, Story, Trace};
use crate::explore::Session;
use crate::oracle::Violation;
use crate::view;
pub use crate::view::{diff, Change};
use serde::{Deserialize, Serialize};

/// One step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// 1-based step number.
    pub step: usize,
    /// Lane (thread id).
    pub lane: usize,
    /// The schedule character.
    pub action: char,
    /// A store-buffer flush rather than a step.
    pub flush: bool,
    /// Operation title.
    pub op: String,
    /// Step label.
    pub label: String,
    /// Pseudo-code.
    pub code: String,
    /// Kernel function or hardware unit.
    pub func: String,
    /// State changes.
    pub changes: Vec<Change>,
    /// What the hardware or the kernel did, in words (doorbells, GA-log entries, wake-ups).
    pub notes: Vec<String>,
    /// Violations that became true here.
    pub violations: Vec<Violation>,
}

/// A whole run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    /// Title (scenario, strategy, memory model).
    pub title: String,
    /// Lane names.
    pub lanes: Vec<String>,
    /// Rows in order.
    pub rows: Vec<Row>,
    /// Violations present before any step.
    pub initial_violations: Vec<Violation>,
    /// Violations judged at the end of the run (lost wake-ups, deadlocks), if it has ended.
    pub final_violations: Vec<Violation>,
    /// The cause of each violation, in the order of [`Timeline::violations`].
    #[serde(default)]
    pub causes: Vec<Cause>,
    /// For each violation, the race that decides it (the first deciding pair of
    /// [`race::deciding_races`]; `None` when no single pair does), in the same order.
    #[serde(default)]
    pub races: Vec<Option<Race>>,
}

impl Timeline {
    /// The timeline of a session up to its current position.
    pub fn from_session(s: &Session) -> Timeline {
        let sim = s.sim();
        let mut rows = Vec::new();
        let mut before = view::cells(sim, s.state_at(0));
        for (i, r) in s.records().iter().enumerate() {
            let after = view::cells(sim, &r.after);
            let changes = diff(&before, &after);
            rows.push(Row {
                step: i + 1,
                lane: r.event.action.thread(),
                action: r.event.action.to_char(),
                flush: matches!(r.event.action, crate::Action::Flush(_)),
                op: r.event.op.clone(),
                label: r.event.label.clone(),
                code: r.event.code.clone(),
                func: r.event.func.clone(),
                changes,
                notes: r
                    .event
                    .facts
                    .iter()
                    .filter_map(|f| f.describe(r.event.action.thread(), sim))
                    .collect(),
                violations: r.violations.clone(),
            });
            before = after;
        }
        let all = s.violations();
        let initial_violations = all.iter().filter(|v| v.step == 0).cloned().collect();
        let final_violations = if s.is_terminal() {
            crate::oracle::check_terminal(sim, s.state(), s.position())
        } else {
            Vec::new()
        };
        let trace = Trace::from_session(s, s.position());
        let mut causes = Vec::new();
        let mut races = Vec::new();
        for v in s.violations() {
            causes.push(cause::cause(sim, &trace, &v));
            races.push(race::deciding_races(sim, &trace, &v).into_iter().next());
        }
        Timeline {
            causes,
            races,
            title: format!(
                "{} · {} · {}",
                sim.scenario.id,
                sim.strategy.name(),
                sim.memory.id()
            ),
            lanes: sim.threads.iter().map(|t| t.name.clone()).collect(),
            rows,
            initial_violations,
            final_violations,
        }
    }

    /// Every violation in order.
    pub fn violations(&self) -> Vec<&Violation> {
        self.initial_violations
            .iter()
            .chain(self.rows.iter().flat_map(|r| r.violations.iter()))
            .chain(self.final_violations.iter())
            .collect()
    }

    /// Steps that caused a violation (made it true or wrote what it read), in order.
    pub fn cause_steps(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.causes.iter().flat_map(|c| c.step_numbers()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The cause of a violation of this timeline, if it was worked out.
    pub fn cause_of(&self, v: &Violation) -> Option<&Cause> {
        let n = self.violations().iter().position(|w| *w == v)?;
        self.causes.get(n)
    }

    /// The deciding race of a violation, if one pair decides it.
    pub fn race_of(&self, v: &Violation) -> Option<&Race> {
        let n = self.violations().iter().position(|w| *w == v)?;
        self.races.get(n)?.as_ref()
    }

    /// A plain-text step list, for terminals and snapshot tests.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n", self.title);
        for v in &self.initial_violations {
            out.push_str(&format!("  !! at start: [{}] {}\n", v.kind, v.explanation));
            self.why_text(v, &mut out);
        }
        for r in &self.rows {
            self.row_text(r, &mut out);
        }
        self.end_text(&mut out);
        out
    }

    /// The story of this timeline's run (which must be `s`'s whole recorded run): its deciding
    /// races are the ones this timeline worked out.
    pub fn story(&self, s: &Session) -> Story {
        let trace = Trace::from_session(s, self.rows.len());
        let pairs: Vec<(usize, usize)> = self
            .races
            .iter()
            .flatten()
            .map(|r| (r.first, r.second))
            .collect();
        zoom::story(s.sim(), &trace, &pairs)
    }

    /// The run as its story (`avic-lab open --zoom`): each collapsed group one line
    /// "  2–5. vCPU0 thread  ▸ avic_vcpu_put → … (4 steps: …)", every other step as
    /// [`Timeline::to_text`] prints it, in the story's order.
    pub fn to_story_text(&self, story: &Story) -> String {
        let mut out = format!(
            "{} · story: {} line(s) for {} micro-step(s)\n",
            self.title,
            story.lines(),
            story.micro
        );
        for v in &self.initial_violations {
            out.push_str(&format!("  !! at start: [{}] {}\n", v.kind, v.explanation));
            self.why_text(v, &mut out);
        }
        for &k in &story.order {
            match story.steps.iter().find(|g| g.steps.contains(&k)) {
                Some(g) if g.collapsed => {
                    if g.steps[0] == k {
                        let range = format!("{}.", g.range());
                        out.push_str(&format!(
                            "{range:>8} {:<24} ▸ {} ({})\n",
                            self.lanes[g.thread],
                            g.title,
                            crate::text::clip(&g.summary, 80)
                        ));
                    }
                }
                _ => {
                    if let Some(r) = self.rows.get(k.wrapping_sub(1)) {
                        self.row_text(r, &mut out);
                    }
                }
            }
        }
        self.end_text(&mut out);
        out
    }

    fn row_text(&self, r: &Row, out: &mut String) {
        let who = &self.lanes[r.lane];
        out.push_str(&format!("{:>3}. {:<28} {}\n", r.step, who, r.code.trim()));
        for c in &r.changes {
            out.push_str(&format!("       {}: {} → {}\n", c.label, c.before, c.after));
        }
        for n in &r.notes {
            out.push_str(&format!("       ({n})\n"));
        }
        for v in &r.violations {
            out.push_str(&format!("  !! [{}] {}\n", v.kind, v.explanation));
            self.why_text(v, out);
        }
    }

    fn end_text(&self, out: &mut String) {
        for v in &self.final_violations {
            out.push_str(&format!(
                "  !! at the end: [{}] {}\n",
                v.kind, v.explanation
            ));
            self.why_text(v, out);
        }
    }

    /// The cause and the deciding race of `v`, as lines under it.
    fn why_text(&self, v: &Violation, out: &mut String) {
        if let Some(c) = self.cause_of(v) {
            out.push_str(&format!("     {}\n", c.summary()));
        }
        if let Some(r) = self.race_of(v) {
            out.push_str(&format!(
                "     Deciding race: {} (in the other order, schedule {}, it does not happen).\n",
                r.text, r.swapped
            ));
        }
    }
}
