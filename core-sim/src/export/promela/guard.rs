//! Which program a thread is in, whether its next step is enabled, and what a step's operands
//! resolve to: [`crate::sim::Sim::current`], [`crate::exec::next_step`] and the `resolve`
//! helpers of [`crate::exec`], as Promela expressions over the state vector.

use super::layout::Layout;
use crate::program::{Actor, IrteRef, LockRef, StepKind, VRef};
use crate::sim::Sim;

/// One of a thread's programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// The program of script operation `n` (the GA-log handler's one program is `Script(0)`).
    Script(usize),
    /// The forced exit a kick IPI causes.
    Forced,
}

/// The vCPU a thread runs, if it is a vCPU thread.
pub fn vcpu_of(sim: &Sim, t: usize) -> Option<u8> {
    match sim.threads[t].actor {
        Actor::Vcpu(v) => Some(v),
        _ => None,
    }
}

/// The condition under which a vCPU thread at the start of an operation runs its forced exit
/// instead: a kick forced its vCPU out of the guest.
fn forced_pending(sim: &Sim, t: usize) -> Option<String> {
    let v = vcpu_of(sim, t)?;
    sim.threads[t]
        .forced
        .as_ref()
        .map(|_| format!("(vc[{v}].fexit && vc[{v}].rs == INGUEST)"))
}

/// Thread `t` is in (or would start next) program `which`.
pub fn current(sim: &Sim, t: usize, which: Which) -> String {
    let th = &sim.threads[t];
    if th.is_daemon() {
        return format!("(pc[{t}] != 0 || gcnt > 0)");
    }
    let pending = forced_pending(sim, t);
    match which {
        Which::Forced => format!(
            "(fc[{t}] || (pc[{t}] == 0 && {}))",
            pending.as_deref().unwrap_or("0")
        ),
        Which::Script(n) => match pending {
            Some(p) => format!("(!fc[{t}] && !(pc[{t}] == 0 && {p}) && op[{t}] == {n})"),
            None => format!("(!fc[{t}] && op[{t}] == {n})"),
        },
    }
}

/// Thread `t` finished its script (never true of the GA-log handler).
pub fn finished(sim: &Sim, t: usize) -> String {
    let th = &sim.threads[t];
    if th.is_daemon() {
        return "0".into();
    }
    let n = th.programs.len();
    match forced_pending(sim, t) {
        Some(p) => format!("(!fc[{t}] && !(pc[{t}] == 0 && {p}) && op[{t}] >= {n})"),
        None => format!("(!fc[{t}] && op[{t}] >= {n})"),
    }
}

/// The vCPU a [`VRef`] names, as an expression that may be `NONE`.
pub fn vref(r: VRef, t: usize) -> (String, bool) {
    match r {
        VRef::Fixed(v) => (v.to_string(), false),
        VRef::OwnerOf(i) => (format!("owner[{i}]"), true),
        VRef::Prev => (format!("prv[{t}]"), true),
    }
}

/// The lock slot a [`LockRef`] names, and whether it may name none.
pub fn lock_slot(l: &Layout, r: LockRef, t: usize) -> (String, bool) {
    let v = l.vcpus;
    match r {
        LockRef::IrList(r) => vref(r, t),
        LockRef::Irqfds => (v.to_string(), false),
        LockRef::RqOf(w) => (format!("({} + vc[{w}].cpu)", v + 1), false),
        LockRef::Rq(p) => ((v + 1 + p as usize).to_string(), false),
        LockRef::IrqDesc(i) => ((v + 1 + l.pcpus + i as usize).to_string(), false),
    }
}

/// The lock class ([`crate::machine::LockClass`] number) of a [`LockRef`].
pub fn lock_class(r: LockRef) -> usize {
    match r {
        LockRef::IrList(_) => 0,
        LockRef::Irqfds => 1,
        LockRef::RqOf(_) | LockRef::Rq(_) => 2,
        LockRef::IrqDesc(_) => 3,
    }
}

/// The lock class of slot `s`.
pub fn slot_class(l: &Layout, s: usize) -> usize {
    match s {
        s if s < l.vcpus => 0,
        s if s == l.vcpus => 1,
        s if s < l.vcpus + 1 + l.pcpus => 2,
        _ => 3,
    }
}

/// The IRTE index an [`IrteRef`] names.
pub fn irte_ref(r: IrteRef, t: usize) -> String {
    match r {
        IrteRef::Fixed(i) => i.to_string(),
        IrteRef::Cursor => format!("cur[{t}]"),
    }
}

/// Step `pc` of program `which` of thread `t` is the one to run, and it can run now.
pub fn enabled(sim: &Sim, l: &Layout, t: usize, which: Which, pc: usize, kind: StepKind) -> String {
    let mut parts = vec![current(sim, t, which), format!("pc[{t}] == {pc}")];
    if let Some(v) = vcpu_of(sim, t) {
        parts.push(format!("vc[{v}].rs != SLEEPING"));
    }
    let drained = if l.tso {
        format!("bcnt[{t}] == 0")
    } else {
        String::new()
    };
    match kind {
        StepKind::Lock(r) => {
            let (slot, may_be_none) = lock_slot(l, r, t);
            let mut free = format!("lk[{slot}] == NONE");
            if !drained.is_empty() {
                free = format!("{drained} && {free}");
            }
            parts.push(if may_be_none {
                format!("({slot} == NONE || ({free}))")
            } else {
                format!("({free})")
            });
        }
        StepKind::Unlock(_)
        | StepKind::Mb
        | StepKind::PublishIrte(_)
        | StepKind::Kick(_)
        | StepKind::VmRun(_)
        | StepKind::SetWaiting(_)
            if !drained.is_empty() =>
        {
            parts.push(drained)
        }
        _ => {}
    }
    parts.join(" && ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kicked_vcpu_starts_its_forced_exit_before_its_script() {
        let sim = Sim::from_ids("put-block-vs-affinity", "kick", "sc").unwrap();
        let t = (0..sim.threads.len())
            .find(|&t| sim.threads[t].forced.is_some())
            .unwrap();
        assert!(current(&sim, t, Which::Script(0)).contains("!(pc["));
        assert!(current(&sim, t, Which::Forced).contains("fexit"));
        let l = Layout::of(&Sim::from_ids("put-block-vs-affinity", "kick", "tso").unwrap());
        let g = enabled(&sim, &l, t, Which::Script(0), 0, StepKind::Mb);
        assert!(g.contains("bcnt[") && g.contains("SLEEPING"), "{g}");
    }
}
