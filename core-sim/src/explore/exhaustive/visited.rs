//! The visited set: packed states in full (certain), or their 64-bit fingerprints (hash
//! compaction: a few bytes per state, with a small, stated chance of missing a state).

use super::hash;
use super::table::Table;

/// Most words in a row (four global parts and at most 16 threads, with room to spare).
const MAX_WIDTH: usize = 32;

/// Packed states, one row of `width` words each, numbered in order of insertion. A row is
/// stored in as few bytes as its columns need: each column (a part's index) takes 1 to 4 bytes,
/// as many as its largest index so far; when an index outgrows its column, every row is
/// re-stored with the column one byte wider (at most three times a column, so the copying adds
/// up to a few passes over the rows). Rows are kept in chunks of [`CHUNK_ROWS`], so the store
/// grows without copying and wastes at most one chunk. The index is a [`Table`] of 8-byte
/// slots: the row's id and 32 bits of its hash, which spare nearly every row comparison and let
/// the index grow without reading a row.
pub struct FullSet {
    rows: Rows,
    table: Table<u64>,
}

/// Rows a chunk holds.
const CHUNK_ROWS: usize = 1 << 12;
/// The low half of a slot holds the id plus one (0 is an empty slot), the high half the top 32
/// bits of the row's hash: the table places a row by those bits alone, so a segment is rebuilt
/// from its slots without reading a row, and a row is compared only when 32 bits of hash agree.
const ID_MASK: u64 = u32::MAX as u64;
/// The hash bits a slot keeps.
const HASH_BITS: u64 = !ID_MASK;
/// Most rows (ids stay below the 32-bit mark, with room for the "plus one").
const MAX_ROWS: u32 = u32::MAX - 1;

/// The rows of a [`FullSet`], column by column in as few bytes as they need. A column is read
/// as the four bytes at its offset, masked to its size (chunks end in [`PAD`] spare bytes so
/// the last column can be read so too), and written as four bytes whose spill-over the next
/// column (or row) overwrites: no byte-by-byte copies on the hot path.
struct Rows {
    width: usize,
    /// Bytes of each column, where it starts in a row, and the mask of its bytes.
    sizes: Vec<usize>,
    offsets: Vec<usize>,
    masks: Vec<u32>,
    stride: usize,
    /// Each chunk is allocated whole, `CHUNK_ROWS * stride + PAD` zeroed bytes.
    chunks: Vec<Vec<u8>>,
    len: usize,
}

/// Spare bytes at the end of a chunk: a column read at the last offset of its last row reads
/// four bytes, and rows are compared eight bytes at a time.
const PAD: usize = 7;

/// A packed row in bytes, before it is stored (`stride` bytes used, then spill-over).
type Packed = [u8; 4 * MAX_WIDTH + PAD];

fn size_of_word(w: u32) -> usize {
    match w {
        0..=0xff => 1,
        0x100..=0xffff => 2,
        0x1_0000..=0xff_ffff => 3,
        _ => 4,
    }
}

fn mask_of(size: usize) -> u32 {
    if size >= 4 {
        u32::MAX
    } else {
        (1 << (8 * size)) - 1
    }
}

/// Offsets of columns of these sizes, and the stride.
fn layout(sizes: &[usize]) -> (Vec<usize>, usize) {
    let mut at = 0;
    let offsets = sizes
        .iter()
        .map(|&s| {
            let o = at;
            at += s;
            o
        })
        .collect();
    (offsets, at)
}

/// The slot of row `id`, of hash `h`.
#[inline]
fn slot(h: u64, id: u32) -> u64 {
    (h & HASH_BITS) | (u64::from(id) + 1)
}

/// The row a slot names.
#[inline]
fn row_of(s: u64) -> usize {
    (s & ID_MASK) as usize - 1
}

/// The hash a slot stands for (what the table places it by).
#[inline]
fn hash_of(s: u64) -> u64 {
    s & HASH_BITS
}

impl FullSet {
    /// An empty set of rows of `width` words.
    pub fn new(width: usize) -> FullSet {
        assert!(width <= MAX_WIDTH, "at most {MAX_WIDTH} parts a state");
        FullSet {
            rows: Rows {
                width,
                sizes: vec![1; width],
                offsets: (0..width).collect(),
                masks: vec![0xff; width],
                stride: width,
                chunks: Vec::new(),
                len: 0,
            },
            table: Table::new(),
        }
    }

    /// Add `key`: `Ok(id)` if it is new, `Err(id)` of the equal row already in.
    #[inline]
    pub fn insert(&mut self, key: &[u32]) -> Result<u32, u32> {
        let h = hash::words(key) & HASH_BITS;
        let id = self.rows.next_id();
        let new = slot(h, id);
        // A key with an index wider than its column is in no row: widen first, then compare
        // the packed bytes.
        self.rows.fit(key);
        let rows = &self.rows;
        let mut packed: Packed = [0; 4 * MAX_WIDTH + PAD];
        rows.pack(key, &mut packed);
        let same = |s: u64| hash_of(s) == h && rows.holds(row_of(s), &packed);
        match self.table.insert(h, new, same, hash_of) {
            Err(s) => Err(row_of(s) as u32),
            Ok(()) => {
                let stride = self.rows.stride;
                self.rows.push(&packed[..stride]);
                Ok(id)
            }
        }
    }

    /// Store `key`, known to be in no row yet, without indexing it: its id. [`FullSet::index`]
    /// must index it (with the others stored so) before the set is next looked in.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn push_unindexed(&mut self, key: &[u32]) -> u32 {
        let id = self.rows.next_id();
        self.rows.fit(key);
        let mut packed: Packed = [0; 4 * MAX_WIDTH + PAD];
        self.rows.pack(key, &mut packed);
        let stride = self.rows.stride;
        self.rows.push(&packed[..stride]);
        id
    }

    /// Index the rows stored by [`FullSet::push_unindexed`], given as (hash of the key, id), on
    /// up to `threads` threads.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn index(&mut self, rows: &[(u64, u32)], threads: usize) {
        let items: Vec<(u64, u64)> = rows
            .iter()
            .map(|&(h, id)| (h & HASH_BITS, slot(h, id)))
            .collect();
        self.table.place_absent(&items, &hash_of, threads);
    }

    /// The id of the row equal to `key`, if there is one.
    #[cfg(test)]
    pub fn find(&self, key: &[u32]) -> Option<u32> {
        self.find_hashed(key, hash::words(key))
    }

    /// The id of the row equal to `key`, of hash `h`, if there is one (read only: several
    /// threads may look at once).
    #[cfg(not(target_arch = "wasm32"))]
    #[inline]
    pub fn find_hashed(&self, key: &[u32], h: u64) -> Option<u32> {
        let rows = &self.rows;
        if !key.iter().zip(&rows.masks).all(|(&w, &m)| w & !m == 0) {
            return None;
        }
        let h = h & HASH_BITS;
        let mut packed: Packed = [0; 4 * MAX_WIDTH + PAD];
        rows.pack(key, &mut packed);
        let same = |s: u64| hash_of(s) == h && rows.holds(row_of(s), &packed);
        self.table.find(h, same).map(|s| row_of(s) as u32)
    }

    /// Row `id`, unpacked into `out` (`width` words).
    #[inline]
    pub fn key_into(&self, id: u32, out: &mut [u32]) {
        self.rows.key_into(id, out)
    }

    /// Rows stored.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.rows.len
    }

    /// Bytes taken by the rows (their chunks) and by the index.
    pub fn bytes(&self) -> (usize, usize) {
        let rows = self.rows.chunks.iter().map(Vec::capacity).sum::<usize>()
            + self.rows.chunks.capacity() * 24;
        (rows, self.table.bytes())
    }
}

impl Rows {
    /// Whether row `row` is `packed` (its first `stride` bytes), compared eight bytes at a time
    /// in line: a row is a few bytes, shorter than a `memcmp` call costs.
    #[inline]
    fn holds(&self, row: usize, packed: &Packed) -> bool {
        let at = (row % CHUNK_ROWS) * self.stride;
        let stored = &self.chunks[row / CHUNK_ROWS][at..at + self.stride + PAD];
        let eight =
            |b: &[u8], i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
        let mut i = 0;
        while i + 8 <= self.stride {
            if eight(stored, i) != eight(packed, i) {
                return false;
            }
            i += 8;
        }
        let left = self.stride - i;
        left == 0 || {
            let mask = u64::MAX >> (8 * (8 - left));
            (eight(stored, i) ^ eight(packed, i)) & mask == 0
        }
    }

    /// The column at `offset` of mask `mask`, read from `bytes` (which extend at least [`PAD`]
    /// bytes past the row).
    #[inline]
    fn word(bytes: &[u8], offset: usize, mask: u32) -> u32 {
        let four: [u8; 4] = bytes[offset..offset + 4].try_into().expect("four bytes");
        u32::from_le_bytes(four) & mask
    }

    /// `key` (which fits the columns) as this layout's bytes.
    #[inline]
    fn pack(&self, key: &[u32], out: &mut Packed) {
        for (&w, &o) in key.iter().zip(&self.offsets) {
            out[o..o + 4].copy_from_slice(&w.to_le_bytes());
        }
    }

    /// The id the next row stored gets.
    #[inline]
    fn next_id(&self) -> u32 {
        u32::try_from(self.len)
            .ok()
            .filter(|&id| id < MAX_ROWS)
            .expect("fewer than 2^32 - 1 rows")
    }

    fn new_chunk(stride: usize) -> Vec<u8> {
        vec![0; CHUNK_ROWS * stride + PAD]
    }

    /// Make every column at least as wide as `key` needs, re-storing the rows if one grows.
    #[inline]
    fn fit(&mut self, key: &[u32]) {
        if key.iter().zip(&self.masks).all(|(&w, &m)| w & !m == 0) {
            return;
        }
        self.widen(key);
    }

    #[cold]
    fn widen(&mut self, key: &[u32]) {
        let sizes: Vec<usize> = key
            .iter()
            .zip(&self.sizes)
            .map(|(&w, &s)| s.max(size_of_word(w)))
            .collect();
        let (offsets, stride) = layout(&sizes);
        let mut buf = [0u32; MAX_WIDTH];
        // One chunk at a time: the old chunk is freed once it is re-stored.
        let old = std::mem::take(&mut self.chunks);
        let (old_offsets, old_masks, old_stride) = (
            std::mem::replace(&mut self.offsets, offsets),
            std::mem::replace(&mut self.masks, sizes.iter().map(|&s| mask_of(s)).collect()),
            self.stride,
        );
        self.sizes = sizes;
        self.stride = stride;
        let mut left = self.len;
        let mut packed: Packed = [0; 4 * MAX_WIDTH + PAD];
        for chunk in old {
            let mut new = Self::new_chunk(stride);
            let rows = left.min(CHUNK_ROWS);
            for r in 0..rows {
                let row = &chunk[r * old_stride..];
                let key = &mut buf[..self.width];
                for (c, w) in key.iter_mut().enumerate() {
                    *w = Self::word(row, old_offsets[c], old_masks[c]);
                }
                self.pack(key, &mut packed);
                new[r * stride..(r + 1) * stride].copy_from_slice(&packed[..stride]);
            }
            left -= rows;
            self.chunks.push(new);
        }
    }

    /// Store a row already packed in this layout (`stride` bytes).
    #[inline]
    fn push(&mut self, packed: &[u8]) {
        let r = self.len % CHUNK_ROWS;
        if r == 0 {
            self.chunks.push(Self::new_chunk(self.stride));
        }
        let chunk = self.chunks.last_mut().expect("a chunk with room");
        chunk[r * self.stride..(r + 1) * self.stride].copy_from_slice(packed);
        self.len += 1;
    }

    #[inline]
    fn key_into(&self, id: u32, out: &mut [u32]) {
        let row = id as usize;
        let chunk = &self.chunks[row / CHUNK_ROWS];
        let bytes = &chunk[(row % CHUNK_ROWS) * self.stride..];
        for ((w, &o), &m) in out.iter_mut().zip(&self.offsets).zip(&self.masks) {
            *w = Self::word(bytes, o, m);
        }
    }
}

/// 64-bit fingerprints in a [`Table`] of 8-byte slots, 72% to 90% full: 8.9 to 11.1 bytes a
/// fingerprint, and growing never copies more than one segment.
pub struct FingerprintSet {
    table: Table<u64>,
}

/// Marks an empty slot; a fingerprint equal to it is stored as [`ZERO_STANDS_IN`].
const ZERO_STANDS_IN: u64 = 1;

impl FingerprintSet {
    /// An empty set.
    pub fn new() -> FingerprintSet {
        FingerprintSet {
            table: Table::new(),
        }
    }

    /// Add `fp`; whether it was new.
    #[inline]
    pub fn insert(&mut self, fp: u64) -> bool {
        let fp = Self::stored(fp);
        self.table.insert(fp, fp, |s| s == fp, |s| s).is_ok()
    }

    /// Add `fps`, none of them in yet and no two kept in the same slot ([`FingerprintSet::stored`]),
    /// on up to `threads` threads.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn insert_absent(&mut self, fps: &[u64], threads: usize) {
        let items: Vec<(u64, u64)> = fps
            .iter()
            .map(|&fp| (Self::stored(fp), Self::stored(fp)))
            .collect();
        self.table.place_absent(&items, &|s| s, threads);
    }

    /// The slot `fp` is kept in.
    #[inline]
    pub fn stored(fp: u64) -> u64 {
        if fp == 0 {
            ZERO_STANDS_IN
        } else {
            fp
        }
    }

    /// Whether `fp` is in (read only).
    #[cfg(not(target_arch = "wasm32"))]
    #[inline]
    pub fn contains(&self, fp: u64) -> bool {
        let fp = Self::stored(fp);
        self.table.find(fp, |s| s == fp).is_some()
    }

    /// Fingerprints stored.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Bytes taken (8 a slot).
    pub fn bytes(&self) -> usize {
        self.table.bytes()
    }
}

/// The chance that hash compaction missed at least one of `states` states: at most the chance
/// that two of them share a 64-bit fingerprint, `n(n-1)/2 · 2^-64` (the birthday bound, for a
/// hash that behaves like a random function on distinct packed states).
pub fn omission_bound(states: usize) -> f64 {
    let n = states as f64;
    n * (n - 1.0).max(0.0) / 2.0 / 2f64.powi(64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_set_numbers_rows_and_finds_them_again() {
        let mut s = FullSet::new(3);
        assert_eq!(s.insert(&[1, 2, 3]), Ok(0));
        assert_eq!(s.insert(&[1, 2, 4]), Ok(1));
        assert_eq!(s.insert(&[1, 2, 3]), Err(0));
        for i in 0..10_000u32 {
            assert_eq!(s.insert(&[i, 7, 9]), Ok(i + 2));
        }
        assert_eq!(s.find(&[1, 2, 4]), Some(1));
        assert_eq!(s.find(&[1, 2, 5]), None);
        assert_eq!(s.find(&[1, 2, 1 << 20]), None, "wider than its column");
        for i in (0..10_000u32).rev() {
            assert_eq!(s.find(&[i, 7, 9]), Some(i + 2));
            assert_eq!(s.insert(&[i, 7, 9]), Err(i + 2));
            let mut k = [0; 3];
            s.key_into(i + 2, &mut k);
            assert_eq!(k, [i, 7, 9]);
        }
        assert_eq!(s.len(), 10_002);
    }

    #[test]
    fn rows_longer_than_eight_bytes_differ_in_any_byte() {
        // Eleven one-byte columns: one eight-byte comparison and a remainder of three.
        let mut s = FullSet::new(11);
        let base = [5u32; 11];
        assert_eq!(s.insert(&base), Ok(0));
        for c in 0..11 {
            let mut k = base;
            k[c] = 6;
            assert_eq!(s.insert(&k), Ok(c as u32 + 1), "column {c}");
        }
        assert_eq!(s.insert(&base), Err(0));
        for c in 0..11 {
            let mut k = base;
            k[c] = 6;
            assert_eq!(s.insert(&k), Err(c as u32 + 1), "column {c}");
        }
        // Thousands of rows alike in their first eight bytes: some share a slot's hash bits
        // with another, and only the remaining bytes tell them apart.
        let mut t = FullSet::new(11);
        for i in 0..4096u32 {
            let mut k = base;
            (k[8], k[9], k[10]) = (i & 15, (i >> 4) & 15, i >> 8);
            assert_eq!(t.insert(&k), Ok(i), "row {i}");
        }
    }

    #[test]
    fn full_set_widens_its_columns_and_keeps_every_row() {
        let mut s = FullSet::new(2);
        let rows: Vec<[u32; 2]> = (0..3000u32)
            .map(|i| {
                [
                    i * 7 % 300,
                    if i % 1000 == 999 { u32::MAX - i } else { i / 3 },
                ]
            })
            .collect();
        let mut ids = std::collections::HashMap::new();
        for r in &rows {
            let id = match s.insert(r) {
                Ok(id) => id,
                Err(id) => id,
            };
            assert_eq!(*ids.entry(*r).or_insert(id), id);
        }
        assert_eq!(s.len(), ids.len());
        for (r, &id) in &ids {
            let mut k = [0; 2];
            s.key_into(id, &mut k);
            assert_eq!(&k, r);
            assert_eq!(s.insert(r), Err(id));
        }
        assert_eq!(
            s.rows.stride,
            2 + 4,
            "a byte for the first column, four for the second"
        );
    }

    #[test]
    fn rows_widened_across_chunks_read_back_whole() {
        // Three chunks' worth of rows, the middle column widened from 1 to 2 and then 4 bytes
        // once rows fill more than one chunk; every row reads back and is found again.
        let mut s = FullSet::new(3);
        let n = (CHUNK_ROWS * 2 + 100) as u32;
        let row = |i: u32| {
            let mid = match i {
                _ if i < CHUNK_ROWS as u32 + 7 => i % 251,
                _ if i < n - 50 => 256 + i,
                _ => 0xfff0_0000 + i,
            };
            [i % 200, mid, 0xab]
        };
        for i in 0..n {
            assert_eq!(s.insert(&row(i)), Ok(i), "row {i}");
        }
        assert_eq!(s.rows.sizes, [1, 4, 1]);
        for i in 0..n {
            let mut k = [0; 3];
            s.key_into(i, &mut k);
            assert_eq!(k, row(i), "row {i}");
            assert_eq!(s.insert(&row(i)), Err(i));
        }
    }

    #[test]
    fn fingerprint_set_keeps_every_value_through_growth() {
        let mut s = FingerprintSet::new();
        for i in 0..100_000u64 {
            assert!(s.insert(hash::words(&[i as u32])));
        }
        assert!(s.insert(0), "zero is a fingerprint too");
        assert!(!s.insert(0));
        for i in 0..100_000u64 {
            assert!(s.contains(hash::words(&[i as u32])));
            assert!(!s.insert(hash::words(&[i as u32])));
            assert!(!s.contains(hash::words(&[i as u32, 1])));
        }
        assert!(s.contains(0));
        assert_eq!(s.len(), 100_001);
        // At least 72% full: at most 11.1 bytes a fingerprint.
        assert!(s.bytes() * 72 <= 100_001 * 8 * 100, "{} bytes", s.bytes());
    }

    #[test]
    fn rows_stored_unindexed_are_found_once_indexed() {
        for threads in [1, 2, 3] {
            let mut s = FullSet::new(3);
            assert_eq!(s.insert(&[0, 0, 0]), Ok(0));
            let mut next = 1u32;
            // Batches large enough to split the index, the middle column widening on the way.
            for batch in [5u32, 3000, 70_000, 120_000] {
                let rows: Vec<[u32; 3]> = (next..next + batch).map(|i| [i % 97, i, 3]).collect();
                let new: Vec<(u64, u32)> = rows
                    .iter()
                    .map(|r| (hash::words(r), s.push_unindexed(r)))
                    .collect();
                assert_eq!(new.first().map(|n| n.1), Some(next));
                s.index(&new, threads);
                next += batch;
                assert_eq!(
                    s.insert(&[next, 0, 0]),
                    Ok(next),
                    "{threads}: single after batch"
                );
                next += 1;
            }
            assert_eq!(s.len(), next as usize);
            for i in 1..next {
                let r = if s.find(&[i, 0, 0]).is_some() {
                    [i, 0, 0]
                } else {
                    [i % 97, i, 3]
                };
                assert_eq!(
                    s.find_hashed(&r, hash::words(&r)),
                    Some(i),
                    "{threads}: {i}"
                );
                assert_eq!(s.insert(&r), Err(i));
                let mut k = [0; 3];
                s.key_into(i, &mut k);
                assert_eq!(k, r);
            }
            assert_eq!(s.find(&[1, 1, 4]), None);
        }
    }

    #[test]
    fn fingerprints_added_in_batches_are_all_in() {
        for threads in [1, 2] {
            let mut s = FingerprintSet::new();
            // Zero is kept as one: a batch holds at most one of the two.
            s.insert_absent(&[0, 5, 9], threads);
            assert!(s.contains(0) && s.contains(1) && s.contains(5));
            assert!(!s.insert(1));
            let fps: Vec<u64> = (10..200_000u64)
                .map(|i| hash::words(&[i as u32, 1]))
                .collect();
            s.insert_absent(&fps, threads);
            assert_eq!(s.len(), 3 + fps.len());
            assert!(fps.iter().all(|&fp| s.contains(fp) && !s.insert(fp)));
            assert!(!s.contains(hash::words(&[3, 1])));
        }
    }

    #[test]
    fn the_omission_bound_is_the_birthday_bound() {
        assert_eq!(omission_bound(1), 0.0);
        let b = omission_bound(1_000_000);
        assert!(b > 2.7e-8 && b < 2.8e-8, "{b}");
    }
}
