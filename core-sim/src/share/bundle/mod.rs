//! The host-report bundle: one JSON file that carries a machine's evidence about the race next to
//! the model's, so that an engineer with an AMD host can send it to one without
//! (`avic-lab host-report` writes it; `avic-lab host-report --show` and the web app's Host
//! evidence view read it). Format documented in `docs/host-report.md`.
//!
//! ```text
//! { "format": "avic-lab host-report", "version": 1, "tool": "avic-lab 0.1.0", "created_unix": …,
//!   "budget": { "runs", "seed", "pct_depth", "stress_seconds", "max_states" },
//!   "host":   { "statement", "can_exercise_race", "arch", "cpu_vendor", "cpu_model", "cores",
//!               "kernel", "kernel_preset", "avic", "kvm_amd_avic", "iommu_ga", "hypervisor",
//!               "virtualization", "summary": [..], "trace": {"recorded": {..}} | {"not-recorded": {"why"}} },
//!   "cells":  [ { "scenario", "strategy", "memory", "model": {exhaustive, uniform, pct, pct_depth},
//!                 "stress": {"ran": {..}} | {"skipped": {"why"}} }, … ] }
//! ```
//!
//! One job per file: this one the types, [`read`] the validated reader (size bounds, version,
//! known cell ids, counts that add up: every problem an error in words, never a panic),
//! [`table`] the joined row per cell and its text.

pub mod read;
pub mod table;

use crate::analysis::evidence::ModelEvidence;
use crate::strategy::MemoryModel;
use crate::vocab::ViolationKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use read::{BundleError, MAX_BUNDLE, MAX_CELLS};
pub use table::{join, recheck, Recheck, Row, Table};

/// The `format` field of every bundle.
pub const FORMAT: &str = "avic-lab host-report";
/// The version this code writes and reads.
pub const VERSION: u32 = 1;

/// A whole bundle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// The program that wrote it, with its version (`avic-lab 0.1.0`).
    pub tool: String,
    /// When it was written, seconds since 1970 (UTC).
    pub created_unix: u64,
    /// What was spent on each cell.
    pub budget: Budget,
    /// The machine it was made on.
    pub host: Host,
    /// One entry per cell, each cell once.
    pub cells: Vec<CellEvidence>,
}

/// What was spent on each cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Uniform runs, and as many PCT runs.
    pub runs: u64,
    /// First seed of both.
    pub seed: u64,
    /// PCT bug depth.
    pub pct_depth: u8,
    /// Seconds of `stress` per cell.
    pub stress_seconds: f64,
    /// State bound of the exhaustive searches.
    pub max_states: usize,
}

/// The machine the bundle was made on, from `avic-lab probe`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Host {
    /// One sentence on what this machine is and what its numbers can show (for a machine that
    /// cannot run the real race: that it cannot, and why).
    pub statement: String,
    /// The probe found an AMD CPU with AVIC and kvm_amd using it: the real race can run here.
    pub can_exercise_race: bool,
    /// `x86_64`, …
    pub arch: String,
    /// CPU vendor (`AuthenticAMD`), if read.
    pub cpu_vendor: Option<String>,
    /// CPU model name, if read.
    pub cpu_model: Option<String>,
    /// Online cores.
    pub cores: u32,
    /// Kernel release, if read.
    pub kernel: Option<String>,
    /// The strategy preset that kernel's code corresponds to, if known.
    pub kernel_preset: Option<String>,
    /// The CPU reports AVIC (CPUID or /proc/cpuinfo), if known.
    pub avic: Option<bool>,
    /// kvm_amd is loaded with avic=Y, if known.
    pub kvm_amd_avic: Option<bool>,
    /// An AMD IOMMU reports GASup (posted device interrupts), if known.
    pub iommu_ga: Option<bool>,
    /// Running under a hypervisor, if known.
    pub hypervisor: Option<bool>,
    /// What systemd-detect-virt said, if it ran.
    pub virtualization: Option<String>,
    /// The probe's one-line conclusions.
    pub summary: Vec<String>,
    /// A kernel trace of the real race, or why there is none.
    pub trace: TraceEvidence,
}

/// A recorded kernel trace (`scripts/record-avic-trace.sh`, analysed as `avic-lab trace` does).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TraceEvidence {
    /// A trace was recorded (or given) and analysed.
    Recorded {
        /// Where it came from (a file name, or the recording script and its duration).
        source: String,
        /// Lines read.
        lines: u64,
        /// Events decoded.
        events: u64,
        /// Events per name.
        event_counts: BTreeMap<String, u64>,
        /// Findings of the trace analysis.
        findings: u64,
        /// The first few findings, one line each.
        first_findings: Vec<String>,
    },
    /// None was recorded.
    NotRecorded {
        /// Why not (the host does not allow it, `--no-trace`, …).
        why: String,
    },
}

/// One cell's evidence, the model's and the host's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellEvidence {
    /// Shipped scenario id.
    pub scenario: String,
    /// Preset id.
    pub strategy: String,
    /// Memory model of the model's evidence (the host's memory is its own: x86-TSO on x86).
    pub memory: MemoryModel,
    /// Exhaustive, uniform and PCT.
    pub model: ModelEvidence,
    /// `stress` on the host.
    pub stress: StressEvidence,
}

/// What `avic-lab stress` measured for a cell, or why it did not run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StressEvidence {
    /// It ran.
    Ran(StressRun),
    /// It did not run.
    Skipped {
        /// Why not.
        why: String,
    },
}

/// A `stress` run: real threads on real cores running the cell's micro-step programs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StressRun {
    /// Iterations judged.
    pub iterations: u64,
    /// Wall time.
    pub seconds: f64,
    /// Iterations that did not settle in time (judged without the end-of-run oracles).
    pub timeouts: u64,
    /// Threads of the scenario.
    pub threads: u32,
    /// Cores they were spread over.
    pub cores: u32,
    /// Iterations that showed each kind (kinds never seen are left out).
    pub hits: BTreeMap<ViolationKind, u64>,
}

impl StressRun {
    /// Iterations that showed `kind`, per million iterations.
    pub fn per_million(&self, kind: ViolationKind) -> f64 {
        let n = self.hits.get(&kind).copied().unwrap_or(0);
        n as f64 * 1e6 / self.iterations.max(1) as f64
    }
}

impl Bundle {
    /// The bundle as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
