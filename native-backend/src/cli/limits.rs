//! The limits every command keeps: how much memory the machine can give a search, and range
//! checks for the numbers that come from flags (each message states the range).

use anyhow::{bail, Result};
use std::time::Duration;

/// The longest `--timeout` / `--seconds` accepted: one day.
pub const MAX_SECONDS: f64 = 86_400.0;

/// A number of seconds from a flag: positive, finite, at most [`MAX_SECONDS`].
pub fn seconds(flag: &str, s: f64) -> Result<Duration> {
    if !(s.is_finite() && s > 0.0 && s <= MAX_SECONDS) {
        bail!("{flag} must be a number of seconds above 0 and at most {MAX_SECONDS}, got {s}");
    }
    Ok(Duration::from_secs_f64(s))
}

/// An integer from a flag, within `lo..=hi`.
pub fn within<T>(flag: &str, value: T, lo: T, hi: T) -> Result<T>
where
    T: PartialOrd + std::fmt::Display + Copy,
{
    if value < lo || value > hi {
        bail!("{flag} must be {lo}..={hi}, got {value}");
    }
    Ok(value)
}

/// Bytes of memory this process can still use: `MemAvailable` from `/proc/meminfo`, lowered to
/// what the cgroup allows (`memory.max` − `memory.current`) when there is such a limit. `None`
/// where neither can be read (not Linux).
pub fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
    let mem = meminfo.as_deref().and_then(mem_available);
    let cgroup = cgroup_room();
    match (mem, cgroup) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `MemAvailable:  123456 kB` → bytes.
pub fn mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

fn cgroup_room() -> Option<u64> {
    let read = |f: &str| std::fs::read_to_string(format!("/sys/fs/cgroup/{f}")).ok();
    let max: u64 = read("memory.max")?.trim().parse().ok()?; // "max" (no limit) does not parse
    let current: u64 = read("memory.current")?.trim().parse().ok()?;
    Some(max.saturating_sub(current))
}

/// The share of the available memory one search may take; the rest is for its counterexamples,
/// the other jobs and everything else on the machine.
const SEARCH_SHARE: f64 = 0.6;

/// The state-memory bound for a search, in bytes: `requested_mib` (or `default_mib`) checked
/// against what this machine has (split over `jobs` searches at once). Asking for more than the
/// machine has is an error that says how much there is; the default shrinks to fit.
pub fn search_bytes(
    requested_mib: Option<usize>,
    default_mib: usize,
    jobs: usize,
) -> Result<usize> {
    let jobs = jobs.max(1);
    let room_mib = available_memory()
        .map(|b| ((b as f64 * SEARCH_SHARE) as u64 >> 20) as usize / jobs)
        .map(|m| m.max(1));
    let mib = match (requested_mib, room_mib) {
        (Some(0), _) => bail!("--max-memory must be at least 1 (MiB)"),
        (Some(r), Some(room)) if r > room => bail!(
            "--max-memory {r} MiB is more than this machine can give a search: {room} MiB \
             ({:.0}% of the available memory{}); use --max-memory {room} or less",
            SEARCH_SHARE * 100.0,
            if jobs > 1 {
                format!(", over {jobs} jobs")
            } else {
                String::new()
            }
        ),
        (Some(r), _) => r,
        (None, Some(room)) => default_mib.min(room),
        (None, None) => default_mib,
    };
    // 1 TiB: more than any machine this runs on, and far from overflowing a usize.
    let mib = within("--max-memory", mib, 1, 1 << 20)?;
    Ok(mib << 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_range_checked() {
        assert_eq!(
            seconds("--timeout", 1.5).unwrap(),
            Duration::from_millis(1500)
        );
        for bad in [0.0, -1.0, 1e20, f64::NAN, f64::INFINITY, 86_400.5] {
            let e = seconds("--timeout", bad).unwrap_err().to_string();
            assert!(e.contains("above 0 and at most 86400"), "{bad}: {e}");
        }
    }

    #[test]
    fn meminfo_is_read_in_bytes() {
        let text = "MemTotal:       24683520 kB\nMemFree:        21210000 kB\nMemAvailable:   23467024 kB\n";
        assert_eq!(mem_available(text), Some(23_467_024 * 1024));
        assert_eq!(mem_available("MemTotal: 1 kB\n"), None);
        assert_eq!(mem_available("MemAvailable: lots kB\n"), None);
    }

    #[test]
    fn a_search_gets_at_most_what_the_machine_has() {
        let Some(avail) = available_memory() else {
            return; // not Linux: nothing to compare with
        };
        let room = ((avail as f64 * SEARCH_SHARE) as u64 >> 20) as usize;
        let e = search_bytes(Some(room + 1), 1024, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("more than this machine can give"), "{e}");
        assert!(search_bytes(Some(usize::MAX >> 20), 1024, 1).is_err());
        assert!(search_bytes(Some(0), 1024, 1).is_err());
        assert!(search_bytes(None, usize::MAX >> 21, 2).unwrap() as u64 <= avail);
    }
}
