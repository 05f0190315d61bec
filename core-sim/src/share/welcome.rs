//! The world a visitor without a link sees, and the one action that shows its hang.
//!
//! A link always names its world; only the bare address (no query at all) opens this one:
//! `put-block-vs-affinity` under the posted May 2023 patch (`naive-update`), where the checker
//! finds a lost wake-up. [`Link::default`] (what a link that leaves out `s=` or `t=` means) is not
//! changed by it, so every existing link keeps opening the same world.

use super::link::{Link, ScenarioRef};
use crate::explore::{self, CheckOptions};
use crate::sim::Sim;
use crate::strategy::find_preset;
use crate::vocab::ViolationKind;

/// The first visit's scenario.
pub const SCENARIO: &str = "put-block-vs-affinity";
/// The first visit's strategy: the first 2023 patch.
pub const STRATEGY: &str = "naive-update";
/// The lesson a first visit suggests.
pub const LESSON: &str = "original-delay";

/// The view of a bare address (no query): the first visit's world, nothing run yet.
pub fn first_visit() -> Link {
    let knobs = find_preset(STRATEGY).map_or(Link::default().knobs, |p| p.knobs);
    Link {
        scenario: ScenarioRef::Shipped(SCENARIO.into()),
        knobs,
        ..Link::default()
    }
}

/// Whether a page address's query means "no link": empty, or only `?`.
pub fn is_bare(query: &str) -> bool {
    query.trim_start_matches('?').trim().is_empty()
}

/// "Show me the hang": the checker's shortest schedule to a lost wake-up in `sim`, if it has one
/// (the exhaustive search is small in the first visit's world: about 1,500 states).
pub fn hang_schedule(sim: &Sim) -> Option<String> {
    let report = explore::check(sim, &CheckOptions::default(), &mut |_| true);
    report
        .counterexample(ViolationKind::LostWakeup)
        .map(|c| c.schedule.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::Session;
    use crate::share::open::decode;

    #[test]
    fn a_bare_address_opens_a_world_one_click_from_a_hang() {
        assert!(is_bare("") && is_bare("?") && !is_bare("?v=3&s=ipi-during-load"));
        let link = first_visit();
        let sim = decode(&crate::share::encode(&link))
            .unwrap()
            .open()
            .unwrap()
            .sim;
        assert_eq!(
            (sim.scenario.id.as_str(), sim.strategy.preset_id()),
            (SCENARIO, Some(STRATEGY))
        );
        // One action: replay the checker's shortest lost wake-up; the run ends in the hang.
        let schedule = hang_schedule(&sim).expect("the first patch loses a wake-up");
        let session = Session::replay(&sim, &schedule).unwrap();
        assert!(session
            .violations()
            .iter()
            .any(|v| v.kind == ViolationKind::LostWakeup && v.step == session.len()));
        assert!(crate::lessons::by_id(LESSON).is_ok());
        // A link that leaves the strategy out still means what it always meant.
        assert_ne!(Link::default().knobs, link.knobs);
    }
}
