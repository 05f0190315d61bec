//! The kernel operations written as micro-step programs, one per strategy.
//!
//! Sources (read, not copied): `arch/x86/kvm/svm/avic.c` and `drivers/iommu/amd/iommu.c` in Linux 6.5
//! (before the fix), 6.6 (the ir_list_lock fix) and 6.17 (the IRQ-bypass rework); see
//! `docs/kernel-notes.md` for the function-by-function mapping.

use super::ops::{Actor, Op};
use super::step::*;
use crate::strategy::{IrteTarget, Knobs};

/// A small assembler: steps in order, forward jumps patched once their target is known.
struct Asm {
    steps: Vec<Step>,
}

impl Asm {
    fn new() -> Asm {
        Asm { steps: Vec::new() }
    }

    fn here(&self) -> usize {
        self.steps.len()
    }

    fn emit(
        &mut self,
        kind: StepKind,
        label: &str,
        func: &'static str,
        code: impl Into<String>,
    ) -> usize {
        self.steps.push(Step {
            kind,
            label: label.to_string(),
            code: code.into(),
            func,
            jump: None,
            next: None,
            effect: None,
            quiet: false,
        });
        self.steps.len() - 1
    }

    fn jump(&mut self, at: usize, to: usize) {
        self.steps[at].jump = Some(to);
    }

    fn goto(&mut self, at: usize, to: usize) {
        self.steps[at].next = Some(to);
    }

    fn effect(&mut self, at: usize, effect: Effect) {
        self.steps[at].effect = Some(effect);
    }

    fn finish(self, title: String, on_end: Option<Effect>) -> Program {
        Program {
            title,
            steps: self.steps,
            on_end,
        }
    }
}

const LOAD: &str = "avic_vcpu_load";
const PUT: &str = "avic_vcpu_put";
const AFFINITY: &str = "avic_update_iommu_vcpu_affinity";
const PI_UPDATE: &str = "avic_pi_update_irte";
const LIST_ADD: &str = "svm_ir_list_add";
const LIST_DEL: &str = "svm_ir_list_del";

/// Store the local entry copy: one `WRITE_ONCE`, or a plain store the compiler may split in two.
fn store_entry(
    a: &mut Asm,
    knobs: &Knobs,
    v: u8,
    update: EntryUpdate,
    func: &'static str,
    what: &str,
) -> usize {
    if knobs.write_once {
        a.emit(
            StepKind::WriteEntry(v, Some(update), Part::Whole),
            "WRITE_ONCE entry",
            func,
            format!("{what}; WRITE_ONCE(*entry_ptr, entry)"),
        )
    } else {
        let first = a.emit(
            StepKind::WriteEntry(v, Some(update), Part::Hi),
            "store entry.hi",
            func,
            format!("{what}; *entry_ptr = entry   /* plain: high half (IsRunning) … */"),
        );
        a.emit(
            StepKind::WriteEntry(v, None, Part::Lo),
            "store entry.lo",
            func,
            "                    /* … then low half (host APIC ID) */",
        );
        first
    }
}

/// `list_for_each_entry(ir, &svm->ir_list) amd_iommu_update_ga(...)`; returns the walk's first step.
fn walk_irtes(a: &mut Asm, v: u8, how: GaUpdate, func: &'static str) -> usize {
    let walk = a.emit(
        StepKind::WalkNext(v),
        "walk ir_list",
        func,
        "list_for_each_entry(ir, &svm->ir_list, node)",
    );
    let code = match how {
        GaUpdate::Run(_) => "    amd_iommu_update_ga(ir->data, cpu = entry.host_id, IsRun = 1)",
        GaUpdate::NotRunning(Some(true)) => {
            "    amd_iommu_update_ga(ir->data, IsRun = 0, GALogIntr = 1)"
        }
        GaUpdate::NotRunning(Some(false)) => {
            "    amd_iommu_update_ga(ir->data, IsRun = 0, GALogIntr = 0)"
        }
        GaUpdate::NotRunning(None) => "    amd_iommu_update_ga(ir->data, cpu = -1, IsRun = 0)",
        GaUpdate::FromEntry => {
            "    amd_iommu_update_ga(ir->data, entry.IsRunning ? entry.host_id : -1)"
        }
    };
    let update = a.emit(
        StepKind::UpdateGa(IrteRef::Cursor, how),
        "update IRTE",
        func,
        code,
    );
    a.goto(update, walk);
    let end = a.here();
    a.jump(walk, end);
    walk
}

/// The 2025 rework states GALogIntr explicitly; earlier kernels leave it as activation set it.
fn ga_log_when(knobs: &Knobs, value: bool) -> Option<bool> {
    knobs.ga_log_only_when_blocking.then_some(value)
}

/// `avic_vcpu_load` (or `avic_vcpu_unblocking`) body. Returns the first step.
fn load_body(a: &mut Asm, knobs: &Knobs, v: u8, pcpu: Option<u8>) -> usize {
    let cpu = pcpu
        .map(|p| format!("pCPU{p}"))
        .unwrap_or_else(|| "vcpu->cpu".into());
    let first;
    let entry_code = "entry = READ_ONCE(*entry_ptr)";
    let what = format!("entry.host_id = apic_id({cpu}); entry.IsRunning = 1");
    let run = GaUpdate::Run(ga_log_when(knobs, false));
    if knobs.lock_in_load_put {
        first = a.emit(
            StepKind::Lock(VRef::Fixed(v)),
            "lock ir_list_lock",
            LOAD,
            "spin_lock_irqsave(&svm->ir_list_lock)",
        );
        a.emit(StepKind::ReadEntry(v), "read entry", LOAD, entry_code);
        store_entry(a, knobs, v, EntryUpdate::Load(pcpu), LOAD, &what);
        walk_irtes(a, v, run, AFFINITY);
        a.emit(
            StepKind::Unlock(VRef::Fixed(v)),
            "unlock",
            LOAD,
            "spin_unlock_irqrestore(&svm->ir_list_lock)",
        );
    } else {
        first = a.emit(StepKind::ReadEntry(v), "read entry", LOAD, entry_code);
        store_entry(a, knobs, v, EntryUpdate::Load(pcpu), LOAD, &what);
        if knobs.smp_mb {
            a.emit(
                StepKind::Mb,
                "smp_mb",
                LOAD,
                "smp_mb()   /* publish entry before reading ir_list */",
            );
        }
        a.emit(
            StepKind::Lock(VRef::Fixed(v)),
            "lock ir_list_lock",
            AFFINITY,
            "spin_lock_irqsave(&svm->ir_list_lock)",
        );
        walk_irtes(a, v, run, AFFINITY);
        a.emit(
            StepKind::Unlock(VRef::Fixed(v)),
            "unlock",
            AFFINITY,
            "spin_unlock_irqrestore(&svm->ir_list_lock)",
        );
    }
    a.effect(first, Effect::SchedIn(v, pcpu));
    first
}

/// `avic_vcpu_put` (or `avic_vcpu_blocking`) body. The early return jumps to `a.here()` at the end,
/// which the caller decides the meaning of. Returns the early-return step.
fn put_body(a: &mut Asm, knobs: &Knobs, v: u8, blocking: bool) -> usize {
    let check = a.emit(
        StepKind::ReadEntry(v),
        "read entry",
        PUT,
        "entry = READ_ONCE(*entry_ptr); if (!entry.IsRunning) return",
    );
    let what = if blocking && knobs.ga_log_only_when_blocking {
        "entry.IsRunning = 0; entry.ga_log_intr = 1"
    } else {
        "entry.IsRunning = 0"
    };
    let not_run = GaUpdate::NotRunning(ga_log_when(knobs, blocking));
    if knobs.lock_in_load_put {
        a.emit(
            StepKind::Lock(VRef::Fixed(v)),
            "lock ir_list_lock",
            PUT,
            "spin_lock_irqsave(&svm->ir_list_lock)",
        );
        walk_irtes(a, v, not_run, AFFINITY);
        store_entry(a, knobs, v, EntryUpdate::Put(blocking), PUT, what);
        a.emit(
            StepKind::Unlock(VRef::Fixed(v)),
            "unlock",
            PUT,
            "spin_unlock_irqrestore(&svm->ir_list_lock)",
        );
    } else if knobs.smp_mb {
        // The barrier design: publish "not running" first, fence, then look at the list.
        store_entry(a, knobs, v, EntryUpdate::Put(blocking), PUT, what);
        a.emit(
            StepKind::Mb,
            "smp_mb",
            PUT,
            "smp_mb()   /* publish entry before reading ir_list */",
        );
        a.emit(
            StepKind::Lock(VRef::Fixed(v)),
            "lock ir_list_lock",
            AFFINITY,
            "spin_lock_irqsave(&svm->ir_list_lock)",
        );
        walk_irtes(a, v, not_run, AFFINITY);
        a.emit(
            StepKind::Unlock(VRef::Fixed(v)),
            "unlock",
            AFFINITY,
            "spin_unlock_irqrestore(&svm->ir_list_lock)",
        );
    } else {
        a.emit(
            StepKind::Lock(VRef::Fixed(v)),
            "lock ir_list_lock",
            AFFINITY,
            "spin_lock_irqsave(&svm->ir_list_lock)",
        );
        walk_irtes(a, v, not_run, AFFINITY);
        a.emit(
            StepKind::Unlock(VRef::Fixed(v)),
            "unlock",
            AFFINITY,
            "spin_unlock_irqrestore(&svm->ir_list_lock)",
        );
        store_entry(a, knobs, v, EntryUpdate::Put(blocking), PUT, what);
    }
    check
}

/// Service a pending kick request before VMRUN, then enter the guest.
fn enter_body(a: &mut Asm, knobs: &Knobs, v: u8) {
    let top = a.here();
    if knobs.kick {
        let test = a.emit(
            StepKind::TestRequest(v),
            "check request",
            "vcpu_enter_guest",
            "if (kvm_check_request(KVM_REQ_IRTE_REFRESH, vcpu)) {",
        );
        a.emit(
            StepKind::Lock(VRef::Fixed(v)),
            "lock ir_list_lock",
            AFFINITY,
            "    spin_lock_irqsave(&svm->ir_list_lock)",
        );
        a.emit(
            StepKind::ReadEntry(v),
            "read entry",
            AFFINITY,
            "    entry = READ_ONCE(*entry_ptr)",
        );
        walk_irtes(a, v, GaUpdate::FromEntry, AFFINITY);
        let unlock = a.emit(
            StepKind::Unlock(VRef::Fixed(v)),
            "unlock",
            AFFINITY,
            "    spin_unlock_irqrestore(&svm->ir_list_lock) }",
        );
        a.goto(unlock, top);
        let vmrun = a.here();
        a.jump(test, vmrun);
    }
    let vmrun = a.emit(
        StepKind::VmRun(v),
        "VMRUN",
        "svm_vcpu_run",
        "vcpu->mode = IN_GUEST_MODE; VMRUN  /* AVIC takes IRR */",
    );
    if knobs.kick {
        a.jump(vmrun, top);
    }
}

/// Remove the IRTE from the ir_list of the vCPU it was posted to before, if any.
fn list_del(a: &mut Asm, irte: u8) {
    let lock = a.emit(
        StepKind::Lock(VRef::OwnerOf(irte)),
        "lock prev ir_list_lock",
        LIST_DEL,
        "if (prev_ga_tag) { spin_lock_irqsave(&prev_svm->ir_list_lock)",
    );
    a.emit(
        StepKind::Unlink(VRef::Prev, irte),
        "unlink from prev",
        LIST_DEL,
        "    list_del(&ir->node)",
    );
    a.emit(
        StepKind::Unlock(VRef::Prev),
        "unlock prev",
        LIST_DEL,
        "    spin_unlock_irqrestore(&prev_svm->ir_list_lock) }",
    );
    let end = a.here();
    a.jump(lock, end);
}

/// Read the entry for the updater; with plain loads the IsRunning test and the host ID use may
/// be two loads. Returns the step whose jump means "not running".
fn read_entry_for_target(a: &mut Asm, knobs: &Knobs, v: u8, func: &'static str) -> usize {
    if knobs.read_once {
        a.emit(
            StepKind::ReadEntry(v),
            "read entry",
            func,
            "entry = READ_ONCE(*entry_ptr); if (entry.IsRunning)",
        )
    } else {
        let test = a.emit(
            StepKind::ReadEntry(v),
            "read entry (test)",
            func,
            "if ((*entry_ptr).IsRunning)   /* plain load #1 */",
        );
        a.emit(
            StepKind::ReadEntry(v),
            "read entry (use)",
            func,
            "    cpu = (*entry_ptr).host_id      /* plain load #2 */",
        );
        test
    }
}

fn update_affinity(knobs: &Knobs, irte: u8, v: u8) -> Program {
    let mut a = Asm::new();
    let activate_code = "amd_iommu_activate_guest_mode(): GuestMode = 1, IsRun = 0, dest = 0, GALogIntr = 1; flush IRT";
    match knobs.irte_target {
        IrteTarget::Never
        | IrteTarget::VcpuCpu
        | IrteTarget::AfterListAdd
        | IrteTarget::UnderListLock => {
            a.emit(
                StepKind::Activate(irte, v, ActivateTarget::Cleared),
                "activate GA mode",
                PI_UPDATE,
                activate_code,
            );
            if knobs.irte_target == IrteTarget::VcpuCpu {
                a.emit(
                    StepKind::ReadVcpuCpu(v),
                    "read vcpu->cpu",
                    PI_UPDATE,
                    "cpu = svm->vcpu.cpu   /* plain read, no lock */",
                );
                a.emit(
                    StepKind::UpdateGa(IrteRef::Fixed(irte), GaUpdate::Run(None)),
                    "set IRTE target",
                    PI_UPDATE,
                    "amd_iommu_update_ga(kvm_cpu_get_apicid(cpu), IsRun = true, pi.ir_data)",
                );
            }
            list_del(&mut a, irte);
            a.emit(
                StepKind::Lock(VRef::Fixed(v)),
                "lock ir_list_lock",
                LIST_ADD,
                "spin_lock_irqsave(&svm->ir_list_lock)",
            );
            if knobs.irte_target == IrteTarget::UnderListLock {
                let test = read_entry_for_target(&mut a, knobs, v, LIST_ADD);
                a.emit(
                    StepKind::UpdateGa(IrteRef::Fixed(irte), GaUpdate::Run(None)),
                    "set IRTE target",
                    LIST_ADD,
                    "    amd_iommu_update_ga(pi->ir_data, cpu = entry.host_id, IsRun = 1)",
                );
                let link = a.here();
                a.jump(test, link);
            }
            a.emit(
                StepKind::Link(v, irte),
                "link into ir_list",
                LIST_ADD,
                "list_add(&ir->node, &svm->ir_list)",
            );
            a.emit(
                StepKind::Unlock(VRef::Fixed(v)),
                "unlock",
                LIST_ADD,
                "spin_unlock_irqrestore(&svm->ir_list_lock)",
            );
            if knobs.irte_target == IrteTarget::AfterListAdd {
                if knobs.smp_mb {
                    a.emit(
                        StepKind::Mb,
                        "smp_mb",
                        PI_UPDATE,
                        "smp_mb()   /* publish the link before reading the entry */",
                    );
                }
                let test = read_entry_for_target(&mut a, knobs, v, PI_UPDATE);
                a.emit(
                    StepKind::UpdateGa(IrteRef::Fixed(irte), GaUpdate::Run(None)),
                    "set IRTE target",
                    PI_UPDATE,
                    "    amd_iommu_update_ga(pi.ir_data, cpu = entry.host_id, IsRun = 1)",
                );
                let end = a.here();
                a.jump(test, end);
            }
        }
        IrteTarget::InActivation => {
            list_del(&mut a, irte);
            a.emit(
                StepKind::Lock(VRef::Fixed(v)),
                "lock ir_list_lock",
                PI_UPDATE,
                "guard(raw_spinlock_irqsave)(&svm->ir_list_lock)",
            );
            if knobs.read_once {
                a.emit(
                    StepKind::ReadEntry(v),
                    "read entry",
                    PI_UPDATE,
                    "entry = svm->avic_physical_id_entry",
                );
            } else {
                a.emit(
                    StepKind::ReadEntry(v),
                    "read entry (test)",
                    PI_UPDATE,
                    "if (entry.IsRunning)   /* plain load #1 */",
                );
                a.emit(
                    StepKind::ReadEntry(v),
                    "read entry (use)",
                    PI_UPDATE,
                    "    pi.cpu = entry.host_id   /* plain load #2 */",
                );
            }
            a.emit(
                StepKind::Activate(irte, v, ActivateTarget::FromEntry),
                "activate GA mode",
                PI_UPDATE,
                "amd_iommu_activate_guest_mode(cpu, ga_log_intr): IsRun/dest from entry in one write; flush IRT",
            );
            a.emit(
                StepKind::Link(v, irte),
                "link into ir_list",
                PI_UPDATE,
                "list_add(&irqfd->vcpu_list, &svm->ir_list)",
            );
            a.emit(
                StepKind::Unlock(VRef::Fixed(v)),
                "unlock",
                PI_UPDATE,
                "/* guard drops ir_list_lock */",
            );
        }
    }
    if knobs.kick {
        a.emit(
            StepKind::Kick(v),
            "kick vCPU",
            "kvm_vcpu_kick",
            "kvm_make_request(KVM_REQ_IRTE_REFRESH, vcpu); kvm_vcpu_kick(vcpu)",
        );
    }
    a.finish(format!("avic_pi_update_irte(IRTE{irte} → vCPU{v})"), None)
}

fn block(knobs: &Knobs, v: u8) -> Program {
    let mut a = Asm::new();
    let check = put_body(&mut a, knobs, v, true);
    let set = a.emit(
        StepKind::SetWaiting(v),
        "set TASK_INTERRUPTIBLE",
        "kvm_vcpu_block",
        "set_current_state(TASK_INTERRUPTIBLE)",
    );
    a.jump(check, set);
    a.effect(set, Effect::Halting(v));
    a.steps[set].quiet = true;
    let pending = a.emit(
        StepKind::CheckBlock(v),
        "check IRR",
        "kvm_vcpu_check_block",
        "if (kvm_vcpu_check_block(vcpu) < 0) goto out   /* IRR pending? */",
    );
    a.steps[pending].quiet = true;
    let sleep = a.emit(
        StepKind::Sleep(v),
        "schedule()",
        "kvm_vcpu_block",
        "schedule()   /* sleep until kvm_vcpu_wake_up() */",
    );
    a.steps[sleep].quiet = true;
    let out = load_body(&mut a, knobs, v, None);
    a.jump(pending, out);
    let title = "halt: avic_vcpu_blocking … schedule() … avic_vcpu_unblocking".to_string();
    a.finish(title, None)
}

/// Compile one operation of a thread for a strategy.
pub fn compile(actor: Actor, op: Op, knobs: &Knobs) -> Program {
    let v = match actor {
        Actor::Vcpu(v) => v,
        _ => 0,
    };
    let mut a = Asm::new();
    match op {
        Op::Load { pcpu } => {
            load_body(&mut a, knobs, v, Some(pcpu));
            a.finish(format!("avic_vcpu_load(vCPU{v}, pCPU{pcpu})"), None)
        }
        Op::Put => {
            let check = put_body(&mut a, knobs, v, false);
            let end = a.here();
            a.jump(check, end);
            a.finish(format!("avic_vcpu_put(vCPU{v})"), Some(Effect::SchedOut(v)))
        }
        Op::Enter => {
            enter_body(&mut a, knobs, v);
            a.finish(format!("enter guest (vCPU{v})"), None)
        }
        Op::Exit => {
            a.emit(
                StepKind::VmExit(v),
                "#VMEXIT",
                "svm_vcpu_run",
                "#VMEXIT   /* back in KVM, still loaded */",
            );
            a.finish(format!("exit guest (vCPU{v})"), None)
        }
        Op::Block => block(knobs, v),
        Op::UpdateAffinity { irte, vcpu } => update_affinity(knobs, irte, vcpu),
        Op::Interrupt { irte } => {
            a.emit(
                StepKind::IommuRead(irte),
                "IOMMU reads IRTE",
                "IOMMU",
                format!("irte = IRT[{irte}]   /* one 128-bit read */"),
            );
            a.emit(
                StepKind::IommuPost(irte),
                "IOMMU sets IRR",
                "IOMMU",
                "GuestMode ? set_bit(vector, backing_page(ga_tag).IRR) : remap to host",
            );
            a.emit(
                StepKind::IommuNotify(irte),
                "IOMMU notifies",
                "IOMMU",
                format!("IRT[{irte}].IsRun ? doorbell(Destination) : GALogIntr ? GA log : nothing   /* not cached: read afresh */"),
            );
            a.finish(format!("device interrupt via IRTE{irte}"), None)
        }
        Op::Ipi { to } => {
            a.emit(
                StepKind::AvicRead(to),
                "AVIC reads entry",
                "AVIC",
                format!("e = physical_id_table[vCPU{to}]   /* one 64-bit read */"),
            );
            a.emit(
                StepKind::AvicSetIrr(to),
                "AVIC sets IRR",
                "AVIC",
                "set_bit(IPI vector, backing_page(e).IRR)",
            );
            a.emit(
                StepKind::AvicNotify(to),
                "AVIC notifies",
                "AVIC",
                "e.IsRunning ? doorbell(e.host_id) : #VMEXIT(INCOMPLETE_IPI) → kvm_vcpu_kick",
            );
            a.finish(format!("guest IPI → vCPU{to}"), None)
        }
    }
}

/// The GA-log interrupt handler's program (`avic_ga_log_notifier`), run whenever the log is not empty.
pub fn ga_log_handler() -> Program {
    let mut a = Asm::new();
    a.emit(
        StepKind::GaLogPop,
        "pop GA log",
        "avic_ga_log_notifier",
        "vcpu_id = ga_log.pop()   /* GA-log interrupt */",
    );
    a.emit(
        StepKind::Wake,
        "wake vCPU",
        "avic_ga_log_notifier",
        "kvm_vcpu_wake_up(vcpu)",
    );
    a.finish("avic_ga_log_notifier".into(), None)
}

/// What a vCPU thread runs when a kick IPI forced it out of the guest.
pub fn forced_exit(knobs: &Knobs, v: u8) -> Program {
    let mut a = Asm::new();
    a.emit(
        StepKind::VmExit(v),
        "#VMEXIT (kick)",
        "svm_vcpu_run",
        "#VMEXIT   /* the kick IPI */",
    );
    enter_body(&mut a, knobs, v);
    a.finish(format!("kicked: exit and re-enter (vCPU{v})"), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::Strategy;

    fn kinds(p: &Program) -> Vec<StepKind> {
        p.steps.iter().map(|s| s.kind).collect()
    }

    #[test]
    fn lock_fix_load_holds_the_lock_around_entry_and_walk() {
        let k = Strategy::preset("lock-fix").unwrap().knobs;
        let p = compile(Actor::Vcpu(0), Op::Load { pcpu: 1 }, &k);
        let ks = kinds(&p);
        assert!(matches!(ks[0], StepKind::Lock(VRef::Fixed(0))));
        assert!(matches!(ks[1], StepKind::ReadEntry(0)));
        assert!(matches!(
            ks.last().unwrap(),
            StepKind::Unlock(VRef::Fixed(0))
        ));
    }

    #[test]
    fn pre_2023_put_clears_entry_after_unlocking() {
        let k = Strategy::preset("pre-2023").unwrap().knobs;
        let p = compile(Actor::Vcpu(0), Op::Put, &k);
        assert!(matches!(
            p.steps.last().unwrap().kind,
            StepKind::WriteEntry(0, Some(EntryUpdate::Put(false)), Part::Whole)
        ));
        // The early return ends the operation.
        assert_eq!(p.steps[0].jump, Some(p.steps.len()));
    }

    #[test]
    fn plain_write_tears_into_two_steps() {
        let k = Strategy::preset("lock-fix-plain-write").unwrap().knobs;
        let p = compile(Actor::Vcpu(0), Op::Load { pcpu: 0 }, &k);
        let parts: Vec<Part> = p
            .steps
            .iter()
            .filter_map(|s| match s.kind {
                StepKind::WriteEntry(_, _, part) => Some(part),
                _ => None,
            })
            .collect();
        assert_eq!(parts, vec![Part::Hi, Part::Lo]);
    }

    #[test]
    fn every_jump_stays_inside_its_program() {
        for preset in crate::strategy::PRESETS {
            for op in [
                Op::Load { pcpu: 1 },
                Op::Put,
                Op::Enter,
                Op::Exit,
                Op::Block,
                Op::UpdateAffinity { irte: 0, vcpu: 0 },
            ] {
                let actor = if matches!(op, Op::UpdateAffinity { .. }) {
                    Actor::Updater
                } else {
                    Actor::Vcpu(0)
                };
                let p = compile(actor, op, &preset.knobs);
                for s in &p.steps {
                    for t in [s.jump, s.next].into_iter().flatten() {
                        assert!(t <= p.steps.len(), "{} {}: jump {t}", preset.id, p.title);
                    }
                }
            }
        }
    }
}
