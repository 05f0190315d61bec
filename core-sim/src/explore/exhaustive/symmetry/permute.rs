//! One permutation of a world's pCPUs, vCPUs, IRTEs and threads, applied to everything that
//! names one of them: a machine state (vCPU ids in the entry table's backing pages, host APIC
//! IDs, IRTE destinations, GA tags and vectors, IRR bits, ir_lists, owners, lock slots and
//! holders, the GA log, every thread's registers and store buffer) and a compiled program.

use crate::machine::{entry, Buffered, Irte, Loc, Machine, Regs, RunState, ThreadState, Vcpu};
use crate::program::{Effect, EntryUpdate, IrteRef, LockRef, Program, Step, StepKind, VRef};

/// Old index → new index, for each kind of object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Perm {
    pub v: Vec<u8>,
    pub p: Vec<u8>,
    pub i: Vec<u8>,
    pub t: Vec<u8>,
}

const LO: u64 = 0xFFFF_FFFF;

impl Perm {
    fn vcpu(&self, v: u8) -> u8 {
        self.v.get(v as usize).copied().unwrap_or(v)
    }

    fn pcpu(&self, p: u8) -> u8 {
        self.p.get(p as usize).copied().unwrap_or(p)
    }

    fn irte(&self, i: u8) -> u8 {
        self.i.get(i as usize).copied().unwrap_or(i)
    }

    /// A host APIC ID (pCPU + 1; 0 and unknown IDs name no CPU and stay).
    fn apic(&self, a: u8) -> u8 {
        match entry::pcpu_of_apic(a, self.p.len() as u8) {
            Some(p) => entry::apic_id(self.pcpu(p)),
            None => a,
        }
    }

    /// A vector bitmask: bit `i` of IRTE `i` moves with it; the IPI vector stays.
    fn vectors(&self, bits: u8) -> u8 {
        (0..8u8)
            .filter(|b| bits & (1 << b) != 0)
            .fold(0, |acc, b| acc | 1 << self.vector(b))
    }

    fn vector(&self, b: u8) -> u8 {
        if (b as usize) < self.i.len() {
            self.irte(b)
        } else {
            b
        }
    }

    /// A 64-bit entry value: its backing page names a vCPU, its host ID field a pCPU.
    pub fn entry(&self, e: u64) -> u64 {
        let page = e & entry::BACKING_PAGE_MASK;
        let mut out = e;
        let base = entry::backing_page(0);
        if page >= base && (page - base) >> 12 < self.v.len() as u64 {
            let v = ((page - base) >> 12) as u8;
            out = (out & !entry::BACKING_PAGE_MASK) | entry::backing_page(self.vcpu(v));
        }
        let host = entry::host_id(out);
        (out & !entry::HOST_ID_MASK) | u64::from(self.apic(host))
    }

    fn irte_value(&self, x: &Irte) -> Irte {
        Irte {
            destination: self.apic(x.destination),
            ga_tag: x.ga_tag.map(|v| self.vcpu(v)),
            vector: self.vector(x.vector),
            ..*x
        }
    }

    fn run(&self, r: RunState) -> RunState {
        match r {
            RunState::Loaded(p) => RunState::Loaded(self.pcpu(p)),
            RunState::InGuest(p) => RunState::InGuest(self.pcpu(p)),
            other => other,
        }
    }

    fn vcpu_state(&self, x: &Vcpu) -> Vcpu {
        Vcpu {
            run: self.run(x.run),
            cpu: self.pcpu(x.cpu),
            irr: self.vectors(x.irr),
            delivered: self.vectors(x.delivered),
            ..*x
        }
    }

    fn loc(&self, l: Loc) -> Loc {
        match l {
            Loc::Entry(v) => Loc::Entry(self.vcpu(v)),
            Loc::EntryHi(v) => Loc::EntryHi(self.vcpu(v)),
            Loc::EntryLo(v) => Loc::EntryLo(self.vcpu(v)),
            Loc::Link { vcpu, irte } => Loc::Link {
                vcpu: self.vcpu(vcpu),
                irte: self.irte(irte),
            },
        }
    }

    fn buffered(&self, b: &Buffered) -> Buffered {
        let value = match b.loc {
            Loc::Entry(_) => self.entry(b.value),
            // The low half holds the host ID and the vCPU's part of the backing page; the high
            // half's page bits are the same for every vCPU.
            Loc::EntryLo(_) => self.entry((entry::backing_page(0) & !LO) | (b.value & LO)) & LO,
            Loc::EntryHi(_) | Loc::Link { .. } => b.value,
        };
        Buffered {
            loc: self.loc(b.loc),
            value,
            completes: b.completes,
        }
    }

    fn regs(&self, r: &Regs, out: &mut Regs) {
        out.entry = self.entry(r.entry);
        out.cursor = r.cursor.map(|i| self.irte(i));
        out.irte = r.irte.as_ref().map(|x| self.irte_value(x));
        out.target = r.target.map(|v| self.vcpu(v));
        out.prev = r.prev.map(|v| self.vcpu(v));
        out.edited = r.edited.as_ref().map(|x| self.irte_value(x));
    }

    fn thread(&self, x: &ThreadState, out: &mut ThreadState) {
        out.op = x.op;
        out.pc = x.pc;
        out.forced = x.forced;
        self.regs(&x.regs, &mut out.regs);
        out.buffer.clear();
        out.buffer.extend(x.buffer.iter().map(|b| self.buffered(b)));
    }

    /// The new slot of lock slot `s` (laid out as [`crate::machine::LockId::slot`]).
    fn lock_slot(&self, s: usize) -> usize {
        let (nv, np) = (self.v.len(), self.p.len());
        if s < nv {
            self.vcpu(s as u8) as usize
        } else if s == nv {
            s
        } else if s < nv + 1 + np {
            nv + 1 + self.pcpu((s - nv - 1) as u8) as usize
        } else {
            nv + 1 + np + self.irte((s - nv - 1 - np) as u8) as usize
        }
    }

    /// Write the image of `m` into `out` (a machine of the same shape), reusing its memory.
    pub fn machine(&self, m: &Machine, out: &mut Machine) {
        out.pcpus = m.pcpus;
        for (v, x) in m.vcpus.iter().enumerate() {
            let to = self.vcpu(v as u8) as usize;
            out.vcpus[to] = self.vcpu_state(x);
            out.entries[to] = self.entry(m.entries[v]);
            out.kvm_entries[to] = self.entry(m.kvm_entries[v]);
            let w = &mut out.whole_values[to];
            w.clear();
            w.extend(m.whole_values[v].iter().map(|e| self.entry(*e)));
            w.sort_unstable();
            out.ir_lists[to] = (0..8u8)
                .filter(|b| m.ir_lists[v] & (1 << b) != 0)
                .fold(0, |acc, b| acc | 1 << self.irte(b));
        }
        for (i, x) in m.irtes.iter().enumerate() {
            let to = self.irte(i as u8) as usize;
            out.irtes[to] = self.irte_value(x);
            out.irte_copies[to] = self.irte_value(&m.irte_copies[i]);
            out.iommu_cache[to] = self.irte_value(&m.iommu_cache[i]);
            out.owners[to] = m.owners[i].map(|v| self.vcpu(v));
        }
        for (s, h) in m.locks.iter().enumerate() {
            out.locks[self.lock_slot(s)] = h.map(|t| self.t[t as usize]);
        }
        out.lock_order = m.lock_order;
        out.ga_log.clear();
        out.ga_log.extend(m.ga_log.iter().map(|v| self.vcpu(*v)));
        for (t, x) in m.threads.iter().enumerate() {
            self.thread(x, &mut out.threads[self.t[t] as usize]);
        }
        out.kick_ipis = m.kick_ipis;
    }

    fn vref(&self, r: VRef) -> VRef {
        match r {
            VRef::Fixed(v) => VRef::Fixed(self.vcpu(v)),
            VRef::OwnerOf(i) => VRef::OwnerOf(self.irte(i)),
            VRef::Prev => VRef::Prev,
        }
    }

    fn lock(&self, r: LockRef) -> LockRef {
        match r {
            LockRef::IrList(v) => LockRef::IrList(self.vref(v)),
            LockRef::Irqfds => LockRef::Irqfds,
            LockRef::RqOf(v) => LockRef::RqOf(self.vcpu(v)),
            LockRef::Rq(p) => LockRef::Rq(self.pcpu(p)),
            LockRef::IrqDesc(i) => LockRef::IrqDesc(self.irte(i)),
        }
    }

    fn iref(&self, r: IrteRef) -> IrteRef {
        match r {
            IrteRef::Fixed(i) => IrteRef::Fixed(self.irte(i)),
            IrteRef::Cursor => IrteRef::Cursor,
        }
    }

    fn update(&self, u: Option<EntryUpdate>) -> Option<EntryUpdate> {
        u.map(|u| match u {
            EntryUpdate::Load(p) => EntryUpdate::Load(p.map(|p| self.pcpu(p))),
            put => put,
        })
    }

    fn effect(&self, e: Effect) -> Effect {
        match e {
            Effect::SchedIn(v, p) => Effect::SchedIn(self.vcpu(v), p.map(|p| self.pcpu(p))),
            Effect::Halting(v) => Effect::Halting(self.vcpu(v)),
            Effect::SchedOut(v) => Effect::SchedOut(self.vcpu(v)),
            Effect::SetCpu(v, p) => Effect::SetCpu(self.vcpu(v), self.pcpu(p)),
        }
    }

    /// The image of one instruction.
    pub fn kind(&self, k: StepKind) -> StepKind {
        use StepKind as K;
        let v = |x| self.vcpu(x);
        let i = |x| self.irte(x);
        match k {
            K::ReadEntry(x) => K::ReadEntry(v(x)),
            K::ReadVcpuCpu(x) => K::ReadVcpuCpu(v(x)),
            K::WriteEntry(x, u, part) => K::WriteEntry(v(x), self.update(u), part),
            K::WriteKvmEntry(x, u) => K::WriteKvmEntry(v(x), self.update(u)),
            K::Lock(r) => K::Lock(self.lock(r)),
            K::Unlock(r) => K::Unlock(self.lock(r)),
            K::Mb => K::Mb,
            K::WalkNext(x) => K::WalkNext(v(x)),
            K::UpdateGa(r, how) => K::UpdateGa(self.iref(r), how),
            K::Activate(r, x, target) => K::Activate(self.iref(r), v(x), target),
            K::Deactivate(r) => K::Deactivate(self.iref(r)),
            K::PublishIrte(r) => K::PublishIrte(self.iref(r)),
            K::FlushIrt(r) => K::FlushIrt(self.iref(r)),
            K::Link(x, y) => K::Link(v(x), i(y)),
            K::Unlink(r, y) => K::Unlink(self.vref(r), i(y)),
            K::Kick(x) => K::Kick(v(x)),
            K::TestRequest(x) => K::TestRequest(v(x)),
            K::VmRun(x) => K::VmRun(v(x)),
            K::VmExit(x) => K::VmExit(v(x)),
            K::SetWaiting(x) => K::SetWaiting(v(x)),
            K::CheckBlock(x) => K::CheckBlock(v(x)),
            K::Sleep(x) => K::Sleep(v(x)),
            K::Local => K::Local,
            K::IommuRead(x) => K::IommuRead(i(x)),
            K::IommuPost(x) => K::IommuPost(i(x)),
            K::IommuNotify(x) => K::IommuNotify(i(x)),
            K::GaLogPop => K::GaLogPop,
            K::Wake => K::Wake,
            K::AvicRead(x) => K::AvicRead(v(x)),
            K::AvicSetIrr(x) => K::AvicSetIrr(v(x)),
            K::AvicNotify(x) => K::AvicNotify(v(x)),
        }
    }

    fn same_step(&self, a: &Step, b: &Step) -> bool {
        self.kind(a.kind) == b.kind
            && a.jump == b.jump
            && a.next == b.next
            && a.quiet == b.quiet
            && a.effect.map(|e| self.effect(e)) == b.effect
    }

    /// Whether `b` is the image of `a`, step for step (labels and pseudo-code aside: they only
    /// name things).
    pub fn maps_program(&self, a: &Program, b: &Program) -> bool {
        a.steps.len() == b.steps.len()
            && a.on_end.map(|e| self.effect(e)) == b.on_end
            && a.steps
                .iter()
                .zip(&b.steps)
                .all(|(x, y)| self.same_step(x, y))
    }
}
