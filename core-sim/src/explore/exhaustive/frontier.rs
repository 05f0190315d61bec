//! The breadth-first frontier: a queue of records of a fixed number of words, each word stored
//! as a variable-length integer (7 bits a byte: a part index or a depth below 128 takes one
//! byte), in chunks that are freed as soon as they are read. A record of three words (id, mask,
//! depth) takes about 6 bytes instead of 12, a fingerprint-mode record (the packed state too)
//! a third of its 4-byte words.

use std::collections::VecDeque;

/// Bytes a chunk holds.
const CHUNK: usize = 1 << 12;

/// The queue.
pub(super) struct Frontier {
    /// Words a record.
    record: usize,
    chunks: VecDeque<Box<[u8]>>,
    /// Read position in the first chunk, write position in the last.
    read: usize,
    write: usize,
    records: usize,
    /// A spent chunk kept for the next one needed.
    spare: Option<Box<[u8]>>,
    /// Most chunks held at once.
    peak_chunks: usize,
}

impl Frontier {
    /// An empty queue of records of `record` words.
    pub(super) fn new(record: usize) -> Frontier {
        Frontier {
            record,
            chunks: VecDeque::new(),
            read: 0,
            write: CHUNK,
            records: 0,
            spare: None,
            peak_chunks: 0,
        }
    }

    /// Records waiting.
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.records
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.records == 0
    }

    #[inline]
    fn put(&mut self, b: u8) {
        if self.write == CHUNK {
            let chunk = self
                .spare
                .take()
                .unwrap_or_else(|| vec![0; CHUNK].into_boxed_slice());
            self.chunks.push_back(chunk);
            self.peak_chunks = self.peak_chunks.max(self.chunks.len());
            self.write = 0;
        }
        let last = self.chunks.back_mut().expect("a chunk to write");
        last[self.write] = b;
        self.write += 1;
    }

    #[inline]
    fn get(&mut self) -> u8 {
        if self.read == CHUNK {
            self.spare = self.chunks.pop_front();
            self.read = 0;
        }
        let b = self.chunks.front().expect("a chunk to read")[self.read];
        self.read += 1;
        b
    }

    /// Append a record (`record` words).
    #[inline]
    pub(super) fn push(&mut self, words: impl IntoIterator<Item = u32>) {
        let mut n = 0;
        for mut w in words {
            while w >= 0x80 {
                self.put((w as u8) | 0x80);
                w >>= 7;
            }
            self.put(w as u8);
            n += 1;
        }
        debug_assert_eq!(n, self.record, "whole records");
        self.records += 1;
    }

    /// Take the first record into `out` (`record` words); false if there is none.
    #[inline]
    pub(super) fn pop(&mut self, out: &mut [u32]) -> bool {
        if self.records == 0 {
            return false;
        }
        for w in out.iter_mut() {
            let mut v = 0u32;
            let mut shift = 0;
            loop {
                let b = self.get();
                v |= u32::from(b & 0x7f) << shift;
                if b & 0x80 == 0 {
                    break;
                }
                shift += 7;
            }
            *w = v;
        }
        self.records -= 1;
        if self.records == 0 {
            // Start afresh: keep one chunk for the next record.
            self.spare = self.spare.take().or_else(|| self.chunks.pop_front());
            self.chunks.clear();
            self.read = 0;
            self.write = CHUNK;
        }
        true
    }

    /// Take up to `n` records, appended to `out` whole (the parallel search's batches: not on
    /// wasm32, which has no threads).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    pub(super) fn drain_into(&mut self, n: usize, out: &mut Vec<u32>) {
        let mut rec = vec![0; self.record];
        for _ in 0..n {
            if !self.pop(&mut rec) {
                break;
            }
            out.extend_from_slice(&rec);
        }
    }

    /// Bytes held now.
    pub(super) fn bytes(&self) -> usize {
        (self.chunks.len() + usize::from(self.spare.is_some())) * CHUNK
    }

    /// Most bytes held at once so far.
    pub(super) fn peak_bytes(&self) -> usize {
        self.peak_chunks * CHUNK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_out_in_order_and_whole() {
        let mut f = Frontier::new(3);
        let rec = |i: u32| [i, i.wrapping_mul(2_654_435_761) >> (i % 32), u32::MAX - i];
        let (mut pushed, mut popped) = (0u32, 0u32);
        let mut out = [0u32; 3];
        for round in 1..=5u32 {
            for _ in 0..40_000 * round {
                f.push(rec(pushed));
                pushed += 1;
            }
            // Read half of what waits, so reading and writing cross chunk boundaries apart.
            for _ in 0..f.len() / 2 {
                assert!(f.pop(&mut out));
                assert_eq!(out, rec(popped));
                popped += 1;
            }
        }
        while f.pop(&mut out) {
            assert_eq!(out, rec(popped));
            popped += 1;
        }
        assert_eq!(popped, pushed);
        assert!(f.is_empty());
        assert!(f.peak_bytes() > CHUNK);
        assert!(f.bytes() <= CHUNK, "only a spare chunk left: {}", f.bytes());
        f.push([1, 2, 3]);
        let mut v = Vec::new();
        f.drain_into(5, &mut v);
        assert_eq!(v, [1, 2, 3]);
    }
}
