//! The shared memory the stress threads race on: real atomics, a real spinlock, real sleeping.
//!
//! What is "real" and what stands in for hardware:
//! - The AVIC physical ID entries, the IRTEs, the ir_lists, `ir_list_lock` and the vAPIC IRRs are
//!   real shared words written and read by different OS threads with x86 instructions
//!   (`Acquire` loads / `Release` stores are plain `mov`s on x86-64, so the CPU's own TSO applies).
//! - Things the *hardware* makes atomic (a doorbell landing while a CPU is or is not in guest mode,
//!   VMRUN picking up the IRR, the IOMMU's GA log) sit behind one small mutex, [`Hw`]: that mutex is
//!   not kernel code, it models the atomicity of the hardware event.

use core_sim::machine::{entry, Irte, Machine, RunState, ThreadState, Vcpu};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering::*};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread::Thread;

/// "No vCPU" in a `u8` slot (owners, lock holders).
pub const NONE: u8 = 0xFF;

/// How many whole values one entry can record per iteration (programs store a handful).
const LOG_SLOTS: usize = 64;

/// One AVIC physical APIC ID table entry plus the record of every value stored into it whole.
///
/// Each entry has exactly one writer thread (vCPU `v`'s thread; checked when the world is built),
/// so a torn plain store can be done exactly as the compiler would: two separate stores, each
/// changing one 32-bit half. We issue them as 64-bit stores that carry the other half unchanged
/// (the writer knows it, being the only writer), which leaves memory in exactly the state two
/// `mov dword` stores would, without mixing access sizes on one location. The intermediate value
/// (new high half, old low half) is visible to other threads between the two stores.
pub struct EntryCell {
    /// The entry as memory holds it.
    pub value: AtomicU64,
    log: [AtomicU64; LOG_SLOTS],
    len: AtomicUsize,
    overflow: AtomicBool,
}

impl EntryCell {
    fn new() -> EntryCell {
        EntryCell {
            value: AtomicU64::new(0),
            log: std::array::from_fn(|_| AtomicU64::new(0)),
            len: AtomicUsize::new(0),
            overflow: AtomicBool::new(false),
        }
    }

    /// Record `v` as written whole. Plain stores (single writer): no fence is added to the
    /// writer's path, so the store-buffering behaviour of the code under test is unchanged.
    fn record(&self, v: u64) {
        let n = self.len.load(Relaxed);
        if n < LOG_SLOTS {
            self.log[n].store(v, Relaxed);
            self.len.store(n + 1, Release);
        } else {
            self.overflow.store(true, Relaxed);
        }
    }

    fn reset(&self, v: u64) {
        self.len.store(0, Relaxed);
        self.overflow.store(false, Relaxed);
        self.record(v);
        self.value.store(v, Relaxed);
    }

    /// `WRITE_ONCE(*entry, v)`: one 64-bit store.
    pub fn store_whole(&self, v: u64) {
        self.record(v);
        self.value.store(v, Release);
    }

    /// A plain store's high half (IsRunning, Valid): memory now holds a value nobody meant.
    pub fn store_hi(&self, hi: u32) {
        let cur = self.value.load(Relaxed);
        self.value
            .store((cur & 0xFFFF_FFFF) | ((hi as u64) << 32), Release);
    }

    /// A plain store's low half (host APIC ID): completes the value.
    pub fn store_lo(&self, lo: u32) {
        let cur = self.value.load(Relaxed);
        let v = (cur & !0xFFFF_FFFF) | lo as u64;
        self.record(v);
        self.value.store(v, Release);
    }

    /// Every value stored whole so far (sorted), or `None` if the record overflowed.
    pub fn whole_values(&self) -> Option<Vec<u64>> {
        if self.overflow.load(Relaxed) {
            return None;
        }
        let n = self.len.load(Acquire).min(LOG_SLOTS);
        let mut v: Vec<u64> = self.log[..n].iter().map(|s| s.load(Relaxed)).collect();
        v.sort_unstable();
        v.dedup();
        Some(v)
    }
}

/// Pack the IRTE fields the model tracks into one 64-bit word.
///
/// The kernel writes a whole 128-bit IRTE atomically (`cmpxchg128` in `modify_irte_ga`, Linux
/// 6.5+), and the IOMMU reads it whole; the fields we model (GuestMode, IsRun, GALogIntr,
/// Destination, GA tag, vector) fit in 64 bits, so one 64-bit atomic word gives the same
/// all-or-nothing visibility.
pub fn pack_irte(i: &Irte) -> u64 {
    (i.guest_mode as u64)
        | (i.is_run as u64) << 1
        | (i.ga_log_intr as u64) << 2
        | (i.destination as u64) << 8
        | (i.ga_tag.unwrap_or(NONE) as u64) << 16
        | (i.vector as u64) << 24
}

/// The inverse of [`pack_irte`].
pub fn unpack_irte(x: u64) -> Irte {
    let tag = (x >> 16) as u8;
    Irte {
        guest_mode: x & 1 != 0,
        is_run: x & 2 != 0,
        ga_log_intr: x & 4 != 0,
        destination: (x >> 8) as u8,
        ga_tag: (tag != NONE).then_some(tag),
        vector: (x >> 24) as u8,
    }
}

/// A test-and-set spinlock whose word is the holder's thread id ([`NONE`] when free).
pub struct SpinLock {
    word: AtomicU8,
}

impl SpinLock {
    fn new() -> SpinLock {
        SpinLock {
            word: AtomicU8::new(NONE),
        }
    }

    /// One `lock cmpxchg` attempt (a full barrier on x86, like `spin_lock`).
    pub fn try_lock(&self, t: u8) -> bool {
        self.word
            .compare_exchange(NONE, t, Acquire, Relaxed)
            .is_ok()
    }

    /// Release; returns whether `t` held it.
    pub fn unlock(&self, t: u8) -> bool {
        let held = self.word.load(Relaxed) == t;
        self.word.store(NONE, Release);
        held
    }

    /// The holder, if any.
    pub fn holder(&self) -> Option<u8> {
        let h = self.word.load(SeqCst);
        (h != NONE).then_some(h)
    }
}

/// Scheduler-visible vCPU state that hardware events must see atomically.
#[derive(Clone, Copy, Debug)]
pub struct VcpuHw {
    /// Life-cycle state.
    pub run: RunState,
    /// `vcpu->cpu`.
    pub cpu: u8,
    /// A kick request is pending.
    pub request: bool,
    /// A kick IPI forced it out of the guest.
    pub forced_exit: bool,
}

/// The hardware-atomic part of the machine.
#[derive(Debug, Default)]
pub struct Hw {
    /// vCPUs.
    pub vcpus: Vec<VcpuHw>,
    /// IPIs sent by kicks.
    pub kick_ipis: u8,
}

/// The IOMMU's GA log and whether the handler is between popping and waking.
#[derive(Debug, Default)]
pub struct GaLog {
    /// Entries (vCPU ids), oldest first.
    pub queue: VecDeque<u8>,
    /// The handler popped an entry and has not finished waking its vCPU.
    pub busy: bool,
}

/// What a thread is doing, for the quiescence check.
pub mod status {
    /// Executing steps.
    pub const RUNNING: u8 = 0;
    /// Finished its script.
    pub const DONE: u8 = 1;
    /// Asleep in `schedule()`.
    pub const SLEEPING: u8 = 2;
    /// Spinning on ir_list_lock of vCPU `s & 0x7F`.
    pub const SPINNING: u8 = 0x80;
}

/// Where a thread ended an iteration (for rebuilding a [`Machine`]).
#[derive(Default)]
pub struct Position {
    /// Operation index.
    pub op: AtomicU8,
    /// Step index.
    pub pc: AtomicU8,
    /// In the forced-exit program.
    pub forced: AtomicBool,
}

/// Event counters over the whole run.
#[derive(Default)]
pub struct Counters {
    /// Doorbells rung.
    pub doorbells: AtomicU64,
    /// Doorbells that reached no vCPU in the guest.
    pub doorbells_missed: AtomicU64,
    /// GA-log entries written.
    pub ga_logged: AtomicU64,
    /// Interrupts that set the IRR and notified no one.
    pub silent: AtomicU64,
    /// Wake-ups that ended a wait.
    pub wakes: AtomicU64,
    /// Incomplete-IPI exits.
    pub incomplete_ipis: AtomicU64,
    /// Kick IPIs.
    pub kick_ipis: AtomicU64,
    /// Interrupts remapped to the host (legacy mode).
    pub host_injected: AtomicU64,
    /// Times a vCPU really slept (parked).
    pub sleeps: AtomicU64,
}

/// Everything the threads share.
pub struct World {
    /// Physical ID table entries by vCPU.
    pub entries: Vec<EntryCell>,
    /// KVM's own copy of each entry (6.17's `svm->avic_physical_id_entry`).
    pub kvm_entries: Vec<AtomicU64>,
    /// IRTEs in the table (packed).
    pub irtes: Vec<AtomicU64>,
    /// The driver's software copy of each IRTE (packed), edited with plain loads and stores.
    pub irte_copies: Vec<AtomicU64>,
    /// The IOMMU's cached copy of each IRTE (packed), refreshed by an IRT flush.
    pub iommu_cache: Vec<AtomicU64>,
    /// ir_list of each vCPU as a bitmask of IRTEs.
    pub lists: Vec<AtomicU8>,
    /// KVM's record of which vCPU's ir_list holds each IRTE.
    pub owners: Vec<AtomicU8>,
    /// Every lock, laid out as `core_sim::machine::LockId::slot` says (ir_list_lock of each
    /// vCPU first).
    pub locks: Vec<SpinLock>,
    /// vAPIC IRR of each vCPU.
    pub irr: Vec<AtomicU8>,
    /// Vectors the guest took.
    pub delivered: Vec<AtomicU8>,
    /// Task state TASK_INTERRUPTIBLE.
    pub waiting: Vec<AtomicBool>,
    /// `vcpu->cpu` as a plain word (the naive patch reads it without any lock).
    pub vcpu_cpu: Vec<AtomicU8>,
    /// Hardware-atomic state.
    pub hw: Mutex<Hw>,
    /// The GA log.
    pub ga_log: Mutex<GaLog>,
    /// The OS thread running each vCPU (for unpark).
    pub vcpu_threads: Vec<OnceLock<Thread>>,
    /// Per scripted thread: [`status`].
    pub status: Vec<AtomicU8>,
    /// Per thread: where it ended.
    pub positions: Vec<Position>,
    /// Steps executed (progress detection).
    pub progress: AtomicU64,
    /// Set by the main thread: stop waiting, the iteration is over.
    pub quiesce: AtomicBool,
    /// Violations seen while running (facts judged by the core's oracle).
    pub violations: Mutex<Vec<core_sim::Violation>>,
    /// Event counters.
    pub counters: Counters,
    pcpus: u8,
}

/// Lock a mutex, ignoring poisoning (a panicking worker is reported separately).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl World {
    /// Shared memory shaped like machine `m` with `threads` threads.
    pub fn new(m: &Machine, threads: usize) -> World {
        let nv = m.vcpus.len();
        let ni = m.irtes.len();
        let w = World {
            entries: (0..nv).map(|_| EntryCell::new()).collect(),
            kvm_entries: (0..nv).map(|_| AtomicU64::new(0)).collect(),
            irtes: (0..ni).map(|_| AtomicU64::new(0)).collect(),
            irte_copies: (0..ni).map(|_| AtomicU64::new(0)).collect(),
            iommu_cache: (0..ni).map(|_| AtomicU64::new(0)).collect(),
            lists: (0..nv).map(|_| AtomicU8::new(0)).collect(),
            owners: (0..ni).map(|_| AtomicU8::new(NONE)).collect(),
            locks: (0..m.locks.len()).map(|_| SpinLock::new()).collect(),
            irr: (0..nv).map(|_| AtomicU8::new(0)).collect(),
            delivered: (0..nv).map(|_| AtomicU8::new(0)).collect(),
            waiting: (0..nv).map(|_| AtomicBool::new(false)).collect(),
            vcpu_cpu: (0..nv).map(|_| AtomicU8::new(0)).collect(),
            hw: Mutex::new(Hw::default()),
            ga_log: Mutex::new(GaLog::default()),
            vcpu_threads: (0..nv).map(|_| OnceLock::new()).collect(),
            status: (0..threads)
                .map(|_| AtomicU8::new(status::RUNNING))
                .collect(),
            positions: (0..threads).map(|_| Position::default()).collect(),
            progress: AtomicU64::new(0),
            quiesce: AtomicBool::new(false),
            violations: Mutex::new(Vec::new()),
            counters: Counters::default(),
            pcpus: m.pcpus,
        };
        w.reset(m);
        w
    }

    /// Put memory back to machine `m` (called while every worker waits at the barrier).
    pub fn reset(&self, m: &Machine) {
        for (cell, &e) in self.entries.iter().zip(&m.entries) {
            cell.reset(e);
        }
        for (slot, &e) in self.kvm_entries.iter().zip(&m.kvm_entries) {
            slot.store(e, Relaxed);
        }
        for (slot, irte) in self.irtes.iter().zip(&m.irtes) {
            slot.store(pack_irte(irte), Relaxed);
        }
        for (slot, irte) in self.irte_copies.iter().zip(&m.irte_copies) {
            slot.store(pack_irte(irte), Relaxed);
        }
        for (slot, irte) in self.iommu_cache.iter().zip(&m.iommu_cache) {
            slot.store(pack_irte(irte), Relaxed);
        }
        for l in &self.locks {
            l.word.store(NONE, Relaxed);
        }
        for (slot, &l) in self.lists.iter().zip(&m.ir_lists) {
            slot.store(l, Relaxed);
        }
        for (slot, o) in self.owners.iter().zip(&m.owners) {
            slot.store(o.unwrap_or(NONE), Relaxed);
        }
        for (v, vc) in m.vcpus.iter().enumerate() {
            self.irr[v].store(vc.irr, Relaxed);
            self.delivered[v].store(vc.delivered, Relaxed);
            self.waiting[v].store(vc.waiting, Relaxed);
            self.vcpu_cpu[v].store(vc.cpu, Relaxed);
        }
        {
            let mut hw = lock(&self.hw);
            hw.vcpus = m
                .vcpus
                .iter()
                .map(|vc| VcpuHw {
                    run: vc.run,
                    cpu: vc.cpu,
                    request: vc.request,
                    forced_exit: vc.forced_exit,
                })
                .collect();
            hw.kick_ipis = m.kick_ipis;
        }
        {
            let mut g = lock(&self.ga_log);
            g.queue = m.ga_log.iter().copied().collect();
            g.busy = false;
        }
        for s in &self.status {
            s.store(status::RUNNING, Relaxed);
        }
        for p in &self.positions {
            p.op.store(0, Relaxed);
            p.pc.store(0, Relaxed);
            p.forced.store(false, Relaxed);
        }
        self.quiesce.store(false, Relaxed);
        lock(&self.violations).clear();
    }

    /// The machine as memory holds it now, with thread positions from [`World::positions`].
    /// `hw` is the locked hardware state (the caller may already hold it).
    pub fn snapshot(&self, hw: &Hw) -> Machine {
        let ga_log: Vec<u8> = lock(&self.ga_log).queue.iter().copied().collect();
        let entries: Vec<u64> = self.entries.iter().map(|c| c.value.load(SeqCst)).collect();
        Machine {
            pcpus: self.pcpus,
            vcpus: hw
                .vcpus
                .iter()
                .enumerate()
                .map(|(v, h)| Vcpu {
                    run: h.run,
                    cpu: h.cpu,
                    waiting: self.waiting[v].load(SeqCst),
                    irr: self.irr[v].load(SeqCst),
                    delivered: self.delivered[v].load(SeqCst),
                    request: h.request,
                    forced_exit: h.forced_exit,
                })
                .collect(),
            // An overflowed record cannot judge reads: count every value seen in memory as whole.
            whole_values: self
                .entries
                .iter()
                .zip(&entries)
                .map(|(c, &e)| c.whole_values().unwrap_or_else(|| vec![e]))
                .collect(),
            entries,
            kvm_entries: self.kvm_entries.iter().map(|e| e.load(SeqCst)).collect(),
            irtes: self
                .irtes
                .iter()
                .map(|i| unpack_irte(i.load(SeqCst)))
                .collect(),
            irte_copies: self
                .irte_copies
                .iter()
                .map(|i| unpack_irte(i.load(SeqCst)))
                .collect(),
            iommu_cache: self
                .iommu_cache
                .iter()
                .map(|i| unpack_irte(i.load(SeqCst)))
                .collect(),
            lock_order: 0,
            ir_lists: self.lists.iter().map(|l| l.load(SeqCst)).collect(),
            owners: self
                .owners
                .iter()
                .map(|o| {
                    let o = o.load(SeqCst);
                    (o != NONE).then_some(o)
                })
                .collect(),
            locks: self.locks.iter().map(|l| l.holder()).collect(),
            ga_log,
            threads: self
                .positions
                .iter()
                .map(|p| ThreadState {
                    op: p.op.load(SeqCst),
                    pc: p.pc.load(SeqCst),
                    forced: p.forced.load(SeqCst),
                    ..ThreadState::default()
                })
                .collect(),
            kick_ipis: hw.kick_ipis,
        }
    }

    /// The pCPU with this host APIC ID.
    pub fn pcpu_of_apic(&self, apic: u8) -> Option<u8> {
        entry::pcpu_of_apic(apic, self.pcpus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irte_packing_round_trips() {
        for i in [
            Irte::default(),
            Irte {
                guest_mode: true,
                is_run: true,
                ga_log_intr: false,
                destination: 2,
                ga_tag: Some(1),
                vector: 6,
            },
            Irte {
                guest_mode: true,
                is_run: false,
                ga_log_intr: true,
                destination: 0,
                ga_tag: None,
                vector: 0,
            },
        ] {
            assert_eq!(unpack_irte(pack_irte(&i)), i);
        }
    }

    #[test]
    fn torn_store_shows_a_value_nobody_wrote_whole() {
        let c = EntryCell::new();
        let old = entry::make(0, 1, false);
        c.reset(old);
        let new = entry::loaded_on(old, 0);
        c.store_hi((new >> 32) as u32);
        let mid = c.value.load(SeqCst);
        assert!(!c.whole_values().unwrap().contains(&mid));
        c.store_lo(new as u32);
        assert_eq!(c.value.load(SeqCst), new);
        assert_eq!(c.whole_values().unwrap(), {
            let mut v = vec![old, new];
            v.sort();
            v
        });
    }

    #[test]
    fn spinlock_tracks_its_holder() {
        let l = SpinLock::new();
        assert!(l.try_lock(3));
        assert!(!l.try_lock(4));
        assert_eq!(l.holder(), Some(3));
        assert!(!l.unlock(4));
        assert_eq!(l.holder(), None);
    }
}
