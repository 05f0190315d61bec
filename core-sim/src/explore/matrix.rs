//! The strategy × scenario × memory-model matrix: which worlds it holds, in which order, and what
//! one cell's check reports. The CLI and the web both run it through here.

use super::exhaustive::{check, CheckOptions, CheckReport, Counterexample};
use crate::sim::Sim;
use crate::strategy::{MemoryModel, PRESETS};
use crate::vocab::ViolationKind;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;

/// Every world of the matrix as (scenario id, preset id, memory model): scenario-major, presets
/// in history order, then the memory models in the order given.
pub fn worlds(models: &[MemoryModel]) -> Vec<(String, &'static str, MemoryModel)> {
    let mut out = Vec::new();
    for s in crate::scenario::shipped() {
        for p in PRESETS {
            for &m in models {
                out.push((s.id.clone(), p.id, m));
            }
        }
    }
    out
}

/// One counterexample of a cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellCounterexample {
    /// Violation kind.
    pub kind: ViolationKind,
    /// Schedule string.
    pub schedule: String,
    /// Plain-words explanation.
    pub explanation: String,
    /// The fewest preemptions a schedule needs to hit the kind, once worked out
    /// (`crate::analysis::preemptions::fill_cell`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preemptions: Option<usize>,
}

/// What one cell's check found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// Scenario id.
    pub scenario: String,
    /// Strategy (preset id, or `custom(...)`).
    pub strategy: String,
    /// `sc` or `tso`.
    pub memory_model: String,
    /// `safe`, `violation` or `bounded`.
    pub verdict: String,
    /// Kinds found, by id.
    pub violations: Vec<String>,
    /// Distinct states visited.
    pub states: usize,
    /// Transitions executed.
    pub transitions: usize,
    /// Length of the shortest counterexample of any kind.
    pub shortest: Option<usize>,
    /// One shortest counterexample per kind, most severe first.
    pub counterexamples: Vec<CellCounterexample>,
}

/// The counterexamples of a report, most severe first, then shortest, then by kind.
pub fn by_severity(report: &CheckReport) -> Vec<&Counterexample> {
    let mut v: Vec<&Counterexample> = report.counterexamples.values().collect();
    v.sort_by_key(|c| {
        (
            Reverse(c.violation.kind.severity()),
            c.schedule.0.len(),
            c.violation.kind,
        )
    });
    v
}

/// The counterexample to show first: the shortest of the most severe kind found (the overall
/// shortest is nearly always a short delayed delivery, which would hide a hang).
pub fn headline(report: &CheckReport) -> Option<&Counterexample> {
    by_severity(report).into_iter().next()
}

/// The counterexamples of a report as a cell lists them, most severe first.
pub fn cell_counterexamples(report: &CheckReport) -> Vec<CellCounterexample> {
    by_severity(report)
        .into_iter()
        .map(|c| CellCounterexample {
            kind: c.violation.kind,
            schedule: c.schedule.to_string(),
            explanation: c.violation.explanation.clone(),
            preemptions: None,
        })
        .collect()
}

/// Check one cell.
pub fn check_cell(sim: &Sim, options: &CheckOptions) -> Cell {
    let r = check(sim, options, &mut |_| true);
    Cell {
        scenario: sim.scenario.id.clone(),
        strategy: sim.strategy.name(),
        memory_model: sim.memory.id().to_string(),
        verdict: r.verdict().id().to_string(),
        violations: r.kinds().iter().map(|k| k.id().to_string()).collect(),
        states: r.states,
        transitions: r.transitions,
        shortest: r.shortest().map(|c| c.schedule.0.len()),
        counterexamples: cell_counterexamples(&r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worlds_are_scenario_major_then_presets_then_models() {
        let w = worlds(&MemoryModel::ALL);
        assert_eq!(w.len(), crate::scenario::ids().len() * PRESETS.len() * 2);
        assert_eq!(w[0].1, PRESETS[0].id);
        assert_eq!((w[0].2, w[1].2), (MemoryModel::Sc, MemoryModel::Tso));
        assert_eq!(w[2].1, PRESETS[1].id);
    }

    #[test]
    fn a_hang_heads_the_list_even_when_a_delay_is_shorter() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let cell = check_cell(&sim, &CheckOptions::default());
        assert_eq!(cell.counterexamples[0].kind, ViolationKind::LostWakeup);
        let delay = cell
            .counterexamples
            .iter()
            .find(|c| c.kind == ViolationKind::DelayedDelivery)
            .unwrap();
        assert!(delay.schedule.len() <= cell.counterexamples[0].schedule.len());
    }
}
