//! One table per part of a machine state: each distinct value, numbered in order of first
//! sight, and the local tables a batch of expansions fills before its parts get shared numbers.

use hashbrown::HashTable;

/// Each distinct value of one part, numbered in order of first sight.
pub struct Interner<T> {
    items: Vec<T>,
    hashes: Vec<u64>,
    heaps: Vec<u32>,
    table: HashTable<u32>,
    heap: usize,
}

impl<T: Eq> Interner<T> {
    pub(super) fn new() -> Self {
        Interner {
            items: Vec::new(),
            hashes: Vec::new(),
            heaps: Vec::new(),
            table: HashTable::new(),
            heap: 0,
        }
    }

    /// The index of the value with this hash that `same` accepts.
    #[inline]
    pub fn find(&self, hash: u64, same: impl Fn(&T) -> bool) -> Option<u32> {
        self.table
            .find(hash, |&i| same(&self.items[i as usize]))
            .copied()
    }

    /// The index of `value`, adding it (made by `make`, `heap` bytes outside the item) if new.
    pub fn intern(
        &mut self,
        hash: u64,
        same: impl Fn(&T) -> bool,
        make: impl FnOnce() -> T,
        heap: usize,
    ) -> u32 {
        if let Some(i) = self.find(hash, same) {
            return i;
        }
        let i = u32::try_from(self.items.len()).expect("fewer than 2^32 parts");
        self.items.push(make());
        self.hashes.push(hash);
        self.heaps.push(heap as u32);
        self.heap += heap;
        let hashes = &self.hashes;
        self.table.insert_unique(hash, i, |&j| hashes[j as usize]);
        i
    }

    /// Value number `i`.
    #[inline]
    pub fn get(&self, i: u32) -> &T {
        &self.items[i as usize]
    }

    /// Bytes taken (items, their heap parts, hashes and table).
    pub fn bytes(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<T>()
            + self.heap
            + self.hashes.capacity() * 12
            + self.table.capacity() * 5
    }
}

/// Marks a row word that indexes the local tables of [`Codec::encode_child`], not the shared ones.
pub(super) const LOCAL: u32 = 1 << 31;

impl<T: Eq + Clone> Interner<T> {
    /// The shared index of a value, or its index in `local` (marked [`LOCAL`]), added there.
    #[inline]
    pub(super) fn find_or_add(
        &self,
        local: &mut Interner<T>,
        hash: u64,
        same: impl Fn(&T) -> bool + Copy,
        make: impl FnOnce() -> T,
        heap: usize,
    ) -> u32 {
        match self.find(hash, same) {
            Some(i) => i,
            None => LOCAL | local.intern(hash, same, make, heap),
        }
    }

    /// The shared index of `local`'s value `j`, added if new; `map` remembers the answers.
    pub(super) fn adopt(&mut self, local: &Interner<T>, map: &mut Vec<u32>, j: u32) -> u32 {
        let j = j as usize;
        if map.len() < local.items.len() {
            map.resize(local.items.len(), u32::MAX);
        }
        if map[j] == u32::MAX {
            let item = &local.items[j];
            let heap = local.heaps[j] as usize;
            map[j] = self.intern(local.hashes[j], |x| x == item, || item.clone(), heap);
        }
        map[j]
    }

    pub(super) fn clear(&mut self) {
        if self.items.is_empty() {
            return;
        }
        self.items.clear();
        self.hashes.clear();
        self.heaps.clear();
        self.table.clear();
        self.heap = 0;
    }
}

/// What [`Codec::adopt`] learnt about one set of local tables, part by part.
#[derive(Default)]
pub struct Adopted {
    pub(super) maps: Vec<Vec<u32>>,
}

impl Adopted {
    /// Forget (for the next local tables).
    pub fn clear(&mut self) {
        self.maps.iter_mut().for_each(Vec::clear);
    }
}
