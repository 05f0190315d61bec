//! The growth curve of issue 14: a base world (`put-block-vs-affinity`) grown one thread, one
//! IRTE or one operation at a time, each step checked exhaustively; one line per step and
//! search mode: states, transitions, CPU seconds, the search's own bytes per state and the
//! process's peak resident memory so far. `scripts/bench-growth.sh` runs it.
//!
//! ```text
//! cargo run --release -p core-sim --example growth -- [--strategy ID] [--memory sc|tso] [--modes plain,por,symmetry,fingerprint]
//! ```

use core_sim::explore::{self, CheckOptions, Reduce, StoreMode};
use core_sim::program::{Actor, Op};
use core_sim::scenario::{self, IrteInit, Scenario, ThreadSpec, VcpuInit, VcpuStart};
use core_sim::{MemoryModel, Sim, Strategy};
use std::time::Instant;

fn thread(actor: Actor, ops: Vec<Op>) -> ThreadSpec {
    ThreadSpec {
        name: None,
        actor,
        ops,
    }
}

/// The steps: what was added, and the world after it.
fn steps() -> Vec<(&'static str, Scenario)> {
    let mut s = scenario::by_id("put-block-vs-affinity").expect("shipped");
    let mut out = vec![("base: put-block-vs-affinity", s.clone())];
    s.threads
        .push(thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]));
    out.push(("+ thread: a second interrupt on IRTE0", s.clone()));
    s.irtes.push(IrteInit::default());
    s.threads[1]
        .ops
        .push(Op::UpdateAffinity { irte: 1, vcpu: 0 });
    out.push((
        "+ IRTE1 and an operation: the updater posts it too",
        s.clone(),
    ));
    s.threads
        .push(thread(Actor::Device, vec![Op::Interrupt { irte: 1 }]));
    out.push(("+ thread: an interrupt on IRTE1", s.clone()));
    s.vcpus.push(VcpuInit {
        state: VcpuStart::InGuest,
        pcpu: 1,
    });
    s.threads.push(ThreadSpec {
        name: Some("AVIC (vCPU1's IPI)".into()),
        actor: Actor::Avic,
        ops: vec![Op::Ipi { to: 0 }],
    });
    out.push(("+ vCPU1 and a thread: its IPI to vCPU0", s.clone()));
    s.threads
        .push(thread(Actor::Vcpu(1), vec![Op::Exit, Op::Block]));
    out.push(("+ thread: vCPU1 exits and halts", s.clone()));
    s.threads
        .push(thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]));
    out.push(("+ thread: a third interrupt on IRTE0", s.clone()));
    out
}

fn peak_rss() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn cpu_secs() -> f64 {
    // utime + stime of this process, in clock ticks (100 Hz on Linux).
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |flag: &str, default: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
            .unwrap_or_else(|| default.to_string())
    };
    let strategy = Strategy::preset(&get("--strategy", "linux-6.6")).expect("a strategy id");
    let memory = MemoryModel::from_id(&get("--memory", "sc")).expect("sc or tso");
    let modes = get("--modes", "plain,por,symmetry,fingerprint");
    println!(
        "| step | threads | IRTEs | ops | mode | states | transitions | CPU s | wall s | B/state (tables) | peak RSS MiB | verdict |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (what, s) in steps() {
        let sim = Sim::new(s.clone(), strategy, memory).expect("a valid world");
        let ops: usize = s.threads.iter().map(|t| t.ops.len()).sum();
        for mode in modes.split(',') {
            let mut opts = CheckOptions {
                max_states: 100_000_000,
                ..CheckOptions::default()
            };
            match mode {
                "plain" => {}
                "por" => opts.reduce = Reduce::Por,
                "symmetry" => opts.symmetry = true,
                "por+symmetry" => {
                    opts.reduce = Reduce::Por;
                    opts.symmetry = true;
                }
                "fingerprint" => opts.store = StoreMode::Fingerprint,
                other => panic!("unknown mode {other}"),
            }
            let (c0, t0) = (cpu_secs(), Instant::now());
            let (r, visited) = explore::check_keeping(&sim, &opts, &mut |_| true);
            let (cpu, wall) = (cpu_secs() - c0, t0.elapsed().as_secs_f64());
            let kinds: Vec<&str> = r.kinds().iter().map(|k| k.id()).collect();
            let verdict = match r.outcome {
                explore::Outcome::Complete if kinds.is_empty() => "safe".to_string(),
                explore::Outcome::Complete => kinds.join(", "),
                o => format!("{o:?} {}", kinds.join(", ")),
            };
            let shown = if mode == "symmetry" {
                format!("symmetry ({})", explore::symmetries(&sim))
            } else {
                mode.to_string()
            };
            println!(
                "| {what} | {} | {} | {ops} | {shown} | {} | {} | {cpu:.2} | {wall:.2} | {} | {} | {verdict} |",
                sim.threads.len(),
                s.irtes.len(),
                r.states,
                r.transitions,
                r.bytes / r.states.max(1),
                peak_rss() >> 20,
            );
            drop(visited);
        }
    }
}
