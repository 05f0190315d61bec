//! Reading a worker's answer on the page, without serde's derived deserialisers.
//!
//! The wire format is unchanged: the JSON that serde writes for [`Response`] in the worker
//! (`Response::to_json`). The page parses it once into a [`serde_json::Value`] and picks the fields
//! out by hand, because the derived `Deserialize` code for the report, the matrix cell (a
//! `#[serde(flatten)]`, which buffers every field) and the rest was about a tenth of the page's
//! wasm module, and the page draws nothing until it has loaded. `tests` check that this reader
//! and serde's agree on every answer a real check gives.

use crate::{ClaimResult, MatrixCell, Response};
use core_sim::analysis::coverage::LineFlags;
use core_sim::analysis::Coverage;
use core_sim::explore::matrix::{Cell, CellCounterexample};
use core_sim::explore::{CheckReport, Counterexample, Outcome, Progress, StoreMode};
use core_sim::share::bundle::{Row, Table};
use core_sim::{Violation, ViolationKind};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Longest answer read, in bytes (the largest real one, a report with six counterexamples, is a
/// few KiB).
pub const MAX_RESPONSE: usize = 1 << 20;

type Obj = Map<String, Value>;

impl Response {
    /// Read an answer (JSON, as [`Response::to_json`] writes it). Unknown fields are ignored,
    /// as serde would; a missing or mistyped one is an error naming it.
    pub fn from_json(text: &str) -> Result<Response, String> {
        if text.len() > MAX_RESPONSE {
            return Err(format!(
                "{} bytes is too long: answers are at most 1 MiB",
                text.len()
            ));
        }
        let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let tagged = obj(&value, "answer")?;
        let (tag, body) = match tagged.iter().next() {
            Some(one) if tagged.len() == 1 => one,
            _ => return Err("an answer is an object with one key, its kind".into()),
        };
        let o = obj(body, tag)?;
        let job = num(o, "job")?;
        Ok(match tag.as_str() {
            "progress" => {
                let p = obj(field(o, "progress")?, "progress")?;
                Response::Progress {
                    job,
                    progress: Progress {
                        states: num(p, "states")?,
                        transitions: num(p, "transitions")?,
                        frontier: num(p, "frontier")?,
                        depth: num(p, "depth")?,
                    },
                }
            }
            "checked" => Response::Checked {
                job,
                report: report(obj(field(o, "report")?, "report")?)?,
                ms: float(o, "ms")?,
                // Bit lists of lines, absent for large worlds.
                coverage: match o.get("coverage") {
                    None | Some(Value::Null) => None,
                    Some(c) => {
                        Some(coverage(obj(c, "coverage")?).map_err(|e| format!("coverage: {e}"))?)
                    }
                },
            },
            "cell" => Response::Cell {
                job,
                cell: matrix_cell(obj(field(o, "cell")?, "cell")?)?,
            },
            "claim" => {
                let r = obj(field(o, "result")?, "result")?;
                Response::Claim {
                    job,
                    index: num(o, "index")?,
                    count: num(o, "count")?,
                    result: ClaimResult {
                        holds: boolean(r, "holds")?,
                        worlds: num(r, "worlds")?,
                        states: num(r, "states")?,
                        detail: string(r, "detail")?,
                        ms: float(r, "ms")?,
                    },
                }
            }
            "evidence" => Response::Evidence {
                job,
                table: table(obj(field(o, "table")?, "table")?)?,
            },
            "hang" => Response::Hang {
                job,
                schedule: match field(o, "schedule")? {
                    Value::Null => None,
                    _ => Some(string(o, "schedule")?),
                },
            },
            "stops" => Response::Stops {
                job,
                stops: stops::answer(obj(field(o, "stops")?, "stops")?)?,
            },
            "failed" => Response::Failed {
                job,
                error: string(o, "error")?,
            },
            other => return Err(format!("unknown answer kind '{}'", shown(other))),
        })
    }
}

fn report(o: &Obj) -> Result<CheckReport, String> {
    let outcome = match string(o, "outcome")?.as_str() {
        "complete" => Outcome::Complete,
        "state-limit" => Outcome::StateLimit,
        "memory-limit" => Outcome::MemoryLimit,
        "cancelled" => Outcome::Cancelled,
        other => return Err(format!("unknown outcome '{}'", shown(other))),
    };
    // Absent in reports written before the fingerprint store (serde's default).
    let store = match o.get("store") {
        None => StoreMode::Full,
        Some(_) => match string(o, "store")?.as_str() {
            "full" => StoreMode::Full,
            "fingerprint" => StoreMode::Fingerprint,
            other => return Err(format!("unknown store '{}'", shown(other))),
        },
    };
    let mut counterexamples = BTreeMap::new();
    for (id, c) in obj(field(o, "counterexamples")?, "counterexamples")? {
        let c = obj(c, "counterexample")?;
        let v = obj(field(c, "violation")?, "violation")?;
        let schedule = string(c, "schedule")?;
        let counterexample = Counterexample {
            violation: Violation {
                kind: kind(&string(v, "kind")?)?,
                step: num(v, "step")?,
                explanation: string(v, "explanation")?,
            },
            schedule: schedule.parse().map_err(|e| format!("schedule: {e}"))?,
        };
        counterexamples.insert(kind(id)?, counterexample);
    }
    Ok(CheckReport {
        outcome,
        states: num(o, "states")?,
        transitions: num(o, "transitions")?,
        max_depth: num(o, "max_depth")?,
        final_states: num(o, "final_states")?,
        max_kick_ipis: num(o, "max_kick_ipis")?,
        bytes: num(o, "bytes")?,
        store,
        counterexamples,
    })
}

/// Line coverage: per thread, per listing, per line a flag, for every line and for each kind
/// (by hand too: serde's derived reader over a `Value` was its own few KiB of the page's module).
fn coverage(o: &Obj) -> Result<Coverage, String> {
    fn list<'a>(v: &'a Value, name: &str) -> Result<&'a Vec<Value>, String> {
        v.as_array().ok_or_else(|| wrong(name))
    }
    let flags = |v: &Value, name: &str| -> Result<LineFlags, String> {
        list(v, name)?
            .iter()
            .map(|t| {
                list(t, name)?
                    .iter()
                    .map(|p| {
                        list(p, name)?
                            .iter()
                            .map(|l| l.as_bool().ok_or_else(|| wrong(name)))
                            .collect()
                    })
                    .collect()
            })
            .collect()
    };
    let mut in_every = BTreeMap::new();
    for (id, f) in obj(field(o, "in_every")?, "in_every")? {
        in_every.insert(kind(id)?, flags(f, "in_every")?);
    }
    Ok(Coverage {
        states: num(o, "states")?,
        executed: flags(field(o, "executed")?, "executed")?,
        in_every,
    })
}

/// The core's cell fields sit beside `index` and `ms` (serde's `flatten`).
fn matrix_cell(o: &Obj) -> Result<MatrixCell, String> {
    let strings = |name: &str| -> Result<Vec<String>, String> {
        array(o, name)?
            .iter()
            .map(|s| s.as_str().map(str::to_string).ok_or_else(|| wrong(name)))
            .collect()
    };
    let shortest = match field(o, "shortest")? {
        Value::Null => None,
        _ => Some(num(o, "shortest")?),
    };
    let counterexamples = array(o, "counterexamples")?
        .iter()
        .map(|c| {
            let c = obj(c, "counterexamples")?;
            Ok(CellCounterexample {
                kind: kind(&string(c, "kind")?)?,
                schedule: string(c, "schedule")?,
                explanation: string(c, "explanation")?,
                preemptions: match c.get("preemptions") {
                    None | Some(Value::Null) => None,
                    Some(_) => Some(num(c, "preemptions")?),
                },
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(MatrixCell {
        index: num(o, "index")?,
        cell: Cell {
            scenario: string(o, "scenario")?,
            strategy: string(o, "strategy")?,
            memory_model: string(o, "memory_model")?,
            verdict: string(o, "verdict")?,
            violations: strings("violations")?,
            states: num(o, "states")?,
            transitions: num(o, "transitions")?,
            shortest,
            counterexamples,
        },
        ms: float(o, "ms")?,
    })
}

/// A joined bundle: text, a flag, (label, value) pairs, and rows of text.
fn table(o: &Obj) -> Result<Table, String> {
    let texts = |v: &Value, name: &str| -> Result<Vec<String>, String> {
        v.as_array()
            .ok_or_else(|| wrong(name))?
            .iter()
            .map(|s| s.as_str().map(str::to_string).ok_or_else(|| wrong(name)))
            .collect()
    };
    let host = array(o, "host")?
        .iter()
        .map(|pair| match texts(pair, "host")?.as_slice() {
            [k, v] => Ok((k.clone(), v.clone())),
            _ => Err(wrong("host")),
        })
        .collect::<Result<_, String>>()?;
    let rows = array(o, "rows")?
        .iter()
        .map(|r| {
            let r = obj(r, "rows")?;
            Ok(Row {
                cell: string(r, "cell")?,
                possible: string(r, "possible")?,
                recomputed: string(r, "recomputed")?,
                uniform: string(r, "uniform")?,
                pct: string(r, "pct")?,
                stress: string(r, "stress")?,
                verdict: string(r, "verdict")?,
                mismatch: boolean(r, "mismatch")?,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Table {
        title: string(o, "title")?,
        statement: string(o, "statement")?,
        can_exercise_race: boolean(o, "can_exercise_race")?,
        host,
        verdicts: string(o, "verdicts")?,
        columns: texts(field(o, "columns")?, "columns")?,
        rows,
    })
}

fn kind(id: &str) -> Result<ViolationKind, String> {
    ViolationKind::from_id(id).ok_or_else(|| format!("unknown violation kind '{}'", shown(id)))
}

/// At most 40 characters of an unexpected value, for an error message.
fn shown(s: &str) -> String {
    core_sim::text::shown(s, 40)
}

fn wrong(name: &str) -> String {
    format!("field '{name}' has the wrong type")
}

fn field<'a>(o: &'a Obj, name: &str) -> Result<&'a Value, String> {
    o.get(name).ok_or_else(|| format!("missing field '{name}'"))
}

fn obj<'a>(v: &'a Value, name: &str) -> Result<&'a Obj, String> {
    v.as_object().ok_or_else(|| wrong(name))
}

fn array<'a>(o: &'a Obj, name: &str) -> Result<&'a Vec<Value>, String> {
    field(o, name)?.as_array().ok_or_else(|| wrong(name))
}

fn string(o: &Obj, name: &str) -> Result<String, String> {
    field(o, name)?
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| wrong(name))
}

fn boolean(o: &Obj, name: &str) -> Result<bool, String> {
    field(o, name)?.as_bool().ok_or_else(|| wrong(name))
}

/// A whole number that fits the field's type.
fn num<T: TryFrom<u64>>(o: &Obj, name: &str) -> Result<T, String> {
    field(o, name)?
        .as_u64()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| wrong(name))
}

/// A number (serde writes a non-finite one as null, and so reads null back as an error).
fn float(o: &Obj, name: &str) -> Result<f64, String> {
    field(o, name)?.as_f64().ok_or_else(|| wrong(name))
}

mod stops;
#[cfg(test)]
mod tests;
