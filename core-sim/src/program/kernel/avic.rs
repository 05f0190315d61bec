//! The AVIC side: the physical APIC ID table entry (`avic_vcpu_load`, `avic_vcpu_put`), KVM's own
//! entry copy, and the guest entry path.

use super::*;

/// One store of the table entry: `WRITE_ONCE`, or a plain store the compiler may split in two.
pub(super) fn store_table(
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
pub(super) fn store_entry(
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
pub(super) fn entry_read_code(knobs: &Knobs) -> &'static str {
    if knobs.kvm_copy() {
        "entry = svm->avic_physical_id_entry"
    } else {
        "entry = READ_ONCE(*svm->avic_physical_id_cache)"
    }
}

/// The 2025 rework states GALogIntr explicitly; earlier kernels leave it as activation set it.
pub(super) fn ga_log_when(knobs: &Knobs, value: bool) -> Option<bool> {
    knobs.ga_log_only_when_blocking.then_some(value)
}

/// `avic_vcpu_load` (or `avic_vcpu_unblocking`) body. Returns the first step.
pub(super) fn load_body(a: &mut Asm, knobs: &Knobs, v: u8, pcpu: Option<u8>) -> usize {
    load_body_with(a, knobs, v, pcpu, None)
}

/// `avic_vcpu_load`, with the IRTE walk of an APICv activation instead of `update_ga` when
/// `toggle` is given (6.17's `__avic_vcpu_load(AVIC_ACTIVATE)`).
pub(super) fn load_body_with(
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
pub(super) fn put_body(a: &mut Asm, knobs: &Knobs, v: u8, blocking: bool) -> usize {
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
pub(super) fn enter_body(a: &mut Asm, knobs: &Knobs, v: u8) {
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
