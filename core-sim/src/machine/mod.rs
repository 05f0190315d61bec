//! Machine state only: what the hardware and the kernel's shared memory hold at one instant.
//!
//! Nothing here decides what runs next; [`crate::exec`] is the only code that changes a [`Machine`].

pub mod entry;
pub mod irte;
pub mod memory;
pub mod vcpu;

pub use irte::Irte;
pub use memory::{Buffered, Loc};
pub use vcpu::{RunState, Vcpu};

use serde::{Deserialize, Serialize};

/// Per-thread registers: the local variables of the kernel function a thread is in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Regs {
    /// The local copy of a physical ID table entry (`u64 entry`).
    pub entry: u64,
    /// The IRTE index the current `list_for_each_entry` walk stands on (`None` before the first).
    pub cursor: Option<u8>,
    /// A copy of an IRTE read by the IOMMU.
    pub irte: Option<Irte>,
    /// A vCPU id taken from the GA log.
    pub target: Option<u8>,
    /// The vCPU whose ir_list held the IRTE before this update (`prev_ga_tag`).
    pub prev: Option<u8>,
    /// The IRTE software copy (`ir_data->entry`) as this thread's last edit left it, until it
    /// publishes it: a publish of anything else means another writer edited in between.
    pub edited: Option<Irte>,
}

/// One thread's progress through its script.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ThreadState {
    /// Index of the current operation in the thread's script.
    pub op: u8,
    /// Index of the next micro-step in that operation's program.
    pub pc: u8,
    /// Running the forced exit a kick IPI caused, instead of the script.
    pub forced: bool,
    /// Local variables.
    pub regs: Regs,
    /// x86-TSO store buffer, oldest first (always empty under SC).
    pub buffer: Vec<Buffered>,
}

/// The whole simulated machine.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Machine {
    /// Number of pCPUs.
    pub pcpus: u8,
    /// vCPUs, by id.
    pub vcpus: Vec<Vcpu>,
    /// The AVIC physical APIC ID table as memory holds it, one 64-bit entry per vCPU: what the
    /// hardware reads.
    pub entries: Vec<u64>,
    /// KVM's own copy of each entry (`svm->avic_physical_id_entry`, Linux 6.17). Only KVM code
    /// under ir_list_lock or on the vCPU's own pCPU touches it, so its stores are modelled as
    /// visible at once (no store buffer): every reader on another CPU takes the lock first, and
    /// taking or releasing a lock drains the buffer anyway. Unused by strategies without the copy.
    pub kvm_entries: Vec<u64>,
    /// For each entry, every value that was ever stored whole (sorted): the torn-read oracle's record.
    pub whole_values: Vec<Vec<u64>>,
    /// The IOMMU interrupt remapping table, as the IOMMU reads it.
    pub irtes: Vec<Irte>,
    /// The driver's software copy of each IRTE (`amd_ir_data->entry`): edited field by field,
    /// then published into the table with one 128-bit cmpxchg (`modify_irte_ga`).
    pub irte_copies: Vec<Irte>,
    /// The IOMMU's cache of each IRTE as of its last invalidation (INVALIDATE_INTERRUPT_TABLE +
    /// COMPLETION_WAIT): the IOMMU takes GuestMode, the vector and the GA root pointer from here,
    /// and IsRun, Destination, GATag and GALogIntr from the table, which it does not cache.
    pub iommu_cache: Vec<Irte>,
    /// `ir_list` of each vCPU as memory holds it: bit `i` set when IRTE `i` is linked.
    pub ir_lists: Vec<u8>,
    /// KVM's software record of which vCPU's ir_list holds each IRTE (`prev_ga_tag`).
    pub owners: Vec<Option<u8>>,
    /// Every lock and the thread holding it, laid out by [`LockId::slot`]: first each vCPU's
    /// `ir_list_lock` (so `locks[v]` is vCPU `v`'s), then `kvm->irqfds.lock`, each pCPU's
    /// `rq->lock`, and each IRTE's host `irq_desc->lock`.
    pub locks: Vec<Option<u8>>,
    /// The lock-order graph lockdep would have learnt so far: bit `4*a + b` set when a lock of
    /// class `b` was taken while one of class `a` was held (classes: [`LockClass`]).
    pub lock_order: u16,
    /// The IOMMU GA log: vCPU ids waiting for `avic_ga_log_notifier`.
    pub ga_log: Vec<u8>,
    /// Threads, by id.
    pub threads: Vec<ThreadState>,
    /// IPIs sent by kicks (the cost of the kick strategy).
    pub kick_ipis: u8,
}

/// A lock class, as lockdep groups locks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LockClass {
    /// `svm->ir_list_lock` (a raw spinlock since Linux 6.18).
    IrList = 0,
    /// `kvm->irqfds.lock`.
    Irqfds = 1,
    /// The scheduler's `rq->lock`.
    Rq = 2,
    /// A host interrupt's `irq_desc->lock`.
    IrqDesc = 3,
}

impl LockClass {
    /// All classes, by number.
    pub const ALL: [LockClass; 4] = [
        LockClass::IrList,
        LockClass::Irqfds,
        LockClass::Rq,
        LockClass::IrqDesc,
    ];

    /// The kernel's name for it.
    pub fn name(self) -> &'static str {
        match self {
            LockClass::IrList => "ir_list_lock",
            LockClass::Irqfds => "kvm->irqfds.lock",
            LockClass::Rq => "rq->lock",
            LockClass::IrqDesc => "irq_desc->lock",
        }
    }
}

/// One lock instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LockId {
    /// vCPU `v`'s `ir_list_lock`.
    IrList(u8),
    /// The VM's `kvm->irqfds.lock`.
    Irqfds,
    /// pCPU `p`'s run-queue lock.
    Rq(u8),
    /// The `irq_desc` lock of the host interrupt behind IRTE `i`.
    IrqDesc(u8),
}

impl LockId {
    /// Its class.
    pub fn class(self) -> LockClass {
        match self {
            LockId::IrList(_) => LockClass::IrList,
            LockId::Irqfds => LockClass::Irqfds,
            LockId::Rq(_) => LockClass::Rq,
            LockId::IrqDesc(_) => LockClass::IrqDesc,
        }
    }

    /// Its index in [`Machine::locks`] for a machine with these sizes.
    pub fn slot(self, vcpus: usize, pcpus: usize) -> usize {
        match self {
            LockId::IrList(v) => v as usize,
            LockId::Irqfds => vcpus,
            LockId::Rq(p) => vcpus + 1 + p as usize,
            LockId::IrqDesc(i) => vcpus + 1 + pcpus + i as usize,
        }
    }

    /// A short human name.
    pub fn describe(self) -> String {
        match self {
            LockId::IrList(v) => format!("vCPU{v}'s ir_list_lock"),
            LockId::Irqfds => "kvm->irqfds.lock".into(),
            LockId::Rq(p) => format!("pCPU{p}'s rq->lock"),
            LockId::IrqDesc(i) => format!("IRTE{i}'s irq_desc->lock"),
        }
    }
}

/// How many lock slots a machine with these sizes has.
pub fn lock_slots(vcpus: usize, pcpus: usize, irtes: usize) -> usize {
    vcpus + 1 + pcpus + irtes
}

/// Whether the lock-order graph `edges` has a path from class `from` to class `to`.
pub fn lock_order_path(edges: u16, from: LockClass, to: LockClass) -> bool {
    let mut seen = 1u8 << from as u8;
    let mut frontier = seen;
    while frontier != 0 {
        let mut next = 0u8;
        for a in 0..4 {
            if frontier & (1 << a) != 0 {
                for b in 0..4 {
                    if edges & (1 << (4 * a + b)) != 0 {
                        next |= 1 << b;
                    }
                }
            }
        }
        frontier = next & !seen;
        seen |= next;
    }
    seen & (1 << to as u8) != 0
}

impl Machine {
    /// The slot of a lock in [`Machine::locks`].
    pub fn lock_slot(&self, id: LockId) -> usize {
        id.slot(self.vcpus.len(), self.pcpus as usize)
    }

    /// The thread holding a lock.
    pub fn holder(&self, id: LockId) -> Option<u8> {
        self.locks.get(self.lock_slot(id)).copied().flatten()
    }

    /// The classes of the locks thread `t` holds.
    pub fn held_classes(&self, t: u8) -> Vec<LockClass> {
        let nv = self.vcpus.len();
        let np = self.pcpus as usize;
        self.locks
            .iter()
            .enumerate()
            .filter(|(_, h)| **h == Some(t))
            .map(|(slot, _)| match slot {
                s if s < nv => LockClass::IrList,
                s if s == nv => LockClass::Irqfds,
                s if s < nv + 1 + np => LockClass::Rq,
                _ => LockClass::IrqDesc,
            })
            .collect()
    }

    /// The entry of vCPU `v` as thread `t` sees it: memory overlaid with its own store buffer.
    pub fn entry_view(&self, t: usize, v: u8) -> u64 {
        memory::entry_view(self.entries[v as usize], &self.threads[t].buffer, v)
    }

    /// The ir_list of vCPU `v` as thread `t` sees it.
    pub fn list_view(&self, t: usize, v: u8) -> u8 {
        memory::list_view(self.ir_lists[v as usize], &self.threads[t].buffer, v)
    }

    /// Record that `value` is now in entry `v` whole.
    pub fn note_whole_value(&mut self, v: u8) {
        let value = self.entries[v as usize];
        let seen = &mut self.whole_values[v as usize];
        if let Err(pos) = seen.binary_search(&value) {
            seen.insert(pos, value);
        }
    }

    /// Commit the oldest store of thread `t`'s buffer to memory.
    pub fn flush_one(&mut self, t: usize) -> Option<Buffered> {
        if self.threads[t].buffer.is_empty() {
            return None;
        }
        let store = self.threads[t].buffer.remove(0);
        self.commit(store);
        Some(store)
    }

    /// Apply one store to memory.
    pub fn commit(&mut self, store: Buffered) {
        match store.loc {
            Loc::Entry(v) | Loc::EntryHi(v) | Loc::EntryLo(v) => {
                let slot = &mut self.entries[v as usize];
                *slot = memory::apply_entry_store(*slot, store.loc, store.value);
                if store.completes {
                    self.note_whole_value(v);
                }
            }
            Loc::Link { vcpu, irte } => {
                let list = &mut self.ir_lists[vcpu as usize];
                if store.value != 0 {
                    *list |= 1 << irte;
                } else {
                    *list &= !(1 << irte);
                }
            }
        }
    }
}
