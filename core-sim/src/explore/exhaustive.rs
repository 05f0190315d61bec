//! Exhaustive search: breadth-first over states with hashing, so the first counterexample found for
//! each kind of violation is a shortest one; optionally with a sleep-set partial-order reduction.

use super::independence::independent;
use super::schedule::Schedule;
use crate::exec::{self, Action};
use crate::machine::Machine;
use crate::oracle::{self, Violation, ViolationKind};
use crate::sim::Sim;
use serde::{Deserialize, Serialize};
use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

/// Limits and switches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckOptions {
    /// Sleep-set reduction: skips transitions that only reorder independent actions. It visits the
    /// same states, but counterexamples are then not guaranteed to be shortest.
    pub reduction: bool,
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
    /// Estimated bytes the visited states took.
    pub bytes: usize,
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

    /// The shortest counterexample of any kind.
    pub fn shortest(&self) -> Option<&Counterexample> {
        self.counterexamples
            .values()
            .min_by_key(|c| (c.schedule.0.len(), c.violation.kind))
    }
}

fn bit(a: Action) -> u32 {
    match a {
        Action::Step(t) => 1 << t,
        Action::Flush(t) => 1 << (16 + t),
    }
}

struct Node {
    parent: Option<(u32, Action)>,
    depth: u32,
    sleep: u32,
    expanded: bool,
}

/// A visited state with its hash computed once: growing the table then moves entries without
/// hashing whole machines again (which took a tenth of a second per hundred thousand states, at
/// every doubling, and made a timeout late).
struct Hashed {
    hash: u64,
    machine: Machine,
}

impl PartialEq for Hashed {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.machine == other.machine
    }
}

impl Eq for Hashed {}

impl Hash for Hashed {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// The hasher of [`Hashed`] keys: the stored hash, as it is.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; fold anything else in anyway.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

struct Search<'a> {
    sim: &'a Sim,
    states: Vec<Machine>,
    nodes: Vec<Node>,
    index: HashMap<Hashed, u32, BuildHasherDefault<PassThrough>>,
    hasher: RandomState,
    queue: VecDeque<(u32, u32)>,
    found: BTreeMap<ViolationKind, Counterexample>,
    transitions: usize,
    final_states: usize,
    max_kick_ipis: u8,
}

impl Search<'_> {
    fn path(&self, mut n: u32) -> Vec<Action> {
        let mut out = Vec::new();
        while let Some((p, a)) = self.nodes[n as usize].parent {
            out.push(a);
            n = p;
        }
        out.reverse();
        out
    }

    /// Keep the first counterexample of each new kind: the path to `node`, then `last` if given.
    fn record(&mut self, vs: Vec<Violation>, node: u32, last: Option<Action>) {
        let new: Vec<Violation> = vs
            .into_iter()
            .filter(|v| !self.found.contains_key(&v.kind))
            .collect();
        if new.is_empty() {
            return;
        }
        let mut path = self.path(node);
        path.extend(last);
        let schedule = Schedule(path);
        for mut v in new {
            v.step = schedule.0.len();
            self.found.entry(v.kind).or_insert(Counterexample {
                violation: v,
                schedule: schedule.clone(),
            });
        }
    }

    /// Add a state reached by `parent --a-->`; returns its index and whether it is new.
    fn add(
        &mut self,
        m: Machine,
        parent: Option<(u32, Action)>,
        depth: u32,
        sleep: u32,
    ) -> (u32, bool) {
        let key = Hashed {
            hash: self.hasher.hash_one(&m),
            machine: m,
        };
        if let Some(&i) = self.index.get(&key) {
            return (i, false);
        }
        let m = key.machine.clone();
        let i = self.states.len() as u32;
        self.max_kick_ipis = self.max_kick_ipis.max(m.kick_ipis);
        self.index.insert(key, i);
        self.states.push(m);
        self.nodes.push(Node {
            parent,
            depth,
            sleep,
            expanded: false,
        });
        let vs = oracle::check_state(self.sim, &self.states[i as usize], depth as usize);
        if !vs.is_empty() {
            self.record(vs, i, None);
        }
        (i, true)
    }

    /// Expand the actions of `n` in `mask` (all enabled ones on the first visit).
    fn expand(&mut self, n: u32, mask: u32, reduction: bool) {
        let m = self.states[n as usize].clone();
        let depth = self.nodes[n as usize].depth;
        let enabled = exec::enabled(self.sim, &m);
        if !self.nodes[n as usize].expanded {
            self.nodes[n as usize].expanded = true;
            if enabled.is_empty() {
                self.final_states += 1;
                let vs = oracle::check_terminal(self.sim, &m, depth as usize);
                if !vs.is_empty() {
                    self.record(vs, n, None);
                }
                return;
            }
        }
        let mut sleep = self.nodes[n as usize].sleep;
        let todo: Vec<Action> = enabled
            .iter()
            .copied()
            .filter(|a| mask & bit(*a) != 0 && sleep & bit(*a) == 0)
            .collect();
        for a in todo {
            let mut next = m.clone();
            let event = exec::step(self.sim, &mut next, a).expect("enabled action runs");
            self.transitions += 1;
            let vs = oracle::check_facts(self.sim, &m, &event.facts, depth as usize + 1);
            if !vs.is_empty() {
                self.record(vs, n, Some(a));
            }
            let child_sleep = if reduction {
                enabled
                    .iter()
                    .filter(|b| sleep & bit(**b) != 0 && independent(self.sim, &m, a, **b))
                    .fold(0, |acc, b| acc | bit(*b))
            } else {
                0
            };
            let (c, new) = self.add(next, Some((n, a)), depth + 1, child_sleep);
            if new {
                self.queue.push_back((c, u32::MAX));
            } else if reduction {
                let node = &mut self.nodes[c as usize];
                let missed = node.sleep & !child_sleep;
                node.sleep &= child_sleep;
                if missed != 0 && node.expanded {
                    self.queue.push_back((c, missed));
                }
            }
            if reduction {
                sleep |= bit(a);
            }
        }
    }
}

/// An estimate of what one visited state costs: the machine twice (queue copy and hash key, with
/// their heap parts), its node record and hash-table overhead.
fn state_bytes(m: &Machine) -> usize {
    let heap = m.vcpus.len() * std::mem::size_of::<crate::machine::Vcpu>()
        + m.entries.len() * 8
        + m.whole_values
            .iter()
            .map(|w| 24 + w.len() * 8 * 2)
            .sum::<usize>()
        + m.irtes.len() * std::mem::size_of::<crate::machine::Irte>()
        + m.ir_lists.len()
        + m.owners.len() * 2
        + m.locks.len() * 2
        + m.threads.len() * (std::mem::size_of::<crate::machine::ThreadState>() + 4 * 24);
    2 * (std::mem::size_of::<Machine>() + heap) + std::mem::size_of::<Node>() + 24
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
/// a good part of a second per million; a caller that exits right after the report (a command
/// line with a deadline) may leave that to the operating system with `std::mem::forget`.
pub struct Visited {
    _states: Vec<Machine>,
    _index: HashMap<Hashed, u32, BuildHasherDefault<PassThrough>>,
    _nodes: Vec<Node>,
}

/// [`check`], also returning what was visited, so that the caller decides when it is freed.
pub fn check_keeping(
    sim: &Sim,
    options: &CheckOptions,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> (CheckReport, Visited) {
    let mut s = Search {
        sim,
        states: Vec::new(),
        nodes: Vec::new(),
        index: HashMap::default(),
        hasher: RandomState::new(),
        queue: VecDeque::new(),
        found: BTreeMap::new(),
        transitions: 0,
        final_states: 0,
        max_kick_ipis: 0,
    };
    let (root, _) = s.add(sim.initial(), None, 0, 0);
    let per_state = state_bytes(&s.states[0]);
    s.queue.push_back((root, u32::MAX));
    let mut outcome = Outcome::Complete;
    let mut next_report = options.progress_every.max(1);
    // States are numbered with u32s.
    let max_states = options.max_states.min(u32::MAX as usize);
    while let Some((n, mask)) = s.queue.pop_front() {
        if s.states.len() >= max_states {
            outcome = Outcome::StateLimit;
            break;
        }
        if s.states.len().saturating_mul(per_state) >= options.max_bytes {
            outcome = Outcome::MemoryLimit;
            break;
        }
        if s.states.len() >= next_report {
            next_report += options.progress_every.max(1);
            let p = Progress {
                states: s.states.len(),
                transitions: s.transitions,
                frontier: s.queue.len(),
                depth: s.nodes[n as usize].depth as usize,
            };
            if !progress(&p) {
                outcome = Outcome::Cancelled;
                break;
            }
        }
        s.expand(n, mask, options.reduction);
    }
    let max_depth = s.nodes.iter().map(|n| n.depth as usize).max().unwrap_or(0);
    progress(&Progress {
        states: s.states.len(),
        transitions: s.transitions,
        frontier: s.queue.len(),
        depth: max_depth,
    });
    let report = CheckReport {
        outcome,
        states: s.states.len(),
        transitions: s.transitions,
        max_depth,
        final_states: s.final_states,
        max_kick_ipis: s.max_kick_ipis,
        bytes: s.states.len() * per_state,
        counterexamples: s.found,
    };
    let visited = Visited {
        _states: s.states,
        _index: s.index,
        _nodes: s.nodes,
    };
    (report, visited)
}
