//! `avic-lab export --promela`: the compiled world as a Promela model for SPIN (`docs/spin.md`);
//! `avic-lab export --program OP`: an operation's program as text (`docs/program-language.md`),
//! to edit and load back with `--program-file`.

use super::output;
use super::sim_args::{self, SimArgs};
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `avic-lab export`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("format").required(true).args(["promela", "program"])))]
pub struct ExportArgs {
    #[command(flatten)]
    pub sim: SimArgs,
    /// Write a Promela model.
    #[arg(long)]
    pub promela: bool,
    /// Write the program of every thread's operation OP (e.g. put, update_affinity, load; `all`
    /// for every operation) as text, each headed by the thread and operation it replaces.
    #[arg(long, value_name = "OP")]
    pub program: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Run `avic-lab export`.
pub fn run(args: ExportArgs) -> Result<ExitCode> {
    let sim = args.sim.sim()?;
    let model = match &args.program {
        Some(op) => programs(&sim, op)?,
        None => {
            sim_args::require_oracles(&sim)?;
            core_sim::export::promela(&sim)?
        }
    };
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

/// The text of every scripted operation named `op` (or all of them).
fn programs(sim: &core_sim::Sim, op: &str) -> Result<String> {
    use core_sim::program::text;
    let mut out = Vec::new();
    let mut names = Vec::new();
    for (t, spec) in sim.scenario.threads.iter().enumerate() {
        for (o, each) in spec.ops.iter().enumerate() {
            let name = text::op_name(*each);
            if op == "all" || name == op {
                out.push(text::print_program(
                    Some((spec.actor, *each)),
                    &sim.threads[t].programs[o],
                ));
            }
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    if out.is_empty() {
        anyhow::bail!(
            "no thread of scenario '{}' runs '{}'; it runs: {} (or give all)",
            sim.scenario.id,
            core_sim::text::shown(op, 64),
            names.join(", ")
        );
    }
    Ok(out.join("\n"))
}
