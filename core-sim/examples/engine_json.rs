//! One exhaustive check of one world, as one line of JSON for `scripts/bench-engine.sh`: states,
//! time, states/s and bytes per state (the checker's own estimate, and the growth of the
//! process's peak resident memory during the search, read from `/proc/self/status`).
//!
//! `cargo run --release -p core-sim --example engine_json -- SCENARIO STRATEGY sc|tso [--mode plain]`
//!
//! `--mode` names the state store; `plain` (the default) is today's checker. A new store adds
//! its mode here and to `MODES` in `scripts/bench-engine.sh`.

use core_sim::explore::{self, CheckOptions};
use core_sim::Sim;
use std::time::Instant;

/// Peak resident memory so far, in bytes (Linux; 0 where unknown).
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: engine_json SCENARIO STRATEGY sc|tso [--mode plain]";
    if args.len() < 3 {
        eprintln!("{usage}");
        std::process::exit(3);
    }
    let mode = match args.get(3).map(String::as_str) {
        None => "plain",
        Some("--mode") => args.get(4).map_or("", String::as_str),
        Some(_) => "",
    };
    if mode != "plain" {
        eprintln!("unknown or missing mode '{mode}' (known: plain); {usage}");
        std::process::exit(3);
    }
    let sim = Sim::from_ids(&args[0], &args[1], &args[2]).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(3);
    });
    let rss_before = peak_rss();
    let start = Instant::now();
    let (report, visited) = explore::check_keeping(&sim, &CheckOptions::default(), &mut |_| true);
    let seconds = start.elapsed().as_secs_f64();
    let rss_growth = peak_rss().saturating_sub(rss_before);
    let states = report.states.max(1) as f64;
    let kinds: Vec<&str> = report.kinds().iter().map(|k| k.id()).collect();
    println!(
        "{}",
        serde_json::json!({
            "engine": "core",
            "mode": mode,
            "scenario": args[0],
            "strategy": args[1],
            "memory": args[2],
            "verdict": report.verdict().id(),
            "kinds": kinds,
            "states": report.states,
            "transitions": report.transitions,
            "final_states": report.final_states,
            "seconds": seconds,
            "states_per_s": states / seconds.max(1e-9),
            "bytes_per_state": report.bytes as f64 / states,
            "rss_bytes_per_state": rss_growth as f64 / states,
        })
    );
    // Exiting frees the visited states faster than dropping them.
    std::mem::forget(visited);
}
