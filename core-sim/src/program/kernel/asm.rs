//! A small assembler for micro-step programs, the kernel function names the programs cite, and
//! the lock and unlock helpers every operation uses.

use super::*;

/// A small assembler: steps in order, forward jumps patched once their target is known.
pub(super) struct Asm {
    pub(super) steps: Vec<Step>,
}

impl Asm {
    pub(super) fn new() -> Asm {
        Asm { steps: Vec::new() }
    }

    pub(super) fn here(&self) -> usize {
        self.steps.len()
    }

    pub(super) fn emit(
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

    pub(super) fn jump(&mut self, at: usize, to: usize) {
        self.steps[at].jump = Some(to);
    }

    pub(super) fn goto(&mut self, at: usize, to: usize) {
        self.steps[at].next = Some(to);
    }

    /// Mark a step added since the first model (see [`Origin`]).
    pub(super) fn origin(&mut self, at: usize, origin: Origin) {
        self.steps[at].origin = origin;
    }

    pub(super) fn effect(&mut self, at: usize, effect: Effect) {
        self.steps[at].effect = Some(effect);
    }

    pub(super) fn finish(self, title: String, on_end: Option<Effect>) -> Program {
        Program {
            title,
            steps: self.steps,
            on_end,
        }
    }
}

pub(super) const LOAD: &str = "avic_vcpu_load";

pub(super) const PUT: &str = "avic_vcpu_put";

pub(super) const AFFINITY: &str = "avic_update_iommu_vcpu_affinity";

pub(super) const PI_UPDATE: &str = "avic_pi_update_irte";

pub(super) const LIST_ADD: &str = "svm_ir_list_add";

pub(super) const LIST_DEL: &str = "svm_ir_list_del";

pub(super) const REFRESH: &str = "avic_refresh_apicv_exec_ctrl";

pub(super) const SET_AFFINITY: &str = "irq_set_vcpu_affinity";

pub(super) fn lock(a: &mut Asm, r: LockRef, label: &str, func: &'static str, code: &str) -> usize {
    a.emit(StepKind::Lock(r), label, func, code)
}

pub(super) fn unlock(
    a: &mut Asm,
    r: LockRef,
    label: &str,
    func: &'static str,
    code: &str,
) -> usize {
    a.emit(StepKind::Unlock(r), label, func, code)
}
