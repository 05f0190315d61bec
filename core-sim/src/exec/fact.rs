//! What a step did, in words the oracles and the timeline read: the facts of an [`Event`].

use super::*;

/// Something observable that happened in a step; the oracles judge these.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fact {
    /// A doorbell rang the pCPU with this host APIC ID, meant for vCPU `target`.
    Doorbell {
        /// Host APIC ID rung.
        apic: u8,
        /// The vCPU the interrupt is for.
        target: u8,
        /// The vCPU that took pending vectors because of it, if any.
        taken_by: Option<u8>,
    },
    /// The IOMMU logged the interrupt to the GA log (IsRun=0, GALogIntr=1).
    GaLogged(u8),
    /// The IOMMU set the IRR but notified no one (IsRun=0, GALogIntr=0).
    Silent(u8),
    /// Legacy mode: the host took the interrupt and KVM injected it.
    HostInjected(u8),
    /// AVIC found the target not running: #VMEXIT, KVM kicked it.
    IncompleteIpi(u8),
    /// Hardware read a vCPU's physical ID entry from memory.
    HwRead {
        /// Whose entry.
        vcpu: u8,
        /// The value read.
        value: u64,
    },
    /// The guest took these vectors.
    Delivered {
        /// Which vCPU.
        vcpu: u8,
        /// IRR bits taken.
        vectors: u8,
    },
    /// `kvm_vcpu_wake_up`; `woke` when it ended a wait.
    Wake {
        /// Which vCPU.
        vcpu: u8,
        /// It ended a wait.
        woke: bool,
    },
    /// A kick; `ipi` when it had to interrupt the guest.
    Kick {
        /// Which vCPU.
        vcpu: u8,
        /// An IPI was sent.
        ipi: bool,
    },
    /// A lock was released by a thread that did not hold it.
    UnlockNotHeld(LockId),
    /// A lock was taken while holding one of a class that, earlier in the run, was taken while
    /// holding this one's class: the circular dependency lockdep reports as a possible deadlock.
    LockOrder {
        /// The class held.
        held: LockClass,
        /// The class taken.
        taken: LockClass,
        /// The lock taken.
        lock: LockId,
    },
    /// A publish of an IRTE's software copy carried another writer's edit made since this
    /// thread's own edit (or lost this thread's edit under another's).
    MixedIrte {
        /// The IRTE.
        irte: u8,
        /// What this thread's edit left in the copy.
        mine: Irte,
        /// What it published.
        published: Irte,
    },
    /// A buffered store reached memory.
    Flushed(Buffered),
}

impl Fact {
    /// A sentence for timelines; `None` for facts the state changes already show.
    pub fn describe(&self, _thread: usize, sim: &Sim) -> Option<String> {
        let pcpus = sim.scenario.pcpus;
        let cpu = |apic: u8| match entry::pcpu_of_apic(apic, pcpus) {
            Some(p) => format!("pCPU{p}"),
            None => format!("APIC ID {apic}, no CPU"),
        };
        Some(match *self {
            Fact::Doorbell {
                apic,
                target,
                taken_by,
            } => match taken_by {
                Some(v) if v == target => {
                    format!("doorbell → {}: vCPU{v} takes its IRR at once", cpu(apic))
                }
                Some(v) => format!(
                    "doorbell → {} for vCPU{target}, but vCPU{v} runs there",
                    cpu(apic)
                ),
                None => format!(
                    "doorbell → {} for vCPU{target}: no vCPU in the guest there, nobody answers",
                    cpu(apic)
                ),
            },
            Fact::GaLogged(v) => {
                format!("IsRun=0: GA-log entry for vCPU{v} and a GA-log interrupt")
            }
            Fact::Silent(v) => format!("IsRun=0, GALogIntr=0: vCPU{v}'s IRR set, nobody notified"),
            Fact::HostInjected(v) => {
                format!("legacy remapping: the host takes it and KVM injects into vCPU{v}")
            }
            Fact::IncompleteIpi(v) => {
                format!("vCPU{v} not running: #VMEXIT (incomplete IPI), KVM kicks it")
            }
            Fact::HwRead { vcpu, value } => {
                format!("AVIC read entry[vCPU{vcpu}] = {}", entry::describe(value))
            }
            Fact::Delivered { vcpu, vectors } => {
                format!("the guest on vCPU{vcpu} takes vector bits {vectors:#04x}")
            }
            Fact::Wake { vcpu, woke: true } => {
                format!("kvm_vcpu_wake_up(vCPU{vcpu}) ends its wait")
            }
            Fact::Wake { vcpu, woke: false } => {
                format!("kvm_vcpu_wake_up(vCPU{vcpu}): it was not waiting, nothing to do")
            }
            Fact::Kick { vcpu, ipi: true } => {
                format!("kick: IPI forces vCPU{vcpu} out of the guest")
            }
            Fact::Kick { vcpu, ipi: false } => {
                format!("kick: vCPU{vcpu} not in the guest, request left for its next entry")
            }
            Fact::UnlockNotHeld(l) => format!("released {} without holding it", l.describe()),
            Fact::LockOrder { held, taken, lock } => format!(
                "took {} while holding a {}: a {} → {} dependency closes a cycle (lockdep: possible deadlock)",
                lock.describe(),
                held.name(),
                held.name(),
                taken.name()
            ),
            Fact::MixedIrte {
                irte,
                mine,
                published,
            } => format!(
                "published IRTE{irte}'s copy as {} though this thread's edit left {}: another writer edited it in between",
                published.describe(),
                mine.describe()
            ),
            Fact::Flushed(_) => return None,
        })
    }
}
