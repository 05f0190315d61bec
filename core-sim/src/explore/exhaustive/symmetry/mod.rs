//! Symmetry reduction (`--symmetry on`): a world whose pCPUs, vCPUs, IRTEs or threads are
//! interchangeable reaches, from every state, the images of what it reaches from that state's
//! images, with the same kinds of violation. The search stores one state per orbit: each state
//! is replaced by its canonical image before it is packed and looked up.
//!
//! The group is read off the compiled world ([`group`]): a permutation of vCPUs, pCPUs and IRTEs
//! (with the thread matching it induces) belongs to it when it maps the initial machine onto
//! itself, every thread's actor and programs (instruction for instruction, jumps included) onto
//! those of its image thread, and keeps the order of any two IRTEs that may share an ir_list
//! (a `list_for_each_entry` walk visits them in index order, so swapping them would reorder the
//! walk). Threads whose actor and programs are identical form classes, exchanged freely (with
//! the locks they hold).
//!
//! The canonical image of a state is the least, in a fixed word order, of `sort(s(m))` over one
//! permutation `s` per structural symmetry, where `sort` orders each class of identical threads
//! by their state and held locks: a function of the orbit alone.
//!
//! A counterexample is found as a path of the quotient graph; [`Symmetry::concrete`] replays it
//! and maps each action through the permutations met on the way, so that its schedule replays
//! in the world itself. `core-sim/tests/symmetry.rs` checks on every shipped cell that the
//! kinds found are those of plain search and that each schedule replays to its violation.

mod order;
mod permute;

use self::order::{thread_key, words};
pub(crate) use self::permute::Perm;
use crate::exec::{self, Action, Fact};
use crate::machine::Machine;
use crate::oracle::{self, Violation};
use crate::program::{Actor, StepKind};
use crate::sim::Sim;

/// At most this many structural permutations are tried when the group is looked for (4 vCPUs ×
/// 4 pCPUs × the IRTEs' orderings stay far below it).
const MAX_TRIED: usize = 200_000;

/// The symmetries of one world and the scratch space to canonicalise with.
pub(crate) struct Symmetry {
    /// One permutation per structural symmetry, the identity first.
    reps: Vec<Perm>,
    /// Classes of interchangeable threads (two or more each).
    classes: Vec<Vec<u8>>,
    cand: Machine,
    best: Machine,
    cand_words: Vec<u64>,
    best_words: Vec<u64>,
    keys: Vec<(Vec<u64>, u8)>,
    tmp_threads: Vec<crate::machine::ThreadState>,
    /// Thread permutation (old → new) of the last canonicalisation.
    last: Vec<u8>,
}

fn permutations(n: usize) -> Vec<Vec<u8>> {
    let mut out = vec![Vec::new()];
    for k in 0..n {
        let mut next = Vec::new();
        for p in &out {
            for pos in 0..=k {
                let mut q = p.clone();
                q.insert(pos, k as u8);
                next.push(q);
            }
        }
        out = next;
    }
    out.sort();
    out
}

fn identity(n: usize) -> Vec<u8> {
    (0..n as u8).collect()
}

/// For each vCPU, the IRTEs that can be on its ir_list: its initial list and every `list_add`.
fn may_share(sim: &Sim, init: &Machine) -> Vec<u8> {
    let mut lists = init.ir_lists.clone();
    for th in &sim.threads {
        for prog in th.programs.iter().chain(&th.forced) {
            for st in &prog.steps {
                if let StepKind::Link(v, i) = st.kind {
                    lists[v as usize] |= 1 << i;
                }
            }
        }
    }
    lists
}

/// The thread matching `perm` (with `t` unset) induces: thread `t`'s actor and programs onto
/// those of thread `perm.t[t]`, identical threads matched in order. `None` if some thread has no
/// image.
fn match_threads(sim: &Sim, perm: &Perm) -> Option<Vec<u8>> {
    let n = sim.threads.len();
    let mut used = vec![false; n];
    let mut out = Vec::with_capacity(n);
    for a in &sim.threads {
        let actor = match a.actor {
            Actor::Vcpu(v) => Actor::Vcpu(perm.v[v as usize]),
            other => other,
        };
        let image = (0..n).find(|&u| {
            let b = &sim.threads[u];
            !used[u]
                && b.actor == actor
                && a.programs.len() == b.programs.len()
                && a.programs
                    .iter()
                    .zip(&b.programs)
                    .all(|(x, y)| perm.maps_program(x, y))
                && match (&a.forced, &b.forced) {
                    (None, None) => true,
                    (Some(x), Some(y)) => perm.maps_program(x, y),
                    _ => false,
                }
        })?;
        used[image] = true;
        out.push(image as u8);
    }
    Some(out)
}

/// Every assignment of IRTE images that keeps each IRTE's target and posting, and the order of
/// IRTEs that may share a list.
fn irte_perms(init: &Machine, shares: &[u8], v: &[u8], out: &mut Vec<Vec<u8>>) {
    fn go(init: &Machine, shares: &[u8], v: &[u8], cur: &mut Vec<u8>, out: &mut Vec<Vec<u8>>) {
        let k = cur.len();
        let n = init.irtes.len();
        if k == n {
            out.push(cur.clone());
            return;
        }
        let from = init.irtes[k];
        for to in 0..n as u8 {
            if cur.contains(&to) {
                continue;
            }
            let target = init.irtes[to as usize];
            let tag = from.ga_tag.map(|x| v[x as usize]);
            if target.ga_tag != tag || target.guest_mode != from.guest_mode {
                continue;
            }
            // Order within every list both may share (earlier IRTEs are already placed).
            let ordered = (0..k).all(|j| {
                let both = |l: &u8| l & (1 << j) != 0 && l & (1 << k) != 0;
                let img = |l: &u8| l & (1 << cur[j]) != 0 && l & (1 << to) != 0;
                let shared: Vec<usize> = (0..shares.len()).filter(|&w| both(&shares[w])).collect();
                shared.is_empty()
                    || (cur[j] < to && shared.iter().all(|&w| img(&shares[v[w] as usize])))
            });
            if ordered {
                cur.push(to);
                go(init, shares, v, cur, out);
                cur.pop();
            }
        }
    }
    go(init, shares, v, &mut Vec::new(), out);
}

/// The structural symmetries of `sim` (the identity first) and its classes of interchangeable
/// threads.
fn group(sim: &Sim) -> (Vec<Perm>, Vec<Vec<u8>>) {
    let init = sim.initial();
    let (nv, np) = (init.vcpus.len(), init.pcpus as usize);
    let nt = sim.threads.len();
    let shares = may_share(sim, &init);
    let mut reps = Vec::new();
    let mut tried = 0;
    let mut image = init.clone();
    'outer: for v in permutations(nv) {
        for p in permutations(np) {
            let mut irtes = Vec::new();
            irte_perms(&init, &shares, &v, &mut irtes);
            for i in irtes {
                tried += 1;
                if tried > MAX_TRIED {
                    break 'outer;
                }
                let mut perm = Perm {
                    v: v.clone(),
                    p: p.clone(),
                    i,
                    t: identity(nt),
                };
                let Some(t) = match_threads(sim, &perm) else {
                    continue;
                };
                perm.t = t;
                perm.machine(&init, &mut image);
                if image == init {
                    reps.push(perm);
                }
            }
        }
    }
    // Identical threads: the thread-only symmetries of the identity.
    let id = Perm {
        v: identity(nv),
        p: identity(np),
        i: identity(init.irtes.len()),
        t: identity(nt),
    };
    let mut classes: Vec<Vec<u8>> = Vec::new();
    for t in 0..nt {
        let same = |u: &u8| {
            let (a, b) = (&sim.threads[t], &sim.threads[*u as usize]);
            a.actor == b.actor
                && a.programs.len() == b.programs.len()
                && a.programs
                    .iter()
                    .zip(&b.programs)
                    .all(|(x, y)| id.maps_program(x, y))
                && a.forced.is_none()
                && b.forced.is_none()
        };
        match classes.iter_mut().find(|c| same(&c[0])) {
            Some(c) => c.push(t as u8),
            None => classes.push(vec![t as u8]),
        }
    }
    classes.retain(|c| c.len() > 1);
    // One representative per structural symmetry: drop those that differ only in threads.
    let mut seen: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = Vec::new();
    reps.retain(|r| {
        let k = (r.v.clone(), r.p.clone(), r.i.clone());
        let new = !seen.contains(&k);
        seen.push(k);
        new
    });
    (reps, classes)
}

impl Symmetry {
    /// The symmetries of `sim`, or `None` when it has none but the identity.
    pub(crate) fn of(sim: &Sim) -> Option<Symmetry> {
        let (reps, classes) = group(sim);
        if reps.len() <= 1 && classes.is_empty() {
            return None;
        }
        let init = sim.initial();
        Some(Symmetry {
            reps,
            classes,
            cand: init.clone(),
            best: init.clone(),
            cand_words: Vec::new(),
            best_words: Vec::new(),
            keys: Vec::new(),
            tmp_threads: init.threads.clone(),
            last: identity(sim.threads.len()),
        })
    }

    /// The number of symmetries: structural ones times the orderings of identical threads.
    pub(crate) fn order(&self) -> usize {
        let fact = |n: usize| (1..=n).product::<usize>();
        self.reps.len()
            * self
                .classes
                .iter()
                .map(|c| fact(c.len()))
                .product::<usize>()
    }

    /// Order each class of identical threads of `self.cand` by state and held locks; compose
    /// the moves into `tp` (old → new).
    fn sort_classes(&mut self, tp: &mut [u8]) {
        for c in &self.classes {
            self.keys.clear();
            for &t in c {
                self.keys.push((thread_key(&self.cand, t), t));
            }
            self.keys.sort();
            if self.keys.iter().zip(c).all(|((_, t), u)| t == u) {
                continue;
            }
            // The thread of rank r moves to the r-th position of the class.
            let mut to = vec![0u8; self.cand.threads.len()];
            for (t, x) in to.iter_mut().enumerate() {
                *x = t as u8;
            }
            for ((_, t), &pos) in self.keys.iter().zip(c) {
                to[*t as usize] = pos;
            }
            self.tmp_threads.clone_from(&self.cand.threads);
            for &t in c {
                std::mem::swap(
                    &mut self.cand.threads[to[t as usize] as usize],
                    &mut self.tmp_threads[t as usize],
                );
            }
            for h in self.cand.locks.iter_mut().flatten() {
                *h = to[*h as usize];
            }
            for x in tp.iter_mut() {
                *x = to[*x as usize];
            }
        }
    }

    /// Replace `m` by the canonical image of its orbit; whether it (may have) changed. The
    /// thread permutation used is kept for [`Symmetry::concrete`].
    pub(crate) fn canonicalise(&mut self, m: &mut Machine) -> bool {
        let mut best_tp: Option<Vec<u8>> = None;
        let mut moved = false;
        for r in 0..self.reps.len() {
            let rep = &self.reps[r];
            let mut tp = rep.t.clone();
            if r == 0 {
                self.cand.clone_from(m);
            } else {
                rep.machine(m, &mut self.cand);
            }
            self.sort_classes(&mut tp);
            words(&self.cand, &mut self.cand_words);
            if best_tp.is_none() || self.cand_words < self.best_words {
                std::mem::swap(&mut self.cand, &mut self.best);
                std::mem::swap(&mut self.cand_words, &mut self.best_words);
                moved = r != 0 || tp.iter().enumerate().any(|(k, &x)| k != x as usize);
                best_tp = Some(tp);
            }
        }
        self.last = best_tp.expect("the identity is tried");
        if moved {
            m.clone_from(&self.best);
        }
        moved
    }

    /// The schedule in the world itself of a quotient path (each action taken from the
    /// canonical state reached so far), and the violations of `kinds` its end shows there (a
    /// state, terminal or step violation, judged afresh so that its words name the world's own
    /// vCPUs and IRTEs).
    pub(crate) fn concrete(
        &mut self,
        sim: &Sim,
        path: &[Action],
        last_is_step: bool,
    ) -> (Vec<Action>, Vec<Violation>) {
        let mut canon = sim.initial();
        let mut real = canon.clone();
        self.canonicalise(&mut canon);
        // sigma: canonical-frame thread → world thread.
        let mut sigma = invert(&self.last);
        let mut out = Vec::with_capacity(path.len());
        let mut facts: Vec<Fact> = Vec::new();
        let mut before = real.clone();
        for (k, &a) in path.iter().enumerate() {
            let b = match a {
                Action::Step(t) => Action::Step(sigma[t as usize]),
                Action::Flush(t) => Action::Flush(sigma[t as usize]),
            };
            out.push(b);
            before.clone_from(&real);
            facts.clear();
            exec::run_enabled(sim, &mut real, b, &mut facts);
            if k + 1 < path.len() || !last_is_step {
                exec::run_enabled(sim, &mut canon, a, &mut Vec::new());
                self.canonicalise(&mut canon);
                let inv = invert(&self.last);
                sigma = inv.iter().map(|&x| sigma[x as usize]).collect();
            }
        }
        let depth = out.len();
        let mut vs = Vec::new();
        if last_is_step {
            vs.extend(oracle::check_facts(sim, &before, &facts, depth));
        } else {
            vs.extend(oracle::check_state(sim, &real, depth));
            vs.extend(oracle::check_terminal(sim, &real, depth));
        }
        (out, vs)
    }
}

fn invert(p: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; p.len()];
    for (k, &x) in p.iter().enumerate() {
        out[x as usize] = k as u8;
    }
    out
}

#[cfg(test)]
mod tests;
