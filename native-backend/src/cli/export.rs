//! `avic-lab export --promela`: the compiled world as a Promela model for SPIN (`docs/spin.md`).

use super::output;
use super::sim_args::{self, SimArgs};
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `avic-lab export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub sim: SimArgs,
    /// Write a Promela model (the only format so far; required, so a later format is a new flag).
    #[arg(long, required = true)]
    pub promela: bool,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Run `avic-lab export`.
pub fn run(args: ExportArgs) -> Result<ExitCode> {
    let sim = args.sim.sim()?;
    sim_args::require_oracles(&sim)?;
    let model = core_sim::export::promela(&sim)?;
    match &args.output {
        Some(path) => std::fs::write(path, &model).with_context(|| {
            format!(
                "cannot write '{}'",
                core_sim::text::shown(&path.display().to_string(), 200)
            )
        })?,
        None => output::emit(&model)?,
    }
    Ok(ExitCode::SUCCESS)
}
