//! Threads, barriers and iterations: run every thread's script once per iteration, wait for the
//! quiescent point, rebuild a `Machine` from real memory and judge it with the core's oracles.

use super::interp::{backoff, Worker};
use super::shared::{lock, status, World};
use core_sim::program::Actor;
use core_sim::{oracle, Sim, ViolationKind};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering::*};
use std::sync::Barrier;
use std::time::{Duration, Instant};

/// How long one iteration may take before it is abandoned (counted as a timeout, not a violation).
const ITERATION_TIMEOUT: Duration = Duration::from_secs(1);

/// Bounds and knobs of a stress run.
#[derive(Clone, Debug)]
pub struct Config {
    /// Stop after this many iterations.
    pub iterations: u64,
    /// Or after this much time.
    pub seconds: f64,
    /// Random spin (0..=jitter `pause`s) before each step, to vary interleavings.
    pub jitter: u32,
    /// A vCPU asleep with nothing left to wake it is given this long before it counts as lost.
    pub wake_timeout: Duration,
    /// Pin threads to cores.
    pub pin: bool,
    /// Seed of the jitter.
    pub seed: u64,
}

/// Where one thread ran.
#[derive(Clone, Debug, Serialize)]
pub struct Placement {
    /// Thread name.
    pub thread: String,
    /// Core id it was pinned to, if pinning worked.
    pub core: Option<usize>,
}

/// Per-oracle tally.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Tally {
    /// Iterations with at least one violation of this kind.
    pub iterations: u64,
    /// The first one seen: iteration number and explanation.
    pub first: Option<(u64, String)>,
}

/// Event totals over the run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Events {
    /// Doorbells rung.
    pub doorbells: u64,
    /// Doorbells that found no vCPU in the guest on their pCPU.
    pub doorbells_missed: u64,
    /// GA-log entries.
    pub ga_log_entries: u64,
    /// Interrupts that only set the IRR.
    pub silent: u64,
    /// Wake-ups that ended a wait.
    pub wakes: u64,
    /// Real sleeps (a vCPU thread parked).
    pub sleeps: u64,
    /// AVIC incomplete-IPI exits.
    pub incomplete_ipis: u64,
    /// Kick IPIs.
    pub kick_ipis: u64,
    /// Legacy-mode interrupts injected by the host.
    pub host_injected: u64,
}

/// What the hardware showed.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// Iterations run.
    pub iterations: u64,
    /// Wall time.
    pub seconds: f64,
    /// Iterations that did not settle within the per-iteration timeout.
    pub timeouts: u64,
    /// Worker panics (a harness bug; should be 0).
    pub panics: u64,
    /// Online CPU cores seen.
    pub cores: usize,
    /// Thread placement.
    pub placement: Vec<Placement>,
    /// Per oracle (only kinds that were seen).
    pub tallies: BTreeMap<ViolationKind, Tally>,
    /// Event totals.
    pub events: Events,
}

enum Settled {
    No,
    AllDone,
    Waiting,
}

fn settled_thread(sim: &Sim, w: &World, t: usize, depth: usize) -> bool {
    let s = w.status[t].load(SeqCst);
    match s {
        status::DONE => true,
        status::SLEEPING => match sim.threads[t].actor {
            Actor::Vcpu(v) => w.waiting[v as usize].load(SeqCst),
            _ => false,
        },
        s if s & status::SPINNING != 0 => {
            let l = (s & 0x7F) as usize;
            match w.locks.get(l).and_then(|l| l.holder()) {
                Some(h) => {
                    h as usize == t
                        || (depth > 0
                            && !sim.threads[h as usize].is_daemon()
                            && settled_thread(sim, w, h as usize, depth - 1))
                }
                None => false,
            }
        }
        _ => false,
    }
}

/// Whether nothing can happen any more: every scripted thread finished, asleep with nobody left to
/// wake it, or spinning on a lock whose holder will never release it; no GA-log work; no kick.
fn settled(sim: &Sim, w: &World) -> Settled {
    let n = sim.threads.len();
    let mut all_done = true;
    for t in 0..n {
        if sim.threads[t].is_daemon() {
            continue;
        }
        if !settled_thread(sim, w, t, n) {
            return Settled::No;
        }
        all_done &= w.status[t].load(SeqCst) == status::DONE;
    }
    {
        let g = lock(&w.ga_log);
        if !g.queue.is_empty() || g.busy {
            return Settled::No;
        }
    }
    {
        let hw = lock(&w.hw);
        // A forced exit is work only for a vCPU that has a thread to run it (as in the model).
        let pending = |v: usize| {
            let vc = &hw.vcpus[v];
            vc.forced_exit && matches!(vc.run, core_sim::machine::RunState::InGuest(_))
        };
        if sim.threads.iter().any(
            |th| matches!(th.actor, Actor::Vcpu(v) if th.forced.is_some() && pending(v as usize)),
        ) {
            return Settled::No;
        }
    }
    if all_done {
        Settled::AllDone
    } else {
        Settled::Waiting
    }
}

/// How an iteration ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ended {
    /// At its quiescent point.
    Settled,
    /// Not settled within [`ITERATION_TIMEOUT`].
    TimedOut,
    /// The run's time was up first: the iteration is left out.
    OutOfTime,
}

/// Wait for the quiescent point (but not past `end`, the run's deadline), then tell the workers
/// to stop.
fn quiesce(sim: &Sim, w: &World, wake_timeout: Duration, end: Instant) -> Ended {
    let deadline = Instant::now() + ITERATION_TIMEOUT;
    let mut idle = 0u32;
    let ended = loop {
        match settled(sim, w) {
            Settled::AllDone => break Ended::Settled,
            Settled::Waiting => {
                // Someone sleeps or spins and nothing is left to change that: give it the bounded
                // wait, and make sure nothing moved meanwhile.
                let before = w.progress.load(SeqCst);
                let left = end.saturating_duration_since(Instant::now());
                std::thread::sleep(wake_timeout.min(left));
                if !matches!(settled(sim, w), Settled::No) && w.progress.load(SeqCst) == before {
                    break Ended::Settled;
                }
            }
            Settled::No => {}
        }
        let now = Instant::now();
        if now >= end {
            break Ended::OutOfTime;
        }
        if now > deadline {
            break Ended::TimedOut;
        }
        backoff(&mut idle);
    };
    w.quiesce.store(true, SeqCst);
    ended
}

/// Run the stress loop.
pub fn run(sim: &Sim, cfg: &Config) -> Outcome {
    let init = sim.initial();
    let n = sim.threads.len();
    let world = World::new(&init, n);
    let cores = core_affinity::get_core_ids().unwrap_or_default();
    let ncores = std::thread::available_parallelism()
        .map(|c| c.get())
        .unwrap_or(cores.len().max(1));
    let placement: Vec<Placement> = (0..n)
        .map(|t| Placement {
            thread: sim.thread_name(t).to_string(),
            core: (cfg.pin && !cores.is_empty()).then(|| cores[t % cores.len()].id),
        })
        .collect();
    let start = Barrier::new(n + 1);
    let end = Barrier::new(n + 1);
    let stop = AtomicBool::new(false);
    let panicked = AtomicBool::new(false);
    let mut tallies: BTreeMap<ViolationKind, Tally> = BTreeMap::new();
    let mut timeouts = 0;
    let mut panics = 0;
    let mut iterations = 0u64;
    let began = Instant::now();
    std::thread::scope(|s| {
        for (t, place) in placement.iter().enumerate() {
            let (world, start, end, stop, panicked, cores) =
                (&world, &start, &end, &stop, &panicked, &cores);
            let core = place.core;
            s.spawn(move || {
                if let Some(id) = core {
                    if let Some(c) = cores.iter().find(|c| c.id == id) {
                        let _ = core_affinity::set_for_current(*c);
                    }
                }
                if let Actor::Vcpu(v) = sim.threads[t].actor {
                    let _ = world.vcpu_threads[v as usize].set(std::thread::current());
                }
                let mut iter = 0u64;
                loop {
                    start.wait();
                    if stop.load(SeqCst) {
                        break;
                    }
                    let seed = cfg.seed.wrapping_add(iter.wrapping_mul(0x2545_F491));
                    let r = catch_unwind(AssertUnwindSafe(|| {
                        Worker::new(t, sim, world, seed, cfg.jitter).run_iteration()
                    }));
                    if r.is_err() {
                        panicked.store(true, SeqCst);
                        world.status[t].store(status::DONE, SeqCst);
                    }
                    end.wait();
                    iter += 1;
                }
            });
        }
        let budget = Duration::from_secs_f64(cfg.seconds);
        let run_end = began + budget;
        while iterations < cfg.iterations && began.elapsed() < budget {
            world.reset(&init);
            start.wait();
            let ended = quiesce(sim, &world, cfg.wake_timeout, run_end);
            end.wait();
            if ended == Ended::OutOfTime {
                // Cut short by the end of the run: neither a result nor a timeout.
                panicked.store(false, SeqCst);
                break;
            }
            let ok = ended == Ended::Settled;
            if !ok {
                timeouts += 1;
            }
            if panicked.swap(false, SeqCst) {
                panics += 1;
            }
            let m = {
                let hw = lock(&world.hw);
                world.snapshot(&hw)
            };
            let mut found: Vec<core_sim::Violation> = std::mem::take(&mut *lock(&world.violations));
            found.extend(oracle::check_state(sim, &m, 0));
            if ok {
                found.extend(oracle::check_terminal(sim, &m, 0));
            }
            let kinds: BTreeSet<ViolationKind> = found.iter().map(|v| v.kind).collect();
            for k in kinds {
                let tally = tallies.entry(k).or_default();
                tally.iterations += 1;
                if tally.first.is_none() {
                    let why = found
                        .iter()
                        .find(|v| v.kind == k)
                        .map(|v| v.explanation.clone())
                        .unwrap_or_default();
                    tally.first = Some((iterations, why));
                }
            }
            iterations += 1;
        }
        stop.store(true, SeqCst);
        start.wait();
    });
    let c = &world.counters;
    let events = Events {
        doorbells: c.doorbells.load(SeqCst),
        doorbells_missed: c.doorbells_missed.load(SeqCst),
        ga_log_entries: c.ga_logged.load(SeqCst),
        silent: c.silent.load(SeqCst),
        wakes: c.wakes.load(SeqCst),
        sleeps: c.sleeps.load(SeqCst),
        incomplete_ipis: c.incomplete_ipis.load(SeqCst),
        kick_ipis: c.kick_ipis.load(SeqCst),
        host_injected: c.host_injected.load(SeqCst),
    };
    Outcome {
        iterations,
        seconds: began.elapsed().as_secs_f64(),
        timeouts,
        panics,
        cores: ncores,
        placement,
        tallies,
        events,
    }
}

/// Every entry must have one writer thread (its own vCPU's), which the torn-store emulation
/// relies on. Returns the offending vCPU if not.
pub fn single_writer_violation(sim: &Sim) -> Option<u8> {
    use core_sim::program::StepKind;
    for th in &sim.threads {
        for p in th.programs.iter().chain(th.forced.iter()) {
            for st in &p.steps {
                if let StepKind::WriteEntry(v, _, _) = st.kind {
                    if th.actor != Actor::Vcpu(v) {
                        return Some(v);
                    }
                }
            }
        }
    }
    None
}
