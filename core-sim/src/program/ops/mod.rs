//! What a scenario asks threads to do: actors and their operations.

use serde::{Deserialize, Serialize};
use std::fmt;

mod read;

/// Who runs a thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Actor {
    /// The host thread that runs vCPU `n` (KVM's vCPU loop and the scheduler hooks).
    Vcpu(u8),
    /// The IRQ-affinity updater: irqfd / IRQ bypass calling `avic_pi_update_irte`.
    Updater,
    /// A device raising interrupts that the IOMMU remaps or posts.
    Device,
    /// AVIC hardware on a sender's pCPU delivering a guest IPI.
    Avic,
    /// The GA-log interrupt handler (`avic_ga_log_notifier`); added automatically.
    GaLog,
    /// The host changing a device interrupt's affinity (`irq_set_affinity`, e.g. irqbalance
    /// writing `/proc/irq/N/smp_affinity`).
    Host,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Vcpu(v) => write!(f, "vCPU{v} thread"),
            Actor::Updater => f.write_str("IRQ affinity updater"),
            Actor::Device => f.write_str("device + IOMMU"),
            Actor::Avic => f.write_str("AVIC (guest IPI)"),
            Actor::GaLog => f.write_str("GA-log handler"),
            Actor::Host => f.write_str("host IRQ affinity"),
        }
    }
}

/// One operation of a thread's script. In JSON an object whose `op` names it (kebab-case),
/// beside its fields: `{"op": "update-affinity", "irte": 0, "vcpu": 1}`. It is read by hand
/// ([`read`]), as serde's derived reader of this internally tagged form would read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "op")]
pub enum Op {
    /// `avic_vcpu_load`: schedule the vCPU in on a pCPU.
    Load {
        /// The pCPU.
        pcpu: u8,
    },
    /// VMRUN: enter the guest.
    Enter,
    /// #VMEXIT: leave the guest, stay loaded.
    Exit,
    /// `avic_vcpu_put`: schedule the vCPU out (preempted, runnable).
    Put,
    /// The guest halts: `avic_vcpu_blocking`, sleep until woken, `avic_vcpu_unblocking`.
    Block,
    /// `avic_pi_update_irte`: post an IRTE to a vCPU.
    UpdateAffinity {
        /// The IRTE.
        irte: u8,
        /// The vCPU.
        vcpu: u8,
    },
    /// The device raises the interrupt behind an IRTE.
    Interrupt {
        /// The IRTE.
        irte: u8,
    },
    /// A running guest vCPU sends an IPI that AVIC delivers to `to`.
    Ipi {
        /// The target vCPU.
        to: u8,
    },
    /// The guest halts, and the vCPU task is preempted inside the halt (after
    /// `avic_vcpu_blocking`, before `set_current_state`) and scheduled back in on the same pCPU:
    /// `avic_vcpu_put` and `avic_vcpu_load` see a blocking vCPU and return early.
    BlockPreempted,
    /// The guest halts; when woken, the scheduler runs the vCPU task on pCPU `pcpu`
    /// (`vcpu->cpu` changes while `avic_vcpu_load` returns early for the blocking vCPU), and
    /// `avic_vcpu_unblocking` loads it there.
    BlockResumeOn {
        /// The pCPU it wakes up on.
        pcpu: u8,
    },
    /// APICv is inhibited (KVM_REQ_APICV_UPDATE): `avic_refresh_apicv_exec_ctrl` puts the AVIC
    /// and switches the vCPU's IRTEs to remapped (legacy) mode.
    ApicvOff,
    /// The inhibit is lifted: `avic_refresh_apicv_exec_ctrl` loads the AVIC and switches the
    /// vCPU's IRTEs back to guest mode.
    ApicvOn,
    /// The host moves the device interrupt behind IRTE `irte` (`irq_set_affinity` under
    /// `irq_desc->lock`, which wakes the interrupt's thread on pCPU `pcpu`: `rq->lock`).
    HostAffinity {
        /// The IRTE whose host interrupt moves.
        irte: u8,
        /// The pCPU whose run queue the wake-up locks.
        pcpu: u8,
    },
}

impl Op {
    /// Which actor may run this operation.
    pub fn fits(&self, actor: Actor) -> bool {
        matches!(
            (self, actor),
            (
                Op::Load { .. }
                    | Op::Enter
                    | Op::Exit
                    | Op::Put
                    | Op::Block
                    | Op::BlockPreempted
                    | Op::BlockResumeOn { .. }
                    | Op::ApicvOff
                    | Op::ApicvOn,
                Actor::Vcpu(_)
            ) | (Op::UpdateAffinity { .. }, Actor::Updater)
                | (Op::Interrupt { .. }, Actor::Device)
                | (Op::Ipi { .. }, Actor::Avic)
                | (Op::HostAffinity { .. }, Actor::Host)
        )
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Load { pcpu } => write!(f, "vcpu_load(pCPU{pcpu})"),
            Op::Enter => f.write_str("enter guest"),
            Op::Exit => f.write_str("exit guest"),
            Op::Put => f.write_str("vcpu_put"),
            Op::Block => f.write_str("halt (block)"),
            Op::UpdateAffinity { irte, vcpu } => {
                write!(f, "pi_update_irte(IRTE{irte} → vCPU{vcpu})")
            }
            Op::Interrupt { irte } => write!(f, "device interrupt (IRTE{irte})"),
            Op::Ipi { to } => write!(f, "guest IPI → vCPU{to}"),
            Op::BlockPreempted => f.write_str("halt (preempted while blocking)"),
            Op::BlockResumeOn { pcpu } => write!(f, "halt (wakes on pCPU{pcpu})"),
            Op::ApicvOff => f.write_str("APICv inhibited"),
            Op::ApicvOn => f.write_str("APICv re-activated"),
            Op::HostAffinity { irte, pcpu } => {
                write!(
                    f,
                    "irq_set_affinity(IRTE{irte}'s host IRQ, thread on pCPU{pcpu})"
                )
            }
        }
    }
}
