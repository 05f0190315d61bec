//! `--knobs k=v,...`: build a custom strategy on top of a preset.

use anyhow::{anyhow, bail, Result};
use core_sim::strategy::{IrteTarget, FLAGS};
use core_sim::Knobs;

/// The knob names, as in `core_sim::Knobs` (a `-` may stand for `_`): the IRTE target and every
/// yes/no knob of `core_sim::strategy::FLAGS`.
pub fn names() -> Vec<&'static str> {
    std::iter::once("irte_target")
        .chain(FLAGS.iter().map(|f| f.name))
        .collect()
}

/// One line per knob, for `list`.
pub fn describe(name: &str) -> &'static str {
    if name == "irte_target" {
        return "where avic_pi_update_irte points the IRTE at the vCPU's pCPU (never|vcpu-cpu|after-list-add|under-list-lock|in-activation)";
    }
    FLAGS.iter().find(|f| f.name == name).map_or("", |f| f.help)
}

fn parse_bool(key: &str, v: &str) -> Result<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("knob '{key}': '{v}' is not a boolean (use 1/0, true/false, yes/no, on/off)"),
    }
}

fn parse_target(v: &str) -> Result<IrteTarget> {
    IrteTarget::ALL
        .into_iter()
        .find(|t| t.id() == v)
        .ok_or_else(|| {
            let ids: Vec<&str> = IrteTarget::ALL.iter().map(|t| t.id()).collect();
            anyhow!(
                "knob 'irte_target': unknown value '{v}'; known: {}",
                ids.join(", ")
            )
        })
}

/// Apply `k=v,k=v` on top of `base`.
pub fn apply(base: Knobs, spec: &str) -> Result<Knobs> {
    let mut k = base;
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((key, value)) = item.split_once('=') else {
            bail!(
                "knob '{item}' has no value; write key=value (knobs: {})",
                names().join(", ")
            );
        };
        let key = key.trim().replace('-', "_");
        let value = value.trim();
        if key == "irte_target" {
            k.irte_target = parse_target(value)?;
            continue;
        }
        match FLAGS.iter().find(|f| f.name == key) {
            Some(f) => (f.set)(&mut k, parse_bool(&key, value)?),
            None => bail!("unknown knob '{key}'; known: {}", names().join(", ")),
        }
    }
    Ok(k)
}

/// The knobs of `k` that differ from `base`, as a `--knobs` value (empty if none).
pub fn diff(base: &Knobs, k: &Knobs) -> String {
    let mut out = Vec::new();
    if base.irte_target != k.irte_target {
        out.push(format!("irte_target={}", k.irte_target.id()));
    }
    for f in FLAGS {
        if (f.get)(base) != (f.get)(k) {
            out.push(format!("{}={}", f.name, (f.get)(k) as u8));
        }
    }
    out.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_sim::Strategy;

    #[test]
    fn knobs_apply_and_diff_round_trip() {
        let base = Strategy::preset("lock-fix").unwrap().knobs;
        let k = apply(base, "write-once=0, irte_target=after-list-add,kick=yes").unwrap();
        assert!(!k.write_once && k.kick);
        assert_eq!(k.irte_target, IrteTarget::AfterListAdd);
        let d = diff(&base, &k);
        assert_eq!(apply(base, &d).unwrap(), k);
        assert_eq!(diff(&base, &base), "");
    }

    #[test]
    fn bad_knobs_are_clear_errors() {
        let base = Strategy::preset("lock-fix").unwrap().knobs;
        let e = apply(base, "nope=1").unwrap_err().to_string();
        assert!(
            e.contains("unknown knob 'nope'") && e.contains("smp_mb"),
            "{e}"
        );
        let e = apply(base, "kick=maybe").unwrap_err().to_string();
        assert!(e.contains("not a boolean"), "{e}");
        let e = apply(base, "irte_target=later").unwrap_err().to_string();
        assert!(e.contains("under-list-lock"), "{e}");
        let e = apply(base, "kick").unwrap_err().to_string();
        assert!(e.contains("no value"), "{e}");
    }
}
