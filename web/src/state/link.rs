//! Share links and the state: the page a link opens (every problem of the link a notice, the
//! rest of the page working), and the link of what is on screen.

use super::{
    clip, AppState, Chrome, Compare, Editor, Guided, Job, Level, MatrixState, Playing, Run, World,
};
use super::{PatchDraft, PatchMsg, Stops};
use crate::url::{self, Link, ScenarioRef, View};
use core_sim::share::welcome;
use core_sim::Scenario;
use core_sim::{challenges, lessons};

impl AppState {
    /// The page opened with this link; `errors` are the link's decoding messages.
    pub fn from_link(link: &Link, errors: Vec<String>) -> AppState {
        let mut s = AppState {
            world: World::new(link.knobs, link.memory),
            run: Run::default(),
            check: Job::Idle,
            matrix: MatrixState::new(link.memory),
            lesson: None,
            challenge: None,
            chrome: Chrome::new(link.view, link.theme, link.embed),
            compare: Compare {
                against: link.against.filter(|_| link.view != View::Lesson),
            },
            editor: None,
            hang: None,
            patch_editor: PatchDraft::default(),
            stops: Stops::default(),
        };
        for e in errors {
            s.chrome.notify(Level::Error, e);
        }
        let first = s.world.scenario.id.clone();
        match &link.scenario {
            ScenarioRef::Shipped(id) => match s.world.scenarios.iter().find(|sc| &sc.id == id) {
                Some(sc) => s.world.scenario = sc.clone(),
                None => {
                    let known: Vec<&str> =
                        s.world.scenarios.iter().map(|s| s.id.as_str()).collect();
                    let text = format!(
                        "The link names a scenario this lab does not have: '{}'. Known: {}. Showing '{first}'.",
                        clip(id, core_sim::text::MAX_ECHO),
                        known.join(", "),
                    );
                    s.chrome.notify(Level::Error, text);
                }
            },
            ScenarioRef::Json(json) => match Scenario::from_json(json) {
                Ok(sc) => s.world.adopt(sc),
                Err(e) => s.chrome.notify(
                    Level::Error,
                    format!("The link's scenario cannot run: {e}. Showing '{first}' instead."),
                ),
            },
            // The editor's draft may break a rule: it opens in the editor with the rule shown
            // next to its field; any other view needs a scenario that runs.
            ScenarioRef::Compact(text) => match Scenario::parse_compact(text) {
                Ok(sc) if link.view == View::Editor => {
                    if sc.check().is_ok() {
                        s.world.adopt(sc.clone());
                    }
                    s.editor = Some(Editor::new(sc));
                }
                Ok(sc) => match sc.validate() {
                    Ok(()) => s.world.adopt(sc),
                    Err(e) => s.chrome.notify(
                        Level::Error,
                        format!("The link's scenario cannot run: {e}. Showing '{first}' instead."),
                    ),
                },
                Err(e) => s.chrome.notify(
                    Level::Error,
                    format!(
                        "The link's scenario text cannot be read: {}. Showing '{first}' instead.",
                        clip(&e.to_string(), 300)
                    ),
                ),
            },
        }
        if link.view == View::Editor && s.editor.is_none() {
            s.editor = Some(Editor::new(s.world.scenario.clone()));
        }
        if let Some(pg) = &link.program {
            s.open_patch(pg, link.embed);
        }
        s.world_changed();
        // A link of an earlier version counts the first model's coarser steps: the same run in
        // today's steps (the core translates it).
        let current;
        let link = match (
            link.legacy_steps,
            s.run.session.as_ref().map(|x| x.sim().clone()),
        ) {
            (true, Some(sim)) => {
                let (l, problem) = link.in_current_steps_lenient(&sim);
                if let Some(e) = problem {
                    s.chrome.notify(
                        Level::Error,
                        format!(
                            "The link's schedule cannot be replayed in this scenario: {e}. Showing the {} step(s) before it.",
                            l.schedule.chars().count()
                        ),
                    );
                }
                current = l;
                &current
            }
            _ => link,
        };
        if !link.schedule.is_empty() {
            s.load(&link.schedule, "The link's schedule");
        }
        if let (Some(step), Some(session)) = (link.step, s.run.session.as_ref()) {
            let len = session.len();
            if step > len {
                s.chrome.notify(
                    Level::Error,
                    format!("The link asks for step {step}, but the run has only {len} steps; showing step {len}."),
                );
            }
            s.run.goto(step.min(len));
        }
        s.lesson = match (link.view, &link.lesson) {
            (View::Lesson, Some(id)) => lessons::by_id(id).ok().map(Guided::new),
            _ => None,
        };
        s.challenge = match (link.view, &link.challenge) {
            (View::Challenge, Some(id)) => challenges::by_id(id).ok().map(Playing::new),
            _ => None,
        };
        s.judge_challenge();
        s
    }

    /// A link's edited programs (`pg=`): applied to the world, with the editor open on the first
    /// one (not in an embed); a code that does not decode or fit is a notice, and the world keeps
    /// its own programs.
    fn open_patch(&mut self, pg: &str, embed: bool) {
        let patch = self.world.base_sim().and_then(|sim| {
            let patch = core_sim::share::program::decode_patch(&sim, pg)?;
            core_sim::Sim::with_patch(sim.scenario, sim.strategy, sim.memory, patch.clone())
                .map_err(|e| e.to_string())?;
            Ok(patch)
        });
        match patch {
            Ok(p) => {
                self.world.patch = Some(p);
                if !embed {
                    self.patch_editor.apply(PatchMsg::Open, &self.world);
                }
            }
            Err(e) => self.chrome.notify(
                Level::Error,
                format!("The link's edited programs cannot be applied: {e}. Showing the strategy's own programs."),
            ),
        }
    }

    /// The link for what is on screen.
    pub fn link(&self) -> Link {
        let mut link = Link {
            scenario: self.world.scenario_ref(),
            knobs: self.world.knobs,
            memory: self.world.memory,
            schedule: self.run.schedule(),
            step: self.run.session.as_ref().map(|s| s.position()),
            view: self.chrome.view,
            against: self.compare.against,
            program: self.world.patch_code(),
            ..Link::default()
        };
        if let (View::Editor, Some(e)) = (self.chrome.view, &self.editor) {
            // The draft, even one that breaks a rule (it reopens with the rule shown).
            if let Some(text) = e.draft.to_compact() {
                link.scenario = ScenarioRef::Compact(text);
            }
        }
        if let Some(g) = &self.lesson {
            // A lesson link names only the lesson and the step; the lesson holds the world.
            link.view = View::Lesson;
            link.lesson = Some(g.lesson.id.to_string());
            link.against = None;
            link.program = None;
        }
        if let Some(p) = &self.challenge {
            // A challenge link names the challenge (the world comes with it) and the player's run.
            link.view = View::Challenge;
            link.challenge = Some(p.challenge.id.to_string());
            link.against = None;
        }
        link.embed = self.chrome.embed;
        link.theme = self.chrome.link_theme();
        link
    }
}

/// The state for a query string (the page's first state, and tests). A bare address (no query)
/// opens the core's first-visit world, one click from a hang, with the welcome card.
pub fn from_query(query: &str) -> AppState {
    if welcome::is_bare(query) {
        let mut s = AppState::from_link(&welcome::first_visit(), Vec::new());
        s.chrome.welcome = true;
        return s;
    }
    let (link, problems) = url::decode_lenient(query);
    let mut s = AppState::from_link(&link, problems.iter().map(url::problem_text).collect());
    if s.chrome.notices.iter().any(|n| n.level == Level::Error) {
        s.chrome.bad_link = Some(core_sim::text::clip(query, MAX_SHOWN_LINK).into_owned());
    }
    s
}

/// The most of a bad link the page shows back (characters).
pub const MAX_SHOWN_LINK: usize = 8192;
