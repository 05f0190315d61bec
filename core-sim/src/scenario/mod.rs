//! Scenarios: what runs (threads and their operations) from which initial state; the shipped
//! ones; validation with clear errors; JSON round trips.
//!
//! `validate` holds the rules a scenario must follow, `shipped` the scenarios the lab ships,
//! `edit` the removals that keep every reference pointing at the same part.

mod compact;
mod edit;
mod larger;
mod shipped;
mod validate;

pub use self::edit::{InUse, Use};
pub use self::validate::{Field, FieldError};

pub use self::compact::{CompactError, MAX_COMPACT};
pub use self::larger::larger;
pub use self::shipped::{by_id, ids, shipped};
use crate::program::{Actor, Op};
use crate::text;
use crate::vocab::ViolationKind;
use serde::{Deserialize, Serialize};

/// Size limits that keep every scenario small enough to explore.
pub const MAX_PCPUS: u8 = 4;

/// At most this many vCPUs.
pub const MAX_VCPUS: u8 = 4;

/// At most this many IRTEs (vector `i` belongs to IRTE `i`; vector 7 is the IPI vector).
pub const MAX_IRTES: u8 = 7;

/// At most this many scripted threads (the GA-log handler makes one more).
pub const MAX_THREADS: usize = 9;

/// At most this many operations per thread.
pub const MAX_OPS: usize = 8;

/// The vector guest IPIs use.
pub const IPI_VECTOR: u8 = 7;

/// Where a vCPU starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VcpuStart {
    /// In the guest on `pcpu`.
    InGuest,
    /// Loaded on `pcpu`, outside the guest.
    Loaded,
    /// Scheduled out; `pcpu` is the last one it ran on.
    Preempted,
}

/// A vCPU's initial state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VcpuInit {
    /// Life-cycle state.
    pub state: VcpuStart,
    /// The pCPU it is on (or last ran on).
    pub pcpu: u8,
}

/// An IRTE's initial state: the vCPU the guest aims the interrupt at, and whether the IRTE already
/// posts to it (GA mode, on its ir_list, consistent with its entry) or is still remapped (legacy).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IrteInit {
    /// The vCPU the guest's MSI targets.
    #[serde(default)]
    pub vcpu: u8,
    /// Already posted (GA mode) to that vCPU.
    #[serde(default)]
    pub posted: bool,
}

/// One scripted thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadSpec {
    /// Display name (defaults from the actor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Who runs it.
    pub actor: Actor,
    /// Its operations, in order.
    pub ops: Vec<Op>,
}

/// A scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// What it shows.
    #[serde(default)]
    pub description: String,
    /// Number of pCPUs.
    pub pcpus: u8,
    /// vCPUs by id.
    pub vcpus: Vec<VcpuInit>,
    /// IRTEs by index.
    #[serde(default)]
    pub irtes: Vec<IrteInit>,
    /// Scripted threads.
    pub threads: Vec<ThreadSpec>,
    /// The oracles that judge it.
    #[serde(default = "all_oracles")]
    pub oracles: Vec<ViolationKind>,
}

fn all_oracles() -> Vec<ViolationKind> {
    ViolationKind::ALL.to_vec()
}

/// Why a scenario cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// Not valid JSON for a scenario.
    #[error("scenario JSON: {0}")]
    Json(String),
    /// Valid JSON, impossible machine or script.
    #[error("scenario '{id}': {msg}")]
    Invalid {
        /// Scenario id.
        id: String,
        /// What is wrong.
        msg: String,
    },
    /// Not a valid compact scenario text (a link's `sc=`).
    #[error("scenario text: {0}")]
    Text(String),
    /// No shipped scenario has this id.
    #[error("unknown scenario '{0}'; known: {list}", list = ids().join(", "))]
    Unknown(String),
}

/// Longest scenario JSON accepted, in bytes: a file or a paste (the largest valid scenario is a
/// few KiB).
pub const MAX_JSON: usize = 1 << 20;

impl Scenario {
    /// Parse and validate JSON (at most [`MAX_JSON`] bytes; a leading byte-order mark, as some
    /// editors write, is skipped).
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > MAX_JSON {
            return Err(ScenarioError::Json(format!(
                "{} bytes is too long: scenario files are at most 1 MiB",
                text.len()
            )));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let s: Scenario = serde_json::from_str(text)
            .map_err(|e| ScenarioError::Json(text::escape(&e.to_string()).into_owned()))?;
        s.validate()?;
        Ok(s)
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("scenario serializes")
    }

    /// The display name of thread `t`.
    pub fn thread_name(&self, t: usize) -> String {
        let spec = &self.threads[t];
        spec.name.clone().unwrap_or_else(|| spec.actor.to_string())
    }

    /// Whether the GA-log handler runs (any device thread).
    pub fn has_ga_log_handler(&self) -> bool {
        self.threads.iter().any(|t| t.actor == Actor::Device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_scenarios_validate_and_round_trip() {
        for s in shipped() {
            s.validate().unwrap();
            assert_eq!(Scenario::from_json(&s.to_json()).unwrap(), s);
        }
    }

    #[test]
    fn bad_json_is_a_clear_error() {
        let e = Scenario::from_json("{\"id\": 3").unwrap_err().to_string();
        assert!(e.starts_with("scenario JSON:"), "{e}");
        let e = Scenario::from_json("{}").unwrap_err().to_string();
        assert!(e.contains("missing field"), "{e}");
    }

    #[test]
    fn impossible_scenarios_are_rejected_with_reasons() {
        let mut s = by_id("migrate-vs-affinity").unwrap();
        s.threads[0].ops.insert(0, Op::Enter);
        let e = s.validate().unwrap_err().to_string();
        assert!(
            e.contains("vCPU0 cannot 'enter guest' while in the guest"),
            "{e}"
        );

        let mut s = by_id("migrate-vs-affinity").unwrap();
        s.threads[0].ops[2] = Op::Load { pcpu: 9 };
        assert!(s.validate().unwrap_err().to_string().contains("pCPU9"));

        let mut s = by_id("block-ga-log").unwrap();
        s.threads[1].ops = vec![Op::Put];
        assert!(s
            .validate()
            .unwrap_err()
            .to_string()
            .contains("cannot run 'vcpu_put'"));

        let mut s = by_id("running-retarget").unwrap();
        s.vcpus[1].pcpu = 0;
        assert!(s
            .validate()
            .unwrap_err()
            .to_string()
            .contains("both loaded on pCPU0"));
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let s = by_id("block-ga-log").unwrap();
        let text = format!("\u{feff}{}", s.to_json());
        assert_eq!(Scenario::from_json(&text), Ok(s));
    }

    #[test]
    fn oversized_json_is_refused_before_parsing() {
        let text = format!("{{\"id\": \"{}\"}}", "x".repeat(MAX_JSON));
        let e = Scenario::from_json(&text).unwrap_err().to_string();
        assert!(e.contains("scenario files are at most 1 MiB"), "{e}");
    }

    #[test]
    fn ids_and_names_are_plain_short_text() {
        let evil = "x\u{1b}[2J\u{1b}]0;pwned\u{7}\nverdict: SAFE";
        let mut s = by_id("block-ga-log").unwrap();
        s.id = evil.into();
        let e = Scenario::from_json(&s.to_json()).unwrap_err().to_string();
        assert!(e.contains("scenario id") && e.contains("\\u{1b}"), "{e}");
        assert!(!e.chars().any(text::is_unsafe), "{e:?}");

        let mut s = by_id("block-ga-log").unwrap();
        s.threads[0].name = Some("evil\rverdict: SAFE".into());
        let e = s.validate().unwrap_err().to_string();
        assert!(e.contains("thread 0's name") && e.contains("\\r"), "{e}");
        assert!(!e.chars().any(text::is_unsafe), "{e:?}");

        let mut s = by_id("block-ga-log").unwrap();
        s.threads[1].name = Some("n".repeat(text::MAX_NAME + 1));
        assert!(s.validate().unwrap_err().to_string().contains("at most 80"));
        let mut s = by_id("block-ga-log").unwrap();
        s.title = "\u{202e}SAFE".into();
        assert!(s.validate().unwrap_err().to_string().contains("the title"));
        let mut s = by_id("block-ga-log").unwrap();
        s.id = "a".repeat(text::MAX_ID + 1);
        assert!(s.validate().unwrap_err().to_string().contains("at most 64"));
    }

    #[test]
    fn unknown_ids_are_echoed_escaped() {
        let e = by_id("\u{1b}[2Jnope").unwrap_err().to_string();
        assert!(e.starts_with("unknown scenario '\\u{1b}[2Jnope'"), "{e}");
    }

    #[test]
    fn unknown_id_lists_the_known_ones() {
        let e = by_id("nope").unwrap_err().to_string();
        assert!(e.contains("put-block-vs-affinity"), "{e}");
    }
}
