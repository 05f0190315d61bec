//! What a scenario asks threads to do: actors and their operations.

use serde::{Deserialize, Serialize};
use std::fmt;

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
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Vcpu(v) => write!(f, "vCPU{v} thread"),
            Actor::Updater => f.write_str("IRQ affinity updater"),
            Actor::Device => f.write_str("device + IOMMU"),
            Actor::Avic => f.write_str("AVIC (guest IPI)"),
            Actor::GaLog => f.write_str("GA-log handler"),
        }
    }
}

/// One operation of a thread's script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "op", deny_unknown_fields)]
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
}

impl Op {
    /// Which actor may run this operation.
    pub fn fits(&self, actor: Actor) -> bool {
        matches!(
            (self, actor),
            (
                Op::Load { .. } | Op::Enter | Op::Exit | Op::Put | Op::Block,
                Actor::Vcpu(_)
            ) | (Op::UpdateAffinity { .. }, Actor::Updater)
                | (Op::Interrupt { .. }, Actor::Device)
                | (Op::Ipi { .. }, Actor::Avic)
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
        }
    }
}
