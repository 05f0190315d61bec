//! Reading a bundle someone sent: bounded before it is parsed, its format and version checked
//! before its fields, each cell read on its own (an error names the cell), then every id and
//! count validated. Every problem is a [`BundleError`] in words; nothing here panics.

use super::{Bundle, CellEvidence, StressEvidence, TraceEvidence, FORMAT, VERSION};
use crate::analysis::evidence::{CellId, Sampled};
use serde_json::Value;
use std::collections::HashSet;

/// Largest bundle read, in bytes (a bundle of every cell in both memory models is about 300 KiB).
pub const MAX_BUNDLE: usize = 4 << 20;
/// Most cells in a bundle (every shipped cell in both memory models is 408).
pub const MAX_CELLS: usize = 1_000;
/// Longest `host.statement`, in characters.
const MAX_STATEMENT: usize = 1_000;
/// Longest other text field, in characters.
const MAX_TEXT: usize = 500;
/// Most lines in a list of text (the probe's summary, the trace's first findings).
const MAX_LINES: usize = 50;
/// Most event names in a trace summary.
const MAX_EVENTS: usize = 64;

/// What is wrong with a bundle.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Longer than [`MAX_BUNDLE`].
    #[error("the file is {bytes} bytes: a host-report bundle is at most 4 MiB")]
    TooBig {
        /// Its length.
        bytes: usize,
    },
    /// Not JSON at all.
    #[error("not JSON: {0}")]
    NotJson(String),
    /// JSON, but not a host-report bundle.
    #[error("not a host-report bundle: {0}")]
    NotABundle(String),
    /// A bundle of another format version.
    #[error("this bundle is format version {found}; this avic-lab reads version {VERSION} (written by a {newer} avic-lab)", newer = if *found > VERSION as u64 { "newer" } else { "different" })]
    Version {
        /// The version it names.
        found: u64,
    },
    /// A bundle with a missing, mistyped or impossible field.
    #[error("invalid bundle: {0}")]
    Invalid(String),
}

fn invalid(e: impl std::fmt::Display) -> BundleError {
    BundleError::Invalid(crate::text::shown(&e.to_string(), 300))
}

impl Bundle {
    /// Read and validate a bundle (a leading byte-order mark is fine).
    pub fn from_json(text: &str) -> Result<Bundle, BundleError> {
        if text.len() > MAX_BUNDLE {
            return Err(BundleError::TooBig { bytes: text.len() });
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut value: Value =
            serde_json::from_str(text).map_err(|e| BundleError::NotJson(e.to_string()))?;
        let Some(top) = value.as_object_mut() else {
            return Err(BundleError::NotABundle(
                "a bundle is a JSON object, this is not one".into(),
            ));
        };
        if top.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(BundleError::NotABundle(format!(
                "it has no \"format\": \"{FORMAT}\" field"
            )));
        }
        match top.get("version").and_then(Value::as_u64) {
            Some(v) if v == VERSION as u64 => {}
            Some(found) => return Err(BundleError::Version { found }),
            None => return Err(invalid("missing or mistyped field 'version'")),
        }
        let cells = match top.insert("cells".into(), Value::Array(Vec::new())) {
            Some(Value::Array(cells)) => cells,
            Some(_) => return Err(invalid("'cells' is not a list")),
            None => return Err(invalid("missing field 'cells'")),
        };
        if cells.is_empty() {
            return Err(invalid("'cells' is empty: a bundle has at least one cell"));
        }
        if cells.len() > MAX_CELLS {
            return Err(invalid(format!(
                "{} cells: a bundle has at most {MAX_CELLS}",
                cells.len()
            )));
        }
        let mut bundle: Bundle = serde_json::from_value(value).map_err(invalid)?;
        for (i, c) in cells.into_iter().enumerate() {
            let cell: CellEvidence =
                serde_json::from_value(c).map_err(|e| invalid(format!("cells[{i}]: {e}")))?;
            bundle.cells.push(cell);
        }
        validate(&mut bundle)?;
        Ok(bundle)
    }
}

fn text(name: &str, s: &str, max: usize) -> Result<(), BundleError> {
    let n = s.chars().count();
    if n > max {
        return Err(invalid(format!("{name} is {n} characters: at most {max}")));
    }
    Ok(())
}

fn lines(name: &str, list: &[String]) -> Result<(), BundleError> {
    if list.len() > MAX_LINES {
        return Err(invalid(format!(
            "{name} has {} lines: at most {MAX_LINES}",
            list.len()
        )));
    }
    list.iter()
        .enumerate()
        .try_for_each(|(i, l)| text(&format!("{name}[{i}]"), l, MAX_TEXT))
}

fn finite(name: &str, x: f64) -> Result<(), BundleError> {
    if !x.is_finite() || x < 0.0 {
        return Err(invalid(format!("{name} is {x}: a number of seconds ≥ 0")));
    }
    Ok(())
}

fn sampled(name: &str, s: &Sampled) -> Result<(), BundleError> {
    for (k, &n) in &s.hits {
        if n == 0 || n > s.runs {
            return Err(invalid(format!(
                "{name}: {n} runs hit {} but {} runs were made",
                k.id(),
                s.runs
            )));
        }
    }
    Ok(())
}

/// Ids known and canonical (an older strategy alias becomes its preset's id), each cell once,
/// counts that add up, text of bounded length.
fn validate(b: &mut Bundle) -> Result<(), BundleError> {
    text("tool", &b.tool, MAX_TEXT)?;
    let budget = &b.budget;
    finite("budget.stress_seconds", budget.stress_seconds)?;
    if !(1..=20).contains(&budget.pct_depth) {
        return Err(invalid(format!(
            "budget.pct_depth is {}: 1..=20",
            budget.pct_depth
        )));
    }
    let h = &b.host;
    text("host.statement", &h.statement, MAX_STATEMENT)?;
    for (name, v) in [
        ("host.arch", Some(&h.arch)),
        ("host.cpu_vendor", h.cpu_vendor.as_ref()),
        ("host.cpu_model", h.cpu_model.as_ref()),
        ("host.kernel", h.kernel.as_ref()),
        ("host.kernel_preset", h.kernel_preset.as_ref()),
        ("host.virtualization", h.virtualization.as_ref()),
    ] {
        text(name, v.map_or("", String::as_str), MAX_TEXT)?;
    }
    lines("host.summary", &h.summary)?;
    match &h.trace {
        TraceEvidence::Recorded {
            source,
            event_counts,
            first_findings,
            ..
        } => {
            text("host.trace.source", source, MAX_TEXT)?;
            lines("host.trace.first_findings", first_findings)?;
            if event_counts.len() > MAX_EVENTS {
                return Err(invalid(format!(
                    "host.trace.event_counts names {} events: at most {MAX_EVENTS}",
                    event_counts.len()
                )));
            }
            for e in event_counts.keys() {
                text("an event name in host.trace.event_counts", e, 64)?;
            }
        }
        TraceEvidence::NotRecorded { why } => text("host.trace.why", why, MAX_TEXT)?,
    }
    let mut seen = HashSet::new();
    for (i, c) in b.cells.iter_mut().enumerate() {
        let id = CellId::new(&c.scenario, &c.strategy, c.memory.id())
            .map_err(|e| invalid(format!("cells[{i}]: {e}")))?;
        if !seen.insert(id.clone()) {
            return Err(invalid(format!("cells[{i}]: {id} is in the bundle twice")));
        }
        c.strategy = id.strategy;
        let m = &c.model;
        if !(1..=20).contains(&m.pct_depth) {
            return Err(invalid(format!(
                "cells[{i}]: pct_depth is {}: 1..=20",
                m.pct_depth
            )));
        }
        if m.exhaustive.verdict != "safe"
            && m.exhaustive.verdict != "violation"
            && m.exhaustive.verdict != "bounded"
        {
            return Err(invalid(format!(
                "cells[{i}]: exhaustive verdict '{}' is not safe, violation or bounded",
                crate::text::shown(&m.exhaustive.verdict, 40)
            )));
        }
        if (m.exhaustive.verdict == "violation") == m.exhaustive.kinds.is_empty() {
            return Err(invalid(format!(
                "cells[{i}]: exhaustive verdict '{}' with {} kinds",
                m.exhaustive.verdict,
                m.exhaustive.kinds.len()
            )));
        }
        sampled(&format!("cells[{i}].model.uniform"), &m.uniform)?;
        sampled(&format!("cells[{i}].model.pct"), &m.pct)?;
        match &c.stress {
            StressEvidence::Ran(r) => {
                finite(&format!("cells[{i}].stress.seconds"), r.seconds)?;
                let runs = Sampled {
                    runs: r.iterations,
                    hits: r.hits.clone(),
                };
                sampled(&format!("cells[{i}].stress"), &runs)?;
                if r.timeouts > r.iterations {
                    return Err(invalid(format!(
                        "cells[{i}].stress: {} timeouts in {} iterations",
                        r.timeouts, r.iterations
                    )));
                }
            }
            StressEvidence::Skipped { why } => {
                text(&format!("cells[{i}].stress.why"), why, MAX_TEXT)?
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
