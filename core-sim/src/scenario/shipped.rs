//! The scenarios the lab ships: small worlds, each built to show one interleaving of the race
//! (or that a fix rules it out), with the oracles it asks for.

use super::*;

pub(super) fn vcpu(state: VcpuStart, pcpu: u8) -> VcpuInit {
    VcpuInit { state, pcpu }
}

pub(super) fn thread(actor: Actor, ops: Vec<Op>) -> ThreadSpec {
    ThreadSpec {
        name: None,
        actor,
        ops,
    }
}

use ViolationKind as K;

/// The shipped scenarios, in teaching order.
pub fn shipped() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "put-block-vs-affinity".into(),
            title: "Affinity update vs. a vCPU that halts".into(),
            description: "vCPU0 runs on pCPU0, exits and halts, while the IRQ-affinity updater posts IRTE0 to it and the device fires once. If the IRTE ends up saying 'running on pCPU0' after the vCPU went to sleep, the IOMMU rings a doorbell nobody answers instead of logging to the GA log: a lost wake-up.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit::default()],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "migrate-vs-affinity".into(),
            title: "Affinity update vs. a migrating vCPU".into(),
            description: "vCPU0 moves from pCPU0 to pCPU1 (exit, put, load, enter) while IRTE0 is posted to it. A stale IRTE keeps ringing pCPU0's doorbell although the vCPU now runs on pCPU1.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit::default()],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Put, Op::Load { pcpu: 1 }, Op::Enter]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: vec![K::StaleIrte, K::DelayedDelivery, K::TornRead, K::Deadlock],
        },
        Scenario {
            id: "running-retarget".into(),
            title: "Retargeting an IRTE to a running vCPU".into(),
            description: "IRTE0 is posted to vCPU1 and is moved to vCPU0, which keeps running in the guest on pCPU0. Before 2023 the new IRTE says IsRun=0 until vCPU0 is next scheduled in, so its interrupts take the GA-log detour and wait for the next VM exit.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "ipi-during-load".into(),
            title: "A guest IPI while the target is loaded".into(),
            description: "vCPU0 is scheduled in on pCPU0 (it last ran on pCPU1) while vCPU1, running on pCPU1, sends it an IPI through AVIC. AVIC reads vCPU0's physical ID entry from memory at any moment: a torn plain store can show it IsRunning=1 with the old host ID.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::Preempted, 1), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Load { pcpu: 0 }, Op::Enter]),
                ThreadSpec { name: Some("AVIC on pCPU1 (vCPU1's IPI)".into()), actor: Actor::Avic, ops: vec![Op::Ipi { to: 0 }] },
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "retarget-vs-old-owner".into(),
            title: "Retargeting away from a vCPU that is scheduled in".into(),
            description: "IRTE0 is posted to vCPU1, which is being scheduled in on pCPU1, and is moved to vCPU0, which exits and halts. From Linux 6.6 to 6.16 the IRTE is rewritten for vCPU0 before it leaves vCPU1's ir_list, so vCPU1's load can still stamp 'running on pCPU1' into it; 6.17 unlinks it first. (A window the kernel notes infer from the code; the checker shows whether it matters.)".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::Preempted, 1)],
            irtes: vec![IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                thread(Actor::Vcpu(1), vec![Op::Load { pcpu: 1 }]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "block-ga-log".into(),
            title: "The happy path: GA-log wake-up".into(),
            description: "IRTE0 is already posted to vCPU0, which exits and halts while the device fires. Whichever comes first, the interrupt is either seen by the final IRR check or logged to the GA log, whose handler wakes the vCPU.".into(),
            pcpus: 1,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit { vcpu: 0, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "ipi-to-halting".into(),
            title: "A guest IPI to a vCPU that halts".into(),
            description: "vCPU0 exits and halts while vCPU1, running on pCPU1, sends it an IPI through AVIC. The hardware writes the IRR first and reads IsRunning after; KVM clears IsRunning, then (set_current_state is a full barrier) checks the IRR one last time. One of the two always sees the other: the happy path. On a CPU with erratum #1235 the read can come too early, and only turning IPI virtualization off closes the gap.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                ThreadSpec { name: Some("AVIC on pCPU1 (vCPU1's IPI)".into()), actor: Actor::Avic, ops: vec![Op::Ipi { to: 0 }] },
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "old-owner-halts".into(),
            title: "Retargeting away from a vCPU that halts".into(),
            description: "IRTE0 posts to vCPU1 and is moved to vCPU0, which keeps running on pCPU0, while vCPU1 exits and halts. Up to 6.16 vCPU1's blocking put still walks IRTE0 (it leaves vCPU1's list only after it was rewritten for vCPU0) and edits the same software copy as the updater.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(1), vec![Op::Exit, Op::Block]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "old-owner-preempted".into(),
            title: "Retargeting away from a vCPU that is preempted".into(),
            description: "IRTE0 posts to vCPU1 and is moved to vCPU0, which halts, while vCPU1 exits and is scheduled out. vCPU1's put can still mark IRTE0 IsRun=0 after the updater pointed it at vCPU0.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                thread(Actor::Vcpu(1), vec![Op::Exit, Op::Put]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "old-owner-migrates".into(),
            title: "Retargeting away from a vCPU that migrates".into(),
            description: "IRTE0 posts to vCPU1 (preempted, last on pCPU1) and is moved to vCPU0, running on pCPU0, while vCPU1 is scheduled in on pCPU2. vCPU1's load can stamp 'running on pCPU2' into an IRTE that now posts to vCPU0.".into(),
            pcpus: 3,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::Preempted, 1)],
            irtes: vec![IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(1), vec![Op::Load { pcpu: 2 }]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "repost-while-halting".into(),
            title: "Re-posting an IRTE to the vCPU that halts".into(),
            description: "IRTE0 already posts to vCPU0; the guest reprograms the MSI (new routing, same vCPU) while vCPU0 exits and halts, and the device fires. The update takes the IRTE off vCPU0's list and puts it back: the halt must not miss either the old or the new IRTE.".into(),
            pcpus: 1,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit { vcpu: 0, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "new-target-preempted".into(),
            title: "Retargeting to a vCPU that is being preempted".into(),
            description: "IRTE0 posts to vCPU1 (running on pCPU1) and is moved to vCPU0, which exits and is scheduled out on pCPU0 meanwhile. The new IRTE must not keep saying 'running on pCPU0'.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Put]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "concurrent-updaters".into(),
            title: "Two affinity updates of one IRTE at once".into(),
            description: "A routing update moves IRTE0 to vCPU1 while a bypass producer is (re)connected for it, posting it to vCPU0; both vCPUs run. Before 6.15 the producer path did not take kvm->irqfds.lock, so the two updates can interleave; from 6.15 they are serialised.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![IrteInit { vcpu: 0, posted: true }],
            threads: vec![
                ThreadSpec { name: Some("routing update (→ vCPU1)".into()), actor: Actor::Updater, ops: vec![Op::UpdateAffinity { irte: 0, vcpu: 1 }] },
                ThreadSpec { name: Some("add producer (→ vCPU0)".into()), actor: Actor::Updater, ops: vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }] },
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "halt-migrates".into(),
            title: "A halted vCPU wakes up on another pCPU".into(),
            description: "vCPU0 halts on pCPU0 and, once woken, is scheduled in on pCPU1 (its load returns early while it is still blocking; the unblocking load then uses the new vcpu->cpu), while IRTE0 is posted to it and the device fires.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit::default()],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::BlockResumeOn { pcpu: 1 }, Op::Enter]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "halt-preempted".into(),
            title: "A vCPU preempted while it halts".into(),
            description: "vCPU0 halts and is preempted between avic_vcpu_blocking() and set_current_state(); the put and load of that preemption see a blocking vCPU and return early (6.17 keeps GA-log interrupts on). Meanwhile IRTE0 is re-posted to it and the device fires.".into(),
            pcpus: 1,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit { vcpu: 0, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::BlockPreempted]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "apicv-toggle".into(),
            title: "APICv inhibited and re-activated".into(),
            description: "vCPU0 exits, APICv is inhibited (its IRTE goes to remapped mode) and re-activated, and it re-enters the guest while the device fires. From 6.6 to 6.16 the re-activation loads the vCPU first and then re-activates the IRTE with IsRun=0 and no destination, so it stays stale until the next reschedule; 6.17 activates it with the target (f965255dc503).".into(),
            pcpus: 1,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit { vcpu: 0, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::ApicvOff, Op::ApicvOn, Op::Enter]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "lock-order-affinity".into(),
            title: "The ir_list_lock / irq_desc / rq lock cycle".into(),
            description: "A bypass producer posts IRTE0 to vCPU0 while vCPU0 is scheduled out (its put runs under pCPU0's rq->lock) and the host moves the same interrupt (irq_set_affinity wakes its thread on pCPU0 under irq_desc->lock). In 6.17 and later the updater holds ir_list_lock across irq_set_vcpu_affinity(), which takes irq_desc->lock: ir_list_lock → irq_desc → rq → ir_list_lock, the cycle lockdep reported on 6.19-rc2 (Dec 2025).".into(),
            pcpus: 1,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit::default()],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Put]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                ThreadSpec { name: Some("irq_set_affinity (host)".into()), actor: Actor::Host, ops: vec![Op::HostAffinity { irte: 0, pcpu: 0 }] },
            ],
            oracles: all_oracles(),
        },
    ]
}

/// The shipped scenario ids in order.
pub fn ids() -> Vec<String> {
    shipped().into_iter().map(|s| s.id).collect()
}

/// The shipped scenario with this id (from the teaching list or the larger ones).
pub fn by_id(id: &str) -> Result<Scenario, ScenarioError> {
    shipped()
        .into_iter()
        .chain(super::larger())
        .find(|s| s.id == id)
        .ok_or_else(|| ScenarioError::Unknown(text::shown(id, text::MAX_ECHO)))
}
