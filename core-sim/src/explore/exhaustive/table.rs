//! An open-addressing hash table of small slots (linear probing), cut into segments by the top
//! bits of the hash so that it grows one segment at a time: growing never holds a second copy
//! of the whole table, only of one segment. Each segment of at least [`SMALL`] slots is kept
//! between 72% and 90% full (it grows by a quarter at 90%; a smaller one doubles, since every
//! growth hashes its values again and a few KiB do not matter); once segments reach [`SEG_MAX`] slots, every segment is split
//! in two by the next hash bit, one after the other. The table starts as one small segment, so a
//! small search takes a few hundred bytes.
//!
//! The slot type says which value marks an empty slot; the caller gives the hash of a stored
//! slot back when a segment is rebuilt (a fingerprint is its own hash; a row's slot carries the
//! hash bits it was placed by).

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

/// The size a segment of `size` slots grows to (as [`Table::grow`] would, one growth after
/// another) to hold `len` values at most 90% full, never past [`SEG_MAX`].
#[cfg(not(target_arch = "wasm32"))]
fn room_for(mut size: usize, len: usize) -> usize {
    while len * 10 > size * 9 && size < SEG_MAX {
        size = if size < SMALL {
            size * 2
        } else {
            size + size / 4
        };
        size = size.min(SEG_MAX);
    }
    size
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

    /// An empty table with room for `len` values before its first growth.
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn with_room(len: usize) -> Table<S> {
        let size = size_for(len).min(SEG_MAX);
        Table {
            bits: 0,
            segs: vec![Seg::with_slots(size)],
            len: 0,
            slots: size,
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

    /// Store `items` (hash, slot), none of them stored yet and no two equal, segment by segment
    /// on up to `threads` threads (each takes a run of whole segments, so no two touch one).
    /// The segments are first given room for all of them: split first if one would outgrow
    /// [`SEG_MAX`], then each resized to fit its share, as many growths one at a time would.
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn place_absent(
        &mut self,
        items: &[(u64, S)],
        hash: &(impl Fn(S) -> u64 + Sync),
        threads: usize,
    ) where
        S: Send + Sync,
    {
        let counts = loop {
            let mut counts = vec![0usize; self.segs.len()];
            for &(h, _) in items {
                counts[seg_of(h, self.bits)] += 1;
            }
            let too_big = self
                .segs
                .iter()
                .zip(&counts)
                .any(|(seg, &n)| (seg.len + n) * 10 > SEG_MAX * 9);
            if !too_big {
                break counts;
            }
            self.split_all(hash);
        };
        let bits = self.bits;
        let threads = threads.clamp(1, self.segs.len());
        let per = self.segs.len().div_ceil(threads);
        // The segments from `first` on: each given room for its share, then its items placed.
        let fill = move |first: usize, segs: &mut [Seg<S>], counts: &[usize]| {
            let mut added = 0;
            for (seg, &n) in segs.iter_mut().zip(counts) {
                let size = room_for(seg.slots.len(), seg.len + n);
                if size > seg.slots.len() {
                    added += size - seg.slots.len();
                    *seg = seg.resized(size, bits, hash);
                }
            }
            let range = first..first + segs.len();
            for &(h, s) in items {
                let k = seg_of(h, bits);
                if range.contains(&k) {
                    segs[k - first].place(h, bits, s);
                }
            }
            added
        };
        let added: usize = if threads == 1 {
            fill(0, &mut self.segs, &counts)
        } else {
            std::thread::scope(|scope| {
                let fill = &fill;
                let handles: Vec<_> = self
                    .segs
                    .chunks_mut(per)
                    .zip(counts.chunks(per))
                    .enumerate()
                    .map(|(t, (segs, counts))| scope.spawn(move || fill(t * per, segs, counts)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("a table worker panicked"))
                    .sum()
            })
        };
        self.slots += added;
        self.len += items.len();
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
        self.split_all(hash);
    }

    /// Split every segment in two by the next hash bit, one segment after the other.
    fn split_all(&mut self, hash: &impl Fn(S) -> u64) {
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
    fn placing_batches_on_several_threads_keeps_every_value() {
        for threads in [1, 2, 3] {
            let mut t: Table<u64> = Table::new();
            let mut next = 1u64;
            // Batches of growing size, with single inserts between them: the first batches
            // fit one segment, later ones force splits before they are placed.
            for batch in [1usize, 10, 1000, 40_000, 100_000, 150_000] {
                let items: Vec<(u64, u64)> =
                    (next..next + batch as u64).map(|i| (mix(i), i)).collect();
                next += batch as u64;
                t.place_absent(&items, &mix, threads);
                let i = next;
                next += 1;
                assert_eq!(t.insert(mix(i), i, |s| s == i, mix), Ok(()));
            }
            assert_eq!(t.len(), next as usize - 1);
            assert!(t.bits >= 2, "split into {} bits", t.bits);
            for i in 1..next {
                assert_eq!(
                    t.find(mix(i), |s| s == i),
                    Some(i),
                    "{threads} threads: {i}"
                );
            }
            assert_eq!(t.find(mix(next), |s| s == next), None);
            // Sized as growth one value at a time would size it: at most 90% full, and not
            // much emptier than 72%.
            let slots = t.bytes() / 8;
            let n = t.len();
            assert!(slots * 9 >= n * 10, "{threads}: {slots} slots for {n}");
            assert!(slots * 55 <= n * 100, "{threads}: {slots} slots for {n}");
        }
    }

    #[test]
    fn a_new_table_is_small() {
        let t: Table<u32> = Table::new();
        assert!(t.bytes() < 256, "{}", t.bytes());
    }
}
