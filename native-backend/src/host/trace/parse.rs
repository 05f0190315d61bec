//! A tolerant parser for `trace-cmd report` text and tracefs `trace` text.
//!
//! Both print one event per line: `<comm>-<pid> [(<tgid>)] [<cpu>] [<flags>] <sec>.<frac>: <event>: <fields>`
//! (tracefs has the flags column, trace-cmd report does not by default; `record-tgid` adds the tgid
//! column). Task names may contain spaces and dashes (`CPU 0/KVM-4242`). Every line is classified;
//! nothing here panics on malformed input.

use serde::Serialize;

/// One event line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    /// 1-based line number in the file.
    pub line: usize,
    /// Task name.
    pub comm: String,
    /// Task pid.
    pub pid: u32,
    /// CPU the event was recorded on.
    pub cpu: u32,
    /// Timestamp in nanoseconds.
    pub ts_ns: u64,
    /// Event name (without the system prefix).
    pub event: String,
    /// The event's fields as printed.
    pub body: String,
}

/// What a line is.
#[derive(Clone, Debug, PartialEq)]
pub enum LineKind {
    /// An event.
    Event(Record),
    /// A header or comment (`# tracer: nop`, `cpus=2`, `version = 6`, `CPU 3 is empty`).
    Header,
    /// Lost events reported by the ring buffer.
    Lost,
    /// Blank.
    Blank,
    /// Not understood, and why.
    Bad(String),
}

/// Longest line we try to understand.
pub const MAX_LINE: usize = 64 * 1024;

fn is_header(s: &str) -> bool {
    s.starts_with('#')
        || s.starts_with("cpus=")
        || s.starts_with("version =")
        || s.starts_with("version=")
        || s.starts_with("tracer:")
        || (s.starts_with("CPU ") && s.ends_with(" is empty"))
        || s.starts_with("trace-cmd:")
}

/// Parse `<sec>.<frac>` (up to 9 fractional digits) into nanoseconds.
pub fn parse_ts(t: &str) -> Result<u64, String> {
    let (sec, frac) = match t.split_once('.') {
        Some((s, f)) => (s, f),
        None => (t, ""),
    };
    if sec.is_empty()
        || !sec.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("bad timestamp '{}'", clip(t)));
    }
    if frac.len() > 9 {
        return Err(format!(
            "timestamp '{}' has more than 9 fractional digits",
            clip(t)
        ));
    }
    let s: u64 = sec
        .parse()
        .map_err(|_| format!("timestamp '{}' out of range", clip(t)))?;
    let f: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse()
            .map_err(|_| format!("bad timestamp '{}'", clip(t)))?
    };
    let f = f * 10u64.pow(9 - frac.len() as u32);
    s.checked_mul(1_000_000_000)
        .and_then(|ns| ns.checked_add(f))
        .ok_or_else(|| format!("timestamp '{}' out of range", clip(t)))
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(48).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Find the ` [<digits>]` CPU column: returns (byte index of '[', cpu, index after ']'). One pass:
/// after each ` [` only digits and spaces are looked at, so a line of 64 KiB of `[` costs 64 Ki
/// steps, not 2 Gi.
fn cpu_column(s: &str) -> Option<(usize, u32, usize)> {
    let b = s.as_bytes();
    let mut open = 0;
    while let Some(off) = s[open..].find('[') {
        open += off;
        let mut j = open + 1;
        while j < b.len() && (b[j].is_ascii_digit() || b[j] == b' ') {
            j += 1;
        }
        let preceded = open > 0 && b[open - 1] == b' ';
        if preceded && j < b.len() && b[j] == b']' {
            let inner = s[open + 1..j].trim();
            if !inner.is_empty() && inner.bytes().all(|c| c.is_ascii_digit()) {
                if let Ok(cpu) = inner.parse::<u32>() {
                    return Some((open, cpu, j + 1));
                }
            }
        }
        open += 1;
    }
    None
}

/// Classify one line (without its newline). `n` is its 1-based number.
pub fn parse_line(n: usize, raw: &str) -> LineKind {
    let s = raw.trim_end_matches(['\r', '\n']).trim();
    if s.is_empty() {
        return LineKind::Blank;
    }
    if s.len() > MAX_LINE {
        return LineKind::Bad(format!("line longer than {MAX_LINE} bytes"));
    }
    if s.contains("[LOST") && s.contains("EVENTS]") {
        return LineKind::Lost;
    }
    if is_header(s) {
        return LineKind::Header;
    }
    let Some((open, cpu, after)) = cpu_column(s) else {
        return LineKind::Bad("no [cpu] column".into());
    };
    // Task: "<comm>-<pid>", optionally followed by "(<tgid>)".
    let mut task = s[..open].trim();
    if task.ends_with(')') {
        if let Some(p) = task.rfind('(') {
            task = task[..p].trim_end();
        }
    }
    let Some((comm, pid)) = task.rsplit_once('-') else {
        return LineKind::Bad(format!("task '{}' is not <comm>-<pid>", clip(task)));
    };
    let Ok(pid) = pid.trim().parse::<u32>() else {
        return LineKind::Bad(format!("bad pid in '{}'", clip(task)));
    };
    // Rest: [flags] <ts>: <event>: <fields>
    let rest = &s[after..];
    let mut cursor = 0;
    let mut ts = None;
    for tok in rest.split_whitespace().take(3) {
        let at = rest[cursor..]
            .find(tok)
            .map(|p| cursor + p)
            .unwrap_or(cursor);
        cursor = at + tok.len();
        if let Some(t) = tok.strip_suffix(':') {
            if t.bytes().next().is_some_and(|c| c.is_ascii_digit()) {
                match parse_ts(t) {
                    Ok(v) => {
                        ts = Some(v);
                        break;
                    }
                    Err(e) => return LineKind::Bad(e),
                }
            }
        }
    }
    let Some(ts_ns) = ts else {
        return LineKind::Bad("no '<seconds>.<fraction>:' timestamp after the cpu column".into());
    };
    let rest = rest[cursor..].trim_start();
    // The event name ends at the first ':' followed by a space (or the end): `kvm:kvm_entry: …`.
    let split = rest
        .char_indices()
        .find(|&(i, c)| c == ':' && rest[i + 1..].chars().next().is_none_or(char::is_whitespace))
        .map(|(i, _)| (&rest[..i], &rest[i + 1..]));
    let Some((event, body)) = split else {
        return LineKind::Bad("no '<event>:' after the timestamp".into());
    };
    let event = event.trim();
    if event.is_empty() || event.contains(char::is_whitespace) {
        return LineKind::Bad(format!("bad event name '{}'", clip(event)));
    }
    let event = event.rsplit(':').next().unwrap_or(event).to_string();
    LineKind::Event(Record {
        line: n,
        comm: comm.trim().to_string(),
        pid,
        cpu,
        ts_ns,
        event,
        body: body.trim().to_string(),
    })
}

/// An AVIC-relevant event, decoded.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Ev {
    /// `kvm_entry`: `vcpu %u, rip 0x%lx…`.
    Entry { vcpu: u32 },
    /// `kvm_exit`: `vcpu %u reason %s …` (some trace-cmd plugins omit the vcpu).
    Exit { vcpu: Option<u32>, reason: String },
    /// `kvm_pi_irte_update`: `[VT-d ]PI is %s for irq %u, vcpu %d, gsi: 0x%x, gvec: 0x%x[, pi_desc_addr: 0x%llx]`.
    PiIrteUpdate {
        set: bool,
        irq: u64,
        vcpu: Option<u32>,
        gsi: Option<u64>,
        gvec: Option<u64>,
    },
    /// `kvm_avic_ga_log`: `vmid=%u, vcpuid=%u`.
    GaLog { vmid: u64, vcpu: u32 },
    /// `kvm_avic_doorbell`: `vcpuid=%u, apicid=%u`.
    Doorbell { vcpu: u32, apicid: u32 },
    /// `kvm_avic_kick_vcpu_slowpath`: `icrh:icrl=%#08x:%08x, index=%u`.
    KickSlowpath { index: u32 },
    /// `kvm_avic_incomplete_ipi`: `vcpu=%u, icrh:icrl=%#010x:%08x, id=%u, index=%u`.
    IncompleteIpi { vcpu: u32, id: u32, index: u32 },
    /// `kvm_vcpu_wakeup`: `%s time %lld ns, polling %s` (`wait` or `poll`).
    VcpuWakeup { waited: bool },
    /// `sched_switch`.
    SchedSwitch {
        prev_comm: String,
        prev_pid: u32,
        prev_state: String,
        next_comm: String,
        next_pid: u32,
    },
    /// `sched_wakeup` / `sched_waking`: `comm=%s pid=%d prio=%d target_cpu=%03d`.
    SchedWakeup { pid: u32 },
}

/// The number after `key` (decimal, or hex with `0x`; `-1` → `None` via `Ok(None)`).
fn num_after(body: &str, key: &str) -> Result<Option<u64>, String> {
    let Some(p) = find_key(body, key) else {
        return Err(format!("no '{}' field", key.trim()));
    };
    let tail = body[p + key.len()..].trim_start();
    let tok: String = tail
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if tok == "-1" {
        return Ok(None);
    }
    let v = if let Some(h) = tok.strip_prefix("0x") {
        u64::from_str_radix(h, 16)
    } else {
        tok.parse::<u64>()
    };
    v.map(Some)
        .map_err(|_| format!("bad number '{}' after '{}'", clip(&tok), key.trim()))
}

/// Find `key` at a word boundary.
fn find_key(body: &str, key: &str) -> Option<usize> {
    let mut i = 0;
    while let Some(off) = body[i..].find(key) {
        let p = i + off;
        let ok = p == 0
            || !body.as_bytes()[p - 1].is_ascii_alphanumeric() && body.as_bytes()[p - 1] != b'_';
        if ok {
            return Some(p);
        }
        i = p + key.len();
    }
    None
}

fn u32_after(body: &str, key: &str) -> Result<u32, String> {
    match num_after(body, key)? {
        Some(v) => u32::try_from(v).map_err(|_| format!("'{}' value {v} out of range", key.trim())),
        None => Err(format!("'{}' is -1", key.trim())),
    }
}

fn text_after(body: &str, key: &str, until: &str) -> Result<String, String> {
    let p = find_key(body, key).ok_or_else(|| format!("no '{key}' field"))?;
    let tail = &body[p + key.len()..];
    Ok(match tail.find(until) {
        Some(e) => tail[..e].to_string(),
        None => tail.split_whitespace().next().unwrap_or("").to_string(),
    })
}

/// `comm:pid [prio]` of trace-cmd's sched_switch plugin.
fn comm_pid(part: &str) -> Result<(String, u32, &str), String> {
    let part = part.trim();
    let open = part
        .rfind(" [")
        .ok_or_else(|| format!("no ' [prio]' in '{}'", clip(part)))?;
    let (cp, rest) = (&part[..open], &part[open + 2..]);
    let (comm, pid) = cp
        .rsplit_once(':')
        .ok_or_else(|| format!("no 'comm:pid' in '{}'", clip(cp)))?;
    let pid = pid
        .parse::<u32>()
        .map_err(|_| format!("bad pid in '{}'", clip(cp)))?;
    let after = rest.split_once(']').map(|(_, a)| a.trim()).unwrap_or("");
    Ok((comm.to_string(), pid, after))
}

/// trace-cmd report's sched_switch plugin: `prev:pid [prio] STATE ==> next:pid [prio]`.
fn plugin_switch(prev: &str, next: &str) -> Result<Ev, String> {
    let (prev_comm, prev_pid, state) = comm_pid(prev)?;
    let (next_comm, next_pid, _) = comm_pid(next)?;
    if state.is_empty() {
        return Err("no previous task state in sched_switch".into());
    }
    Ok(Ev::SchedSwitch {
        prev_comm,
        prev_pid,
        prev_state: state.to_string(),
        next_comm,
        next_pid,
    })
}

/// Decode a record's body. `Ok(None)`: an event we do not use; `Err`: a known event whose fields
/// do not parse.
pub fn decode(r: &Record) -> Result<Option<Ev>, String> {
    let b = r.body.as_str();
    Ok(Some(match r.event.as_str() {
        "kvm_entry" => Ev::Entry {
            vcpu: u32_after(b, "vcpu ")?,
        },
        "kvm_exit" => Ev::Exit {
            vcpu: if find_key(b, "vcpu ").is_some() {
                Some(u32_after(b, "vcpu ")?)
            } else {
                None
            },
            reason: text_after(b, "reason ", " ")?,
        },
        "kvm_pi_irte_update" => {
            let set = if b.contains("PI is enabled") {
                true
            } else if b.contains("PI is disabled") {
                false
            } else {
                return Err("expected 'PI is enabled…' or 'PI is disabled'".into());
            };
            let irq = num_after(b, "irq ")?.ok_or("irq is -1")?;
            let vcpu = num_after(b, "vcpu ")?
                .map(u32::try_from)
                .transpose()
                .map_err(|_| "vcpu out of range")?;
            Ev::PiIrteUpdate {
                set,
                irq,
                vcpu,
                gsi: num_after(b, "gsi: ").ok().flatten(),
                gvec: num_after(b, "gvec: ").ok().flatten(),
            }
        }
        "kvm_avic_ga_log" => Ev::GaLog {
            vmid: num_after(b, "vmid=")?.ok_or("vmid is -1")?,
            vcpu: u32_after(b, "vcpuid=")?,
        },
        "kvm_avic_doorbell" => Ev::Doorbell {
            vcpu: u32_after(b, "vcpuid=")?,
            apicid: u32_after(b, "apicid=")?,
        },
        "kvm_avic_kick_vcpu_slowpath" => Ev::KickSlowpath {
            index: u32_after(b, "index=")?,
        },
        "kvm_avic_incomplete_ipi" => Ev::IncompleteIpi {
            vcpu: u32_after(b, "vcpu=")?,
            id: u32_after(b, "id=")?,
            index: u32_after(b, "index=")?,
        },
        "kvm_vcpu_wakeup" => {
            let waited = if b.starts_with("wait") {
                true
            } else if b.starts_with("poll") {
                false
            } else {
                return Err("expected 'wait time …' or 'poll time …'".into());
            };
            Ev::VcpuWakeup { waited }
        }
        "sched_switch" => {
            let (prev, next) = b.split_once("==>").ok_or("no '==>' in sched_switch")?;
            if find_key(prev, "prev_pid=").is_none() {
                return plugin_switch(prev, next).map(Some);
            }
            Ev::SchedSwitch {
                prev_comm: text_after(prev, "prev_comm=", " prev_pid=")?,
                prev_pid: u32_after(prev, "prev_pid=")?,
                prev_state: text_after(prev, "prev_state=", " ")?.trim().to_string(),
                next_comm: text_after(next, "next_comm=", " next_pid=")?,
                next_pid: u32_after(next, "next_pid=")?,
            }
        }
        "sched_wakeup" | "sched_waking" => Ev::SchedWakeup {
            pid: u32_after(b, "pid=")?,
        },
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(line: &str) -> Record {
        match parse_line(1, line) {
            LineKind::Event(r) => r,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn tracefs_and_trace_cmd_lines() {
        let r = ev("           <idle>-0       [001] d..2.  5000.000100: kvm_exit: vcpu 0 reason hlt rip 0x1 info1 0x0 info2 0x0 intr_info 0x0 error_code 0x0");
        assert_eq!(
            (r.comm.as_str(), r.pid, r.cpu, r.ts_ns),
            ("<idle>", 0, 1, 5_000_000_100_000)
        );
        assert_eq!(r.event, "kvm_exit");
        let r = ev("qemu-kvm-1637698 [019] 758186.750322: kvm_exit:             vcpu 0 reason EXCEPTION_NMI rip 0x40048d info1 0x0");
        assert_eq!((r.comm.as_str(), r.pid, r.cpu), ("qemu-kvm", 1637698, 19));
        assert_eq!(
            decode(&r).unwrap(),
            Some(Ev::Exit {
                vcpu: Some(0),
                reason: "EXCEPTION_NMI".into()
            })
        );
        let r = ev("q-7 [001] 3.5: kvm_exit: reason hlt rip 0x1 info 0 0");
        assert_eq!(
            decode(&r).unwrap(),
            Some(Ev::Exit {
                vcpu: None,
                reason: "hlt".into()
            })
        );
        // Spaces and dashes in the task name, a tgid column, old 4-char flags.
        let r = ev(
            " CPU 0/KVM-4242 ( 4200) [003] d... 12.5: kvm_entry: vcpu 0, rip 0xffffffff81000000",
        );
        assert_eq!(
            (r.comm.as_str(), r.pid, r.cpu, r.ts_ns),
            ("CPU 0/KVM", 4242, 3, 12_500_000_000)
        );
        assert_eq!(decode(&r).unwrap(), Some(Ev::Entry { vcpu: 0 }));
        // System prefix in the event name.
        assert_eq!(
            ev("a-1 [000] 1.0: kvm:kvm_entry: vcpu 3, rip 0x0").event,
            "kvm_entry"
        );
    }

    #[test]
    fn headers_blank_lost_and_bad_lines() {
        assert_eq!(parse_line(1, "# tracer: nop"), LineKind::Header);
        assert_eq!(parse_line(1, "cpus=2"), LineKind::Header);
        assert_eq!(parse_line(1, "CPU 1 is empty"), LineKind::Header);
        assert_eq!(parse_line(1, "   \r"), LineKind::Blank);
        assert_eq!(parse_line(1, "CPU:2 [LOST 1234 EVENTS]"), LineKind::Lost);
        for bad in [
            "hello world",
            "x-1 [000] notatime: kvm_entry: vcpu 0",
            "x-abc [000] 1.0: kvm_entry: vcpu 0",
            "nodash [000] 1.0: kvm_entry: vcpu 0",
            "x-1 [000] 1.0 kvm_entry vcpu 0",
            "x-1 [000] 1.0:",
            "\u{0}\u{ff}\u{7f}[[[]]]",
            "x-1 [000] 99999999999999999999999.5: kvm_entry: vcpu 0",
            "x-1 [000] 1.0123456789: kvm_entry: vcpu 0",
        ] {
            assert!(matches!(parse_line(7, bad), LineKind::Bad(_)), "{bad}");
        }
        let long = format!("x-1 [000] 1.0: kvm_entry: vcpu 0 {}", "a".repeat(MAX_LINE));
        assert!(matches!(parse_line(1, &long), LineKind::Bad(_)));
    }

    #[test]
    fn huge_numbers_are_errors_not_panics() {
        assert!(parse_ts("18446744073.709551615").is_ok());
        assert!(parse_ts("18446744074.0").is_err());
        let r = ev("x-1 [000] 1.0: kvm_entry: vcpu 99999999999999999999999, rip 0x0");
        assert!(decode(&r).is_err());
        let r = ev("x-1 [000] 1.0: kvm_avic_doorbell: vcpuid=4294967296, apicid=1");
        assert!(decode(&r).is_err());
        let r = ev("x-1 [4294967295] 1.0: kvm_avic_doorbell: vcpuid=1, apicid=0x");
        assert_eq!(r.cpu, u32::MAX);
        assert!(decode(&r).is_err());
        assert!(matches!(
            parse_line(1, "x-1 [99999999999] 1.0: e: x"),
            LineKind::Bad(_)
        ));
    }

    #[test]
    fn avic_events_decode() {
        let d = |s: &str| decode(&ev(s)).unwrap().unwrap();
        assert_eq!(
            d("q-1 [000] 1.0: kvm_pi_irte_update: VT-d PI is enabled and being updated for irq 42, vcpu 1, gsi: 0x2a, gvec: 0x41, pi_desc_addr: 0x12345000"),
            Ev::PiIrteUpdate { set: true, irq: 42, vcpu: Some(1), gsi: Some(0x2a), gvec: Some(0x41) }
        );
        assert_eq!(
            d("q-1 [000] 1.0: kvm_pi_irte_update: PI is disabled for irq 42, vcpu -1, gsi: 0x2a, gvec: 0x41"),
            Ev::PiIrteUpdate { set: false, irq: 42, vcpu: None, gsi: Some(0x2a), gvec: Some(0x41) }
        );
        assert_eq!(
            d("i-0 [001] 1.0: kvm_avic_ga_log: vmid=3, vcpuid=1"),
            Ev::GaLog { vmid: 3, vcpu: 1 }
        );
        assert_eq!(
            d("q-1 [000] 1.0: kvm_avic_doorbell: vcpuid=1, apicid=2"),
            Ev::Doorbell { vcpu: 1, apicid: 2 }
        );
        assert_eq!(
            d("q-1 [000] 1.0: kvm_avic_incomplete_ipi: vcpu=0, icrh:icrl=0x00000001:000000fd, id=1, index=1"),
            Ev::IncompleteIpi { vcpu: 0, id: 1, index: 1 }
        );
        assert_eq!(
            d("q-1 [000] 1.0: kvm_avic_kick_vcpu_slowpath: icrh:icrl=0x000001:000000fd, index=1"),
            Ev::KickSlowpath { index: 1 }
        );
        assert_eq!(
            d("q-1 [000] 1.0: kvm_vcpu_wakeup: wait time 1234 ns, polling valid"),
            Ev::VcpuWakeup { waited: true }
        );
        assert_eq!(
            d("q-1 [000] 1.0: sched_switch: prev_comm=CPU 1/KVM prev_pid=4243 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120"),
            Ev::SchedSwitch { prev_comm: "CPU 1/KVM".into(), prev_pid: 4243, prev_state: "S".into(), next_comm: "swapper/0".into(), next_pid: 0 }
        );
        assert_eq!(
            d("q-1 [000] 1.0: sched_switch: CPU 0/KVM:4242 [120] S ==> swapper/2:0 [120]"),
            Ev::SchedSwitch {
                prev_comm: "CPU 0/KVM".into(),
                prev_pid: 4242,
                prev_state: "S".into(),
                next_comm: "swapper/2".into(),
                next_pid: 0
            }
        );
        assert!(decode(&ev("q-1 [000] 1.0: sched_switch: a:1 [120] ==> b:x [120]")).is_err());
        assert_eq!(
            d("q-1 [000] 1.0: sched_waking: comm=CPU 1/KVM pid=4243 prio=120 target_cpu=001"),
            Ev::SchedWakeup { pid: 4243 }
        );
        assert_eq!(
            decode(&ev("q-1 [000] 1.0: hrtimer_cancel: hrtimer=0xffff")).unwrap(),
            None
        );
        assert!(decode(&ev("q-1 [000] 1.0: kvm_pi_irte_update: something else")).is_err());
        assert!(decode(&ev("q-1 [000] 1.0: sched_switch: prev_pid=1")).is_err());
    }
}
