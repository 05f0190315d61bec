//! Exhaustive search: breadth-first over states with hashing, so the first counterexample found for
//! each kind of violation is a shortest one; optionally with a sleep-set partial-order reduction.
//!
//! States are packed into rows of part indices ([`encode`]) and kept in a visited set of rows or
//! of their 64-bit fingerprints ([`visited`]); the frontier holds packed states too.

mod ample;
mod drive;
mod encode;
mod frontier;
mod hash;
mod intern;
mod links;
#[cfg(not(target_arch = "wasm32"))]
mod parallel;
mod same;
mod search;
mod symmetry;
mod table;
mod tables;
mod visited;

use super::schedule::Schedule;
use crate::oracle::{Violation, ViolationKind};
use crate::sim::Sim;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The packed states and the visited set of rows, for another search over the same states (the
/// fewest-preemptions search, `analysis::preemptions`).
pub(crate) use encode::{Adopted, Codec};
/// A 64-bit mixer, for that search's node keys.
pub(crate) use hash::mix;
pub use visited::omission_bound;
pub(crate) use visited::FullSet;

/// How the visited states are stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreMode {
    /// Every visited state, packed: verdicts and state counts are certain.
    #[default]
    Full,
    /// Only a 64-bit fingerprint of each packed state (hash compaction): a few bytes a state,
    /// but two states that share a fingerprint count as one, and the search may then miss what
    /// lies behind the second. The chance of any such miss among `n` states is at most
    /// `n(n-1)/2 · 2^-64` ([`omission_bound`]: about 3·10^-8 for a million states, 3·10^-4 for a
    /// hundred million). A violation it reports is real (its schedule replays); "safe" is then
    /// "safe with that probability". The sleep-set reduction needs the states themselves: with
    /// it, this mode stores full states.
    Fingerprint,
}

impl StoreMode {
    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            StoreMode::Full => "full",
            StoreMode::Fingerprint => "fingerprint",
        }
    }
}

/// A reduction that visits fewer states (`--reduce`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reduce {
    /// Every reachable state (the default): shortest counterexamples, pinned state counts.
    #[default]
    None,
    /// Persistent sets: at a state where one thread's next actions cannot conflict with
    /// anything another thread may still do, run only that thread's. The same kinds of
    /// violation are found, in fewer states; counterexamples replay but may be longer than the
    /// shortest (plain search finds those). One thread only; the sleep sets are off under it.
    Por,
}

impl Reduce {
    /// Every reduction, by id.
    pub const ALL: [Reduce; 2] = [Reduce::None, Reduce::Por];

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            Reduce::None => "none",
            Reduce::Por => "por",
        }
    }

    /// The reduction with this id.
    pub fn from_id(id: &str) -> Option<Reduce> {
        Reduce::ALL.into_iter().find(|r| r.id() == id)
    }
}

fn one() -> usize {
    1
}

/// Limits and switches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckOptions {
    /// Sleep-set reduction: skips transitions that only reorder independent actions. It visits the
    /// same states, but counterexamples are then not guaranteed to be shortest.
    pub reduction: bool,
    /// How visited states are stored (full by default: certain verdicts).
    #[serde(default)]
    pub store: StoreMode,
    /// A reduction that cuts states (none by default).
    #[serde(default)]
    pub reduce: Reduce,
    /// Symmetry reduction: one state per orbit of the world's interchangeable pCPUs, vCPUs,
    /// IRTEs and identical threads (see `symmetry`). The same kinds of violation; counterexamples
    /// replay but may be longer than the shortest. One thread only; the sleep sets are off
    /// under it. A world without symmetries searches as without it.
    #[serde(default)]
    pub symmetry: bool,
    /// Worker threads expanding each breadth-first level (1: this thread only). Levels are
    /// merged in the order one thread would visit them, so the result is the same for any
    /// number, except that the limits are looked at once a level. Ignored on wasm32 and with
    /// the reduction.
    #[serde(default = "one")]
    pub threads: usize,
    /// Stop after this many states.
    pub max_states: usize,
    /// Stop when the visited states are estimated to take more than this many bytes.
    pub max_bytes: usize,
    /// Call the progress callback every this many states.
    pub progress_every: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            reduction: false,
            store: StoreMode::Full,
            reduce: Reduce::None,
            symmetry: false,
            threads: 1,
            max_states: 2_000_000,
            max_bytes: 1 << 30,
            progress_every: 10_000,
        }
    }
}

/// Progress so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Distinct states found.
    pub states: usize,
    /// Transitions executed.
    pub transitions: usize,
    /// States waiting to be expanded.
    pub frontier: usize,
    /// Depth being expanded.
    pub depth: usize,
}

/// How the search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Every reachable state was visited.
    Complete,
    /// Stopped at the state limit.
    StateLimit,
    /// Stopped at the memory limit.
    MemoryLimit,
    /// The progress callback asked to stop.
    Cancelled,
}

/// The overall verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Complete search, no violation.
    Safe,
    /// At least one violation.
    Violation,
    /// Incomplete search, no violation found so far.
    Bounded,
}

impl Verdict {
    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Safe => "safe",
            Verdict::Violation => "violation",
            Verdict::Bounded => "bounded",
        }
    }
}

/// A run that shows one kind of violation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counterexample {
    /// The violation.
    pub violation: Violation,
    /// The schedule that reaches it (replay it with [`super::Session::replay`]).
    #[serde(with = "schedule_string")]
    pub schedule: Schedule,
}

mod schedule_string {
    use super::Schedule;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: &Schedule, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(&s.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Schedule, D::Error> {
        let text = String::deserialize(de)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The result of a check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    /// How it ended.
    pub outcome: Outcome,
    /// Distinct states visited.
    pub states: usize,
    /// Transitions executed.
    pub transitions: usize,
    /// Deepest state (steps from the start).
    pub max_depth: usize,
    /// Final states (nothing can run).
    pub final_states: usize,
    /// Most kick IPIs in any state (the cost of the kick strategy).
    pub max_kick_ipis: u8,
    /// Bytes the search's own tables took at the end (visited set, part tables, parent links,
    /// frontier).
    pub bytes: usize,
    /// How the visited states were stored.
    #[serde(default)]
    pub store: StoreMode,
    /// One counterexample per kind found, by kind.
    pub counterexamples: BTreeMap<ViolationKind, Counterexample>,
}

impl CheckReport {
    /// Safe, violation or bounded.
    pub fn verdict(&self) -> Verdict {
        if !self.counterexamples.is_empty() {
            Verdict::Violation
        } else if self.outcome == Outcome::Complete {
            Verdict::Safe
        } else {
            Verdict::Bounded
        }
    }

    /// Complete and no violation.
    pub fn is_safe(&self) -> bool {
        self.verdict() == Verdict::Safe
    }

    /// The counterexample for one kind.
    pub fn counterexample(&self, kind: ViolationKind) -> Option<&Counterexample> {
        self.counterexamples.get(&kind)
    }

    /// The kinds found.
    pub fn kinds(&self) -> Vec<ViolationKind> {
        self.counterexamples.keys().copied().collect()
    }

    /// The chance that the search missed a state: 0 with full storage, at most
    /// [`omission_bound`] of the states with fingerprints.
    pub fn omission_bound(&self) -> f64 {
        match self.store {
            StoreMode::Full => 0.0,
            StoreMode::Fingerprint => omission_bound(self.states),
        }
    }

    /// The shortest counterexample of any kind.
    pub fn shortest(&self) -> Option<&Counterexample> {
        self.counterexamples
            .values()
            .min_by_key(|c| (c.schedule.0.len(), c.violation.kind))
    }
}

/// The number of symmetries [`CheckOptions::symmetry`] finds in `sim` (1: none but the
/// identity; the search is then plain).
pub fn symmetries(sim: &Sim) -> usize {
    symmetry::Symmetry::of(sim).map_or(1, |s| s.order())
}

/// Explore every interleaving of `sim` breadth-first. `progress` is called every
/// `options.progress_every` states; returning false cancels the search.
pub fn check(
    sim: &Sim,
    options: &CheckOptions,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> CheckReport {
    check_keeping(sim, options, progress).0
}

/// The states a search visited, handed back by [`check_keeping`]. Freeing millions of them takes
/// a moment; a caller that exits right after the report (a command line with a deadline) may
/// leave that to the operating system with `std::mem::forget`.
pub struct Visited {
    _search: tables::Tables,
}

impl Visited {
    /// Where the search's bytes went, part by part (the estimate behind [`CheckReport::bytes`],
    /// with the frontier at its largest).
    pub fn account(&self) -> Account {
        let t = &self._search;
        t.account(t.frontier_peak)
    }
}

/// The bytes a search's tables took, by component.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The part tables: each distinct vCPU set, entry table, IOMMU, locks and thread state once.
    pub parts: usize,
    /// Visited rows (full mode; 0 with fingerprints).
    pub rows: usize,
    /// The visited set's hash index: ids in full mode, the fingerprints themselves in
    /// fingerprint mode.
    pub index: usize,
    /// Parent links (4 bytes a state): the counterexamples' paths.
    pub links: usize,
    /// The sleep-set reduction's records (0 without it).
    pub sleep_sets: usize,
    /// The frontier.
    pub frontier: usize,
}

impl Account {
    /// Every component.
    pub fn total(&self) -> usize {
        self.parts + self.rows + self.index + self.links + self.sleep_sets + self.frontier
    }
}

/// [`check`], also returning what was visited, so that the caller decides when it is freed.
pub fn check_keeping(
    sim: &Sim,
    options: &CheckOptions,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> (CheckReport, Visited) {
    let (report, tables) = drive::run(sim, options, progress);
    (report, Visited { _search: tables })
}
