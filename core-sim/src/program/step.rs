//! One micro-step: at most one shared-memory access, a label and a line of pseudo-code.

use serde::{Deserialize, Serialize};

/// Which vCPU's lock or list a step names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VRef {
    /// A fixed vCPU.
    Fixed(u8),
    /// The vCPU whose ir_list holds IRTE `n` now (read from KVM's record, saved in a register).
    OwnerOf(u8),
    /// The vCPU saved by an earlier `OwnerOf`.
    Prev,
}

/// Which lock a step takes or releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LockRef {
    /// A vCPU's `ir_list_lock`.
    IrList(VRef),
    /// `kvm->irqfds.lock`.
    Irqfds,
    /// The run-queue lock of the pCPU vCPU `v` is on (`vcpu->cpu`).
    RqOf(u8),
    /// The run-queue lock of pCPU `p`.
    Rq(u8),
    /// The `irq_desc` lock of the host interrupt behind IRTE `i`.
    IrqDesc(u8),
}

/// Which IRTE a step writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IrteRef {
    /// A fixed IRTE.
    Fixed(u8),
    /// The one the list walk stands on.
    Cursor,
}

/// Which half of the entry a store writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Part {
    /// All 64 bits (`WRITE_ONCE`).
    Whole,
    /// Bits 32..63 (IsRunning, Valid).
    Hi,
    /// Bits 0..31 (host APIC ID).
    Lo,
}

/// How a store computes the new entry from the local copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryUpdate {
    /// Host ID := pCPU (`None`: `vcpu->cpu`), IsRunning := 1.
    Load(Option<u8>),
    /// IsRunning := 0; `true` marks blocking (the 2025 rework's GA-log flag).
    Put(bool),
}

/// How `amd_iommu_update_ga` changes an IRTE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GaUpdate {
    /// IsRun := 1, Destination := the local entry's host ID; GALogIntr := the value if given.
    Run(Option<bool>),
    /// IsRun := 0; GALogIntr := the value if given.
    NotRunning(Option<bool>),
    /// `Run` if the local entry says IsRunning, else IsRun := 0 and GALogIntr from the entry's flag.
    FromEntry,
}

/// What the activation write puts in the target fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActivateTarget {
    /// IsRun 0, Destination cleared, GALogIntr 1 (before the 2025 rework).
    Cleared,
    /// From the local entry: running → IsRun 1 and its host ID; else IsRun 0 and GALogIntr from the flag.
    FromEntry,
}

/// Side effects on a vCPU's life cycle, applied when the step runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Effect {
    /// The thread now runs on the pCPU (`None`: `vcpu->cpu`): the vCPU is loaded there.
    SchedIn(u8, Option<u8>),
    /// The vCPU is halting (put for blocking is done).
    Halting(u8),
    /// The vCPU is put (scheduled out).
    SchedOut(u8),
    /// `vcpu->cpu` := pCPU: the scheduler ran the (blocking) vCPU's task there.
    SetCpu(u8, u8),
}

/// The instruction set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StepKind {
    /// Load vCPU `v`'s entry into the local copy (KVM's own copy where the strategy keeps one);
    /// with a jump, go there if it is not running.
    ReadEntry(u8),
    /// Load `vcpu->cpu` of vCPU `v` (the first 2023 patch's target) into the local copy's host ID.
    ReadVcpuCpu(u8),
    /// Update the local copy (if asked) and store one part of it into the hardware table
    /// (without KVM's synthetic GA-log bit where KVM keeps a copy, and with IsRunning cleared
    /// when IPI virtualization is off).
    WriteEntry(u8, Option<EntryUpdate>, Part),
    /// Update the local copy (if asked) and store it into KVM's own copy of the entry.
    WriteKvmEntry(u8, Option<EntryUpdate>),
    /// Take a lock; with a jump and an `OwnerOf` vCPU, go there if the IRTE is on no list.
    Lock(LockRef),
    /// Release a lock (drains the store buffer first).
    Unlock(LockRef),
    /// `smp_mb()`.
    Mb,
    /// Advance the `list_for_each_entry` walk of a vCPU's ir_list; jump when past the end.
    WalkNext(u8),
    /// `amd_iommu_update_ga`: edit IsRun/Destination (and GALogIntr) in the IRTE's software copy.
    UpdateGa(IrteRef, GaUpdate),
    /// `amd_iommu_activate_guest_mode`: rewrite an IRTE's software copy in GA mode for vCPU `vcpu`.
    Activate(IrteRef, u8, ActivateTarget),
    /// `amd_iommu_deactivate_guest_mode`: rewrite the IRTE's software copy in remapped (legacy) mode.
    Deactivate(IrteRef),
    /// `modify_irte_ga`: publish the IRTE's software copy into the table (one 128-bit cmpxchg).
    PublishIrte(IrteRef),
    /// `iommu_flush_irt_and_complete`: invalidate the IOMMU's cached copy of the IRTE and wait.
    FlushIrt(IrteRef),
    /// `list_add`: link IRTE into a vCPU's ir_list.
    Link(u8, u8),
    /// `list_del`: unlink IRTE from a vCPU's ir_list.
    Unlink(VRef, u8),
    /// `kvm_vcpu_kick`: request an IRTE refresh, wake or IPI the vCPU.
    Kick(u8),
    /// `kvm_check_request`: test and clear the refresh request; jump if there was none.
    TestRequest(u8),
    /// VMRUN (serialising: drains the store buffer): enter the guest and take pending IRR; jump
    /// back if a request came in.
    VmRun(u8),
    /// #VMEXIT.
    VmExit(u8),
    /// `set_current_state(TASK_INTERRUPTIBLE)` (a full barrier: drains the store buffer).
    SetWaiting(u8),
    /// `kvm_vcpu_check_block`: jump if an interrupt is pending in the IRR.
    CheckBlock(u8),
    /// `schedule()`: sleep unless already woken.
    Sleep(u8),
    /// A decision on local state only (no shared access); the step's effect says what changed.
    Local,
    /// IOMMU: take GuestMode, the vector and the GA root pointer from its cached copy of the IRTE.
    IommuRead(u8),
    /// IOMMU: set the vector in the vCPU's IRR (or, in legacy mode, hand it to the host).
    IommuPost(u8),
    /// IOMMU: read IsRun/Destination/GATag/GALogIntr of the IRTE from the table (the IOMMU does
    /// not cache them), then doorbell if IsRun, else a GA-log entry if GALogIntr.
    IommuNotify(u8),
    /// GA-log handler: take the oldest entry.
    GaLogPop,
    /// GA-log handler: `kvm_vcpu_wake_up` the vCPU it names.
    Wake,
    /// AVIC: read the target's physical ID entry from the hardware table.
    AvicRead(u8),
    /// AVIC: set the IPI vector in the target's IRR.
    AvicSetIrr(u8),
    /// AVIC: doorbell if IsRunning, else #VMEXIT and KVM kicks the target.
    AvicNotify(u8),
}

/// Where a step stands relative to the micro-steps of the first model (link formats v1 and v2),
/// so that a schedule recorded then can be replayed now with the same meaning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Origin {
    /// A step the first model had too: one token of an old schedule.
    #[default]
    Legacy,
    /// Added since: runs together with the thread's next legacy step (a lock the old step did
    /// not model, taken first).
    Before,
    /// Added since: runs together with the thread's previous legacy step (the publish, flush
    /// and unlock an old step did at once).
    After,
}

/// One micro-step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What it does.
    pub kind: StepKind,
    /// Short label for timelines.
    pub label: String,
    /// One line of pseudo-code (our words).
    pub code: String,
    /// The kernel function (or hardware unit) it stands for.
    pub func: &'static str,
    /// Conditional target (meaning depends on `kind`); `steps.len()` ends the operation.
    pub jump: Option<usize>,
    /// Unconditional next step (default: the following one).
    pub next: Option<usize>,
    /// Life-cycle effect applied when it runs.
    pub effect: Option<Effect>,
    /// While a thread waits at this step, its operation does not count as in flight.
    pub quiet: bool,
    /// How it maps onto the first model's steps (for old links).
    pub origin: Origin,
}

/// An operation compiled for one strategy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Program {
    /// Title, e.g. `vcpu_load(pCPU1)`.
    pub title: String,
    /// The steps.
    pub steps: Vec<Step>,
    /// Effect applied when the operation ends.
    pub on_end: Option<Effect>,
}

/// The value semantics of the instructions, shared by the simulator's executor and any other
/// interpreter of the same programs (the native stress run on real atomics).
mod semantics {
    use super::{ActivateTarget, EntryUpdate, GaUpdate};
    use crate::machine::{entry, Irte};
    use crate::strategy::Knobs;

    impl EntryUpdate {
        /// The entry after this update of the local copy `e`; `vcpu_cpu` is `vcpu->cpu`.
        pub fn apply(self, e: u64, vcpu_cpu: u8, knobs: &Knobs) -> u64 {
            match self {
                EntryUpdate::Load(p) => entry::loaded_on(e, p.unwrap_or(vcpu_cpu)),
                EntryUpdate::Put(blocking) => {
                    entry::put(e, blocking && knobs.ga_log_only_when_blocking)
                }
            }
        }
    }

    impl GaUpdate {
        /// `amd_iommu_update_ga` on `irte`, with `e` the local entry copy.
        pub fn apply(self, irte: &mut Irte, e: u64) {
            let run = |irte: &mut Irte| {
                irte.is_run = true;
                irte.destination = entry::host_id(e);
            };
            match self {
                GaUpdate::Run(g) => {
                    run(irte);
                    irte.ga_log_intr = g.unwrap_or(irte.ga_log_intr);
                }
                GaUpdate::NotRunning(g) => {
                    irte.is_run = false;
                    irte.ga_log_intr = g.unwrap_or(irte.ga_log_intr);
                }
                GaUpdate::FromEntry if entry::is_running(e) => run(irte),
                GaUpdate::FromEntry => irte.is_run = false,
            }
        }
    }

    impl ActivateTarget {
        /// The IRTE `amd_iommu_activate_guest_mode` writes for IRTE `index` posting to `vcpu`.
        pub fn irte(self, index: u8, vcpu: u8, e: u64, knobs: &Knobs) -> Irte {
            let mut irte = Irte {
                guest_mode: true,
                ga_tag: Some(vcpu),
                vector: index,
                ..Irte::default()
            };
            match self {
                ActivateTarget::Cleared => irte.ga_log_intr = true,
                ActivateTarget::FromEntry if entry::is_running(e) => {
                    irte.is_run = true;
                    irte.destination = entry::host_id(e);
                }
                ActivateTarget::FromEntry => {
                    irte.ga_log_intr = !knobs.ga_log_only_when_blocking || entry::wants_ga_log(e);
                }
            }
            irte
        }
    }
}
