//! Coverage of the pseudo-code over every reachable state: which lines some schedule runs (a line
//! no schedule runs is dead in this world — a vacuity check: a "safe" verdict says nothing about a
//! line that never runs), and which lines every counterexample of a kind runs (the lines the bug
//! cannot do without).
//!
//! One breadth-first search over all reachable states records each transition with the line it
//! ran; then a must-analysis over that graph (the greatest fixed point of
//! `must(s) = ⋂ over edges p→s of must(p) ∪ {line}`, with `must(initial) = ∅`) gives, for every
//! state, the lines run on *every* path that reaches it. A kind's lines are the intersection of
//! `must` over every place it is detected. The search does not stop at a violation, so a
//! counterexample that goes on is counted too; it runs every line its first-detection prefix runs,
//! so the intersection is the same.

use crate::exec::{self, Action};
use crate::machine::Machine;
use crate::oracle::{self, Violation, ViolationKind};
use crate::sim::Sim;
use crate::view;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Per thread, per listing ([`view::listing`]), per line: a flag.
pub type LineFlags = Vec<Vec<Vec<bool>>>;

/// What the search found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Reachable states.
    pub states: usize,
    /// Lines some reachable transition runs.
    pub executed: LineFlags,
    /// For each reachable kind, the lines every counterexample of that kind runs.
    pub in_every: BTreeMap<ViolationKind, LineFlags>,
}

impl Coverage {
    /// Whether no schedule runs thread `t`'s listing `p`'s line `l` (out of range: `false`).
    pub fn is_dead(&self, t: usize, p: usize, l: usize) -> bool {
        get(&self.executed, t, p, l) == Some(false)
    }

    /// The kinds every counterexample of which runs thread `t`'s listing `p`'s line `l`.
    pub fn kinds_needing(&self, t: usize, p: usize, l: usize) -> Vec<ViolationKind> {
        self.in_every
            .iter()
            .filter(|(_, f)| get(f, t, p, l) == Some(true))
            .map(|(k, _)| *k)
            .collect()
    }

    /// The lines no schedule runs, as (thread, listing, line).
    pub fn dead(&self) -> Vec<(usize, usize, usize)> {
        flagged(&self.executed, false)
    }

    /// The lines every counterexample of `kind` runs, as (thread, listing, line).
    pub fn needed_by(&self, kind: ViolationKind) -> Vec<(usize, usize, usize)> {
        self.in_every
            .get(&kind)
            .map(|f| flagged(f, true))
            .unwrap_or_default()
    }
}

fn get(flags: &LineFlags, t: usize, p: usize, l: usize) -> Option<bool> {
    flags.get(t)?.get(p)?.get(l).copied()
}

fn flagged(flags: &LineFlags, value: bool) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for (t, listings) in flags.iter().enumerate() {
        for (p, lines) in listings.iter().enumerate() {
            for (l, &f) in lines.iter().enumerate() {
                if f == value {
                    out.push((t, p, l));
                }
            }
        }
    }
    out
}

/// The search stopped at its state bound: nothing it found is a full answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyStates {
    /// States visited before it stopped.
    pub states: usize,
}

impl std::fmt::Display for TooManyStates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "coverage needs every reachable state; stopped after {} states",
            self.states
        )
    }
}

/// Numbers every (thread, listing, line) of `sim` densely.
struct LineIndex {
    /// `base[t][p]`: the number of thread `t`'s listing `p`'s first line.
    base: Vec<Vec<usize>>,
    /// `len[t][p]`: its number of lines.
    len: Vec<Vec<usize>>,
    total: usize,
}

impl LineIndex {
    fn new(sim: &Sim) -> Self {
        let (mut base, mut len, mut total) = (Vec::new(), Vec::new(), 0);
        for t in 0..sim.threads.len() {
            let lens: Vec<usize> = view::listing(sim, t)
                .iter()
                .map(|l| l.lines.len())
                .collect();
            base.push(
                lens.iter()
                    .map(|n| {
                        total += n;
                        total - n
                    })
                    .collect(),
            );
            len.push(lens);
        }
        LineIndex { base, len, total }
    }

    /// The line `a` runs in `m` (`None` for a store-buffer drain).
    fn line(&self, sim: &Sim, m: &Machine, a: Action) -> Option<u32> {
        let Action::Step(t) = a else { return None };
        let t = t as usize;
        let p = view::listing_index(sim, m, t)?;
        let pc = m.threads[t].pc as usize;
        (pc < self.len[t][p]).then(|| (self.base[t][p] + pc) as u32)
    }

    fn flags(&self, set: impl Fn(usize) -> bool) -> LineFlags {
        self.base
            .iter()
            .zip(&self.len)
            .map(|(bases, lens)| {
                bases
                    .iter()
                    .zip(lens)
                    .map(|(&b, &n)| (b..b + n).map(&set).collect())
                    .collect()
            })
            .collect()
    }
}

/// A fixed-width bit set per state, stored flat.
struct Sets {
    words: usize,
    bits: Vec<u64>,
}

impl Sets {
    fn get(&self, s: usize) -> &[u64] {
        &self.bits[s * self.words..(s + 1) * self.words]
    }
}

fn has(set: &[u64], i: usize) -> bool {
    set[i / 64] >> (i % 64) & 1 == 1
}

/// Coverage of every reachable state of `sim`, visiting at most `max_states`.
pub fn coverage(sim: &Sim, max_states: usize) -> Result<Coverage, TooManyStates> {
    let lines = LineIndex::new(sim);
    let mut index: HashMap<Machine, u32> = HashMap::new();
    let mut states: Vec<Machine> = Vec::new();
    // (from, to, line run or u32::MAX for a drain)
    let mut edges: Vec<(u32, u32, u32)> = Vec::new();
    // Where each kind is detected: in a state, or on an edge out of it (with the line the edge
    // ran, `u32::MAX` for a drain).
    let mut detections: Vec<(ViolationKind, u32, Option<u32>)> = Vec::new();
    let mut executed = vec![false; lines.total];
    let mut note = |vs: Vec<Violation>, at: u32, edge: Option<u32>| {
        for v in vs {
            detections.push((v.kind, at, edge));
        }
    };

    index.insert(sim.initial(), 0);
    states.push(sim.initial());
    let mut next = 0;
    while next < states.len() {
        let n = next as u32;
        next += 1;
        let m = states[n as usize].clone();
        note(oracle::check_state(sim, &m, 0), n, None);
        let enabled = exec::enabled(sim, &m);
        if enabled.is_empty() {
            note(oracle::check_terminal(sim, &m, 0), n, None);
            continue;
        }
        for a in enabled {
            let line = lines.line(sim, &m, a);
            if let Some(l) = line {
                executed[l as usize] = true;
            }
            let mut after = m.clone();
            let event = exec::step(sim, &mut after, a).expect("enabled action runs");
            let vs = oracle::check_facts(sim, &m, &event.facts, 0);
            let to = match index.get(&after) {
                Some(&i) => i,
                None => {
                    if states.len() >= max_states {
                        return Err(TooManyStates {
                            states: states.len(),
                        });
                    }
                    let i = states.len() as u32;
                    index.insert(after.clone(), i);
                    states.push(after);
                    i
                }
            };
            let l = line.unwrap_or(u32::MAX);
            note(vs, n, Some(l));
            edges.push((n, to, l));
        }
    }
    drop(index);

    let must = must_sets(states.len(), lines.total, &edges);
    let mut in_every: BTreeMap<ViolationKind, Vec<u64>> = BTreeMap::new();
    for (kind, at, edge) in detections {
        let mut set = must.get(at as usize).to_vec();
        if let Some(l) = edge.filter(|&l| l != u32::MAX) {
            set[l as usize / 64] |= 1 << (l % 64);
        }
        in_every
            .entry(kind)
            .and_modify(|acc| acc.iter_mut().zip(&set).for_each(|(a, b)| *a &= b))
            .or_insert(set);
    }
    Ok(Coverage {
        states: states.len(),
        executed: lines.flags(|i| executed[i]),
        in_every: in_every
            .into_iter()
            .map(|(k, set)| (k, lines.flags(|i| has(&set, i))))
            .collect(),
    })
}

/// The greatest fixed point of `must(to) = ⋂ must(from) ∪ {line}` over `edges`, with state 0 the
/// initial one.
fn must_sets(states: usize, total: usize, edges: &[(u32, u32, u32)]) -> Sets {
    let words = total.div_ceil(64).max(1);
    let mut sets = Sets {
        words,
        bits: vec![u64::MAX; states * words],
    };
    sets.bits[..words].fill(0);
    let mut scratch = vec![0u64; words];
    loop {
        let mut changed = false;
        for &(from, to, line) in edges {
            if to == 0 {
                continue;
            }
            scratch.copy_from_slice(sets.get(from as usize));
            if line != u32::MAX {
                scratch[line as usize / 64] |= 1 << (line % 64);
            }
            let target = &mut sets.bits[to as usize * words..(to as usize + 1) * words];
            for (t, s) in target.iter_mut().zip(&scratch) {
                let v = *t & s;
                changed |= v != *t;
                *t = v;
            }
        }
        if !changed {
            return sets;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::{check, CheckOptions, Schedule};
    use crate::scenario;
    use std::collections::BTreeSet;

    type Line = (usize, usize, usize);

    /// The line `a` runs in `m`, read off the thread's own state.
    fn line_of(sim: &Sim, m: &Machine, a: Action) -> Option<Line> {
        let Action::Step(t) = a else { return None };
        let t = t as usize;
        view::listing_index(sim, m, t).map(|p| (t, p, m.threads[t].pc as usize))
    }

    /// The lines a schedule runs.
    fn lines_run(sim: &Sim, schedule: &Schedule) -> Vec<Line> {
        let mut m = sim.initial();
        let mut out = Vec::new();
        for &a in &schedule.0 {
            out.extend(line_of(sim, &m, a));
            exec::step(sim, &mut m, a).unwrap();
        }
        out
    }

    /// Every schedule, depth first, without state caching: the union of the lines run, and per
    /// kind the intersection of the lines run up to each detection. Nothing shared with the search
    /// above but the executor and the oracles. `work` bounds the paths tried.
    struct Brute {
        ran: BTreeSet<Line>,
        every: BTreeMap<ViolationKind, BTreeSet<Line>>,
        work: usize,
    }

    impl Brute {
        fn detect(&mut self, vs: Vec<Violation>, path: &[Line]) {
            for v in vs {
                let here: BTreeSet<Line> = path.iter().copied().collect();
                self.every
                    .entry(v.kind)
                    .and_modify(|acc| acc.retain(|l| here.contains(l)))
                    .or_insert(here);
            }
        }

        fn walk(&mut self, sim: &Sim, m: &Machine, path: &mut Vec<Line>) {
            self.work = self
                .work
                .checked_sub(1)
                .expect("brute force ran out of work");
            self.detect(oracle::check_state(sim, m, 0), path);
            let enabled = exec::enabled(sim, m);
            if enabled.is_empty() {
                self.detect(oracle::check_terminal(sim, m, 0), path);
            }
            for a in enabled {
                let line = line_of(sim, m, a);
                let mut next = m.clone();
                let event = exec::step(sim, &mut next, a).unwrap();
                let pushed = line.is_some();
                if let Some(l) = line {
                    self.ran.insert(l);
                    path.push(l);
                }
                self.detect(oracle::check_facts(sim, m, &event.facts, 0), path);
                self.walk(sim, &next, path);
                if pushed {
                    path.pop();
                }
            }
        }
    }

    #[test]
    fn the_graph_analysis_agrees_with_every_schedule_enumerated() {
        let mut compared = 0;
        for id in scenario::ids() {
            for strategy in ["naive-update", "linux-6.5", "linux-6.17"] {
                let sim = Sim::from_ids(&id, strategy, "sc").unwrap();
                let cov = coverage(&sim, 2_000_000).unwrap();
                if cov.states > 150 {
                    continue; // too many schedules to enumerate
                }
                let mut brute = Brute {
                    ran: BTreeSet::new(),
                    every: BTreeMap::new(),
                    work: 5_000_000,
                };
                brute.walk(&sim, &sim.initial(), &mut Vec::new());
                let dead: BTreeSet<Line> = cov.dead().into_iter().collect();
                let executed: BTreeSet<Line> = flagged(&cov.executed, true).into_iter().collect();
                assert_eq!(executed, brute.ran, "{id} {strategy}");
                assert!(executed.is_disjoint(&dead));
                let kinds: Vec<ViolationKind> = cov.in_every.keys().copied().collect();
                assert_eq!(kinds, brute.every.keys().copied().collect::<Vec<_>>());
                for (kind, lines) in &brute.every {
                    let needed: BTreeSet<Line> = cov.needed_by(*kind).into_iter().collect();
                    assert_eq!(&needed, lines, "{id} {strategy} {kind:?}");
                }
                compared += 1;
            }
        }
        assert!(
            compared >= 5,
            "only {compared} worlds small enough to enumerate"
        );
    }

    #[test]
    fn every_counterexample_runs_the_lines_its_kind_needs_and_no_dead_line() {
        let mut checked = 0;
        for id in scenario::ids() {
            for strategy in ["naive-update", "linux-6.5", "linux-6.17"] {
                let sim = Sim::from_ids(&id, strategy, "sc").unwrap();
                let cov = coverage(&sim, 2_000_000).unwrap();
                let report = check(&sim, &CheckOptions::default(), &mut |_| true);
                let kinds: Vec<ViolationKind> = cov.in_every.keys().copied().collect();
                assert_eq!(kinds, report.kinds(), "{id} {strategy}");
                let dead = cov.dead();
                for kind in report.kinds() {
                    let cx = report.counterexample(kind).unwrap();
                    let ran = lines_run(&sim, &cx.schedule);
                    for needed in cov.needed_by(kind) {
                        assert!(
                            ran.contains(&needed),
                            "{id} {strategy} {kind:?}: {needed:?}"
                        );
                    }
                    for line in &ran {
                        assert!(!dead.contains(line), "{id} {strategy}: {line:?} ran");
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 20, "only {checked} counterexamples checked");
    }

    #[test]
    fn the_lost_wakeup_needs_the_put_and_the_unlocked_update() {
        // The first 2023 patch: the updater rewrites the IRTE without ir_list_lock; every lost
        // wake-up runs lines of both vCPU0's put and the updater.
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let cov = coverage(&sim, 2_000_000).unwrap();
        let needed = cov.needed_by(ViolationKind::LostWakeup);
        let threads: BTreeSet<usize> = needed.iter().map(|l| l.0).collect();
        assert!(threads.contains(&0) && threads.contains(&1), "{needed:?}");
    }

    #[test]
    fn a_bound_too_small_says_so() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        assert_eq!(coverage(&sim, 10), Err(TooManyStates { states: 10 }));
    }
}
