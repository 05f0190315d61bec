//! The search behind [`super::fewest_preemptions_for`], over packed states.
//!
//! A node is a (state, last thread) pair; many nodes share a state. Each state is packed as the
//! exhaustive checker packs one (a word per part, [`Codec`]) into the checker's set of rows
//! ([`FullSet`]), and expanded once, the first time a node of it is settled: its successors (as
//! state numbers), the threads whose step it enables, and the violation kinds the state and each
//! step show are kept in a [`Graph`]. Every other node of that state reads them back: no machine
//! is stepped, cloned or hashed again. The oracles' kinds are pure functions of the state and of
//! a step's facts (only the step number they report depends on the path, and no answer keeps it).
//!
//! Edge costs are (0 or 1 preemptions, 1 step) ordered as pairs, so instead of a binary heap the
//! nodes wait in buckets, one per (preemptions, steps): an edge goes to the bucket one step
//! deeper at the same or the next preemption count, so a bucket is full before it is opened and
//! the buckets are opened in (preemptions, steps) order. Within a bucket the nodes are taken in
//! the order of their numbers (order of first sight), which is the order a heap of
//! `(preemptions, steps, node)` pops them in: the search settles the same nodes in the same
//! order, with the same parents, as Dijkstra's with that heap did, and gives the same answers.

use super::{runs_next, Bounded, PreemptionBound};
use crate::exec::{self, Action, Fact};
use crate::explore::exhaustive::{Adopted, Codec, FullSet};
use crate::explore::Schedule;
use crate::machine::Machine;
use crate::oracle::{self, Violation, ViolationKind};
use crate::sim::Sim;
use hashbrown::HashTable;
use std::collections::BTreeMap;

/// No parent: the first node.
const ROOT: u32 = u32::MAX;
/// A state not expanded yet.
const UNEXPANDED: u32 = u32::MAX;

/// The kinds among `vs`, one bit each.
fn kinds(vs: &[Violation]) -> u8 {
    vs.iter().fold(0, |m, v| m | bit(v.kind))
}

fn bit(k: ViolationKind) -> u8 {
    1 << (k as u8)
}

/// A node's key: its state's number and the last thread (0 for none, the thread plus one).
fn node_key(state: u32, last: Option<u8>) -> u64 {
    (u64::from(state) << 8) | last.map_or(0, |t| u64::from(t) + 1)
}

fn split_key(key: u64) -> (u32, Option<u8>) {
    ((key >> 8) as u32, (key as u8).checked_sub(1))
}

/// A node key's hash (64-bit multiplies only: fast in wasm too).
fn hash_key(key: u64) -> u64 {
    crate::explore::exhaustive::mix(key)
}

/// One step out of a state.
#[derive(Clone, Copy)]
struct Edge {
    to: u32,
    action: Action,
    /// Kinds the step's facts show.
    kinds: u8,
}

/// The states met, each expanded once.
struct Graph {
    codec: Codec,
    set: FullSet,
    /// Each state's first edge in `edges` ([`UNEXPANDED`] until it is expanded) and count.
    first: Vec<u32>,
    count: Vec<u8>,
    /// Kinds the state shows (the final-state kinds too when nothing can run).
    at: Vec<u8>,
    /// The threads whose step the state enables, one bit each.
    steps: Vec<u32>,
    edges: Vec<Edge>,
    // Scratch: `parent` holds the state packed as `held`, `child` the one packed as `ckey`.
    parent: Machine,
    child: Machine,
    held: Vec<u32>,
    row: Vec<u32>,
    ckey: Vec<u32>,
    facts: Vec<Fact>,
    local: Codec,
    adopted: Adopted,
}

impl Graph {
    /// The graph holding `sim`'s initial state, as state 0.
    fn new(sim: &Sim) -> Graph {
        let threads = sim.threads.len();
        let mut codec = Codec::new(threads);
        let root = sim.initial();
        let mut key = vec![0; codec.width()];
        codec.encode(&root, &mut key);
        let mut g = Graph {
            set: FullSet::new(codec.width()),
            codec,
            first: Vec::new(),
            count: Vec::new(),
            at: Vec::new(),
            steps: Vec::new(),
            edges: Vec::new(),
            parent: root.clone(),
            child: root,
            held: key.clone(),
            row: key.clone(),
            ckey: key.clone(),
            facts: Vec::new(),
            local: Codec::new(threads),
            adopted: Adopted::default(),
        };
        g.number(&key);
        g
    }

    /// The number of the state packed as `key`, given one if it is new.
    fn number(&mut self, key: &[u32]) -> u32 {
        match self.set.insert(key) {
            Err(s) => s,
            Ok(s) => {
                self.first.push(UNEXPANDED);
                self.count.push(0);
                self.at.push(0);
                self.steps.push(0);
                s
            }
        }
    }

    /// Expand state `s` if it is not yet: judge it, run each enabled action and number the
    /// states they reach.
    fn expand(&mut self, sim: &Sim, s: u32) {
        let i = s as usize;
        if self.first[i] != UNEXPANDED {
            return;
        }
        self.set.key_into(s, &mut self.row);
        self.codec
            .decode_changed(&self.held, &self.row, &mut self.parent);
        self.held.copy_from_slice(&self.row);
        let mut at = kinds(&oracle::check_state(sim, &self.parent, 0));
        let enabled = exec::enabled(sim, &self.parent);
        if enabled.is_empty() {
            at |= kinds(&oracle::check_terminal(sim, &self.parent, 0));
        }
        let first = u32::try_from(self.edges.len()).expect("fewer than 2^32 edges");
        let mut steps = 0;
        for &a in &enabled {
            if let Action::Step(t) = a {
                steps |= 1 << t;
            }
            let (held, child) = (&self.held, &mut self.child);
            self.codec.decode_changed(&self.ckey, held, child);
            self.ckey.copy_from_slice(held);
            self.facts.clear();
            exec::run_enabled(sim, &mut self.child, a, &mut self.facts);
            let shown = kinds(&oracle::check_facts(sim, &self.parent, &self.facts, 0));
            let local = self.codec.encode_child(
                &mut self.local,
                &self.parent,
                &self.held,
                &self.child,
                a.thread(),
                &mut self.ckey,
            );
            if local {
                self.codec
                    .adopt(&self.local, &mut self.adopted, &mut self.ckey);
                self.local.clear();
                self.adopted.clear();
            }
            let ckey = std::mem::take(&mut self.ckey);
            let to = self.number(&ckey);
            self.ckey = ckey;
            self.edges.push(Edge {
                to,
                action: a,
                kinds: shown,
            });
        }
        self.first[i] = first;
        self.count[i] = u8::try_from(enabled.len()).expect("fewer than 256 actions");
        self.at[i] = at;
        self.steps[i] = steps;
    }
}

/// The nodes found so far, by number, and the answers.
struct Nodes {
    keys: Vec<u64>,
    index: HashTable<u32>,
    /// (preemptions, steps) of the best path known to each node.
    cost: Vec<(u32, u32)>,
    /// The node before it on that path ([`ROOT`]: none) and the action from there.
    parent: Vec<(u32, Action)>,
    /// Node numbers waiting, by preemptions then steps.
    buckets: Vec<Vec<Vec<u32>>>,
    found: BTreeMap<ViolationKind, PreemptionBound>,
}

impl Nodes {
    fn path(&self, mut n: u32) -> Vec<Action> {
        let mut out = Vec::new();
        while let Some(&(p, a)) = self.parent.get(n as usize).filter(|l| l.0 != ROOT) {
            out.push(a);
            n = p;
        }
        out.reverse();
        out
    }

    /// Keep the kinds in `shown` where they beat what is known: reached with `cost`
    /// preemptions by the path to `node`, then `last`.
    fn record(&mut self, shown: u8, node: u32, last: Option<Action>, cost: u32) {
        if shown == 0 {
            return;
        }
        for kind in ViolationKind::ALL {
            if shown & bit(kind) == 0 {
                continue;
            }
            let steps = self.cost[node as usize].1 as usize + usize::from(last.is_some());
            let better = self
                .found
                .get(&kind)
                .is_none_or(|b| (cost as usize, steps) < (b.preemptions, b.schedule.0.len()));
            if better {
                let mut path = self.path(node);
                path.extend(last);
                let bound = PreemptionBound {
                    kind,
                    preemptions: cost as usize,
                    schedule: Schedule(path),
                };
                self.found.insert(kind, bound);
            }
        }
    }

    /// Reach the node `key` at `cost` from `parent`, queueing it if that is news (it is new, or
    /// cheaper than before).
    fn reach(&mut self, key: u64, parent: (u32, Action), cost: (u32, u32)) {
        let h = hash_key(key);
        let keys = &self.keys;
        let n = match self.index.find(h, |&n| keys[n as usize] == key) {
            Some(&n) => {
                let known = &mut self.cost[n as usize];
                if cost >= *known {
                    return;
                }
                *known = cost;
                self.parent[n as usize] = parent;
                n
            }
            None => self.add(key, parent, cost),
        };
        self.queue(n, cost);
    }

    fn add(&mut self, key: u64, parent: (u32, Action), cost: (u32, u32)) -> u32 {
        let n = u32::try_from(self.keys.len()).expect("fewer than 2^32 nodes");
        self.keys.push(key);
        self.cost.push(cost);
        self.parent.push(parent);
        let keys = &self.keys;
        self.index
            .insert_unique(hash_key(key), n, |&j| hash_key(keys[j as usize]));
        n
    }

    fn queue(&mut self, n: u32, (p, d): (u32, u32)) {
        let (p, d) = (p as usize, d as usize);
        if self.buckets.len() <= p {
            self.buckets.resize_with(p + 1, Vec::new);
        }
        let level = &mut self.buckets[p];
        if level.len() <= d {
            level.resize_with(d + 1, Vec::new);
        }
        level[d].push(n);
    }
}

/// See [`super::fewest_preemptions_for`].
pub(super) fn run(
    sim: &Sim,
    max_states: usize,
    wanted: &[ViolationKind],
) -> Result<BTreeMap<ViolationKind, PreemptionBound>, Bounded> {
    // The largest (preemptions, steps) a wanted kind was found with, once all of them are found.
    let settled_at = |found: &BTreeMap<ViolationKind, PreemptionBound>| -> Option<(usize, usize)> {
        if wanted.is_empty() {
            return None;
        }
        wanted
            .iter()
            .map(|k| found.get(k).map(|b| (b.preemptions, b.schedule.0.len())))
            .try_fold((0, 0), |most, b| b.map(|b| most.max(b)))
    };
    let mut g = Graph::new(sim);
    let mut s = Nodes {
        keys: Vec::new(),
        index: HashTable::new(),
        cost: Vec::new(),
        parent: Vec::new(),
        buckets: Vec::new(),
        found: BTreeMap::new(),
    };
    let first = s.add(node_key(0, None), (ROOT, Action::Step(0)), (0, 0));
    s.queue(first, (0, 0));
    let mut p = 0;
    while p < s.buckets.len() {
        let mut d = 0;
        while d < s.buckets[p].len() {
            let mut bucket = std::mem::take(&mut s.buckets[p][d]);
            bucket.sort_unstable();
            for n in bucket {
                let (cost, depth) = s.cost[n as usize];
                if (cost as usize, depth as usize) != (p, d) {
                    continue; // reached more cheaply since it was queued
                }
                // Everything from here on is found at (p, d) or later: no better than that.
                if settled_at(&s.found).is_some_and(|most| most <= (p, d)) {
                    return Ok(s.found);
                }
                if s.keys.len() > max_states {
                    return Err(Bounded {
                        states: s.keys.len(),
                        found: s.found,
                    });
                }
                settle(sim, &mut g, &mut s, n, (cost, depth));
            }
            d += 1;
        }
        p += 1;
    }
    Ok(s.found)
}

/// Judge node `n`, settled at `(cost, depth)`, and reach its successors.
fn settle(sim: &Sim, g: &mut Graph, s: &mut Nodes, n: u32, (cost, depth): (u32, u32)) {
    let (state, last) = split_key(s.keys[n as usize]);
    g.expand(sim, state);
    let i = state as usize;
    s.record(g.at[i], n, None, cost);
    // A switch to another thread's step preempts `last` if its step is enabled (the rule of
    // `super::is_preemption`).
    let last_can_go_on = last.is_some_and(|l| g.steps[i] & (1 << l) != 0);
    let first = g.first[i] as usize;
    for e in &g.edges[first..first + g.count[i] as usize] {
        let a = e.action;
        let preempts = matches!(a, Action::Step(t) if Some(t) != last) && last_can_go_on;
        let extra = u32::from(preempts);
        s.record(e.kinds, n, Some(a), cost + extra);
        let key = node_key(e.to, runs_next(last, a));
        s.reach(key, (n, a), (cost + extra, depth + 1));
    }
}
