//! The search as it was before it packed its states (commit 6ded354): Dijkstra's over
//! (`Machine`, last thread) with a binary heap and whole machines as hash keys. Kept for the
//! tests only, as the reference the packed search must agree with node for node.

use super::{is_preemption, runs_next, Bounded, PreemptionBound};
use crate::exec;
use crate::exec::Action;
use crate::explore::Schedule;
use crate::machine::Machine;
use crate::oracle::{self, Violation, ViolationKind};
use crate::sim::Sim;
use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

struct Node {
    parent: Option<(u32, Action)>,
    /// (preemptions, steps) of the best path known.
    cost: (u32, u32),
}

struct Search {
    states: Vec<(Machine, Option<u8>)>,
    nodes: Vec<Node>,
    index: HashMap<(Machine, Option<u8>), u32>,
    found: BTreeMap<ViolationKind, PreemptionBound>,
}

impl Search {
    fn path(&self, mut n: u32) -> Vec<Action> {
        let mut out = Vec::new();
        while let Some((p, a)) = self.nodes[n as usize].parent {
            out.push(a);
            n = p;
        }
        out.reverse();
        out
    }

    /// Keep `vs` where they beat what is known: reached with `cost` preemptions by the path to
    /// `node`, then `last`.
    fn record(&mut self, vs: Vec<Violation>, node: u32, last: Option<Action>, cost: u32) {
        for v in vs {
            let steps = self.nodes[node as usize].cost.1 as usize + usize::from(last.is_some());
            let better = self
                .found
                .get(&v.kind)
                .is_none_or(|b| (cost as usize, steps) < (b.preemptions, b.schedule.0.len()));
            if better {
                let mut path = self.path(node);
                path.extend(last);
                self.found.insert(
                    v.kind,
                    PreemptionBound {
                        kind: v.kind,
                        preemptions: cost as usize,
                        schedule: Schedule(path),
                    },
                );
            }
        }
    }

    /// Reach `(m, last)` at `cost` from `parent`; returns its index if that is news (new, or cheaper).
    fn reach(
        &mut self,
        m: Machine,
        last: Option<u8>,
        parent: Option<(u32, Action)>,
        cost: (u32, u32),
    ) -> Option<u32> {
        match self.index.entry((m, last)) {
            Entry::Occupied(e) => {
                let i = *e.get();
                let node = &mut self.nodes[i as usize];
                if cost >= node.cost {
                    return None;
                }
                *node = Node { parent, cost };
                Some(i)
            }
            Entry::Vacant(e) => {
                let i = self.states.len() as u32;
                self.states.push(e.key().clone());
                e.insert(i);
                self.nodes.push(Node { parent, cost });
                Some(i)
            }
        }
    }
}

/// The old search, as [`super::fewest_preemptions_for`] was.
pub(super) fn fewest_preemptions_for(
    sim: &Sim,
    max_states: usize,
    wanted: &[ViolationKind],
) -> Result<BTreeMap<ViolationKind, PreemptionBound>, Bounded> {
    // The most preemptions any wanted kind was found with, once all of them are found.
    let settled_past = |found: &BTreeMap<ViolationKind, PreemptionBound>| -> Option<usize> {
        if wanted.is_empty() {
            return None;
        }
        wanted
            .iter()
            .map(|k| found.get(k).map(|b| b.preemptions))
            .try_fold(0, |most, p| p.map(|p| most.max(p)))
    };
    let mut s = Search {
        states: Vec::new(),
        nodes: Vec::new(),
        index: HashMap::new(),
        found: BTreeMap::new(),
    };
    let mut queue = BinaryHeap::new();
    let start = s
        .reach(sim.initial(), None, None, (0, 0))
        .expect("first state");
    queue.push(Reverse(((0, 0), start)));
    while let Some(Reverse((key, n))) = queue.pop() {
        if key > s.nodes[n as usize].cost {
            continue; // reached more cheaply since it was queued
        }
        let (cost, depth) = key;
        if settled_past(&s.found).is_some_and(|most| cost as usize > most) {
            break;
        }
        if s.states.len() > max_states {
            return Err(Bounded {
                states: s.states.len(),
                found: s.found,
            });
        }
        let (m, last) = s.states[n as usize].clone();
        let depth = depth as usize;
        let vs = oracle::check_state(sim, &m, depth);
        s.record(vs, n, None, cost);
        let enabled = exec::enabled(sim, &m);
        if enabled.is_empty() {
            let vs = oracle::check_terminal(sim, &m, depth);
            s.record(vs, n, None, cost);
            continue;
        }
        for a in enabled {
            let extra = u32::from(is_preemption(sim, &m, last, a));
            let mut next = m.clone();
            let event = exec::step(sim, &mut next, a).expect("enabled action runs");
            let vs = oracle::check_facts(sim, &m, &event.facts, depth + 1);
            s.record(vs, n, Some(a), cost + extra);
            let key = (cost + extra, depth as u32 + 1);
            if let Some(c) = s.reach(next, runs_next(last, a), Some((n, a)), key) {
                queue.push(Reverse((key, c)));
            }
        }
    }
    Ok(s.found)
}
