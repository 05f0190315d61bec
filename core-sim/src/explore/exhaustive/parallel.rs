//! Breadth-first levels expanded by several threads (native only). A level is cut into batches
//! and each batch into one contiguous slice per worker; workers step, judge and pack successors
//! reading the shared tables only (new parts go into their own local tables) and look each
//! successor made of shared parts only up in the visited set (which does not change during a
//! batch), judging only those not seen before; then this thread gives the new parts shared
//! numbers (a successor that had one is new), and merges the slices in order, numbering
//! the successors not seen before exactly as one thread would have visited them; the workers
//! then index them. Verdicts, state counts and counterexamples are therefore the same for any
//! number of threads.

use super::hash;
use super::search::{Scratch, Search};
use super::table::Table;
use super::tables::Store;
use super::visited::FingerprintSet;
use crate::exec::{self, Action};
use crate::oracle::{self, Violation};

/// Records each worker takes from a level at a time (a few in unit tests, so that small worlds
/// are expanded in batches too).
const PER_WORKER: usize = if cfg!(test) { 8 } else { 2048 };

/// What a worker found for one expanded state.
struct NodeOut {
    id: u32,
    depth: u32,
    /// Successors (in `Out::succs`), or `None` for a final state.
    succs: Option<u32>,
}

/// One successor: its action and kick count; its row is in `Out::rows`.
struct SuccOut {
    action: Action,
    kick_ipis: u8,
}

#[derive(Default)]
struct Out {
    nodes: Vec<NodeOut>,
    succs: Vec<SuccOut>,
    rows: Vec<u32>,
    /// By successor: whether it was seen before the batch, and its hash; `None` for one with
    /// local parts, looked up once they are adopted.
    seen: Vec<Option<(bool, u64)>>,
    /// Violations at final states (by node), of steps and of reached states (by successor).
    terminal: Vec<(usize, Vec<Violation>)>,
    facts: Vec<(usize, Vec<Violation>)>,
    states: Vec<(usize, Vec<Violation>)>,
}

/// Expand one slice of records.
fn work(s: &Search, sc: &mut Scratch, records: &[u32]) -> Out {
    let mut out = Out::default();
    let sim = s.sim;
    let codec = &s.t.codec;
    for rec in records.chunks(s.record) {
        let (id, depth) = (rec[0], rec[2]);
        match &s.t.store {
            Store::Full(set) => set.key_into(id, &mut sc.pkey),
            Store::Fingerprint(_) => sc.pkey.copy_from_slice(&rec[3..]),
        }
        codec.decode_changed(&sc.held, &sc.pkey, &mut sc.parent);
        sc.held.copy_from_slice(&sc.pkey);
        let enabled = exec::enabled(sim, &sc.parent);
        if enabled.is_empty() {
            let vs = oracle::check_terminal(sim, &sc.parent, depth as usize);
            if !vs.is_empty() {
                out.terminal.push((out.nodes.len(), vs));
            }
            out.nodes.push(NodeOut {
                id,
                depth,
                succs: None,
            });
            continue;
        }
        for &a in &enabled {
            codec.decode_changed(&sc.ckey, &sc.pkey, &mut sc.child);
            sc.facts.clear();
            exec::run_enabled(sim, &mut sc.child, a, &mut sc.facts);
            let k = out.succs.len();
            let vs = oracle::check_facts(sim, &sc.parent, &sc.facts, depth as usize + 1);
            if !vs.is_empty() {
                out.facts.push((k, vs));
            }
            let (parent, child) = (&sc.parent, &sc.child);
            let local = codec.encode_child(
                &mut sc.local,
                parent,
                &sc.pkey,
                child,
                a.thread(),
                &mut sc.ckey,
            );
            let seen = (!local).then(|| s.t.seen(&sc.ckey));
            // A state seen before the batch was judged when it was new.
            if seen.is_none_or(|(was_seen, _)| !was_seen) {
                let vs = oracle::check_state(sim, &sc.child, depth as usize + 1);
                if !vs.is_empty() {
                    out.states.push((k, vs));
                }
            }
            out.rows.extend_from_slice(&sc.ckey);
            out.seen.push(seen);
            out.succs.push(SuccOut {
                action: a,
                kick_ipis: sc.child.kick_ipis,
            });
        }
        out.nodes.push(NodeOut {
            id,
            depth,
            succs: Some(enabled.len() as u32),
        });
    }
    // Leave the child as the parent, its row shared: the local tables are emptied next.
    codec.decode_changed(&sc.ckey, &sc.pkey, &mut sc.child);
    sc.ckey.copy_from_slice(&sc.pkey);
    out
}

/// Expand `batch` (whole records, in queue order) with one worker per scratch, then merge.
pub(super) fn expand_batch(s: &mut Search, scratch: &mut [Scratch], batch: &[u32]) {
    let per = batch.len().div_ceil(s.record * scratch.len()).max(1) * s.record;
    let outs: Vec<Out> = {
        let shared: &Search = s;
        std::thread::scope(|scope| {
            let handles: Vec<_> = scratch
                .iter_mut()
                .zip(batch.chunks(per))
                .map(|(sc, part)| scope.spawn(move || work(shared, sc, part)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a worker panicked"))
                .collect()
        })
    };
    let w = s.width;
    let mut outs = outs;
    // Shared indices for the parts the workers met first, in the order one thread would have,
    // and the successors that had such parts hashed now.
    let mut seen: Vec<Vec<(bool, u64)>> = Vec::with_capacity(outs.len());
    for (out, sc) in outs.iter_mut().zip(scratch.iter_mut()) {
        let mut all = Vec::with_capacity(out.seen.len());
        for (row, looked) in out.rows.chunks_mut(w).zip(&out.seen) {
            all.push(match *looked {
                Some(known) => known,
                // A part new to the shared tables is in no state visited before the batch.
                None => {
                    s.t.codec.adopt(&sc.local, &mut sc.adopted, row);
                    (false, hash::words(row))
                }
            });
        }
        sc.local.clear();
        sc.adopted.clear();
        seen.push(all);
    }
    let first = first_in_batch(s, &outs, &seen);
    // The merge, in one thread's order: the first of each new state is numbered and queued.
    let mut new = Vec::new();
    let mut firsts = first.into_iter();
    for (out, seen) in outs.into_iter().zip(seen) {
        let (mut terminal, mut facts, mut states) = (
            out.terminal.into_iter().peekable(),
            out.facts.into_iter().peekable(),
            out.states.into_iter().peekable(),
        );
        let mut k = 0;
        for (i, node) in out.nodes.iter().enumerate() {
            let Some(n) = node.succs else {
                s.final_states += 1;
                if let Some((_, vs)) = terminal.next_if(|(j, _)| *j == i) {
                    s.record(vs, node.id, None);
                }
                continue;
            };
            for _ in 0..n {
                let succ = &out.succs[k];
                s.transitions += 1;
                if let Some((_, vs)) = facts.next_if(|(j, _)| *j == k) {
                    s.record(vs, node.id, Some(succ.action));
                }
                let found = states.next_if(|(j, _)| *j == k);
                let (was_seen, h) = seen[k];
                if !was_seen && firsts.next() == Some(true) {
                    let row = &out.rows[k * w..k * w + w];
                    let c = s.t.insert_unindexed(row, (node.id, succ.action));
                    s.max_depth = s.max_depth.max(node.depth as usize + 1);
                    new.push((h, c));
                    s.max_kick_ipis = s.max_kick_ipis.max(succ.kick_ipis);
                    if let Some((_, vs)) = found {
                        s.record(vs, c, None);
                    }
                    s.push(c, u32::MAX, node.depth + 1, Some(row));
                }
                k += 1;
            }
        }
    }
    // The new states indexed segment by segment, one run of segments a worker.
    s.t.index(&new, scratch.len());
}

/// For each successor not seen before the batch (in batch order), whether it is the first of
/// its state in the batch: compared by packed row, or by fingerprint in fingerprint mode.
fn first_in_batch(s: &Search, outs: &[Out], seen: &[Vec<(bool, u64)>]) -> Vec<bool> {
    let w = s.width;
    let fingerprints = matches!(s.t.store, Store::Fingerprint(_));
    let mut cands: Vec<(&[u32], u64)> = Vec::new();
    for (out, seen) in outs.iter().zip(seen) {
        for (row, &(was_seen, h)) in out.rows.chunks(w).zip(seen) {
            if !was_seen {
                let h = if fingerprints {
                    FingerprintSet::stored(h)
                } else {
                    h
                };
                cands.push((row, h));
            }
        }
    }
    let mut batch: Table<u32> = Table::with_room(cands.len());
    let at = |slot: u32| cands[slot as usize - 1];
    cands
        .iter()
        .enumerate()
        .map(|(i, &(row, h))| {
            let same = |slot: u32| {
                let (r, g) = at(slot);
                g == h && (fingerprints || r == row)
            };
            batch
                .insert(h, i as u32 + 1, same, |slot| at(slot).1)
                .is_ok()
        })
        .collect()
}

/// The limit on records per batch for `workers` workers.
pub(super) fn batch_len(workers: usize) -> usize {
    PER_WORKER * workers
}

#[cfg(test)]
mod tests {
    use crate::explore::{check, CheckOptions, CheckReport, StoreMode};
    use crate::sim::Sim;

    fn key(r: &CheckReport) -> impl PartialEq + std::fmt::Debug + '_ {
        let counts = (r.states, r.transitions, r.final_states, r.max_depth);
        (r.outcome, counts, r.max_kick_ipis, &r.counterexamples)
    }

    /// Batches of a few records, and single states between them while the frontier is narrower
    /// than a batch: the same states, counts and counterexamples as one thread.
    #[test]
    fn batches_and_narrow_levels_find_what_one_thread_finds() {
        for (s, t, m) in [
            ("put-block-vs-affinity", "linux-6.6", "sc"),
            ("retarget-vs-old-owner", "naive-update", "tso"),
            ("lock-order-affinity", "linux-6.6", "tso"),
        ] {
            let sim = Sim::from_ids(s, t, m).unwrap();
            for store in [StoreMode::Full, StoreMode::Fingerprint] {
                let one = CheckOptions {
                    store,
                    ..CheckOptions::default()
                };
                let base = check(&sim, &one, &mut |_| true);
                assert!(
                    base.states > 10 * super::batch_len(3),
                    "{s}: wide enough for batches"
                );
                for threads in [2, 3] {
                    let r = check(&sim, &CheckOptions { threads, ..one }, &mut |_| true);
                    assert_eq!(key(&r), key(&base), "{s} {t} {m} {store:?} {threads}");
                }
            }
        }
    }
}
