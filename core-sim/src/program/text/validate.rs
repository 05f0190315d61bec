//! Whether a program can run in a world without the executor tripping over it: every reference
//! in range, a target on every instruction that may jump (and none on those that never do), and,
//! on every path through the program, locks taken before they are released and released before
//! it ends, the same locks held wherever paths meet, and the registers an instruction reads
//! (the walk's cursor, the previous owner, the IOMMU's read, the popped GA-log entry) set first.

use super::Diag;
use crate::program::{Effect, IrteRef, LockRef, Program, StepKind, VRef};
use std::collections::VecDeque;

/// The world a program is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// vCPUs in the scenario.
    pub vcpus: u8,
    /// pCPUs in the scenario.
    pub pcpus: u8,
    /// IRTEs in the scenario.
    pub irtes: u8,
    /// The strategy kicks (VMRUN may then go back to service a request: it needs a target).
    pub kick: bool,
}

/// What a path has set up by the time it reaches a step.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Facts {
    /// Locks held, in the order taken (`ir_list(owner_of(i))` and `ir_list(prev)` are one lock).
    held: Vec<LockRef>,
    prev: bool,
    cursor: bool,
    iommu: bool,
    target: bool,
}

fn key(l: LockRef) -> LockRef {
    match l {
        LockRef::IrList(VRef::OwnerOf(_)) => LockRef::IrList(VRef::Prev),
        other => other,
    }
}

fn lock_name(l: LockRef) -> String {
    match l {
        LockRef::IrList(VRef::Prev) => "ir_list(prev)".into(),
        other => super::refs::lock_term(other).to_string(),
    }
}

/// Check `p` against `b`; `line(i)` gives the source line of step `i` for errors (0: unknown).
pub fn validate(p: &Program, b: &Bounds, line: &dyn Fn(usize) -> usize) -> Result<(), Vec<Diag>> {
    let mut errors = Vec::new();
    let n = p.steps.len();
    let at = |i: usize, msg: String| Diag::at(line(i), 1, msg);
    if n == 0 {
        return Err(vec![Diag::at(0, 1, "the program has no steps".into())]);
    }
    if n > super::MAX_STEPS {
        return Err(vec![Diag::at(
            0,
            1,
            format!("a program has at most {} steps", super::MAX_STEPS),
        )]);
    }
    if let Some(e) = p.on_end {
        effect_in_range(e, b).map_err(|m| vec![Diag::at(0, 1, format!("on_end: {m}"))])?;
    }
    for (i, s) in p.steps.iter().enumerate() {
        if let Err(m) = refs_in_range(s.kind, b) {
            errors.push(at(i, m));
        }
        if let Some(Err(m)) = s.effect.map(|e| effect_in_range(e, b)) {
            errors.push(at(i, format!("effect: {m}")));
        }
        for t in [s.jump, s.next].into_iter().flatten() {
            if t > n {
                errors.push(at(i, format!("target {t} is past the end ({n} steps)")));
            }
        }
        match (jumps(s.kind, b), s.jump.is_some()) {
            (Jumps::Must, false) => errors.push(at(
                i,
                format!(
                    "{} may jump: give its target with '?-> name' (or '?-> end')",
                    head(s.kind)
                ),
            )),
            (Jumps::Never, true) => errors.push(at(
                i,
                format!("{} never jumps: drop its '?->'", head(s.kind)),
            )),
            _ => {}
        }
        if s.kind == StepKind::GaLogPop {
            errors.push(at(i, "only the GA-log handler pops the GA log".into()));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    paths(p, &at).map_err(|e| vec![e])
}

fn head(k: StepKind) -> String {
    super::kinds::kind_term(k).name
}

fn refs_in_range(k: StepKind, b: &Bounds) -> Result<(), String> {
    use StepKind::*;
    let v = |v: u8| {
        (v < b.vcpus).then_some(()).ok_or(format!(
            "there is no vCPU{v} (the scenario has {})",
            b.vcpus
        ))
    };
    let i = |i: u8| {
        (i < b.irtes).then_some(()).ok_or(format!(
            "there is no IRTE{i} (the scenario has {})",
            b.irtes
        ))
    };
    let p = |p: u8| {
        (p < b.pcpus).then_some(()).ok_or(format!(
            "there is no pCPU{p} (the scenario has {})",
            b.pcpus
        ))
    };
    let vr = |r: VRef| match r {
        VRef::Fixed(x) => v(x),
        VRef::OwnerOf(x) => i(x),
        VRef::Prev => Ok(()),
    };
    let ir = |r: IrteRef| match r {
        IrteRef::Fixed(x) => i(x),
        IrteRef::Cursor => Ok(()),
    };
    let lock = |l: LockRef| match l {
        LockRef::IrList(r) => vr(r),
        LockRef::Irqfds => Ok(()),
        LockRef::RqOf(x) => v(x),
        LockRef::Rq(x) => p(x),
        LockRef::IrqDesc(x) => i(x),
    };
    match k {
        ReadEntry(x)
        | ReadVcpuCpu(x)
        | WalkNext(x)
        | Kick(x)
        | TestRequest(x)
        | VmRun(x)
        | VmExit(x)
        | SetWaiting(x)
        | CheckBlock(x)
        | Sleep(x)
        | AvicRead(x)
        | AvicSetIrr(x)
        | AvicNotify(x)
        | WriteKvmEntry(x, _) => v(x),
        WriteEntry(x, u, _) => {
            v(x)?;
            match u {
                Some(crate::program::EntryUpdate::Load(Some(q))) => p(q),
                _ => Ok(()),
            }
        }
        Lock(l) | Unlock(l) => lock(l),
        UpdateGa(r, _) | Deactivate(r) | PublishIrte(r) | FlushIrt(r) => ir(r),
        Activate(r, x, _) => ir(r).and(v(x)),
        Link(x, y) => v(x).and(i(y)),
        Unlink(r, y) => vr(r).and(i(y)),
        IommuRead(x) | IommuPost(x) | IommuNotify(x) => i(x),
        Mb | Local | GaLogPop | Wake => Ok(()),
    }
}

fn effect_in_range(e: Effect, b: &Bounds) -> Result<(), String> {
    let (v, p) = match e {
        Effect::SchedIn(v, p) => (v, p),
        Effect::Halting(v) | Effect::SchedOut(v) => (v, None),
        Effect::SetCpu(v, p) => (v, Some(p)),
    };
    if v >= b.vcpus {
        return Err(format!(
            "there is no vCPU{v} (the scenario has {})",
            b.vcpus
        ));
    }
    match p {
        Some(p) if p >= b.pcpus => Err(format!(
            "there is no pCPU{p} (the scenario has {})",
            b.pcpus
        )),
        _ => Ok(()),
    }
}

enum Jumps {
    Must,
    May,
    Never,
}

/// Whether an instruction may take its conditional target (see `exec::run`).
fn jumps(k: StepKind, b: &Bounds) -> Jumps {
    match k {
        StepKind::WalkNext(_) | StepKind::TestRequest(_) | StepKind::CheckBlock(_) => Jumps::Must,
        StepKind::Lock(LockRef::IrList(VRef::OwnerOf(_) | VRef::Prev)) => Jumps::Must,
        StepKind::VmRun(_) if b.kick => Jumps::Must,
        StepKind::VmRun(_) | StepKind::ReadEntry(_) => Jumps::May,
        _ => Jumps::Never,
    }
}

/// Walk every path: the facts at each step, merged where paths meet.
fn paths(p: &Program, at: &dyn Fn(usize, String) -> Diag) -> Result<(), Diag> {
    let n = p.steps.len();
    let mut facts: Vec<Option<Facts>> = vec![None; n + 1];
    facts[0] = Some(Facts {
        held: Vec::new(),
        prev: false,
        cursor: false,
        iommu: false,
        target: false,
    });
    let mut work: VecDeque<usize> = VecDeque::from([0]);
    // A step is queued again only when a merge clears one of its four flags: this ends.
    while let Some(i) = work.pop_front() {
        if i >= n {
            continue;
        }
        let f = facts[i].clone().expect("queued steps have facts");
        let s = &p.steps[i];
        let mut go = f.clone();
        let mut jump = None;
        match s.kind {
            StepKind::Lock(l) => {
                if l == LockRef::IrList(VRef::Prev) && !f.prev {
                    return Err(at(
                        i,
                        "ir_list(prev) before any lock(ir_list(owner_of(…))) on this path".into(),
                    ));
                }
                if f.held.contains(&key(l)) {
                    return Err(at(
                        i,
                        format!(
                            "takes {} again while holding it: the thread would spin on itself",
                            lock_name(key(l))
                        ),
                    ));
                }
                if s.jump.is_some() {
                    jump = Some(f.clone());
                }
                go.held.push(key(l));
                if matches!(l, LockRef::IrList(VRef::OwnerOf(_))) {
                    go.prev = true;
                }
            }
            StepKind::Unlock(l) => {
                if l == LockRef::IrList(VRef::Prev) && !f.prev {
                    return Err(at(
                        i,
                        "ir_list(prev) before any lock(ir_list(owner_of(…))) on this path".into(),
                    ));
                }
                match go.held.iter().position(|h| *h == key(l)) {
                    Some(k) => {
                        go.held.remove(k);
                    }
                    None => {
                        return Err(at(
                            i,
                            format!(
                                "releases {}, which this path does not hold",
                                lock_name(key(l))
                            ),
                        ))
                    }
                }
            }
            StepKind::WalkNext(_) => {
                let mut end = f.clone();
                end.cursor = false;
                jump = Some(end);
                go.cursor = true;
            }
            StepKind::IommuRead(_) => go.iommu = true,
            StepKind::GaLogPop => go.target = true,
            k => {
                if s.jump.is_some() {
                    jump = Some(f.clone());
                }
                if uses_cursor(k) && !f.cursor {
                    return Err(at(
                        i,
                        format!(
                            "{} uses the walk's cursor outside a walk_next loop on this path",
                            head(k)
                        ),
                    ));
                }
                if matches!(k, StepKind::Unlink(VRef::Prev, _)) && !f.prev {
                    return Err(at(
                        i,
                        "unlink(prev, …) before any lock(ir_list(owner_of(…))) on this path".into(),
                    ));
                }
                if matches!(k, StepKind::IommuPost(_) | StepKind::IommuNotify(_)) && !f.iommu {
                    return Err(at(i, format!("{} before iommu_read on this path", head(k))));
                }
                if k == StepKind::Wake && !f.target {
                    return Err(at(i, "wake before ga_log_pop on this path".into()));
                }
            }
        }
        let next = s.next.unwrap_or(i + 1);
        for (to, f2) in [(Some(next), Some(go)), (s.jump, jump)] {
            let (Some(to), Some(f2)) = (to, f2) else {
                continue;
            };
            if to == n && !f2.held.is_empty() {
                let held: Vec<String> = f2.held.iter().map(|l| lock_name(*l)).collect();
                return Err(at(
                    i,
                    format!("the program can end here still holding {}", held.join(", ")),
                ));
            }
            match &mut facts[to] {
                slot @ None => {
                    *slot = Some(f2);
                    work.push_back(to);
                }
                Some(old) => {
                    let mut a = old.held.clone();
                    let mut c = f2.held.clone();
                    a.sort_by_key(|l| format!("{l:?}"));
                    c.sort_by_key(|l| format!("{l:?}"));
                    if a != c && to < n {
                        return Err(at(
                            to,
                            format!(
                                "paths reach this step holding different locks: [{}] and [{}]",
                                old.held
                                    .iter()
                                    .map(|l| lock_name(*l))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                f2.held
                                    .iter()
                                    .map(|l| lock_name(*l))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ));
                    }
                    let merged = Facts {
                        held: old.held.clone(),
                        prev: old.prev && f2.prev,
                        cursor: old.cursor && f2.cursor,
                        iommu: old.iommu && f2.iommu,
                        target: old.target && f2.target,
                    };
                    if merged != *old {
                        *old = merged;
                        work.push_back(to);
                    }
                }
            }
        }
    }
    if let Some(i) = (0..n).find(|i| facts[*i].is_none()) {
        return Err(at(i, "no path reaches this step".into()));
    }
    Ok(())
}

fn uses_cursor(k: StepKind) -> bool {
    matches!(
        k,
        StepKind::UpdateGa(IrteRef::Cursor, _)
            | StepKind::Activate(IrteRef::Cursor, _, _)
            | StepKind::Deactivate(IrteRef::Cursor)
            | StepKind::PublishIrte(IrteRef::Cursor)
            | StepKind::FlushIrt(IrteRef::Cursor)
    )
}
