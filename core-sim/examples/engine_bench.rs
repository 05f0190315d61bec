//! The exhaustive checker's throughput and memory, one JSON object per line, for
//! `scripts/bench-engine.sh` and the README's Performance figures:
//!
//! ```text
//! cargo run --release -p core-sim --example engine_bench -- [--mode full|fingerprint]
//!     [--threads N] [--reduce none|por] [--max-states N] [--matrix] [--big] [--cell S/T/M]...
//! {"cell":"put-block-vs-affinity/linux-6.6/sc","verdict":"violation","kinds":[...],"states":684,...}
//! ```
//!
//! `--cell` checks one shipped world, `--matrix` every shipped cell (both memory models, one
//! summary line), `--big` the 7-thread world under SC (`--big-tso`: TSO; one vCPU that exits and halts, one updater, five
//! device interrupts on two IRTEs; `--print-big` writes it as scenario JSON). `rss_bytes_per_state`
//! is the growth of the process's peak resident memory during the search divided by the states
//! (for `--matrix`, the checker's own figure instead); `bytes_per_state` is the checker's own
//! account, itemised under `account` (bytes per state of each component, the frontier at its
//! largest). Without `--max-states` a `--big` search has no state limit.
//! `--symmetry` turns the symmetry reduction on (`--reduce por` the persistent sets).

use core_sim::explore::{self, Account, CheckOptions, CheckReport, Reduce, StoreMode};
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

/// A line of this process's `/proc/self/status` in bytes (Linux; 0 elsewhere).
fn status(field: &str) -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
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
    report: Option<CheckReport>,
    states: usize,
    secs: f64,
    cpu: f64,
    rss_delta: usize,
    account: Account,
}

fn run(sim: &Sim, opts: &CheckOptions) -> Figures {
    let before = status("VmHWM:");
    let cpu0 = cpu_secs();
    let start = Instant::now();
    let (report, visited) = explore::check_keeping(sim, opts, &mut |_| true);
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu0;
    let after = status("VmHWM:");
    let account = visited.account();
    drop(visited);
    Figures {
        states: report.states,
        report: Some(report),
        secs,
        cpu,
        rss_delta: after.saturating_sub(before),
        account,
    }
}

fn print(cell: &str, f: &Figures, mode: &str) {
    let states = f.states.max(1) as f64;
    let per = |b: usize| (b as f64 / states * 10.0).round() / 10.0;
    let a = &f.account;
    let mut line = serde_json::json!({
        "cell": cell,
        "mode": mode,
        "states": f.states,
        "seconds": f.secs,
        "cpu_secs": f.cpu,
        "states_per_s": (f.states as f64 / f.secs.max(1e-9)).round(),
        "states_per_cpu_s": (f.states as f64 / f.cpu.max(1e-9)).round(),
        "rss_bytes_per_state": per(f.rss_delta),
        "bytes_per_state": per(a.total()),
        "account": {
            "parts": per(a.parts), "rows": per(a.rows), "index": per(a.index),
            "links": per(a.links), "sleep_sets": per(a.sleep_sets), "frontier_peak": per(a.frontier),
        },
        "peak_rss_mib": status("VmHWM:") as f64 / 1048576.0,
    });
    if let Some(r) = &f.report {
        let kinds: Vec<&str> = r.kinds().iter().map(|k| k.id()).collect();
        line["verdict"] = r.verdict().id().into();
        line["kinds"] = kinds.into();
        line["transitions"] = r.transitions.into();
        line["final_states"] = r.final_states.into();
        line["omission_bound"] = r.omission_bound().into();
    }
    println!("{line}");
}

/// The value after flag `i`, or exit with a message.
fn value<T: std::str::FromStr>(args: &[String], i: usize, what: &str) -> T {
    args.get(i + 1)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| fail(&format!("{} needs {what}", args[i])))
}

fn fail(msg: &str) -> ! {
    eprintln!("engine_bench: {msg}");
    std::process::exit(3)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut opts = CheckOptions::default();
    let mut max_states = None;
    for (i, a) in args.iter().enumerate() {
        match a.as_str() {
            "--mode" => {
                opts.store = match args.get(i + 1).map(String::as_str) {
                    Some("full") => StoreMode::Full,
                    Some("fingerprint") => StoreMode::Fingerprint,
                    _ => fail("--mode needs full or fingerprint"),
                }
            }
            "--threads" => opts.threads = value(&args, i, "a number of threads"),
            "--max-states" => max_states = Some(value(&args, i, "a number of states")),
            "--reduce" => {
                let id = args.get(i + 1).map_or("", String::as_str);
                opts.reduce = Reduce::from_id(id).unwrap_or_else(|| fail("--reduce none|por"));
            }
            _ => {}
        }
    }
    if let Some(n) = max_states {
        opts.max_states = n;
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
                let cell = args.get(i).map_or("", String::as_str);
                let parts: Vec<&str> = cell.split('/').collect();
                let [s, t, m] = parts[..] else {
                    fail("--cell needs SCENARIO/STRATEGY/sc|tso")
                };
                let sim = Sim::from_ids(s, t, m).unwrap_or_else(|e| fail(&e.to_string()));
                print(cell, &run(&sim, &opts), mode);
            }
            "--big" | "--big-tso" => {
                let mut big = opts;
                big.max_states = max_states.unwrap_or(usize::MAX);
                big.max_bytes = usize::MAX;
                let mm = if args[i] == "--big" {
                    MemoryModel::Sc
                } else {
                    MemoryModel::Tso
                };
                let strategy = Strategy::preset("linux-6.6").expect("preset");
                let sim = Sim::new(big_world(), strategy, mm).expect("valid world");
                let cell = format!("seven-threads/linux-6.6/{}", mm.id());
                print(&cell, &run(&sim, &big), mode);
            }
            "--matrix" => {
                let mut total = Figures {
                    report: None,
                    states: 0,
                    secs: 0.0,
                    cpu: 0.0,
                    rss_delta: 0,
                    account: Account::default(),
                };
                let worlds = explore::matrix::worlds(&[MemoryModel::Sc, MemoryModel::Tso]);
                for (s, t, m) in &worlds {
                    let sim = Sim::from_ids(s, t, m.id()).expect("shipped ids");
                    let f = run(&sim, &opts);
                    total.states += f.states;
                    total.secs += f.secs;
                    total.cpu += f.cpu;
                    let (a, b) = (&mut total.account, f.account);
                    a.parts += b.parts;
                    a.rows += b.rows;
                    a.index += b.index;
                    a.links += b.links;
                    a.sleep_sets += b.sleep_sets;
                    a.frontier += b.frontier;
                }
                // The growth of the peak over many cells is not a per-state figure: give the
                // checker's own account instead.
                total.rss_delta = total.account.total();
                print(&format!("matrix ({} cells)", worlds.len()), &total, mode);
            }
            "--mode" | "--threads" | "--reduce" | "--max-states" => i += 1,
            other => fail(&format!("unknown argument {other}")),
        }
        i += 1;
    }
}
