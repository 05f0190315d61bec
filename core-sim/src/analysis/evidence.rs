//! How likely a violation is, on the model: for one cell (a shipped scenario × a strategy preset ×
//! a memory model), which kinds the exhaustive checker finds at all, and how many of a number of
//! seeded uniform and PCT runs hit each. The host's half (`stress` on real threads, a recorded
//! trace) is measured by the CLI on the machine; `share::bundle` carries both and joins them into
//! one row per cell.

use crate::explore::{self, random_runs, CheckOptions, RandomMode};
use crate::strategy::MemoryModel;
use crate::vocab::ViolationKind;
use crate::Sim;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One cell: a shipped scenario, a strategy preset (its canonical id, never an alias) and a
/// memory model.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CellId {
    /// Shipped scenario id.
    pub scenario: String,
    /// Preset id.
    pub strategy: String,
    /// Memory model.
    pub memory: MemoryModel,
}

impl CellId {
    /// A cell from ids, each checked: the scenario must be shipped, the strategy a preset (an
    /// older alias is accepted and named by its preset's id), the memory model `sc` or `tso`.
    pub fn new(scenario: &str, strategy: &str, memory: &str) -> Result<CellId, String> {
        let s = crate::scenario::by_id(scenario).map_err(|e| e.to_string())?;
        let p = crate::strategy::find_preset(strategy).ok_or_else(|| {
            crate::strategy::StrategyError::Unknown(crate::text::shown(strategy, 40)).to_string()
        })?;
        let memory = MemoryModel::from_id(memory).map_err(|_| {
            format!(
                "unknown memory model '{}': sc or tso",
                crate::text::shown(memory, 40)
            )
        })?;
        Ok(CellId {
            scenario: s.id,
            strategy: p.id.to_string(),
            memory,
        })
    }

    /// `SCENARIO/STRATEGY/MEMORY`, as `avic-lab host-report --cells` takes it.
    pub fn parse(text: &str) -> Result<CellId, String> {
        let parts: Vec<&str> = text.trim().split('/').collect();
        match parts[..] {
            [s, p, m] => CellId::new(s, p, m),
            _ => Err(format!(
                "'{}' is not a cell: write SCENARIO/STRATEGY/MEMORY (put-block-vs-affinity/naive-update/tso)",
                crate::text::shown(text, 80)
            )),
        }
    }

    /// The cell's world.
    pub fn sim(&self) -> Result<Sim, String> {
        Sim::from_ids(&self.scenario, &self.strategy, self.memory.id())
    }
}

impl fmt::Display for CellId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.scenario,
            self.strategy,
            self.memory.id()
        )
    }
}

/// Every shipped scenario × every preset, for each memory model given (the matrix's order).
pub fn all_cells(models: &[MemoryModel]) -> Vec<CellId> {
    explore::matrix::worlds(models)
        .into_iter()
        .map(|(scenario, strategy, memory)| CellId {
            scenario,
            strategy: strategy.to_string(),
            memory,
        })
        .collect()
}

/// What the exhaustive checker found in a cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exhaustive {
    /// `safe`, `violation` or `bounded` (a search cut short: a kind it did not find may exist).
    pub verdict: String,
    /// Kinds with a counterexample.
    pub kinds: Vec<ViolationKind>,
    /// States visited.
    pub states: usize,
    /// Whether the search covered every state (so a kind it did not find is impossible).
    pub complete: bool,
}

/// Seeded runs and how many hit each kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sampled {
    /// Runs made (seeds `seed`, `seed + 1`, …).
    pub runs: u64,
    /// Runs that hit each kind (kinds no run hit are left out).
    pub hits: BTreeMap<ViolationKind, u64>,
}

impl Sampled {
    /// Runs that hit `kind`.
    pub fn hits_of(&self, kind: ViolationKind) -> u64 {
        self.hits.get(&kind).copied().unwrap_or(0)
    }
}

/// The model's evidence for one cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelEvidence {
    /// The exhaustive search.
    pub exhaustive: Exhaustive,
    /// Uniform random runs.
    pub uniform: Sampled,
    /// PCT runs.
    pub pct: Sampled,
    /// The bug depth the PCT runs targeted.
    pub pct_depth: u8,
}

/// The exhaustive search of a world (breadth-first, at most `max_states` states).
pub fn exhaustive(sim: &Sim, max_states: usize) -> Exhaustive {
    let options = CheckOptions {
        max_states,
        ..CheckOptions::default()
    };
    let r = explore::check(sim, &options, &mut |_| true);
    Exhaustive {
        verdict: r.verdict().id().to_string(),
        kinds: r.kinds(),
        states: r.states,
        complete: r.outcome == explore::Outcome::Complete,
    }
}

/// `runs` seeded runs from `seed` (uniform, or PCT of `depth` with `Some(depth)`).
pub fn sampled(sim: &Sim, seed: u64, runs: u64, pct: Option<u8>) -> Sampled {
    let mode = match pct {
        None => RandomMode::Uniform,
        Some(depth) => RandomMode::Pct { depth },
    };
    let sum = random_runs(sim, seed, runs, mode);
    Sampled {
        runs: sum.runs,
        hits: sum.hits.into_iter().map(|(k, (n, _))| (k, n)).collect(),
    }
}

/// Everything the model says about a cell: the exhaustive verdict, `runs` uniform and `runs` PCT
/// runs (depth `pct_depth`), both from `seed`.
pub fn model_evidence(
    sim: &Sim,
    max_states: usize,
    seed: u64,
    runs: u64,
    pct_depth: u8,
) -> ModelEvidence {
    ModelEvidence {
        exhaustive: exhaustive(sim, max_states),
        uniform: sampled(sim, seed, runs, None),
        pct: sampled(sim, seed, runs, Some(pct_depth)),
        pct_depth,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_ids_parse_resolve_aliases_and_refuse_in_words() {
        let c = CellId::parse("put-block-vs-affinity/lock-fix/tso").unwrap();
        assert_eq!(c.strategy, "linux-6.6");
        assert_eq!(c.to_string(), "put-block-vs-affinity/linux-6.6/tso");
        assert_eq!(CellId::parse(&c.to_string()).unwrap(), c);
        let e = CellId::parse("nope/linux-6.6/tso").unwrap_err();
        assert!(e.contains("nope"), "{e}");
        let e = CellId::parse("put-block-vs-affinity/linux-9/tso").unwrap_err();
        assert!(e.contains("unknown strategy 'linux-9'"), "{e}");
        let e = CellId::parse("put-block-vs-affinity/linux-6.6/arm").unwrap_err();
        assert!(e.contains("unknown memory model 'arm'"), "{e}");
        let e = CellId::parse("put-block-vs-affinity").unwrap_err();
        assert!(e.contains("SCENARIO/STRATEGY/MEMORY"), "{e}");
        assert_eq!(
            all_cells(&[MemoryModel::Tso]).len(),
            crate::scenario::shipped().len() * crate::strategy::PRESETS.len()
        );
    }

    #[test]
    fn the_naive_patch_is_possible_and_sampled_hits_are_at_most_runs() {
        let c = CellId::parse("put-block-vs-affinity/naive-update/sc").unwrap();
        let sim = c.sim().unwrap();
        let e = model_evidence(&sim, 1_000_000, 0, 300, 3);
        assert_eq!(e.exhaustive.verdict, "violation");
        assert!(e.exhaustive.kinds.contains(&ViolationKind::LostWakeup));
        for s in [&e.uniform, &e.pct] {
            assert_eq!(s.runs, 300);
            assert!(s.hits.values().all(|&n| (1..=300).contains(&n)));
            // A seeded run hits only what the exhaustive search says is possible.
            assert!(s.hits.keys().all(|k| e.exhaustive.kinds.contains(k)));
        }
        assert!(e.uniform.hits_of(ViolationKind::StaleIrte) > 0);
        // The same seeds give the same counts.
        assert_eq!(sampled(&sim, 0, 300, None), e.uniform);
        // A cut-short search is "bounded" and says so.
        let b = exhaustive(&sim, 10);
        assert_eq!(b.verdict, "bounded");
        assert!(!b.complete);
    }
}
