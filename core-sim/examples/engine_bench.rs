//! The exhaustive checker's throughput and memory, one JSON object per line, for
//! `scripts/bench-engine.sh`:
//!
//! ```text
//! cargo run --release -p core-sim --example engine_bench -- [--matrix] [--big] [--cell S/T/M]...
//! {"cell":"put-block-vs-affinity/linux-6.6/sc","states":684,"secs":0.001,"states_per_s":...,"bytes_per_state":...,"mode":"full"}
//! ```
//!
//! `--matrix` runs every shipped cell (both memory models) and prints one summary line for it,
//! `--big` the 7-thread world (one vCPU that exits and halts, one updater, five device
//! interrupts on two IRTEs; `--print-big` writes it as scenario JSON). `bytes_per_state` is the
//! growth of the process's resident memory during the search divided by the states;
//! `visited_bytes_per_state` what the search itself says its visited set took. `--symmetry`
//! turns the symmetry reduction on (`--reduce por` the persistent sets).

use core_sim::explore::{self, CheckOptions, Reduce, StoreMode};
use core_sim::program::{Actor, Op};
use core_sim::scenario::{IrteInit, Scenario, ThreadSpec, VcpuInit, VcpuStart};
use core_sim::{MemoryModel, Sim, Strategy, ViolationKind};
use std::time::Instant;

/// The 7-thread world of issue 14.
fn big_world() -> Scenario {
    let thread = |actor, ops| ThreadSpec {
        name: None,
        actor,
        ops,
    };
    let mut threads = vec![
        thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
        thread(
            Actor::Updater,
            vec![
                Op::UpdateAffinity { irte: 0, vcpu: 0 },
                Op::UpdateAffinity { irte: 1, vcpu: 0 },
            ],
        ),
    ];
    for irte in [0, 1, 0, 1, 0] {
        threads.push(thread(Actor::Device, vec![Op::Interrupt { irte }]));
    }
    Scenario {
        id: "seven-threads".into(),
        title: "One halting vCPU, one updater, five interrupts on two IRTEs".into(),
        description: "Issue 14's scale test: one vCPU that exits and halts, one updater posting two IRTEs to it, five device interrupts.".into(),
        pcpus: 2,
        vcpus: vec![VcpuInit {
            state: VcpuStart::InGuest,
            pcpu: 0,
        }],
        irtes: vec![IrteInit::default(), IrteInit::default()],
        threads,
        oracles: ViolationKind::ALL.to_vec(),
    }
}

/// Resident memory of this process, in bytes (Linux; 0 elsewhere).
fn rss() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// CPU time this process has used, in seconds (Linux; 0 elsewhere): on a loaded machine a
/// steadier measure than the wall clock.
fn cpu_secs() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

struct Figures {
    states: usize,
    secs: f64,
    cpu: f64,
    rss_delta: usize,
    visited: usize,
}

fn run(sim: &Sim, opts: &CheckOptions) -> Figures {
    let before = rss();
    let cpu0 = cpu_secs();
    let start = Instant::now();
    let (report, visited) = explore::check_keeping(sim, opts, &mut |_| true);
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu0;
    let after = rss();
    drop(visited);
    Figures {
        states: report.states,
        secs,
        cpu,
        rss_delta: after.saturating_sub(before),
        visited: report.bytes,
    }
}

fn print(cell: &str, f: &Figures, mode: &str) {
    let states = f.states.max(1) as f64;
    println!(
        "{{\"cell\":\"{cell}\",\"states\":{},\"secs\":{:.4},\"cpu_secs\":{:.2},\"states_per_s\":{:.0},\"bytes_per_state\":{:.1},\"visited_bytes_per_state\":{:.1},\"mode\":\"{mode}\"}}",
        f.states,
        f.secs,
        f.cpu,
        f.states as f64 / f.secs.max(1e-9),
        f.rss_delta as f64 / states,
        f.visited as f64 / states,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut opts = CheckOptions::default();
    if let Some(i) = args.iter().position(|a| a == "--mode") {
        opts.store = match args[i + 1].as_str() {
            "full" => StoreMode::Full,
            "fingerprint" => StoreMode::Fingerprint,
            other => panic!("--mode full|fingerprint, not {other}"),
        };
    }
    if let Some(i) = args.iter().position(|a| a == "--threads") {
        opts.threads = args[i + 1].parse().expect("--threads N");
    }
    if let Some(i) = args.iter().position(|a| a == "--reduce") {
        let id = args[i + 1].as_str();
        opts.reduce = Reduce::from_id(id).unwrap_or_else(|| panic!("--reduce none|por, not {id}"));
    }
    if args.iter().any(|a| a == "--symmetry") {
        opts.symmetry = true;
    }
    let sym = if opts.symmetry { "/symmetry" } else { "" };
    let mode = &format!(
        "{}/{}t/{}{sym}",
        opts.store.id(),
        opts.threads,
        opts.reduce.id()
    );
    if args.iter().any(|a| a == "--print-big") {
        println!("{}", big_world().to_json());
        return;
    }
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--cell" => {
                i += 1;
                let cell = &args[i];
                let parts: Vec<&str> = cell.split('/').collect();
                let sim = Sim::from_ids(parts[0], parts[1], parts[2]).expect("a shipped cell");
                print(cell, &run(&sim, &opts), mode);
            }
            "--big" => {
                for mm in [MemoryModel::Sc, MemoryModel::Tso] {
                    let strategy = Strategy::preset("linux-6.6").expect("preset");
                    let sim = Sim::new(big_world(), strategy, mm).expect("valid world");
                    let cell = format!("seven-threads/linux-6.6/{}", mm.id());
                    print(&cell, &run(&sim, &opts), mode);
                }
            }
            "--matrix" => {
                let mut total = Figures {
                    states: 0,
                    secs: 0.0,
                    cpu: 0.0,
                    rss_delta: 0,
                    visited: 0,
                };
                let worlds = explore::matrix::worlds(&[MemoryModel::Sc, MemoryModel::Tso]);
                for (s, t, m) in &worlds {
                    let sim = Sim::from_ids(s, t, m.id()).expect("shipped ids");
                    let f = run(&sim, &opts);
                    total.states += f.states;
                    total.secs += f.secs;
                    total.cpu += f.cpu;
                    total.rss_delta = total.rss_delta.max(f.rss_delta);
                    total.visited += f.visited;
                }
                // Memory of the matrix: the largest growth of one cell is not a per-state figure;
                // report the visited set's own bytes per state instead.
                total.rss_delta = total.visited;
                print(&format!("matrix ({} cells)", worlds.len()), &total, mode);
            }
            "--mode" | "--threads" | "--reduce" => i += 1,
            other => panic!("unknown argument {other}"),
        }
        i += 1;
    }
}
