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
    /// The AVIC physical APIC ID table as memory holds it, one 64-bit entry per vCPU.
    pub entries: Vec<u64>,
    /// For each entry, every value that was ever stored whole (sorted): the torn-read oracle's record.
    pub whole_values: Vec<Vec<u64>>,
    /// The IOMMU interrupt remapping table.
    pub irtes: Vec<Irte>,
    /// `ir_list` of each vCPU as memory holds it: bit `i` set when IRTE `i` is linked.
    pub ir_lists: Vec<u8>,
    /// KVM's software record of which vCPU's ir_list holds each IRTE (`prev_ga_tag`).
    pub owners: Vec<Option<u8>>,
    /// `ir_list_lock` of each vCPU: the thread holding it.
    pub locks: Vec<Option<u8>>,
    /// The IOMMU GA log: vCPU ids waiting for `avic_ga_log_notifier`.
    pub ga_log: Vec<u8>,
    /// Threads, by id.
    pub threads: Vec<ThreadState>,
    /// IPIs sent by kicks (the cost of the kick strategy).
    pub kick_ipis: u8,
}

impl Machine {
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
