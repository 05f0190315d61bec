//! The breadth-first search over packed states.

use super::ample::Por;
use super::encode::{Adopted, Codec};
use super::frontier::Frontier;
use super::symmetry::Symmetry;
use super::tables::{Store, Tables};
use super::visited::{FingerprintSet, FullSet};
use super::{CheckOptions, Counterexample, Reduce, StoreMode};
use crate::exec::{self, Action, Fact};
use crate::explore::independence::independent;
use crate::explore::schedule::Schedule;
use crate::machine::Machine;
use crate::oracle::{self, Violation, ViolationKind};
use crate::sim::Sim;
use std::collections::BTreeMap;

/// How many new states may come between two looks at the memory the search takes.
pub(super) const BYTES_CHECK_EVERY: usize = 256;
/// Most words in a packed state.
const MAX_ROW: usize = 32;
/// Every action of a thread is enabled (the first expansion).
pub(super) const ALL: u32 = u32::MAX;

pub(super) fn bit(a: Action) -> u32 {
    match a {
        Action::Step(t) => 1 << t,
        Action::Flush(t) => 1 << (16 + t),
    }
}

pub(super) struct Search<'a> {
    pub(super) sim: &'a Sim,
    pub(super) reduction: bool,
    /// The persistent-set reduction, when asked for.
    pub(super) por: Option<Por>,
    /// The symmetry reduction, when asked for and the world has symmetries.
    pub(super) sym: Option<Symmetry>,
    pub(super) t: Tables,
    /// Records `[id, mask + 1, depth]` (all actions, `u32::MAX`, as 0: one byte), followed by
    /// the packed state in fingerprint mode.
    pub(super) queue: Frontier,
    pub(super) found: BTreeMap<ViolationKind, Counterexample>,
    pub(super) transitions: usize,
    pub(super) final_states: usize,
    pub(super) max_kick_ipis: u8,
    pub(super) max_depth: usize,
    pub(super) width: usize,
    /// Words in a frontier record.
    pub(super) record: usize,
}

/// The machines and rows one expansion works in, allocated once. `parent` holds the state
/// packed as `held`, `child` the one packed as `ckey`: moving either to another state copies
/// only the parts that differ.
pub(super) struct Scratch {
    pub(super) parent: Machine,
    pub(super) child: Machine,
    pub(super) held: Vec<u32>,
    pub(super) pkey: Vec<u32>,
    pub(super) ckey: Vec<u32>,
    pub(super) facts: Vec<Fact>,
    /// Parts new to the shared tables, until they are adopted.
    pub(super) local: Codec,
    pub(super) adopted: Adopted,
}

impl Scratch {
    pub(super) fn new(root: &Machine, key: &[u32], threads: usize) -> Scratch {
        Scratch {
            parent: root.clone(),
            child: root.clone(),
            held: key.to_vec(),
            pkey: key.to_vec(),
            ckey: key.to_vec(),
            facts: Vec::new(),
            local: Codec::new(threads),
            adopted: Adopted::default(),
        }
    }
}

impl<'a> Search<'a> {
    pub(super) fn new(sim: &'a Sim, options: &CheckOptions) -> Search<'a> {
        let codec = Codec::new(sim.threads.len());
        let width = codec.width();
        let sym = if options.symmetry {
            Symmetry::of(sim)
        } else {
            None
        };
        let sleeps = options.reduction && options.reduce == Reduce::None && sym.is_none();
        let fingerprints = options.store == StoreMode::Fingerprint && !sleeps;
        let store = if fingerprints {
            Store::Fingerprint(FingerprintSet::new())
        } else {
            Store::Full(FullSet::new(width))
        };
        Search {
            sim,
            reduction: sleeps,
            sym,
            por: (options.reduce == Reduce::Por).then(|| Por::new(sim, &sim.initial())),
            t: Tables::new(codec, store),
            queue: Frontier::new(if fingerprints { 3 + width } else { 3 }),
            found: BTreeMap::new(),
            transitions: 0,
            final_states: 0,
            max_kick_ipis: 0,
            max_depth: 0,
            width,
            record: if fingerprints { 3 + width } else { 3 },
        }
    }

    pub(super) fn states(&self) -> usize {
        self.t.links.len()
    }

    pub(super) fn store_mode(&self) -> StoreMode {
        match self.t.store {
            Store::Full(_) => StoreMode::Full,
            Store::Fingerprint(_) => StoreMode::Fingerprint,
        }
    }

    /// Keep the first counterexample of each new kind: the path to `node`, then `last` if given.
    pub(super) fn record(&mut self, vs: Vec<Violation>, node: u32, last: Option<Action>) {
        let new: Vec<Violation> = vs
            .into_iter()
            .filter(|v| !self.found.contains_key(&v.kind))
            .collect();
        if new.is_empty() {
            return;
        }
        let mut path = self.t.path(node);
        path.extend(last);
        let mut new = new;
        if let Some(sym) = self.sym.as_mut() {
            // A path of the quotient: as the world's own schedule, judged again there.
            let (real, again) = sym.concrete(self.sim, &path, last.is_some());
            path = real;
            for v in &mut new {
                if let Some(w) = again.iter().find(|w| w.kind == v.kind) {
                    v.explanation.clone_from(&w.explanation);
                }
            }
        }
        let schedule = Schedule(path);
        for mut v in new {
            v.step = schedule.0.len();
            self.found.entry(v.kind).or_insert(Counterexample {
                violation: v,
                schedule: schedule.clone(),
            });
        }
    }

    /// Add the state `m`, packed as `key`, reached by `parent --a-->` at `depth`, and judge it
    /// if it is new: see [`Search::insert`].
    pub(super) fn add(
        &mut self,
        m: &Machine,
        key: &[u32],
        parent: Option<(u32, Action)>,
        depth: u32,
        sleep: u32,
    ) -> (Option<u32>, bool) {
        let (id, new) = self.insert(key, parent, depth, sleep);
        if new {
            let id = id.expect("a new state has an id");
            self.max_kick_ipis = self.max_kick_ipis.max(m.kick_ipis);
            let vs = oracle::check_state(self.sim, m, depth as usize);
            if !vs.is_empty() {
                self.record(vs, id, None);
            }
        }
        (id, new)
    }

    /// Put `key` in the visited set: its id and whether it is new (`None` for a state seen
    /// before in fingerprint mode, which keeps no ids).
    pub(super) fn insert(
        &mut self,
        key: &[u32],
        parent: Option<(u32, Action)>,
        depth: u32,
        sleep: u32,
    ) -> (Option<u32>, bool) {
        let sleep = self.reduction.then_some((depth, sleep));
        let (id, new) = self.t.insert(key, parent, sleep);
        if new {
            self.max_depth = self.max_depth.max(depth as usize);
        }
        (id, new)
    }

    pub(super) fn push(&mut self, id: u32, mask: u32, depth: u32, key: Option<&[u32]>) {
        let row: &[u32] = match self.t.store {
            Store::Fingerprint(_) => key.expect("fingerprint records carry their state"),
            Store::Full(_) => &[],
        };
        let head = [id, mask.wrapping_add(1), depth];
        self.queue.push(head.into_iter().chain(row.iter().copied()));
    }

    /// Take the next record: (id, mask, depth), its packed state now in `pkey`.
    pub(super) fn pop(&mut self, pkey: &mut [u32]) -> Option<(u32, u32, u32)> {
        let mut rec = [0u32; 3 + MAX_ROW];
        let rec = &mut rec[..self.record];
        if !self.queue.pop(rec) {
            return None;
        }
        let (id, mask, depth) = (rec[0], rec[1].wrapping_sub(1), rec[2]);
        match &self.t.store {
            Store::Full(s) => s.key_into(id, pkey),
            Store::Fingerprint(_) => pkey.copy_from_slice(&rec[3..]),
        }
        Some((id, mask, depth))
    }

    /// Take up to `n` records, whole (`record` words each, the mask as it was pushed).
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn drain(&mut self, n: usize) -> Vec<u32> {
        let mut out = Vec::with_capacity(n.min(self.queue.len()) * self.record);
        self.queue.drain_into(n, &mut out);
        for rec in out.chunks_mut(self.record) {
            rec[1] = rec[1].wrapping_sub(1);
        }
        out
    }

    /// Expand the actions of `n` (packed in `sc.pkey`) in `mask` (all enabled ones on the first
    /// visit).
    pub(super) fn expand(&mut self, sc: &mut Scratch, n: u32, mask: u32, depth: u32) {
        self.t
            .codec
            .decode_changed(&sc.held, &sc.pkey, &mut sc.parent);
        sc.held.copy_from_slice(&sc.pkey);
        let enabled = exec::enabled(self.sim, &sc.parent);
        let first = !self.reduction || !self.t.sleeps.expanded[n as usize];
        if first {
            if self.reduction {
                self.t.sleeps.expanded[n as usize] = true;
            }
            if enabled.is_empty() {
                self.final_states += 1;
                let vs = oracle::check_terminal(self.sim, &sc.parent, depth as usize);
                if !vs.is_empty() {
                    self.record(vs, n, None);
                }
                return;
            }
        }
        let mut sleep = if self.reduction {
            self.t.sleeps.sleep[n as usize]
        } else {
            0
        };
        if self.por.is_some() {
            self.expand_reduced(sc, n, depth, &enabled);
            return;
        }
        for &a in &enabled {
            if mask & bit(a) == 0 || sleep & bit(a) != 0 {
                continue;
            }
            let child_sleep = if self.reduction {
                enabled
                    .iter()
                    .filter(|b| sleep & bit(**b) != 0 && independent(self.sim, &sc.parent, a, **b))
                    .fold(0, |acc, b| acc | bit(*b))
            } else {
                0
            };
            let (c, new) = self.successor(sc, n, a, depth, child_sleep);
            if !new && self.reduction {
                let c = c.expect("full storage with the reduction") as usize;
                let s = &mut self.t.sleeps;
                let missed = s.sleep[c] & !child_sleep;
                s.sleep[c] &= child_sleep;
                if missed != 0 && s.expanded[c] {
                    let d = s.depth[c];
                    self.push(c as u32, missed, d, None);
                }
            }
            if self.reduction {
                sleep |= bit(a);
            }
        }
    }

    /// Run `a` from `n` (unpacked in `sc.parent`, packed in `sc.pkey`) into `sc.child`, judge the
    /// step, pack the child into `sc.ckey` and add it (queued if new): its id and whether it is
    /// new, as [`Search::insert`].
    pub(super) fn successor(
        &mut self,
        sc: &mut Scratch,
        n: u32,
        a: Action,
        depth: u32,
        child_sleep: u32,
    ) -> (Option<u32>, bool) {
        self.t
            .codec
            .decode_changed(&sc.ckey, &sc.pkey, &mut sc.child);
        sc.facts.clear();
        exec::run_enabled(self.sim, &mut sc.child, a, &mut sc.facts);
        self.transitions += 1;
        let vs = oracle::check_facts(self.sim, &sc.parent, &sc.facts, depth as usize + 1);
        if !vs.is_empty() {
            self.record(vs, n, Some(a));
        }
        let c = &mut self.t.codec;
        // Symmetry: the child becomes its orbit's canonical image before it is packed.
        let moved = self
            .sym
            .as_mut()
            .is_some_and(|s| s.canonicalise(&mut sc.child));
        if moved {
            if c.encode_local(&mut sc.local, &sc.child, &mut sc.ckey) {
                c.adopt(&sc.local, &mut sc.adopted, &mut sc.ckey);
                sc.local.clear();
                sc.adopted.clear();
            }
        } else if c.encode_child(
            &mut sc.local,
            &sc.parent,
            &sc.pkey,
            &sc.child,
            a.thread(),
            &mut sc.ckey,
        ) {
            c.adopt(&sc.local, &mut sc.adopted, &mut sc.ckey);
            sc.local.clear();
            sc.adopted.clear();
        }
        let (c, new) = self.add(&sc.child, &sc.ckey, Some((n, a)), depth + 1, child_sleep);
        if new {
            let c = c.expect("a new state has an id");
            self.push(c, ALL, depth + 1, Some(&sc.ckey));
        }
        (c, new)
    }
}
