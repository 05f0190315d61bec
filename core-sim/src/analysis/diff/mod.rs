//! One schedule, two worlds: replay a run of world A (a counterexample, or any schedule) in world
//! B (the same scenario under another strategy, version preset or memory model) and align the two
//! runs step by step: where they diverge, why, and whether each violation survives.
//!
//! # How the runs are aligned
//!
//! The scenario is the same in both worlds, so the threads are too; only their code differs (B
//! may take a lock A does not, read a value A did not, branch elsewhere). Each action of A's
//! schedule names a thread and, in A's run, a step: the thread's operation (its index in the
//! thread's script, or the forced exit a kick causes) and the step's label (its kernel function
//! and line). A's actions are taken in A's order, and for each one B's same thread is asked to
//! run the step with that label in the same operation:
//!
//! 1. **Match.** B's thread runs on until its next step is that one, then runs it. Steps B's code
//!    has on the way (a lock A's code does not take, a store-buffer drain a lock needs) run just
//!    before it, as rows of B only. The matched pair is compared: a different value read, a
//!    branch taken the other way, or a different outcome (a doorbell instead of a GA-log entry)
//!    is a divergence, with the values in words.
//! 2. **Blocked.** If B's thread must wait on the way (a lock held by another thread, its vCPU
//!    asleep), that is a divergence with its reason, and the step is *deferred*: it and the
//!    thread's later steps wait, A's other threads go on in A's order, and after every action
//!    the deferred steps are retried, oldest first, so they run as soon as B lets them.
//! 3. **Missed.** If B's thread cannot reach the step (its script is done, it is past that
//!    operation, its code has no such step, a branch took it elsewhere, the GA log is empty in
//!    B), A's step is a row of A only, with the reason, and B's thread stays where it is.
//!
//! When A's schedule is used up and steps are still deferred, B runs the holder of the lock the
//! oldest deferred step waits for, else the lowest-numbered thread that can run, until the
//! deferred steps have run or nothing can run. If A's run ended in a final state (so its hang and
//! deadlock oracles judged the end), B's run is completed the same way: the lowest-numbered
//! thread that can run goes next (steps before store-buffer drains), until nothing can run.
//!
//! `align` is the engine; `stops` is "what stops it": the single knob flips whose world has no
//! such violation in any interleaving.

mod align;
mod compare;
mod look;
mod stops;

pub use stops::{single_flips, what_stops, Flip, KnobFlip, Stopper, WhatStops};

use crate::explore::{ReplayError, Schedule, Session};
use crate::oracle::{Violation, ViolationKind};
use crate::scenario::ScenarioError;
use crate::sim::Sim;
use crate::strategy::{MemoryModel, Strategy};
use crate::view;
use serde::{Deserialize, Serialize};

/// One side of a row: a step one world ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// Its number in that world's run (1-based).
    pub step: usize,
    /// The schedule character (`0`-`9` a thread's step, `a`-`j` a store-buffer flush).
    pub action: char,
    /// The thread.
    pub thread: u8,
    /// The thread's name.
    pub thread_name: String,
    /// The operation it belongs to.
    pub op: String,
    /// The step's label.
    pub label: String,
    /// Its pseudo-code line.
    pub code: String,
    /// The kernel function (or hardware unit).
    pub func: String,
    /// What it did, in words (facts and state changes).
    pub facts: Vec<String>,
    /// Violations that became true at this step.
    pub violations: Vec<ViolationKind>,
}

/// Why a row is not a plain match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// B's thread waits for a lock another thread holds.
    LockHeld,
    /// B's vCPU sleeps.
    Asleep,
    /// B's thread has finished its script.
    Finished,
    /// B's GA-log handler has nothing to handle.
    Idle,
    /// B's thread is already past this operation.
    Past,
    /// B's code has no step with this label in this operation.
    NoSuchStep,
    /// B's thread does not reach the step (a branch took it elsewhere).
    NotReached,
    /// The same step took its branch the other way.
    Branch,
    /// The same step read a different value.
    Value,
    /// The same step had a different outcome.
    Outcome,
    /// A store-buffer flush with nothing buffered in B.
    NothingBuffered,
    /// A later step of a thread that waits in B.
    Queued,
    /// A step of B's code that A's has not (run on the way to the next matched step).
    Extra,
    /// A store-buffer drain B needs before its next step.
    Drain,
    /// A's deferred step, run in B once it could.
    Deferred,
    /// Run because it holds the lock a deferred step waits for.
    Holder,
    /// After A's schedule, with steps still deferred: the lowest thread that can run.
    Lowest,
    /// After A's schedule: B completes its run (lowest thread first).
    Completion,
    /// A deferred step that never ran in B (nothing could run any more).
    NeverRan,
}

impl Reason {
    /// Stable id (as in JSON).
    pub fn id(self) -> &'static str {
        match self {
            Reason::LockHeld => "lock-held",
            Reason::Asleep => "asleep",
            Reason::Finished => "finished",
            Reason::Idle => "idle",
            Reason::Past => "past",
            Reason::NoSuchStep => "no-such-step",
            Reason::NotReached => "not-reached",
            Reason::Branch => "branch",
            Reason::Value => "value",
            Reason::Outcome => "outcome",
            Reason::NothingBuffered => "nothing-buffered",
            Reason::Queued => "queued",
            Reason::Extra => "extra",
            Reason::Drain => "drain",
            Reason::Deferred => "deferred",
            Reason::Holder => "holder",
            Reason::Lowest => "lowest",
            Reason::Completion => "completion",
            Reason::NeverRan => "never-ran",
        }
    }

    /// Whether a row with this reason is a divergence (the rest are its consequences, or B's
    /// extra code).
    pub fn diverges(self) -> bool {
        !matches!(
            self,
            Reason::Queued
                | Reason::Extra
                | Reason::Drain
                | Reason::Deferred
                | Reason::Holder
                | Reason::Lowest
                | Reason::Completion
        )
    }
}

/// What a row says beyond its cells.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Why.
    pub reason: Reason,
    /// In words.
    pub text: String,
}

/// One row of the aligned runs: a step of A, of B, or the same step in both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// A's step, if A ran one here.
    pub a: Option<Cell>,
    /// B's step, if B ran one here.
    pub b: Option<Cell>,
    /// Why the row is not a plain match.
    pub note: Option<Note>,
}

impl Row {
    /// Whether this row is a divergence.
    pub fn diverges(&self) -> bool {
        self.note.as_ref().is_some_and(|n| n.reason.diverges())
    }
}

/// One world, named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct World {
    /// Scenario id.
    pub scenario: String,
    /// Strategy name (a preset id or `custom(...)`).
    pub strategy: String,
    /// Memory model id.
    pub memory: String,
}

impl World {
    /// Name a compiled world.
    pub fn of(sim: &Sim) -> World {
        World {
            scenario: sim.scenario.id.clone(),
            strategy: sim.strategy.name(),
            memory: sim.memory.id().to_string(),
        }
    }
}

/// What became of one of A's violation kinds in B.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fate {
    /// The kind.
    pub kind: ViolationKind,
    /// The step of A's run where it became true.
    pub a_step: usize,
    /// The step of B's aligned run where it became true, if it did.
    pub b_step: Option<usize>,
}

impl Fate {
    /// Whether B's aligned run shows it too.
    pub fn survives(&self) -> bool {
        self.b_step.is_some()
    }
}

/// The two runs, aligned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    /// World A (the schedule's own).
    pub a: World,
    /// World B.
    pub b: World,
    /// A's schedule.
    pub schedule_a: String,
    /// The schedule B's aligned run took (replays exactly in B).
    pub schedule_b: String,
    /// The rows, in order.
    pub rows: Vec<Row>,
    /// The first row that diverges.
    pub first_divergence: Option<usize>,
    /// A's violations.
    pub violations_a: Vec<Violation>,
    /// B's violations (of its aligned run).
    pub violations_b: Vec<Violation>,
    /// Each kind of A's run: does B's show it?
    pub fates: Vec<Fate>,
    /// Kinds B's run shows that A's does not.
    pub new_in_b: Vec<ViolationKind>,
    /// A's run ended in a final state (and so B's was completed).
    pub a_finished: bool,
    /// B's run ended in a final state.
    pub b_finished: bool,
}

impl Diff {
    /// The first divergence, if any.
    pub fn divergence(&self) -> Option<&Row> {
        self.first_divergence.map(|i| &self.rows[i])
    }
}

/// Why a diff could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// The schedule does not replay in world A.
    #[error("in world A: {0}")]
    Replay(#[from] ReplayError),
    /// World B does not compile.
    #[error("world B: {0}")]
    World(#[from] ScenarioError),
}

/// Replay `schedule` in `a` and align it with world B: the same scenario under `strategy` and
/// `memory`.
pub fn diff(
    a: &Sim,
    schedule: &Schedule,
    strategy: Strategy,
    memory: MemoryModel,
) -> Result<Diff, DiffError> {
    let b = Sim::new(a.scenario.clone(), strategy, memory)?;
    diff_sims(a, schedule, &b)
}

/// [`diff`] with world B compiled already (the same scenario as A).
pub fn diff_sims(a: &Sim, schedule: &Schedule, b: &Sim) -> Result<Diff, DiffError> {
    if a.scenario != b.scenario {
        return Err(DiffError::World(ScenarioError::Invalid {
            id: b.scenario.id.clone(),
            msg: "the two worlds must run the same scenario".into(),
        }));
    }
    let run_a = Session::replay(a, &schedule.to_string())?;
    let aligned = align::align(&run_a, b);
    Ok(summarise(&run_a, aligned))
}

/// One row per step of `s`: what ran, what it did in words and what it changed (the timeline's
/// row without its analyses, which would make this module and the timeline use each other).
fn cells(s: &Session) -> Vec<Cell> {
    let sim = s.sim();
    let mut before = view::cells(sim, s.state_at(0));
    s.records()
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let after = view::cells(sim, &r.after);
            let changes = view::diff(&before, &after);
            before = after;
            let lane = r.event.action.thread();
            Cell {
                step: i + 1,
                action: r.event.action.to_char(),
                thread: lane as u8,
                thread_name: sim.thread_name(lane).to_string(),
                op: r.event.op.clone(),
                label: r.event.label.clone(),
                code: r.event.code.clone(),
                func: r.event.func.clone(),
                facts: r
                    .event
                    .facts
                    .iter()
                    .filter_map(|f| f.describe(lane, sim))
                    .chain(
                        changes
                            .iter()
                            .map(|c| format!("{}: {} → {}", c.label, c.before, c.after)),
                    )
                    .collect(),
                violations: r.violations.iter().map(|v| v.kind).collect(),
            }
        })
        .collect()
}

fn summarise(run_a: &Session, aligned: align::Aligned) -> Diff {
    let run_b = &aligned.session;
    let violations_a = run_a.violations();
    let violations_b = run_b.violations();
    let mut fates: Vec<Fate> = Vec::new();
    for v in &violations_a {
        if !fates.iter().any(|f| f.kind == v.kind) {
            fates.push(Fate {
                kind: v.kind,
                a_step: v.step,
                b_step: violations_b
                    .iter()
                    .find(|w| w.kind == v.kind)
                    .map(|w| w.step),
            });
        }
    }
    let mut new_in_b: Vec<ViolationKind> = violations_b
        .iter()
        .map(|v| v.kind)
        .filter(|k| !fates.iter().any(|f| f.kind == *k))
        .collect();
    new_in_b.sort();
    new_in_b.dedup();
    let (ca, cb) = (cells(run_a), cells(run_b));
    let rows: Vec<Row> = aligned
        .rows
        .into_iter()
        .map(|r| Row {
            a: r.a.map(|i| ca[i].clone()),
            b: r.b.map(|i| cb[i].clone()),
            note: r.note,
        })
        .collect();
    Diff {
        a: World::of(run_a.sim()),
        b: World::of(run_b.sim()),
        schedule_a: run_a.schedule().to_string(),
        schedule_b: run_b.schedule().to_string(),
        first_divergence: rows.iter().position(Row::diverges),
        rows,
        violations_a,
        violations_b,
        fates,
        new_in_b,
        a_finished: run_a.is_terminal(),
        b_finished: run_b.is_terminal(),
    }
}

#[cfg(test)]
mod tests;
