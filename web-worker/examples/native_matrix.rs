//! The strategy × scenario matrix computed natively by the same code the page's workers run
//! (`web_worker::jobs`), as JSON: the browser tests compare it with the wasm build's answer, and
//! `scripts/bench-web.sh` times it.
//!
//! ```text
//! cargo run -q -p web-worker --example native_matrix -- [sc|tso|all] [--repeat N]
//! ```
//! Prints `{"memory": …, "cells": [...], "ms": total}` per model, one JSON document in all.

use core_sim::MemoryModel;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut models = MemoryModel::ALL.to_vec();
    let mut repeat = 1usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "all" => models = MemoryModel::ALL.to_vec(),
            "--repeat" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => repeat = n,
                _ => {
                    eprintln!("native_matrix: --repeat needs a positive number");
                    return ExitCode::from(2);
                }
            },
            other => match MemoryModel::from_id(other) {
                Ok(m) => models = vec![m],
                Err(e) => {
                    eprintln!("native_matrix: {e} (or all)");
                    return ExitCode::from(2);
                }
            },
        }
    }
    let mut out = Vec::new();
    for m in models {
        let mut best = f64::INFINITY;
        let mut cells = Vec::new();
        for _ in 0..repeat {
            let t0 = web_protocol::now_ms();
            cells = match web_worker::matrix(m) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("native_matrix: {e}");
                    return ExitCode::FAILURE;
                }
            };
            best = best.min(web_protocol::now_ms() - t0);
        }
        out.push(serde_json::json!({ "memory": m.id(), "cells": cells, "ms": best }));
    }
    println!("{}", serde_json::Value::Array(out));
    ExitCode::SUCCESS
}
