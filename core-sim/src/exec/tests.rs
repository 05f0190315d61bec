//! Step-level tests of the rules the model rests on: each fails if the order or the rule it pins
//! is reversed. The old tests first (AVIC, IOMMU cache, mixed edits, barriers, lock order), then
//! x86-TSO store buffers, torn plain stores and doorbells.
use super::*;
use crate::program::GaUpdate;
use crate::program::{Actor, Op};
use crate::scenario::{IrteInit, Scenario, ThreadSpec, VcpuInit, VcpuStart};
use crate::strategy::{Knobs, Strategy};
use crate::vocab::ViolationKind;

/// A two-pCPU world with these vCPUs, threads and IRTEs, every oracle on.
fn sim_of(
    vcpus: Vec<VcpuInit>,
    threads: Vec<ThreadSpec>,
    irtes: Vec<IrteInit>,
    preset: &str,
    memory: MemoryModel,
) -> Sim {
    let scenario = Scenario {
        id: "unit".into(),
        title: "unit".into(),
        description: String::new(),
        pcpus: 2,
        vcpus,
        irtes,
        threads,
        oracles: ViolationKind::ALL.to_vec(),
    };
    Sim::new(scenario, Strategy::preset(preset).unwrap(), memory).unwrap()
}

fn vcpu(state: VcpuStart, pcpu: u8) -> VcpuInit {
    VcpuInit { state, pcpu }
}

/// vCPU0 in the guest on pCPU0 and vCPU1 on pCPU1, under SC.
fn world(threads: Vec<ThreadSpec>, irtes: Vec<IrteInit>, preset: &str) -> Sim {
    let vcpus = vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)];
    sim_of(vcpus, threads, irtes, preset, MemoryModel::Sc)
}

fn spec(actor: Actor, ops: Vec<Op>) -> ThreadSpec {
    ThreadSpec {
        name: None,
        actor,
        ops,
    }
}

/// Run thread `t` until its next step is of the kind `stop` matches (or it finishes).
fn run_until(sim: &Sim, m: &mut Machine, t: u8, stop: impl Fn(&StepKind) -> bool) -> Vec<Fact> {
    let mut facts = Vec::new();
    while let Some(s) = next_step(sim, m, t as usize) {
        if stop(&s.kind) {
            break;
        }
        facts.extend(step(sim, m, Action::Step(t)).unwrap().facts);
    }
    facts
}

#[test]
fn avic_writes_the_irr_before_it_reads_is_running() {
    let knobs = Strategy::preset("linux-6.6").unwrap().knobs;
    let p = crate::program::compile(Actor::Avic, Op::Ipi { to: 0 }, &knobs);
    let kinds: Vec<StepKind> = p.steps.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            StepKind::AvicSetIrr(0),
            StepKind::AvicRead(0),
            StepKind::AvicNotify(0)
        ]
    );
    // The erratum is the reversed order.
    let erratum = Knobs {
        avic_erratum_1235: true,
        ..knobs
    };
    let p = crate::program::compile(Actor::Avic, Op::Ipi { to: 0 }, &erratum);
    assert_eq!(p.steps[0].kind, StepKind::AvicRead(0));
    assert_eq!(p.steps[1].kind, StepKind::AvicSetIrr(0));
}

#[test]
fn without_ipiv_the_table_never_says_running_and_the_ipi_exits_to_kvm() {
    let sim = world(
        vec![spec(Actor::Avic, vec![Op::Ipi { to: 0 }])],
        vec![],
        "linux-6.17-zen2",
    );
    let mut m = sim.initial();
    assert!(!entry::is_running(m.entries[0]) && entry::is_running(m.kvm_entries[0]));
    let facts = run_until(&sim, &mut m, 0, |_| false);
    assert!(facts.contains(&Fact::IncompleteIpi(0)), "{facts:?}");
    // KVM's kick of a running target: the doorbell path took the vector.
    assert!(facts
        .iter()
        .any(|f| matches!(f, Fact::Delivered { vcpu: 0, .. })));
}

#[test]
fn the_iommu_takes_root_and_vector_from_its_cache_and_the_destination_from_the_table() {
    // IRTE0 posts to vCPU1 and moves to vCPU0 (both running): stop the updater after the
    // publish, before the flush, and let the device fire.
    let sim = world(
        vec![
            spec(
                Actor::Updater,
                vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }],
            ),
            spec(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
        ],
        vec![IrteInit {
            vcpu: 1,
            posted: true,
        }],
        "linux-6.17",
    );
    let mut m = sim.initial();
    run_until(&sim, &mut m, 0, |k| matches!(k, StepKind::FlushIrt(_)));
    assert_eq!(
        m.irtes[0].ga_tag,
        Some(0),
        "the table already posts to vCPU0"
    );
    assert_eq!(
        m.iommu_cache[0].ga_tag,
        Some(1),
        "the cache still posts to vCPU1"
    );
    let facts = run_until(&sim, &mut m, 1, |_| false);
    // The vector lands in vCPU1's IRR (cached root); the doorbell rings vCPU0's pCPU0.
    assert!(
        facts.iter().any(|f| matches!(
            f,
            Fact::Doorbell {
                apic,
                target: 1,
                ..
            } if *apic == entry::apic_id(0)
        )),
        "{facts:?}"
    );
    // After the flush, the cache agrees with the table.
    run_until(&sim, &mut m, 0, |_| false);
    assert_eq!(m.iommu_cache[0], m.irtes[0]);
}

#[test]
fn two_editors_of_one_irte_copy_are_seen_at_publish() {
    // 6.6: the old owner's load edits IRTE0's copy while the updater's activation has edited
    // it and not yet published.
    let sim = world(
        vec![spec(
            Actor::Updater,
            vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }],
        )],
        vec![IrteInit {
            vcpu: 1,
            posted: true,
        }],
        "linux-6.6",
    );
    let mut m = sim.initial();
    run_until(&sim, &mut m, 0, |k| matches!(k, StepKind::PublishIrte(_)));
    // Another writer's edit lands in the copy (as vCPU1's update_ga would).
    GaUpdate::Run(None).apply(&mut m.irte_copies[0], entry::make(1, 1, true));
    let facts = step(&sim, &mut m, Action::Step(0)).unwrap().facts;
    assert!(
        facts
            .iter()
            .any(|f| matches!(f, Fact::MixedIrte { irte: 0, .. })),
        "{facts:?}"
    );
    assert!(
        m.irtes[0].is_run,
        "the publish carried the other writer's IsRun=1"
    );
}

#[test]
fn set_current_state_and_vmrun_wait_for_the_store_buffer() {
    let sim = Sim::from_ids("block-ga-log", "linux-6.5", "tso").unwrap();
    let mut m = sim.initial();
    // Exit, then the put up to and including its entry store (the last step before
    // set_current_state in 6.5's put).
    run_until(&sim, &mut m, 0, |k| matches!(k, StepKind::SetWaiting(_)));
    assert!(
        !m.threads[0].buffer.is_empty(),
        "the IsRunning=0 store is buffered"
    );
    assert!(
        next_step(&sim, &m, 0).is_none(),
        "a full barrier waits for the drain"
    );
    step(&sim, &mut m, Action::Flush(0)).unwrap();
    assert!(next_step(&sim, &m, 0).is_some());
}

#[test]
fn a_lock_order_cycle_is_reported_when_it_closes() {
    let sim = Sim::from_ids("lock-order-affinity", "linux-6.17", "sc").unwrap();
    let mut m = sim.initial();
    // Host: irq_desc -> rq; then the vCPU's put: rq -> ir_list; then the updater:
    // ir_list -> irq_desc closes the cycle.
    run_until(&sim, &mut m, 2, |_| false);
    run_until(&sim, &mut m, 0, |_| false);
    let facts = run_until(&sim, &mut m, 1, |_| false);
    assert!(
        facts.iter().any(|f| matches!(
            f,
            Fact::LockOrder {
                held: LockClass::IrList,
                taken: LockClass::IrqDesc,
                ..
            }
        )),
        "{facts:?}"
    );
}

// x86-TSO store buffers.

const LO: u64 = 0xFFFF_FFFF;

fn entry_store(v: u8, value: u64) -> Buffered {
    Buffered {
        loc: Loc::Entry(v),
        value,
        completes: true,
    }
}

/// A TSO world whose thread 0 (vCPU0's) holds the stores a test puts in its buffer.
fn tso_world() -> Sim {
    let vcpus = vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)];
    let threads = vec![spec(Actor::Vcpu(0), vec![Op::Exit])];
    sim_of(vcpus, threads, vec![], "linux-6.6", MemoryModel::Tso)
}

#[test]
fn tso_stores_to_two_locations_reach_memory_oldest_first() {
    let sim = tso_world();
    let mut m = sim.initial();
    let (a, b) = (entry::make(0, 1, true), entry::make(1, 0, true));
    let old1 = m.entries[1];
    assert!(a != m.entries[0] && b != old1);
    m.threads[0].buffer = vec![entry_store(0, a), entry_store(1, b)];
    let event = step(&sim, &mut m, Action::Flush(0)).unwrap();
    assert_eq!(event.facts, vec![Fact::Flushed(entry_store(0, a))]);
    assert_eq!(
        (m.entries[0], m.entries[1]),
        (a, old1),
        "the older store, alone"
    );
    step(&sim, &mut m, Action::Flush(0)).unwrap();
    assert_eq!((m.entries[0], m.entries[1]), (a, b));
    assert!(m.threads[0].buffer.is_empty());
}

#[test]
fn tso_the_later_store_to_one_location_wins() {
    let sim = tso_world();
    let mut m = sim.initial();
    let old = m.entries[0];
    let first = entry::put(old, false);
    let second = entry::loaded_on(first, 1);
    m.threads[0].buffer = vec![entry_store(0, first), entry_store(0, second)];
    assert_eq!(
        m.entry_view(0, 0),
        second,
        "the thread sees its newest store"
    );
    assert_eq!(m.entry_view(0, 1), m.entries[1]);
    step(&sim, &mut m, Action::Flush(0)).unwrap();
    assert_eq!(m.entries[0], first, "the older store lands first");
    step(&sim, &mut m, Action::Flush(0)).unwrap();
    assert_eq!(m.entries[0], second, "and the later one wins");
}

#[test]
fn tso_a_thread_reads_its_own_buffered_store_while_avic_reads_memory() {
    // 6.5: the put's entry store is its last step (no lock after it), so it is still buffered
    // when the next load reads the entry back.
    let vcpus = vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)];
    let threads = vec![
        spec(
            Actor::Vcpu(0),
            vec![Op::Exit, Op::Put, Op::Load { pcpu: 0 }],
        ),
        spec(Actor::Avic, vec![Op::Ipi { to: 0 }]),
    ];
    let sim = sim_of(vcpus, threads, vec![], "linux-6.5", MemoryModel::Tso);
    let mut m = sim.initial();
    let running = m.entries[0];
    while m.threads[0].buffer.is_empty() {
        step(&sim, &mut m, Action::Step(0)).unwrap();
    }
    let stored = m.threads[0].buffer[0];
    assert_eq!(stored.loc, Loc::Entry(0));
    assert!(!entry::is_running(stored.value), "the put's IsRunning=0");
    assert_eq!(m.entries[0], running, "memory still says running");
    assert_eq!(
        next_step(&sim, &m, 0).map(|s| s.kind),
        Some(StepKind::ReadEntry(0))
    );
    step(&sim, &mut m, Action::Step(0)).unwrap();
    assert_eq!(
        m.threads[0].regs.entry, stored.value,
        "store-to-load forwarding: the load reads the buffered store"
    );
    let facts = run_until(&sim, &mut m, 1, |_| false);
    assert!(
        facts.contains(&Fact::HwRead {
            vcpu: 0,
            value: running
        }),
        "AVIC reads memory: {facts:?}"
    );
    assert!(
        facts
            .iter()
            .any(|f| matches!(f, Fact::Doorbell { target: 0, .. })),
        "so it rings a doorbell instead of exiting to KVM: {facts:?}"
    );
}

/// Run to the end taking the first enabled action, calling `check` before each choice.
fn run_first(sim: &Sim, mut check: impl FnMut(&Machine, &[Action])) -> Machine {
    let mut m = sim.initial();
    for _ in 0..1000 {
        let en = enabled(sim, &m);
        check(&m, &en);
        let Some(&a) = en.first() else {
            return m;
        };
        step(sim, &mut m, a).unwrap();
    }
    panic!("the run did not end");
}

#[test]
fn flush_is_enabled_exactly_when_the_thread_has_a_buffered_store() {
    let sim = Sim::from_ids("put-block-vs-affinity", "linux-6.5", "tso").unwrap();
    let (mut buffered, mut flushes_first) = (0, 0);
    let mut m = run_first(&sim, |m, en| {
        for (t, ts) in m.threads.iter().enumerate() {
            let a = Action::Flush(t as u8);
            assert_eq!(en.contains(&a), !ts.buffer.is_empty(), "{a} in {en:?}");
            assert_eq!(is_enabled(&sim, m, a), !ts.buffer.is_empty(), "{a}");
            buffered += usize::from(!ts.buffer.is_empty());
        }
        flushes_first += usize::from(matches!(en.first(), Some(Action::Flush(_))));
    });
    assert!(
        buffered > 0 && flushes_first > 0,
        "no store was ever buffered"
    );
    let end = m.clone();
    assert_eq!(
        step(&sim, &mut m, Action::Flush(0)),
        Err(ExecError::NotEnabled(Action::Flush(0)))
    );
    assert_eq!(m, end, "a refused flush changes nothing");
    assert_eq!(
        step(&sim, &mut m, Action::Flush(9)),
        Err(ExecError::NoThread(9))
    );
}

#[test]
fn under_sc_there_is_no_store_buffer() {
    let sim = Sim::from_ids("put-block-vs-affinity", "linux-6.5", "sc").unwrap();
    let mut stores = 0;
    let mut m = sim.initial();
    for _ in 0..1000 {
        let en = enabled(&sim, &m);
        assert!(en.iter().all(|a| matches!(a, Action::Step(_))), "{en:?}");
        let Some(&a) = en.first() else { break };
        let writes = match next_step(&sim, &m, a.thread()).map(|s| s.kind) {
            Some(StepKind::WriteEntry(v, ..)) => Some(v as usize),
            _ => None,
        };
        let before = m.entries.clone();
        step(&sim, &mut m, a).unwrap();
        assert!(m.threads.iter().all(|ts| ts.buffer.is_empty()));
        if let Some(v) = writes {
            // Every entry store of this run flips IsRunning.
            assert_ne!(m.entries[v], before[v], "an SC store is in memory at once");
            stores += 1;
        }
    }
    assert!(enabled(&sim, &m).is_empty() && stores > 0);
}

// Torn plain 64-bit stores.

/// vCPU0 (scheduled out, last on pCPU1) is loaded on pCPU0 while AVIC sends it an IPI.
fn load_vs_ipi(preset: &str, memory: MemoryModel) -> Sim {
    let threads = vec![
        spec(Actor::Vcpu(0), vec![Op::Load { pcpu: 0 }]),
        spec(Actor::Avic, vec![Op::Ipi { to: 0 }]),
    ];
    sim_of(
        vec![vcpu(VcpuStart::Preempted, 1)],
        threads,
        vec![],
        preset,
        memory,
    )
}

fn entry_parts(sim: &Sim) -> Vec<Part> {
    let steps = &sim.threads[0].programs[0].steps;
    steps
        .iter()
        .filter_map(|s| match s.kind {
            StepKind::WriteEntry(_, _, p) => Some(p),
            _ => None,
        })
        .collect()
}

#[test]
fn a_plain_store_tears_high_half_first_and_avic_reads_the_mix() {
    let sim = load_vs_ipi("lock-fix-plain-write", MemoryModel::Sc);
    assert_eq!(entry_parts(&sim), [Part::Hi, Part::Lo]);
    let mut m = sim.initial();
    let old = m.entries[0];
    let new = entry::loaded_on(old, 0);
    assert!(!entry::is_running(old) && entry::host_id(old) == entry::apic_id(1));
    run_until(&sim, &mut m, 0, |k| matches!(k, StepKind::WriteEntry(..)));
    assert_eq!(m.entries[0], old);
    step(&sim, &mut m, Action::Step(0)).unwrap();
    let mid = m.entries[0];
    assert_eq!(
        mid >> 32,
        new >> 32,
        "first half: the high half (IsRunning) is new"
    );
    assert_eq!(mid & LO, old & LO, "and the low half (host APIC ID) old");
    assert!(
        m.whole_values[0].binary_search(&mid).is_err(),
        "nobody stored it whole"
    );
    let facts = run_until(&sim, &mut m, 1, |_| false);
    assert!(
        facts.contains(&Fact::HwRead {
            vcpu: 0,
            value: mid
        }),
        "{facts:?}"
    );
    // AVIC believes the mix: running, on the old pCPU1.
    assert!(
        facts.contains(&Fact::Doorbell {
            apic: entry::apic_id(1),
            target: 0,
            taken_by: None
        }),
        "{facts:?}"
    );
    assert_eq!(
        next_step(&sim, &m, 0).map(|s| s.kind),
        Some(StepKind::WriteEntry(0, None, Part::Lo))
    );
    step(&sim, &mut m, Action::Step(0)).unwrap();
    assert_eq!(
        m.entries[0], new,
        "after the second half the value is whole"
    );
    assert!(m.whole_values[0].binary_search(&new).is_ok());
}

#[test]
fn under_tso_the_torn_halves_drain_one_at_a_time_high_first() {
    let sim = load_vs_ipi("lock-fix-plain-write", MemoryModel::Tso);
    let mut m = sim.initial();
    let old = m.entries[0];
    let new = entry::loaded_on(old, 0);
    // Up to the unlock, which waits for the drain.
    run_until(&sim, &mut m, 0, |_| false);
    let halves: Vec<(Loc, bool)> = m.threads[0]
        .buffer
        .iter()
        .map(|b| (b.loc, b.completes))
        .collect();
    assert_eq!(halves, [(Loc::EntryHi(0), false), (Loc::EntryLo(0), true)]);
    assert_eq!(m.entries[0], old);
    step(&sim, &mut m, Action::Flush(0)).unwrap();
    let mid = m.entries[0];
    assert_eq!((mid >> 32, mid & LO), (new >> 32, old & LO));
    assert_eq!(m.whole_values[0], [old], "a half is not a whole value");
    assert!(next_step(&sim, &m, 0).is_none(), "the unlock still waits");
    step(&sim, &mut m, Action::Flush(0)).unwrap();
    assert_eq!(m.entries[0], new);
    assert!(m.whole_values[0].contains(&new));
    assert!(
        next_step(&sim, &m, 0).is_some(),
        "drained: the unlock may run"
    );
}

#[test]
fn with_write_once_the_entry_changes_in_one_store() {
    let sim = load_vs_ipi("linux-6.6", MemoryModel::Sc);
    assert_eq!(entry_parts(&sim), [Part::Whole]);
    let mut m = sim.initial();
    let old = m.entries[0];
    let new = entry::loaded_on(old, 0);
    run_until(&sim, &mut m, 0, |k| matches!(k, StepKind::WriteEntry(..)));
    assert_eq!(m.entries[0], old);
    step(&sim, &mut m, Action::Step(0)).unwrap();
    assert_eq!(m.entries[0], new, "old to new in one step");
    let mut whole = vec![old, new];
    whole.sort();
    assert_eq!(m.whole_values[0], whole);
}

// Doorbells.

/// vCPU0 in the guest on pCPU0, vCPU1 on pCPU1, IRTE0 posted to vCPU0; a device fires it.
fn device_world() -> Sim {
    world(
        vec![spec(Actor::Device, vec![Op::Interrupt { irte: 0 }])],
        vec![IrteInit {
            vcpu: 0,
            posted: true,
        }],
        "linux-6.6",
    )
}

#[test]
fn a_doorbell_to_the_wrong_pcpu_names_the_irtes_apic_and_the_target_gets_nothing() {
    let sim = device_world();
    let mut m = sim.initial();
    assert_eq!(m.irtes[0].destination, entry::apic_id(0));
    // The IRTE says pCPU1, where vCPU1 runs.
    m.irtes[0].destination = entry::apic_id(1);
    let facts = run_until(&sim, &mut m, 0, |_| false);
    assert!(
        facts.contains(&Fact::Doorbell {
            apic: entry::apic_id(1),
            target: 0,
            taken_by: Some(1)
        }),
        "{facts:?}"
    );
    assert_eq!(m.vcpus[0].irr, 1 << 0, "the vector waits in vCPU0's IRR");
    assert_eq!(m.vcpus[0].delivered, 0);
    assert_eq!((m.vcpus[1].irr, m.vcpus[1].delivered), (0, 0));
    assert!(
        !facts.iter().any(|f| matches!(
            f,
            Fact::Delivered { .. } | Fact::Wake { .. } | Fact::Kick { .. }
        )),
        "{facts:?}"
    );
}

#[test]
fn a_doorbell_to_the_right_pcpu_delivers_at_once() {
    let sim = device_world();
    let mut m = sim.initial();
    let facts = run_until(&sim, &mut m, 0, |_| false);
    assert!(
        facts.contains(&Fact::Doorbell {
            apic: entry::apic_id(0),
            target: 0,
            taken_by: Some(0)
        }),
        "{facts:?}"
    );
    assert!(facts.contains(&Fact::Delivered {
        vcpu: 0,
        vectors: 1 << 0
    }));
    assert_eq!((m.vcpus[0].irr, m.vcpus[0].delivered), (0, 1 << 0));
}

#[test]
fn a_doorbell_does_not_wake_a_sleeping_vcpu() {
    let sim = device_world();
    let mut m = sim.initial();
    // vCPU0 is asleep, but its IRTE still says IsRun=1 on pCPU0.
    m.vcpus[0].run = RunState::Sleeping;
    m.vcpus[0].waiting = true;
    let facts = run_until(&sim, &mut m, 0, |_| false);
    assert!(
        facts.contains(&Fact::Doorbell {
            apic: entry::apic_id(0),
            target: 0,
            taken_by: None
        }),
        "{facts:?}"
    );
    assert!(
        !facts
            .iter()
            .any(|f| matches!(f, Fact::Wake { .. } | Fact::Delivered { .. })),
        "{facts:?}"
    );
    assert_eq!(
        (m.vcpus[0].run, m.vcpus[0].waiting),
        (RunState::Sleeping, true)
    );
    assert_eq!(m.vcpus[0].irr, 1 << 0);
    assert!(m.ga_log.is_empty(), "and no GA-log entry will wake it");
}
