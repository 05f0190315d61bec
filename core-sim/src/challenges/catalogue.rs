//! The shipped challenges. Ids are stable (links name them): add new ones, never rename.

use super::Challenge;
use crate::oracle::ViolationKind::{Deadlock, LostWakeup, TornRead};
use crate::strategy::MemoryModel::Sc;

pub(super) static CHALLENGES: [Challenge; 4] = [
    Challenge {
        id: "first-patch-hang",
        title: "Hang the guest with the May 2023 patch",
        scenario: "put-block-vs-affinity",
        strategy: "naive-update",
        memory: Sc,
        goal: "Make vCPU0 sleep forever with an interrupt pending. The May 2023 patch \"KVM: SVM: Update destination when updating pi irte\" (Message-Id 20230516122159.3834044-1-dengqiao.joey@bytedance.com) writes IsRun=1 and the APIC ID of svm->vcpu.cpu into the IRTE right after avic_pi_update_irte() re-posts it, with no lock against avic_vcpu_put(). Find the order in which that write lands after vCPU0 was put.",
        win: LostWakeup,
    },
    Challenge {
        id: "hang-6-6-old-owner",
        title: "Hang the guest under Linux 6.6",
        scenario: "retarget-vs-old-owner",
        strategy: "linux-6.6",
        memory: Sc,
        goal: "Make the guest hang under Linux 6.6 in retarget-vs-old-owner. Since 4c08e737f056 (\"KVM: SVM: Take and hold ir_list_lock when updating vCPU's Physical ID entry\", 6.6) avic_vcpu_load()/put() walk their ir_list under ir_list_lock, but in 6.6 the IRTE is retargeted by irq_set_vcpu_affinity() before svm_ir_list_add() unlinks it from the previous vCPU: the old owner's load or put can still rewrite it. 0a917e9d4b70 (\"KVM: SVM: Delete IRTE link from previous vCPU before setting new IRTE\", 6.17) closes the window.",
        win: LostWakeup,
    },
    Challenge {
        id: "torn-entry",
        title: "Tear the Physical ID entry",
        scenario: "ipi-during-load",
        strategy: "lock-fix-plain-write",
        memory: Sc,
        goal: "Make an AVIC IPI read a half-written Physical ID entry. This world is Linux 6.6's lock fix (4c08e737f056) with avic_vcpu_load() writing the entry with a plain store instead of WRITE_ONCE(): the hardware reads the entry without taking ir_list_lock, so the lock does not protect it.",
        win: TornRead,
    },
    Challenge {
        id: "lock-cycle-6-17",
        title: "Deadlock Linux 6.17",
        scenario: "lock-order-affinity",
        strategy: "linux-6.17",
        memory: Sc,
        goal: "Make three threads wait for each other's locks forever under Linux 6.17. Since c3d591c91f9c (\"KVM: SVM: Take and hold ir_list_lock across IRTE updates in IOMMU\", 6.17) avic_pi_update_irte() holds ir_list_lock across irq_set_vcpu_affinity(), which takes irq_desc->lock; irq_do_set_affinity() wakes a task under irq_desc->lock (p->pi_lock, then rq->lock), and kvm_sched_out() calls __avic_vcpu_put() under rq->lock, which takes ir_list_lock: the cycle of Ankit Soni's lockdep report on 6.19-rc2 (22 Dec 2025).",
        win: Deadlock,
    },
];
