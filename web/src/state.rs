//! The page's one state and its reducer. Pure Rust over `core_sim` (no browser API), so every
//! transition is unit-tested natively; side effects (workers, URL, theme) live in `app.rs`.

use crate::jobs::{self, Cex, ClaimResult, MatrixCell};
use crate::url::{self, Link, ScenarioRef, Theme, View};
use core_sim::explore::{CheckReport, Outcome, Progress, ReplayError, Session, Verdict};
use core_sim::lessons::{self, Lesson};
use core_sim::strategy::PRESETS;
use core_sim::{Action, Knobs, MemoryModel, Scenario, Sim, Strategy};
use std::rc::Rc;
use yew::{Reducible, UseReducerHandle};

/// Steps per second the Play button may use: milliseconds per step, and the label.
pub const PACES: [(u32, &str); 3] = [(500, "0.5 s"), (1000, "1 s"), (2000, "2 s")];

/// Which overlay covers the page, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overlay {
    /// None.
    #[default]
    None,
    /// The keyboard help (`?`).
    Help,
    /// The Share / Embed dialog.
    Share,
}

/// A lesson claim as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum ClaimStatus {
    /// Not checked yet (the worker is on it).
    Pending,
    /// Checked.
    Done(ClaimResult),
    /// The check could not run.
    Failed(String),
}

/// A lesson being played: its world is the page's world, its schedule the page's run.
#[derive(Clone, Debug, PartialEq)]
pub struct Guided {
    /// The lesson.
    pub lesson: &'static Lesson,
    /// Its claims, as the worker verifies them.
    pub claims: Vec<ClaimStatus>,
    /// The worker job verifying them (`None`: not asked yet).
    pub job: Option<u64>,
}

impl Guided {
    fn new(lesson: &'static Lesson) -> Guided {
        Guided {
            lesson,
            claims: vec![ClaimStatus::Pending; lesson.claims.len()],
            job: None,
        }
    }
}

/// How loud a notice is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Something was wrong (a link, a scenario, a worker).
    Error,
    /// A hint (e.g. a key pressed for a thread that cannot run).
    Info,
}

/// A message at the top of the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Id, for dismissing.
    pub id: u64,
    /// How loud.
    pub level: Level,
    /// The text.
    pub text: String,
}

/// What an exhaustive check found (from the explorer's own check or a matrix cell).
#[derive(Clone, Debug, PartialEq)]
pub struct CheckSummary {
    /// Safe, violation or bounded.
    pub verdict: Verdict,
    /// How the search ended.
    pub outcome: Outcome,
    /// Distinct states.
    pub states: usize,
    /// Transitions.
    pub transitions: usize,
    /// Counterexamples, most severe first.
    pub cexes: Vec<Cex>,
    /// Most kick IPIs in any state.
    pub max_kick_ipis: u8,
    /// Milliseconds the search took.
    pub ms: f64,
    /// The job that computed it (0: a matrix cell).
    pub job: u64,
}

impl CheckSummary {
    /// From a full report.
    pub fn from_report(r: &CheckReport, ms: f64, job: u64) -> CheckSummary {
        CheckSummary {
            job,
            verdict: r.verdict(),
            outcome: r.outcome,
            states: r.states,
            transitions: r.transitions,
            cexes: jobs::cexes(r),
            max_kick_ipis: r.max_kick_ipis,
            ms,
        }
    }

    /// From a matrix cell.
    pub fn from_cell(c: &MatrixCell) -> CheckSummary {
        let verdict = match c.verdict.as_str() {
            "safe" => Verdict::Safe,
            "violation" => Verdict::Violation,
            _ => Verdict::Bounded,
        };
        CheckSummary {
            verdict,
            outcome: if verdict == Verdict::Bounded {
                Outcome::StateLimit
            } else {
                Outcome::Complete
            },
            states: c.states,
            transitions: c.transitions,
            cexes: c.counterexamples.clone(),
            max_kick_ipis: 0,
            ms: c.ms,
            job: 0,
        }
    }
}

/// The "Find a race" panel.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum CheckState {
    /// Nothing run for this world yet.
    #[default]
    Idle,
    /// A worker is searching.
    Running {
        /// Job id.
        job: u64,
        /// Last progress report.
        progress: Progress,
    },
    /// Finished.
    Done(CheckSummary),
    /// The user cancelled.
    Cancelled(Progress),
    /// The worker failed.
    Failed(String),
}

/// The matrix view.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixState {
    /// Memory model of the cells.
    pub memory: MemoryModel,
    /// The running job, if any.
    pub job: Option<u64>,
    /// Worlds, in cell order.
    pub worlds: Vec<(String, &'static str, MemoryModel)>,
    /// Results so far.
    pub cells: Vec<Option<MatrixCell>>,
    /// When the run started (ms).
    pub started_ms: f64,
    /// Wall time of the finished run.
    pub elapsed_ms: Option<f64>,
    /// Workers used.
    pub workers: usize,
    /// Why the run failed, if it did.
    pub error: Option<String>,
    /// The user cancelled it (no automatic re-run).
    pub cancelled: bool,
}

impl MatrixState {
    fn new(memory: MemoryModel) -> MatrixState {
        let worlds = jobs::matrix_worlds(memory);
        MatrixState {
            memory,
            job: None,
            cells: vec![None; worlds.len()],
            worlds,
            started_ms: 0.0,
            elapsed_ms: None,
            workers: 0,
            error: None,
            cancelled: false,
        }
    }

    /// Cells finished.
    pub fn done(&self) -> usize {
        self.cells.iter().filter(|c| c.is_some()).count()
    }

    /// Every cell has its verdict.
    pub fn complete(&self) -> bool {
        self.done() == self.cells.len()
    }
}

/// Everything the page shows.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Explorer or matrix.
    pub view: View,
    /// Scenarios on offer (shipped, plus one from a link).
    pub scenarios: Rc<Vec<Scenario>>,
    /// The chosen scenario.
    pub scenario: Scenario,
    /// The chosen knobs.
    pub knobs: Knobs,
    /// The chosen memory model.
    pub memory: MemoryModel,
    /// The run (`None` if the world cannot be built; see `notices`).
    pub session: Option<Rc<Session>>,
    /// Messages.
    pub notices: Vec<Notice>,
    /// Find a race.
    pub check: CheckState,
    /// The random-run seed as typed.
    pub seed_text: String,
    /// The matrix.
    pub matrix: MatrixState,
    /// Theme on screen.
    pub theme: Theme,
    /// The theme belongs in the link (the link named it, or the viewer picked it here).
    pub theme_in_link: bool,
    /// Minimal chrome for an iframe.
    pub embed: bool,
    /// The lesson being played (guided mode), if any.
    pub guided: Option<Guided>,
    /// Play is on: the run advances one step per `pace_ms`.
    pub playing: bool,
    /// Milliseconds per step when playing.
    pub pace_ms: u32,
    /// The overlay on screen.
    pub overlay: Overlay,
    /// Bumped whenever the session changes (a cheap memo key).
    pub revision: u64,
    /// Bumped by every message.
    pub generation: u64,
    next_notice: u64,
}

/// The state as a component prop: equal only to the same generation (every reducer step makes
/// a new one), so children re-render exactly when the state changed.
#[derive(Clone)]
pub struct StateRef(pub UseReducerHandle<AppState>);

impl PartialEq for StateRef {
    fn eq(&self, other: &Self) -> bool {
        self.0.generation == other.0.generation
    }
}

impl std::ops::Deref for StateRef {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.0
    }
}

/// Everything that can happen.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// Switch view.
    SetView(View),
    /// Pick a scenario by id.
    SelectScenario(String),
    /// Pick a preset by id.
    SelectPreset(String),
    /// Set custom knobs.
    SetKnobs(Knobs),
    /// Pick a memory model.
    SetMemory(MemoryModel),
    /// Run one action (a thread's step or a store-buffer flush).
    Act(Action),
    /// One step back.
    Back,
    /// Presenter forward (→): replay the next recorded step; at the end of the recording,
    /// run the only thread that can run (none or several: a hint instead).
    Next,
    /// Play or pause.
    TogglePlay,
    /// A tick of Play: like [`Msg::Next`], but stops playing (quietly) where it cannot go on.
    Tick,
    /// Milliseconds per step for Play.
    SetPace(u32),
    /// Show an overlay (or none).
    SetOverlay(Overlay),
    /// Start a lesson, by id, at its first step.
    OpenLesson(String),
    /// Leave guided mode at the current step, keeping the world and the run.
    TakeOver,
    /// The worker was asked to verify the lesson's claims.
    ClaimsStarted(u64),
    /// One claim verified.
    ClaimDone(u64, usize, ClaimResult),
    /// Back to the initial state, dropping the run.
    Reset,
    /// Jump to a recorded step.
    Goto(usize),
    /// Replay a schedule (a counterexample).
    Load(String),
    /// Type a seed.
    SetSeed(String),
    /// A random run with the current seed.
    RandomRun,
    /// A check was sent to a worker.
    CheckStarted(u64),
    /// A worker's progress.
    CheckProgress(u64, Progress),
    /// A worker's report (boxed: it is large).
    CheckDone(u64, Box<CheckReport>, f64),
    /// A worker failed.
    CheckFailed(u64, String),
    /// The user cancelled the check.
    CheckCancelled,
    /// Matrix cells were sent to workers.
    MatrixStarted {
        /// Job id.
        job: u64,
        /// Workers used.
        workers: usize,
        /// Start time (ms).
        now: f64,
    },
    /// A matrix cell's verdict.
    MatrixCell(u64, Box<MatrixCell>, f64),
    /// A matrix cell failed.
    MatrixFailed(u64, String),
    /// The user cancelled the matrix.
    MatrixCancelled,
    /// Memory model of the matrix.
    SetMatrixMemory(MemoryModel),
    /// Open a matrix cell in the explorer at its first counterexample.
    OpenCell(usize),
    /// Show a message.
    Notify(Level, String),
    /// Hide a message.
    Dismiss(u64),
    /// Theme (picked by the viewer: it goes into the link).
    SetTheme(Theme),
}

impl AppState {
    /// The page opened with this link; `errors` are the link's decoding messages.
    pub fn from_link(link: &Link, errors: Vec<String>) -> AppState {
        let shipped = core_sim::scenario::shipped();
        let guided = match (link.view, &link.lesson) {
            (View::Lesson, Some(id)) => lessons::by_id(id).ok().map(Guided::new),
            _ => None,
        };
        let mut s = AppState {
            view: link.view,
            scenarios: Rc::new(shipped.clone()),
            scenario: shipped[0].clone(),
            knobs: link.knobs,
            memory: link.memory,
            session: None,
            notices: Vec::new(),
            check: CheckState::Idle,
            seed_text: "1".into(),
            matrix: MatrixState::new(link.memory),
            theme: link.theme,
            theme_in_link: link.theme != Theme::Auto,
            embed: link.embed,
            guided: None,
            playing: false,
            pace_ms: PACES[1].0,
            overlay: Overlay::None,
            revision: 0,
            generation: 0,
            next_notice: 1,
        };
        for e in errors {
            s.notify(Level::Error, e);
        }
        match &link.scenario {
            ScenarioRef::Shipped(id) => match shipped.iter().find(|sc| &sc.id == id) {
                Some(sc) => s.scenario = sc.clone(),
                None => {
                    let known: Vec<&str> = shipped.iter().map(|s| s.id.as_str()).collect();
                    s.notify(
                        Level::Error,
                        format!(
                            "The link names a scenario this lab does not have: '{}'. Known: {}. Showing '{}'.",
                            clip(id, core_sim::text::MAX_ECHO),
                            known.join(", "),
                            shipped[0].id
                        ),
                    );
                }
            },
            ScenarioRef::Json(json) => match Scenario::from_json(json) {
                Ok(sc) => {
                    let mut list = shipped.clone();
                    list.retain(|x| x.id != sc.id);
                    list.push(sc.clone());
                    s.scenarios = Rc::new(list);
                    s.scenario = sc;
                }
                Err(e) => s.notify(
                    Level::Error,
                    format!(
                        "The link's scenario cannot run: {e}. Showing '{}' instead.",
                        shipped[0].id
                    ),
                ),
            },
        }
        s.rebuild();
        // A link of an earlier version counts the first model's coarser steps: the same run in
        // today's steps (the core translates it).
        let current;
        let link = match (
            link.legacy_steps,
            s.session.as_ref().map(|x| x.sim().clone()),
        ) {
            (true, Some(sim)) => {
                let (l, problem) = link.in_current_steps_lenient(&sim);
                if let Some(e) = problem {
                    s.notify(
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
            s.load_schedule(&link.schedule, "The link's schedule");
        }
        if let (Some(step), Some(session)) = (link.step, s.session.as_mut()) {
            let len = session.len();
            if step > len {
                s.notify(
                    Level::Error,
                    format!("The link asks for step {step}, but the run has only {len} steps; showing step {len}."),
                );
            }
            if let Some(session) = s.session.as_mut() {
                Rc::make_mut(session).goto(step.min(len));
            }
        }
        s.guided = guided;
        s
    }

    /// The link for what is on screen.
    pub fn link(&self) -> Link {
        let mut link = self.world_link();
        if let Some(g) = &self.guided {
            // A lesson link names only the lesson and the step; the lesson holds the world.
            link.view = View::Lesson;
            link.lesson = Some(g.lesson.id.to_string());
        }
        link.embed = self.embed;
        link.theme = if self.theme_in_link {
            self.theme
        } else {
            Theme::Auto
        };
        link
    }

    fn world_link(&self) -> Link {
        let shipped = core_sim::scenario::shipped().contains(&self.scenario);
        Link {
            scenario: if shipped {
                ScenarioRef::Shipped(self.scenario.id.clone())
            } else {
                ScenarioRef::Json(serde_json::to_string(&self.scenario).unwrap_or_default())
            },
            knobs: self.knobs,
            memory: self.memory,
            schedule: self
                .session
                .as_ref()
                .map(|s| full_schedule(s))
                .unwrap_or_default(),
            step: self.session.as_ref().map(|s| s.position()),
            view: self.view,
            ..Link::default()
        }
    }

    /// Whether [`Msg::Next`] can move: a recorded step ahead, or (outside a lesson) exactly one
    /// thread that can run.
    pub fn can_advance(&self) -> bool {
        self.session.as_ref().is_some_and(|s| {
            s.position() < s.len() || (self.guided.is_none() && s.enabled().len() == 1)
        })
    }

    /// One step forward as → does it; `false` if it could not move.
    fn advance(&mut self) -> bool {
        if !self.can_advance() {
            return false;
        }
        self.with_session(|s| {
            if s.position() < s.len() {
                s.forward();
            } else if let [only] = s.enabled()[..] {
                let _ = s.step(only);
            }
        });
        true
    }

    /// Why → cannot move here, in words.
    fn why_stuck(&self) -> String {
        let Some(s) = self.session.as_ref() else {
            return "Nothing to run: this scenario cannot run.".into();
        };
        if self.guided.is_some() {
            return "This is the end of the lesson. Press Take over to go on as the scheduler, or ← to go back.".into();
        }
        let enabled = s.enabled();
        if enabled.is_empty() {
            return "The run is over: no thread can run.".into();
        }
        let keys: Vec<String> = enabled.iter().map(|a| a.to_char().to_string()).collect();
        format!(
            "{} threads can run here: you choose. Press {} (or click a thread).",
            enabled.len(),
            keys.join(", ")
        )
    }

    /// Play the lesson `lesson` from step `step` (clamped to its run).
    fn enter_lesson(&mut self, lesson: &'static Lesson, step: usize) {
        match core_sim::scenario::by_id(lesson.scenario) {
            Ok(sc) => self.scenario = sc,
            Err(e) => return self.notify(Level::Error, e.to_string()),
        }
        if let Ok(p) = Strategy::preset(lesson.strategy) {
            self.knobs = p.knobs;
        }
        self.memory = lesson.memory;
        self.view = View::Lesson;
        self.rebuild();
        self.load_schedule(lesson.schedule, "The lesson's run");
        self.with_session(|s| s.goto(step));
        self.guided = Some(Guided::new(lesson));
    }

    /// The preset the knobs equal, if any.
    pub fn preset_id(&self) -> Option<&'static str> {
        Strategy::custom(self.knobs).preset_id()
    }

    /// The parsed seed, or why it is not one.
    pub fn seed(&self) -> Result<u64, String> {
        let t = self.seed_text.trim();
        t.parse::<u64>().map_err(|_| {
            format!(
                "'{t}' is not a seed: use a whole number from 0 to {}",
                u64::MAX
            )
        })
    }

    /// Add a message. Info messages replace the previous info message.
    pub fn notify(&mut self, level: Level, text: String) {
        if level == Level::Info {
            self.notices.retain(|n| n.level != Level::Info);
        }
        if self.notices.iter().any(|n| n.text == text) {
            return;
        }
        self.notices.push(Notice {
            id: self.next_notice,
            level,
            text,
        });
        self.next_notice += 1;
    }

    /// Rebuild the world after a scenario, strategy or memory change: a fresh session.
    fn rebuild(&mut self) {
        self.check = CheckState::Idle;
        self.guided = None;
        match Sim::new(
            self.scenario.clone(),
            Strategy::custom(self.knobs),
            self.memory,
        ) {
            Ok(sim) => self.session = Some(Rc::new(Session::new(&sim))),
            Err(e) => {
                self.session = None;
                self.notify(Level::Error, format!("This scenario cannot run: {e}"));
            }
        }
    }

    /// Replay `schedule` into a fresh session; on error keep the valid prefix and say why.
    fn load_schedule(&mut self, schedule: &str, what: &str) {
        let Some(sim) = self.session.as_ref().map(|s| s.sim().clone()) else {
            return;
        };
        match Session::replay(&sim, schedule) {
            Ok(s) => self.session = Some(Rc::new(s)),
            Err(ReplayError::Step { pos, err }) => {
                let prefix: String = schedule.chars().take(pos).collect();
                let s = Session::replay(&sim, &prefix).unwrap_or_else(|_| Session::new(&sim));
                self.session = Some(Rc::new(s));
                self.notify(
                    Level::Error,
                    format!(
                        "{what} '{}' cannot be replayed in this scenario: at step {} {err}. Showing the {pos} step(s) before it.",
                        clip(schedule, 40),
                        pos + 1
                    ),
                );
            }
            Err(ReplayError::Parse(e)) => {
                self.session = Some(Rc::new(Session::new(&sim)));
                self.notify(
                    Level::Error,
                    format!(
                        "{what} '{}' is not a schedule: {e}. Showing the initial state.",
                        clip(schedule, 40)
                    ),
                );
            }
        }
    }

    fn with_session(&mut self, f: impl FnOnce(&mut Session)) {
        if let Some(s) = self.session.as_mut() {
            f(Rc::make_mut(s));
        }
    }

    /// Apply one message.
    pub fn apply(&mut self, msg: Msg) {
        let before = self
            .session
            .as_ref()
            .map(|s| (Rc::as_ptr(s), s.position(), s.len()));
        self.apply_inner(msg);
        let after = self
            .session
            .as_ref()
            .map(|s| (Rc::as_ptr(s), s.position(), s.len()));
        if before != after {
            self.revision += 1;
        }
    }

    fn apply_inner(&mut self, msg: Msg) {
        if matches!(
            msg,
            Msg::Back
                | Msg::Reset
                | Msg::Goto(_)
                | Msg::Act(_)
                | Msg::Load(_)
                | Msg::RandomRun
                | Msg::SelectScenario(_)
                | Msg::SelectPreset(_)
                | Msg::SetKnobs(_)
                | Msg::SetMemory(_)
                | Msg::OpenCell(_)
                | Msg::OpenLesson(_)
                | Msg::TakeOver
                | Msg::SetView(_)
        ) {
            self.playing = false;
        }
        match msg {
            Msg::SetView(v) => {
                // Leaving a lesson for the explorer takes over its run; the Lessons tab lists them.
                self.guided = None;
                self.view = v;
            }
            Msg::SelectScenario(id) => match self.scenarios.iter().find(|s| s.id == id) {
                Some(sc) => {
                    self.scenario = sc.clone();
                    self.rebuild();
                }
                None => self.notify(Level::Error, format!("There is no scenario '{id}'.")),
            },
            Msg::SelectPreset(id) => match Strategy::preset(&id) {
                Ok(s) => {
                    self.knobs = s.knobs;
                    self.rebuild();
                }
                Err(e) => self.notify(Level::Error, e.to_string()),
            },
            Msg::SetKnobs(k) => {
                self.knobs = k;
                self.rebuild();
            }
            Msg::SetMemory(m) => {
                self.memory = m;
                self.rebuild();
            }
            Msg::Act(_) if self.guided.is_some() => self.notify(
                Level::Info,
                "This is a guided lesson: press → or Play to go on, or Take over to be the scheduler yourself.".into(),
            ),
            Msg::Act(a) => {
                let mut err = None;
                self.with_session(|s| {
                    if let Err(e) = s.step(a) {
                        err = Some(e.to_string());
                    }
                });
                if let Some(e) = err {
                    self.notify(Level::Info, format!("{}: {e}", action_words(self, a)));
                } else {
                    self.notices.retain(|n| n.level != Level::Info);
                }
            }
            Msg::Back => self.with_session(|s| {
                s.back();
            }),
            Msg::Next => {
                if self.advance() {
                    self.notices.retain(|n| n.level != Level::Info);
                } else {
                    let why = self.why_stuck();
                    self.notify(Level::Info, why);
                }
            }
            Msg::Tick => {
                if self.playing && !self.advance() {
                    self.playing = false;
                }
            }
            Msg::TogglePlay => {
                if self.playing {
                    self.playing = false;
                } else {
                    if !self.can_advance() && self.guided.is_some() {
                        // Play at the end of a lesson plays it again.
                        self.with_session(|s| s.goto(0));
                    }
                    if self.can_advance() {
                        self.playing = true;
                        self.notices.retain(|n| n.level != Level::Info);
                    } else {
                        let why = self.why_stuck();
                        self.notify(Level::Info, why);
                    }
                }
            }
            Msg::SetPace(ms) => self.pace_ms = ms.clamp(100, 10_000),
            Msg::SetOverlay(o) => self.overlay = o,
            Msg::OpenLesson(id) => match lessons::by_id(&id) {
                Ok(l) => self.enter_lesson(l, 0),
                Err(e) => self.notify(Level::Error, format!("{e}.")),
            },
            Msg::TakeOver => {
                self.guided = None;
                self.view = View::Explorer;
            }
            Msg::ClaimsStarted(job) => {
                if let Some(g) = self.guided.as_mut() {
                    g.job = Some(job);
                }
            }
            Msg::ClaimDone(job, i, result) => {
                if let Some(g) = self.guided.as_mut().filter(|g| g.job == Some(job)) {
                    if let Some(c) = g.claims.get_mut(i) {
                        *c = ClaimStatus::Done(result);
                    }
                }
            }
            Msg::Reset => self.with_session(Session::reset),
            Msg::Goto(n) => self.with_session(|s| s.goto(n)),
            Msg::Load(schedule) => self.load_schedule(&schedule, "The counterexample"),
            Msg::SetSeed(t) => self.seed_text = t,
            Msg::RandomRun => match (self.seed(), self.session.as_ref()) {
                (Ok(seed), Some(s)) => {
                    let run = core_sim::explore::random_run(s.sim(), seed);
                    self.session = Some(Rc::new(run));
                }
                (Err(e), _) => self.notify(Level::Error, e),
                (_, None) => {}
            },
            Msg::CheckStarted(job) => {
                self.check = CheckState::Running {
                    job,
                    progress: Progress::default(),
                }
            }
            Msg::CheckProgress(job, progress) => {
                if matches!(self.check, CheckState::Running { job: j, .. } if j == job) {
                    self.check = CheckState::Running { job, progress };
                }
            }
            Msg::CheckDone(job, report, ms) => {
                if matches!(self.check, CheckState::Running { job: j, .. } if j == job) {
                    let summary = CheckSummary::from_report(&report, ms, job);
                    if let Some(c) = summary.cexes.first() {
                        let schedule = c.schedule.clone();
                        self.load_schedule(&schedule, "The counterexample");
                    }
                    self.check = CheckState::Done(summary);
                }
            }
            Msg::CheckFailed(job, e) => {
                if let Some(g) = self.guided.as_mut().filter(|g| g.job == Some(job)) {
                    for c in g.claims.iter_mut() {
                        if *c == ClaimStatus::Pending {
                            *c = ClaimStatus::Failed(e.clone());
                        }
                    }
                }
                if matches!(self.check, CheckState::Running { job: j, .. } if j == job) {
                    self.check = CheckState::Failed(e);
                }
            }
            Msg::CheckCancelled => {
                if let CheckState::Running { progress, .. } = self.check {
                    self.check = CheckState::Cancelled(progress);
                }
            }
            Msg::MatrixStarted { job, workers, now } => {
                self.matrix = MatrixState::new(self.matrix.memory);
                self.matrix.job = Some(job);
                self.matrix.workers = workers;
                self.matrix.started_ms = now;
            }
            Msg::MatrixCell(job, cell, now) => {
                if self.matrix.job == Some(job) {
                    let i = cell.index;
                    if let Some(slot) = self.matrix.cells.get_mut(i) {
                        *slot = Some(*cell);
                    }
                    if self.matrix.complete() {
                        self.matrix.job = None;
                        self.matrix.elapsed_ms = Some(now - self.matrix.started_ms);
                    }
                }
            }
            Msg::MatrixFailed(job, e) => {
                if self.matrix.job == Some(job) {
                    self.matrix.job = None;
                    self.matrix.error = Some(e);
                }
            }
            Msg::MatrixCancelled => {
                self.matrix.job = None;
                self.matrix.cancelled = true;
            }
            Msg::SetMatrixMemory(m) => {
                if m != self.matrix.memory || self.matrix.error.is_some() {
                    self.matrix = MatrixState::new(m);
                }
            }
            Msg::OpenCell(i) => self.open_cell(i),
            Msg::Notify(level, text) => self.notify(level, text),
            Msg::Dismiss(id) => self.notices.retain(|n| n.id != id),
            Msg::SetTheme(t) => {
                self.theme = t;
                self.theme_in_link = t != Theme::Auto;
            }
        }
    }

    fn open_cell(&mut self, i: usize) {
        let Some((scenario, preset, memory)) = self.matrix.worlds.get(i).cloned() else {
            return;
        };
        let Some(sc) = self.scenarios.iter().find(|s| s.id == scenario).cloned() else {
            return;
        };
        let Some(p) = PRESETS.iter().find(|p| p.id == preset) else {
            return;
        };
        self.scenario = sc;
        self.knobs = p.knobs;
        self.memory = memory;
        self.view = View::Explorer;
        self.rebuild();
        if let Some(Some(cell)) = self.matrix.cells.get(i).cloned() {
            let summary = CheckSummary::from_cell(&cell);
            if let Some(c) = summary.cexes.first() {
                let schedule = c.schedule.clone();
                self.load_schedule(&schedule, "The counterexample");
            }
            self.check = CheckState::Done(summary);
        }
    }
}

impl Reducible for AppState {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut s = Rc::unwrap_or_clone(self);
        s.apply(msg);
        s.generation += 1;
        Rc::new(s)
    }
}

/// The whole recorded schedule (also the steps after the position, for redo and links).
pub fn full_schedule(s: &Session) -> String {
    s.all_records()
        .iter()
        .map(|r| r.event.action.to_char())
        .collect()
}

/// "vCPU0 thread's next step" / "flushing vCPU0 thread's store buffer".
fn action_words(s: &AppState, a: Action) -> String {
    let name = s
        .session
        .as_ref()
        .and_then(|sess| sess.sim().threads.get(a.thread()).map(|t| t.name.clone()))
        .unwrap_or_else(|| format!("thread {}", a.thread()));
    match a {
        Action::Step(_) => format!("{name} (key {})", a.thread()),
        Action::Flush(_) => format!("flushing {name}'s store buffer"),
    }
}

/// Text from a link, as a message may echo it: clipped and escaped by the core's one rule.
fn clip(s: &str, n: usize) -> String {
    core_sim::text::shown(s, n)
}

/// Shortcut for tests and the app: the state for a query string.
pub fn from_query(query: &str) -> AppState {
    let (link, problems) = url::decode_lenient(query);
    AppState::from_link(&link, problems.iter().map(url::problem_text).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_sim::explore::{self, CheckOptions};
    use core_sim::ViolationKind;

    fn errors(s: &AppState) -> Vec<&str> {
        s.notices
            .iter()
            .filter(|n| n.level == Level::Error)
            .map(|n| n.text.as_str())
            .collect()
    }

    #[test]
    fn default_page_is_the_first_scenario_at_its_start() {
        let s = from_query("");
        assert_eq!(s.scenario.id, "put-block-vs-affinity");
        assert_eq!(s.session.as_ref().unwrap().position(), 0);
        assert!(s.notices.is_empty());
    }

    #[test]
    fn step_back_forward_and_link() {
        let mut s = from_query("?scenario=block-ga-log&strategy=lock-fix&memory=tso");
        s.apply(Msg::Act(Action::Step(0)));
        s.apply(Msg::Act(Action::Step(1)));
        assert_eq!(s.session.as_ref().unwrap().position(), 2);
        s.apply(Msg::Back);
        let link = s.link();
        assert_eq!(link.schedule, "01");
        assert_eq!(link.step, Some(1));
        let again = from_query(&url::encode(&link));
        assert_eq!(again.session.as_ref().unwrap().position(), 1);
        assert_eq!(full_schedule(again.session.as_ref().unwrap()), "01");
        assert!(again.notices.is_empty(), "{:?}", again.notices);
    }

    #[test]
    fn a_disabled_thread_gives_a_hint_not_a_failure() {
        let mut s = from_query("?scenario=put-block-vs-affinity");
        s.apply(Msg::Act(Action::Step(3))); // the GA-log handler, idle
        assert_eq!(s.session.as_ref().unwrap().position(), 0);
        assert_eq!(s.notices.len(), 1);
        assert_eq!(s.notices[0].level, Level::Info);
        s.apply(Msg::Act(Action::Step(9)));
        assert_eq!(s.notices.len(), 1, "info notices replace each other");
        assert!(s.notices[0].text.contains("no thread 9"), "{:?}", s.notices);
    }

    #[test]
    fn text_from_a_link_is_shown_escaped() {
        // An escape sequence and a fake verdict line in the scenario id and the schedule.
        let s = from_query("?v=3&s=%1B%5B2J%0Averdict%3A%20SAFE&r=0%1B%5D0%3Bx%07");
        let all: Vec<&str> = s.notices.iter().map(|n| n.text.as_str()).collect();
        assert!(all.len() >= 2, "{all:?}");
        for text in &all {
            assert!(!text.chars().any(core_sim::text::is_unsafe), "{text:?}");
        }
        assert!(
            all.iter().any(|t| t.contains("\\u{1b}[2J\\nverdict: SAFE")),
            "{all:?}"
        );
    }

    #[test]
    fn corrupt_links_explain_themselves_and_keep_a_working_page() {
        let s = from_query("?scenario=put-block-vs-affinity&schedule=01zz");
        assert!(
            errors(&s)[0].contains("is not a schedule"),
            "{:?}",
            s.notices
        );
        assert_eq!(s.session.as_ref().unwrap().position(), 0);

        let s = from_query("?scenario=put-block-vs-affinity&schedule=0199999");
        assert!(
            errors(&s)[0].contains("cannot be replayed"),
            "{:?}",
            s.notices
        );
        // The valid prefix is kept: the first model's "01" (vCPU0 exits; the updater activates
        // the IRTE) is today's 6 steps (the activation's irq_desc lock, publish, flush, unlock).
        assert_eq!(
            s.session.as_ref().unwrap().position(),
            6,
            "the valid prefix is kept"
        );

        let s = from_query("?scenario=nope");
        assert!(errors(&s)[0].contains("'nope'"), "{:?}", s.notices);
        assert!(s.session.is_some());

        let mut bad = core_sim::scenario::by_id("migrate-vs-affinity").unwrap();
        bad.threads[0].ops.insert(0, core_sim::program::Op::Enter);
        let q = format!(
            "?scenario_json={}",
            url::percent_encode(&serde_json::to_string(&bad).unwrap())
        );
        let s = from_query(&q);
        assert!(errors(&s)[0].contains("cannot run"), "{:?}", s.notices);
        assert!(s.session.is_some());
    }

    #[test]
    fn a_check_loads_the_lost_wakeup_first() {
        let mut s = from_query("?scenario=put-block-vs-affinity&strategy=naive-update");
        let sim = s.session.as_ref().unwrap().sim().clone();
        let r = explore::check(&sim, &CheckOptions::default(), &mut |_| true);
        s.apply(Msg::CheckStarted(5));
        s.apply(Msg::CheckDone(4, Box::new(r.clone()), 1.0));
        assert!(
            matches!(s.check, CheckState::Running { .. }),
            "a stale job is ignored"
        );
        s.apply(Msg::CheckDone(5, Box::new(r), 1.0));
        let CheckState::Done(sum) = &s.check else {
            panic!()
        };
        assert_eq!(sum.cexes[0].kind, ViolationKind::LostWakeup);
        let v = s.session.as_ref().unwrap().violations();
        assert!(
            v.iter().any(|v| v.kind == ViolationKind::LostWakeup),
            "{v:?}"
        );
        // Changing the world drops the result.
        s.apply(Msg::SetMemory(MemoryModel::Tso));
        assert_eq!(s.check, CheckState::Idle);
    }

    #[test]
    fn knobs_that_match_a_preset_name_it() {
        let mut s = from_query("");
        let mut k = Strategy::preset("lock-fix").unwrap().knobs;
        k.write_once = false;
        s.apply(Msg::SetKnobs(k));
        assert_eq!(s.preset_id(), Some("lock-fix-plain-write"));
        k.kick = true;
        s.apply(Msg::SetKnobs(k));
        assert_eq!(s.preset_id(), None);
        assert!(url::encode(&s.link()).contains("&t=k."));
    }

    #[test]
    fn matrix_cells_open_in_the_explorer() {
        let mut s = from_query("?view=matrix");
        s.apply(Msg::MatrixStarted {
            job: 9,
            workers: 2,
            now: 0.0,
        });
        let idx = s
            .matrix
            .worlds
            .iter()
            .position(|w| w.0 == "put-block-vs-affinity" && w.1 == "naive-update")
            .unwrap();
        let (sc, p, m) = s.matrix.worlds[idx].clone();
        let cell = jobs::matrix_cell(idx, &sc, p, m).unwrap();
        s.apply(Msg::MatrixCell(9, Box::new(cell), 12.0));
        assert_eq!(s.matrix.done(), 1);
        s.apply(Msg::OpenCell(idx));
        assert_eq!(s.view, View::Explorer);
        assert_eq!(s.preset_id(), Some("naive-update"));
        let CheckState::Done(sum) = &s.check else {
            panic!()
        };
        assert_eq!(sum.cexes[0].kind, ViolationKind::LostWakeup);
        assert!(s.session.as_ref().unwrap().position() > 0);
    }

    #[test]
    fn share_links_reopen_the_exact_state_in_both_formats() {
        let v3 =
            "?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=17";
        let s = from_query(v3);
        assert!(s.notices.is_empty(), "{:?}", s.notices);
        let sess = s.session.as_ref().unwrap();
        assert_eq!((sess.position(), sess.len()), (17, 24));
        assert_eq!(url::encode(&s.link()), v3);
        // The same view as the first web releases wrote it, in the first model's coarser steps
        // (19 of them, the IRTE write at 12): the same run and moment, written back as v3.
        let v2 = from_query(
            "?v=2&s=put-block-vs-affinity&t=naive-update&m=sc&r=0000000001111111222&at=12",
        );
        assert!(v2.notices.is_empty(), "{:?}", v2.notices);
        assert_eq!(url::encode(&v2.link()), v3);
        let v1 = from_query(
            "?v=1&scenario=put-block-vs-affinity&strategy=naive-update&memory=sc&schedule=0000000001111111222&step=12",
        );
        assert!(v1.notices.is_empty(), "{:?}", v1.notices);
        assert_eq!(url::encode(&v1.link()), v3);
        // Presentation survives: embed and a theme named by the link.
        let s = from_query(&format!("{v3}&embed=1&theme=large"));
        assert!(s.embed && s.theme == Theme::Large && s.theme_in_link);
        assert!(url::encode(&s.link()).ends_with("&embed=1&theme=large"));
    }

    #[test]
    fn future_and_corrupt_links_say_so_and_open_the_default_page() {
        let s = from_query("?v=7&s=running-retarget&r=0101");
        assert!(
            errors(&s)[0].starts_with("This link was made by a newer version of the lab"),
            "{:?}",
            s.notices
        );
        assert_eq!(s.scenario.id, "put-block-vs-affinity");
        assert_eq!(s.session.as_ref().unwrap().len(), 0);
        let s = from_query("?v=3&view=lesson&l=no-such-lesson");
        assert!(errors(&s)[0].contains("unknown lesson 'no-such-lesson'"));
        assert_eq!((s.view, s.guided.is_none()), (View::Explorer, true));
    }

    #[test]
    fn next_replays_then_runs_the_only_choice_then_asks() {
        let mut s = from_query("?v=3&s=put-block-vs-affinity&t=naive-update&r=00");
        assert_eq!(s.session.as_ref().unwrap().position(), 2);
        s.apply(Msg::Back);
        s.apply(Msg::Back);
        s.apply(Msg::Next);
        assert_eq!(
            s.session.as_ref().unwrap().position(),
            1,
            "replays the record"
        );
        s.apply(Msg::Next);
        // At the end of the record several threads can run: a hint, no step.
        assert!(s.session.as_ref().unwrap().enabled().len() > 1);
        s.apply(Msg::Next);
        assert_eq!(s.session.as_ref().unwrap().position(), 2);
        assert!(
            s.notices[0].text.contains("threads can run here"),
            "{:?}",
            s.notices
        );
        assert!(!s.can_advance());
        // Where only one thread can run, → runs it.
        let sim = s.session.as_ref().unwrap().sim().clone();
        let mut run = Session::new(&sim);
        let mut schedule = String::new();
        while run.enabled().len() > 1 || run.enabled().is_empty() {
            let Some(&a) = run.enabled().first() else {
                break;
            };
            run.step(a).unwrap();
            schedule.push(a.to_char());
        }
        assert_eq!(run.enabled().len(), 1, "the run reaches a single choice");
        let mut t = from_query(&format!(
            "?v=3&s=put-block-vs-affinity&t=naive-update&r={schedule}"
        ));
        let before = t.session.as_ref().unwrap().position();
        t.apply(Msg::Next);
        assert_eq!(t.session.as_ref().unwrap().position(), before + 1);
        assert!(t.notices.is_empty());
    }

    #[test]
    fn play_ticks_until_it_must_stop() {
        let mut s = from_query("?v=3&s=put-block-vs-affinity&t=naive-update&r=0011&at=1");
        s.apply(Msg::TogglePlay);
        assert!(s.playing);
        s.apply(Msg::Tick);
        s.apply(Msg::Tick);
        assert_eq!(s.session.as_ref().unwrap().position(), 3);
        s.apply(Msg::Tick);
        s.apply(Msg::Tick); // a choice: Play stops quietly
        assert!(!s.playing);
        assert_eq!(s.session.as_ref().unwrap().position(), 4);
        s.apply(Msg::TogglePlay);
        assert!(!s.playing, "nothing to play");
        s.apply(Msg::Goto(0));
        s.apply(Msg::TogglePlay);
        s.apply(Msg::Back);
        assert!(!s.playing, "stepping by hand pauses");
    }

    #[test]
    fn a_lesson_plays_to_its_takeaway_and_can_be_taken_over() {
        let lesson = lessons::by_id("first-patch").unwrap();
        let mut s = from_query("?v=3&view=lesson&l=first-patch&at=3");
        assert!(s.notices.is_empty(), "{:?}", s.notices);
        assert_eq!(s.guided.as_ref().unwrap().lesson.id, "first-patch");
        assert_eq!(s.session.as_ref().unwrap().position(), 3);
        assert_eq!(
            url::encode(&s.link()),
            "?v=3&view=lesson&l=first-patch&at=3"
        );
        // The lesson schedules: a thread key only says how to take over.
        s.apply(Msg::Act(Action::Step(1)));
        assert_eq!(s.session.as_ref().unwrap().position(), 3);
        assert!(s.notices[0].text.contains("Take over"));
        s.apply(Msg::TogglePlay);
        while s.playing {
            s.apply(Msg::Tick);
        }
        let sess = s.session.as_ref().unwrap();
        assert_eq!(sess.position(), lesson.len());
        assert_eq!(full_schedule(sess), lesson.schedule);
        assert!(sess
            .violations()
            .iter()
            .any(|v| v.kind == ViolationKind::LostWakeup));
        // Claims: only the worker job asked for them counts.
        s.apply(Msg::ClaimsStarted(8));
        let result = jobs::verify_claim("first-patch", 0).unwrap();
        s.apply(Msg::ClaimDone(7, 0, result.clone()));
        assert_eq!(s.guided.as_ref().unwrap().claims[0], ClaimStatus::Pending);
        s.apply(Msg::ClaimDone(8, 0, result.clone()));
        assert_eq!(
            s.guided.as_ref().unwrap().claims[0],
            ClaimStatus::Done(result)
        );
        // Take over: same world and run, now an explorer link.
        s.apply(Msg::Goto(12));
        s.apply(Msg::TakeOver);
        assert!(s.guided.is_none());
        assert_eq!(
            url::encode(&s.link()),
            format!(
                "?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r={}&at=12",
                lesson.schedule
            )
        );
        s.apply(Msg::Act(Action::Step(2)));
        assert_eq!(s.session.as_ref().unwrap().position(), 13);
    }

    #[test]
    fn lessons_open_from_the_list_and_unknown_ones_say_so() {
        let mut s = from_query("");
        s.apply(Msg::SetView(View::Lesson));
        assert!(s.guided.is_none());
        // The list has a link of its own, and reloading it shows the list again.
        let list = core_sim::share::encode(&s.link());
        assert!(list.ends_with("&view=lesson"), "{list}");
        let again = from_query(&list);
        assert_eq!((again.view, again.guided.is_none()), (View::Lesson, true));
        s.apply(Msg::OpenLesson("lock-fix".into()));
        let g = s.guided.as_ref().unwrap();
        assert_eq!((g.lesson.number, g.claims.len()), (4, 2));
        assert_eq!(s.session.as_ref().unwrap().position(), 0);
        assert_eq!(s.preset_id(), Some("linux-6.6"));
        s.apply(Msg::OpenLesson("nope".into()));
        assert!(errors(&s)[0].contains("unknown lesson 'nope'"));
        // The Explorer tab takes the lesson's run over.
        s.apply(Msg::Next);
        s.apply(Msg::SetView(View::Explorer));
        assert!(s.guided.is_none());
        assert_eq!(s.session.as_ref().unwrap().position(), 1);
    }

    #[test]
    fn random_runs_use_the_typed_seed() {
        let mut s = from_query("?scenario=migrate-vs-affinity&strategy=naive-update");
        s.apply(Msg::SetSeed("42".into()));
        s.apply(Msg::RandomRun);
        let a = full_schedule(s.session.as_ref().unwrap());
        let sim = s.session.as_ref().unwrap().sim().clone();
        assert_eq!(a, explore::random_run(&sim, 42).schedule().to_string());
        s.apply(Msg::SetSeed("x".into()));
        s.apply(Msg::RandomRun);
        assert!(errors(&s)[0].contains("not a seed"));
    }
}
