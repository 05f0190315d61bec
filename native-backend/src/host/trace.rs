//! `avic-lab trace` (work in progress).

use std::process::ExitCode;

/// Arguments of `avic-lab trace`.
#[derive(Debug, clap::Args)]
pub struct TraceArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Run `avic-lab trace`.
pub fn run(args: TraceArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    println!("avic-lab trace: under construction");
    Ok(ExitCode::SUCCESS)
}
