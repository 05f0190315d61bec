//! A real-machine interpreter of the core's compiled programs: each [`StepKind`] runs against
//! [`World`]'s shared memory on the calling OS thread, following `core_sim::exec` step by step.

use super::shared::{lock, status, Hw, SpinLock, World, NONE};
use core_sim::exec::Fact;
use core_sim::machine::{entry, LockId, Regs, RunState};
use core_sim::program::{Actor, Effect, IrteRef, LockRef, Part, Program, Step, StepKind, VRef};
use core_sim::scenario::IPI_VECTOR;
use core_sim::{oracle, Sim};
use std::hint::spin_loop;
use std::sync::atomic::{fence, Ordering::*};
use std::time::Duration;

/// The iteration is over (the main thread set `quiesce` while this thread waited).
#[derive(Debug)]
pub struct Stopped;

/// One thread's interpreter state.
pub struct Worker<'a> {
    t: usize,
    sim: &'a Sim,
    w: &'a World,
    regs: Regs,
    rng: u64,
    jitter: u32,
}

impl<'a> Worker<'a> {
    /// Thread `t` of `sim` on `world`; `jitter` bounds the random spin before each step.
    pub fn new(t: usize, sim: &'a Sim, w: &'a World, seed: u64, jitter: u32) -> Worker<'a> {
        let rng = seed ^ ((t as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1;
        Worker {
            t,
            sim,
            w,
            regs: Regs::default(),
            rng,
            jitter,
        }
    }

    fn next_rand(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Spin 0..=max `pause`s; `Err` as soon as the iteration is over (a timeout or the end of
    /// the run), so that a large jitter never outlives the time given.
    fn spin(&mut self, max: u32) -> Result<(), Stopped> {
        if max == 0 {
            return Ok(());
        }
        let n = self.next_rand() % (max as u64 + 1);
        for i in 0..n {
            if i % 1024 == 1023 && self.w.quiesce.load(Relaxed) {
                return Err(Stopped);
            }
            spin_loop();
        }
        Ok(())
    }

    fn set_status(&self, s: u8) {
        self.w.status[self.t].store(s, SeqCst);
    }

    fn set_pos(&self, op: usize, pc: usize, forced: bool) {
        let p = &self.w.positions[self.t];
        p.op.store(op as u8, Relaxed);
        p.pc.store(pc as u8, Relaxed);
        p.forced.store(forced, Relaxed);
    }

    /// Run this thread's part of one iteration.
    pub fn run_iteration(&mut self) {
        let sim = self.sim;
        let th = &sim.threads[self.t];
        if self.spin(self.jitter.saturating_mul(8)).is_err() {
            return;
        }
        match th.actor {
            Actor::GaLog => self.run_daemon(&th.programs[0]),
            Actor::Vcpu(v) => {
                let _ = self.run_vcpu(v, &th.programs, th.forced.as_ref());
            }
            _ => {
                let _ = self.run_script(&th.programs);
            }
        }
    }

    fn run_script(&mut self, programs: &[Program]) -> Result<(), Stopped> {
        for (op, p) in programs.iter().enumerate() {
            self.run_program(p, op, false)?;
        }
        self.set_pos(programs.len(), 0, false);
        self.set_status(status::DONE);
        Ok(())
    }

    /// Whether a kick IPI has forced vCPU `v` out of the guest (`Sim::current` at pc 0).
    fn forced_pending(&self, v: u8) -> bool {
        let hw = lock(&self.w.hw);
        let vc = &hw.vcpus[v as usize];
        vc.forced_exit && matches!(vc.run, RunState::InGuest(_))
    }

    fn run_vcpu(
        &mut self,
        v: u8,
        programs: &[Program],
        forced: Option<&Program>,
    ) -> Result<(), Stopped> {
        for (op, p) in programs.iter().enumerate() {
            if let Some(f) = forced {
                while self.forced_pending(v) {
                    self.run_program(f, op, true)?;
                }
            }
            self.run_program(p, op, false)?;
        }
        let done = programs.len();
        self.set_pos(done, 0, false);
        self.set_status(status::DONE);
        let Some(f) = forced else { return Ok(()) };
        // A finished vCPU still answers kicks until the iteration ends.
        let mut idle = 0u32;
        while !self.w.quiesce.load(SeqCst) {
            if self.forced_pending(v) {
                self.set_status(status::RUNNING);
                self.run_program(f, done, true)?;
                self.set_pos(done, 0, false);
                self.set_status(status::DONE);
            } else {
                backoff(&mut idle);
            }
        }
        Ok(())
    }

    fn run_daemon(&mut self, program: &Program) {
        self.set_pos(0, 0, false);
        let mut idle = 0u32;
        loop {
            if self.w.quiesce.load(SeqCst) {
                return;
            }
            if lock(&self.w.ga_log).queue.is_empty() {
                backoff(&mut idle);
                continue;
            }
            idle = 0;
            let r = self.run_program(program, 0, false);
            lock(&self.w.ga_log).busy = false;
            self.set_pos(0, 0, false);
            if r.is_err() {
                return;
            }
        }
    }

    fn run_program(&mut self, p: &Program, op: usize, forced: bool) -> Result<(), Stopped> {
        self.regs = Regs::default();
        self.set_pos(op, 0, forced);
        let mut pc = 0;
        while pc < p.steps.len() {
            self.w.positions[self.t].pc.store(pc as u8, Relaxed);
            let st = &p.steps[pc];
            self.spin(self.jitter)?;
            if let Some(e) = st.effect {
                self.apply_effect(e);
            }
            let jumped = match self.exec(st) {
                Ok(j) => j,
                Err(Stopped) => {
                    // A sleeper stopped after its `schedule()` step, as the model leaves it.
                    if matches!(st.kind, StepKind::Sleep(_)) {
                        self.w.positions[self.t].pc.store(pc as u8 + 1, Relaxed);
                    }
                    return Err(Stopped);
                }
            };
            self.w.progress.fetch_add(1, Relaxed);
            pc = if jumped {
                st.jump.unwrap_or(p.steps.len())
            } else {
                st.next.unwrap_or(pc + 1)
            };
        }
        if let Some(e) = p.on_end {
            self.apply_effect(e);
        }
        Ok(())
    }

    fn apply_effect(&self, e: Effect) {
        let mut hw = lock(&self.w.hw);
        match e {
            Effect::SchedIn(v, p) => {
                let vc = &mut hw.vcpus[v as usize];
                let p = p.unwrap_or(vc.cpu);
                vc.cpu = p;
                vc.run = RunState::Loaded(p);
                self.w.vcpu_cpu[v as usize].store(p, Release);
            }
            Effect::Halting(v) => hw.vcpus[v as usize].run = RunState::Blocking,
            Effect::SchedOut(v) => hw.vcpus[v as usize].run = RunState::Preempted,
            Effect::SetCpu(v, p) => {
                hw.vcpus[v as usize].cpu = p;
                self.w.vcpu_cpu[v as usize].store(p, Release);
            }
        }
    }

    /// The lock a lock step names, with its slot in [`World::locks`].
    fn resolve_lock(&self, r: LockRef) -> Option<(LockId, usize)> {
        let id = match r {
            LockRef::IrList(v) => LockId::IrList(self.resolve(v)?),
            LockRef::Irqfds => LockId::Irqfds,
            LockRef::RqOf(v) => LockId::Rq(self.w.vcpu_cpu[v as usize].load(Acquire)),
            LockRef::Rq(p) => LockId::Rq(p),
            LockRef::IrqDesc(i) => LockId::IrqDesc(i),
        };
        let nv = self.sim.scenario.vcpus.len();
        Some((id, id.slot(nv, self.sim.scenario.pcpus as usize)))
    }

    fn irte_index(&self, r: IrteRef) -> usize {
        match r {
            IrteRef::Fixed(i) => i as usize,
            IrteRef::Cursor => self.regs.cursor.unwrap_or(0) as usize,
        }
    }

    /// Edit an IRTE's software copy with a plain load and a plain store, as the driver does.
    fn edit_copy(&mut self, i: usize, f: impl FnOnce(&mut core_sim::machine::Irte)) {
        let cell = &self.w.irte_copies[i];
        let mut irte = super::shared::unpack_irte(cell.load(Acquire));
        f(&mut irte);
        cell.store(super::shared::pack_irte(&irte), Release);
        self.regs.edited = Some(irte);
    }

    fn resolve(&self, r: VRef) -> Option<u8> {
        match r {
            VRef::Fixed(v) => Some(v),
            VRef::OwnerOf(i) => {
                let o = self.w.owners[i as usize].load(Acquire);
                (o != NONE).then_some(o)
            }
            VRef::Prev => self.regs.prev,
        }
    }

    /// Take a spinlock; `Err` if the iteration ended while spinning (a deadlock or a timeout).
    fn acquire(&self, l: &SpinLock, lock_of: Option<u8>) -> Result<(), Stopped> {
        let me = self.t as u8;
        if l.try_lock(me) {
            return Ok(());
        }
        if let Some(v) = lock_of {
            self.set_status(status::SPINNING | v);
        }
        let mut n = 0u32;
        loop {
            spin_loop();
            n = n.wrapping_add(1);
            if l.holder().is_none() && l.try_lock(me) {
                break;
            }
            if n % 32 == 0 {
                if self.w.quiesce.load(SeqCst) {
                    return Err(Stopped);
                }
                std::thread::yield_now();
            }
        }
        if lock_of.is_some() {
            self.set_status(status::RUNNING);
        }
        Ok(())
    }

    /// Judge facts with the core's oracle against the machine as it was just before them.
    fn judge(&self, hw: &Hw, facts: &[Fact]) {
        let before = self.w.snapshot(hw);
        let vs = oracle::check_facts(self.sim, &before, facts, 0);
        if !vs.is_empty() {
            lock(&self.w.violations).extend(vs);
        }
    }

    fn take_irr(&self, v: u8) {
        let bits = self.w.irr[v as usize].swap(0, SeqCst);
        if bits != 0 {
            self.w.delivered[v as usize].fetch_or(bits, SeqCst);
        }
    }

    /// `kvm_vcpu_wake_up` (caller holds `hw`).
    fn wake(&self, hw: &mut Hw, v: u8) {
        if self.w.waiting[v as usize].swap(false, SeqCst) {
            let vc = &mut hw.vcpus[v as usize];
            if vc.run == RunState::Sleeping {
                vc.run = RunState::Blocking;
            }
            self.w.counters.wakes.fetch_add(1, Relaxed);
            if let Some(th) = self.w.vcpu_threads[v as usize].get() {
                th.unpark();
            }
        }
    }

    fn kick_for_interrupt(&self, hw: &mut Hw, v: u8) {
        self.wake(hw, v);
        if matches!(hw.vcpus[v as usize].run, RunState::InGuest(_)) {
            self.take_irr(v);
        }
    }

    /// A doorbell to host APIC `apic` for vCPU `target`: the vCPU in the guest there takes its IRR.
    fn doorbell(&self, hw: &mut Hw, apic: u8, target: u8) {
        let fact = {
            let pcpu = self.w.pcpu_of_apic(apic);
            let taker = pcpu.and_then(|p| {
                hw.vcpus
                    .iter()
                    .position(|vc| vc.run == RunState::InGuest(p))
            });
            Fact::Doorbell {
                apic,
                target,
                taken_by: taker.map(|v| v as u8),
            }
        };
        self.judge(hw, std::slice::from_ref(&fact));
        self.w.counters.doorbells.fetch_add(1, Relaxed);
        match fact {
            Fact::Doorbell {
                taken_by: Some(v), ..
            } => self.take_irr(v),
            _ => {
                self.w.counters.doorbells_missed.fetch_add(1, Relaxed);
            }
        }
    }

    fn exec(&mut self, st: &Step) -> Result<bool, Stopped> {
        let w = self.w;
        let knobs = self.sim.strategy.knobs;
        Ok(match st.kind {
            StepKind::ReadEntry(v) => {
                let e = if knobs.kvm_copy() {
                    w.kvm_entries[v as usize].load(Acquire)
                } else {
                    w.entries[v as usize].value.load(Acquire)
                };
                self.regs.entry = e;
                st.jump.is_some() && !entry::is_running(e)
            }
            StepKind::ReadVcpuCpu(v) => {
                self.regs.entry = entry::loaded_on(0, w.vcpu_cpu[v as usize].load(Acquire));
                false
            }
            StepKind::WriteEntry(v, update, part) => {
                if let Some(u) = update {
                    let cpu = w.vcpu_cpu[v as usize].load(Acquire);
                    self.regs.entry = u.apply(self.regs.entry, cpu, &knobs);
                }
                let cell = &w.entries[v as usize];
                let value = knobs.table_value(self.regs.entry);
                match part {
                    Part::Whole => cell.store_whole(value),
                    Part::Hi => cell.store_hi((value >> 32) as u32),
                    Part::Lo => cell.store_lo(value as u32),
                }
                false
            }
            StepKind::WriteKvmEntry(v, update) => {
                if let Some(u) = update {
                    let cpu = w.vcpu_cpu[v as usize].load(Acquire);
                    self.regs.entry = u.apply(self.regs.entry, cpu, &knobs);
                }
                w.kvm_entries[v as usize].store(self.regs.entry, Release);
                false
            }
            StepKind::Lock(r) => match self.resolve_lock(r) {
                Some((id, slot)) => {
                    let spin_tag = match id {
                        LockId::IrList(v) => Some(v),
                        _ => None,
                    };
                    self.acquire(&w.locks[slot], spin_tag)?;
                    if let (LockRef::IrList(VRef::OwnerOf(_)), LockId::IrList(v)) = (r, id) {
                        self.regs.prev = Some(v);
                    }
                    false
                }
                None => true,
            },
            StepKind::Unlock(r) => {
                if let Some((id, slot)) = self.resolve_lock(r) {
                    if !w.locks[slot].unlock(self.t as u8) {
                        let hw = lock(&w.hw);
                        self.judge(&hw, &[Fact::UnlockNotHeld(id)]);
                    }
                }
                false
            }
            StepKind::Mb => {
                fence(SeqCst);
                false
            }
            StepKind::WalkNext(v) => {
                let list = w.lists[v as usize].load(Acquire);
                let from = self.regs.cursor.map(|c| c + 1).unwrap_or(0);
                match (from..8).find(|i| list & (1 << i) != 0) {
                    Some(i) => {
                        self.regs.cursor = Some(i);
                        false
                    }
                    None => {
                        self.regs.cursor = None;
                        true
                    }
                }
            }
            StepKind::UpdateGa(r, how) => {
                let i = self.irte_index(r);
                let e = self.regs.entry;
                self.edit_copy(i, |irte| how.apply(irte, e));
                false
            }
            StepKind::Activate(r, v, target) => {
                let i = self.irte_index(r);
                let irte = target.irte(i as u8, v, self.regs.entry, &knobs);
                self.edit_copy(i, |copy| *copy = irte);
                false
            }
            StepKind::Deactivate(r) => {
                let i = self.irte_index(r);
                self.edit_copy(i, |copy| {
                    copy.guest_mode = false;
                    copy.is_run = false;
                    copy.ga_log_intr = false;
                });
                false
            }
            StepKind::PublishIrte(r) => {
                // modify_irte_ga(): one locked 128-bit cmpxchg of the copy into the table.
                let i = self.irte_index(r);
                let published = super::shared::unpack_irte(w.irte_copies[i].load(Acquire));
                w.irtes[i].swap(super::shared::pack_irte(&published), SeqCst);
                if let Some(mine) = self.regs.edited.take() {
                    if mine != published {
                        let hw = lock(&w.hw);
                        self.judge(
                            &hw,
                            &[Fact::MixedIrte {
                                irte: i as u8,
                                mine,
                                published,
                            }],
                        );
                    }
                }
                false
            }
            StepKind::FlushIrt(r) => {
                let i = self.irte_index(r);
                w.iommu_cache[i].store(w.irtes[i].load(SeqCst), SeqCst);
                false
            }
            StepKind::Local => false,
            StepKind::Link(v, i) => {
                // Plain stores under ir_list_lock, like list_add.
                w.owners[i as usize].store(v, Release);
                let l = &w.lists[v as usize];
                l.store(l.load(Relaxed) | (1 << i), Release);
                false
            }
            StepKind::Unlink(r, i) => {
                if let Some(v) = self.resolve(r) {
                    w.owners[i as usize].store(NONE, Release);
                    let l = &w.lists[v as usize];
                    l.store(l.load(Relaxed) & !(1 << i), Release);
                }
                false
            }
            StepKind::Kick(v) => {
                fence(SeqCst);
                let mut hw = lock(&w.hw);
                hw.vcpus[v as usize].request = true;
                self.wake(&mut hw, v);
                if matches!(hw.vcpus[v as usize].run, RunState::InGuest(_)) {
                    hw.kick_ipis = hw.kick_ipis.saturating_add(1);
                    hw.vcpus[v as usize].forced_exit = true;
                    w.counters.kick_ipis.fetch_add(1, Relaxed);
                }
                false
            }
            StepKind::TestRequest(v) => {
                let mut hw = lock(&w.hw);
                let had = hw.vcpus[v as usize].request;
                hw.vcpus[v as usize].request = false;
                !had
            }
            StepKind::VmRun(v) => {
                let mut hw = lock(&w.hw);
                if knobs.kick && hw.vcpus[v as usize].request {
                    return Ok(true);
                }
                let vc = &mut hw.vcpus[v as usize];
                vc.run = RunState::InGuest(vc.cpu);
                self.take_irr(v);
                false
            }
            StepKind::VmExit(v) => {
                let mut hw = lock(&w.hw);
                let vc = &mut hw.vcpus[v as usize];
                vc.run = RunState::Loaded(vc.cpu);
                vc.forced_exit = false;
                false
            }
            StepKind::SetWaiting(v) => {
                // set_current_state(): a store plus a full barrier (xchg on x86).
                w.waiting[v as usize].swap(true, SeqCst);
                false
            }
            StepKind::CheckBlock(v) => {
                if w.irr[v as usize].load(SeqCst) != 0 {
                    w.waiting[v as usize].store(false, SeqCst);
                    true
                } else {
                    false
                }
            }
            StepKind::Sleep(v) => {
                self.sleep(v)?;
                false
            }
            StepKind::IommuRead(i) => {
                self.regs.irte = Some(super::shared::unpack_irte(
                    w.iommu_cache[i as usize].load(Acquire),
                ));
                false
            }
            StepKind::IommuPost(_) => {
                let irte = self.regs.irte.unwrap_or_default();
                let v = irte.ga_tag.unwrap_or(0);
                w.irr[v as usize].fetch_or(1 << irte.vector, SeqCst);
                if !irte.guest_mode {
                    w.counters.host_injected.fetch_add(1, Relaxed);
                    let mut hw = lock(&w.hw);
                    self.kick_for_interrupt(&mut hw, v);
                }
                false
            }
            StepKind::IommuNotify(i) => {
                let cached = self.regs.irte.unwrap_or_default();
                let root = cached.ga_tag.unwrap_or(0);
                {
                    // The model reads the IRTE and notifies in one step; holding the hardware
                    // lock across both keeps a VMRUN from slipping in between, which would make
                    // the oracle judge a stale read against a newer vCPU state.
                    let mut hw = lock(&w.hw);
                    // IsRun, Destination, GATag and GALogIntr are read afresh (not cached).
                    let irte = super::shared::unpack_irte(w.irtes[i as usize].load(Acquire));
                    if cached.guest_mode {
                        if irte.is_run {
                            self.doorbell(&mut hw, irte.destination, root);
                        } else if irte.ga_log_intr {
                            let tag = irte.ga_tag.unwrap_or(root);
                            self.judge(&hw, &[Fact::GaLogged(tag)]);
                            lock(&w.ga_log).queue.push_back(tag);
                            w.counters.ga_logged.fetch_add(1, Relaxed);
                        } else {
                            self.judge(&hw, &[Fact::Silent(root)]);
                            w.counters.silent.fetch_add(1, Relaxed);
                        }
                    }
                }
                false
            }
            StepKind::GaLogPop => {
                let mut g = lock(&w.ga_log);
                self.regs.target = g.queue.pop_front();
                g.busy = self.regs.target.is_some();
                false
            }
            StepKind::Wake => {
                if let Some(v) = self.regs.target {
                    let mut hw = lock(&w.hw);
                    self.wake(&mut hw, v);
                }
                false
            }
            StepKind::AvicRead(v) => {
                let value = w.entries[v as usize].value.load(Acquire);
                self.regs.entry = value;
                let hw = lock(&w.hw);
                self.judge(&hw, &[Fact::HwRead { vcpu: v, value }]);
                false
            }
            StepKind::AvicSetIrr(v) => {
                w.irr[v as usize].fetch_or(1 << IPI_VECTOR, SeqCst);
                false
            }
            StepKind::AvicNotify(v) => {
                let e = self.regs.entry;
                let mut hw = lock(&w.hw);
                if entry::is_running(e) {
                    self.doorbell(&mut hw, entry::host_id(e), v);
                } else {
                    w.counters.incomplete_ipis.fetch_add(1, Relaxed);
                    self.kick_for_interrupt(&mut hw, v);
                }
                false
            }
        })
    }

    /// `schedule()`: really sleep until `kvm_vcpu_wake_up`, or until the main thread ends the
    /// iteration (it does so only when nothing else can ever wake this vCPU, plus a grace period).
    fn sleep(&self, v: u8) -> Result<(), Stopped> {
        let w = self.w;
        {
            let mut hw = lock(&w.hw);
            if !w.waiting[v as usize].load(SeqCst) {
                return Ok(());
            }
            hw.vcpus[v as usize].run = RunState::Sleeping;
        }
        w.counters.sleeps.fetch_add(1, Relaxed);
        self.set_status(status::SLEEPING);
        while w.waiting[v as usize].load(SeqCst) {
            if w.quiesce.load(SeqCst) {
                return Err(Stopped);
            }
            std::thread::park_timeout(Duration::from_micros(100));
        }
        self.set_status(status::RUNNING);
        Ok(())
    }
}

/// Wait politely: spin a little, then yield, then sleep briefly (2 cores, more threads).
pub fn backoff(idle: &mut u32) {
    *idle = idle.saturating_add(1);
    if *idle < 16 {
        spin_loop();
    } else if *idle < 1024 {
        std::thread::yield_now();
    } else {
        std::thread::sleep(Duration::from_micros(20));
    }
}
