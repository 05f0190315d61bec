//! Larger scenarios (issue 14, item 5): three vCPUs, two IRTEs, several updaters, devices and
//! IPIs at once. They open by id like the shipped ones (`avic-lab check --scenario ID`), but are
//! not in the teaching matrix: their cells take seconds to minutes each, not milliseconds.
//! Several are symmetric (two vCPUs doing the same thing), the worlds `--symmetry on` is for.

use super::shipped::{thread, vcpu};
use super::*;

/// The larger scenarios, smallest first.
pub fn larger() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "twin-halts".into(),
            title: "Two vCPUs halt while their devices fire".into(),
            description: "vCPU0 on pCPU0 and vCPU1 on pCPU1 each exit and halt while IRTE0 (posted to vCPU0) and IRTE1 (posted to vCPU1) each fire once: the happy path twice over, and a world with one symmetry (swap the vCPUs, their pCPUs, IRTEs and devices).".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![IrteInit { vcpu: 0, posted: true }, IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                thread(Actor::Vcpu(1), vec![Op::Exit, Op::Block]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 1 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "twin-put-block".into(),
            title: "Two affinity updates vs. two vCPUs that halt".into(),
            description: "put-block-vs-affinity twice at once: vCPU0 (pCPU0) and vCPU1 (pCPU1) exit and halt while two updaters post IRTE0 to vCPU0 and IRTE1 to vCPU1 and each device fires once. Symmetric under swapping the two halves.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![IrteInit { vcpu: 0, posted: false }, IrteInit { vcpu: 1, posted: false }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                thread(Actor::Vcpu(1), vec![Op::Exit, Op::Block]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 1, vcpu: 1 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 1 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "three-vcpus-ipi".into(),
            title: "Three vCPUs: two halt, a third sends them IPIs".into(),
            description: "vCPU0 (pCPU0) and vCPU1 (pCPU1) exit and halt while vCPU2, running on pCPU2, sends each an IPI through AVIC and IRTE0/IRTE1, posted to them, fire once each. Symmetric under swapping vCPU0 and vCPU1 (with their pCPUs, IRTEs, devices and IPIs).".into(),
            pcpus: 3,
            vcpus: vec![
                vcpu(VcpuStart::InGuest, 0),
                vcpu(VcpuStart::InGuest, 1),
                vcpu(VcpuStart::InGuest, 2),
            ],
            irtes: vec![IrteInit { vcpu: 0, posted: true }, IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                thread(Actor::Vcpu(1), vec![Op::Exit, Op::Block]),
                ThreadSpec { name: Some("AVIC on pCPU2 (vCPU2's IPI to vCPU0)".into()), actor: Actor::Avic, ops: vec![Op::Ipi { to: 0 }] },
                ThreadSpec { name: Some("AVIC on pCPU2 (vCPU2's IPI to vCPU1)".into()), actor: Actor::Avic, ops: vec![Op::Ipi { to: 1 }] },
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 1 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "three-vcpus-migrate".into(),
            title: "Three vCPUs: a migration while two IRTEs are retargeted".into(),
            description: "vCPU2 moves from pCPU2 to pCPU3 (exit, put, load, enter) while one updater moves IRTE0 from vCPU0 to vCPU2 and another re-posts IRTE1 to vCPU1, which halts; both devices fire. No symmetry: the checker's plain and reduced searches on a world of three vCPUs, two IRTEs, two updaters and a migration.".into(),
            pcpus: 4,
            vcpus: vec![
                vcpu(VcpuStart::InGuest, 0),
                vcpu(VcpuStart::InGuest, 1),
                vcpu(VcpuStart::InGuest, 2),
            ],
            irtes: vec![IrteInit { vcpu: 0, posted: true }, IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(1), vec![Op::Exit, Op::Block]),
                thread(Actor::Vcpu(2), vec![Op::Exit, Op::Put, Op::Load { pcpu: 3 }, Op::Enter]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 2 }]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 1, vcpu: 1 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 1 }]),
            ],
            oracles: all_oracles(),
        },
    ]
}
