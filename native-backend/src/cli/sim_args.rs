//! The arguments that pick a world: scenario (by id or JSON file), strategy (+ knobs), memory model.

use super::knobs;
use anyhow::{Context, Result};
use clap::Args;
use core_sim::{MemoryModel, Scenario, Sim, Strategy};
use std::path::PathBuf;

/// Which scenario: a shipped id or a JSON file.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct ScenarioArg {
    /// Shipped scenario id (see `avic-lab list`).
    #[arg(long, value_name = "ID")]
    pub scenario: Option<String>,
    /// Scenario JSON file (as saved by the web app).
    #[arg(long, value_name = "FILE")]
    pub scenario_file: Option<PathBuf>,
}

/// Scenario, strategy, knobs and memory model.
#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    #[command(flatten)]
    pub scenario: ScenarioArg,
    /// Strategy preset id (see `avic-lab list`).
    #[arg(long, value_name = "ID")]
    pub strategy: String,
    /// Custom knobs on top of the preset, e.g. `write_once=0,smp_mb=1`.
    #[arg(long, value_name = "K=V,...")]
    pub knobs: Option<String>,
    /// Memory model: sc or tso.
    #[arg(long, value_name = "MODEL", default_value = "sc")]
    pub memory: String,
    /// Programs that replace operations of the strategy (`docs/program-language.md`; start
    /// from `avic-lab export --program OP`).
    #[arg(long, value_name = "FILE")]
    pub program_file: Option<PathBuf>,
}

/// Read a program file (at most [`core_sim::program::text::MAX_TEXT`] bytes) into a patch;
/// errors name `FILE:line:col`.
pub fn load_program_file(path: &std::path::Path) -> Result<core_sim::program::text::Patch> {
    use std::io::Read;
    let name = core_sim::text::shown(&path.display().to_string(), 200);
    let cap = core_sim::program::text::MAX_TEXT;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(cap as u64 + 1).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read program file '{name}'"))?;
    if bytes.len() > cap {
        anyhow::bail!(
            "program file '{name}' is longer than {cap} bytes: program files are at most 64 KiB"
        );
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "program file '{name}' is not UTF-8 text (byte {} is not)",
            e.utf8_error().valid_up_to()
        )
    })?;
    core_sim::program::text::Patch::parse(&text).map_err(|errors| {
        anyhow::anyhow!(
            "program file '{name}' has errors:\n{}",
            core_sim::program::text::report(&format!("{name}:"), &errors)
        )
    })
}

/// Compile a world with a program file's patch applied; errors name `FILE:line:col`.
pub fn patched(
    scenario: Scenario,
    strategy: Strategy,
    memory: MemoryModel,
    path: &std::path::Path,
) -> Result<Sim> {
    let patch = load_program_file(path)?;
    let name = core_sim::text::shown(&path.display().to_string(), 200);
    Sim::with_patch(scenario, strategy, memory, patch).map_err(|e| match e {
        core_sim::sim::PatchError::Program(errors) => anyhow::anyhow!(
            "program file '{name}' does not fit this world:\n{}",
            core_sim::program::text::report(&format!("{name}:"), &errors)
        ),
        other => anyhow::Error::new(other),
    })
}

/// Load a scenario JSON file with a clear error, reading at most
/// [`core_sim::scenario::MAX_JSON`] bytes of it (`/dev/zero` is refused after 1 MiB, not read
/// until memory runs out).
pub fn load_scenario_file(path: &std::path::Path) -> Result<Scenario> {
    use std::io::Read;
    let name = core_sim::text::shown(&path.display().to_string(), 200);
    let cap = core_sim::scenario::MAX_JSON;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(cap as u64 + 1).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read scenario file '{name}'"))?;
    if bytes.len() > cap {
        anyhow::bail!(
            "scenario file '{name}' is longer than 1 MiB: scenario files are at most 1 MiB"
        );
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "scenario file '{name}' is not UTF-8 text (byte {} is not)",
            e.utf8_error().valid_up_to()
        )
    })?;
    Scenario::from_json(&text).with_context(|| format!("scenario file '{name}'"))
}

/// A scenario with no oracle judges nothing: a check of it would say SAFE about nothing. The
/// commands that give a verdict refuse it (exit 3) with this message.
pub fn require_oracles(sim: &Sim) -> Result<()> {
    if sim.scenario.oracles.is_empty() {
        anyhow::bail!(
            "no oracle selected: nothing was checked (scenario '{}' has \"oracles\": []; list \
             the violation kinds to look for, or leave the field out for all of them)",
            sim.scenario.id
        );
    }
    Ok(())
}

/// Parse a memory model id.
pub fn memory(id: &str) -> Result<MemoryModel> {
    MemoryModel::from_id(id).map_err(anyhow::Error::msg)
}

impl SimArgs {
    /// The scenario named.
    pub fn scenario(&self) -> Result<Scenario> {
        match (&self.scenario.scenario, &self.scenario.scenario_file) {
            (Some(id), _) => Ok(core_sim::scenario::by_id(id)?),
            (None, Some(path)) => load_scenario_file(path),
            (None, None) => anyhow::bail!("give --scenario ID or --scenario-file FILE"),
        }
    }

    /// The strategy: the preset with the knobs applied.
    pub fn strategy(&self) -> Result<Strategy> {
        let base = Strategy::preset(&self.strategy)?;
        match &self.knobs {
            Some(spec) => Ok(Strategy::custom(knobs::apply(base.knobs, spec)?)),
            None => Ok(base),
        }
    }

    /// Compile the world.
    pub fn sim(&self) -> Result<Sim> {
        let scenario = self.scenario()?;
        let strategy = self.strategy()?;
        let memory = memory(&self.memory)?;
        match &self.program_file {
            Some(path) => patched(scenario, strategy, memory, path),
            None => Ok(Sim::new(scenario, strategy, memory)?),
        }
    }

    /// The same world as command-line arguments (for "replay with" hints).
    pub fn to_cli(&self, sim: &Sim) -> String {
        let mut out = match (&self.scenario.scenario, &self.scenario.scenario_file) {
            (Some(id), _) => format!("--scenario {}", quote(id)),
            (None, Some(p)) => format!("--scenario-file {}", quote(&p.display().to_string())),
            (None, None) => String::new(),
        };
        out.push_str(&format!(" --strategy {}", quote(&self.strategy)));
        if let Ok(base) = Strategy::preset(&self.strategy) {
            let d = knobs::diff(&base.knobs, &sim.strategy.knobs);
            if !d.is_empty() {
                out.push_str(&format!(" --knobs {d}"));
            }
        }
        out.push_str(&format!(" --memory {}", sim.memory.id()));
        if let Some(p) = &self.program_file {
            out.push_str(&format!(
                " --program-file {}",
                quote(&p.display().to_string())
            ));
        }
        out
    }

    /// The strategy's display name (`lock-fix` or `custom(...)`), plus the preset it started from.
    pub fn strategy_name(&self, sim: &Sim) -> String {
        let name = match sim.strategy.preset_id() {
            Some(id) => id.to_string(),
            None => format!("{} + knobs: {}", self.strategy, sim.strategy.knobs),
        };
        match &sim.patch {
            Some(p) => format!("{name} + {}", patched_ops(p)),
            None => name,
        }
    }
}

/// The operations a patch replaced, `vcpu_put (vCPU0 thread)` each, for JSON reports.
pub fn edited(sim: &Sim) -> Option<Vec<String>> {
    sim.patch.as_ref().map(|p| {
        p.programs
            .iter()
            .map(|r| format!("{} ({})", r.op, r.actor))
            .collect()
    })
}

/// "edited vcpu_put (vCPU0 thread)", for a world's title line.
pub fn patched_ops(p: &core_sim::program::text::Patch) -> String {
    let ops: Vec<String> = p
        .programs
        .iter()
        .map(|r| format!("{} ({})", r.op, r.actor))
        .collect();
    format!("edited {}", ops.join(", "))
}

/// Quote for a POSIX shell if needed.
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=,:+@%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting() {
        assert_eq!(quote("lock-fix"), "lock-fix");
        assert_eq!(quote("my file.json"), "'my file.json'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }
}
