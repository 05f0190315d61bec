//! `--knobs k=v,...`: build a custom strategy on top of a preset.

use anyhow::{anyhow, bail, Result};
use core_sim::strategy::IrteTarget;
use core_sim::Knobs;

/// The knob names, as in `core_sim::Knobs` (a `-` may stand for `_`).
pub const NAMES: [&str; 7] = [
    "lock_in_load_put",
    "irte_target",
    "read_once",
    "write_once",
    "smp_mb",
    "kick",
    "ga_log_only_when_blocking",
];

/// One line per knob, for `list`.
pub fn describe(name: &str) -> &'static str {
    match name {
        "lock_in_load_put" => "avic_vcpu_load/put hold ir_list_lock around the entry update and IRTE walk (bool)",
        "irte_target" => "where avic_pi_update_irte points the IRTE at the vCPU's pCPU (never|vcpu-cpu|after-list-add|under-list-lock|in-activation)",
        "read_once" => "entry loads are READ_ONCE; plain loads may be re-done per use (bool)",
        "write_once" => "entry stores are WRITE_ONCE; plain 64-bit stores may tear (bool)",
        "smp_mb" => "smp_mb() between each side's store and its load of the other side's data (bool)",
        "kick" => "after an IRTE update, kick the vCPU so it rewrites its IRTEs (bool)",
        "ga_log_only_when_blocking" => "set GALogIntr only while the vCPU blocks (bool)",
        _ => "",
    }
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
                NAMES.join(", ")
            );
        };
        let key = key.trim().replace('-', "_");
        let value = value.trim();
        match key.as_str() {
            "lock_in_load_put" => k.lock_in_load_put = parse_bool(&key, value)?,
            "irte_target" => k.irte_target = parse_target(value)?,
            "read_once" => k.read_once = parse_bool(&key, value)?,
            "write_once" => k.write_once = parse_bool(&key, value)?,
            "smp_mb" => k.smp_mb = parse_bool(&key, value)?,
            "kick" => k.kick = parse_bool(&key, value)?,
            "ga_log_only_when_blocking" => k.ga_log_only_when_blocking = parse_bool(&key, value)?,
            _ => bail!("unknown knob '{key}'; known: {}", NAMES.join(", ")),
        }
    }
    Ok(k)
}

/// The knobs of `k` that differ from `base`, as a `--knobs` value (empty if none).
pub fn diff(base: &Knobs, k: &Knobs) -> String {
    let b = |x: bool| if x { "1" } else { "0" };
    let mut out = Vec::new();
    if base.lock_in_load_put != k.lock_in_load_put {
        out.push(format!("lock_in_load_put={}", b(k.lock_in_load_put)));
    }
    if base.irte_target != k.irte_target {
        out.push(format!("irte_target={}", k.irte_target.id()));
    }
    if base.read_once != k.read_once {
        out.push(format!("read_once={}", b(k.read_once)));
    }
    if base.write_once != k.write_once {
        out.push(format!("write_once={}", b(k.write_once)));
    }
    if base.smp_mb != k.smp_mb {
        out.push(format!("smp_mb={}", b(k.smp_mb)));
    }
    if base.kick != k.kick {
        out.push(format!("kick={}", b(k.kick)));
    }
    if base.ga_log_only_when_blocking != k.ga_log_only_when_blocking {
        out.push(format!(
            "ga_log_only_when_blocking={}",
            b(k.ga_log_only_when_blocking)
        ));
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
