//! The kernel functions (and hardware units) a step may name in its function column: every name
//! the shipped programs cite, plus the helpers around them a patch may want to cite. A step's
//! function is a `&'static str` so that events, timelines and panes keep borrowing it; a parsed
//! name is looked up here, and an unknown one is an error that lists these.

/// Every name a step may give as its kernel function or hardware unit.
pub const FUNCS: &[&str] = &[
    // The shipped programs' functions (core-sim/src/program/kernel).
    "avic_vcpu_load",
    "avic_vcpu_put",
    "avic_update_iommu_vcpu_affinity",
    "avic_pi_update_irte",
    "svm_ir_list_add",
    "svm_ir_list_del",
    "avic_refresh_apicv_exec_ctrl",
    "avic_set_pi_irte_mode",
    "irq_set_vcpu_affinity",
    "amd_iommu_activate_guest_mode",
    "amd_iommu_update_ga",
    "kvm_irq_routing_update",
    "kvm_vcpu_kick",
    "vcpu_enter_guest",
    "svm_vcpu_run",
    "kvm_vcpu_block",
    "kvm_vcpu_check_block",
    "kvm_arch_vcpu_load",
    "avic_ga_log_notifier",
    "__schedule",
    "finish_task_switch",
    "irq_set_affinity",
    "wake_up_process",
    "IOMMU",
    "AVIC",
    // Helpers of the same files a patch may cite.
    "__avic_vcpu_load",
    "__avic_vcpu_put",
    "avic_vcpu_blocking",
    "avic_vcpu_unblocking",
    "amd_iommu_deactivate_guest_mode",
    "modify_irte_ga",
    "iommu_flush_irt_and_complete",
    "amd_ir_set_vcpu_affinity",
];

/// The table's entry for `name`, if it has one.
pub fn lookup(name: &str) -> Option<&'static str> {
    FUNCS.iter().copied().find(|f| *f == name)
}
