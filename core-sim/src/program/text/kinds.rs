//! Instructions both ways: every [`StepKind`] as a term (`lock(ir_list(0))`,
//! `update_ga(cursor, run)`) and back.

use super::refs::*;
use super::term::Term;
use super::Diag;
use crate::program::StepKind;

/// The instruction names with the shape each is written in, for errors and the grammar doc.
pub const INSTRUCTIONS: &[(&str, &str)] = &[
    ("read_entry", "read_entry(vCPU)"),
    ("read_vcpu_cpu", "read_vcpu_cpu(vCPU)"),
    ("write_entry", "write_entry(vCPU, UPDATE, whole|hi|lo)"),
    ("write_kvm_entry", "write_kvm_entry(vCPU, UPDATE)"),
    ("lock", "lock(LOCK)"),
    ("unlock", "unlock(LOCK)"),
    ("mb", "mb"),
    ("walk_next", "walk_next(vCPU)"),
    ("update_ga", "update_ga(IRTE, GA)"),
    ("activate", "activate(IRTE, vCPU, cleared|from_entry)"),
    ("deactivate", "deactivate(IRTE)"),
    ("publish", "publish(IRTE)"),
    ("flush", "flush(IRTE)"),
    ("link", "link(vCPU, IRTE)"),
    ("unlink", "unlink(VCPU, IRTE)"),
    ("kick", "kick(vCPU)"),
    ("test_request", "test_request(vCPU)"),
    ("vmrun", "vmrun(vCPU)"),
    ("vmexit", "vmexit(vCPU)"),
    ("set_waiting", "set_waiting(vCPU)"),
    ("check_block", "check_block(vCPU)"),
    ("sleep", "sleep(vCPU)"),
    ("local", "local"),
    ("iommu_read", "iommu_read(IRTE)"),
    ("iommu_post", "iommu_post(IRTE)"),
    ("iommu_notify", "iommu_notify(IRTE)"),
    ("ga_log_pop", "ga_log_pop"),
    ("wake", "wake"),
    ("avic_read", "avic_read(vCPU)"),
    ("avic_set_irr", "avic_set_irr(vCPU)"),
    ("avic_notify", "avic_notify(vCPU)"),
];

/// The term of an instruction.
pub(super) fn kind_term(k: StepKind) -> Term {
    use StepKind::*;
    let n = Term::num;
    let c = Term::call;
    match k {
        ReadEntry(v) => c("read_entry", vec![n(v)]),
        ReadVcpuCpu(v) => c("read_vcpu_cpu", vec![n(v)]),
        WriteEntry(v, u, p) => c("write_entry", vec![n(v), update_term(u), part_term(p)]),
        WriteKvmEntry(v, u) => c("write_kvm_entry", vec![n(v), update_term(u)]),
        Lock(l) => c("lock", vec![lock_term(l)]),
        Unlock(l) => c("unlock", vec![lock_term(l)]),
        Mb => Term::word("mb"),
        WalkNext(v) => c("walk_next", vec![n(v)]),
        UpdateGa(i, g) => c("update_ga", vec![irte_term(i), ga_term(g)]),
        Activate(i, v, t) => c("activate", vec![irte_term(i), n(v), target_term(t)]),
        Deactivate(i) => c("deactivate", vec![irte_term(i)]),
        PublishIrte(i) => c("publish", vec![irte_term(i)]),
        FlushIrt(i) => c("flush", vec![irte_term(i)]),
        Link(v, i) => c("link", vec![n(v), n(i)]),
        Unlink(v, i) => c("unlink", vec![vref_term(v), n(i)]),
        Kick(v) => c("kick", vec![n(v)]),
        TestRequest(v) => c("test_request", vec![n(v)]),
        VmRun(v) => c("vmrun", vec![n(v)]),
        VmExit(v) => c("vmexit", vec![n(v)]),
        SetWaiting(v) => c("set_waiting", vec![n(v)]),
        CheckBlock(v) => c("check_block", vec![n(v)]),
        Sleep(v) => c("sleep", vec![n(v)]),
        Local => Term::word("local"),
        IommuRead(i) => c("iommu_read", vec![n(i)]),
        IommuPost(i) => c("iommu_post", vec![n(i)]),
        IommuNotify(i) => c("iommu_notify", vec![n(i)]),
        GaLogPop => Term::word("ga_log_pop"),
        Wake => Term::word("wake"),
        AvicRead(v) => c("avic_read", vec![n(v)]),
        AvicSetIrr(v) => c("avic_set_irr", vec![n(v)]),
        AvicNotify(v) => c("avic_notify", vec![n(v)]),
    }
}

/// The instruction a term names.
pub(super) fn kind_of(cx: &Ctx, t: &Term) -> Result<StepKind, Diag> {
    use StepKind::*;
    let Some((_, shape)) = INSTRUCTIONS.iter().find(|(name, _)| *name == t.name) else {
        return Err(cx.err(
            t,
            format!(
                "unknown instruction '{}'; known: {}",
                crate::text::shown(&t.name, 32),
                INSTRUCTIONS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };
    let count = shape.matches(',').count() + usize::from(shape.contains('('));
    let a = cx.args(t, count, shape)?;
    let vcpu = |i: usize| cx.num(a[i], "vCPU");
    let irte = |i: usize| cx.num(a[i], "IRTE");
    Ok(match t.name.as_str() {
        "read_entry" => ReadEntry(vcpu(0)?),
        "read_vcpu_cpu" => ReadVcpuCpu(vcpu(0)?),
        "write_entry" => WriteEntry(vcpu(0)?, cx.update(a[1])?, cx.part(a[2])?),
        "write_kvm_entry" => WriteKvmEntry(vcpu(0)?, cx.update(a[1])?),
        "lock" => Lock(cx.lock(a[0])?),
        "unlock" => Unlock(cx.lock(a[0])?),
        "mb" => Mb,
        "walk_next" => WalkNext(vcpu(0)?),
        "update_ga" => UpdateGa(cx.irte(a[0])?, cx.ga(a[1])?),
        "activate" => Activate(cx.irte(a[0])?, vcpu(1)?, cx.target(a[2])?),
        "deactivate" => Deactivate(cx.irte(a[0])?),
        "publish" => PublishIrte(cx.irte(a[0])?),
        "flush" => FlushIrt(cx.irte(a[0])?),
        "link" => Link(vcpu(0)?, irte(1)?),
        "unlink" => Unlink(cx.vref(a[0])?, irte(1)?),
        "kick" => Kick(vcpu(0)?),
        "test_request" => TestRequest(vcpu(0)?),
        "vmrun" => VmRun(vcpu(0)?),
        "vmexit" => VmExit(vcpu(0)?),
        "set_waiting" => SetWaiting(vcpu(0)?),
        "check_block" => CheckBlock(vcpu(0)?),
        "sleep" => Sleep(vcpu(0)?),
        "local" => Local,
        "iommu_read" => IommuRead(irte(0)?),
        "iommu_post" => IommuPost(irte(0)?),
        "iommu_notify" => IommuNotify(irte(0)?),
        "ga_log_pop" => GaLogPop,
        "wake" => Wake,
        "avic_read" => AvicRead(vcpu(0)?),
        "avic_set_irr" => AvicSetIrr(vcpu(0)?),
        _ => AvicNotify(vcpu(0)?),
    })
}
