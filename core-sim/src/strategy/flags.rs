//! The on/off knobs as one table: name, short name, what each stands for, getter and setter, so
//! the CLI, the web and the link codec list and parse them the same way.

use super::*;

/// One yes/no knob, described once for every shell (CLI `--knobs`, the web's check boxes, links).
#[derive(Clone, Copy)]
pub struct Flag {
    /// Stable name (CLI `--knobs name=1`, `Display`).
    pub name: &'static str,
    /// Short name in v1 share links and the `Display` form (`lock=1,...`).
    pub short: &'static str,
    /// Label for a check box.
    pub label: &'static str,
    /// What turning it on means.
    pub help: &'static str,
    /// Whether it describes the hardware rather than the kernel.
    pub hardware: bool,
    /// Read it.
    pub get: fn(&Knobs) -> bool,
    /// Set it.
    pub set: fn(&mut Knobs, bool),
}

/// Every boolean knob, in display order (the IRTE target is the one knob that is not boolean).
pub const FLAGS: [Flag; 11] = [
    Flag {
        name: "lock_in_load_put",
        short: "lock",
        label: "ir_list_lock in load/put",
        help: "avic_vcpu_load/put hold ir_list_lock around the entry update and the IRTE walk.",
        hardware: false,
        get: |k| k.lock_in_load_put,
        set: |k, v| k.lock_in_load_put = v,
    },
    Flag {
        name: "read_once",
        short: "read_once",
        label: "READ_ONCE entry loads",
        help: "Off: plain loads, which the compiler may repeat for each use.",
        hardware: false,
        get: |k| k.read_once,
        set: |k, v| k.read_once = v,
    },
    Flag {
        name: "write_once",
        short: "write_once",
        label: "WRITE_ONCE entry stores",
        help: "Off: plain 64-bit stores, which may tear into two 32-bit halves.",
        hardware: false,
        get: |k| k.write_once,
        set: |k, v| k.write_once = v,
    },
    Flag {
        name: "smp_mb",
        short: "mb",
        label: "smp_mb() between store and load",
        help: "Each side: store, full barrier, then read the other side's data.",
        hardware: false,
        get: |k| k.smp_mb,
        set: |k, v| k.smp_mb = v,
    },
    Flag {
        name: "kick",
        short: "kick",
        label: "kick the vCPU after an IRTE update",
        help: "Force the target vCPU out of the guest so its next load rewrites its IRTEs (costs an IPI).",
        hardware: false,
        get: |k| k.kick,
        set: |k, v| k.kick = v,
    },
    Flag {
        name: "ga_log_only_when_blocking",
        short: "galog_blocking",
        label: "GALogIntr only while blocking",
        help: "The 2025 rework: GA-log interrupts are requested only while the vCPU blocks.",
        hardware: false,
        get: |k| k.ga_log_only_when_blocking,
        set: |k, v| k.ga_log_only_when_blocking = v,
    },
    Flag {
        name: "irqfds_lock",
        short: "irqfds",
        label: "updaters hold kvm->irqfds.lock",
        help: "IRQ-affinity updates are serialised (routing updates always; producer add/remove since 6.15).",
        hardware: false,
        get: |k| k.irqfds_lock,
        set: |k, v| k.irqfds_lock = v,
    },
    Flag {
        name: "shadow_entry",
        short: "shadow",
        label: "KVM's own copy of the entry",
        help: "6.17: KVM reads svm->avic_physical_id_entry and writes the hardware table from it.",
        hardware: false,
        get: |k| k.shadow_entry,
        set: |k, v| k.shadow_entry = v,
    },
    Flag {
        name: "enable_ipiv",
        short: "ipiv",
        label: "AVIC IPI virtualization (enable_ipiv)",
        help: "Off: IsRunning is never set in the hardware table; every guest IPI exits to KVM.",
        hardware: false,
        get: |k| k.enable_ipiv,
        set: |k, v| k.enable_ipiv = v,
    },
    Flag {
        name: "avic_erratum_1235",
        short: "erratum1235",
        label: "hardware: AVIC erratum #1235",
        help: "Family 17h AVIC may use an IsRunning read from before its IRR write: a halting target can miss the IPI.",
        hardware: true,
        get: |k| k.avic_erratum_1235,
        set: |k, v| k.avic_erratum_1235 = v,
    },
    Flag {
        name: "disarm_on_unlink",
        short: "disarm",
        label: "candidate fix: disarm the IRTE on unlink",
        help: "Not in any kernel: svm_ir_list_del also sets IsRun=0, GALogIntr=1 under the previous vCPU's lock.",
        hardware: false,
        get: |k| k.disarm_on_unlink,
        set: |k, v| k.disarm_on_unlink = v,
    },
];

impl Flag {
    /// The flag with this name (`-` may stand for `_`) or short name.
    pub fn by_name(name: &str) -> Option<Flag> {
        let name = name.replace('-', "_");
        FLAGS
            .into_iter()
            .find(|f| f.name == name || f.short == name)
    }
}
