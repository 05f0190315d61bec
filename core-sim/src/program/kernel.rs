//! The kernel operations written as micro-step programs, one per strategy.
//!
//! Sources (read, not copied): `arch/x86/kvm/svm/avic.c` and `drivers/iommu/amd/iommu.c` in Linux 6.5
//! (before the fix), 6.6 (the ir_list_lock fix) and 6.17 (the IRQ-bypass rework); see
//! `docs/kernel-notes.md` for the function-by-function mapping.

use super::ops::{Actor, Op};
use super::step::LockRef;
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
            origin: Origin::Legacy,
        });
        self.steps.len() - 1
    }

    fn jump(&mut self, at: usize, to: usize) {
        self.steps[at].jump = Some(to);
    }

    fn goto(&mut self, at: usize, to: usize) {
        self.steps[at].next = Some(to);
    }

    /// Mark a step added since the first model (see [`Origin`]).
    fn origin(&mut self, at: usize, origin: Origin) {
        self.steps[at].origin = origin;
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
const REFRESH: &str = "avic_refresh_apicv_exec_ctrl";
const SET_AFFINITY: &str = "irq_set_vcpu_affinity";

/// What the compiler needs to know about the world beyond the operation itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// Model the scheduler's `rq->lock` around a sched-out put (only worth its steps when some
    /// other thread takes a run-queue lock too).
    pub rq_locks: bool,
}

/// One store of the table entry: `WRITE_ONCE`, or a plain store the compiler may split in two.
fn store_table(
    a: &mut Asm,
    knobs: &Knobs,
    v: u8,
    update: Option<EntryUpdate>,
    func: &'static str,
    what: &str,
) -> usize {
    let table = if knobs.kvm_copy() {
        "kvm_svm->avic_physical_id_table[id]"
    } else {
        "*svm->avic_physical_id_cache"
    };
    let ipiv = if knobs.enable_ipiv {
        ""
    } else {
        " /* IsRunning cleared: !enable_ipiv */"
    };
    if knobs.write_once {
        a.emit(
            StepKind::WriteEntry(v, update, Part::Whole),
            "WRITE_ONCE entry",
            func,
            format!("{what}WRITE_ONCE({table}, entry){ipiv}"),
        )
    } else {
        let first = a.emit(
            StepKind::WriteEntry(v, update, Part::Hi),
            "store entry.hi",
            func,
            format!("{what}{table} = entry   /* plain: high half (IsRunning) … */"),
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

/// Store the updated local entry copy: into the table only (up to 6.16), or into KVM's own copy
/// and the table (6.17: the copy first on load; on put the table first, and only with IPIv).
fn store_entry(
    a: &mut Asm,
    knobs: &Knobs,
    v: u8,
    update: EntryUpdate,
    func: &'static str,
    what: &str,
) -> usize {
    let what = format!("{what}; ");
    if !knobs.kvm_copy() {
        return store_table(a, knobs, v, Some(update), func, &what);
    }
    let copy = "svm->avic_physical_id_entry = entry";
    match update {
        EntryUpdate::Load(_) => {
            let first = a.emit(
                StepKind::WriteKvmEntry(v, Some(update)),
                "store KVM's entry",
                func,
                format!("{what}{copy}"),
            );
            let table = store_table(a, knobs, v, None, func, "");
            if knobs.write_once {
                a.origin(table, Origin::After);
            }
            first
        }
        EntryUpdate::Put(_) if knobs.enable_ipiv => {
            let first = store_table(a, knobs, v, Some(update), func, &what);
            let kvm = a.emit(
                StepKind::WriteKvmEntry(v, None),
                "store KVM's entry",
                func,
                copy,
            );
            a.origin(kvm, Origin::After);
            first
        }
        EntryUpdate::Put(_) => a.emit(
            StepKind::WriteKvmEntry(v, Some(update)),
            "store KVM's entry",
            func,
            format!("{what}{copy}   /* !enable_ipiv: the table is not written */"),
        ),
    }
}

/// The local entry read: READ_ONCE of the table, or KVM's own copy.
fn entry_read_code(knobs: &Knobs) -> &'static str {
    if knobs.kvm_copy() {
        "entry = svm->avic_physical_id_entry"
    } else {
        "entry = READ_ONCE(*svm->avic_physical_id_cache)"
    }
}

/// Publish an IRTE's software copy (`modify_irte_ga`: cmpxchg128 under the table lock) and, when
/// asked, flush the IOMMU's cached copy (`iommu_flush_irt_and_complete`).
fn publish(a: &mut Asm, irte: IrteRef, flush: bool, func: &'static str) {
    let at = a.emit(
        StepKind::PublishIrte(irte),
        "publish IRTE",
        func,
        "modify_irte_ga(): try_cmpxchg128(&table[index], &old, ir_data->entry)",
    );
    a.origin(at, Origin::After);
    if flush {
        let at = a.emit(
            StepKind::FlushIrt(irte),
            "flush IRT",
            func,
            "iommu_flush_irt_and_complete()   /* INVALIDATE_INTERRUPT_TABLE + COMPLETION_WAIT */",
        );
        a.origin(at, Origin::After);
    }
}

/// `list_for_each_entry(ir, &svm->ir_list) amd_iommu_update_ga(...)`; returns the walk's first step.
///
/// `amd_iommu_update_ga` edits IsRun/Destination (and, in 6.17, GALogIntr) in the software copy
/// and publishes it; 6.5/6.6 also flushed the IOMMU's cache afterwards, 6.7 stopped (57cdb720eaa5)
/// because those fields are not cached: the model's flush would change nothing, so it is left out.
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
            "    amd_iommu_update_ga(ir->data, cpu = -1: IsRun = 0, GALogIntr = 1)"
        }
        GaUpdate::NotRunning(Some(false)) => {
            "    amd_iommu_update_ga(ir->data, cpu = -1: IsRun = 0, GALogIntr = 0)"
        }
        GaUpdate::NotRunning(None) => "    amd_iommu_update_ga(ir->data, cpu = -1, IsRun = 0)",
        GaUpdate::FromEntry => {
            "    amd_iommu_update_ga(ir->data, entry.IsRunning ? entry.host_id : -1)"
        }
    };
    a.emit(
        StepKind::UpdateGa(IrteRef::Cursor, how),
        "edit IRTE copy",
        func,
        code,
    );
    let last = a.emit(
        StepKind::PublishIrte(IrteRef::Cursor),
        "publish IRTE",
        func,
        "    modify_irte_ga(): try_cmpxchg128(&table[index], &old, ir_data->entry)",
    );
    a.origin(last, Origin::After);
    a.goto(last, walk);
    let end = a.here();
    a.jump(walk, end);
    walk
}

/// The walk of `avic_refresh_apicv_exec_ctrl` / `avic_set_pi_irte_mode`: switch every IRTE on the
/// list to guest mode (`activate`) or to remapped mode; each switch is published and flushed.
fn walk_toggle(a: &mut Asm, knobs: &Knobs, v: u8, activate: bool, func: &'static str) {
    let walk = a.emit(
        StepKind::WalkNext(v),
        "walk ir_list",
        func,
        "list_for_each_entry(ir, &svm->ir_list, node)",
    );
    if activate {
        let (target, code) = if knobs.irte_target == IrteTarget::InActivation {
            (
                ActivateTarget::FromEntry,
                "    amd_iommu_activate_guest_mode(ir->data, cpu, ga_log_intr)",
            )
        } else {
            (
                ActivateTarget::Cleared,
                "    amd_iommu_activate_guest_mode(ir->data): IsRun = 0, dest = 0, GALogIntr = 1",
            )
        };
        a.emit(
            StepKind::Activate(IrteRef::Cursor, v, target),
            "activate IRTE copy",
            func,
            code,
        );
    } else {
        a.emit(
            StepKind::Deactivate(IrteRef::Cursor),
            "deactivate IRTE copy",
            func,
            "    amd_iommu_deactivate_guest_mode(ir->data): GuestMode = 0 (remapped)",
        );
    }
    a.emit(
        StepKind::PublishIrte(IrteRef::Cursor),
        "publish IRTE",
        func,
        "    modify_irte_ga(): try_cmpxchg128(&table[index], &old, ir_data->entry)",
    );
    let last = a.emit(
        StepKind::FlushIrt(IrteRef::Cursor),
        "flush IRT",
        func,
        "    iommu_flush_irt_and_complete()",
    );
    a.goto(last, walk);
    let end = a.here();
    a.jump(walk, end);
}

fn lock(a: &mut Asm, r: LockRef, label: &str, func: &'static str, code: &str) -> usize {
    a.emit(StepKind::Lock(r), label, func, code)
}

fn unlock(a: &mut Asm, r: LockRef, label: &str, func: &'static str, code: &str) -> usize {
    a.emit(StepKind::Unlock(r), label, func, code)
}

/// The 2025 rework states GALogIntr explicitly; earlier kernels leave it as activation set it.
fn ga_log_when(knobs: &Knobs, value: bool) -> Option<bool> {
    knobs.ga_log_only_when_blocking.then_some(value)
}

/// `avic_vcpu_load` (or `avic_vcpu_unblocking`) body. Returns the first step.
fn load_body(a: &mut Asm, knobs: &Knobs, v: u8, pcpu: Option<u8>) -> usize {
    load_body_with(a, knobs, v, pcpu, None)
}

/// `avic_vcpu_load`, with the IRTE walk of an APICv activation instead of `update_ga` when
/// `toggle` is given (6.17's `__avic_vcpu_load(AVIC_ACTIVATE)`).
fn load_body_with(
    a: &mut Asm,
    knobs: &Knobs,
    v: u8,
    pcpu: Option<u8>,
    toggle: Option<&'static str>,
) -> usize {
    let cpu = pcpu
        .map(|p| format!("pCPU{p}"))
        .unwrap_or_else(|| "vcpu->cpu".into());
    let first;
    let what = format!("entry.host_id = apic_id({cpu}); entry.IsRunning = 1");
    let run = GaUpdate::Run(ga_log_when(knobs, false));
    let ir = LockRef::IrList(VRef::Fixed(v));
    if knobs.lock_in_load_put {
        first = lock(
            a,
            ir,
            "lock ir_list_lock",
            LOAD,
            "spin_lock_irqsave(&svm->ir_list_lock)",
        );
        a.emit(
            StepKind::ReadEntry(v),
            "read entry",
            LOAD,
            entry_read_code(knobs),
        );
        store_entry(a, knobs, v, EntryUpdate::Load(pcpu), LOAD, &what);
        match toggle {
            Some(func) => walk_toggle(a, knobs, v, true, func),
            None => {
                walk_irtes(a, v, run, AFFINITY);
            }
        }
        unlock(
            a,
            ir,
            "unlock",
            LOAD,
            "spin_unlock_irqrestore(&svm->ir_list_lock)",
        );
    } else {
        first = a.emit(
            StepKind::ReadEntry(v),
            "read entry",
            LOAD,
            entry_read_code(knobs),
        );
        store_entry(a, knobs, v, EntryUpdate::Load(pcpu), LOAD, &what);
        if knobs.smp_mb {
            a.emit(
                StepKind::Mb,
                "smp_mb",
                LOAD,
                "smp_mb()   /* publish entry before reading ir_list */",
            );
        }
        lock(
            a,
            ir,
            "lock ir_list_lock",
            AFFINITY,
            "spin_lock_irqsave(&svm->ir_list_lock)",
        );
        walk_irtes(a, v, run, AFFINITY);
        unlock(
            a,
            ir,
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
        format!("{}; if (!entry.IsRunning) return", entry_read_code(knobs)),
    );
    let what = if blocking && knobs.ga_log_only_when_blocking {
        "entry.IsRunning = 0; entry.ga_log_intr = 1 (KVM's copy only)"
    } else {
        "entry.IsRunning = 0"
    };
    let not_run = GaUpdate::NotRunning(ga_log_when(knobs, blocking));
    let ir = LockRef::IrList(VRef::Fixed(v));
    if knobs.lock_in_load_put {
        lock(
            a,
            ir,
            "lock ir_list_lock",
            PUT,
            "spin_lock_irqsave(&svm->ir_list_lock)",
        );
        walk_irtes(a, v, not_run, AFFINITY);
        store_entry(a, knobs, v, EntryUpdate::Put(blocking), PUT, what);
        unlock(
            a,
            ir,
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
        lock(
            a,
            ir,
            "lock ir_list_lock",
            AFFINITY,
            "spin_lock_irqsave(&svm->ir_list_lock)",
        );
        walk_irtes(a, v, not_run, AFFINITY);
        unlock(
            a,
            ir,
            "unlock",
            AFFINITY,
            "spin_unlock_irqrestore(&svm->ir_list_lock)",
        );
    } else {
        lock(
            a,
            ir,
            "lock ir_list_lock",
            AFFINITY,
            "spin_lock_irqsave(&svm->ir_list_lock)",
        );
        walk_irtes(a, v, not_run, AFFINITY);
        unlock(
            a,
            ir,
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
    let ir = LockRef::IrList(VRef::Fixed(v));
    if knobs.kick {
        let test = a.emit(
            StepKind::TestRequest(v),
            "check request",
            "vcpu_enter_guest",
            "if (kvm_check_request(KVM_REQ_IRTE_REFRESH, vcpu)) {",
        );
        lock(
            a,
            ir,
            "lock ir_list_lock",
            AFFINITY,
            "    spin_lock_irqsave(&svm->ir_list_lock)",
        );
        a.emit(
            StepKind::ReadEntry(v),
            "read entry",
            AFFINITY,
            format!("    {}", entry_read_code(knobs)),
        );
        walk_irtes(a, v, GaUpdate::FromEntry, AFFINITY);
        let unlock_at = unlock(
            a,
            ir,
            "unlock",
            AFFINITY,
            "    spin_unlock_irqrestore(&svm->ir_list_lock) }",
        );
        a.goto(unlock_at, top);
        let vmrun = a.here();
        a.jump(test, vmrun);
    }
    let vmrun = a.emit(
        StepKind::VmRun(v),
        "VMRUN",
        "svm_vcpu_run",
        "vcpu->mode = IN_GUEST_MODE; VMRUN  /* serialising; AVIC takes IRR */",
    );
    if knobs.kick {
        a.jump(vmrun, top);
    }
}

/// Remove the IRTE from the ir_list of the vCPU it was posted to before, if any.
fn list_del(a: &mut Asm, knobs: &Knobs, irte: u8) {
    let first = lock(
        a,
        LockRef::IrList(VRef::OwnerOf(irte)),
        "lock prev ir_list_lock",
        LIST_DEL,
        "if (prev vCPU) { spin_lock_irqsave(&prev_svm->ir_list_lock)",
    );
    a.emit(
        StepKind::Unlink(VRef::Prev, irte),
        "unlink from prev",
        LIST_DEL,
        "    list_del(&ir->node)",
    );
    if knobs.disarm_on_unlink {
        a.emit(
            StepKind::UpdateGa(IrteRef::Fixed(irte), GaUpdate::NotRunning(Some(true))),
            "disarm IRTE copy",
            LIST_DEL,
            "    amd_iommu_update_ga(ir->data, cpu = -1, ga_log_intr = true)   /* candidate fix */",
        );
        publish(a, IrteRef::Fixed(irte), false, LIST_DEL);
    }
    unlock(
        a,
        LockRef::IrList(VRef::Prev),
        "unlock prev",
        LIST_DEL,
        "    spin_unlock_irqrestore(&prev_svm->ir_list_lock) }",
    );
    let end = a.here();
    a.jump(first, end);
}

/// Read the entry for the updater; with plain loads the IsRunning test and the host ID use may
/// be two loads. Returns the step whose jump means "not running".
fn read_entry_for_target(a: &mut Asm, knobs: &Knobs, v: u8, func: &'static str) -> usize {
    if knobs.read_once {
        a.emit(
            StepKind::ReadEntry(v),
            "read entry",
            func,
            format!("{}; if (entry.IsRunning)", entry_read_code(knobs)),
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

/// `irq_set_vcpu_affinity()` → `amd_ir_set_vcpu_affinity()`: under the host interrupt's
/// `irq_desc->lock`, rewrite the IRTE's software copy in GA mode, publish it, flush the IOMMU.
fn set_vcpu_affinity(a: &mut Asm, irte: u8, v: u8, target: ActivateTarget, code: &str) {
    let desc = LockRef::IrqDesc(irte);
    let first = lock(
        a,
        desc,
        "lock irq_desc",
        SET_AFFINITY,
        "irq_get_desc_lock(host_irq)   /* raw_spin_lock(&desc->lock) */",
    );
    a.origin(first, Origin::Before);
    a.emit(
        StepKind::Activate(IrteRef::Fixed(irte), v, target),
        "activate IRTE copy",
        "amd_iommu_activate_guest_mode",
        code,
    );
    publish(
        a,
        IrteRef::Fixed(irte),
        true,
        "amd_iommu_activate_guest_mode",
    );
    let last = unlock(
        a,
        desc,
        "unlock irq_desc",
        SET_AFFINITY,
        "irq_put_desc_unlock(desc)",
    );
    a.origin(last, Origin::After);
}

fn update_affinity(knobs: &Knobs, irte: u8, v: u8) -> Program {
    let mut a = Asm::new();
    if knobs.irqfds_lock {
        let at = lock(
            &mut a,
            LockRef::Irqfds,
            "lock irqfds.lock",
            "kvm_irq_routing_update",
            "spin_lock_irq(&kvm->irqfds.lock)",
        );
        a.origin(at, Origin::Before);
    }
    let ir = LockRef::IrList(VRef::Fixed(v));
    match knobs.irte_target {
        IrteTarget::Never
        | IrteTarget::VcpuCpu
        | IrteTarget::AfterListAdd
        | IrteTarget::UnderListLock => {
            set_vcpu_affinity(
                &mut a,
                irte,
                v,
                ActivateTarget::Cleared,
                "amd_iommu_activate_guest_mode(): entry = 0; GuestMode = 1, IsRun = 0, dest = 0, GALogIntr = 1, tag/root/vector",
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
                    "edit IRTE copy",
                    PI_UPDATE,
                    "amd_iommu_update_ga(kvm_cpu_get_apicid(cpu), IsRun = true, pi.ir_data)",
                );
                publish(&mut a, IrteRef::Fixed(irte), false, "amd_iommu_update_ga");
            }
            list_del(&mut a, knobs, irte);
            lock(
                &mut a,
                ir,
                "lock ir_list_lock",
                LIST_ADD,
                "spin_lock_irqsave(&svm->ir_list_lock)",
            );
            if knobs.irte_target == IrteTarget::UnderListLock {
                let test = read_entry_for_target(&mut a, knobs, v, LIST_ADD);
                a.emit(
                    StepKind::UpdateGa(IrteRef::Fixed(irte), GaUpdate::Run(None)),
                    "edit IRTE copy",
                    LIST_ADD,
                    "    amd_iommu_update_ga(pi->ir_data, cpu = entry.host_id, IsRun = 1)",
                );
                publish(&mut a, IrteRef::Fixed(irte), false, "amd_iommu_update_ga");
                let link = a.here();
                a.jump(test, link);
            }
            a.emit(
                StepKind::Link(v, irte),
                "link into ir_list",
                LIST_ADD,
                "list_add(&ir->node, &svm->ir_list)",
            );
            unlock(
                &mut a,
                ir,
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
                    "edit IRTE copy",
                    PI_UPDATE,
                    "    amd_iommu_update_ga(pi.ir_data, cpu = entry.host_id, IsRun = 1)",
                );
                publish(&mut a, IrteRef::Fixed(irte), false, "amd_iommu_update_ga");
                let end = a.here();
                a.jump(test, end);
            }
        }
        IrteTarget::InActivation => {
            list_del(&mut a, knobs, irte);
            lock(
                &mut a,
                ir,
                "lock ir_list_lock",
                PI_UPDATE,
                "guard(raw_spinlock_irqsave)(&svm->ir_list_lock)",
            );
            if knobs.read_once {
                a.emit(
                    StepKind::ReadEntry(v),
                    "read entry",
                    PI_UPDATE,
                    format!(
                        "{}; pi.cpu = IsRunning ? host_id : -1",
                        entry_read_code(knobs)
                    ),
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
            set_vcpu_affinity(
                &mut a,
                irte,
                v,
                ActivateTarget::FromEntry,
                "amd_iommu_activate_guest_mode(cpu, ga_log_intr): entry = 0; GA mode with IsRun/dest or GALogIntr from entry",
            );
            a.emit(
                StepKind::Link(v, irte),
                "link into ir_list",
                PI_UPDATE,
                "list_add(&irqfd->vcpu_list, &svm->ir_list)",
            );
            unlock(
                &mut a,
                ir,
                "unlock",
                PI_UPDATE,
                "/* guard drops ir_list_lock */",
            );
        }
    }
    if knobs.irqfds_lock {
        let at = unlock(
            &mut a,
            LockRef::Irqfds,
            "unlock irqfds.lock",
            "kvm_irq_routing_update",
            "spin_unlock_irq(&kvm->irqfds.lock)",
        );
        a.origin(at, Origin::After);
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

/// How a halt goes beyond the plain one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Halt {
    /// Block, sleep, wake, unblock.
    Plain,
    /// Preempted after `avic_vcpu_blocking`, before `set_current_state`.
    Preempted,
    /// Woken and scheduled in on another pCPU.
    ResumeOn(u8),
}

fn block(knobs: &Knobs, v: u8, halt: Halt) -> Program {
    let mut a = Asm::new();
    let check = put_body(&mut a, knobs, v, true);
    let after_put = a.here();
    a.jump(check, after_put);
    if halt == Halt::Preempted {
        let out = a.emit(
            StepKind::ReadEntry(v),
            "sched out: read entry",
            PUT,
            if knobs.ga_log_only_when_blocking {
                "preempted: avic_vcpu_put(): !IsRunning && blocking && GA_LOG_INTR set → return"
            } else {
                "preempted: avic_vcpu_put(): entry.IsRunning == 0 → return"
            },
        );
        a.effect(out, Effect::Halting(v));
        a.emit(
            StepKind::Local,
            "sched in: early return",
            LOAD,
            "scheduled in: avic_vcpu_load(): kvm_vcpu_is_blocking(vcpu) → return",
        );
    }
    let set = a.emit(
        StepKind::SetWaiting(v),
        "set TASK_INTERRUPTIBLE",
        "kvm_vcpu_block",
        "set_current_state(TASK_INTERRUPTIBLE)   /* smp_store_mb: full barrier */",
    );
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
    if let Halt::ResumeOn(p) = halt {
        let moved = a.emit(
            StepKind::Local,
            "sched in elsewhere",
            "kvm_arch_vcpu_load",
            format!("woken, runs on pCPU{p}: vcpu->cpu = {p}; avic_vcpu_load(): kvm_vcpu_is_blocking() → return"),
        );
        a.effect(moved, Effect::SetCpu(v, p));
    }
    let out = load_body(&mut a, knobs, v, None);
    a.jump(pending, out);
    let title = match halt {
        Halt::Plain => "halt: avic_vcpu_blocking … schedule() … avic_vcpu_unblocking".to_string(),
        Halt::Preempted => "halt, preempted while blocking … avic_vcpu_unblocking".to_string(),
        Halt::ResumeOn(p) => format!("halt … woken on pCPU{p} … avic_vcpu_unblocking"),
    };
    a.finish(title, None)
}

/// `avic_set_pi_irte_mode()` (up to 6.16): under ir_list_lock, switch every IRTE on the vCPU's
/// list to guest mode or to remapped mode.
fn set_pi_irte_mode(a: &mut Asm, knobs: &Knobs, v: u8, activate: bool) {
    const FUNC: &str = "avic_set_pi_irte_mode";
    let ir = LockRef::IrList(VRef::Fixed(v));
    lock(
        a,
        ir,
        "lock ir_list_lock",
        FUNC,
        "spin_lock_irqsave(&svm->ir_list_lock)",
    );
    walk_toggle(a, knobs, v, activate, FUNC);
    unlock(
        a,
        ir,
        "unlock",
        FUNC,
        "spin_unlock_irqrestore(&svm->ir_list_lock)",
    );
}

/// `avic_refresh_apicv_exec_ctrl` on a loaded vCPU: off puts the AVIC and switches its IRTEs to
/// remapped mode; on loads it and switches them back to guest mode. Up to 6.16 the switch is a
/// second walk after the load/put (`avic_set_pi_irte_mode`), whose activation clears IsRun and
/// the destination; 6.17 does it inside `__avic_vcpu_load/put` with the target (f965255dc503).
fn apicv_toggle(knobs: &Knobs, v: u8, on: bool) -> Program {
    let mut a = Asm::new();
    let ir = LockRef::IrList(VRef::Fixed(v));
    let in_load_put = knobs.irte_target == IrteTarget::InActivation && knobs.lock_in_load_put;
    if on {
        if in_load_put {
            load_body_with(&mut a, knobs, v, None, Some(REFRESH));
        } else {
            load_body(&mut a, knobs, v, None);
            set_pi_irte_mode(&mut a, knobs, v, true);
        }
        a.finish(
            format!("APICv on: avic_refresh_apicv_exec_ctrl(vCPU{v})"),
            None,
        )
    } else {
        if in_load_put {
            lock(
                &mut a,
                ir,
                "lock ir_list_lock",
                REFRESH,
                "__avic_vcpu_put(AVIC_DEACTIVATE): raw_spin_lock_irqsave(&svm->ir_list_lock)",
            );
            a.emit(
                StepKind::ReadEntry(v),
                "read entry",
                REFRESH,
                entry_read_code(knobs),
            );
            walk_toggle(&mut a, knobs, v, false, REFRESH);
            store_entry(
                &mut a,
                knobs,
                v,
                EntryUpdate::Put(false),
                REFRESH,
                "entry.IsRunning = 0",
            );
            unlock(
                &mut a,
                ir,
                "unlock",
                REFRESH,
                "raw_spin_unlock_irqrestore(&svm->ir_list_lock)",
            );
        } else {
            let check = put_body(&mut a, knobs, v, false);
            let here = a.here();
            a.jump(check, here);
            set_pi_irte_mode(&mut a, knobs, v, false);
        }
        a.finish(
            format!("APICv off: avic_refresh_apicv_exec_ctrl(vCPU{v})"),
            None,
        )
    }
}

/// Compile one operation of a thread for a strategy, in the default context.
pub fn compile(actor: Actor, op: Op, knobs: &Knobs) -> Program {
    compile_in(actor, op, knobs, &Context::default())
}

/// Compile one operation of a thread for a strategy.
pub fn compile_in(actor: Actor, op: Op, knobs: &Knobs, ctx: &Context) -> Program {
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
            let rq = LockRef::RqOf(v);
            if ctx.rq_locks {
                lock(
                    &mut a,
                    rq,
                    "lock rq",
                    "__schedule",
                    "rq_lock(rq)   /* schedule(): kvm_sched_out() runs under it */",
                );
            }
            let check = put_body(&mut a, knobs, v, false);
            let end = a.here();
            a.jump(check, end);
            if ctx.rq_locks {
                unlock(
                    &mut a,
                    rq,
                    "unlock rq",
                    "finish_task_switch",
                    "rq_unlock(rq)",
                );
            }
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
        Op::Block => block(knobs, v, Halt::Plain),
        Op::BlockPreempted => block(knobs, v, Halt::Preempted),
        Op::BlockResumeOn { pcpu } => block(knobs, v, Halt::ResumeOn(pcpu)),
        Op::ApicvOff => apicv_toggle(knobs, v, false),
        Op::ApicvOn => apicv_toggle(knobs, v, true),
        Op::UpdateAffinity { irte, vcpu } => update_affinity(knobs, irte, vcpu),
        Op::Interrupt { irte } => {
            a.emit(
                StepKind::IommuRead(irte),
                "IOMMU reads cached IRTE",
                "IOMMU",
                format!("mode, vector, root = cache(IRT[{irte}])   /* cached until invalidated */"),
            );
            a.emit(
                StepKind::IommuPost(irte),
                "IOMMU sets IRR",
                "IOMMU",
                "GuestMode ? set_bit(vector, root.IRR) : remap to host",
            );
            a.emit(
                StepKind::IommuNotify(irte),
                "IOMMU notifies",
                "IOMMU",
                format!("IRT[{irte}].IsRun ? doorbell(Destination) : GALogIntr ? GA log(GATag) : nothing   /* not cached: read afresh */"),
            );
            a.finish(format!("device interrupt via IRTE{irte}"), None)
        }
        Op::Ipi { to } => {
            let set_irr = |a: &mut Asm| {
                a.emit(
                    StepKind::AvicSetIrr(to),
                    "AVIC sets IRR",
                    "AVIC",
                    "set_bit(IPI vector, backing_page(target).IRR)",
                );
            };
            let read = |a: &mut Asm| {
                a.emit(
                    StepKind::AvicRead(to),
                    "AVIC reads entry",
                    "AVIC",
                    format!("e = physical_id_table[vCPU{to}]   /* one 64-bit read, after the IRR write */"),
                );
            };
            if knobs.avic_erratum_1235 {
                // The erratum: the IsRunning read is not ordered after the IRR write.
                a.emit(
                    StepKind::AvicRead(to),
                    "AVIC reads entry (early)",
                    "AVIC",
                    format!("e = physical_id_table[vCPU{to}]   /* erratum #1235: read before the IRR write is seen */"),
                );
                set_irr(&mut a);
            } else {
                set_irr(&mut a);
                read(&mut a);
            }
            a.emit(
                StepKind::AvicNotify(to),
                "AVIC notifies",
                "AVIC",
                "e.IsRunning ? doorbell(e.host_id) : #VMEXIT(INCOMPLETE_IPI) → avic_kick_target_vcpus",
            );
            a.finish(format!("guest IPI → vCPU{to}"), None)
        }
        Op::HostAffinity { irte, pcpu } => {
            let desc = LockRef::IrqDesc(irte);
            let rq = LockRef::Rq(pcpu);
            lock(
                &mut a,
                desc,
                "lock irq_desc",
                "irq_set_affinity",
                "raw_spin_lock_irqsave(&desc->lock)",
            );
            lock(
                &mut a,
                rq,
                "lock rq",
                "wake_up_process",
                "irq_set_thread_affinity() → wake_up_process(): rq_lock(task_rq)",
            );
            unlock(&mut a, rq, "unlock rq", "wake_up_process", "rq_unlock()");
            unlock(
                &mut a,
                desc,
                "unlock irq_desc",
                "irq_set_affinity",
                "raw_spin_unlock_irqrestore(&desc->lock)",
            );
            a.finish(format!("irq_set_affinity(IRTE{irte}'s host IRQ)"), None)
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
        "vcpu = vcpu of GATag from ga_log.pop()   /* GA-log interrupt */",
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
        assert!(matches!(
            ks[0],
            StepKind::Lock(LockRef::IrList(VRef::Fixed(0)))
        ));
        assert!(matches!(ks[1], StepKind::ReadEntry(0)));
        assert!(matches!(
            ks.last().unwrap(),
            StepKind::Unlock(LockRef::IrList(VRef::Fixed(0)))
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
