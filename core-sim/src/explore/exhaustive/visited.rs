//! The visited set: packed states in full (certain), or their 64-bit fingerprints (hash
//! compaction: a few bytes per state, with a small, stated chance of missing a state).

use super::hash;
use hashbrown::HashTable;

/// Packed states, one row of `width` words each, numbered in order of insertion.
pub struct FullSet {
    width: usize,
    words: Vec<u32>,
    table: HashTable<u32>,
}

impl FullSet {
    /// An empty set of rows of `width` words.
    pub fn new(width: usize) -> FullSet {
        FullSet {
            width,
            words: Vec::new(),
            table: HashTable::new(),
        }
    }

    /// Add `key`: `Ok(id)` if it is new, `Err(id)` of the equal row already in.
    #[inline]
    pub fn insert(&mut self, key: &[u32]) -> Result<u32, u32> {
        let w = self.width;
        let words = &self.words;
        let h = hash::words(key);
        if let Some(&i) = self
            .table
            .find(h, |&i| &words[i as usize * w..i as usize * w + w] == key)
        {
            return Err(i);
        }
        let id = u32::try_from(self.words.len() / w).expect("fewer than 2^32 states");
        self.words.extend_from_slice(key);
        let words = &self.words;
        self.table.insert_unique(h, id, |&i| {
            hash::words(&words[i as usize * w..i as usize * w + w])
        });
        Ok(id)
    }

    /// Row `id`.
    #[inline]
    pub fn key(&self, id: u32) -> &[u32] {
        let i = id as usize * self.width;
        &self.words[i..i + self.width]
    }

    /// Rows stored.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.words.len() / self.width
    }

    /// Bytes taken: the rows (with the vector's spare capacity) and the table (4-byte ids and
    /// one control byte a slot).
    pub fn bytes(&self) -> usize {
        self.words.capacity() * 4 + self.table.capacity() * 5
    }
}

/// 64-bit fingerprints in an open-addressing table (linear probing, at most 7/8 full).
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

    fn home(&self, fp: u64) -> usize {
        // The high bits pick the slot (the table size is a power of two).
        (fp >> (64 - self.slots.len().trailing_zeros())) as usize
    }

    /// Add `fp`; whether it was new.
    #[inline]
    pub fn insert(&mut self, fp: u64) -> bool {
        let fp = if fp == EMPTY { ZERO_STANDS_IN } else { fp };
        if (self.len + 1) * 8 > self.slots.len() * 7 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(fp);
        loop {
            match self.slots[i] {
                EMPTY => {
                    self.slots[i] = fp;
                    self.len += 1;
                    return true;
                }
                s if s == fp => return false,
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        let mask = self.slots.len() - 1;
        for fp in old.into_iter().filter(|&s| s != EMPTY) {
            let mut i = self.home(fp);
            while self.slots[i] != EMPTY {
                i = (i + 1) & mask;
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
            assert_eq!(s.key(i + 2), &[i, 7, 9]);
        }
        assert_eq!(s.len(), 10_002);
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
        assert!(s.bytes() <= 100_001 * 8 * 8 / 7 * 2 + 8);
    }

    #[test]
    fn the_omission_bound_is_the_birthday_bound() {
        assert_eq!(omission_bound(1), 0.0);
        let b = omission_bound(1_000_000);
        assert!(b > 2.7e-8 && b < 2.8e-8, "{b}");
    }
}
