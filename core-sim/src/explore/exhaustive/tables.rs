//! What a search keeps per state: the visited set (full rows or fingerprints), each state's
//! parent link (the way back to the root, for counterexamples) and, with the sleep-set
//! reduction, each state's sleep set.

use super::encode::Codec;
use super::links::Links;
use super::visited::{FingerprintSet, FullSet};
use super::{hash, Account};
use crate::exec::Action;

/// A parent link: the parent's id in the high bits, the action in the low [`ACTION_BITS`].
const ACTION_BITS: u32 = 5;
/// The root's parent link.
const ROOT: u32 = u32::MAX;
/// Most states a search can number (parent ids share a word with the action).
pub const MAX_STATES: usize = (1 << (32 - ACTION_BITS)) - 1;

fn action_code(a: Action) -> u32 {
    match a {
        Action::Step(t) => u32::from(t),
        Action::Flush(t) => 16 + u32::from(t),
    }
}

fn action_of(code: u32) -> Action {
    if code < 16 {
        Action::Step(code as u8)
    } else {
        Action::Flush((code - 16) as u8)
    }
}

/// The link of a state reached by `parent --a-->`, or of the root.
fn link(parent: Option<(u32, Action)>) -> u32 {
    match parent {
        Some((p, a)) => (p << ACTION_BITS) | action_code(a),
        None => ROOT,
    }
}

/// The visited set, in one of the two modes.
pub(super) enum Store {
    Full(FullSet),
    Fingerprint(FingerprintSet),
}

/// Per-state records the sleep-set reduction needs (empty without it).
#[derive(Default)]
pub(super) struct SleepSets {
    pub sleep: Vec<u32>,
    pub depth: Vec<u32>,
    pub expanded: Vec<bool>,
}

/// Everything a search allocates per state, handed to the caller to free.
pub(super) struct Tables {
    pub codec: Codec,
    pub store: Store,
    /// Parent link of each state, by id.
    pub links: Links,
    pub sleeps: SleepSets,
    /// Most bytes the frontier held at once (set when the search ends).
    pub frontier_peak: usize,
}

impl Tables {
    /// Empty tables around `codec` and `store`.
    pub(super) fn new(codec: Codec, store: Store) -> Tables {
        Tables {
            codec,
            store,
            links: Links::default(),
            sleeps: SleepSets::default(),
            frontier_peak: 0,
        }
    }

    /// Where the bytes go, with the frontier holding `frontier` bytes.
    pub(super) fn account(&self, frontier: usize) -> Account {
        let (rows, index) = match &self.store {
            Store::Full(s) => s.bytes(),
            Store::Fingerprint(s) => (0, s.bytes()),
        };
        let sleep_sets = self.sleeps.sleep.capacity() * 4
            + self.sleeps.depth.capacity() * 4
            + self.sleeps.expanded.capacity();
        Account {
            parts: self.codec.bytes(),
            rows,
            index,
            links: self.links.bytes(),
            sleep_sets,
            frontier,
        }
    }

    /// Bytes taken, with the frontier holding `frontier` bytes.
    pub(super) fn bytes(&self, frontier: usize) -> usize {
        self.account(frontier).total()
    }

    /// The actions from the root to state `n`.
    pub(super) fn path(&self, mut n: u32) -> Vec<Action> {
        let mut out = Vec::new();
        loop {
            let link = self.links.get(n as usize);
            if link == ROOT {
                break;
            }
            out.push(action_of(link & ((1 << ACTION_BITS) - 1)));
            n = link >> ACTION_BITS;
        }
        out.reverse();
        out
    }

    /// Put `key` in the visited set, reached by `parent`, with its (depth, sleep set) when the
    /// sleep-set reduction keeps them: its id and whether it is new (`None` for a state seen
    /// before in fingerprint mode, which keeps no ids).
    pub(super) fn insert(
        &mut self,
        key: &[u32],
        parent: Option<(u32, Action)>,
        sleep: Option<(u32, u32)>,
    ) -> (Option<u32>, bool) {
        let id = match &mut self.store {
            Store::Full(s) => match s.insert(key) {
                Ok(id) => id,
                Err(id) => return (Some(id), false),
            },
            Store::Fingerprint(s) => {
                if !s.insert(hash::words(key)) {
                    return (None, false);
                }
                self.links.len() as u32
            }
        };
        self.links.push(link(parent));
        if let Some((depth, sleep)) = sleep {
            self.sleeps.sleep.push(sleep);
            self.sleeps.depth.push(depth);
            self.sleeps.expanded.push(false);
        }
        (Some(id), true)
    }

    /// Whether `key` is a state already in the visited set (read only), and its hash.
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn seen(&self, key: &[u32]) -> (bool, u64) {
        let h = hash::words(key);
        let seen = match &self.store {
            Store::Full(s) => s.find_hashed(key, h).is_some(),
            Store::Fingerprint(s) => s.contains(h),
        };
        (seen, h)
    }

    /// Number `key`, a state neither in the visited set nor numbered before, reached by
    /// `parent`, and leave it to be indexed: [`Tables::index`] must be given it before the set
    /// is next looked in. Its id.
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn insert_unindexed(&mut self, key: &[u32], parent: (u32, Action)) -> u32 {
        let id = match &mut self.store {
            Store::Full(s) => s.push_unindexed(key),
            Store::Fingerprint(_) => self.links.len() as u32,
        };
        self.links.push(link(Some(parent)));
        id
    }

    /// Index the states numbered by [`Tables::insert_unindexed`], as (hash, id), on up to
    /// `threads` threads.
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn index(&mut self, new: &[(u64, u32)], threads: usize) {
        match &mut self.store {
            Store::Full(s) => s.index(new, threads),
            Store::Fingerprint(s) => {
                let fps: Vec<u64> = new.iter().map(|&(h, _)| h).collect();
                s.insert_absent(&fps, threads);
            }
        }
    }
}
