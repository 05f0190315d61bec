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
    (0..sim.threads.len()).any(|t| {
        buffer_vcpus(m, t) & (1 << v) != 0
            || match thread_in_flight(sim, m, t) {
                Busy::Vcpu(w) => w == v,
                Busy::Updater => true,
                Busy::No => false,
            }
    })
}

/// What thread `t`'s own position says to [`in_flight`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Busy {
    No,
    /// vCPU `w`'s thread is in the middle of an operation.
    Vcpu(u8),
    /// An updater is in the middle of an operation (every vCPU counts as in flight).
    Updater,
}

fn thread_in_flight(sim: &Sim, m: &Machine, t: usize) -> Busy {
    let ts = &m.threads[t];
    let mid = ts.pc != 0 || ts.forced;
    match sim.threads[t].actor {
        Actor::Vcpu(w) if mid => {
            let quiet = sim
                .current(m, t)
                .and_then(|(p, _)| p.steps.get(ts.pc as usize))
                .is_some_and(|s| s.quiet);
            // Asleep in schedule(): the put for blocking is done, nothing is in flight.
            if !quiet && m.vcpus[w as usize].run != RunState::Sleeping {
                Busy::Vcpu(w)
            } else {
                Busy::No
            }
        }
        Actor::Updater if mid => Busy::Updater,
        _ => Busy::No,
    }
}

/// The vCPUs (bit per index) whose entry or list a store in thread `t`'s buffer is for.
fn buffer_vcpus(m: &Machine, t: usize) -> u64 {
    m.threads[t].buffer.iter().fold(0, |acc, b| {
        acc | 1u64.checked_shl(b.loc.vcpu().into()).unwrap_or(0)
    })
}

/// Whether [`check_state`] reads the same inputs in `a` and `b`: the vCPUs' requests, forced
/// exits and sleep, what each thread's position and buffer say about operations in flight, the
/// ir_lists, KVM's view of each entry (IsRunning, host ID) and each IRTE's IsRun and
/// destination. A step between two states with the same inputs cannot change the stale-IRTE
/// verdict, in any state where it runs with the same effect (the partial-order reduction's
/// visibility rule).
pub fn state_inputs_same(sim: &Sim, a: &Machine, b: &Machine) -> bool {
    if !sim.scenario.oracles.contains(&ViolationKind::StaleIrte) {
        return true;
    }
    let kvm = sim.strategy.knobs.kvm_copy();
    let view = |m: &Machine, v: usize| {
        let e = if kvm { m.kvm_entries[v] } else { m.entries[v] };
        (entry::is_running(e), entry::host_id(e))
    };
    a.ir_lists == b.ir_lists
        && a.vcpus.iter().zip(&b.vcpus).all(|(x, y)| {
            x.request == y.request
                && x.forced_exit == y.forced_exit
                && (x.run == RunState::Sleeping) == (y.run == RunState::Sleeping)
        })
        && (0..a.vcpus.len()).all(|v| view(a, v) == view(b, v))
        && a.irtes
            .iter()
            .zip(&b.irtes)
            .all(|(x, y)| x.is_run == y.is_run && x.destination == y.destination)
        && (0..sim.threads.len()).all(|t| {
            buffer_vcpus(a, t) == buffer_vcpus(b, t)
                && thread_in_flight(sim, a, t) == thread_in_flight(sim, b, t)
        })
}

/// The stale-IRTE rule without its "nothing in flight" guard: IRTE `i` is on vCPU `v`'s ir_list
/// and disagrees with KVM's view of `v`'s physical ID entry (IsRun against IsRunning, or the
/// destination against the host ID). `None` when they agree or `i` is not on the list.
pub fn irte_mismatch(sim: &Sim, m: &Machine, v: u8, i: u8) -> Option<String> {
    if m.ir_lists[v as usize] & (1 << i) == 0 {
        return None;
    }
    // KVM's own view of the entry (the table may say IsRunning=0 on purpose without IPIv).
    let e = if sim.strategy.knobs.kvm_copy() {
        m.kvm_entries[v as usize]
    } else {
        m.entries[v as usize]
    };
    let running = entry::is_running(e);
    let irte = m.irtes[i as usize];
    if irte.is_run != running {
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
    }
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
        for i in 0..m.irtes.len() as u8 {
            let problem = irte_mismatch(sim, m, v, i);
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

#[cfg(test)]
mod tests {
    //! Each oracle on a hand-built state or hand-built facts: it reports its kind at the step it
    //! is given, in words that name the vCPU or IRTE, and stays quiet on the near-identical state
    //! where the rule holds, or when the scenario does not ask for it.
    use super::*;
    use crate::exec::{next_step, step, Action};
    use crate::machine::{Buffered, Irte, Loc, LockClass, LockId};
    use crate::program::{GaUpdate, Op, StepKind};
    use crate::scenario::{IrteInit, Scenario, ThreadSpec, VcpuInit, VcpuStart};
    use crate::strategy::{MemoryModel, Strategy};

    const ALL: &[ViolationKind] = &ViolationKind::ALL;
    const LO: u64 = 0xFFFF_FFFF;

    /// vCPU0 in the guest on pCPU0, vCPU1 on pCPU1, IRTE0 posted to vCPU0; Linux 6.6, SC.
    fn world(threads: Vec<(Actor, Vec<Op>)>, oracles: &[ViolationKind]) -> Sim {
        let in_guest = |pcpu| VcpuInit {
            state: VcpuStart::InGuest,
            pcpu,
        };
        let scenario = Scenario {
            id: "unit".into(),
            title: "unit".into(),
            description: String::new(),
            pcpus: 2,
            vcpus: vec![in_guest(0), in_guest(1)],
            irtes: vec![IrteInit {
                vcpu: 0,
                posted: true,
            }],
            threads: threads
                .into_iter()
                .map(|(actor, ops)| ThreadSpec {
                    name: None,
                    actor,
                    ops,
                })
                .collect(),
            oracles: oracles.to_vec(),
        };
        let strategy = Strategy::preset("linux-6.6").unwrap();
        Sim::new(scenario, strategy, MemoryModel::Sc).unwrap()
    }

    /// vCPU0 exits and halts (thread 0), a device fires IRTE0 (thread 1), the GA-log handler is
    /// thread 2.
    fn halt_world(oracles: &[ViolationKind]) -> Sim {
        world(
            vec![
                (Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                (Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles,
        )
    }

    /// vCPU0 asleep in schedule() (its halt run alone), the device done: nothing can run.
    fn asleep(sim: &Sim) -> Machine {
        let mut m = sim.initial();
        while next_step(sim, &m, 0).is_some() {
            step(sim, &mut m, Action::Step(0)).unwrap();
        }
        assert_eq!(m.vcpus[0].run, RunState::Sleeping);
        m.threads[1].op = 1;
        assert!(enabled(sim, &m).is_empty());
        m
    }

    fn kinds(vs: &[Violation]) -> Vec<ViolationKind> {
        vs.iter().map(|v| v.kind).collect()
    }

    /// The one violation in `vs`, checked to be of `kind` at `step`.
    fn one(vs: Vec<Violation>, kind: ViolationKind, step: usize) -> Violation {
        assert_eq!(kinds(&vs), [kind], "{vs:?}");
        assert_eq!(vs[0].step, step);
        vs.into_iter().next().unwrap()
    }

    fn wrong_doorbell() -> Fact {
        Fact::Doorbell {
            apic: entry::apic_id(1),
            target: 0,
            taken_by: Some(1),
        }
    }

    /// vCPU0's entry with its high half from a put and its low half from a load on pCPU1.
    fn torn(whole: u64) -> u64 {
        (entry::put(whole, false) & !LO) | (entry::loaded_on(whole, 1) & LO)
    }

    fn mixed(published: Irte) -> Fact {
        Fact::MixedIrte {
            irte: 0,
            mine: Irte {
                is_run: !published.is_run,
                ..published
            },
            published,
        }
    }

    #[test]
    fn stale_irte_is_reported_on_a_quiescent_vcpu() {
        let sim = halt_world(ALL);
        let mut m = sim.initial();
        assert_eq!(check_state(&sim, &m, 0), [], "the initial IRTE agrees");
        m.irtes[0].is_run = false;
        let v = one(check_state(&sim, &m, 5), ViolationKind::StaleIrte, 5);
        assert!(
            v.explanation.contains(
                "IRTE0 says IsRun=0 but vCPU0's entry says IsRunning=1 (in guest on pCPU0)"
            ),
            "{}",
            v.explanation
        );
        let mut m = sim.initial();
        m.irtes[0].destination = entry::apic_id(1);
        let v = one(check_state(&sim, &m, 3), ViolationKind::StaleIrte, 3);
        assert!(
            v.explanation
                .contains("IRTE0 rings pCPU1 but vCPU0 is loaded on pCPU0"),
            "{}",
            v.explanation
        );
    }

    #[test]
    fn stale_irte_is_not_reported_while_an_operation_on_the_vcpu_is_in_flight() {
        let sim = halt_world(ALL);
        let mut stale = sim.initial();
        stale.irtes[0].is_run = false;
        // vCPU0's thread in the middle of its halt (past the put's first step).
        let mut mid = stale.clone();
        mid.threads[0].op = 1;
        mid.threads[0].pc = 1;
        assert!(in_flight(&sim, &mid, 0));
        assert_eq!(check_state(&sim, &mid, 5), []);
        // A store to vCPU0's entry still in a store buffer.
        let mut buffered = stale.clone();
        buffered.threads[1].buffer.push(Buffered {
            loc: Loc::Entry(0),
            value: 0,
            completes: true,
        });
        assert_eq!(check_state(&sim, &buffered, 5), []);
        // A kick request pending.
        let mut kicked = stale.clone();
        kicked.vcpus[0].request = true;
        assert_eq!(check_state(&sim, &kicked, 5), []);
        // Not asked for.
        let quiet = halt_world(&[ViolationKind::LostWakeup]);
        assert_eq!(check_state(&quiet, &stale, 5), []);
    }

    #[test]
    fn in_flight_is_per_vcpu_and_quiet_while_asleep() {
        let sim = halt_world(ALL);
        let mut m = sim.initial();
        assert!(!in_flight(&sim, &m, 0) && !in_flight(&sim, &m, 1));
        m.threads[1].buffer.push(Buffered {
            loc: Loc::Entry(1),
            value: 0,
            completes: true,
        });
        assert!(in_flight(&sim, &m, 1), "a buffered store to vCPU1's entry");
        assert!(!in_flight(&sim, &m, 0), "is nothing to vCPU0");
        // The device thread mid-interrupt puts no vCPU in flight.
        let mut m = sim.initial();
        step(&sim, &mut m, Action::Step(1)).unwrap();
        assert!(!in_flight(&sim, &m, 0) && !in_flight(&sim, &m, 1));
        // Asleep in schedule(): the put for blocking is done.
        let m = asleep(&sim);
        assert_ne!(m.threads[0].pc, 0);
        assert!(!in_flight(&sim, &m, 0));
        // An updater mid-update puts every vCPU in flight.
        let sim = world(
            vec![(
                Actor::Updater,
                vec![Op::UpdateAffinity { irte: 0, vcpu: 1 }],
            )],
            ALL,
        );
        let mut m = sim.initial();
        step(&sim, &mut m, Action::Step(0)).unwrap();
        assert!(in_flight(&sim, &m, 0) && in_flight(&sim, &m, 1));
    }

    #[test]
    fn lost_wakeup_is_a_sleeper_with_a_pending_vector_and_nothing_left_to_run() {
        let sim = halt_world(ALL);
        let mut m = asleep(&sim);
        assert_eq!(
            check_terminal(&sim, &m, 12),
            [],
            "asleep with an empty IRR: no lost wake-up, and a sleeper is no deadlock"
        );
        m.vcpus[0].irr = 1 << 3;
        let v = one(check_terminal(&sim, &m, 12), ViolationKind::LostWakeup, 12);
        assert!(
            v.explanation
                .contains("vCPU0 is asleep in schedule() with vector(s) 0x08 pending"),
            "{}",
            v.explanation
        );
    }

    #[test]
    fn check_terminal_says_nothing_while_a_thread_can_still_run() {
        let sim = halt_world(ALL);
        let mut m = asleep(&sim);
        m.vcpus[0].irr = 1;
        // A GA-log entry for vCPU0: its handler can still run and wake it.
        let mut logged = m.clone();
        logged.ga_log.push(0);
        assert!(!enabled(&sim, &logged).is_empty());
        assert_eq!(check_terminal(&sim, &logged, 12), []);
        // The device has not fired yet.
        let mut device = m.clone();
        device.threads[1].op = 0;
        assert_eq!(check_terminal(&sim, &device, 12), []);
    }

    #[test]
    fn delayed_delivery_is_a_doorbell_away_from_where_the_target_runs() {
        let sim = halt_world(ALL);
        let m = sim.initial();
        let v = one(
            check_facts(&sim, &m, &[wrong_doorbell()], 7),
            ViolationKind::DelayedDelivery,
            7,
        );
        assert!(
            v.explanation
                .contains("The doorbell rang pCPU1 but vCPU0 runs in the guest on pCPU0"),
            "{}",
            v.explanation
        );
        let right = Fact::Doorbell {
            apic: entry::apic_id(0),
            target: 0,
            taken_by: Some(0),
        };
        assert_eq!(check_facts(&sim, &m, &[right], 7), []);
        let nowhere = Fact::Doorbell {
            apic: 0,
            target: 0,
            taken_by: None,
        };
        let v = one(
            check_facts(&sim, &m, &[nowhere], 7),
            ViolationKind::DelayedDelivery,
            7,
        );
        assert!(
            v.explanation.contains("APIC ID 0 (no CPU)"),
            "{}",
            v.explanation
        );
        // Outside the guest the vector is taken at the next VM entry anyway.
        let mut out = sim.initial();
        out.vcpus[0].run = RunState::Loaded(0);
        assert_eq!(check_facts(&sim, &out, &[wrong_doorbell()], 7), []);
    }

    #[test]
    fn delayed_delivery_is_the_ga_log_or_silence_for_a_running_vcpu() {
        let sim = halt_world(ALL);
        let m = sim.initial();
        let v = one(
            check_facts(&sim, &m, &[Fact::GaLogged(0)], 4),
            ViolationKind::DelayedDelivery,
            4,
        );
        assert!(
            v.explanation.contains("vCPU0 runs in the guest on pCPU0")
                && v.explanation.contains("GA-log"),
            "{}",
            v.explanation
        );
        let v = one(
            check_facts(&sim, &m, &[Fact::Silent(0)], 4),
            ViolationKind::DelayedDelivery,
            4,
        );
        assert!(
            v.explanation.contains("rang no doorbell"),
            "{}",
            v.explanation
        );
        let mut halting = sim.initial();
        halting.vcpus[0].run = RunState::Blocking;
        let facts = [Fact::GaLogged(0), Fact::Silent(0)];
        assert_eq!(check_facts(&sim, &halting, &facts, 4), []);
    }

    #[test]
    fn torn_read_is_a_value_nobody_stored_whole() {
        let sim = halt_world(ALL);
        let m = sim.initial();
        let whole = m.entries[0];
        let read = |value| Fact::HwRead { vcpu: 0, value };
        assert_eq!(check_facts(&sim, &m, &[read(whole)], 9), []);
        let half = torn(whole);
        let v = one(
            check_facts(&sim, &m, &[read(half)], 9),
            ViolationKind::TornRead,
            9,
        );
        assert!(
            v.explanation
                .contains(&format!("AVIC read vCPU0's entry as {half:#018x}")),
            "{}",
            v.explanation
        );
        // Once somebody stored that value whole, reading it is no torn read.
        let mut stored = m.clone();
        stored.whole_values[0].push(half);
        stored.whole_values[0].sort();
        assert_eq!(check_facts(&sim, &stored, &[read(half)], 9), []);
    }

    #[test]
    fn deadlock_is_a_lock_order_cycle_or_an_unlock_by_a_non_holder() {
        let sim = halt_world(ALL);
        let m = sim.initial();
        let cycle = Fact::LockOrder {
            held: LockClass::IrList,
            taken: LockClass::IrqDesc,
            lock: LockId::IrqDesc(0),
        };
        let v = one(
            check_facts(&sim, &m, &[cycle], 8),
            ViolationKind::Deadlock,
            8,
        );
        assert!(
            v.explanation
                .contains("IRTE0's irq_desc->lock was taken while a ir_list_lock was held"),
            "{}",
            v.explanation
        );
        let unlock = Fact::UnlockNotHeld(LockId::IrList(0));
        let v = one(
            check_facts(&sim, &m, &[unlock], 8),
            ViolationKind::Deadlock,
            8,
        );
        assert!(
            v.explanation
                .contains("vCPU0's ir_list_lock was released by a thread that did not hold it"),
            "{}",
            v.explanation
        );
    }

    #[test]
    fn deadlock_is_a_thread_stuck_at_a_lock_nobody_will_release() {
        let sim = halt_world(ALL);
        let mut m = sim.initial();
        // vCPU0 exits and reads its entry; its halt takes ir_list_lock next (6.6).
        step(&sim, &mut m, Action::Step(0)).unwrap();
        step(&sim, &mut m, Action::Step(0)).unwrap();
        assert!(matches!(
            next_step(&sim, &m, 0).map(|s| s.kind),
            Some(StepKind::Lock(_))
        ));
        m.threads[1].op = 1;
        assert!(!enabled(&sim, &m).is_empty());
        assert_eq!(check_terminal(&sim, &m, 2), [], "the lock is free");
        // The device thread finished holding vCPU0's ir_list_lock.
        let slot = m.lock_slot(LockId::IrList(0));
        m.locks[slot] = Some(1);
        let v = one(check_terminal(&sim, &m, 2), ViolationKind::Deadlock, 2);
        assert!(
            v.explanation
                .contains("vCPU0 thread can never continue (waiting at 'lock ir_list_lock')"),
            "{}",
            v.explanation
        );
    }

    #[test]
    fn irte_mixed_update_is_a_publish_of_another_writers_edit() {
        // 6.6: the updater moves IRTE0 to vCPU1 and stops before its first publish.
        let sim = world(
            vec![(
                Actor::Updater,
                vec![Op::UpdateAffinity { irte: 0, vcpu: 1 }],
            )],
            ALL,
        );
        let mut m = sim.initial();
        while !matches!(
            next_step(&sim, &m, 0).map(|s| s.kind),
            Some(StepKind::PublishIrte(_))
        ) {
            step(&sim, &mut m, Action::Step(0)).unwrap();
        }
        // Alone, the publish carries its own edit: nothing to report.
        let mut alone = m.clone();
        let facts = step(&sim, &mut alone, Action::Step(0)).unwrap().facts;
        assert_eq!(check_facts(&sim, &m, &facts, 6), []);
        // vCPU0's update_ga edits the copy in between.
        GaUpdate::Run(None).apply(&mut m.irte_copies[0], entry::make(0, 0, true));
        let before = m.clone();
        let facts = step(&sim, &mut m, Action::Step(0)).unwrap().facts;
        let v = one(
            check_facts(&sim, &before, &facts, 6),
            ViolationKind::IrteMixedUpdate,
            6,
        );
        assert!(
            v.explanation
                .contains("IRTE0's software copy (ir_data->entry) was edited by two writers"),
            "{}",
            v.explanation
        );
    }

    /// The violations of the input that breaks `kind`'s rule, on `sim` (a [`halt_world`]).
    fn provoke(sim: &Sim, kind: ViolationKind) -> Vec<Violation> {
        let mut m = sim.initial();
        let fact = match kind {
            ViolationKind::StaleIrte => {
                m.irtes[0].is_run = false;
                return check_state(sim, &m, 1);
            }
            ViolationKind::LostWakeup => {
                let mut m = asleep(sim);
                m.vcpus[0].irr = 1;
                return check_terminal(sim, &m, 1);
            }
            ViolationKind::DelayedDelivery => wrong_doorbell(),
            ViolationKind::TornRead => Fact::HwRead {
                vcpu: 0,
                value: torn(m.entries[0]),
            },
            ViolationKind::Deadlock => Fact::UnlockNotHeld(LockId::IrList(0)),
            ViolationKind::IrteMixedUpdate => mixed(m.irtes[0]),
        };
        check_facts(sim, &m, &[fact], 1)
    }

    #[test]
    fn an_oracle_the_scenario_does_not_ask_for_is_never_reported() {
        for k in ViolationKind::ALL {
            let only = provoke(&halt_world(&[k]), k);
            assert_eq!(kinds(&only), [k], "{k} asked for alone");
            let others: Vec<ViolationKind> = ALL.iter().copied().filter(|o| *o != k).collect();
            let v = provoke(&halt_world(&others), k);
            assert!(
                v.iter().all(|v| v.kind != k),
                "{k} reported though not asked for: {v:?}"
            );
        }
    }
}
