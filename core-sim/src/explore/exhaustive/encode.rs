//! A machine state as packed words: every part of a [`Machine`] (the vCPUs, the entry table and
//! its record of whole values, the IOMMU's tables, the locks and the GA log, each thread) is
//! stored once in its own table, and a state is the row of its parts' indices, one `u32` each
//! ("collapse compression", as SPIN calls it). Parts repeat across millions of states, so a state
//! costs its row; encoding is exact: two machines get the same row if and only if they are equal.

use super::hash::WordHasher;
use super::intern::LOCAL;
pub use super::intern::{Adopted, Interner};
use super::same::Same;
use crate::machine::{Irte, Machine, ThreadState, Vcpu};
use std::hash::{Hash, Hasher};

/// Declares one part of the machine: a struct of some of its fields, how to hash those fields
/// in place, compare them, copy them out and back in without allocating.
macro_rules! part {
    ($(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name { $($field: $ty),* }

        impl $name {
            #[inline]
            fn hash_of(m: &Machine) -> u64 {
                let mut h = WordHasher::default();
                $( m.$field.hash(&mut h); )*
                h.finish()
            }

            #[inline]
            fn is_in(&self, m: &Machine) -> bool {
                $( self.$field.same(&m.$field) )&&*
            }

            #[inline]
            fn same_in(a: &Machine, b: &Machine) -> bool {
                $( a.$field.same(&b.$field) )&&*
            }

            fn take(m: &Machine) -> Self {
                $name { $($field: m.$field.clone()),* }
            }

            #[inline]
            fn put(&self, m: &mut Machine) {
                $( m.$field.clone_from(&self.$field); )*
            }
        }
    };
}

part!(
    /// vCPU life cycles, IRRs and requests; the kick count.
    Cpus { pcpus: u8, vcpus: Vec<Vcpu>, kick_ipis: u8 }
);
part!(
    /// The physical ID table in memory, KVM's copy, and every value stored whole.
    Entries { entries: Vec<u64>, kvm_entries: Vec<u64>, whole_values: Vec<Vec<u64>> }
);
part!(
    /// IRTEs, their software copies and the IOMMU's cache; ir_lists and owners.
    Iommu { irtes: Vec<Irte>, irte_copies: Vec<Irte>, iommu_cache: Vec<Irte>, ir_lists: Vec<u8>, owners: Vec<Option<u8>> }
);
part!(
    /// Lock holders, the lock-order graph, the GA log.
    Locks { locks: Vec<Option<u8>>, lock_order: u16, ga_log: Vec<u8> }
);

/// The parts before the threads in a packed state.
const GLOBAL_PARTS: usize = 4;

fn thread_hash(t: &ThreadState) -> u64 {
    let mut h = WordHasher::default();
    t.hash(&mut h);
    h.finish()
}

fn thread_heap(t: &ThreadState) -> usize {
    t.buffer.capacity() * std::mem::size_of::<crate::machine::Buffered>()
}

fn copy_thread(from: &ThreadState, to: &mut ThreadState) {
    let ThreadState {
        op,
        pc,
        forced,
        regs,
        buffer,
    } = from;
    to.op = *op;
    to.pc = *pc;
    to.forced = *forced;
    to.regs.clone_from(regs);
    to.buffer.clone_from(buffer);
}

fn heap_of<T>(v: &[T]) -> usize {
    std::mem::size_of_val(v)
}

fn cpus_heap(m: &Machine) -> usize {
    heap_of(&m.vcpus)
}

fn entries_heap(m: &Machine) -> usize {
    heap_of(&m.kvm_entries) * 2
        + m.whole_values
            .iter()
            .map(|w| 24 + heap_of(w))
            .sum::<usize>()
}

fn iommu_heap(m: &Machine) -> usize {
    heap_of(&m.irtes) * 3 + heap_of(&m.ir_lists) + heap_of(&m.owners)
}

fn locks_heap(m: &Machine) -> usize {
    heap_of(&m.locks) + heap_of(&m.ga_log)
}

/// The tables of every part of one search's states.
pub struct Codec {
    cpus: Interner<Cpus>,
    entries: Interner<Entries>,
    iommu: Interner<Iommu>,
    locks: Interner<Locks>,
    threads: Vec<Interner<ThreadState>>,
}

impl Codec {
    /// Tables for machines with `threads` threads.
    pub fn new(threads: usize) -> Codec {
        Codec {
            cpus: Interner::new(),
            entries: Interner::new(),
            iommu: Interner::new(),
            locks: Interner::new(),
            threads: (0..threads).map(|_| Interner::new()).collect(),
        }
    }

    /// Words in a packed state.
    pub fn width(&self) -> usize {
        GLOBAL_PARTS + self.threads.len()
    }

    /// Pack `m` into `out` (`width()` words).
    pub fn encode(&mut self, m: &Machine, out: &mut [u32]) {
        // Every field of the machine belongs to exactly one part: a new field fails to compile
        // here until it is given one.
        let Machine {
            pcpus: _,
            vcpus: _,
            entries: _,
            kvm_entries: _,
            whole_values: _,
            irtes: _,
            irte_copies: _,
            iommu_cache: _,
            ir_lists: _,
            owners: _,
            locks: _,
            lock_order: _,
            ga_log: _,
            threads,
            kick_ipis: _,
        } = m;
        let h = cpus_heap(m);
        out[0] = self
            .cpus
            .intern(Cpus::hash_of(m), |p| p.is_in(m), || Cpus::take(m), h);
        let h = entries_heap(m);
        out[1] = self
            .entries
            .intern(Entries::hash_of(m), |p| p.is_in(m), || Entries::take(m), h);
        let h = iommu_heap(m);
        out[2] = self
            .iommu
            .intern(Iommu::hash_of(m), |p| p.is_in(m), || Iommu::take(m), h);
        let h = locks_heap(m);
        out[3] = self
            .locks
            .intern(Locks::hash_of(m), |p| p.is_in(m), || Locks::take(m), h);
        for (t, ts) in threads.iter().enumerate() {
            out[GLOBAL_PARTS + t] = self.threads[t].intern(
                thread_hash(ts),
                |x| x.same(ts),
                || ts.clone(),
                thread_heap(ts),
            );
        }
    }

    /// Pack `child`, a step of thread `actor` from `parent` (packed as `pkey`), reading these
    /// tables only: a part they lack goes into `local` (a codec of the same shape) and its word
    /// is marked local until [`Codec::adopt`] gives it a shared index. Parts the child shares
    /// with its parent keep their index without a look-up; a step changes no other thread's
    /// local state (`exec` touches only the acting thread's; the tests check it). Returns whether
    /// a word is local.
    pub fn encode_child(
        &self,
        local: &mut Codec,
        parent: &Machine,
        pkey: &[u32],
        child: &Machine,
        actor: usize,
        out: &mut [u32],
    ) -> bool {
        let m = child;
        out[0] = if Cpus::same_in(parent, m) {
            pkey[0]
        } else {
            let h = cpus_heap(m);
            let same = |p: &Cpus| p.is_in(m);
            self.cpus
                .find_or_add(&mut local.cpus, Cpus::hash_of(m), same, || Cpus::take(m), h)
        };
        out[1] = if Entries::same_in(parent, m) {
            pkey[1]
        } else {
            let h = entries_heap(m);
            let same = |p: &Entries| p.is_in(m);
            let make = || Entries::take(m);
            self.entries
                .find_or_add(&mut local.entries, Entries::hash_of(m), same, make, h)
        };
        out[2] = if Iommu::same_in(parent, m) {
            pkey[2]
        } else {
            let h = iommu_heap(m);
            let same = |p: &Iommu| p.is_in(m);
            self.iommu.find_or_add(
                &mut local.iommu,
                Iommu::hash_of(m),
                same,
                || Iommu::take(m),
                h,
            )
        };
        out[3] = if Locks::same_in(parent, m) {
            pkey[3]
        } else {
            let h = locks_heap(m);
            let same = |p: &Locks| p.is_in(m);
            self.locks.find_or_add(
                &mut local.locks,
                Locks::hash_of(m),
                same,
                || Locks::take(m),
                h,
            )
        };
        out[GLOBAL_PARTS..].copy_from_slice(&pkey[GLOBAL_PARTS..]);
        debug_assert!(
            (0..m.threads.len()).all(|t| t == actor || m.threads[t] == parent.threads[t]),
            "only the actor's state moves"
        );
        let ts = &m.threads[actor];
        if !ts.same(&parent.threads[actor]) {
            out[GLOBAL_PARTS + actor] = self.threads[actor].find_or_add(
                &mut local.threads[actor],
                thread_hash(ts),
                |x| x.same(ts),
                || ts.clone(),
                thread_heap(ts),
            );
        }
        out.iter().any(|w| w & LOCAL != 0)
    }

    /// Pack `m` afresh, reading these tables only (as [`Codec::encode_child`], for a state that
    /// is no single step from a packed one: a symmetry's image). Returns whether a word is local.
    pub fn encode_local(&self, local: &mut Codec, m: &Machine, out: &mut [u32]) -> bool {
        let h = cpus_heap(m);
        let same = |p: &Cpus| p.is_in(m);
        out[0] =
            self.cpus
                .find_or_add(&mut local.cpus, Cpus::hash_of(m), same, || Cpus::take(m), h);
        let h = entries_heap(m);
        let same = |p: &Entries| p.is_in(m);
        out[1] = self.entries.find_or_add(
            &mut local.entries,
            Entries::hash_of(m),
            same,
            || Entries::take(m),
            h,
        );
        let h = iommu_heap(m);
        let same = |p: &Iommu| p.is_in(m);
        out[2] = self.iommu.find_or_add(
            &mut local.iommu,
            Iommu::hash_of(m),
            same,
            || Iommu::take(m),
            h,
        );
        let h = locks_heap(m);
        let same = |p: &Locks| p.is_in(m);
        out[3] = self.locks.find_or_add(
            &mut local.locks,
            Locks::hash_of(m),
            same,
            || Locks::take(m),
            h,
        );
        for (t, ts) in m.threads.iter().enumerate() {
            out[GLOBAL_PARTS + t] = self.threads[t].find_or_add(
                &mut local.threads[t],
                thread_hash(ts),
                |x| x.same(ts),
                || ts.clone(),
                thread_heap(ts),
            );
        }
        out.iter().any(|w| w & LOCAL != 0)
    }

    /// Replace the local words of `row` (from [`Codec::encode_child`] with `local`) by shared
    /// indices, adding the parts they stand for.
    pub fn adopt(&mut self, local: &Codec, seen: &mut Adopted, row: &mut [u32]) {
        seen.maps.resize_with(self.width(), Vec::new);
        for (w, word) in row.iter_mut().enumerate() {
            if *word & LOCAL == 0 {
                continue;
            }
            let j = *word & !LOCAL;
            let map = &mut seen.maps[w];
            *word = match w {
                0 => self.cpus.adopt(&local.cpus, map, j),
                1 => self.entries.adopt(&local.entries, map, j),
                2 => self.iommu.adopt(&local.iommu, map, j),
                3 => self.locks.adopt(&local.locks, map, j),
                t => self.threads[t - GLOBAL_PARTS].adopt(&local.threads[t - GLOBAL_PARTS], map, j),
            };
        }
    }

    /// Empty every table (for local tables between batches).
    pub fn clear(&mut self) {
        self.cpus.clear();
        self.entries.clear();
        self.iommu.clear();
        self.locks.clear();
        self.threads.iter_mut().for_each(Interner::clear);
    }

    /// Turn `m`, which holds the state packed as `from`, into the one packed as `to`: only the
    /// parts whose index differs are copied.
    #[inline]
    pub fn decode_changed(&self, from: &[u32], to: &[u32], m: &mut Machine) {
        if from[0] != to[0] {
            self.cpus.get(to[0]).put(m);
        }
        if from[1] != to[1] {
            self.entries.get(to[1]).put(m);
        }
        if from[2] != to[2] {
            self.iommu.get(to[2]).put(m);
        }
        if from[3] != to[3] {
            self.locks.get(to[3]).put(m);
        }
        for (t, table) in self.threads.iter().enumerate() {
            let w = GLOBAL_PARTS + t;
            if from[w] != to[w] {
                copy_thread(table.get(to[w]), &mut m.threads[t]);
            }
        }
    }

    /// Bytes the part tables take.
    pub fn bytes(&self) -> usize {
        self.cpus.bytes()
            + self.entries.bytes()
            + self.iommu.bytes()
            + self.locks.bytes()
            + self.threads.iter().map(Interner::bytes).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::{enabled, step};
    use crate::sim::Sim;

    /// Every state of random runs packs and unpacks to itself, and two states get the same row
    /// exactly when they are equal.
    #[test]
    fn packing_is_exact() {
        for scenario in [
            "retarget-vs-old-owner",
            "ipi-during-load",
            "lock-order-affinity",
        ] {
            for mm in ["sc", "tso"] {
                let sim = Sim::from_ids(scenario, "linux-6.6", mm).unwrap();
                let mut codec = Codec::new(sim.threads.len());
                let mut local = Codec::new(sim.threads.len());
                let w = codec.width();
                let mut seen: Vec<(Vec<u32>, Machine)> = Vec::new();
                let mut root = vec![0; w];
                codec.encode(&sim.initial(), &mut root);
                for seed in 0..20 {
                    let run = crate::explore::random_run(&sim, seed);
                    for n in 0..=run.position() {
                        let m = run.state_at(n);
                        let mut key = vec![0; w];
                        codec.encode(m, &mut key);
                        let mut from = sim.initial();
                        codec.decode_changed(&root, &key, &mut from);
                        assert_eq!(&from, m);
                        for (k, other) in &seen {
                            assert_eq!(*k == key, other == m);
                        }
                        // A successor packed from its parent gets the row packing it afresh gives.
                        for a in enabled(&sim, m) {
                            let mut child = m.clone();
                            step(&sim, &mut child, a).unwrap();
                            let (mut k1, mut k2) = (vec![0; w], vec![0; w]);
                            if codec.encode_child(&mut local, m, &key, &child, a.thread(), &mut k1)
                            {
                                codec.adopt(&local, &mut Adopted::default(), &mut k1);
                                local.clear();
                            }
                            codec.encode(&child, &mut k2);
                            assert_eq!(k1, k2, "{scenario} {mm} {a}");
                        }
                        if seen.len() < 400 {
                            seen.push((key, m.clone()));
                        }
                    }
                }
            }
        }
    }
}
