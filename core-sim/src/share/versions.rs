//! The parameter names of each link format version.

/// Parameter names that only version 2 uses.
pub(super) const V2_KEYS: [&str; 7] = ["s", "sj", "t", "m", "r", "at", "l"];

/// The spelling of each parameter in one format version.
pub(super) struct Names {
    pub(super) scenario: &'static str,
    pub(super) scenario_json: &'static str,
    pub(super) strategy: &'static str,
    pub(super) memory: &'static str,
    pub(super) schedule: &'static str,
    pub(super) step: &'static str,
}

pub(super) const V1_NAMES: Names = Names {
    scenario: "scenario",
    scenario_json: "scenario_json",
    strategy: "strategy",
    memory: "memory",
    schedule: "schedule",
    step: "step",
};

pub(super) const V2_NAMES: Names = Names {
    scenario: "s",
    scenario_json: "sj",
    strategy: "t",
    memory: "m",
    schedule: "r",
    step: "at",
};
