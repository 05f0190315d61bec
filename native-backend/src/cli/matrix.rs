//! `avic-lab matrix`: every scenario x strategy preset x memory model, on N OS threads.

use super::check;
use super::limits;
use super::progress;
use super::sim_args;
use anyhow::Result;
use clap::Args;
use core_sim::explore::{self, CheckOptions, Verdict};
use core_sim::{strategy, MemoryModel, Sim};
use serde::Serialize;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// The most `--jobs` accepted.
pub const MAX_JOBS: usize = 256;

fn sims_len(models: &[MemoryModel]) -> usize {
    core_sim::scenario::shipped().len() * strategy::PRESETS.len() * models.len()
}

/// Arguments of `avic-lab matrix`.
#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Print one JSON array (an object per cell) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// OS threads checking cells in parallel, 1..=256 (default: the available cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Memory models: sc, tso or all.
    #[arg(long, value_name = "MODEL", default_value = "all")]
    pub memory: String,
    /// Skip the second search per violating cell for the fewest preemptions each kind needs
    /// (the states/s figure then measures the checker alone).
    #[arg(long)]
    pub no_preemptions: bool,
    /// Stop each cell after this many states (verdict: bounded).
    #[arg(long, value_name = "N", default_value_t = CheckOptions::default().max_states)]
    pub max_states: usize,
}

/// One cell of the matrix, as printed with --json.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub scenario: String,
    pub strategy: String,
    pub memory_model: String,
    pub verdict: String,
    pub violations: Vec<String>,
    pub states: usize,
    pub shortest: Option<usize>,
    /// Per kind found, the fewest preemptions a schedule needs to hit it (iterative context
    /// bounding, `core_sim::analysis::preemptions`).
    pub preemptions: BTreeMap<String, usize>,
    #[serde(skip)]
    pub transitions: usize,
}

fn models(id: &str) -> Result<Vec<MemoryModel>> {
    if id == "all" {
        return Ok(MemoryModel::ALL.to_vec());
    }
    sim_args::memory(id)
        .map(|m| vec![m])
        .map_err(|e| anyhow::anyhow!("{e} (or all)"))
}

/// Check one cell (the core's check; the CLI prints a subset of it), and with `preemptions` the
/// fewest preemptions of each kind found.
pub fn check_cell(sim: &Sim, max_states: usize, max_bytes: usize, preemptions: bool) -> Cell {
    let opts = CheckOptions {
        max_states,
        max_bytes,
        ..CheckOptions::default()
    };
    let mut c = explore::matrix::check_cell(sim, &opts);
    if preemptions {
        core_sim::analysis::preemptions::fill_cell(&mut c, sim, max_states);
    }
    let preemptions = c
        .counterexamples
        .iter()
        .filter_map(|x| Some((x.kind.id().to_string(), x.preemptions?)))
        .collect();
    Cell {
        preemptions,
        scenario: c.scenario,
        strategy: c.strategy,
        memory_model: c.memory_model,
        verdict: c.verdict,
        violations: c.violations,
        states: c.states,
        shortest: c.shortest,
        transitions: c.transitions,
    }
}

/// Every world of the matrix, in the core's order.
pub fn worlds(models: &[MemoryModel]) -> Result<Vec<Sim>> {
    explore::matrix::worlds(models)
        .into_iter()
        .map(|(s, p, m)| Sim::from_ids(&s, p, m.id()).map_err(anyhow::Error::msg))
        .collect()
}

/// Check `sims` on `jobs` threads; results in input order.
pub fn run_cells(
    sims: &[Sim],
    jobs: usize,
    max_states: usize,
    max_bytes: usize,
    preemptions: bool,
    on_done: &(dyn Fn(&Cell) + Sync),
) -> Vec<Cell> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Cell>>> = Mutex::new(vec![None; sims.len()]);
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, sims.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(sim) = sims.get(i) else { break };
                let cell = check_cell(sim, max_states, max_bytes, preemptions);
                on_done(&cell);
                results.lock().expect("no poisoned lock")[i] = Some(cell);
            });
        }
    });
    results
        .into_inner()
        .expect("no poisoned lock")
        .into_iter()
        .map(|c| c.expect("every cell checked"))
        .collect()
}

fn table(cells: &[Cell]) -> String {
    let w =
        |f: &dyn Fn(&Cell) -> usize, h: &str| cells.iter().map(f).max().unwrap_or(0).max(h.len());
    let ws = w(&|c| c.scenario.len(), "scenario");
    let wt = w(&|c| c.strategy.len(), "strategy");
    let mut out = format!(
        "{:ws$}  {:wt$}  {:3}  {:9}  {:>8}  {:>8}  violations (fewest preemptions)\n",
        "scenario", "strategy", "mem", "verdict", "states", "shortest"
    );
    for c in cells {
        let shortest = c.shortest.map_or("-".to_string(), |n| n.to_string());
        out.push_str(&format!(
            "{:ws$}  {:wt$}  {:3}  {:9}  {:>8}  {:>8}  {}\n",
            c.scenario,
            c.strategy,
            c.memory_model,
            c.verdict,
            c.states,
            shortest,
            c.violations
                .iter()
                .map(|k| match c.preemptions.get(k) {
                    Some(n) => format!("{k} ({n})"),
                    None => k.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}

/// Run `avic-lab matrix`.
pub fn run(args: MatrixArgs) -> Result<ExitCode> {
    let models = models(&args.memory)?;
    let jobs = match args.jobs {
        Some(n) => limits::within("--jobs", n, 1, MAX_JOBS)?,
        None => std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_JOBS)),
    };
    let max_states = limits::within("--max-states", args.max_states, 1, check::MAX_STATES)?;
    let default_mib = CheckOptions::default().max_bytes >> 20;
    let max_bytes = limits::search_bytes(None, default_mib, jobs.min(sims_len(&models)))?;
    let sims = worlds(&models)?;
    let pb = progress::bar(progress::wanted(args.json), sims.len() as u64, "cells");
    let start = Instant::now();
    let preemptions = !args.no_preemptions;
    let cells = run_cells(&sims, jobs, max_states, max_bytes, preemptions, &|c| {
        pb.set_message(format!(
            "{} · {} · {}",
            c.scenario, c.strategy, c.memory_model
        ));
        pb.inc(1);
    });
    pb.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    let states: usize = cells.iter().map(|c| c.states).sum();
    let transitions: usize = cells.iter().map(|c| c.transitions).sum();
    if args.json {
        super::output::emit_json(&cells)?;
    } else {
        let mut text = table(&cells);
        let count = |v: Verdict| cells.iter().filter(|c| c.verdict == v.id()).count();
        outln!(
            text,
            "\n{} cells: {} safe, {} violation, {} bounded · {} states, {} transitions in {:.3} s on {} thread(s) = {:.0} states/s{}",
            cells.len(),
            count(Verdict::Safe),
            count(Verdict::Violation),
            count(Verdict::Bounded),
            states,
            transitions,
            secs,
            jobs.min(cells.len()),
            states as f64 / secs.max(1e-9),
            if preemptions {
                " (the time includes the preemption searches; --no-preemptions leaves them out)"
            } else {
                ""
            }
        );
        super::output::emit(&text)?;
    }
    let bounded = cells.iter().any(|c| c.verdict == Verdict::Bounded.id());
    Ok(ExitCode::from(if bounded {
        super::exit::BOUNDED
    } else {
        super::exit::SAFE
    }))
}
