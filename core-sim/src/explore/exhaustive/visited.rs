//! The visited set: packed states in full (certain), or their 64-bit fingerprints (hash
//! compaction: a few bytes per state, with a small, stated chance of missing a state).

use super::hash;
use hashbrown::HashTable;

/// Most words in a row (four global parts and at most 16 threads, with room to spare).
const MAX_WIDTH: usize = 32;

/// Packed states, one row of `width` words each, numbered in order of insertion. A row is
/// stored in as few bytes as its columns need: each column (a part's index) takes 1 to 4 bytes,
/// as many as its largest index so far; when an index outgrows its column, every row is
/// re-stored with the column one byte wider (at most three times a column, so the copying adds
/// up to a few passes over the rows).
pub struct FullSet {
    rows: Rows,
    table: HashTable<u32>,
}

/// The rows of a [`FullSet`], column by column in as few bytes as they need.
struct Rows {
    width: usize,
    /// Bytes of each column, and where it starts in a row.
    sizes: Vec<usize>,
    offsets: Vec<usize>,
    stride: usize,
    bytes: Vec<u8>,
}

fn size_of_word(w: u32) -> usize {
    match w {
        0..=0xff => 1,
        0x100..=0xffff => 2,
        0x1_0000..=0xff_ffff => 3,
        _ => 4,
    }
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
                stride: width,
                bytes: Vec::new(),
            },
            table: HashTable::new(),
        }
    }

    /// Add `key`: `Ok(id)` if it is new, `Err(id)` of the equal row already in.
    #[inline]
    pub fn insert(&mut self, key: &[u32]) -> Result<u32, u32> {
        let h = hash::words(key);
        let rows = &mut self.rows;
        if let Some(&i) = self.table.find(h, |&i| rows.same(i as usize, key)) {
            return Err(i);
        }
        let id = u32::try_from(rows.len()).expect("fewer than 2^32 states");
        rows.push(key);
        let rows = &self.rows;
        self.table
            .insert_unique(h, id, |&i| rows.row_hash(i as usize));
        Ok(id)
    }

    /// Row `id`, unpacked into `out` (`width` words).
    #[inline]
    pub fn key_into(&self, id: u32, out: &mut [u32]) {
        self.rows.key_into(id, out)
    }

    /// Rows stored.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Bytes taken: the rows (with the vector's spare capacity) and the table (4-byte ids and
    /// one control byte a slot).
    pub fn bytes(&self) -> usize {
        self.rows.bytes.capacity() + self.table.capacity() * 5
    }
}

impl Rows {
    #[inline]
    fn word(&self, row: usize, c: usize) -> u32 {
        let at = row * self.stride + self.offsets[c];
        let mut b = [0u8; 4];
        b[..self.sizes[c]].copy_from_slice(&self.bytes[at..at + self.sizes[c]]);
        u32::from_le_bytes(b)
    }

    #[inline]
    fn same(&self, row: usize, key: &[u32]) -> bool {
        key.iter().enumerate().all(|(c, &w)| self.word(row, c) == w)
    }

    fn row_hash(&self, row: usize) -> u64 {
        let mut buf = [0u32; MAX_WIDTH];
        let key = &mut buf[..self.width];
        self.key_into(row as u32, key);
        hash::words(key)
    }

    /// Make every column at least as wide as `key` needs, re-storing the rows if one grows.
    fn fit(&mut self, key: &[u32]) {
        let sizes: Vec<usize> = key
            .iter()
            .zip(&self.sizes)
            .map(|(&w, &s)| s.max(size_of_word(w)))
            .collect();
        if sizes == self.sizes {
            return;
        }
        let offsets: Vec<usize> = sizes
            .iter()
            .scan(0, |at, &s| {
                let o = *at;
                *at += s;
                Some(o)
            })
            .collect();
        let stride: usize = sizes.iter().sum();
        let n = self.len();
        let mut rows = Vec::with_capacity(n * stride + stride);
        let mut buf = [0u32; MAX_WIDTH];
        for i in 0..n {
            let key = &mut buf[..self.width];
            self.key_into(i as u32, key);
            for (c, &w) in key.iter().enumerate() {
                rows.extend_from_slice(&w.to_le_bytes()[..sizes[c]]);
            }
        }
        debug_assert!(offsets.len() == self.width);
        self.bytes = rows;
        self.sizes = sizes;
        self.offsets = offsets;
        self.stride = stride;
    }

    fn push(&mut self, key: &[u32]) {
        self.fit(key);
        for (c, &w) in key.iter().enumerate() {
            self.bytes
                .extend_from_slice(&w.to_le_bytes()[..self.sizes[c]]);
        }
    }

    #[inline]
    fn key_into(&self, id: u32, out: &mut [u32]) {
        for (c, w) in out.iter_mut().enumerate() {
            *w = self.word(id as usize, c);
        }
    }

    fn len(&self) -> usize {
        self.bytes.len() / self.stride
    }
}

/// 64-bit fingerprints in an open-addressing table (linear probing), 8 bytes a slot. The table
/// is at most 9/10 full and grows by a quarter, to any size (the home slot is the fingerprint
/// scaled to the table, not its top bits), so it stays between 72% and 90% full: 8.9 to 11.1
/// bytes a fingerprint.
pub struct FingerprintSet {
    slots: Vec<u64>,
    len: usize,
}

/// Marks an empty slot; a fingerprint equal to it is stored as [`ZERO_STANDS_IN`].
const EMPTY: u64 = 0;
const ZERO_STANDS_IN: u64 = 1;

impl FingerprintSet {
    /// An empty set.
    pub fn new() -> FingerprintSet {
        FingerprintSet {
            slots: vec![EMPTY; 1024],
            len: 0,
        }
    }

    #[inline]
    fn home(fp: u64, size: usize) -> usize {
        // The fingerprint as a fraction of 2^64, times the size: uniform over any size.
        ((u128::from(fp) * size as u128) >> 64) as usize
    }

    /// Add `fp`; whether it was new.
    #[inline]
    pub fn insert(&mut self, fp: u64) -> bool {
        let fp = if fp == EMPTY { ZERO_STANDS_IN } else { fp };
        if (self.len + 1) * 10 > self.slots.len() * 9 {
            self.grow();
        }
        let size = self.slots.len();
        let mut i = Self::home(fp, size);
        loop {
            match self.slots[i] {
                EMPTY => {
                    self.slots[i] = fp;
                    self.len += 1;
                    return true;
                }
                s if s == fp => return false,
                _ => i = if i + 1 == size { 0 } else { i + 1 },
            }
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len() + self.slots.len() / 4;
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        for fp in old.into_iter().filter(|&s| s != EMPTY) {
            let mut i = Self::home(fp, size);
            while self.slots[i] != EMPTY {
                i = if i + 1 == size { 0 } else { i + 1 };
            }
            self.slots[i] = fp;
        }
    }

    /// Fingerprints stored.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Bytes taken (8 a slot).
    pub fn bytes(&self) -> usize {
        self.slots.len() * 8
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
        for i in (0..10_000u32).rev() {
            assert_eq!(s.insert(&[i, 7, 9]), Err(i + 2));
            let mut k = [0; 3];
            s.key_into(i + 2, &mut k);
            assert_eq!(k, [i, 7, 9]);
        }
        assert_eq!(s.len(), 10_002);
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
    fn fingerprint_set_keeps_every_value_through_growth() {
        let mut s = FingerprintSet::new();
        for i in 0..100_000u64 {
            assert!(s.insert(hash::words(&[i as u32])));
        }
        assert!(s.insert(0), "zero is a fingerprint too");
        assert!(!s.insert(0));
        for i in 0..100_000u64 {
            assert!(!s.insert(hash::words(&[i as u32])));
        }
        assert_eq!(s.len(), 100_001);
        // At least 72% full: at most 11.1 bytes a fingerprint.
        assert!(s.bytes() * 72 <= 100_001 * 8 * 100, "{} bytes", s.bytes());
    }

    #[test]
    fn the_omission_bound_is_the_birthday_bound() {
        assert_eq!(omission_bound(1), 0.0);
        let b = omission_bound(1_000_000);
        assert!(b > 2.7e-8 && b < 2.8e-8, "{b}");
    }
}
