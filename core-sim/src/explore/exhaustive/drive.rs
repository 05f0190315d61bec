//! Driving a search: the root, the loop over the frontier with its limits and progress calls
//! (one thread, or batches on several), and the report.

use super::search::{Scratch, Search, ALL, BYTES_CHECK_EVERY};
use super::tables::{Tables, MAX_STATES};
use super::{CheckOptions, CheckReport, Outcome, Progress};
#[cfg(not(target_arch = "wasm32"))]
use crate::machine::Machine;
use crate::sim::Sim;

/// Run the search.
pub(super) fn run(
    sim: &Sim,
    options: &CheckOptions,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> (CheckReport, Tables) {
    let mut s = Search::new(sim, options);
    let mut root = sim.initial();
    if let Some(sym) = s.sym.as_mut() {
        sym.canonicalise(&mut root);
    }
    let mut key = vec![0; s.width];
    s.t.codec.encode(&root, &mut key);
    let mut sc = Scratch::new(&root, &key, sim.threads.len());
    let (id, _) = s.add(&root, &key, None, 0, 0);
    s.push(id.expect("the first state is new"), ALL, 0, Some(&key));
    let mut outcome = Outcome::Complete;
    let mut next_report = options.progress_every.max(1);
    let mut next_bytes_check = 0;
    let max_states = options.max_states.min(MAX_STATES);
    #[cfg(not(target_arch = "wasm32"))]
    if options.threads > 1
        && !options.reduction
        && options.reduce == super::Reduce::None
        && s.sym.is_none()
    {
        let outcome = run_parallel(&mut s, options, progress, &root, &key);
        return finish(s, outcome, progress);
    }
    while !s.queue.is_empty() {
        if s.states() >= max_states {
            outcome = Outcome::StateLimit;
            break;
        }
        // Adding up the tables takes a moment: do it once every so many new states.
        if s.states() >= next_bytes_check {
            next_bytes_check = s.states() + BYTES_CHECK_EVERY;
            if s.t.bytes(s.queue.bytes()) >= options.max_bytes {
                outcome = Outcome::MemoryLimit;
                break;
            }
        }
        let (n, mask, depth) = s.pop(&mut sc.pkey).expect("a record");
        if s.states() >= next_report {
            next_report += options.progress_every.max(1);
            let p = Progress {
                states: s.states(),
                transitions: s.transitions,
                frontier: s.queue.len(),
                depth: depth as usize,
            };
            if !progress(&p) {
                outcome = Outcome::Cancelled;
                break;
            }
        }
        s.expand(&mut sc, n, mask, depth);
    }
    finish(s, outcome, progress)
}

/// [`run`] with `options.threads` workers: the limits and the progress callback are looked at
/// once a batch (a few thousand states a worker). While the frontier holds less than a whole
/// batch, this thread expands its states one by one instead: handing a few states to workers
/// costs more than it saves (most shipped worlds never have a frontier that wide), and the
/// order, hence everything found, is the same either way.
#[cfg(not(target_arch = "wasm32"))]
fn run_parallel(
    s: &mut Search,
    options: &CheckOptions,
    progress: &mut dyn FnMut(&Progress) -> bool,
    root: &Machine,
    key: &[u32],
) -> Outcome {
    let workers = options.threads;
    let mut scratch: Vec<Scratch> = (0..workers)
        .map(|_| Scratch::new(root, key, s.sim.threads.len()))
        .collect();
    let max_states = options.max_states.min(MAX_STATES);
    let mut next_report = options.progress_every.max(1);
    let mut next_bytes_check = 0;
    let whole = super::parallel::batch_len(workers);
    while !s.queue.is_empty() {
        if s.states() >= max_states {
            return Outcome::StateLimit;
        }
        if s.states() >= next_bytes_check {
            next_bytes_check = s.states() + BYTES_CHECK_EVERY;
            if s.t.bytes(s.queue.bytes()) >= options.max_bytes {
                return Outcome::MemoryLimit;
            }
        }
        let narrow = s.queue.len() < whole;
        let (batch, depth) = if narrow {
            let sc = &mut scratch[0];
            let (n, mask, depth) = s.pop(&mut sc.pkey).expect("a record");
            (Err((n, mask)), depth)
        } else {
            let batch = s.drain(whole);
            let depth = batch[2];
            (Ok(batch), depth)
        };
        if s.states() >= next_report {
            next_report = s.states() + options.progress_every.max(1);
            let p = Progress {
                states: s.states(),
                transitions: s.transitions,
                frontier: s.queue.len(),
                depth: depth as usize,
            };
            if !progress(&p) {
                return Outcome::Cancelled;
            }
        }
        match batch {
            Ok(batch) => super::parallel::expand_batch(s, &mut scratch, &batch),
            Err((n, mask)) => s.expand(&mut scratch[0], n, mask, depth),
        }
    }
    Outcome::Complete
}

/// The report, after a last progress call.
fn finish(
    mut s: Search,
    outcome: Outcome,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> (CheckReport, Tables) {
    progress(&Progress {
        states: s.states(),
        transitions: s.transitions,
        frontier: s.queue.len(),
        depth: s.max_depth,
    });
    let report = CheckReport {
        outcome,
        states: s.states(),
        transitions: s.transitions,
        max_depth: s.max_depth,
        final_states: s.final_states,
        max_kick_ipis: s.max_kick_ipis,
        bytes: s.t.bytes(s.queue.bytes()),
        store: s.store_mode(),
        counterexamples: s.found,
    };
    s.t.frontier_peak = s.queue.peak_bytes();
    (report, s.t)
}
