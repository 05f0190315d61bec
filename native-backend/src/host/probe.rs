//! `avic-lab probe` (work in progress).

use std::process::ExitCode;

/// Arguments of `avic-lab probe`.
#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Run `avic-lab probe`.
pub fn run(args: ProbeArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    println!("avic-lab probe: under construction");
    Ok(ExitCode::SUCCESS)
}
