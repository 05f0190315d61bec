//! The page's URL state: which world (scenario, strategy, memory model), which run (a schedule
//! string) and which step of it is on screen, and which view.
//!
//! Version 1, deliberately minimal:
//!
//! ```text
//! ?v=1&scenario=<id>&strategy=<preset id>&memory=sc|tso&schedule=<0-9 a-j>&step=<n>&view=matrix
//! ?strategy=custom&knobs=lock=1,target=under-list-lock,read_once=1,write_once=1,mb=0,kick=0,galog_blocking=0
//! ?scenario_json=<percent-encoded scenario JSON>   (instead of scenario=, for edited scenarios)
//! ```
//!
//! Decoding never fails: every parameter that does not make sense becomes a message for the page
//! and falls back to its default, so a corrupt link still opens a working page. Everything here
//! is plain Rust (no browser API) so it is unit-tested natively; extend it by bumping [`VERSION`].

use core_sim::strategy::{IrteTarget, Knobs, MemoryModel, Strategy, PRESETS};

/// The URL format version this module writes.
pub const VERSION: u32 = 1;

/// The scenario a link names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioRef {
    /// A shipped scenario, by id.
    Shipped(String),
    /// A scenario given as JSON (validated by the caller).
    Json(String),
}

/// Which page view is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum View {
    /// Scheduler, code, state, timeline.
    #[default]
    Explorer,
    /// Strategy × scenario verdicts.
    Matrix,
}

/// Everything a link says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The scenario.
    pub scenario: ScenarioRef,
    /// The strategy's knobs (a preset's or custom ones).
    pub knobs: Knobs,
    /// The memory model.
    pub memory: MemoryModel,
    /// The run, as a schedule string (not yet validated against the scenario).
    pub schedule: String,
    /// The step on screen (`None`: the end of the schedule).
    pub step: Option<usize>,
    /// The view.
    pub view: View,
}

/// The first shipped scenario's id: the page's default.
pub fn default_scenario() -> String {
    core_sim::scenario::shipped()
        .first()
        .map(|s| s.id.clone())
        .unwrap_or_default()
}

/// The default strategy: the first preset.
pub fn default_knobs() -> Knobs {
    PRESETS[0].knobs
}

impl Default for Link {
    fn default() -> Self {
        Link {
            scenario: ScenarioRef::Shipped(default_scenario()),
            knobs: default_knobs(),
            memory: MemoryModel::Sc,
            schedule: String::new(),
            step: None,
            view: View::Explorer,
        }
    }
}

/// Longest schedule parameter accepted (the core's own limit is checked when replaying).
const MAX_SCHEDULE_PARAM: usize = 10_000;
/// Longest scenario JSON accepted in a link.
const MAX_SCENARIO_JSON: usize = 20_000;

/// Parse a query string (with or without the leading `?`). Returns the link and, for every
/// parameter that was ignored or replaced by its default, a message that says why.
pub fn decode(query: &str) -> (Link, Vec<String>) {
    let mut link = Link::default();
    let mut errors = Vec::new();
    let mut strategy: Option<String> = None;
    let mut knobs: Option<String> = None;
    for (key, value) in pairs(query) {
        match key.as_str() {
            "v" if !value.parse::<u32>().is_ok_and(|v| v <= VERSION) => errors.push(format!(
                "This link was made by a newer version of the lab (format '{value}'); some of it may be ignored."
            )),
            "scenario" => link.scenario = ScenarioRef::Shipped(value),
            "scenario_json" => {
                if value.len() > MAX_SCENARIO_JSON {
                    errors.push(format!(
                        "The link's scenario JSON is {} bytes, more than the {MAX_SCENARIO_JSON} accepted; using the default scenario.",
                        value.len()
                    ));
                } else {
                    link.scenario = ScenarioRef::Json(value);
                }
            }
            "strategy" => strategy = Some(value),
            "knobs" => knobs = Some(value),
            "memory" => match MemoryModel::from_id(&value) {
                Ok(m) => link.memory = m,
                Err(e) => errors.push(format!("Link: {e}. Using sequential consistency (sc).")),
            },
            "schedule" => {
                if value.len() > MAX_SCHEDULE_PARAM {
                    errors.push(format!(
                        "The link's schedule has {} characters, more than the {MAX_SCHEDULE_PARAM} accepted; starting from the initial state.",
                        value.len()
                    ));
                } else {
                    link.schedule = value;
                }
            }
            "step" => match value.parse::<usize>() {
                Ok(n) => link.step = Some(n),
                Err(_) => errors.push(format!(
                    "Link: step '{value}' is not a step number; showing the end of the run."
                )),
            },
            "view" => match value.as_str() {
                "explorer" => link.view = View::Explorer,
                "matrix" => link.view = View::Matrix,
                other => errors.push(format!("Link: unknown view '{other}' (explorer or matrix).")),
            },
            _ => {}
        }
    }
    match (strategy.as_deref(), knobs) {
        (None | Some("custom"), Some(k)) => match decode_knobs(&k) {
            Ok(k) => link.knobs = k,
            Err(e) => errors.push(format!(
                "Link: {e}. Using the '{}' strategy.",
                PRESETS[0].id
            )),
        },
        (Some("custom"), None) => errors.push(format!(
            "Link: strategy 'custom' needs a knobs= parameter. Using the '{}' strategy.",
            PRESETS[0].id
        )),
        (Some(id), _) => match Strategy::preset(id) {
            Ok(s) => link.knobs = s.knobs,
            Err(e) => errors.push(format!("Link: {e}. Using '{}'.", PRESETS[0].id)),
        },
        (None, None) => {}
    }
    (link, errors)
}

/// The query string (with its leading `?`) for a link.
pub fn encode(link: &Link) -> String {
    let mut out = format!("?v={VERSION}");
    match &link.scenario {
        ScenarioRef::Shipped(id) => push(&mut out, "scenario", id),
        ScenarioRef::Json(json) => push(&mut out, "scenario_json", json),
    }
    match Strategy::custom(link.knobs).preset_id() {
        Some(id) => push(&mut out, "strategy", id),
        None => {
            push(&mut out, "strategy", "custom");
            push(&mut out, "knobs", &encode_knobs(&link.knobs));
        }
    }
    push(&mut out, "memory", link.memory.id());
    if !link.schedule.is_empty() {
        push(&mut out, "schedule", &link.schedule);
        if let Some(step) = link.step {
            if step != link.schedule.chars().count() {
                push(&mut out, "step", &step.to_string());
            }
        }
    }
    if link.view == View::Matrix {
        push(&mut out, "view", "matrix");
    }
    out
}

fn push(out: &mut String, key: &str, value: &str) {
    out.push('&');
    out.push_str(key);
    out.push('=');
    out.push_str(&percent_encode(value));
}

/// Custom knobs as `lock=1,target=under-list-lock,read_once=1,…` (the names of
/// [`Knobs`]' `Display`).
pub fn encode_knobs(k: &Knobs) -> String {
    format!(
        "lock={},target={},read_once={},write_once={},mb={},kick={},galog_blocking={}",
        k.lock_in_load_put as u8,
        k.irte_target.id(),
        k.read_once as u8,
        k.write_once as u8,
        k.smp_mb as u8,
        k.kick as u8,
        k.ga_log_only_when_blocking as u8
    )
}

/// Parse [`encode_knobs`]' format; knobs left out keep the first preset's value.
pub fn decode_knobs(text: &str) -> Result<Knobs, String> {
    let mut k = default_knobs();
    for item in text.split([',', ' ']).filter(|s| !s.is_empty()) {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| format!("knob '{item}' has no value (write name=value)"))?;
        let flag = || match value {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(format!("knob {name}={value}: use 0 or 1")),
        };
        match name {
            "lock" => k.lock_in_load_put = flag()?,
            "read_once" => k.read_once = flag()?,
            "write_once" => k.write_once = flag()?,
            "mb" => k.smp_mb = flag()?,
            "kick" => k.kick = flag()?,
            "galog_blocking" => k.ga_log_only_when_blocking = flag()?,
            "target" => {
                k.irte_target = IrteTarget::ALL.into_iter().find(|t| t.id() == value).ok_or_else(|| {
                    let known: Vec<&str> = IrteTarget::ALL.iter().map(|t| t.id()).collect();
                    format!("knob target={value}: unknown; known: {}", known.join(", "))
                })?
            }
            other => {
                return Err(format!(
                    "unknown knob '{other}' (known: lock, target, read_once, write_once, mb, kick, galog_blocking)"
                ))
            }
        }
    }
    Ok(k)
}

/// `key=value` pairs of a query string, percent-decoded (`+` is a space).
fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Percent-encode everything but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decode `%XX` escapes and `+`; malformed escapes are kept as they are, invalid UTF-8 is
/// replaced (never a panic).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_query_is_the_default() {
        let (link, errors) = decode("");
        assert_eq!(link, Link::default());
        assert!(errors.is_empty());
    }

    #[test]
    fn round_trips_presets_and_custom_knobs() {
        let mut link = Link {
            scenario: ScenarioRef::Shipped("migrate-vs-affinity".into()),
            knobs: Strategy::preset("lock-fix").unwrap().knobs,
            memory: MemoryModel::Tso,
            schedule: "0012a1".into(),
            step: Some(3),
            view: View::Explorer,
        };
        let q = encode(&link);
        assert!(
            q.contains("strategy=lock-fix") && q.contains("step=3"),
            "{q}"
        );
        assert_eq!(decode(&q), (link.clone(), vec![]));

        link.knobs.kick = true;
        link.knobs.irte_target = IrteTarget::AfterListAdd;
        link.view = View::Matrix;
        let q = encode(&link);
        assert!(q.contains("strategy=custom"), "{q}");
        assert_eq!(decode(&q), (link, vec![]));
    }

    #[test]
    fn scenario_json_survives_percent_encoding() {
        let json = "{\"id\": \"x & y\", \"a\": [1, 2]} é";
        let link = Link {
            scenario: ScenarioRef::Json(json.into()),
            ..Link::default()
        };
        let (back, errors) = decode(&encode(&link));
        assert!(errors.is_empty());
        assert_eq!(back.scenario, ScenarioRef::Json(json.into()));
    }

    #[test]
    fn bad_parameters_become_messages_not_failures() {
        let (link, errors) = decode("?strategy=nope&memory=arm&step=x&view=zz&knobs=lock=2");
        assert_eq!(link.knobs, default_knobs());
        assert_eq!(link.memory, MemoryModel::Sc);
        assert_eq!(link.step, None);
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(
            errors[0].contains("unknown memory model 'arm'"),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.contains("unknown strategy 'nope'")),
            "{errors:?}"
        );

        let (_, errors) = decode("?strategy=custom&knobs=lock=1,warp=9");
        assert!(errors[0].contains("unknown knob 'warp'"), "{errors:?}");
    }

    #[test]
    fn percent_decoding_never_panics() {
        for s in ["%", "%4", "%zz", "a%2", "%%%", "%E9", "%C3%A9", "+%2B"] {
            let _ = percent_decode(s);
        }
        assert_eq!(percent_decode("%C3%A9+%2B"), "é +");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
