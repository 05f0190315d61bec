//! `avic-lab`: the AVIC / IRTE race lab on the command line.
//!
//! Model commands (`check`, `coverage`, `matrix`, `replay`, `diff`, `open`, `random`, `export`, `list`) drive `core-sim`; host commands
//! (`stress`, `probe`, `trace`, `host-report`) run on the real machine.
//!
//! Exit status: 0 safe / nothing found, 1 violation, 2 bounded or cancelled search,
//! 3 usage or input error.

#[macro_use]
mod cli;
mod host;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// The AVIC race lab: model-check the KVM AVIC load/put vs. IOMMU IRTE update race.
#[derive(Debug, Parser)]
#[command(name = "avic-lab", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Exhaustively check one scenario under one strategy and memory model.
    Check(cli::check::CheckArgs),
    /// Which pseudo-code lines no schedule runs, and which every counterexample of a kind runs.
    Coverage(cli::coverage::CoverageArgs),
    /// Check every scenario x strategy preset x memory model.
    Matrix(cli::matrix::MatrixArgs),
    /// Replay a schedule string step by step.
    Replay(cli::replay::ReplayArgs),
    /// One schedule, two worlds: replay a run in another strategy or memory model, aligned step by step.
    Diff(cli::diff::DiffArgs),
    /// Open a share link from the web app, or a guided lesson, on the terminal.
    Open(cli::open::OpenArgs),
    /// Seeded random (or PCT) runs: what do they hit?
    Random(cli::random::RandomArgs),
    /// Write the compiled world as a model for another checker (`--promela`: SPIN).
    Export(cli::export::ExportArgs),
    /// List scenarios, strategies, knobs, memory models and violation kinds.
    List(cli::list::ListArgs),
    /// The words the lab uses, defined (AVIC, IRTE, IsRun, GA log, ir_list, x86-TSO, ...).
    Glossary(cli::glossary::GlossaryArgs),
    /// Run the protocols on real host threads.
    Stress(host::stress::StressArgs),
    /// Inspect the host machine.
    Probe(host::probe::ProbeArgs),
    /// Replay recorded kernel traces.
    Trace(host::trace::TraceArgs),
    /// Probe, stress every cell, trace where allowed: one JSON bundle (`--show FILE` reads one).
    HostReport(host::report::HostReportArgs),
}

fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Check(a) => cli::check::run(a),
        Command::Coverage(a) => cli::coverage::run(a),
        Command::Matrix(a) => cli::matrix::run(a),
        Command::Replay(a) => cli::replay::run(a),
        Command::Diff(a) => cli::diff::run(a),
        Command::Open(a) => cli::open::run(a),
        Command::Random(a) => cli::random::run(a),
        Command::Export(a) => cli::export::run(a),
        Command::List(a) => cli::list::run(a),
        Command::Glossary(a) => cli::glossary::run(a),
        Command::Stress(a) => host::stress::run(a),
        Command::Probe(a) => host::probe::run(a),
        Command::Trace(a) => host::trace::run(a),
        Command::HostReport(a) => host::report::run(a),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return cli::exit::clap_error(e),
    };
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(e) => cli::exit::error(&e),
    }
}
