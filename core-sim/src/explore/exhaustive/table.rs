//! An open-addressing hash table of small slots (linear probing), cut into segments by the top
//! bits of the hash so that it grows one segment at a time: growing never holds a second copy
//! of the whole table, only of one segment. Each segment of at least [`SMALL`] slots is kept
//! between 72% and 90% full (it grows by a quarter at 90%; a smaller one doubles, since every
//! growth hashes its values again and a few KiB do not matter); once segments reach [`SEG_MAX`] slots, every segment is split
//! in two by the next hash bit, one after the other. The table starts as one small segment, so a
//! small search takes a few hundred bytes.
//!
//! The slot type says which value marks an empty slot; the caller gives the hash of a stored
//! slot back when a segment is rebuilt (a fingerprint is its own hash; an id is hashed from the
//! row it names).

/// A slot value, with one value reserved for "empty".
pub(super) trait Slot: Copy + Eq {
    /// The empty slot.
    const EMPTY: Self;
}

impl Slot for u64 {
    const EMPTY: u64 = 0;
}

impl Slot for u32 {
    const EMPTY: u32 = 0;
}

/// Largest segment before the table splits them all (slots).
const SEG_MAX: usize = 1 << 16;
/// Slots of a new table's one segment.
const FIRST: usize = 32;
/// Below this many slots a segment doubles when it grows.
const SMALL: usize = 1 << 12;

/// The table.
pub(super) struct Table<S> {
    /// Hash bits that choose the segment.
    bits: u32,
    segs: Vec<Seg<S>>,
    len: usize,
    /// Slots in all segments.
    slots: usize,
}

struct Seg<S> {
    slots: Vec<S>,
    len: usize,
}

/// Where in a segment of `size` slots the hash `h` (its bits below the segment bits) starts.
#[inline]
fn home(h: u64, bits: u32, size: usize) -> usize {
    // The remaining bits as a fraction of 2^64, times the size: uniform over any size.
    let rest = if bits == 0 { h } else { h << bits };
    fraction_of(rest, size)
}

/// `rest / 2^64 × size`, rounded down: [`fraction_wide`], or [`fraction_narrow`] where
/// `usize` is 32 bits (wasm), whose 128-bit product would be a call to `__multi3`.
#[inline]
fn fraction_of(rest: u64, size: usize) -> usize {
    #[cfg(not(target_pointer_width = "32"))]
    return fraction_wide(rest, size);
    #[cfg(target_pointer_width = "32")]
    return fraction_narrow(rest, size);
}

#[cfg_attr(target_pointer_width = "32", allow(dead_code))]
#[inline]
fn fraction_wide(rest: u64, size: usize) -> usize {
    ((u128::from(rest) * size as u128) >> 64) as usize
}

/// From `rest`'s top 32 bits, one 64-bit multiply (`size` < 2^32).
#[cfg_attr(not(target_pointer_width = "32"), allow(dead_code))]
#[inline]
fn fraction_narrow(rest: u64, size: usize) -> usize {
    (((rest >> 32) * size as u64) >> 32) as usize
}

#[inline]
fn seg_of(h: u64, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        (h >> (64 - bits)) as usize
    }
}

impl<S: Slot> Seg<S> {
    fn with_slots(size: usize) -> Seg<S> {
        Seg {
            slots: vec![S::EMPTY; size],
            len: 0,
        }
    }

    /// Put `slot` (known to be absent) at its place.
    #[inline]
    fn place(&mut self, h: u64, bits: u32, slot: S) {
        let size = self.slots.len();
        let mut i = home(h, bits, size);
        while self.slots[i] != S::EMPTY {
            i = if i + 1 == size { 0 } else { i + 1 };
        }
        self.slots[i] = slot;
        self.len += 1;
    }

    /// The same segment in `size` slots.
    fn resized(&self, size: usize, bits: u32, hash: &impl Fn(S) -> u64) -> Seg<S> {
        let mut out = Seg::with_slots(size);
        for &s in self.slots.iter().filter(|&&s| s != S::EMPTY) {
            out.place(hash(s), bits, s);
        }
        out
    }
}

/// Slots for `len` values at 72% full (at least [`FIRST`]).
fn size_for(len: usize) -> usize {
    (len * 100 / 72 + 1).max(FIRST)
}

impl<S: Slot> Table<S> {
    /// An empty table.
    pub(super) fn new() -> Table<S> {
        Table {
            bits: 0,
            segs: vec![Seg::with_slots(FIRST)],
            len: 0,
            slots: FIRST,
        }
    }

    /// Find the slot `same` accepts among those stored for hash `h`; if there is none, store
    /// `new` (not [`Slot::EMPTY`]). `Ok` when stored, `Err(slot)` when found. `hash` gives a
    /// stored slot's hash (for rebuilding a segment).
    #[inline]
    pub(super) fn insert(
        &mut self,
        h: u64,
        new: S,
        mut same: impl FnMut(S) -> bool,
        hash: impl Fn(S) -> u64,
    ) -> Result<(), S> {
        debug_assert!(new != S::EMPTY);
        let mut k = seg_of(h, self.bits);
        let seg = &self.segs[k];
        if (seg.len + 1) * 10 > seg.slots.len() * 9 {
            self.grow(k, &hash);
            k = seg_of(h, self.bits);
        }
        let bits = self.bits;
        let seg = &mut self.segs[k];
        let size = seg.slots.len();
        let mut i = home(h, bits, size);
        loop {
            let s = seg.slots[i];
            if s == S::EMPTY {
                seg.slots[i] = new;
                seg.len += 1;
                self.len += 1;
                return Ok(());
            }
            if same(s) {
                return Err(s);
            }
            i = if i + 1 == size { 0 } else { i + 1 };
        }
    }

    /// The slot `same` accepts among those stored for hash `h`, storing nothing (several
    /// threads may look at once).
    #[cfg(not(target_arch = "wasm32"))]
    #[inline]
    pub(super) fn find(&self, h: u64, mut same: impl FnMut(S) -> bool) -> Option<S> {
        let seg = &self.segs[seg_of(h, self.bits)];
        let size = seg.slots.len();
        let mut i = home(h, self.bits, size);
        // A segment is never full: the probe meets an empty slot.
        loop {
            let s = seg.slots[i];
            if s == S::EMPTY {
                return None;
            }
            if same(s) {
                return Some(s);
            }
            i = if i + 1 == size { 0 } else { i + 1 };
        }
    }

    /// Make room in segment `k`: a quarter more slots, or, at the largest size, split every
    /// segment in two.
    fn grow(&mut self, k: usize, hash: &impl Fn(S) -> u64) {
        let old = self.segs[k].slots.len();
        if old < SEG_MAX {
            let size = if old < SMALL { old * 2 } else { old + old / 4 };
            let size = size.min(SEG_MAX);
            let new = self.segs[k].resized(size, self.bits, hash);
            self.slots += size - old;
            self.segs[k] = new;
            return;
        }
        let bits = self.bits + 1;
        let mut segs = Vec::with_capacity(self.segs.len() * 2);
        for seg in std::mem::take(&mut self.segs) {
            let mut halves = [0usize; 2];
            for &s in seg.slots.iter().filter(|&&s| s != S::EMPTY) {
                halves[seg_of(hash(s), bits) & 1] += 1;
            }
            let mut two = halves.map(|n| Seg::with_slots(size_for(n)));
            for &s in seg.slots.iter().filter(|&&s| s != S::EMPTY) {
                let h = hash(s);
                two[seg_of(h, bits) & 1].place(h, bits, s);
            }
            segs.extend(two);
            // `seg` is freed here, before the next one is split.
        }
        self.bits = bits;
        self.slots = segs.iter().map(|s| s.slots.len()).sum();
        self.segs = segs;
    }

    /// Values stored.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Bytes taken (the slots, and a few words a segment).
    pub(super) fn bytes(&self) -> usize {
        self.slots * std::mem::size_of::<S>() + self.segs.capacity() * std::mem::size_of::<Seg<S>>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mix(x: u64) -> u64 {
        super::super::hash::words(&[x as u32, (x >> 32) as u32])
    }

    #[test]
    fn both_ways_to_a_home_slot_stay_in_range_and_spread() {
        // The wasm one is tested here too.
        for fraction in [fraction_wide, fraction_narrow] {
            for size in [1usize, 7, 32, 1000, 4096, 1 << 20] {
                let buckets = size.min(64);
                let mut hits = vec![0u32; buckets];
                for i in 0..20_000u64 {
                    let at = fraction(mix(i), size);
                    assert!(at < size, "{at} of {size}");
                    hits[at * buckets / size] += 1;
                }
                let want = 20_000 / buckets as u32;
                assert!(
                    hits.iter().all(|&n| n > want * 2 / 3 && n < want * 4 / 3),
                    "{size}: {hits:?}"
                );
            }
            assert_eq!(fraction(u64::MAX, 10), 9);
            assert_eq!(fraction(0, 10), 0);
        }
    }

    #[test]
    fn keeps_every_value_through_growth_and_splits() {
        let mut t: Table<u64> = Table::new();
        let n = 300_000u64;
        for i in 1..=n {
            let h = mix(i);
            assert_eq!(t.insert(h, i, |s| s == i, mix), Ok(()));
        }
        assert!(t.bits >= 2, "split into {} bits", t.bits);
        for i in 1..=n {
            let h = mix(i);
            assert_eq!(t.find(h, |s| s == i), Some(i));
            assert_eq!(t.insert(h, i, |s| s == i, mix), Err(i));
            assert_eq!(t.find(mix(n + i), |s| s == n + i), None);
        }
        assert_eq!(t.len(), n as usize);
        // Every segment between 72% (less a little after a split) and 90% full.
        let slots = t.bytes() / 8;
        assert!(slots * 60 <= n as usize * 100, "{slots} slots");
        assert!(slots * 90 >= n as usize * 100, "{slots} slots");
    }

    #[test]
    fn a_new_table_is_small() {
        let t: Table<u32> = Table::new();
        assert!(t.bytes() < 256, "{}", t.bytes());
    }
}
