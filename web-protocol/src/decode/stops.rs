//! Reading a [`StopsAnswer`] by hand (see `super`): every field of it and of [`FlipAnswer`].

use super::{array, boolean, field, float, kind, num, obj, shown, string, wrong, Obj};
use crate::{FlipAnswer, StopsAnswer};
use core_sim::explore::Verdict;
use core_sim::ViolationKind;
use serde_json::Value;

pub(super) fn answer(o: &Obj) -> Result<StopsAnswer, String> {
    Ok(StopsAnswer {
        kinds: kinds(o, "kinds")?,
        flips: array(o, "flips")?
            .iter()
            .map(|f| flip(obj(f, "flips")?))
            .collect::<Result<_, String>>()?,
        ms: float(o, "ms")?,
    })
}

fn flip(o: &Obj) -> Result<FlipAnswer, String> {
    let verdict = match string(o, "verdict")?.as_str() {
        "safe" => Verdict::Safe,
        "violation" => Verdict::Violation,
        "bounded" => Verdict::Bounded,
        other => return Err(format!("unknown verdict '{}'", shown(other))),
    };
    Ok(FlipAnswer {
        knob: string(o, "knob")?,
        from: string(o, "from")?,
        to: string(o, "to")?,
        hardware: boolean(o, "hardware")?,
        knobs: string(o, "knobs")?,
        preset: optional(o, "preset", string)?,
        verdict,
        kinds: kinds(o, "kinds")?,
        states: num(o, "states")?,
        stops: kinds(o, "stops")?,
        diverges_at: optional(o, "diverges_at", num)?,
        why: optional(o, "why", string)?,
    })
}

/// A field serde writes as `null` when it is `None` (and reads as `None` when absent).
fn optional<T>(
    o: &Obj,
    name: &str,
    read: fn(&Obj, &str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => read(o, name).map(Some),
    }
}

fn kinds(o: &Obj, name: &str) -> Result<Vec<ViolationKind>, String> {
    field(o, name)?
        .as_array()
        .ok_or_else(|| wrong(name))?
        .iter()
        .map(|k| kind(k.as_str().ok_or_else(|| wrong(name))?))
        .collect()
}
