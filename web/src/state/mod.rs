//! The page's state, in rooms: each room is a sub-state with its own messages and its own
//! `apply`, tested beside it. Pure Rust over `core_sim` (no browser API), so every transition is
//! unit-tested natively; side effects (workers, URL, theme) live in `crate::hooks`.
//!
//! - [`world`]: scenario, strategy knobs, memory model;
//! - [`run`]: the session and its playback (Play, pace, back / forward / goto, random runs);
//!   [`ask`]: a thread's key during a replay asks before it leaves the recorded run;
//! - [`check`] and [`matrix`]: the worker jobs, on one life cycle ([`job`]);
//! - [`lesson`]: a guided lesson and its claims;
//! - [`challenge`]: a challenge being played (its hint ladder from the worker's proof, the win
//!   as the core judges the page's own run);
//! - [`chrome`]: view, overlay, notices, theme;
//! - [`compare`]: the second world of the diff view;
//! - [`editor`]: the scenario editor's draft, undo and redo;
//! - [`patch`]: the patch editor (an operation's program text, applied to the world); [`stops`]: what stops the run on screen;
//! - [`link`]: the state a share link opens, and the link of the state on screen.
//!
//! [`AppState`] composes the rooms and routes each [`Msg`] to its room. Where a room's change
//! reaches into another (a new world starts a fresh run and makes the check stale, a lesson or a
//! matrix cell sets the world, a finished check loads its counterexample, a challenge's proof
//! arrives as a check report), it happens here, in
//! [`AppState::apply`] and the few methods below it, and nowhere else.

pub mod ask;
pub mod challenge;
pub mod check;
pub mod chrome;
pub mod compare;
pub mod editor;
pub mod host;
pub mod job;
pub mod lesson;
mod link;
pub mod matrix;
pub mod patch;
pub mod run;
pub mod stops;
#[cfg(test)]
mod tests;
pub mod world;

pub use challenge::{ChallengeMsg, Playing, Proof};
pub use check::{CheckMsg, CheckState, CheckSummary};
pub use chrome::{Chrome, ChromeMsg, Level, Notice, Overlay, Say};
pub use compare::{Compare, CompareMsg};
pub use editor::{EditMsg, Editor};
pub use host::{HostMsg, HostState};
pub use job::Job;
pub use lesson::{ClaimStatus, Guided, LessonMsg};
pub use link::from_query;
pub use matrix::{MatrixMsg, MatrixState};
pub use patch::{PatchDraft, PatchMsg};
pub use run::{full_schedule, Run, RunMsg, PACES};
pub use stops::{Stops, StopsMsg};
pub use world::{World, WorldMsg};

use crate::url::View;
use core_sim::challenges;
use core_sim::lessons::{self, Lesson};
use std::rc::Rc;
use yew::Reducible;

/// Everything the page shows: the rooms.
#[derive(Clone, Debug)]
pub struct AppState {
    /// What runs.
    pub world: World,
    /// The run on screen and its playback.
    pub run: Run,
    /// Find a race.
    pub check: CheckState,
    /// The matrix.
    pub matrix: MatrixState,
    /// The lesson being played (guided mode), if any.
    pub lesson: Option<Guided>,
    /// The challenge being played, if any.
    pub challenge: Option<Playing>,
    /// View, overlay, notices, theme.
    pub chrome: Chrome,
    /// The diff view's second world.
    pub compare: Compare,
    /// The scenario editor's draft (once the editor was opened).
    pub editor: Option<Editor>,
    /// The job finding the welcome card's hang, while it runs (a new world forgets it).
    pub hang: Option<u64>,
    /// The patch editor.
    pub patch_editor: PatchDraft,
    /// What stops the run on screen.
    pub stops: Stops,
}

/// Everything that can happen: a room's own message, or one of the moves that span rooms.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// The world changed (a fresh run follows; the check and the lesson are dropped).
    World(WorldMsg),
    /// The run or its playback.
    Run(RunMsg),
    /// The explorer's check.
    Check(CheckMsg),
    /// The matrix.
    Matrix(MatrixMsg),
    /// The lesson's claims.
    Lesson(LessonMsg),
    /// View chrome.
    Chrome(ChromeMsg),
    /// The diff view.
    Compare(CompareMsg),
    /// The challenge being played.
    Challenge(ChallengeMsg),
    /// Start a challenge, by id: its world, a fresh run, the challenge view.
    OpenChallenge(String),
    /// An edit in the scenario editor (or undo / redo).
    Edit(EditMsg),
    /// Open the scenario editor on the scenario on screen.
    OpenEditor,
    /// Run the editor's draft: it becomes the world, in the explorer (refused, saying why, while
    /// it breaks a rule).
    RunDraft,
    /// "Show me the hang", answered by the check worker.
    Hang(HangMsg),
    /// The patch editor (Apply and Revert change the world's programs).
    PatchDraft(PatchMsg),
    /// What stops the run on screen.
    Stops(StopsMsg),
    /// Switch view (leaving a lesson keeps its world and run).
    SetView(View),
    /// Start a lesson, by id, at its first step.
    OpenLesson(String),
    /// Leave guided mode at the current step, keeping the world and the run.
    TakeOver,
    /// Open a matrix cell in the explorer at its first counterexample.
    OpenCell(usize),
    /// The browser went Back or Forward to this link (`?…`): the page it names, keeping the
    /// matrix's results, the viewer's theme (unless the link names one) and Play's pace.
    Navigate(String),
    /// The presenter window shows this link (`?…`): the projected window follows (a
    /// [`Msg::Navigate`] unless it shows that link already).
    Follow(String),
}

macro_rules! room_msg {
    ($($room:ident($t:ty)),*) => {$(
        impl From<$t> for Msg {
            fn from(m: $t) -> Msg {
                Msg::$room(m)
            }
        }
    )*};
}
room_msg!(
    World(WorldMsg),
    Run(RunMsg),
    Check(CheckMsg),
    Matrix(MatrixMsg),
    Lesson(LessonMsg),
    Chrome(ChromeMsg),
    Compare(CompareMsg),
    Challenge(ChallengeMsg),
    Edit(EditMsg),
    Hang(HangMsg),
    PatchDraft(PatchMsg),
    Stops(StopsMsg)
);

/// The welcome card's "Show me the hang": the page asks the check worker for the shortest
/// schedule to a lost wake-up in the world on screen and replays it to its end.
#[derive(Clone, Debug, PartialEq)]
pub enum HangMsg {
    /// Job `0` was sent for the world on screen.
    Asked(u64),
    /// The worker's answer: the schedule, or none if the world cannot hang.
    Found(u64, Option<String>),
    /// The job failed.
    Failed(u64, String),
}

/// The hint while the worker looks for the hang.
pub const FINDING_HANG: &str = "Finding the shortest run to the hang…";

impl AppState {
    /// Apply one message: route it to its room, then carry out what it means for the others.
    pub fn apply(&mut self, msg: impl Into<Msg>) {
        let msg = msg.into();
        if matches!(
            msg,
            Msg::World(_)
                | Msg::SetView(_)
                | Msg::OpenLesson(_)
                | Msg::OpenChallenge(_)
                | Msg::TakeOver
                | Msg::OpenCell(_)
                | Msg::Navigate(_)
                | Msg::Follow(_)
                | Msg::OpenEditor
                | Msg::RunDraft
        ) {
            self.run.playing = false;
        }
        match msg {
            Msg::World(m) => match self.world.apply(m) {
                Ok(()) => self.world_changed(),
                Err(e) => self.chrome.notify(Level::Error, e),
            },
            // How the timeline is drawn: the run, its playback and the lesson are untouched.
            Msg::Run(RunMsg::SetZoom(on)) => self.run.zoom = on,
            Msg::Run(RunMsg::Act(a) | RunMsg::Key(a)) if self.lesson.is_some() => {
                // The lesson schedules: the pane says how to take over instead.
                self.run.playing = false;
                if let Some(g) = self.lesson.as_mut() {
                    g.apply(LessonMsg::Clicked(a.thread()));
                }
            }
            Msg::Run(m) => {
                if let Some(g) = self.lesson.as_mut() {
                    g.apply(LessonMsg::Moved);
                }
                if let Some(say) = self.run.apply(m, self.lesson.is_some()) {
                    self.chrome.say(say);
                }
            }
            Msg::Check(m) if self.challenge_job(&m) => {
                if let Some(p) = self.challenge.as_mut() {
                    match m {
                        CheckMsg::Done(id, report, ..) => p.apply(ChallengeMsg::Proved(id, report)),
                        CheckMsg::Failed(id, e) => p.apply(ChallengeMsg::ProofFailed(id, e)),
                        _ => {}
                    }
                }
            }
            Msg::Challenge(m) => {
                if let Some(p) = self.challenge.as_mut() {
                    p.apply(m);
                }
            }
            Msg::OpenChallenge(id) => match challenges::by_id(&id) {
                Ok(c) => self.enter_challenge(c),
                Err(e) => self.chrome.notify(Level::Error, format!("{e}.")),
            },
            Msg::Check(m) => {
                if let Some(worst) = self.check.apply(m) {
                    if let Some(say) = self.run.load_counterexample(&worst) {
                        self.chrome.say(say);
                    }
                }
            }
            Msg::Matrix(m) => self.matrix.apply(m),
            Msg::Lesson(m) => {
                if let Some(g) = self.lesson.as_mut() {
                    g.apply(m);
                }
            }
            Msg::Chrome(m) => self.chrome.apply(m),
            Msg::Compare(m) => {
                if let Err(e) = self.compare.apply(m) {
                    self.chrome.notify(Level::Error, e);
                }
            }
            Msg::PatchDraft(m) => {
                if let Some(patch) = self.patch_editor.apply(m, &self.world) {
                    self.world.patch = patch;
                    self.world_changed();
                }
            }
            Msg::Stops(m) => self.stops.apply(m),
            Msg::Hang(m) => self.hang_msg(m),
            Msg::Edit(m) => {
                if let Some(e) = self.editor.as_mut() {
                    e.apply(m);
                }
            }
            Msg::OpenEditor => {
                self.lesson = None;
                self.editor = Some(Editor::new(self.world.scenario.clone()));
                self.chrome.view = View::Editor;
            }
            Msg::RunDraft => self.run_draft(),
            Msg::SetView(v) => {
                // Leaving a lesson (or a challenge) for the explorer takes over its run; the
                // Lessons and Challenges tabs list them.
                self.lesson = None;
                self.challenge = None;
                self.chrome.view = v;
            }
            Msg::OpenLesson(id) => match lessons::by_id(&id) {
                Ok(l) => self.enter_lesson(l, 0),
                Err(e) => self.chrome.notify(Level::Error, format!("{e}.")),
            },
            Msg::TakeOver => {
                self.lesson = None;
                self.chrome.view = View::Explorer;
            }
            Msg::OpenCell(i) => self.open_cell(i),
            Msg::Navigate(query) => self.navigate(&query),
            Msg::Follow(query) => {
                if crate::url::encode(&self.link()) != query {
                    self.navigate(&query);
                }
            }
        }
        self.judge_challenge();
    }

    /// Whether a check message is about the challenge's proof (not the explorer's check).
    fn challenge_job(&self, m: &CheckMsg) -> bool {
        let id = match m {
            CheckMsg::Started(id)
            | CheckMsg::Progress(id, _)
            | CheckMsg::Done(id, ..)
            | CheckMsg::Failed(id, _) => *id,
            CheckMsg::Cancelled => return false,
        };
        self.challenge.as_ref().is_some_and(|p| p.owns(id))
    }

    /// The core judges the run on screen for the challenge being played.
    pub(super) fn judge_challenge(&mut self) {
        let run = self.run.session.as_deref();
        if let Some(p) = self.challenge.as_mut() {
            p.observe(run);
        }
    }

    /// Play `challenge` from the start: its world, a fresh run, the challenge view.
    fn enter_challenge(&mut self, c: &'static core_sim::challenges::Challenge) {
        if !self.world.enter_cell(c.scenario, c.strategy, c.memory) {
            return self.chrome.notify(
                Level::Error,
                format!("Challenge '{}' names a world this lab does not have.", c.id),
            );
        }
        self.chrome.view = View::Challenge;
        self.world_changed();
        self.challenge = Some(Playing::new(c));
    }

    /// Become the page `query` names (see [`Msg::Navigate`]).
    fn navigate(&mut self, query: &str) {
        let mut next = from_query(query);
        next.matrix = std::mem::replace(&mut self.matrix, MatrixState::new(next.matrix.memory));
        if !next.chrome.theme_in_link {
            next.chrome.theme = self.chrome.theme;
        }
        next.run.pace_ms = self.run.pace_ms;
        // Revisions key the memos of what is drawn: never reuse one (a fresh run counts from 0).
        next.run.revision += self.run.revision + 1;
        next.run.seed_text = std::mem::take(&mut self.run.seed_text);
        *self = next;
    }

    /// What tells one view from another for the browser's history: a change of it is a new
    /// entry (Back returns), anything else (a step, a world) replaces the current one.
    pub fn history_key(&self) -> String {
        let lesson = self.lesson.as_ref().map_or("", |g| g.lesson.id);
        let lesson = self.challenge.as_ref().map_or(lesson, |p| p.challenge.id);
        // Not `{:?}`: the web build formats Debug as nothing (-Zfmt-debug=none).
        let view = match self.chrome.view {
            View::Explorer => "explorer",
            View::Matrix => "matrix",
            View::Lesson => "lesson",
            View::Primer => "primer",
            View::Challenge => "challenge",
            View::Host => "host",
            View::Editor => "editor",
        };
        format!("{view}/{lesson}")
    }

    /// The editor's draft becomes the world, in the explorer; while it breaks a rule, a notice
    /// says which, and the editor stays.
    fn run_draft(&mut self) {
        let Some(e) = self.editor.as_ref() else {
            return;
        };
        if let Some(p) = e.problem() {
            let text = format!("This scenario cannot run yet: {p}.");
            return self.chrome.notify(Level::Error, text);
        }
        self.world.adopt(e.draft.clone());
        self.chrome.view = View::Explorer;
        self.world_changed();
    }

    /// The hang's job: asked, answered (its schedule replayed to the end, where the hang is) or
    /// failed. An answer for another job, or after the world changed, is dropped.
    fn hang_msg(&mut self, m: HangMsg) {
        match m {
            HangMsg::Asked(job) => {
                self.hang = Some(job);
                self.chrome.notify(Level::Info, FINDING_HANG.to_string());
            }
            HangMsg::Found(job, found) if self.hang == Some(job) => {
                self.hang = None;
                self.chrome.say(Say::Quiet);
                match found {
                    // A counterexample opens at step 0 ("→ to replay"); the button promised the
                    // hang itself, so the run goes to its end, where the hang is.
                    Some(schedule) => {
                        self.apply(RunMsg::Load(schedule));
                        self.apply(RunMsg::Goto(usize::MAX));
                    }
                    None => self
                        .chrome
                        .notify(Level::Info, "This world cannot hang.".to_string()),
                }
            }
            HangMsg::Failed(job, error) if self.hang == Some(job) => {
                self.hang = None;
                self.chrome.say(Say::Quiet);
                self.chrome
                    .notify(Level::Error, format!("Could not find the hang: {error}"));
            }
            HangMsg::Found(..) | HangMsg::Failed(..) => {}
        }
    }

    /// A new world: a fresh run of it; the check's result and the lesson were about the old one.
    fn world_changed(&mut self) {
        self.hang = None;
        self.check = Job::Idle;
        self.stops = Stops::default();
        self.lesson = None;
        self.challenge = None;
        self.patch_editor.refresh(&self.world);
        if let Some(say) = self.run.rebuild(self.world.sim()) {
            self.chrome.say(say);
        }
    }

    /// Replay `schedule` (named `what` in messages) in the run.
    fn load(&mut self, schedule: &str, what: &str) {
        if let Some(say) = self.run.load(schedule, what) {
            self.chrome.say(say);
        }
    }

    /// Play the lesson `lesson` from step `step` (clamped to its run): its world, its run, the
    /// lesson view.
    fn enter_lesson(&mut self, lesson: &'static Lesson, step: usize) {
        if let Err(e) = self.world.enter_lesson(lesson) {
            return self.chrome.notify(Level::Error, e);
        }
        self.chrome.view = View::Lesson;
        self.world_changed();
        self.load(lesson.schedule, "The lesson's run");
        self.run.goto(step);
        self.lesson = Some(Guided::new(lesson));
    }

    /// The explorer on matrix cell `i`'s world, its verdict as the check's, at its worst run.
    fn open_cell(&mut self, i: usize) {
        let Some((scenario, preset, memory)) = self.matrix.worlds.get(i).cloned() else {
            return;
        };
        if !self.world.enter_cell(&scenario, preset, memory) {
            return;
        }
        self.chrome.view = View::Explorer;
        self.world_changed();
        if let Some(Some(cell)) = self.matrix.cells.get(i) {
            let summary = CheckSummary::from_cell(cell);
            if let Some(worst) = summary.worst_schedule() {
                if let Some(say) = self.run.load_counterexample(&worst) {
                    self.chrome.say(say);
                }
            }
            self.check = Job::Done {
                id: 0,
                result: summary,
            };
        }
    }

    /// Whether → can move (see [`Run::can_advance`]).
    pub fn can_advance(&self) -> bool {
        self.run.can_advance(self.lesson.is_some())
    }

    /// What the page shows, in a few words (the iframe's title, the Markdown link's text).
    pub fn describe(&self) -> String {
        let pos = self.run.position();
        if let Some(g) = &self.lesson {
            return format!(
                "lesson {}, {} (step {pos})",
                g.lesson.number, g.lesson.title
            );
        }
        if let Some(p) = &self.challenge {
            return format!("challenge: {} (step {pos})", p.challenge.title);
        }
        match self.chrome.view {
            View::Matrix => format!(
                "the strategy × scenario matrix ({})",
                self.matrix.memory.id()
            ),
            View::Lesson => "guided lessons on the AVIC / IRTE race".to_string(),
            View::Primer => "what is the AVIC / IRTE race?".to_string(),
            View::Challenge => "challenges on the AVIC / IRTE race".to_string(),
            View::Host => "host evidence from a host-report bundle".to_string(),
            View::Editor => "the scenario editor".to_string(),
            View::Explorer => format!(
                "{} × {} ({}), step {pos}",
                self.world.scenario.id,
                self.world.preset_id().unwrap_or("custom knobs"),
                self.world.memory.id()
            ),
        }
    }
}

impl Reducible for AppState {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut s = Rc::unwrap_or_clone(self);
        s.apply(msg);
        Rc::new(s)
    }
}

/// Text from a link, as a message may echo it: clipped and escaped by the core's one rule.
fn clip(s: &str, n: usize) -> String {
    core_sim::text::shown(s, n)
}
