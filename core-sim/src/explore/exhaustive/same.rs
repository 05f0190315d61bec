//! Equality of a machine's small fields without a library call: the parts' vectors hold one to
//! a few elements, and the slice equality of bytes and words goes through `memcmp`, whose call
//! costs more than the comparison (it was a tenth of a full-mode search's time).

use crate::machine::{Irte, ThreadState, Vcpu};

/// Equality, compared element by element in line.
pub(super) trait Same {
    fn same(&self, other: &Self) -> bool;
}

macro_rules! same_by_eq {
    ($($ty:ty),*) => {
        $(impl Same for $ty {
            #[inline(always)]
            fn same(&self, other: &Self) -> bool {
                self == other
            }
        })*
    };
}

same_by_eq!(u8, u16, u64, bool, Option<u8>, Vcpu, Irte);

impl<T: Same> Same for [T] {
    #[inline(always)]
    fn same(&self, other: &Self) -> bool {
        if self.len() != other.len() {
            return false;
        }
        // A loop that stops at the first difference, which LLVM leaves as a loop.
        for (a, b) in self.iter().zip(other) {
            if !a.same(b) {
                return false;
            }
        }
        true
    }
}

impl<T: Same> Same for Vec<T> {
    #[inline(always)]
    fn same(&self, other: &Self) -> bool {
        self.as_slice().same(other.as_slice())
    }
}

impl Same for ThreadState {
    #[inline(always)]
    fn same(&self, other: &Self) -> bool {
        let ThreadState {
            op,
            pc,
            forced,
            regs,
            buffer,
        } = self;
        *op == other.op
            && *pc == other.pc
            && *forced == other.forced
            && *regs == other.regs
            && buffer.as_slice() == other.buffer.as_slice()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_is_equality() {
        let vs: [Vec<u64>; 4] = [vec![], vec![1], vec![1, 2], vec![1, 3]];
        for a in &vs {
            for b in &vs {
                assert_eq!(a.same(b), a == b, "{a:?} {b:?}");
            }
        }
        let nested = [vec![vec![1u64]], vec![vec![1, 2]], vec![vec![1], vec![]]];
        for a in &nested {
            for b in &nested {
                assert_eq!(a.same(b), a == b, "{a:?} {b:?}");
            }
        }
        let mut t = ThreadState::default();
        let u = t.clone();
        assert!(t.same(&u));
        t.pc = 1;
        assert!(!t.same(&u));
    }
}
