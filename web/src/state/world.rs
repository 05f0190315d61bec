//! The world on screen: which scenario runs, under which strategy's knobs and which memory model.
//! A change here is a new world: the composition (`super::AppState`) then starts a fresh run and
//! drops what the check and the lesson said about the old one.

use crate::url::ScenarioRef;
use core_sim::lessons::Lesson;
use core_sim::program::text::Patch;
use core_sim::strategy::PRESETS;
use core_sim::{Knobs, MemoryModel, Scenario, Sim, Strategy};
use std::rc::Rc;

/// Messages of the world.
#[derive(Clone, Debug, PartialEq)]
pub enum WorldMsg {
    /// Pick a scenario by id.
    SelectScenario(String),
    /// Pick a preset by id.
    SelectPreset(String),
    /// Set custom knobs.
    SetKnobs(Knobs),
    /// Pick a memory model.
    SetMemory(MemoryModel),
}

/// The world's state.
#[derive(Clone, Debug, PartialEq)]
pub struct World {
    /// Scenarios on offer (shipped, plus one from a link).
    pub scenarios: Rc<Vec<Scenario>>,
    /// The chosen scenario.
    pub scenario: Scenario,
    /// The chosen knobs.
    pub knobs: Knobs,
    /// The chosen memory model.
    pub memory: MemoryModel,
    /// Edited programs that replace operations of the scenario's threads (the patch editor);
    /// kept when the strategy or memory model changes, dropped with the scenario.
    pub patch: Option<Patch>,
}

impl World {
    /// The shipped scenarios, the first one chosen, with these knobs and memory model.
    pub fn new(knobs: Knobs, memory: MemoryModel) -> World {
        let shipped = core_sim::scenario::shipped();
        World {
            scenario: shipped[0].clone(),
            scenarios: Rc::new(shipped),
            knobs,
            memory,
            patch: None,
        }
    }

    /// Apply one message: `Ok` if the world changed, else why not (for a notice).
    pub fn apply(&mut self, msg: WorldMsg) -> Result<(), String> {
        match msg {
            WorldMsg::SelectScenario(id) => match self.scenarios.iter().find(|s| s.id == id) {
                Some(sc) => {
                    self.scenario = sc.clone();
                    self.patch = None;
                }
                None => return Err(format!("There is no scenario '{id}'.")),
            },
            WorldMsg::SelectPreset(id) => {
                self.knobs = Strategy::preset(&id).map_err(|e| e.to_string())?.knobs
            }
            WorldMsg::SetKnobs(k) => self.knobs = k,
            WorldMsg::SetMemory(m) => self.memory = m,
        }
        Ok(())
    }

    /// Offer `sc` (a scenario from a link) and choose it; it replaces an offered one of its id.
    pub fn adopt(&mut self, sc: Scenario) {
        let mut list = (*self.scenarios).clone();
        list.retain(|x| x.id != sc.id);
        list.push(sc.clone());
        self.scenarios = Rc::new(list);
        self.scenario = sc;
        self.patch = None;
    }

    /// Switch to a lesson's world.
    pub fn enter_lesson(&mut self, lesson: &Lesson) -> Result<(), String> {
        self.scenario = core_sim::scenario::by_id(lesson.scenario).map_err(|e| e.to_string())?;
        if let Ok(p) = Strategy::preset(lesson.strategy) {
            self.knobs = p.knobs;
        }
        self.memory = lesson.memory;
        self.patch = None;
        Ok(())
    }

    /// Switch to a matrix cell's world (an offered scenario, a preset); `false` (and nothing
    /// changes) if either is unknown.
    pub fn enter_cell(&mut self, scenario: &str, preset: &str, memory: MemoryModel) -> bool {
        let Some(sc) = self.scenarios.iter().find(|s| s.id == scenario).cloned() else {
            return false;
        };
        let Some(p) = PRESETS.iter().find(|p| p.id == preset) else {
            return false;
        };
        self.scenario = sc;
        self.knobs = p.knobs;
        self.memory = memory;
        self.patch = None;
        true
    }

    /// The compiled world with its patch applied, or why it cannot run.
    pub fn sim(&self) -> Result<Sim, String> {
        let base = self.base_sim()?;
        match &self.patch {
            None => Ok(base),
            Some(p) => Sim::with_patch(base.scenario, base.strategy, base.memory, p.clone())
                .map_err(|e| {
                    format!("the edited programs do not fit this world ({e}); revert them in the patch editor")
                }),
        }
    }

    /// The compiled world without the patch (the strategy's own programs).
    pub fn base_sim(&self) -> Result<Sim, String> {
        Sim::new(
            self.scenario.clone(),
            Strategy::custom(self.knobs),
            self.memory,
        )
        .map_err(|e| e.to_string())
    }

    /// The patch as a link carries it (`pg=`, coded against the world's own programs).
    pub fn patch_code(&self) -> Option<String> {
        let patch = self.patch.as_ref()?;
        let base = self.base_sim().ok()?;
        Some(core_sim::share::program::encode_patch(&base, patch))
    }

    /// The patch's text, as the worker reads it (a check of the edited world).
    pub fn patch_text(&self) -> Option<String> {
        self.patch.as_ref().map(Patch::print)
    }

    /// The preset the knobs equal, if any.
    pub fn preset_id(&self) -> Option<&'static str> {
        Strategy::custom(self.knobs).preset_id()
    }

    /// The scenario as a link names it: by id if shipped, else in its compact text (`sc=`;
    /// JSON only for one whose numbers that text cannot spell, which no valid scenario has).
    pub fn scenario_ref(&self) -> ScenarioRef {
        if core_sim::scenario::shipped().contains(&self.scenario) {
            ScenarioRef::Shipped(self.scenario.id.clone())
        } else if let Some(text) = self.scenario.to_compact() {
            ScenarioRef::Compact(text)
        } else {
            ScenarioRef::Json(self.scenario.to_json())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        World::new(
            Strategy::preset("naive-update").unwrap().knobs,
            MemoryModel::Sc,
        )
    }

    #[test]
    fn picks_change_the_world_and_unknown_ones_say_why() {
        let mut w = world();
        assert_eq!(w.scenario.id, "put-block-vs-affinity");
        w.apply(WorldMsg::SelectScenario("block-ga-log".into()))
            .unwrap();
        assert_eq!(w.scenario.id, "block-ga-log");
        w.apply(WorldMsg::SelectPreset("lock-fix".into())).unwrap();
        assert_eq!(
            w.preset_id(),
            Some("linux-6.6"),
            "an alias names its preset"
        );
        w.apply(WorldMsg::SetMemory(MemoryModel::Tso)).unwrap();
        assert_eq!(w.sim().unwrap().memory, MemoryModel::Tso);
        let before = w.clone();
        let e = w
            .apply(WorldMsg::SelectScenario("nope".into()))
            .unwrap_err();
        assert!(e.contains("no scenario 'nope'"), "{e}");
        assert!(w.apply(WorldMsg::SelectPreset("nope".into())).is_err());
        assert_eq!(w, before, "a failed pick changes nothing");
        assert!(!w.enter_cell("block-ga-log", "nope", MemoryModel::Sc));
        assert!(!w.enter_cell("nope", "lock-fix", MemoryModel::Sc));
        assert_eq!(w, before);
        assert!(w.enter_cell("migrate-vs-affinity", "naive-update", MemoryModel::Sc));
        assert_eq!(
            (w.scenario.id.as_str(), w.preset_id(), w.memory),
            ("migrate-vs-affinity", Some("naive-update"), MemoryModel::Sc)
        );
    }

    #[test]
    fn a_scenario_from_a_link_is_offered_and_named_in_compact_text() {
        let mut w = world();
        assert_eq!(
            w.scenario_ref(),
            ScenarioRef::Shipped("put-block-vs-affinity".into())
        );
        let mut sc = core_sim::scenario::by_id("migrate-vs-affinity").unwrap();
        sc.title = "edited".into();
        let n = w.scenarios.len();
        w.adopt(sc.clone());
        assert_eq!(
            w.scenarios.len(),
            n,
            "it replaces the shipped one of its id"
        );
        assert_eq!(w.scenario, sc);
        let ScenarioRef::Compact(text) = w.scenario_ref() else {
            panic!("an edited scenario travels as compact text")
        };
        assert_eq!(Scenario::from_compact(&text).unwrap(), sc);
    }
}
