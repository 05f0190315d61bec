//! Parent links, 4 bytes a state, in fixed chunks: the table grows without copying and holds at
//! most one chunk of spare room (the last chunk grows by doubling up to its size) (a doubling vector may hold as much spare room as it has links).

/// Links a chunk holds.
const CHUNK: usize = 1 << 16;

/// The links, by state id.
#[derive(Default)]
pub(super) struct Links {
    chunks: Vec<Vec<u32>>,
    len: usize,
}

impl Links {
    #[inline]
    pub(super) fn push(&mut self, link: u32) {
        if self.len % CHUNK == 0 {
            // A chunk grows as a vector up to its size: a small search takes little.
            self.chunks.push(Vec::new());
        }
        self.chunks.last_mut().expect("a chunk").push(link);
        self.len += 1;
    }

    #[inline]
    pub(super) fn get(&self, i: usize) -> u32 {
        self.chunks[i / CHUNK][i % CHUNK]
    }

    #[inline]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Bytes taken.
    pub(super) fn bytes(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum::<usize>() * 4 + self.chunks.capacity() * 24
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_kept_by_index() {
        let mut l = Links::default();
        for i in 0..200_000u32 {
            l.push(i ^ 0x5555);
        }
        assert_eq!(l.len(), 200_000);
        assert!((0..200_000u32).all(|i| l.get(i as usize) == i ^ 0x5555));
        assert!(l.bytes() < 200_000 * 4 + CHUNK * 4 + 1024);
    }
}
