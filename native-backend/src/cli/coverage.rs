//! `avic-lab coverage`: the pseudo-code with the lines no schedule runs (a vacuity check) and the
//! lines every counterexample of a kind runs, over every reachable state of one world.

use super::exit;
use super::limits;
use super::sim_args::{self, SimArgs};
use anyhow::Result;
use clap::Args;
use core_sim::analysis::{coverage, Coverage};
use core_sim::{view, Sim, ViolationKind};
use serde::Serialize;
use std::process::ExitCode;

/// Arguments of `avic-lab coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub sim: SimArgs,
    /// Stop after this many states, 1..=50000000 (every state is kept with its edges).
    #[arg(long, value_name = "N", default_value_t = 5_000_000)]
    pub max_states: usize,
    /// Print JSON on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The most states `--max-states` accepts: the search keeps every state and edge in memory.
pub const MAX_STATES: usize = 50_000_000;

/// One line in `--json`.
#[derive(Serialize)]
struct LineJson {
    func: String,
    code: String,
    /// Some schedule runs it.
    runs: bool,
    /// The kinds every counterexample of which runs it.
    needed_by: Vec<&'static str>,
}

#[derive(Serialize)]
struct ListingJson {
    title: String,
    lines: Vec<LineJson>,
}

#[derive(Serialize)]
struct ThreadJson {
    name: String,
    listings: Vec<ListingJson>,
}

#[derive(Serialize)]
struct CoverageJson {
    scenario: String,
    strategy: String,
    memory_model: &'static str,
    states: usize,
    kinds: Vec<&'static str>,
    dead_lines: usize,
    threads: Vec<ThreadJson>,
}

fn to_json(args: &CoverageArgs, sim: &Sim, cov: &Coverage) -> CoverageJson {
    let kinds: Vec<ViolationKind> = cov.in_every.keys().copied().collect();
    let threads = (0..sim.threads.len())
        .map(|t| ThreadJson {
            name: sim.thread_name(t).to_string(),
            listings: view::listing(sim, t)
                .into_iter()
                .enumerate()
                .map(|(p, listing)| ListingJson {
                    title: listing.title,
                    lines: listing
                        .lines
                        .into_iter()
                        .enumerate()
                        .map(|(l, (func, code))| LineJson {
                            func,
                            code,
                            runs: cov.executed[t][p][l],
                            needed_by: kinds
                                .iter()
                                .filter(|k| cov.in_every[k][t][p][l])
                                .map(|k| k.id())
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    CoverageJson {
        scenario: sim.scenario.id.clone(),
        strategy: args.sim.strategy_name(sim),
        memory_model: sim.memory.id(),
        states: cov.states,
        kinds: kinds.iter().map(|k| k.id()).collect(),
        dead_lines: cov.dead().len(),
        threads,
    }
}

/// The listing with a mark column per reachable kind and `never` on dead lines.
fn to_text(report: &CoverageJson) -> String {
    let mut text = String::new();
    outln!(
        text,
        "{} under {} ({}): {} states, every one visited",
        report.scenario,
        report.strategy,
        report.memory_model,
        report.states
    );
    outln!(text);
    for (i, k) in report.kinds.iter().enumerate() {
        outln!(
            text,
            "  column {}: '*' on a line every {k} counterexample runs",
            i + 1
        );
    }
    outln!(text, "  'never': no reachable state runs the line");
    let width = report
        .threads
        .iter()
        .flat_map(|t| &t.listings)
        .flat_map(|l| &l.lines)
        .map(|l| l.func.chars().count())
        .max()
        .unwrap_or(0);
    for th in &report.threads {
        for listing in &th.listings {
            outln!(text);
            outln!(text, "{} · {}", th.name, listing.title);
            for (n, line) in listing.lines.iter().enumerate() {
                let marks: String = report
                    .kinds
                    .iter()
                    .map(|k| if line.needed_by.contains(k) { '*' } else { ' ' })
                    .collect();
                let runs = if line.runs { "     " } else { "never" };
                outln!(
                    text,
                    "  {:>3} {marks} {runs}  {:<width$} {}",
                    n + 1,
                    line.func,
                    line.code
                );
            }
        }
    }
    outln!(text);
    outln!(
        text,
        "{} line(s) never run in this world; a verdict says nothing about them.",
        report.dead_lines
    );
    text
}

/// Run `avic-lab coverage`.
pub fn run(args: CoverageArgs) -> Result<ExitCode> {
    let sim = args.sim.sim()?;
    sim_args::require_oracles(&sim)?;
    let max_states = limits::within("--max-states", args.max_states, 1, MAX_STATES)?;
    let cov = match coverage(&sim, max_states) {
        Ok(cov) => cov,
        Err(stopped) => {
            eprintln!("{stopped}: raise --max-states (up to {MAX_STATES}) for an answer");
            return Ok(ExitCode::from(exit::BOUNDED));
        }
    };
    let report = to_json(&args, &sim, &cov);
    if args.json {
        super::output::emit_json(&report)?;
    } else {
        super::output::emit(&to_text(&report))?;
    }
    Ok(ExitCode::from(exit::SAFE))
}
