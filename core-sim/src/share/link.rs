//! What a link holds: the world (scenario, knobs, memory model), the run and the step on screen,
//! the view, the lesson, and the presentation.

use crate::scenario;
use crate::strategy::{Knobs, MemoryModel, PRESETS};

/// The scenario a link names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioRef {
    /// A shipped scenario, by id.
    Shipped(String),
    /// An edited scenario, as JSON (validated when the link is opened).
    Json(String),
    /// An edited scenario in its compact text (`sc=`, format v5; see
    /// [`Scenario::to_compact`](crate::scenario::Scenario::to_compact)), validated when the link
    /// is opened. An editor's draft may break a rule and still travel in it.
    Compact(String),
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
    /// "What is this race?": the story with the machine picture at its key steps
    /// ([`crate::primer`]); the world fields keep the explorer's world for coming back.
    Primer,
    /// A challenge being played (see [`Link::challenge`]: its world fills the world fields and
    /// the run is the player's own), or the list of challenges when that is `None`.
    Challenge,
    /// "Host evidence": a host-report bundle opened from a file ([`crate::share::bundle`]); the
    /// link names only the view (the file stays on the viewer's machine).
    Host,
    /// The scenario editor, on the link's scenario (`view=editor`, usually with `sc=` holding
    /// the draft).
    Editor,
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
    /// The diff view: the same run replayed in a second world (`vs=` its strategy, `vm=` its
    /// memory model), aligned step by step ([`crate::analysis::diff`]). `None` in every link
    /// written before it existed.
    pub against: Option<Against>,
    /// The schedule and step were recorded with the first model's micro-steps (formats v1 and
    /// v2): [`Link::open`] replays them with the same meaning in today's steps, and [`encode`]
    /// keeps writing such a link as v2.
    pub legacy_steps: bool,
    /// Edited programs (`pg=`, format v4): operations of the world replaced by user programs,
    /// coded against the world's own programs by [`super::program::encode_patch`] and applied
    /// when the link is opened.
    pub program: Option<String>,
    /// The challenge being played (`ch=`, when `view` is [`View::Challenge`]): its world fills
    /// the fields above; the schedule and step are the player's run. `None` in every link
    /// written before challenges existed.
    pub challenge: Option<String>,
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
            against: None,
            legacy_steps: false,
            program: None,
            challenge: None,
        }
    }
}

/// The second world of a diff link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Against {
    /// Its strategy's knobs.
    pub knobs: Knobs,
    /// Its memory model.
    pub memory: MemoryModel,
}

/// The first shipped scenario's id: a link's default.
pub fn default_scenario() -> String {
    scenario::ids().into_iter().next().unwrap_or_default()
}
