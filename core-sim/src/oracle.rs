//! The five oracles: pure functions of a state (and of the facts a step produced).

use crate::exec::{enabled, Fact};
use crate::machine::{entry, Machine, RunState};
use crate::program::Actor;
use crate::sim::Sim;
use serde::{Deserialize, Serialize};

pub use crate::vocab::{Severity, ViolationKind};

/// One violation: its kind, the step (1-based; 0 is the initial state) where it became true, and
/// an explanation in plain words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Kind.
    pub kind: ViolationKind,
    /// Step number.
    pub step: usize,
    /// Plain-English explanation.
    pub explanation: String,
}

fn apic_name(apic: u8, m: &Machine) -> String {
    match entry::pcpu_of_apic(apic, m.pcpus) {
        Some(p) => format!("pCPU{p}"),
        None => format!("APIC ID {apic} (no CPU)"),
    }
}

/// Violations shown by the facts of one step, judged against the state before it.
pub fn check_facts(sim: &Sim, before: &Machine, facts: &[Fact], step: usize) -> Vec<Violation> {
    let mut out = Vec::new();
    let want = |k: ViolationKind| sim.scenario.oracles.contains(&k);
    let mut push = |kind, explanation: String| {
        out.push(Violation {
            kind,
            step,
            explanation,
        })
    };
    for fact in facts {
        match *fact {
            Fact::Doorbell { apic, target, .. } => {
                if let RunState::InGuest(q) = before.vcpus[target as usize].run {
                    if apic != entry::apic_id(q) && want(ViolationKind::DelayedDelivery) {
                        push(
                            ViolationKind::DelayedDelivery,
                            format!(
                                "The doorbell rang {} but vCPU{target} runs in the guest on pCPU{q}: the vector sits in its IRR until its next VM entry.",
                                apic_name(apic, before)
                            ),
                        );
                    }
                }
            }
            Fact::GaLogged(v) | Fact::Silent(v) => {
                if let RunState::InGuest(q) = before.vcpus[v as usize].run {
                    if want(ViolationKind::DelayedDelivery) {
                        let how = if matches!(fact, Fact::GaLogged(_)) {
                            "went the slow GA-log way (IsRun=0); waking a running vCPU does nothing"
                        } else {
                            "rang no doorbell (IsRun=0, GALogIntr=0)"
                        };
                        push(
                            ViolationKind::DelayedDelivery,
                            format!("vCPU{v} runs in the guest on pCPU{q}, but its interrupt {how}: the guest sees it only at its next VM entry."),
                        );
                    }
                }
            }
            Fact::HwRead { vcpu, value }
                if want(ViolationKind::TornRead)
                    && before.whole_values[vcpu as usize]
                        .binary_search(&value)
                        .is_err() =>
            {
                push(
                        ViolationKind::TornRead,
                        format!(
                            "AVIC read vCPU{vcpu}'s entry as {value:#018x} ({}), a value no one ever stored whole: a plain 64-bit store was half done.",
                            entry::describe(value)
                        ),
                    );
            }
            Fact::UnlockNotHeld(l) if want(ViolationKind::Deadlock) => {
                push(
                    ViolationKind::Deadlock,
                    format!(
                        "{} was released by a thread that did not hold it.",
                        l.describe()
                    ),
                );
            }
            Fact::LockOrder { held, taken, lock } if want(ViolationKind::Deadlock) => {
                push(
                    ViolationKind::Deadlock,
                    format!(
                        "POSSIBLE DEADLOCK (lock-order cycle): {} was taken while a {} was held, but earlier in this run a {} was taken, directly or through other locks, while a {} was held. Lockdep reports this as a circular locking dependency; with the wrong timing the threads wait on each other for ever.",
                        lock.describe(),
                        held.name(),
                        held.name(),
                        taken.name()
                    ),
                );
            }
            Fact::MixedIrte {
                irte,
                mine,
                published,
            } if want(ViolationKind::IrteMixedUpdate) => {
                push(
                    ViolationKind::IrteMixedUpdate,
                    format!(
                        "IRTE{irte}'s software copy (ir_data->entry) was edited by two writers at once: this thread's edit left '{}' but it published '{}'. Nothing serialises the two editors, so one update is lost or mixed into the other.",
                        mine.describe(),
                        published.describe()
                    ),
                );
            }
            _ => {}
        }
    }
    out
}

/// Whether some operation on vCPU `v` is in flight (its invariant may be broken on purpose).
pub fn in_flight(sim: &Sim, m: &Machine, v: u8) -> bool {
    let vc = &m.vcpus[v as usize];
    if vc.request || vc.forced_exit {
        return true;
    }
    for (t, th) in sim.threads.iter().enumerate() {
        let ts = &m.threads[t];
        if ts.buffer.iter().any(|b| b.loc.vcpu() == v) {
            return true;
        }
        let mid = ts.pc != 0 || ts.forced;
        match th.actor {
            Actor::Vcpu(w) if w == v && mid => {
                let quiet = sim
                    .current(m, t)
                    .and_then(|(p, _)| p.steps.get(ts.pc as usize))
                    .is_some_and(|s| s.quiet);
                // Asleep in schedule(): the put for blocking is done, nothing is in flight.
                if !quiet && m.vcpus[v as usize].run != RunState::Sleeping {
                    return true;
                }
            }
            Actor::Updater if mid => return true,
            _ => {}
        }
    }
    false
}

/// Stale IRTE: the first vCPU whose quiescent ir_list disagrees with its entry.
pub fn check_state(sim: &Sim, m: &Machine, step: usize) -> Vec<Violation> {
    if !sim.scenario.oracles.contains(&ViolationKind::StaleIrte) {
        return Vec::new();
    }
    for v in 0..m.vcpus.len() as u8 {
        if in_flight(sim, m, v) {
            continue;
        }
        // KVM's own view of the entry (the table may say IsRunning=0 on purpose without IPIv).
        let e = if sim.strategy.knobs.kvm_copy() {
            m.kvm_entries[v as usize]
        } else {
            m.entries[v as usize]
        };
        let running = entry::is_running(e);
        for i in 0..m.irtes.len() as u8 {
            if m.ir_lists[v as usize] & (1 << i) == 0 {
                continue;
            }
            let irte = m.irtes[i as usize];
            let problem = if irte.is_run != running {
                Some(format!(
                    "IRTE{i} says IsRun={} but vCPU{v}'s entry says IsRunning={} ({})",
                    irte.is_run as u8,
                    running as u8,
                    m.vcpus[v as usize].run.describe()
                ))
            } else if irte.is_run && irte.destination != entry::host_id(e) {
                Some(format!(
                    "IRTE{i} rings {} but vCPU{v} is loaded on {}",
                    apic_name(irte.destination, m),
                    apic_name(entry::host_id(e), m)
                ))
            } else {
                None
            };
            if let Some(p) = problem {
                return vec![Violation {
                    kind: ViolationKind::StaleIrte,
                    step,
                    explanation: format!(
                        "{p}, and no operation on vCPU{v} is in flight to fix it."
                    ),
                }];
            }
        }
    }
    Vec::new()
}

/// At a final state (nothing can run): lost wake-ups and deadlocks.
pub fn check_terminal(sim: &Sim, m: &Machine, step: usize) -> Vec<Violation> {
    let mut out = Vec::new();
    if !enabled(sim, m).is_empty() {
        return out;
    }
    if sim.scenario.oracles.contains(&ViolationKind::LostWakeup) {
        for (v, vc) in m.vcpus.iter().enumerate() {
            if vc.run == RunState::Sleeping && vc.irr != 0 {
                out.push(Violation {
                    kind: ViolationKind::LostWakeup,
                    step,
                    explanation: format!(
                        "HANG: vCPU{v} is asleep in schedule() with vector(s) {:#04x} pending in its IRR, and nothing will wake it: no GA-log entry, no doorbell that reaches it, no kick. In a real guest this CPU stalls until some unrelated event wakes it.",
                        vc.irr
                    ),
                });
            }
        }
    }
    if sim.scenario.oracles.contains(&ViolationKind::Deadlock) {
        for t in 0..sim.threads.len() {
            if sim.finished(m, t) || sim.threads[t].is_daemon() {
                continue;
            }
            if let Actor::Vcpu(v) = sim.threads[t].actor {
                if m.vcpus[v as usize].run == RunState::Sleeping {
                    continue;
                }
            }
            let holder = sim
                .current(m, t)
                .and_then(|(p, _)| p.steps.get(m.threads[t].pc as usize))
                .map(|s| s.label.clone());
            out.push(Violation {
                kind: ViolationKind::Deadlock,
                step,
                explanation: format!(
                    "HANG: {} can never continue (waiting at '{}'): a lock nobody will release.",
                    sim.thread_name(t),
                    holder.unwrap_or_default()
                ),
            });
        }
    }
    out
}
