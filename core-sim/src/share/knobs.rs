//! Custom knobs in a link: the compact `k.` code (v2, v3) and the `name=value` list (v1, the CLI).

use crate::strategy::{IrteTarget, Knobs, PRESETS};

/// Custom knobs as `k.` plus three or four hex digits (v2): bit 0 lock in load/put, 1 READ_ONCE,
/// 2 WRITE_ONCE, 3 smp_mb, 4 kick, 5 GALogIntr only when blocking, bits 6–8 the index of the
/// IRTE target in [`IrteTarget::ALL`], then the knobs added later, each 0 at the value the model
/// had before it existed (so every earlier three-digit code keeps its meaning): 9 irqfds.lock,
/// 10 KVM's own entry copy, 11 IPI virtualization *off*, 12 AVIC erratum #1235, 13 the
/// candidate disarm-on-unlink fix (12 and 13 take a fourth digit).
pub fn knob_code(k: &Knobs) -> String {
    let target = IrteTarget::ALL
        .iter()
        .position(|t| *t == k.irte_target)
        .unwrap_or(0) as u16;
    let bits = k.lock_in_load_put as u16
        | (k.read_once as u16) << 1
        | (k.write_once as u16) << 2
        | (k.smp_mb as u16) << 3
        | (k.kick as u16) << 4
        | (k.ga_log_only_when_blocking as u16) << 5
        | target << 6
        | (k.irqfds_lock as u16) << 9
        | (k.shadow_entry as u16) << 10
        | (!k.enable_ipiv as u16) << 11
        | (k.avic_erratum_1235 as u16) << 12
        | (k.disarm_on_unlink as u16) << 13;
    format!("k.{bits:03x}")
}

/// Parse the three hex digits after `k.` (see [`knob_code`]).
pub fn decode_knob_code(code: &str) -> Result<Knobs, String> {
    let bits = (code.len() == 3 || code.len() == 4)
        .then(|| {
            code.bytes()
                .all(|b| b.is_ascii_hexdigit())
                .then(|| u16::from_str_radix(code, 16).ok())
                .flatten()
        })
        .flatten()
        .filter(|b| *b < 1 << 14 && (code.len() == 3 || *b >= 0x1000))
        .ok_or_else(|| {
            format!("custom knobs 'k.{code}' must be k. and three hex digits (four with bit 12)")
        })?;
    let target = IrteTarget::ALL
        .get(usize::from((bits >> 6) & 7))
        .copied()
        .ok_or_else(|| {
            format!(
                "custom knobs 'k.{code}' name IRTE target #{} of {}",
                (bits >> 6) & 7,
                IrteTarget::ALL.len()
            )
        })?;
    let bit = |n: u16| bits & (1 << n) != 0;
    Ok(Knobs {
        lock_in_load_put: bit(0),
        read_once: bit(1),
        write_once: bit(2),
        smp_mb: bit(3),
        kick: bit(4),
        ga_log_only_when_blocking: bit(5),
        irte_target: target,
        irqfds_lock: bit(9),
        shadow_entry: bit(10),
        enable_ipiv: !bit(11),
        avic_erratum_1235: bit(12),
        disarm_on_unlink: bit(13),
    })
}

/// Parse knobs written out as `lock=1,target=under-list-lock,read_once=1,…` (v1 links and the
/// CLI); knobs left out keep the first preset's value.
pub fn decode_knob_list(text: &str) -> Result<Knobs, String> {
    let mut k = PRESETS[0].knobs;
    for item in text.split([',', ' ']).filter(|s| !s.is_empty()) {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| format!("knob '{item}' has no value (write name=value)"))?;
        let flag = || match value {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(format!("knob {name}={value}: use 0 or 1")),
        };
        if name == "target" {
            k.irte_target = IrteTarget::from_id(value).ok_or_else(|| {
                let known: Vec<&str> = IrteTarget::ALL.iter().map(|t| t.id()).collect();
                format!("knob target={value}: unknown; known: {}", known.join(", "))
            })?;
            continue;
        }
        match crate::strategy::FLAGS.iter().find(|f| f.short == name) {
            Some(f) => (f.set)(&mut k, flag()?),
            None => {
                let known: Vec<&str> = crate::strategy::FLAGS.iter().map(|f| f.short).collect();
                return Err(format!(
                    "unknown knob '{other}' (known: target, {})",
                    known.join(", "),
                    other = name
                ));
            }
        }
    }
    Ok(k)
}

#[cfg(test)]
mod tests {
    use crate::share::*;

    #[test]
    fn every_knob_combination_has_a_code_that_round_trips() {
        // 6 flags × 5 targets: every code below 5 << 6 is a distinct combination.
        let mut seen = std::collections::HashSet::new();
        for bits in 0u16..(5 << 6) {
            let code = format!("{bits:03x}");
            let k = decode_knob_code(&code).unwrap();
            assert_eq!(knob_code(&k), format!("k.{code}"));
            assert!(seen.insert(k), "{code} repeats a combination");
        }
        assert_eq!(
            decode_knob_code("140").unwrap_err(),
            "custom knobs 'k.140' name IRTE target #5 of 5"
        );
        assert!(decode_knob_code("fff")
            .unwrap_err()
            .contains("IRTE target #7"));
        // The knobs added later take the fourth digit or bits 9..11, all 0 in earlier codes.
        let k = decode_knob_code("1e00").unwrap();
        assert!(k.irqfds_lock && k.shadow_entry && !k.enable_ipiv && k.avic_erratum_1235);
        assert_eq!(knob_code(&k), "k.1e00");
        assert!(
            decode_knob_code("0e00").is_err(),
            "a fourth digit only for bit 12"
        );
        assert!(decode_knob_code("4000").is_err());
        assert!(decode_knob_code("1g0").is_err());
        assert!(decode_knob_code("10").is_err());
    }
}
