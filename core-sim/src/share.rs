//! Share links: a URL query that holds a whole view of the lab (scenario, strategy knobs, memory
//! model, schedule, current step, view, lesson, embed and theme), versioned so old links keep
//! opening.
//!
//! Version 3 (written by [`encode`]) spells its parameters as version 2 did; its schedules and
//! steps count the finer micro-steps of today's model. A v1 or v2 link's schedule and step are
//! translated when it is opened (see [`crate::explore::legacy`]), so it shows the same run.
//!
//! ```text
//! ?v=3&s=<scenario id>&t=<strategy>&m=sc|tso&r=<schedule>&at=<step>
//!     s=   a shipped scenario id, or sj=<percent-encoded scenario JSON> for an edited one
//!     t=   a preset id (or an older alias), or k.<3 or 4 hex digits> for custom knobs (see [`knob_code`])
//!     r=   the schedule string (one character per step, 0-9 a-j), at= the step on screen
//!          (left out: the end of the run)
//! &view=matrix                      the strategy × scenario matrix
//! &view=lesson&l=<lesson id>&at=<n> a guided lesson at step n (the world comes from the lesson)
//! &view=lesson                      the list of lessons (over the world the link names)
//! &embed=1  &theme=light|dark|large presentation
//! ```
//!
//! Version 1 (the first web release) spelled the same things out:
//! `?v=1&scenario=…&strategy=…|custom&knobs=lock=1,target=…,…&memory=…&schedule=…&step=…&view=…`
//! and `scenario_json=…`. [`decode`] reads both; a link from a newer version is refused with a
//! message rather than half-understood.

use std::fmt;

use crate::explore::legacy::{self, LegacyError};
use crate::explore::{ReplayError, Schedule, Session};
use crate::lessons;
use crate::scenario::{self, Scenario, ScenarioError};
use crate::sim::Sim;
use crate::strategy::{IrteTarget, Knobs, MemoryModel, Strategy, PRESETS};
use crate::text;

/// The link format version [`encode`] writes.
pub const VERSION: u32 = 3;
/// Longest query accepted, in bytes.
pub const MAX_QUERY: usize = 128 * 1024;
/// Longest schedule accepted, in steps.
pub const MAX_SCHEDULE: usize = 10_000;
/// Longest scenario JSON accepted, in bytes (after percent-decoding).
pub const MAX_SCENARIO_JSON: usize = 20_000;

/// The scenario a link names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioRef {
    /// A shipped scenario, by id.
    Shipped(String),
    /// An edited scenario, as JSON (validated when the link is opened).
    Json(String),
}

/// Which page view a link opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum View {
    /// Scheduler, code, state, timeline.
    #[default]
    Explorer,
    /// The strategy × scenario verdicts.
    Matrix,
    /// A guided lesson (see [`Link::lesson`]), or the list of lessons when that is `None`.
    Lesson,
}

/// The page's look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Theme {
    /// Follow the viewer's system setting (or their saved choice).
    #[default]
    Auto,
    /// Light.
    Light,
    /// Dark.
    Dark,
    /// Presenter: large type, high contrast.
    Large,
}

impl Theme {
    /// Every theme.
    pub const ALL: [Theme; 4] = [Theme::Auto, Theme::Light, Theme::Dark, Theme::Large];

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Large => "large",
        }
    }

    /// Parse a stable id.
    pub fn from_id(id: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.id() == id)
    }
}

/// Everything a link says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The scenario.
    pub scenario: ScenarioRef,
    /// The strategy's knobs (a preset's or custom ones).
    pub knobs: Knobs,
    /// The memory model.
    pub memory: MemoryModel,
    /// The run, as a schedule string (checked against the scenario by [`Link::open`]).
    pub schedule: String,
    /// The step on screen (`None`: the end of the schedule; lessons always name a step).
    pub step: Option<usize>,
    /// The view.
    pub view: View,
    /// The lesson, when `view` is [`View::Lesson`]; its world fills the fields above.
    pub lesson: Option<String>,
    /// Minimal chrome for an iframe.
    pub embed: bool,
    /// The look.
    pub theme: Theme,
    /// The schedule and step were recorded with the first model's micro-steps (formats v1 and
    /// v2): [`Link::open`] replays them with the same meaning in today's steps, and [`encode`]
    /// keeps writing such a link as v2.
    pub legacy_steps: bool,
}

impl Default for Link {
    fn default() -> Self {
        Link {
            scenario: ScenarioRef::Shipped(default_scenario()),
            knobs: PRESETS[0].knobs,
            memory: MemoryModel::Sc,
            schedule: String::new(),
            step: None,
            view: View::Explorer,
            lesson: None,
            embed: false,
            theme: Theme::Auto,
            legacy_steps: false,
        }
    }
}

/// The first shipped scenario's id: a link's default.
pub fn default_scenario() -> String {
    scenario::ids().into_iter().next().unwrap_or_default()
}

/// One thing wrong with a link, in words a reader of the page understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// The link comes from a newer lab; nothing of it was used.
    FutureVersion {
        /// The version it names.
        found: String,
    },
    /// A parameter's value does not make sense; that part fell back to its default.
    BadValue {
        /// The parameter (as written in the link).
        param: String,
        /// What is wrong with it.
        reason: String,
        /// What was used instead.
        fallback: String,
    },
    /// The query is longer than [`MAX_QUERY`]; nothing of it was used.
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
}

impl LinkError {
    /// What lenient decoding did instead, e.g. "Using sequential consistency (sc)." — for a page
    /// that shows the message and carries on.
    pub fn fallback(&self) -> &str {
        match self {
            LinkError::BadValue { fallback, .. } => fallback,
            LinkError::FutureVersion { .. } | LinkError::TooLong { .. } => {
                "Opening the default view instead."
            }
        }
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::FutureVersion { found } => write!(
                f,
                "this link was made by a newer version of the lab (link format v{found}); this \
                 one reads formats v1 to v{VERSION}"
            ),
            LinkError::BadValue { param, reason, .. } => {
                write!(f, "link parameter '{param}': {reason}")
            }
            LinkError::TooLong { len } => write!(
                f,
                "this link is {len} bytes long, more than the {MAX_QUERY} accepted"
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// Why a decoded link cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The scenario is unknown or invalid.
    #[error("the link's scenario cannot run: {0}")]
    Scenario(ScenarioError),
    /// The schedule does not replay in this world.
    #[error("the link's schedule does not replay: {0}")]
    Replay(ReplayError),
    /// A schedule recorded with the first model's steps does not fit today's model.
    #[error("the link was written by an earlier version of the lab, and its schedule cannot be replayed today: {0}")]
    Legacy(LegacyError),
    /// The step is past the end of the schedule.
    #[error("the link shows step {step}, but its schedule has only {len} steps")]
    StepBeyondEnd {
        /// Requested step.
        step: usize,
        /// Steps in the schedule.
        len: usize,
    },
}

/// A link opened: the compiled world and the run, positioned at the link's step.
#[derive(Clone, Debug)]
pub struct Opened {
    /// The world.
    pub sim: Sim,
    /// The run, with its cursor at the link's step.
    pub session: Session,
    /// The same link in today's format and steps (an old link's schedule translated).
    pub link: Link,
}

impl Link {
    /// The scenario the link names, parsed and validated.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        match &self.scenario {
            ScenarioRef::Shipped(id) => scenario::by_id(id),
            ScenarioRef::Json(json) => Scenario::from_json(json),
        }
    }

    /// Compile the world, replay the schedule (an old link's translated to today's steps) and go
    /// to the link's step.
    pub fn open(&self) -> Result<Opened, OpenError> {
        let scenario = self.scenario().map_err(OpenError::Scenario)?;
        let sim = Sim::new(scenario, Strategy::custom(self.knobs), self.memory)
            .map_err(OpenError::Scenario)?;
        let link = self.in_current_steps(&sim)?;
        let mut session = Session::replay(&sim, &link.schedule).map_err(OpenError::Replay)?;
        if let Some(step) = link.step {
            if step > session.len() {
                return Err(OpenError::StepBeyondEnd {
                    step,
                    len: session.len(),
                });
            }
            session.goto(step);
        }
        Ok(Opened { sim, session, link })
    }

    /// As [`Link::in_current_steps`], but always a link to show: when an old schedule stops
    /// fitting, the part before that point, with the reason; when it does not even parse, the
    /// link as it came, for the replay to report.
    pub fn in_current_steps_lenient(&self, sim: &Sim) -> (Link, Option<LegacyError>) {
        match self.in_current_steps(sim) {
            Ok(link) => (link, None),
            Err(OpenError::Legacy(e)) => {
                let prefix = Link {
                    schedule: self.schedule.chars().take(e.pos - 1).collect(),
                    step: None,
                    ..self.clone()
                };
                let link = prefix.in_current_steps(sim).unwrap_or_else(|_| Link {
                    schedule: String::new(),
                    step: None,
                    legacy_steps: false,
                    ..self.clone()
                });
                (link, Some(e))
            }
            Err(_) => (
                Link {
                    legacy_steps: false,
                    ..self.clone()
                },
                None,
            ),
        }
    }

    /// This link in today's steps: an old link's schedule translated and its step moved to
    /// where the same old step lands (a lesson's through its first-release run). `sim` is the
    /// world the link names.
    pub fn in_current_steps(&self, sim: &Sim) -> Result<Link, OpenError> {
        let mut link = self.clone();
        link.legacy_steps = false;
        if !self.legacy_steps {
            return Ok(link);
        }
        let lesson = self
            .lesson
            .as_deref()
            .filter(|_| self.view == View::Lesson)
            .and_then(|id| lessons::by_id(id).ok());
        let recorded = match lesson {
            Some(l) => l.first_release_schedule.to_string(),
            None => self.schedule.clone(),
        };
        let old: Schedule = recorded
            .parse()
            .map_err(|e| OpenError::Replay(ReplayError::Parse(e)))?;
        let t = legacy::translate(sim, &old).map_err(OpenError::Legacy)?;
        if lesson.is_none() {
            link.schedule = t.schedule.to_string();
        }
        if let Some(step) = self.step {
            let len = old.0.len();
            if step > len {
                return Err(OpenError::StepBeyondEnd { step, len });
            }
            link.step = Some(t.positions[step]);
        }
        Ok(link)
    }
}

/// The query string (with its leading `?`) for a link, in the current format.
pub fn encode(link: &Link) -> String {
    let version = if link.legacy_steps { 2 } else { VERSION };
    let mut out = format!("?v={version}");
    let lesson = match (link.view, &link.lesson) {
        (View::Lesson, Some(id)) => Some(id),
        _ => None,
    };
    if let Some(id) = lesson {
        push(&mut out, "view", "lesson");
        push(&mut out, "l", id);
        push(&mut out, "at", &link.step.unwrap_or(0).to_string());
    } else {
        match &link.scenario {
            ScenarioRef::Shipped(id) => push(&mut out, "s", id),
            ScenarioRef::Json(json) => push(&mut out, "sj", json),
        }
        let strategy = match Strategy::custom(link.knobs).preset_id() {
            Some(id) => id.to_string(),
            None => knob_code(&link.knobs),
        };
        push(&mut out, "t", &strategy);
        push(&mut out, "m", link.memory.id());
        if !link.schedule.is_empty() {
            push(&mut out, "r", &link.schedule);
        }
        if let Some(step) = link.step.filter(|&s| s != link.schedule.chars().count()) {
            push(&mut out, "at", &step.to_string());
        }
        match link.view {
            View::Matrix => push(&mut out, "view", "matrix"),
            // The list of lessons, over the world on screen.
            View::Lesson => push(&mut out, "view", "lesson"),
            View::Explorer => {}
        }
    }
    if link.embed {
        push(&mut out, "embed", "1");
    }
    if link.theme != Theme::Auto {
        push(&mut out, "theme", link.theme.id());
    }
    out
}

/// Strict decoding: the link, or the first thing wrong with it.
pub fn decode(query: &str) -> Result<Link, LinkError> {
    let (link, mut problems) = decode_lenient(query);
    if problems.is_empty() {
        Ok(link)
    } else {
        Err(problems.swap_remove(0))
    }
}

/// Lenient decoding for a page: never fails. Every part that does not make sense falls back to
/// its default and adds a [`LinkError`] saying so; a link from a newer version, or one too long,
/// gives the default link.
pub fn decode_lenient(query: &str) -> (Link, Vec<LinkError>) {
    if query.len() > MAX_QUERY {
        return (
            Link::default(),
            vec![LinkError::TooLong { len: query.len() }],
        );
    }
    let params = pairs(query);
    let version = params
        .iter()
        .find(|(k, _)| k == "v")
        .map(|(_, v)| v.as_str());
    let version = match version {
        Some(v) => match v.parse::<u32>() {
            Ok(n @ 1..=VERSION) => n,
            Ok(n) if n > VERSION => {
                return (
                    Link::default(),
                    vec![LinkError::FutureVersion {
                        found: n.to_string(),
                    }],
                )
            }
            _ => {
                return (
                    Link::default(),
                    vec![bad(
                        "v",
                        format!(
                            "'{}' is not a link format version (1 to {VERSION})",
                            text::shown(v, text::MAX_ECHO)
                        ),
                        "Opening the default view.",
                    )],
                )
            }
        },
        // Hand-written links may leave the version out: guess it from the parameter names
        // (short names: today's format and steps).
        None if params.iter().any(|(k, _)| V2_KEYS.contains(&k.as_str())) => VERSION,
        None => 1,
    };
    let mut d = Decoder::default();
    // v2 and v3 spell their parameters alike; v3 counts today's finer micro-steps.
    let names = if version == 1 { V1_NAMES } else { V2_NAMES };
    for (key, value) in &params {
        d.param(&names, key, value);
    }
    let (mut link, problems) = d.finish();
    // Only a schedule or a step depends on how fine the steps are.
    link.legacy_steps = version < 3 && (!link.schedule.is_empty() || link.step.is_some());
    (link, problems)
}

/// Parameter names that only version 2 uses.
const V2_KEYS: [&str; 7] = ["s", "sj", "t", "m", "r", "at", "l"];

/// The spelling of each parameter in one format version.
struct Names {
    scenario: &'static str,
    scenario_json: &'static str,
    strategy: &'static str,
    memory: &'static str,
    schedule: &'static str,
    step: &'static str,
}

const V1_NAMES: Names = Names {
    scenario: "scenario",
    scenario_json: "scenario_json",
    strategy: "strategy",
    memory: "memory",
    schedule: "schedule",
    step: "step",
};

const V2_NAMES: Names = Names {
    scenario: "s",
    scenario_json: "sj",
    strategy: "t",
    memory: "m",
    schedule: "r",
    step: "at",
};

/// Collects parameters, then settles them against each other.
#[derive(Default)]
struct Decoder {
    link: Link,
    problems: Vec<LinkError>,
    strategy: Option<(String, String)>,
    v1_knobs: Option<String>,
    lesson: Option<String>,
}

impl Decoder {
    fn param(&mut self, names: &Names, key: &str, value: &str) {
        let n = names;
        if key == n.scenario {
            self.link.scenario = ScenarioRef::Shipped(value.to_string());
        } else if key == n.scenario_json {
            if value.len() > MAX_SCENARIO_JSON {
                self.problems.push(bad(
                    key,
                    format!(
                        "the scenario JSON is {} bytes, more than the {MAX_SCENARIO_JSON} accepted",
                        value.len()
                    ),
                    "Using the default scenario.",
                ));
            } else {
                self.link.scenario = ScenarioRef::Json(value.to_string());
            }
        } else if key == n.strategy {
            self.strategy = Some((key.to_string(), value.to_string()));
        } else if key == n.memory {
            match MemoryModel::from_id(value) {
                Ok(m) => self.link.memory = m,
                Err(e) => self
                    .problems
                    .push(bad(key, e, "Using sequential consistency (sc).")),
            }
        } else if key == n.schedule {
            if value.chars().count() > MAX_SCHEDULE {
                self.problems.push(bad(
                    key,
                    format!(
                        "the schedule has {} steps, more than the {MAX_SCHEDULE} accepted",
                        value.chars().count()
                    ),
                    "Starting from the initial state.",
                ));
            } else {
                self.link.schedule = value.to_string();
            }
        } else if key == n.step {
            match value.parse::<usize>() {
                Ok(s) => self.link.step = Some(s),
                Err(_) => self.problems.push(bad(
                    key,
                    format!(
                        "'{}' is not a step number",
                        text::shown(value, text::MAX_ECHO)
                    ),
                    "Showing the end of the run.",
                )),
            }
        } else {
            self.common(key, value);
        }
    }

    /// Parameters spelled the same in every version.
    fn common(&mut self, key: &str, value: &str) {
        match key {
            "knobs" => self.v1_knobs = Some(value.to_string()),
            "view" => match value {
                "explorer" => self.link.view = View::Explorer,
                "matrix" => self.link.view = View::Matrix,
                "lesson" => self.link.view = View::Lesson,
                other => self.problems.push(bad(
                    "view",
                    format!(
                        "unknown view '{}' (explorer, matrix or lesson)",
                        text::shown(other, text::MAX_ECHO)
                    ),
                    "Showing the explorer.",
                )),
            },
            "l" | "lesson" => self.lesson = Some(value.to_string()),
            "embed" => match value {
                "1" | "true" | "" => self.link.embed = true,
                "0" | "false" => self.link.embed = false,
                other => self.problems.push(bad(
                    "embed",
                    format!("'{}' is not 0 or 1", text::shown(other, text::MAX_ECHO)),
                    "Showing the full page.",
                )),
            },
            "theme" => match Theme::from_id(value) {
                Some(t) => self.link.theme = t,
                None => self.problems.push(bad(
                    "theme",
                    format!(
                        "unknown theme '{}' (auto, light, dark or large)",
                        text::shown(value, text::MAX_ECHO)
                    ),
                    "Using the automatic theme.",
                )),
            },
            // Unknown parameters (tracking tags, a later minor addition) are ignored.
            _ => {}
        }
    }

    fn finish(mut self) -> (Link, Vec<LinkError>) {
        self.settle_strategy();
        if self.link.view == View::Lesson || self.lesson.is_some() {
            self.settle_lesson();
        }
        let at_end = self.link.step == Some(self.link.schedule.chars().count());
        if self.link.lesson.is_none() && at_end {
            // The end of the run is spelled by leaving the step out (everywhere but in a lesson
            // link, which always names its step; the list of lessons is written like any view).
            self.link.step = None;
        }
        (self.link, self.problems)
    }

    fn settle_strategy(&mut self) {
        let default = PRESETS[0].id;
        let fallback = format!("Using the '{default}' strategy.");
        match (self.strategy.take(), self.v1_knobs.take()) {
            (None, Some(k)) => self.knobs_v1("knobs", &k, &fallback),
            (Some((_, s)), Some(k)) if s == "custom" => self.knobs_v1("knobs", &k, &fallback),
            (Some((key, s)), None) if s == "custom" => self.problems.push(bad(
                &key,
                "'custom' needs a knobs= parameter".to_string(),
                &fallback,
            )),
            (Some((key, s)), _) => {
                if let Ok(p) = Strategy::preset(&s) {
                    self.link.knobs = p.knobs;
                } else if let Some(code) = s.strip_prefix("k.") {
                    match decode_knob_code(code) {
                        Ok(k) => self.link.knobs = k,
                        Err(e) => self.problems.push(bad(&key, e, &fallback)),
                    }
                } else {
                    let e = Strategy::preset(&s).err().map(|e| e.to_string());
                    self.problems
                        .push(bad(&key, e.unwrap_or_default(), &fallback));
                }
            }
            (None, None) => {}
        }
    }

    fn knobs_v1(&mut self, key: &str, text: &str, fallback: &str) {
        match decode_knob_list(text) {
            Ok(k) => self.link.knobs = k,
            Err(e) => self.problems.push(bad(key, e, fallback)),
        }
    }

    fn settle_lesson(&mut self) {
        let Some(id) = self.lesson.take() else {
            // `view=lesson` alone: the list of lessons, over the world the link names.
            return;
        };
        match lessons::by_id(&id) {
            Ok(lesson) => {
                let step = self.link.step.unwrap_or(0);
                let (embed, theme) = (self.link.embed, self.link.theme);
                self.link = lesson.link(step);
                self.link.embed = embed;
                self.link.theme = theme;
            }
            Err(e) => {
                self.problems
                    .push(bad("l", e.to_string(), "Showing the explorer."));
                self.link.view = View::Explorer;
            }
        }
    }
}

/// Longest reason a [`LinkError`] gives, in characters (reasons from other modules echo the value).
const MAX_REASON: usize = 300;

fn bad(param: &str, reason: String, fallback: &str) -> LinkError {
    LinkError::BadValue {
        param: param.to_string(),
        // A link is untrusted: whatever it carries is shown escaped and clipped.
        reason: text::shown(&reason, MAX_REASON),
        fallback: fallback.to_string(),
    }
}

/// Custom knobs as `k.` plus three or four hex digits (v2): bit 0 lock in load/put, 1 READ_ONCE,
/// 2 WRITE_ONCE, 3 smp_mb, 4 kick, 5 GALogIntr only when blocking, bits 6–8 the index of the
/// IRTE target in [`IrteTarget::ALL`], then the knobs added later, each 0 at the value the model
/// had before it existed (so every earlier three-digit code keeps its meaning): 9 irqfds.lock,
/// 10 KVM's own entry copy, 11 IPI virtualization *off*, 12 AVIC erratum #1235, 13 the
/// candidate disarm-on-unlink fix (12 and 13 take a fourth digit).
pub fn knob_code(k: &Knobs) -> String {
    let target = IrteTarget::ALL
        .iter()
        .position(|t| *t == k.irte_target)
        .unwrap_or(0) as u16;
    let bits = k.lock_in_load_put as u16
        | (k.read_once as u16) << 1
        | (k.write_once as u16) << 2
        | (k.smp_mb as u16) << 3
        | (k.kick as u16) << 4
        | (k.ga_log_only_when_blocking as u16) << 5
        | target << 6
        | (k.irqfds_lock as u16) << 9
        | (k.shadow_entry as u16) << 10
        | (!k.enable_ipiv as u16) << 11
        | (k.avic_erratum_1235 as u16) << 12
        | (k.disarm_on_unlink as u16) << 13;
    format!("k.{bits:03x}")
}

/// Parse the three hex digits after `k.` (see [`knob_code`]).
pub fn decode_knob_code(code: &str) -> Result<Knobs, String> {
    let bits = (code.len() == 3 || code.len() == 4)
        .then(|| {
            code.bytes()
                .all(|b| b.is_ascii_hexdigit())
                .then(|| u16::from_str_radix(code, 16).ok())
                .flatten()
        })
        .flatten()
        .filter(|b| *b < 1 << 14 && (code.len() == 3 || *b >= 0x1000))
        .ok_or_else(|| {
            format!("custom knobs 'k.{code}' must be k. and three hex digits (four with bit 12)")
        })?;
    let target = IrteTarget::ALL
        .get(usize::from((bits >> 6) & 7))
        .copied()
        .ok_or_else(|| {
            format!(
                "custom knobs 'k.{code}' name IRTE target #{} of {}",
                (bits >> 6) & 7,
                IrteTarget::ALL.len()
            )
        })?;
    let bit = |n: u16| bits & (1 << n) != 0;
    Ok(Knobs {
        lock_in_load_put: bit(0),
        read_once: bit(1),
        write_once: bit(2),
        smp_mb: bit(3),
        kick: bit(4),
        ga_log_only_when_blocking: bit(5),
        irte_target: target,
        irqfds_lock: bit(9),
        shadow_entry: bit(10),
        enable_ipiv: !bit(11),
        avic_erratum_1235: bit(12),
        disarm_on_unlink: bit(13),
    })
}

/// Parse knobs written out as `lock=1,target=under-list-lock,read_once=1,…` (v1 links and the
/// CLI); knobs left out keep the first preset's value.
pub fn decode_knob_list(text: &str) -> Result<Knobs, String> {
    let mut k = PRESETS[0].knobs;
    for item in text.split([',', ' ']).filter(|s| !s.is_empty()) {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| format!("knob '{item}' has no value (write name=value)"))?;
        let flag = || match value {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(format!("knob {name}={value}: use 0 or 1")),
        };
        if name == "target" {
            k.irte_target = IrteTarget::from_id(value).ok_or_else(|| {
                let known: Vec<&str> = IrteTarget::ALL.iter().map(|t| t.id()).collect();
                format!("knob target={value}: unknown; known: {}", known.join(", "))
            })?;
            continue;
        }
        match crate::strategy::FLAGS.iter().find(|f| f.short == name) {
            Some(f) => (f.set)(&mut k, flag()?),
            None => {
                let known: Vec<&str> = crate::strategy::FLAGS.iter().map(|f| f.short).collect();
                return Err(format!(
                    "unknown knob '{other}' (known: target, {})",
                    known.join(", "),
                    other = name
                ));
            }
        }
    }
    Ok(k)
}

fn push(out: &mut String, key: &str, value: &str) {
    out.push('&');
    out.push_str(key);
    out.push('=');
    out.push_str(&percent_encode(value));
}

/// The query part of a full URL (after `?`, before `#`), or the text itself if it has no `?`.
pub fn query_of(url: &str) -> &str {
    let url = url.split('#').next().unwrap_or("");
    match url.split_once('?') {
        Some((_, q)) => q,
        None => url,
    }
}

/// `key=value` pairs of a query string (with or without its `?`), percent-decoded.
fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Percent-encode everything but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Decode `%XX` escapes and `+` (a space); malformed escapes stay as written and invalid UTF-8
/// is replaced, so this never fails.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preset(id: &str) -> Knobs {
        Strategy::preset(id).unwrap().knobs
    }

    #[test]
    fn empty_query_is_the_default_link() {
        assert_eq!(decode(""), Ok(Link::default()));
        assert_eq!(decode("?"), Ok(Link::default()));
    }

    #[test]
    fn v2_round_trips_presets_custom_knobs_views_and_presentation() {
        let mut link = Link {
            scenario: ScenarioRef::Shipped("migrate-vs-affinity".into()),
            knobs: preset("lock-fix"),
            memory: MemoryModel::Tso,
            schedule: "0012a1".into(),
            step: Some(3),
            ..Link::default()
        };
        let q = encode(&link);
        assert_eq!(
            q,
            "?v=3&s=migrate-vs-affinity&t=linux-6.6&m=tso&r=0012a1&at=3"
        );
        assert_eq!(decode(&q), Ok(link.clone()));
        // A link written before the version ids, with the old id, names the same world; its
        // schedule counts the first model's steps, and it is written back as it came.
        let old = "?v=2&s=migrate-vs-affinity&t=lock-fix&m=tso&r=0012a1&at=3";
        let back = decode(old).unwrap();
        assert_eq!(
            back,
            Link {
                legacy_steps: true,
                ..link.clone()
            }
        );
        assert_eq!(
            encode(&back),
            "?v=2&s=migrate-vs-affinity&t=linux-6.6&m=tso&r=0012a1&at=3"
        );

        link.knobs.kick = true;
        link.knobs.irte_target = IrteTarget::AfterListAdd;
        link.view = View::Matrix;
        link.embed = true;
        link.theme = Theme::Large;
        let q = encode(&link);
        assert!(q.contains("&t=k.") && q.contains("embed=1") && q.contains("theme=large"));
        assert_eq!(decode(&q), Ok(link));
    }

    #[test]
    fn every_knob_combination_has_a_code_that_round_trips() {
        // 6 flags × 5 targets: every code below 5 << 6 is a distinct combination.
        let mut seen = std::collections::HashSet::new();
        for bits in 0u16..(5 << 6) {
            let code = format!("{bits:03x}");
            let k = decode_knob_code(&code).unwrap();
            assert_eq!(knob_code(&k), format!("k.{code}"));
            assert!(seen.insert(k), "{code} repeats a combination");
        }
        assert_eq!(
            decode_knob_code("140").unwrap_err(),
            "custom knobs 'k.140' name IRTE target #5 of 5"
        );
        assert!(decode_knob_code("fff")
            .unwrap_err()
            .contains("IRTE target #7"));
        // The knobs added later take the fourth digit or bits 9..11, all 0 in earlier codes.
        let k = decode_knob_code("1e00").unwrap();
        assert!(k.irqfds_lock && k.shadow_entry && !k.enable_ipiv && k.avic_erratum_1235);
        assert_eq!(knob_code(&k), "k.1e00");
        assert!(
            decode_knob_code("0e00").is_err(),
            "a fourth digit only for bit 12"
        );
        assert!(decode_knob_code("4000").is_err());
        assert!(decode_knob_code("1g0").is_err());
        assert!(decode_knob_code("10").is_err());
    }

    #[test]
    fn an_end_of_run_step_is_left_out() {
        let link = Link {
            schedule: "0011".into(),
            step: Some(4),
            ..Link::default()
        };
        assert!(!encode(&link).contains("at="));
        assert_eq!(decode(&encode(&link)).unwrap().step, None);
        // Written out by hand, it reads back the same way; a step without a run survives.
        assert_eq!(decode("?v=2&r=0011&at=4").unwrap().step, None);
        let odd = Link {
            step: Some(3),
            ..Link::default()
        };
        assert_eq!(decode(&encode(&odd)), Ok(odd));
    }

    #[test]
    fn scenario_json_survives_percent_encoding() {
        let json = "{\"id\": \"x & y\", \"a\": [1, 2]} é";
        let link = Link {
            scenario: ScenarioRef::Json(json.into()),
            ..Link::default()
        };
        assert_eq!(
            decode(&encode(&link)).unwrap().scenario,
            ScenarioRef::Json(json.into())
        );
    }

    /// Links the first web release wrote must keep opening the same view.
    #[test]
    fn frozen_v1_links_still_open() {
        let l = decode(
            "?v=1&scenario=put-block-vs-affinity&strategy=naive-update&memory=tso\
             &schedule=0000000001111111222&step=12",
        )
        .unwrap();
        assert_eq!(
            l.scenario,
            ScenarioRef::Shipped("put-block-vs-affinity".into())
        );
        assert_eq!(l.knobs, preset("naive-update"));
        assert_eq!(
            (l.memory, l.schedule.as_str(), l.step),
            (MemoryModel::Tso, "0000000001111111222", Some(12))
        );

        let l = decode(
            "?v=1&scenario=running-retarget&strategy=custom\
             &knobs=lock%3D1%2Ctarget%3Dafter-list-add%2Cread_once%3D1%2Cwrite_once%3D0%2Cmb%3D1%2Ckick%3D0%2Cgalog_blocking%3D0\
             &memory=sc&view=matrix",
        )
        .unwrap();
        assert_eq!(l.view, View::Matrix);
        assert!(l.knobs.lock_in_load_put && l.knobs.smp_mb && !l.knobs.write_once);
        assert_eq!(l.knobs.irte_target, IrteTarget::AfterListAdd);

        let l = decode("?v=1&scenario_json=%7B%22id%22%3A%22e%22%7D").unwrap();
        assert_eq!(l.scenario, ScenarioRef::Json("{\"id\":\"e\"}".into()));
    }

    #[test]
    fn a_missing_version_is_guessed_from_the_names() {
        assert_eq!(decode("?t=kick").unwrap().knobs, preset("kick"));
        assert_eq!(decode("?strategy=kick").unwrap().knobs, preset("kick"));
    }

    #[test]
    fn future_and_bad_versions_are_refused_with_a_message() {
        let (link, problems) = decode_lenient("?v=4&s=running-retarget&t=kick");
        assert_eq!(link, Link::default());
        assert_eq!(
            problems,
            vec![LinkError::FutureVersion { found: "4".into() }]
        );
        assert!(problems[0].to_string().contains("newer version of the lab"));
        assert_eq!(problems[0].fallback(), "Opening the default view instead.");
        for v in ["0", "x", "-1", "99999999999999999999"] {
            let err = decode(&format!("?v={v}")).unwrap_err();
            assert!(
                err.to_string().contains("link format version"),
                "{v}: {err}"
            );
        }
    }

    #[test]
    fn bad_values_fall_back_one_by_one_with_a_reason() {
        let (link, problems) =
            decode_lenient("?v=2&s=running-retarget&t=nope&m=arm&at=x&view=zz&theme=neon&embed=2");
        assert_eq!(
            link.scenario,
            ScenarioRef::Shipped("running-retarget".into())
        );
        assert_eq!(link.knobs, PRESETS[0].knobs);
        assert_eq!(
            (link.memory, link.step, link.view),
            (MemoryModel::Sc, None, View::Explorer)
        );
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 6, "{text:?}");
        for needle in [
            "unknown memory model 'arm'",
            "'x' is not a step number",
            "unknown view 'zz'",
            "unknown theme 'neon'",
            "'2' is not 0 or 1",
            "unknown strategy 'nope'",
        ] {
            assert!(
                text.iter().any(|t| t.contains(needle)),
                "{needle}: {text:?}"
            );
        }
        assert_eq!(problems[0].fallback(), "Using sequential consistency (sc).");
        let err = decode("?strategy=custom&knobs=lock=1,warp=9").unwrap_err();
        assert!(err.to_string().contains("unknown knob 'warp'"), "{err}");
        let err = decode("?v=2&t=k.zzz").unwrap_err();
        assert!(err.to_string().contains("three hex digits"), "{err}");
    }

    #[test]
    fn oversized_parts_are_refused() {
        let long = "0".repeat(MAX_SCHEDULE + 1);
        assert!(decode(&format!("?v=2&r={long}"))
            .unwrap_err()
            .to_string()
            .contains("more than"));
        let huge = "a".repeat(MAX_QUERY + 1);
        assert_eq!(
            decode(&huge),
            Err(LinkError::TooLong { len: MAX_QUERY + 1 })
        );
    }

    #[test]
    fn open_replays_to_the_step_and_reports_what_does_not_fit() {
        let link =
            decode("?v=2&s=put-block-vs-affinity&t=naive-update&m=sc&r=0000000001111111222&at=9")
                .unwrap();
        let opened = link.open().unwrap();
        // The first model's 19 steps are today's 24; old step 9 (vCPU0 asleep) is still 9.
        assert_eq!((opened.session.position(), opened.session.len()), (9, 24));
        assert_eq!(
            encode(&opened.link),
            "?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=9"
        );

        let past = Link {
            step: Some(20),
            ..link.clone()
        };
        assert_eq!(
            past.open().unwrap_err(),
            OpenError::StepBeyondEnd { step: 20, len: 19 }
        );
        let wrong = Link {
            schedule: "9".into(),
            step: None,
            ..link.clone()
        };
        assert!(matches!(wrong.open().unwrap_err(), OpenError::Legacy(_)));
        let wrong_now = Link {
            legacy_steps: false,
            ..wrong
        };
        assert!(matches!(
            wrong_now.open().unwrap_err(),
            OpenError::Replay(_)
        ));
        let unknown = Link {
            scenario: ScenarioRef::Shipped("nope".into()),
            ..link
        };
        assert!(unknown
            .open()
            .unwrap_err()
            .to_string()
            .contains("unknown scenario 'nope'"));
    }

    #[test]
    fn lesson_links_carry_only_the_lesson_and_step() {
        let lesson = &lessons::all()[1];
        let link = lesson.link(2);
        let q = encode(&link);
        assert_eq!(q, format!("?v=3&view=lesson&l={}&at=2", lesson.id));
        let back = decode(&q).unwrap();
        assert_eq!(back, link);
        assert_eq!(back.schedule, lesson.schedule);

        let (link, problems) = decode_lenient("?v=2&view=lesson&l=no-such-lesson");
        assert_eq!(link.view, View::Explorer);
        assert!(
            problems[0].to_string().contains("no-such-lesson"),
            "{problems:?}"
        );
        // Without a lesson id: the list of lessons, over the link's world.
        let list = decode("?v=2&s=running-retarget&t=kick&m=tso&view=lesson").unwrap();
        assert_eq!((list.view, list.lesson.as_deref()), (View::Lesson, None));
        assert_eq!(
            list.scenario,
            ScenarioRef::Shipped("running-retarget".into())
        );
        assert_eq!(decode(&encode(&list)), Ok(list));
        // Found by the fuzzer: the list of lessons at the end of an empty run reads back.
        let (list, _) = decode_lenient("?v=2&view=lesson&at=0");
        assert_eq!((list.view, list.step), (View::Lesson, None));
        assert_eq!(decode(&encode(&list)), Ok(list));
        let (list, _) = decode_lenient("?v=2&view=lesson&r=01&at=2");
        assert_eq!(decode(&encode(&list)), Ok(list));
        // Found by the fuzzer: a failed lesson link falls back to a plain link that reads back.
        let (fallback, _) = decode_lenient("?v=2&view=lesson&l=nope&at=0");
        assert_eq!(decode(&encode(&fallback)), Ok(fallback));
        // Without a step, a lesson starts at the beginning.
        let start = decode(&format!("?v=2&view=lesson&l={}", lesson.id)).unwrap();
        assert_eq!(start.step, Some(0));
    }

    #[test]
    fn echoed_values_are_escaped_and_clipped() {
        let evil = "%1B%5B2J%1B%5D0%3Bpwned%07%0A%E2%9C%93+verdict%3A+SAFE";
        for q in [
            format!("?v={evil}"),
            format!("?v=2&at={evil}"),
            format!("?v=2&view={evil}"),
            format!("?v=2&embed={evil}"),
            format!("?v=2&theme={evil}"),
            format!("?v=2&m={evil}"),
            format!("?v=2&t={evil}"),
            format!("?v=2&t=k.{evil}"),
            format!("?v=2&view=lesson&l={evil}"),
            format!("?v=1&strategy=custom&knobs={evil}"),
        ] {
            let (_, problems) = decode_lenient(&q);
            assert!(!problems.is_empty(), "{q}");
            for p in problems {
                let text = p.to_string();
                assert!(!text.chars().any(text::is_unsafe), "{q}: {text:?}");
                assert!(
                    text.contains("\\u{1b}") || text.contains("\\n"),
                    "{q}: {text}"
                );
            }
        }
        let long = "x".repeat(100_000);
        let (_, problems) = decode_lenient(&format!("?v=2&theme={long}"));
        assert!(problems[0].to_string().len() < 400, "{}", problems[0]);
    }

    #[test]
    fn query_of_takes_the_query_of_a_full_url() {
        assert_eq!(query_of("https://x.org/lab/?v=2&t=kick#top"), "v=2&t=kick");
        assert_eq!(query_of("?v=2"), "v=2");
        assert_eq!(query_of("v=2&t=kick"), "v=2&t=kick");
    }

    #[test]
    fn percent_decoding_never_panics_and_keeps_malformed_escapes() {
        for s in [
            "%", "%4", "%zz", "a%2", "%%%", "%E9", "%C3%A9", "+%2B", "%%41",
        ] {
            let _ = percent_decode(s);
        }
        assert_eq!(percent_decode("%C3%A9+%2B"), "é +");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%41"), "A");
    }
}
