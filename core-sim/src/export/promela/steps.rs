//! One micro-step as one Promela `d_step`: [`crate::exec::step`] for a step whose thread, program
//! and position are known when the model is written, so every operand is a constant or a
//! register.

use super::guard::{irte_ref, lock_class, lock_slot, slot_class, vref};
use super::layout::{irte_copy, irte_differ, irte_none, Layout, K_ENTRY, K_HI, K_LINK, K_LO};
use super::memory::{entry_view, list_view, store, Store};
use super::oracles::{check, wants};
use super::text::{lit, Text};
use crate::machine::entry;
use crate::program::{
    ActivateTarget, Effect, EntryUpdate, GaUpdate, LockRef, Part, Step, StepKind,
};
use crate::scenario::IPI_VECTOR;
use crate::sim::Sim;
use crate::vocab::ViolationKind;

fn hi_bit(mask: u64) -> String {
    lit((mask >> 32) as u32)
}

fn effect(t: &mut Text, e: Effect) {
    match e {
        Effect::SchedIn(v, p) => {
            let p = p.map_or(format!("vc[{v}].cpu"), |p| p.to_string());
            t.line(format!(
                "hv = {p}; vc[{v}].cpu = hv; vc[{v}].rs = LOADED; vc[{v}].rcpu = hv;"
            ));
        }
        Effect::Halting(v) => t.line(format!("vc[{v}].rs = BLOCKING; vc[{v}].rcpu = 0;")),
        Effect::SchedOut(v) => t.line(format!("vc[{v}].rs = PREEMPTED; vc[{v}].rcpu = 0;")),
        Effect::SetCpu(v, p) => t.line(format!("vc[{v}].cpu = {p};")),
    }
}

fn entry_update(sim: &Sim, t: &mut Text, n: usize, v: u8, u: EntryUpdate) {
    let (run, ga) = (hi_bit(entry::IS_RUNNING), hi_bit(entry::GA_LOG_INTR));
    match u {
        EntryUpdate::Load(p) => {
            let host = p.map_or(format!("(vc[{v}].cpu + 1)"), |p| {
                entry::apic_id(p).to_string()
            });
            t.line(format!(
                "rlo[{n}] = (rlo[{n}] & ~255) | {host}; rhi[{n}] = (rhi[{n}] & ~{ga}) | {run};"
            ));
        }
        EntryUpdate::Put(blocking) => {
            t.line(format!("rhi[{n}] = rhi[{n}] & ~{run} & ~{ga};"));
            if blocking && sim.strategy.knobs.ga_log_only_when_blocking {
                t.line(format!("rhi[{n}] = rhi[{n}] | {ga};"));
            }
        }
    }
}

fn edited(t: &mut Text, n: usize, i: &str) {
    t.line(format!(
        "{} red_has[{n}] = 1;",
        irte_copy(&format!("red[{n}]"), &format!("copy[{i}]"))
    ));
}

fn delayed_if_in_guest(sim: &Sim, t: &mut Text, v: &str) {
    check(
        sim,
        t,
        ViolationKind::DelayedDelivery,
        &format!("vc[{v}].rs == INGUEST"),
    );
}

/// The instruction of step `s` of thread `n`; sets `jmp` where [`crate::exec`] takes the jump.
fn kind(sim: &Sim, l: &Layout, t: &mut Text, n: usize, s: &Step) {
    let knobs = sim.strategy.knobs;
    let run = hi_bit(entry::IS_RUNNING);
    let ga = hi_bit(entry::GA_LOG_INTR);
    match s.kind {
        StepKind::ReadEntry(v) => {
            if knobs.kvm_copy() {
                t.line(format!("th = khi[{v}]; tl = klo[{v}];"));
            } else {
                entry_view(l, t, n, v);
            }
            t.line(format!("rhi[{n}] = th; rlo[{n}] = tl;"));
            if s.jump.is_some() {
                t.line(format!("jmp = ((th & {run}) == 0);"));
            }
        }
        StepKind::ReadVcpuCpu(v) => {
            t.line(format!("rhi[{n}] = {run}; rlo[{n}] = vc[{v}].cpu + 1;"))
        }
        StepKind::WriteEntry(v, u, part) => {
            if let Some(u) = u {
                entry_update(sim, t, n, v, u);
            }
            let mask = lit((knobs.table_value(u64::MAX) >> 32) as u32);
            t.line(format!("th = rhi[{n}] & {mask}; tl = rlo[{n}];"));
            match part {
                Part::Whole => store(l, t, n, Store { kind: K_ENTRY, vcpu: &v.to_string(), irte: "0", hi: "th", lo: "tl", completes: 1 }),
                Part::Hi => store(l, t, n, Store { kind: K_HI, vcpu: &v.to_string(), irte: "0", hi: "0", lo: "th", completes: 0 }),
                Part::Lo => store(l, t, n, Store { kind: K_LO, vcpu: &v.to_string(), irte: "0", hi: "0", lo: "tl", completes: 1 }),
            }
        }
        StepKind::WriteKvmEntry(v, u) => {
            if let Some(u) = u {
                entry_update(sim, t, n, v, u);
            }
            t.line(format!("khi[{v}] = rhi[{n}]; klo[{v}] = rlo[{n}];"));
        }
        StepKind::Lock(r) => {
            let (slot, may_be_none) = lock_slot(l, r, n);
            let body = |t: &mut Text| {
                t.line(format!("hv = {slot};"));
                let taken = lock_class(r);
                for s in 0..l.locks {
                    let held = slot_class(l, s);
                    if held == taken {
                        continue;
                    }
                    let bit = 1 << (4 * held + taken);
                    t.when(&format!("lk[{s}] == {n}"), |t| {
                        if wants(sim, ViolationKind::Deadlock) {
                            t.when(&format!("(lorder & {bit}) == 0"), |t| {
                                t.line(format!("lock_path({taken}, {held});"));
                                check(sim, t, ViolationKind::Deadlock, "found");
                            });
                        }
                        t.line(format!("lorder = lorder | {bit};"));
                    });
                }
                t.line(format!("lk[hv] = {n};"));
                if let LockRef::IrList(crate::program::VRef::OwnerOf(_)) = r {
                    t.line(format!("prv[{n}] = hv;"));
                }
            };
            if may_be_none {
                t.open("if");
                t.line(format!(":: ({slot} == NONE) -> jmp = 1"));
                t.open(":: else ->");
                body(t);
                t.fi();
            } else {
                body(t);
            }
        }
        StepKind::Unlock(r) => {
            let (slot, may_be_none) = lock_slot(l, r, n);
            let body = |t: &mut Text| {
                check(sim, t, ViolationKind::Deadlock, &format!("lk[{slot}] != {n}"));
                t.line(format!("lk[{slot}] = NONE;"));
            };
            if may_be_none {
                t.when(&format!("{slot} != NONE"), body);
            } else {
                body(t);
            }
        }
        StepKind::Mb | StepKind::Local => t.line("skip;"),
        StepKind::WalkNext(v) => {
            list_view(l, t, n, v);
            t.line(format!(
                "if :: (cur[{n}] == NONE) -> hx = 0 :: else -> hx = cur[{n}] + 1 fi; found = 0;"
            ));
            t.line("do :: (hx < 8 && !found) -> if :: ((hz & (1 << hx)) != 0) -> found = 1 :: else -> hx++ fi :: else -> break od;");
            t.line(format!(
                "if :: found -> cur[{n}] = hx :: else -> cur[{n}] = NONE; jmp = 1 fi;"
            ));
        }
        StepKind::UpdateGa(r, how) => {
            let i = irte_ref(r, n);
            let c = format!("copy[{i}]");
            let to_run = format!("{c}.rs = 1; {c}.dest = rlo[{n}] & 255;");
            let gal = |g: Option<bool>| g.map_or(String::new(), |g| format!(" {c}.gal = {};", g as u8));
            match how {
                GaUpdate::Run(g) => t.line(format!("{to_run}{}", gal(g))),
                GaUpdate::NotRunning(g) => t.line(format!("{c}.rs = 0;{}", gal(g))),
                GaUpdate::FromEntry => t.line(format!(
                    "if :: ((rhi[{n}] & {run}) != 0) -> {to_run} :: else -> {c}.rs = 0 fi;"
                )),
            }
            edited(t, n, &i);
        }
        StepKind::Activate(r, v, target) => {
            let i = irte_ref(r, n);
            let c = format!("copy[{i}]");
            t.line(format!(
                "{c}.gm = 1; {c}.tag = {v}; {c}.vec = {i}; {c}.rs = 0; {c}.dest = 0; {c}.gal = 0;"
            ));
            match target {
                ActivateTarget::Cleared => t.line(format!("{c}.gal = 1;")),
                ActivateTarget::FromEntry => {
                    let gal = if knobs.ga_log_only_when_blocking {
                        format!("((rhi[{n}] & {ga}) != 0)")
                    } else {
                        "1".into()
                    };
                    t.line(format!(
                        "if :: ((rhi[{n}] & {run}) != 0) -> {c}.rs = 1; {c}.dest = rlo[{n}] & 255 :: else -> {c}.gal = {gal} fi;"
                    ));
                }
            }
            edited(t, n, &i);
        }
        StepKind::Deactivate(r) => {
            let i = irte_ref(r, n);
            t.line(format!("copy[{i}].gm = 0; copy[{i}].rs = 0; copy[{i}].gal = 0;"));
            edited(t, n, &i);
        }
        StepKind::PublishIrte(r) => {
            let i = irte_ref(r, n);
            t.when(&format!("red_has[{n}]"), |t| {
                let differ = irte_differ(&format!("red[{n}]"), &format!("copy[{i}]"));
                check(sim, t, ViolationKind::IrteMixedUpdate, &differ);
                t.line(format!("{} red_has[{n}] = 0;", irte_none(&format!("red[{n}]"))));
            });
            t.line(irte_copy(&format!("irte[{i}]"), &format!("copy[{i}]")));
        }
        StepKind::FlushIrt(r) => {
            let i = irte_ref(r, n);
            t.line(irte_copy(&format!("cache[{i}]"), &format!("irte[{i}]")));
        }
        StepKind::Link(v, i) => {
            t.line(format!("owner[{i}] = {v};"));
            store(l, t, n, Store { kind: K_LINK, vcpu: &v.to_string(), irte: &i.to_string(), hi: "0", lo: "1", completes: 1 });
        }
        StepKind::Unlink(r, i) => {
            let (who, may_be_none) = vref(r, n);
            t.line(format!("hv = {who};"));
            let body = |t: &mut Text| {
                t.line(format!("owner[{i}] = NONE;"));
                store(l, t, n, Store { kind: K_LINK, vcpu: "hv", irte: &i.to_string(), hi: "0", lo: "0", completes: 1 });
            };
            if may_be_none {
                t.when("hv != NONE", body);
            } else {
                body(t);
            }
        }
        StepKind::Kick(v) => {
            t.line(format!("vc[{v}].req = 1; wake({v});"));
            t.line(format!(
                "if :: (vc[{v}].rs == INGUEST) -> if :: (kicks < 255) -> kicks++ :: else -> skip fi; vc[{v}].fexit = 1 :: else -> skip fi;"
            ));
        }
        StepKind::TestRequest(v) => t.line(format!("jmp = !vc[{v}].req; vc[{v}].req = 0;")),
        StepKind::VmRun(v) => {
            let enter = format!("vc[{v}].rs = INGUEST; vc[{v}].rcpu = vc[{v}].cpu; take_irr({v})");
            if knobs.kick {
                t.line(format!("if :: vc[{v}].req -> jmp = 1 :: else -> {enter} fi;"));
            } else {
                t.line(format!("{enter};"));
            }
        }
        StepKind::VmExit(v) => t.line(format!(
            "vc[{v}].rs = LOADED; vc[{v}].rcpu = vc[{v}].cpu; vc[{v}].fexit = 0;"
        )),
        StepKind::SetWaiting(v) => t.line(format!("vc[{v}].waiting = 1;")),
        StepKind::CheckBlock(v) => t.line(format!(
            "if :: (vc[{v}].irr != 0) -> vc[{v}].waiting = 0; jmp = 1 :: else -> skip fi;"
        )),
        StepKind::Sleep(v) => t.line(format!(
            "if :: vc[{v}].waiting -> vc[{v}].rs = SLEEPING; vc[{v}].rcpu = 0 :: else -> skip fi;"
        )),
        StepKind::IommuRead(i) => t.line(format!(
            "{} rir_has[{n}] = 1;",
            irte_copy(&format!("rir[{n}]"), &format!("cache[{i}]"))
        )),
        StepKind::IommuPost(_) => {
            t.line(format!(
                "if :: (rir[{n}].tag == NONE) -> hv = 0 :: else -> hv = rir[{n}].tag fi;"
            ));
            t.line(format!("vc[hv].irr = vc[hv].irr | (1 << rir[{n}].vec);"));
            t.line(format!(
                "if :: !rir[{n}].gm -> kick_for_interrupt(hv) :: else -> skip fi;"
            ));
        }
        StepKind::IommuNotify(i) => {
            t.line(format!(
                "if :: (rir[{n}].tag == NONE) -> hv = 0 :: else -> hv = rir[{n}].tag fi;"
            ));
            t.when(&format!("rir[{n}].gm"), |t| {
                t.open("if");
                t.open(format!(":: irte[{i}].rs ->"));
                t.line(format!("doorbell(irte[{i}].dest, hv);"));
                t.branch(format!(":: (!irte[{i}].rs && irte[{i}].gal) ->"));
                t.line(format!(
                    "if :: (irte[{i}].tag == NONE) -> hy = hv :: else -> hy = irte[{i}].tag fi;"
                ));
                t.line("capacity = (gcnt >= G); assert(!capacity); glog[gcnt] = hy; gcnt++;");
                delayed_if_in_guest(sim, t, "hy");
                t.branch(":: else ->");
                delayed_if_in_guest(sim, t, "hv");
                t.line("skip;");
                t.fi();
            });
        }
        StepKind::GaLogPop => {
            t.line(format!("tgt[{n}] = glog[0];"));
            if l.ga_log > 1 {
                t.line("for (hx : 1 .. G-1) { glog[hx-1] = glog[hx] }");
            }
            t.line("glog[G-1] = 0; gcnt--;");
        }
        StepKind::Wake => t.line(format!("wake(tgt[{n}]);")),
        StepKind::AvicRead(v) => {
            t.line(format!("rhi[{n}] = ehi[{v}]; rlo[{n}] = elo[{v}];"));
            if wants(sim, ViolationKind::TornRead) {
                t.line(format!(
                    "found = 0; for (hx : 0 .. W-1) {{ if :: (hx < wcnt[{v}] && whi[{v}*W+hx] == ehi[{v}] && wlo[{v}*W+hx] == elo[{v}]) -> found = 1 :: else -> skip fi }}"
                ));
                check(sim, t, ViolationKind::TornRead, "!found");
            }
        }
        StepKind::AvicSetIrr(v) => {
            t.line(format!("vc[{v}].irr = vc[{v}].irr | {};", 1u8 << IPI_VECTOR))
        }
        StepKind::AvicNotify(v) => t.line(format!(
            "if :: ((rhi[{n}] & {run}) != 0) -> doorbell(rlo[{n}] & 255, {v}) :: else -> kick_for_interrupt({v}) fi;"
        )),
    }
}

/// What ends an operation: registers cleared, the script moves on, the program's end effect.
fn end_of_op(sim: &Sim, t: &mut Text, n: usize, forced: bool, on_end: Option<Effect>) {
    t.line(format!(
        "pc[{n}] = 0; rhi[{n}] = 0; rlo[{n}] = 0; cur[{n}] = NONE; tgt[{n}] = NONE; prv[{n}] = NONE;"
    ));
    t.line(format!(
        "{} rir_has[{n}] = 0; {} red_has[{n}] = 0;",
        irte_none(&format!("rir[{n}]")),
        irte_none(&format!("red[{n}]"))
    ));
    if forced {
        t.line(format!("fc[{n}] = 0;"));
    } else if !sim.threads[n].is_daemon() {
        t.line(format!("op[{n}]++;"));
    }
    if let Some(e) = on_end {
        effect(t, e);
    }
}

/// The `d_step` body of step `pc` of a program of thread `n` (after its guard).
pub fn step_body(
    sim: &Sim,
    l: &Layout,
    t: &mut Text,
    n: usize,
    forced: bool,
    prog: &crate::program::Program,
    pc: usize,
) {
    let s = &prog.steps[pc];
    t.line("jmp = 0;");
    if let Some(e) = s.effect {
        effect(t, e);
    }
    kind(sim, l, t, n, s);
    t.line(format!("fc[{n}] = {};", forced as u8));
    let goto = |t: &mut Text, to: usize| {
        if to >= prog.steps.len() {
            end_of_op(sim, t, n, forced, prog.on_end);
        } else {
            t.line(format!("pc[{n}] = {to};"));
        }
    };
    let next = s.next.unwrap_or(pc + 1);
    match s.jump {
        Some(j) => {
            t.open("if");
            t.open(":: jmp ->");
            goto(t, j);
            t.branch(":: else ->");
            goto(t, next);
            t.fi();
        }
        None => goto(t, next),
    }
    t.line("check_stale();");
}
