//! The small terms inside instructions, both ways: vCPU, lock and IRTE references, entry and GA
//! updates, activation targets, effects, and the actor and operation a program replaces.

use super::term::Term;
use super::Diag;
use crate::program::{
    ActivateTarget, Actor, Effect, EntryUpdate, GaUpdate, IrteRef, LockRef, Op, Part, VRef,
};

/// Reading terms on one line.
#[derive(Clone, Copy)]
pub(super) struct Ctx {
    pub line: usize,
}

impl Ctx {
    pub fn err(&self, t: &Term, msg: impl Into<String>) -> Diag {
        Diag::span(self.line, t.col, t.end, msg.into())
    }

    /// A number 0..=255.
    pub fn num(&self, t: &Term, what: &str) -> Result<u8, Diag> {
        match t.num {
            Some(n) if n <= 255 => Ok(n as u8),
            Some(n) => Err(self.err(t, format!("{what} {n} is out of range (0 to 255)"))),
            None => Err(self.err(t, format!("expected {what} (a number), found '{}'", t.name))),
        }
    }

    /// The positional arguments of `t`, exactly `n` of them (`shape` says how it is written).
    pub fn args<'t>(&self, t: &'t Term, n: usize, shape: &str) -> Result<Vec<&'t Term>, Diag> {
        if t.args.len() != n || t.args.iter().any(|(k, _)| k.is_some()) {
            return Err(self.err(t, format!("'{}' is written {shape}", t.name)));
        }
        Ok(t.args.iter().map(|(_, a)| a).collect())
    }

    /// The numbers of a keyed term like `load(pcpu = 1)`: every key of `keys` exactly once, in
    /// that order.
    pub fn keyed(&self, t: &Term, keys: &[&str], shape: &str) -> Result<Vec<u8>, Diag> {
        let ok = t.args.len() == keys.len()
            && t.args
                .iter()
                .zip(keys)
                .all(|((k, _), want)| k.as_deref() == Some(*want));
        if !ok {
            return Err(self.err(t, format!("'{}' is written {shape}", t.name)));
        }
        t.args
            .iter()
            .zip(keys)
            .map(|((_, a), k)| self.num(a, k))
            .collect()
    }

    /// A bare word (no arguments) among `words`.
    pub fn word<'w>(&self, t: &Term, words: &[&'w str], what: &str) -> Result<&'w str, Diag> {
        match words.iter().find(|w| **w == t.name) {
            Some(w) if t.args.is_empty() && t.num.is_none() => Ok(w),
            _ => Err(self.err(t, format!("expected {what}: {}", words.join(", ")))),
        }
    }

    pub fn vref(&self, t: &Term) -> Result<VRef, Diag> {
        if t.num.is_some() {
            return Ok(VRef::Fixed(self.num(t, "vCPU")?));
        }
        match t.name.as_str() {
            "prev" => self.args(t, 0, "prev").map(|_| VRef::Prev),
            "owner_of" => {
                let a = self.args(t, 1, "owner_of(IRTE)")?;
                Ok(VRef::OwnerOf(self.num(a[0], "IRTE")?))
            }
            _ => Err(self.err(t, "expected a vCPU: a number, owner_of(IRTE) or prev")),
        }
    }

    pub fn lock(&self, t: &Term) -> Result<LockRef, Diag> {
        let one = |shape: &str, what: &str| -> Result<u8, Diag> {
            let a = self.args(t, 1, shape)?;
            self.num(a[0], what)
        };
        match t.name.as_str() {
            "ir_list" => {
                let a = self.args(t, 1, "ir_list(vCPU)")?;
                Ok(LockRef::IrList(self.vref(a[0])?))
            }
            "irqfds" => self.args(t, 0, "irqfds").map(|_| LockRef::Irqfds),
            "rq_of" => one("rq_of(vCPU)", "vCPU").map(LockRef::RqOf),
            "rq" => one("rq(pCPU)", "pCPU").map(LockRef::Rq),
            "irq_desc" => one("irq_desc(IRTE)", "IRTE").map(LockRef::IrqDesc),
            _ => Err(self.err(
                t,
                "expected a lock: ir_list(vCPU), irqfds, rq_of(vCPU), rq(pCPU) or irq_desc(IRTE)",
            )),
        }
    }

    pub fn irte(&self, t: &Term) -> Result<IrteRef, Diag> {
        if t.num.is_some() {
            return Ok(IrteRef::Fixed(self.num(t, "IRTE")?));
        }
        match t.name.as_str() {
            "cursor" if t.args.is_empty() => Ok(IrteRef::Cursor),
            _ => Err(self.err(t, "expected an IRTE: a number or cursor")),
        }
    }

    pub fn part(&self, t: &Term) -> Result<Part, Diag> {
        Ok(match self.word(t, &["whole", "hi", "lo"], "a part")? {
            "whole" => Part::Whole,
            "hi" => Part::Hi,
            _ => Part::Lo,
        })
    }

    pub fn update(&self, t: &Term) -> Result<Option<EntryUpdate>, Diag> {
        match (t.name.as_str(), t.args.len()) {
            ("keep", 0) => Ok(None),
            ("load", 1) if t.args[0].1.name == "cpu" => {
                self.args(t, 1, "load(pCPU) or load(cpu)")?;
                Ok(Some(EntryUpdate::Load(None)))
            }
            ("load", _) => {
                let a = self.args(t, 1, "load(pCPU) or load(cpu)")?;
                Ok(Some(EntryUpdate::Load(Some(self.num(a[0], "pCPU")?))))
            }
            ("put", 0) => Ok(Some(EntryUpdate::Put(false))),
            ("put", _) => {
                let a = self.args(t, 1, "put or put(blocking)")?;
                self.word(a[0], &["blocking"], "put's argument")?;
                Ok(Some(EntryUpdate::Put(true)))
            }
            _ => Err(self.err(
                t,
                "expected an entry update: keep, load(pCPU), load(cpu), put or put(blocking)",
            )),
        }
    }

    pub fn ga(&self, t: &Term) -> Result<GaUpdate, Diag> {
        let flag = |t: &Term| -> Result<Option<bool>, Diag> {
            if t.args.is_empty() {
                return Ok(None);
            }
            match self.keyed(t, &["ga_log"], "with ga_log = 0 or 1")?[0] {
                0 => Ok(Some(false)),
                1 => Ok(Some(true)),
                _ => Err(self.err(t, "ga_log is 0 or 1")),
            }
        };
        match t.name.as_str() {
            "run" => Ok(GaUpdate::Run(flag(t)?)),
            "not_running" => Ok(GaUpdate::NotRunning(flag(t)?)),
            "from_entry" if t.args.is_empty() => Ok(GaUpdate::FromEntry),
            _ => Err(self.err(
                t,
                "expected a GA update: run, run(ga_log = B), not_running, not_running(ga_log = B) or from_entry",
            )),
        }
    }

    pub fn target(&self, t: &Term) -> Result<ActivateTarget, Diag> {
        Ok(
            match self.word(t, &["cleared", "from_entry"], "an activation target")? {
                "cleared" => ActivateTarget::Cleared,
                _ => ActivateTarget::FromEntry,
            },
        )
    }

    pub fn effect(&self, t: &Term) -> Result<Effect, Diag> {
        match t.name.as_str() {
            "sched_in" => {
                let a = self.args(t, 2, "sched_in(vCPU, pCPU) or sched_in(vCPU, cpu)")?;
                let p = if a[1].name == "cpu" && a[1].args.is_empty() {
                    None
                } else {
                    Some(self.num(a[1], "pCPU")?)
                };
                Ok(Effect::SchedIn(self.num(a[0], "vCPU")?, p))
            }
            "halting" => Ok(Effect::Halting(self.num(self.args(t, 1, "halting(vCPU)")?[0], "vCPU")?)),
            "sched_out" => Ok(Effect::SchedOut(
                self.num(self.args(t, 1, "sched_out(vCPU)")?[0], "vCPU")?,
            )),
            "set_cpu" => {
                let a = self.args(t, 2, "set_cpu(vCPU, pCPU)")?;
                Ok(Effect::SetCpu(self.num(a[0], "vCPU")?, self.num(a[1], "pCPU")?))
            }
            _ => Err(self.err(
                t,
                "expected an effect: sched_in(vCPU, pCPU|cpu), halting(vCPU), sched_out(vCPU) or set_cpu(vCPU, pCPU)",
            )),
        }
    }

    pub fn actor(&self, t: &Term) -> Result<Actor, Diag> {
        match t.name.as_str() {
            "vcpu" => Ok(Actor::Vcpu(
                self.num(self.args(t, 1, "vcpu(N)")?[0], "vCPU")?,
            )),
            _ => Ok(
                match self.word(
                    t,
                    &["updater", "device", "avic", "ga_log", "host"],
                    "a thread: vcpu(N) or one of",
                )? {
                    "updater" => Actor::Updater,
                    "device" => Actor::Device,
                    "avic" => Actor::Avic,
                    "ga_log" => Actor::GaLog,
                    _ => Actor::Host,
                },
            ),
        }
    }

    pub fn op(&self, t: &Term) -> Result<Op, Diag> {
        let k = |keys: &[&str], shape: &str| self.keyed(t, keys, shape);
        let bare = |op: Op| self.args(t, 0, "without arguments").map(|_| op);
        match t.name.as_str() {
            "load" => Ok(Op::Load { pcpu: k(&["pcpu"], "load(pcpu = N)")?[0] }),
            "enter" => bare(Op::Enter),
            "exit" => bare(Op::Exit),
            "put" => bare(Op::Put),
            "block" => bare(Op::Block),
            "update_affinity" => {
                let a = k(&["irte", "vcpu"], "update_affinity(irte = N, vcpu = N)")?;
                Ok(Op::UpdateAffinity { irte: a[0], vcpu: a[1] })
            }
            "interrupt" => Ok(Op::Interrupt { irte: k(&["irte"], "interrupt(irte = N)")?[0] }),
            "ipi" => Ok(Op::Ipi { to: k(&["to"], "ipi(to = N)")?[0] }),
            "block_preempted" => bare(Op::BlockPreempted),
            "block_resume_on" => Ok(Op::BlockResumeOn {
                pcpu: k(&["pcpu"], "block_resume_on(pcpu = N)")?[0],
            }),
            "apicv_off" => bare(Op::ApicvOff),
            "apicv_on" => bare(Op::ApicvOn),
            "host_affinity" => {
                let a = k(&["irte", "pcpu"], "host_affinity(irte = N, pcpu = N)")?;
                Ok(Op::HostAffinity { irte: a[0], pcpu: a[1] })
            }
            _ => Err(self.err(
                t,
                "expected an operation: load(pcpu = N), enter, exit, put, block, update_affinity(irte = N, vcpu = N), interrupt(irte = N), ipi(to = N), block_preempted, block_resume_on(pcpu = N), apicv_off, apicv_on or host_affinity(irte = N, pcpu = N)",
            )),
        }
    }
}

pub(super) fn vref_term(v: VRef) -> Term {
    match v {
        VRef::Fixed(n) => Term::num(n),
        VRef::OwnerOf(i) => Term::call("owner_of", vec![Term::num(i)]),
        VRef::Prev => Term::word("prev"),
    }
}

pub(super) fn lock_term(l: LockRef) -> Term {
    match l {
        LockRef::IrList(v) => Term::call("ir_list", vec![vref_term(v)]),
        LockRef::Irqfds => Term::word("irqfds"),
        LockRef::RqOf(v) => Term::call("rq_of", vec![Term::num(v)]),
        LockRef::Rq(p) => Term::call("rq", vec![Term::num(p)]),
        LockRef::IrqDesc(i) => Term::call("irq_desc", vec![Term::num(i)]),
    }
}

pub(super) fn irte_term(i: IrteRef) -> Term {
    match i {
        IrteRef::Fixed(n) => Term::num(n),
        IrteRef::Cursor => Term::word("cursor"),
    }
}

pub(super) fn part_term(p: Part) -> Term {
    Term::word(match p {
        Part::Whole => "whole",
        Part::Hi => "hi",
        Part::Lo => "lo",
    })
}

pub(super) fn update_term(u: Option<EntryUpdate>) -> Term {
    match u {
        None => Term::word("keep"),
        Some(EntryUpdate::Load(None)) => Term::call("load", vec![Term::word("cpu")]),
        Some(EntryUpdate::Load(Some(p))) => Term::call("load", vec![Term::num(p)]),
        Some(EntryUpdate::Put(false)) => Term::word("put"),
        Some(EntryUpdate::Put(true)) => Term::call("put", vec![Term::word("blocking")]),
    }
}

pub(super) fn ga_term(g: GaUpdate) -> Term {
    let with = |name: &str, f: Option<bool>| match f {
        None => Term::word(name),
        Some(b) => Term::keyed(name, vec![("ga_log", Term::num(b as u8))]),
    };
    match g {
        GaUpdate::Run(f) => with("run", f),
        GaUpdate::NotRunning(f) => with("not_running", f),
        GaUpdate::FromEntry => Term::word("from_entry"),
    }
}

pub(super) fn target_term(t: ActivateTarget) -> Term {
    Term::word(match t {
        ActivateTarget::Cleared => "cleared",
        ActivateTarget::FromEntry => "from_entry",
    })
}

pub(super) fn effect_term(e: Effect) -> Term {
    match e {
        Effect::SchedIn(v, p) => Term::call(
            "sched_in",
            vec![Term::num(v), p.map_or_else(|| Term::word("cpu"), Term::num)],
        ),
        Effect::Halting(v) => Term::call("halting", vec![Term::num(v)]),
        Effect::SchedOut(v) => Term::call("sched_out", vec![Term::num(v)]),
        Effect::SetCpu(v, p) => Term::call("set_cpu", vec![Term::num(v), Term::num(p)]),
    }
}

pub(super) fn actor_term(a: Actor) -> Term {
    match a {
        Actor::Vcpu(v) => Term::call("vcpu", vec![Term::num(v)]),
        Actor::Updater => Term::word("updater"),
        Actor::Device => Term::word("device"),
        Actor::Avic => Term::word("avic"),
        Actor::GaLog => Term::word("ga_log"),
        Actor::Host => Term::word("host"),
    }
}

pub(super) fn op_term(op: Op) -> Term {
    let n = Term::num;
    match op {
        Op::Load { pcpu } => Term::keyed("load", vec![("pcpu", n(pcpu))]),
        Op::Enter => Term::word("enter"),
        Op::Exit => Term::word("exit"),
        Op::Put => Term::word("put"),
        Op::Block => Term::word("block"),
        Op::UpdateAffinity { irte, vcpu } => Term::keyed(
            "update_affinity",
            vec![("irte", n(irte)), ("vcpu", n(vcpu))],
        ),
        Op::Interrupt { irte } => Term::keyed("interrupt", vec![("irte", n(irte))]),
        Op::Ipi { to } => Term::keyed("ipi", vec![("to", n(to))]),
        Op::BlockPreempted => Term::word("block_preempted"),
        Op::BlockResumeOn { pcpu } => Term::keyed("block_resume_on", vec![("pcpu", n(pcpu))]),
        Op::ApicvOff => Term::word("apicv_off"),
        Op::ApicvOn => Term::word("apicv_on"),
        Op::HostAffinity { irte, pcpu } => {
            Term::keyed("host_affinity", vec![("irte", n(irte)), ("pcpu", n(pcpu))])
        }
    }
}
