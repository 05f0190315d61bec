//! Reading SPIN's verifier (`pan`): the flags this export is meant to be checked with, and what
//! its output says, as data (kinds found, states, memory), so that tests and benchmarks compare
//! it with [`crate::explore::check`] the same way.

use super::layout::KIND_VARS;
use crate::vocab::ViolationKind;
use serde::{Deserialize, Serialize};

/// `gcc` flags for `pan.c`: safety only (assertions; `timeout` judges final states), no
/// partial-order reduction (so every reachable state is stored and counted), memory bound. Add
/// an optimisation level: `-O0` compiles fastest (the agreement test), `-O2` runs fastest.
pub const CC_FLAGS: &[&str] = &["-DSAFETY", "-DNOREDUCE", "-DMEMLIM=2048"];

/// `pan` flags: ignore SPIN's own end-state check (the `Final` process judges final states),
/// keep going after an error (to find every kind), no unreached-code listing, a depth and hash
/// table that fit every shipped world.
pub const PAN_FLAGS: &[&str] = &["-E", "-c0", "-n", "-m100000", "-w20"];

/// States SPIN stores for a world whose checker run visited `states` states, `final_states` of
/// them final: the same states, plus the two of `init` setting the machine up (the empty vector,
/// and the initial machine before the threads are started), plus one per final state (the
/// `Final` process has judged it).
pub fn expected_states(states: usize, final_states: usize) -> usize {
    states + 2 + final_states
}

/// What one `pan` run said.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PanReport {
    /// The kinds whose assertions failed somewhere, in [`ViolationKind`] order.
    pub kinds: Vec<ViolationKind>,
    /// Other errors (a model capacity, an index out of range, …): each a bug in the export.
    pub other_errors: Vec<String>,
    /// Errors counted (every failed assertion on every path).
    pub errors: u64,
    /// States stored.
    pub states: u64,
    /// Transitions taken.
    pub transitions: u64,
    /// Bytes of one state vector.
    pub state_vector: u64,
    /// Deepest step reached.
    pub depth: u64,
    /// Megabytes `pan` reports it used in total.
    pub memory_mb: Option<f64>,
    /// Seconds `pan` reports the search took.
    pub seconds: Option<f64>,
    /// A full state-space search that ran to its end.
    pub complete: bool,
}

fn number_before(line: &str, marker: &str) -> Option<u64> {
    let head = line.split(marker).next()?;
    head.split_whitespace().last()?.parse().ok()
}

fn number_after(line: &str, marker: &str) -> Option<f64> {
    let rest = line.split(marker).nth(1)?;
    rest.split_whitespace()
        .next()?
        .trim_end_matches(',')
        .parse()
        .ok()
}

/// Parse `pan`'s standard output.
pub fn parse(out: &str) -> PanReport {
    let mut r = PanReport::default();
    let mut full = false;
    let mut cut = false;
    for line in out.lines() {
        let l = line.trim();
        if let Some(rest) = l.split("assertion violated").nth(1) {
            let expr = rest.split("(at depth").next().unwrap_or(rest);
            let names: Vec<&str> = expr
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .collect();
            let kind = ViolationKind::ALL
                .iter()
                .zip(KIND_VARS)
                .find(|(_, v)| names.contains(v))
                .map(|(k, _)| *k);
            match kind {
                Some(k) if !r.kinds.contains(&k) => r.kinds.push(k),
                Some(_) => {}
                None => r.other_errors.push(l.to_string()),
            }
        } else if l.starts_with("pan:") && l.contains(": ") && l[4..].starts_with(char::is_numeric)
        {
            r.other_errors.push(l.to_string());
        } else if l.starts_with("Full statespace search") {
            full = true;
        } else if l.contains("Search not completed")
            || l.contains("out of memory")
            || l.contains("max search depth too small")
        {
            cut = true;
        } else if l.contains("states, stored") {
            r.states = number_before(l, "states, stored").unwrap_or(0);
        } else if l.contains("transitions (= stored+matched)") {
            r.transitions = number_before(l, "transitions").unwrap_or(0);
        } else if l.starts_with("State-vector") {
            r.state_vector = number_after(l, "State-vector").unwrap_or(0.0) as u64;
            r.depth = number_after(l, "depth reached").unwrap_or(0.0) as u64;
            r.errors = number_after(l, "errors:").unwrap_or(0.0) as u64;
        } else if l.contains("total actual memory usage") {
            r.memory_mb = l.split_whitespace().next().and_then(|w| w.parse().ok());
        } else if l.starts_with("pan: elapsed time") {
            r.seconds = number_after(l, "elapsed time");
        }
    }
    r.kinds.sort();
    r.other_errors.dedup();
    r.complete = full && !cut;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "pan:1: assertion violated !(delayed_delivery) (at depth 9)
pan:2: assertion violated !(stale_irte) (at depth 12)
pan:3: assertion violated !(delayed_delivery) (at depth 14)

(Spin Version 6.5.2 -- 6 December 2019)

Full statespace search for:
	assertion violations	+
	invalid end states	- (disabled by -E flag)

State-vector 212 byte, depth reached 41, errors: 3
     1520 states, stored
     2100 states, matched
     3620 transitions (= stored+matched)
  129.315	total actual memory usage

pan: elapsed time 0.01 seconds
";

    #[test]
    fn kinds_counts_and_memory_are_read() {
        let r = parse(SAMPLE);
        assert_eq!(
            r.kinds,
            vec![ViolationKind::StaleIrte, ViolationKind::DelayedDelivery]
        );
        assert!(r.other_errors.is_empty() && r.complete);
        assert_eq!((r.states, r.transitions, r.state_vector), (1520, 3620, 212));
        assert_eq!((r.depth, r.errors), (41, 3));
        assert_eq!(r.memory_mb, Some(129.315));
        assert_eq!(r.seconds, Some(0.01));
    }

    #[test]
    fn an_unknown_assertion_or_a_cut_search_is_not_hidden() {
        let r = parse("pan:1: assertion violated !(capacity) (at depth 3)\nFull statespace search for:\nWarning: Search not completed\n");
        assert_eq!(r.other_errors.len(), 1);
        assert!(r.kinds.is_empty() && !r.complete);
        assert_eq!(expected_states(10, 2), 14);
    }
}
