//! What a thread may still touch: the union of the footprints ([`super::independence`]) of every
//! step its remaining programs can run, read statically from the programs (a reference resolved
//! only at run time, such as "the owner of IRTE1" or "the list cursor", stands for every resource
//! it could name). The persistent-set reduction compares one thread's next actions with this
//! over-approximation of every other thread's future.

use super::independence::Res;
use crate::machine::{Loc, LockId, Machine};
use crate::program::{Actor, Effect, IrteRef, LockRef, Program, Step, StepKind, VRef};
use crate::sim::Sim;

/// Resource kinds, one bit mask each.
const KINDS: usize = 10;
const ENTRY: usize = 0;
const LIST: usize = 1;
const IRTE: usize = 2;
const COPY: usize = 3;
const CACHE: usize = 4;
const KVM: usize = 5;
const LOCK: usize = 6;
const OWNER: usize = 7;
const VCPU: usize = 8;
/// Bit 0: the lock-order graph; bit 1: the GA log.
const MISC: usize = 9;

/// A set of (resource, read or write) pairs as bit masks by kind; an index past 63 stands for
/// every index of its kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fp {
    reads: [u64; KINDS],
    writes: [u64; KINDS],
}

fn bit(i: usize) -> u64 {
    if i < 64 {
        1 << i
    } else {
        u64::MAX
    }
}

impl Fp {
    fn add(&mut self, kind: usize, mask: u64, write: bool) {
        if write {
            self.writes[kind] |= mask;
        } else {
            self.reads[kind] |= mask;
        }
    }

    /// Add one resource of a dynamic footprint.
    pub fn add_res(&mut self, r: Res, write: bool) {
        let (kind, mask) = match r {
            Res::Entry(v) => (ENTRY, bit(v.into())),
            Res::List(v) => (LIST, bit(v.into())),
            Res::Irte(i) => (IRTE, bit(i.into())),
            Res::IrteCopy(i) => (COPY, bit(i.into())),
            Res::IrteCache(i) => (CACHE, bit(i.into())),
            Res::KvmEntry(v) => (KVM, bit(v.into())),
            Res::Lock(l) => (LOCK, bit(l.into())),
            Res::LockOrder => (MISC, 1),
            Res::Owner(i) => (OWNER, bit(i.into())),
            Res::Vcpu(v) => (VCPU, bit(v.into())),
            // A doorbell touches every vCPU: every bit, so it meets any one of them.
            Res::AllVcpus => (VCPU, u64::MAX),
            Res::GaLog => (MISC, 2),
        };
        self.add(kind, mask, write);
    }

    /// Both sets.
    pub fn union(&mut self, other: &Fp) {
        for k in 0..KINDS {
            self.reads[k] |= other.reads[k];
            self.writes[k] |= other.writes[k];
        }
    }

    /// Whether one writes what the other reads or writes: the `independence::conflicts` rule.
    pub fn conflicts(&self, other: &Fp) -> bool {
        (0..KINDS).any(|k| {
            self.writes[k] & (other.reads[k] | other.writes[k]) != 0
                || self.reads[k] & other.writes[k] != 0
        })
    }
}

/// The sizes static references are resolved against.
#[derive(Clone, Copy)]
struct Shape {
    vcpus: usize,
    pcpus: usize,
    irtes: usize,
}

impl Shape {
    fn all(n: usize) -> u64 {
        if n >= 64 {
            u64::MAX
        } else {
            (1u64 << n) - 1
        }
    }

    fn vcpu(self, r: VRef) -> u64 {
        match r {
            VRef::Fixed(v) => bit(v.into()),
            VRef::OwnerOf(_) | VRef::Prev => Self::all(self.vcpus),
        }
    }

    fn irte(self, r: IrteRef) -> u64 {
        match r {
            IrteRef::Fixed(i) => bit(i.into()),
            IrteRef::Cursor => Self::all(self.irtes),
        }
    }

    fn slot(self, id: LockId) -> u64 {
        bit(id.slot(self.vcpus, self.pcpus))
    }

    fn locks(self, r: LockRef) -> u64 {
        match r {
            LockRef::IrList(VRef::Fixed(v)) => self.slot(LockId::IrList(v)),
            LockRef::IrList(_) => Self::all(self.vcpus),
            LockRef::Irqfds => self.slot(LockId::Irqfds),
            LockRef::RqOf(_) => (0..self.pcpus).fold(0, |m, p| m | self.slot(LockId::Rq(p as u8))),
            LockRef::Rq(p) => self.slot(LockId::Rq(p)),
            LockRef::IrqDesc(i) => self.slot(LockId::IrqDesc(i)),
        }
    }
}

fn effect_vcpu(e: Effect) -> u8 {
    match e {
        Effect::SchedIn(v, _) | Effect::Halting(v) | Effect::SchedOut(v) | Effect::SetCpu(v, _) => {
            v
        }
    }
}

/// Everything one step may touch, in any state (stores are counted as the writes their flush
/// makes under x86-TSO).
fn step_fp(sim: &Sim, shape: Shape, step: &Step, fp: &mut Fp) {
    let kvm_copy = sim.strategy.knobs.kvm_copy();
    if let Some(e) = step.effect {
        fp.add(VCPU, bit(effect_vcpu(e).into()), true);
    }
    let one = |v: u8| bit(v.into());
    match step.kind {
        StepKind::ReadEntry(v) => fp.add(if kvm_copy { KVM } else { ENTRY }, one(v), false),
        StepKind::WriteKvmEntry(v, _) => {
            fp.add(VCPU, one(v), false);
            fp.add(KVM, one(v), true);
        }
        StepKind::ReadVcpuCpu(v) => fp.add(VCPU, one(v), false),
        StepKind::WriteEntry(v, _, _) => {
            fp.add(VCPU, one(v), false);
            fp.add(ENTRY, one(v), true);
        }
        StepKind::Lock(r) => {
            match r {
                LockRef::IrList(VRef::OwnerOf(i)) => fp.add(OWNER, one(i), false),
                LockRef::RqOf(v) => fp.add(VCPU, one(v), false),
                _ => {}
            }
            fp.add(LOCK, shape.locks(r), true);
            fp.add(MISC, 1, true);
        }
        StepKind::Unlock(r) => fp.add(LOCK, shape.locks(r), true),
        StepKind::Mb | StepKind::Local => {}
        StepKind::WalkNext(v) => fp.add(LIST, one(v), false),
        StepKind::UpdateGa(r, _) | StepKind::Activate(r, _, _) | StepKind::Deactivate(r) => {
            fp.add(COPY, shape.irte(r), true)
        }
        StepKind::PublishIrte(r) => {
            fp.add(COPY, shape.irte(r), false);
            fp.add(IRTE, shape.irte(r), true);
        }
        StepKind::FlushIrt(r) => {
            fp.add(IRTE, shape.irte(r), false);
            fp.add(CACHE, shape.irte(r), true);
        }
        StepKind::Link(v, i) => {
            fp.add(OWNER, one(i), true);
            fp.add(LIST, one(v), true);
        }
        StepKind::Unlink(r, i) => {
            fp.add(OWNER, one(i), true);
            fp.add(LIST, shape.vcpu(r), true);
        }
        StepKind::Kick(v)
        | StepKind::TestRequest(v)
        | StepKind::VmRun(v)
        | StepKind::VmExit(v)
        | StepKind::SetWaiting(v)
        | StepKind::CheckBlock(v)
        | StepKind::Sleep(v)
        | StepKind::AvicSetIrr(v) => fp.add(VCPU, one(v), true),
        StepKind::IommuRead(i) => fp.add(CACHE, one(i), false),
        StepKind::IommuPost(_) | StepKind::Wake | StepKind::AvicNotify(_) => {
            fp.add(VCPU, u64::MAX, true)
        }
        StepKind::IommuNotify(i) => {
            fp.add(IRTE, one(i), false);
            fp.add(VCPU, u64::MAX, true);
            fp.add(MISC, 2, true);
        }
        StepKind::GaLogPop => fp.add(MISC, 2, true),
        StepKind::AvicRead(v) => fp.add(ENTRY, one(v), false),
    }
}

/// For each step of `p`: what it and every step reachable from it in the program (its
/// branches and loops included) may touch, with the end effect.
fn reach_of(sim: &Sim, shape: Shape, p: &Program) -> Vec<Fp> {
    let n = p.steps.len();
    let own: Vec<Fp> = p
        .steps
        .iter()
        .map(|s| {
            let mut fp = Fp::default();
            step_fp(sim, shape, s, &mut fp);
            fp
        })
        .collect();
    let mut end = Fp::default();
    if let Some(e) = p.on_end {
        end.add(VCPU, bit(effect_vcpu(e).into()), true);
    }
    let mut out = own.clone();
    out.iter_mut().for_each(|f| f.union(&end));
    // A fixed point over the control-flow graph (programs are a few dozen steps).
    loop {
        let mut changed = false;
        for pc in (0..n).rev() {
            let s = &p.steps[pc];
            let mut f = out[pc];
            for next in [Some(s.next.unwrap_or(pc + 1)), s.jump]
                .into_iter()
                .flatten()
            {
                if next < n {
                    f.union(&out[next]);
                }
            }
            if f != out[pc] {
                out[pc] = f;
                changed = true;
            }
        }
        if !changed {
            return out;
        }
    }
}

/// One thread's tables.
struct ThreadFuture {
    /// Read by every step (the vCPU's life cycle, the GA log for the daemon).
    always: Fp,
    /// By program, by pc: what running on from there may touch.
    reach: Vec<Vec<Fp>>,
    /// By op: every program from that one on, whole.
    from_op: Vec<Fp>,
    /// The forced-exit program by pc, and whole.
    forced: Vec<Fp>,
    forced_whole: Fp,
}

/// Every thread's future, precomputed once per search.
pub struct Future {
    threads: Vec<ThreadFuture>,
}

impl Future {
    /// The tables for `sim`'s threads.
    pub fn new(sim: &Sim, root: &Machine) -> Future {
        let shape = Shape {
            vcpus: root.vcpus.len(),
            pcpus: root.pcpus.into(),
            irtes: root.irtes.len(),
        };
        let threads = sim
            .threads
            .iter()
            .map(|th| {
                let mut always = Fp::default();
                if let Actor::Vcpu(v) = th.actor {
                    always.add(VCPU, bit(v.into()), false);
                }
                if th.is_daemon() {
                    always.add(MISC, 2, false);
                }
                let reach: Vec<Vec<Fp>> = th
                    .programs
                    .iter()
                    .map(|p| reach_of(sim, shape, p))
                    .collect();
                let whole = |r: &Vec<Fp>| r.first().copied().unwrap_or_default();
                let mut from_op = vec![Fp::default(); reach.len() + 1];
                for op in (0..reach.len()).rev() {
                    let mut f = from_op[op + 1];
                    f.union(&whole(&reach[op]));
                    from_op[op] = f;
                }
                let forced = th
                    .forced
                    .as_ref()
                    .map(|p| reach_of(sim, shape, p))
                    .unwrap_or_default();
                let forced_whole = whole(&forced);
                ThreadFuture {
                    always,
                    reach,
                    from_op,
                    forced,
                    forced_whole,
                }
            })
            .collect();
        Future { threads }
    }

    /// What thread `u` may touch from state `m` on: its remaining steps (a forced exit may come
    /// at any time), and the flushes of the stores in its buffer.
    pub fn of(&self, sim: &Sim, m: &Machine, u: usize) -> Fp {
        let tf = &self.threads[u];
        let ts = &m.threads[u];
        let pc = ts.pc as usize;
        let at = |r: &[Fp]| r.get(pc).copied().unwrap_or_default();
        let mut fp = tf.always;
        fp.union(&tf.forced_whole);
        let op = ts.op as usize;
        if ts.forced {
            fp.union(&at(&tf.forced));
            fp.union(&tf.from_op[op.min(tf.from_op.len() - 1)]);
        } else if sim.threads[u].is_daemon() {
            if let Some(r) = tf.reach.first() {
                fp.union(&at(r));
            }
            fp.union(&tf.from_op[0]);
        } else if let Some(r) = tf.reach.get(op) {
            fp.union(&at(r));
            fp.union(&tf.from_op[op + 1]);
        }
        for b in &ts.buffer {
            match b.loc {
                Loc::Link { vcpu, .. } => fp.add(LIST, bit(vcpu.into()), true),
                loc => fp.add(ENTRY, bit(loc.vcpu().into()), true),
            }
        }
        fp
    }

    /// Whether thread `u` can never run a step again (its last action, if any, is a flush).
    pub fn done(&self, sim: &Sim, m: &Machine, u: usize) -> bool {
        let th = &sim.threads[u];
        !th.is_daemon() && th.forced.is_none() && sim.current(m, u).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::enabled;
    use crate::explore::independence::footprint;

    /// The static future covers every dynamic footprint the thread shows later: along random
    /// runs of every shipped world, each action's footprint is inside its thread's future as
    /// computed at every earlier state of the run.
    #[test]
    fn the_future_covers_what_a_thread_later_touches() {
        for scenario in crate::scenario::ids() {
            for preset in crate::strategy::PRESETS {
                for mm in ["sc", "tso"] {
                    let sim = Sim::from_ids(&scenario, preset.id, mm).unwrap();
                    let fut = Future::new(&sim, &sim.initial());
                    for seed in 0..4 {
                        let run = crate::explore::random_run(&sim, seed);
                        let states: Vec<Machine> = (0..=run.position())
                            .map(|n| run.state_at(n).clone())
                            .collect();
                        let futures: Vec<Vec<Fp>> = states
                            .iter()
                            .map(|m| (0..sim.threads.len()).map(|u| fut.of(&sim, m, u)).collect())
                            .collect();
                        for (n, m) in states.iter().enumerate() {
                            for a in enabled(&sim, m) {
                                let mut now = Fp::default();
                                for (r, w) in footprint(&sim, m, a) {
                                    now.add_res(r, w);
                                }
                                for earlier in &futures[..=n] {
                                    let f = earlier[a.thread()];
                                    let mut both = f;
                                    both.union(&now);
                                    assert_eq!(
                                        both, f,
                                        "{scenario} {} {mm} state {n} {a}",
                                        preset.id
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
