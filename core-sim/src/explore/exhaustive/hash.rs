//! A fast 64-bit hash for packed states and their parts (wyhash's multiply-fold mixing, not a
//! cryptographic hash). Fingerprint mode relies on it spreading distinct keys like a random
//! function; the collision bound in [`super::StoreMode::Fingerprint`] assumes so.

use std::hash::Hasher;

const P0: u64 = 0xa076_1d64_78bd_642f;
const P1: u64 = 0xe703_7ed1_a0b4_28db;
const P2: u64 = 0x8ebc_6af0_9c88_c6e3;

/// Mixes two words into one: [`mum_wide`] where a 64 × 64 → 128-bit multiply is one
/// instruction, [`mum_narrow`] on wasm, which has none (there a 128-bit product is a call to
/// `__multi3`, a tenth of the checker's time in the browser). Hashes differ between the two;
/// nothing keeps them, and no answer depends on them (a full-mode set compares whole rows;
/// fingerprints are compared only with fingerprints of the same run).
#[inline]
fn mum(a: u64, b: u64) -> u64 {
    #[cfg(not(target_arch = "wasm32"))]
    return mum_wide(a, b);
    #[cfg(target_arch = "wasm32")]
    return mum_narrow(a, b);
}

/// Multiply two words into 128 bits and fold the halves together (wyhash's).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
#[inline]
fn mum_wide(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

/// The two words through SplitMix64's finaliser ([`mix`]): 64-bit multiplies only.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[inline]
fn mum_narrow(a: u64, b: u64) -> u64 {
    mix(a ^ b.rotate_left(32))
}

/// SplitMix64's finaliser: a bijection of 64-bit words in which each input bit flips each
/// output bit with probability about one half.
#[inline]
pub(crate) fn mix(x: u64) -> u64 {
    let x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The hash of a packed state (its words).
#[inline]
pub fn words(key: &[u32]) -> u64 {
    let mut h = P2 ^ key.len() as u64;
    let mut chunks = key.chunks_exact(2);
    for c in &mut chunks {
        let w = u64::from(c[0]) | (u64::from(c[1]) << 32);
        h = mum(h ^ w ^ P0, P1);
    }
    if let [w] = chunks.remainder() {
        h = mum(h ^ u64::from(*w) ^ P0, P1);
    }
    mum(h ^ P2, P0 ^ h)
}

/// A [`Hasher`] with the same mixing, for the derived `Hash` of machine parts. Small writes
/// (the bytes and flags a derived `Hash` feeds it) are gathered into whole words first.
#[derive(Default)]
pub struct WordHasher {
    h: u64,
    acc: u64,
    bits: u32,
}

impl WordHasher {
    #[inline]
    fn small(&mut self, n: u64, bits: u32) {
        if self.bits + bits > 64 {
            self.mix();
        }
        self.acc |= n << self.bits;
        self.bits += bits;
    }

    #[inline]
    fn mix(&mut self) {
        self.h = mum(self.h ^ self.acc ^ P0, P1 ^ u64::from(self.bits));
        self.acc = 0;
        self.bits = 0;
    }
}

impl Hasher for WordHasher {
    #[inline]
    fn finish(&self) -> u64 {
        let h = mum(self.h ^ self.acc ^ P0, P1 ^ u64::from(self.bits));
        mum(h ^ P2, P0 ^ h)
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.small(u64::from(b), 8);
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.small(u64::from(n), 8);
    }

    #[inline]
    fn write_u16(&mut self, n: u16) {
        self.small(u64::from(n), 16);
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.small(u64::from(n), 32);
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.mix();
        self.h = mum(self.h ^ n ^ P2, P1);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        // Lengths and enum tags: small in practice, but hashed whole if not.
        if n < 1 << 16 {
            self.small(n as u64, 16);
        } else {
            self.write_u64(n as u64);
        }
    }

    #[inline]
    fn write_isize(&mut self, n: isize) {
        self.write_usize(n as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_is_a_bijection_that_avalanches() {
        // Each input bit flips each output bit about half the time (over 2,000 inputs).
        let mut x = 0x1234_5678_9abc_def0_u64;
        let mut flips = [[0u32; 64]; 64];
        let n = 2000;
        for _ in 0..n {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            for (i, row) in flips.iter_mut().enumerate() {
                let d = mix(x) ^ mix(x ^ (1 << i));
                for (j, f) in row.iter_mut().enumerate() {
                    *f += ((d >> j) & 1) as u32;
                }
            }
        }
        for row in &flips {
            for &f in row {
                assert!((800..1200).contains(&f), "{f} of {n}");
            }
        }
        // Invertible steps only: distinct inputs, distinct outputs.
        let outs: std::collections::HashSet<u64> = (0..10_000u64).map(mix).collect();
        assert_eq!(outs.len(), 10_000);
    }

    #[test]
    fn both_mixers_spread_nearby_keys() {
        // The wasm mixer is tested here too: a hash table's keys differing in one word.
        for mum in [mum_wide, mum_narrow] {
            let mut seen = std::collections::HashSet::new();
            let mut low = [0u32; 16];
            for w in 0..50_000u64 {
                let h = mum(mum(w ^ P0, P1) ^ P2, P0);
                assert!(seen.insert(h), "collision at {w}");
                low[(h & 15) as usize] += 1;
            }
            assert!(low.iter().all(|&n| (2_800..3_450).contains(&n)), "{low:?}");
        }
    }

    #[test]
    fn one_changed_word_changes_the_hash() {
        let a = [1u32, 2, 3, 4, 5];
        let mut seen = std::collections::HashSet::new();
        seen.insert(words(&a));
        for i in 0..a.len() {
            for bit in 0..32 {
                let mut b = a;
                b[i] ^= 1 << bit;
                assert!(seen.insert(words(&b)), "word {i} bit {bit}");
            }
        }
        assert_ne!(words(&[0]), words(&[0, 0]));
    }

    #[test]
    fn gathered_writes_keep_their_order_and_width() {
        let h = |f: &dyn Fn(&mut WordHasher)| {
            let mut w = WordHasher::default();
            f(&mut w);
            w.finish()
        };
        assert_ne!(
            h(&|w| {
                w.write_u8(1);
                w.write_u8(2)
            }),
            h(&|w| {
                w.write_u8(2);
                w.write_u8(1)
            })
        );
        assert_ne!(h(&|w| w.write_u8(1)), h(&|w| w.write_u16(1)));
        assert_ne!(h(&|w| w.write_u8(0)), h(&|_| {}));
        let many = |k: u8| {
            h(&move |w: &mut WordHasher| {
                (0..20).for_each(|i| w.write_u8(if i == 13 { k } else { 0 }))
            })
        };
        assert_ne!(many(0), many(1));
    }
}
