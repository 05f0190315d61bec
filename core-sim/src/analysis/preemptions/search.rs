//! The search behind [`super::fewest_preemptions_for`], over packed states.
//!
//! A node is a (state, last thread) pair, packed as the exhaustive checker packs a state (one word
//! per part, [`Codec`]) plus one word for the last thread, and kept in the checker's visited set
//! of rows ([`FullSet`]): no machine is cloned or hashed whole per edge, and two machines (one
//! expanded, one stepped) are moved between states by copying only the parts that differ.
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
use std::collections::BTreeMap;

/// No parent: the first node.
const ROOT: u32 = u32::MAX;

/// The word for the last thread: 0 for none, the thread's number plus one otherwise.
fn last_word(last: Option<u8>) -> u32 {
    last.map_or(0, |t| u32::from(t) + 1)
}

fn last_of(word: u32) -> Option<u8> {
    word.checked_sub(1).map(|t| t as u8)
}

/// The nodes found so far, by number, and the answers.
struct Nodes {
    /// (state, last thread) rows: `width` words of packed state, then the last thread's word.
    set: FullSet,
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

    /// Keep `vs` where they beat what is known: reached with `cost` preemptions by the path to
    /// `node`, then `last`.
    fn record(&mut self, vs: Vec<Violation>, node: u32, last: Option<Action>, cost: u32) {
        for v in vs {
            let steps = self.cost[node as usize].1 as usize + usize::from(last.is_some());
            let better = self
                .found
                .get(&v.kind)
                .is_none_or(|b| (cost as usize, steps) < (b.preemptions, b.schedule.0.len()));
            if better {
                let mut path = self.path(node);
                path.extend(last);
                let bound = PreemptionBound {
                    kind: v.kind,
                    preemptions: cost as usize,
                    schedule: Schedule(path),
                };
                self.found.insert(v.kind, bound);
            }
        }
    }

    /// Reach the node packed as `key` at `cost` from `parent`, queueing it if that is news (it
    /// is new, or cheaper than before).
    fn reach(&mut self, key: &[u32], parent: (u32, Action), cost: (u32, u32)) {
        let n = match self.set.insert(key) {
            Ok(n) => {
                self.cost.push(cost);
                self.parent.push(parent);
                n
            }
            Err(n) => {
                let known = &mut self.cost[n as usize];
                if cost >= *known {
                    return;
                }
                *known = cost;
                self.parent[n as usize] = parent;
                n
            }
        };
        self.queue(n, cost);
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

/// The machines and rows one expansion works in, allocated once: `parent` holds the state
/// packed as `held`, `child` the one packed as `ckey`.
struct Scratch {
    parent: Machine,
    child: Machine,
    held: Vec<u32>,
    ckey: Vec<u32>,
    /// The node being expanded (state, last thread), then a child's.
    node: Vec<u32>,
    facts: Vec<Fact>,
    local: Codec,
    adopted: Adopted,
}

/// See [`super::fewest_preemptions_for`].
pub(super) fn run(
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
    let threads = sim.threads.len();
    let mut codec = Codec::new(threads);
    let w = codec.width();
    let root = sim.initial();
    let mut key = vec![0; w + 1];
    codec.encode(&root, &mut key[..w]);
    let mut s = Nodes {
        set: FullSet::new(w + 1),
        cost: Vec::new(),
        parent: Vec::new(),
        buckets: Vec::new(),
        found: BTreeMap::new(),
    };
    let first = s.set.insert(&key).expect("the first node is new");
    s.cost.push((0, 0));
    s.parent.push((ROOT, Action::Step(0)));
    s.queue(first, (0, 0));
    let mut sc = Scratch {
        parent: root.clone(),
        child: root,
        held: key[..w].to_vec(),
        ckey: key[..w].to_vec(),
        node: key,
        facts: Vec::new(),
        local: Codec::new(threads),
        adopted: Adopted::default(),
    };
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
                if settled_past(&s.found).is_some_and(|most| p > most) {
                    return Ok(s.found);
                }
                if s.cost.len() > max_states {
                    return Err(Bounded {
                        states: s.cost.len(),
                        found: s.found,
                    });
                }
                expand(sim, &mut codec, &mut s, &mut sc, n, (cost, depth));
            }
            d += 1;
        }
        p += 1;
    }
    Ok(s.found)
}

/// Judge node `n`, settled at `(cost, depth)`, and reach its successors.
fn expand(
    sim: &Sim,
    codec: &mut Codec,
    s: &mut Nodes,
    sc: &mut Scratch,
    n: u32,
    (cost, depth): (u32, u32),
) {
    let w = codec.width();
    s.set.key_into(n, &mut sc.node);
    let pkey = &sc.node[..w];
    let last = last_of(sc.node[w]);
    codec.decode_changed(&sc.held, pkey, &mut sc.parent);
    sc.held.copy_from_slice(pkey);
    let m = &sc.parent;
    let vs = oracle::check_state(sim, m, depth as usize);
    s.record(vs, n, None, cost);
    let enabled = exec::enabled(sim, m);
    if enabled.is_empty() {
        let vs = oracle::check_terminal(sim, m, depth as usize);
        s.record(vs, n, None, cost);
        return;
    }
    // A switch to another thread's step preempts `last` if its step is enabled (the rule of
    // `super::is_preemption`, asked once per node).
    let last_can_go_on = last.is_some_and(|l| exec::is_enabled(sim, m, Action::Step(l)));
    for a in enabled {
        let preempts = matches!(a, Action::Step(t) if Some(t) != last) && last_can_go_on;
        let extra = u32::from(preempts);
        codec.decode_changed(&sc.ckey, &sc.held, &mut sc.child);
        sc.ckey.copy_from_slice(&sc.held);
        sc.facts.clear();
        exec::run_enabled(sim, &mut sc.child, a, &mut sc.facts);
        let vs = oracle::check_facts(sim, &sc.parent, &sc.facts, depth as usize + 1);
        s.record(vs, n, Some(a), cost + extra);
        let local = codec.encode_child(
            &mut sc.local,
            &sc.parent,
            &sc.held,
            &sc.child,
            a.thread(),
            &mut sc.ckey,
        );
        if local {
            codec.adopt(&sc.local, &mut sc.adopted, &mut sc.ckey);
            sc.local.clear();
            sc.adopted.clear();
        }
        sc.node[..w].copy_from_slice(&sc.ckey);
        sc.node[w] = last_word(runs_next(last, a));
        s.reach(&sc.node, (n, a), (cost + extra, depth + 1));
    }
}
