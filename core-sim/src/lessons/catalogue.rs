//! The lessons themselves: six guided runs through the history of the race, each with its
//! world, its schedule, its notes, its commits and the claims the checker verifies.

use super::*;

use MemoryModel::{Sc, Tso};

use ViolationKind::{Deadlock, DelayedDelivery, IrteMixedUpdate, LostWakeup, StaleIrte, TornRead};

/// What the 6.6 lock rules out in the scenarios lesson 4 checks: corruption and hangs.
pub(super) const CORRUPTION_OR_HANG: &[ViolationKind] =
    &[StaleIrte, LostWakeup, IrteMixedUpdate, Deadlock];

/// Scenarios in which the checker finds no violation at all under Linux 6.17.
pub(super) const SAFE_IN_6_17: &[&str] = &[
    "retarget-vs-old-owner",
    "put-block-vs-affinity",
    "migrate-vs-affinity",
    "ipi-during-load",
    "block-ga-log",
    "ipi-to-halting",
    "apicv-toggle",
    "concurrent-updaters",
    "halt-migrates",
    "old-owner-migrates",
];

pub(super) static LESSONS: [Lesson; 6] = [
    Lesson {
        id: "original-delay",
        number: 1,
        title: "The original delay: a running vCPU posted with IsRun=0",
        scenario: "running-retarget",
        strategy: "linux-6.5",
        memory: Sc,
        schedule: "0000000000011122",
        first_release_schedule: "000000011122",
        notes: &[
            Note { at: 0, text: "vCPU0 runs in the guest on pCPU0. Someone (irqbalance, a VFIO user) moves a passed-through device's interrupt from vCPU1 to vCPU0, so KVM's avic_pi_update_irte() re-posts IRTE0. Press → to step." },
            Note { at: 3, text: "Under the host interrupt's irq_desc lock, amd_iommu_activate_guest_mode() rebuilds the IRTE's software copy for its new target: GuestMode=1 with IsRun=0 and Destination=0, always, whatever vCPU0 is doing; modify_irte_ga() publishes it with one 128-bit cmpxchg. The IOMMU now believes vCPU0 is not running. Next the IOMMU's interrupt-table cache is flushed and the irq_desc lock dropped." },
            Note { at: 8, text: "svm_ir_list_add() moves the IRTE from vCPU1's ir_list to vCPU0's: unlinked here, linked next. Nothing here looks at whether vCPU0 is running." },
            Note { at: 11, text: "Stale: vCPU0's physical ID entry says IsRunning=1, its IRTE says IsRun=0. Only vCPU0's next avic_vcpu_load()/put() walks its ir_list and fixes that, and a vCPU pinned to an isolated CPU may not be rescheduled for a very long time." },
            Note { at: 14, text: "The device interrupts. The IOMMU (its cache was flushed at step 4, so it reads the new IRTE) sets the vector in vCPU0's vAPIC IRR, then sees IsRun=0 and takes the blocked-vCPU path: a GA-log entry and a GA-log interrupt on the host, no doorbell to pCPU0." },
            Note { at: 16, text: "The GA-log handler calls kvm_vcpu_wake_up(vCPU0), which does nothing: vCPU0 is not asleep. The guest only notices the vector at its next VM entry. Interrupts are late, not lost: the bug report that started the 2023 thread." },
        ],
        run_shows: &[StaleIrte, DelayedDelivery],
        takeaway: "Before 2023 (up to Linux 6.5), re-posting an interrupt always left it 'not running' until the vCPU's next load or put. Nothing is lost, but a busy, pinned vCPU can see its device interrupts only at its next VM exit. The fix looks easy: write the target pCPU into the IRTE right away. Lesson 2 shows why it is not.",
        claims: &[
            Claim { scenarios: &["running-retarget"], strategy: "linux-6.5", memory: &[], expect: Expect::Shows(DelayedDelivery) },
            Claim { scenarios: &["running-retarget", "put-block-vs-affinity"], strategy: "linux-6.5", memory: &[], expect: Expect::Free(&[LostWakeup]) },
        ],
        commits: &[
            Commit { id: "411b44ba80ab", title: "svm: Implements update_pi_irte hook to setup posted interrupt" },
            Commit { id: "ed8a2f4ddef2", title: "iommu/amd: Don't block updates to GATag if guest mode is on" },
        ],
    },
    Lesson {
        id: "first-patch",
        number: 2,
        title: "The first patch, and the lost wake-up Maxim pointed out",
        scenario: "put-block-vs-affinity",
        strategy: "naive-update",
        memory: Sc,
        schedule: "000000000111111111111222",
        first_release_schedule: "0000000001111111222",
        notes: &[
            Note { at: 0, text: "May 2023: 'KVM: SVM: Update destination when updating pi irte'. Right after activating the IRTE, write IsRun=1 and the APIC ID of svm->vcpu.cpu into it, with no lock. Maxim Levitsky replied that vcpu->cpu stays set after the vCPU is put; what is needed is 'a flag indicating if the vCPU is currently running', and a lock or barriers. Here vCPU0 is about to halt while the interrupt is re-posted to it." },
            Note { at: 1, text: "The guest executes HLT: #VMEXIT. vCPU0 is still loaded on pCPU0." },
            Note { at: 6, text: "avic_vcpu_put(): vCPU0's ir_list is empty (the IRTE is not linked yet), so there is no IRTE to mark not-running; it clears IsRunning in its physical ID entry." },
            Note { at: 9, text: "vCPU0 blocks in schedule(). It will be woken by a GA-log interrupt: that is the only way an IOMMU interrupt reaches a sleeping vCPU." },
            Note { at: 17, text: "After the usual activation (steps 10–14: under the irq_desc lock, rebuild the IRTE's copy with IsRun=0, publish it, flush the IOMMU cache), the patch's new line: amd_iommu_update_ga(apicid(vcpu->cpu), IsRun = true), published by a second cmpxchg128. vcpu->cpu still says pCPU0 although vCPU0 sleeps: the IRTE now claims a running vCPU." },
            Note { at: 21, text: "The IRTE is linked on vCPU0's ir_list, too late for the put that already walked it. The oracle flags a stale IRTE: IsRun=1 for a blocked vCPU, and nobody is on the way to fix it." },
            Note { at: 24, text: "The device interrupts: IRR bit set, IsRun=1, so the IOMMU rings the doorbell of pCPU0, where no vCPU is in the guest. No GA-log entry is written. vCPU0 sleeps with an interrupt pending, and nothing will wake it." },
        ],
        run_shows: &[StaleIrte, LostWakeup],
        takeaway: "Reading vcpu->cpu is not reading 'is the vCPU running'. Even with the running flag read from the entry, the check and the IRTE write must not interleave with the vCPU's own load/put. A latency bug became a hang: worse than the bug it fixed.",
        claims: &[
            Claim { scenarios: &["put-block-vs-affinity"], strategy: "naive-update", memory: &[], expect: Expect::Shows(LostWakeup) },
        ],
        commits: &[
            Commit { id: "20230516122159.3834044-1-dengqiao.joey@bytedance.com", title: "[PATCH] KVM: SVM: Update destination when updating pi irte" },
        ],
    },
    Lesson {
        id: "barriers",
        number: 3,
        title: "Why barriers are not enough",
        scenario: "put-block-vs-affinity",
        strategy: "barrier-only",
        memory: Sc,
        schedule: "00111111111110000000000011222",
        first_release_schedule: "00111111100000000001222",
        notes: &[
            Note { at: 0, text: "Try Maxim's other option: no lock, barriers. Each side stores first, smp_mb(), then reads the other side's data: put clears IsRunning, then walks ir_list; the updater links the IRTE, then reads IsRunning (a Dekker-style handshake). Under any memory model, at least one side sees the other's store." },
            Note { at: 2, text: "vCPU0 has exited and read its entry: IsRunning=1, so put has work to do." },
            Note { at: 13, text: "The updater has activated the IRTE (IsRun=0, published and flushed under the irq_desc lock), linked it, passed smp_mb(), and read IsRunning=1. It will write IsRun=1 into the IRTE — but it has not done so yet." },
            Note { at: 19, text: "vCPU0 cleared IsRunning, passed smp_mb(), found the IRTE on its list (the handshake worked) and published IsRun=0 for it (the IRTE already said so, from the activation). Correct at this instant." },
            Note { at: 24, text: "vCPU0 sleeps, relying on IsRun=0 to get a GA-log wake-up." },
            Note { at: 26, text: "The updater's write, decided at step 13, lands now (amd_iommu_update_ga() edits the copy, cmpxchg128 publishes it) and overwrites vCPU0's IsRun=0 with IsRun=1. The barriers ordered each side's accesses; nothing made 'check IsRunning, then write the IRTE' atomic with respect to put." },
            Note { at: 29, text: "The interrupt rings a doorbell at an empty pCPU: the same hang as in lesson 2." },
        ],
        run_shows: &[StaleIrte, LostWakeup],
        takeaway: "Barriers decide who sees whose store; they cannot stop a decision from going stale before it is acted on. Both sides do check-then-act on the same IRTE, so they need mutual exclusion, not ordering.",
        claims: &[
            Claim { scenarios: &["put-block-vs-affinity"], strategy: "barrier-only", memory: &[], expect: Expect::Shows(LostWakeup) },
        ],
        commits: &[],
    },
    Lesson {
        id: "lock-fix",
        number: 4,
        title: "The ir_list_lock fix, checked exhaustively",
        scenario: "put-block-vs-affinity",
        strategy: "linux-6.6",
        memory: Sc,
        schedule: "0011111111111100000000002223300000000",
        first_release_schedule: "001111111000000000222330000000",
        notes: &[
            Note { at: 0, text: "August 2023 (Linux 6.6): avic_vcpu_load()/put() take the vCPU's ir_list_lock while they change IsRunning and walk the ir_list, and svm_ir_list_add() reads the entry under the same lock, setting the IRTE's target only if IsRunning. Sean: holding ir_list_lock in load/put 'is the key to avoiding ordering issues'." },
            Note { at: 2, text: "vCPU0 has exited and starts its put." },
            Note { at: 7, text: "Activation first, unchanged from 6.5: under the irq_desc lock the IRTE's copy is rebuilt with IsRun=0, published and the IOMMU cache flushed. No ir_list_lock is held yet." },
            Note { at: 10, text: "The updater holds vCPU0's ir_list_lock and reads IsRunning=1: true now, and vCPU0 cannot change it until the lock is dropped." },
            Note { at: 12, text: "So publishing IsRun=1 with pCPU0 as destination is correct at this moment." },
            Note { at: 14, text: "The IRTE is on the list and the lock is free again. vCPU0's put needs that lock before it touches its entry or its list." },
            Note { at: 18, text: "vCPU0's walk now finds the IRTE and publishes IsRun=0: the later writer wins, exactly the rule Maxim asked for." },
            Note { at: 24, text: "vCPU0 sleeps, IRTE and entry agree: not running." },
            Note { at: 27, text: "The device interrupts; IsRun=0, so the IOMMU logs it in the GA log and raises the GA-log interrupt." },
            Note { at: 29, text: "The GA-log handler wakes vCPU0." },
            Note { at: 37, text: "vCPU0 is loaded again and, under the lock, points the IRTE back at its pCPU. Every interleaving of this scenario ends like this one or better: the claims below are checked over all of them." },
        ],
        run_shows: &[],
        takeaway: "With one lock around every check-then-act on a vCPU's IRTEs, no interleaving of these scenarios leaves an IRTE stale, mixes two edits of one IRTE, deadlocks, or leaves a vCPU asleep with an interrupt pending, under SC or x86-TSO. The checker still finds delayed deliveries: between activate_guest_mode() (IsRun=0) and the update under the lock, an interrupt can take the GA-log path while the vCPU runs — a latency window the 6.17 rework of lesson 6 closes. The lock is per vCPU, though; lesson 6 shows what it misses when an IRTE moves between two vCPUs.",
        claims: &[
            Claim { scenarios: &["put-block-vs-affinity", "migrate-vs-affinity", "running-retarget", "block-ga-log"], strategy: "linux-6.6", memory: &[], expect: Expect::Free(CORRUPTION_OR_HANG) },
            Claim { scenarios: &["put-block-vs-affinity"], strategy: "linux-6.6", memory: &[Sc], expect: Expect::Shows(DelayedDelivery) },
        ],
        commits: &[
            Commit { id: "4c08e737f056", title: "KVM: SVM: Take and hold ir_list_lock when updating vCPU's Physical ID entry" },
            Commit { id: "f3cebc75e742", title: "KVM: SVM: Set target pCPU during IRTE update if target vCPU is running" },
        ],
    },
    Lesson {
        id: "once-accessors",
        number: 5,
        title: "Why WRITE_ONCE must stay and READ_ONCE may go",
        scenario: "ipi-during-load",
        strategy: "lock-fix-plain-write",
        memory: Sc,
        schedule: "0001110000",
        first_release_schedule: "0001110000",
        notes: &[
            Note { at: 0, text: "Sean, on the fix: dropping READ_ONCE 'should actually be safe' because the lock keeps loads from seeing different values, but 'the WRITE_ONCE() needs to stay to ensure that hardware doesn't see inconsistent information due to store tearing'. The hardware here is AVIC itself: vCPU1's guest sends an IPI to vCPU0 while vCPU0 is being loaded, and AVIC reads vCPU0's physical ID entry with no lock at all. This run uses a plain store." },
            Note { at: 2, text: "avic_vcpu_load() takes the lock and reads the entry (host APIC ID 2: pCPU1, where vCPU0 last ran)." },
            Note { at: 3, text: "A plain 64-bit store may be split by the compiler. The high half lands first: IsRunning=1, with the old host ID still in the low half." },
            Note { at: 5, text: "AVIC sets the IPI vector in vCPU0's IRR first (step 4), then reads the entry: IsRunning=1, host pCPU1 — a value nobody ever stored. The torn-read oracle fires." },
            Note { at: 6, text: "AVIC rings the doorbell of pCPU1, where vCPU1 runs: the wrong CPU. Nothing is lost in this run (the vector already sits in vCPU0's IRR and is taken at VMRUN); the harm is that hardware acted on an entry that is neither the old state nor the new one." },
            Note { at: 7, text: "The low half lands: the entry is whole again, too late for AVIC." },
        ],
        run_shows: &[TornRead],
        takeaway: "Locks order CPUs that take them; hardware takes no lock. A store the hardware reads must be one access (WRITE_ONCE). A load under the lock only races with stores made under the same lock, so READ_ONCE there buys nothing — upstream later dropped it by keeping a software copy of the entry.",
        claims: &[
            Claim { scenarios: &["ipi-during-load"], strategy: "lock-fix-plain-write", memory: &[], expect: Expect::Shows(TornRead) },
            Claim { scenarios: &["ipi-during-load"], strategy: "lock-fix-plain-read", memory: &[], expect: Expect::Safe },
            Claim { scenarios: &["put-block-vs-affinity", "migrate-vs-affinity"], strategy: "lock-fix-plain-read", memory: &[], expect: Expect::Free(&[StaleIrte, LostWakeup, TornRead]) },
        ],
        commits: &[
            Commit { id: "4c08e737f056", title: "KVM: SVM: Take and hold ir_list_lock when updating vCPU's Physical ID entry" },
            Commit { id: "d921665e01ba", title: "KVM: SVM: Add enable_ipiv param, never set IsRunning if disabled" },
        ],
    },
    Lesson {
        id: "upstream-rework",
        number: 6,
        title: "The later upstream rework, and what it does not fix",
        scenario: "retarget-vs-old-owner",
        strategy: "linux-6.6",
        memory: Sc,
        schedule: "00000000011112222211112222222333",
        first_release_schedule: "000000000111121112222222333",
        notes: &[
            Note { at: 0, text: "The 6.6 fix left one window (our reading of 6.6–6.16; upstream's commit calls its change a cleanup): the IRTE is re-posted to its new vCPU before it is unlinked from the old vCPU's ir_list. The old owner, vCPU1, is being scheduled in; the new target, vCPU0, is going to sleep." },
            Note { at: 9, text: "vCPU0 is asleep; its ir_list is empty, so no IRTE was marked for it." },
            Note { at: 13, text: "vCPU1's load holds vCPU1's lock and walks vCPU1's list, which still holds IRTE0." },
            Note { at: 18, text: "The updater re-posts IRTE0 to vCPU0: under the irq_desc lock it rebuilds the copy (GA tag and backing page of vCPU0, IsRun=0), publishes it and flushes the IOMMU cache. It holds no ir_list_lock: the IRTE is not on vCPU0's list yet, and still on vCPU1's." },
            Note { at: 20, text: "vCPU1's load edits IRTE0 and publishes IsRun=1 with pCPU1 — into an IRTE that now posts to vCPU0. Each lock protects its own vCPU's list; nothing protects the IRTE moving between two lists." },
            Note { at: 27, text: "The updater, under vCPU0's lock, reads IsRunning=0 and leaves the IRTE alone, trusting that activation left IsRun=0. It did not stay that way." },
            Note { at: 29, text: "IRTE0 is on vCPU0's list with IsRun=1 while vCPU0 sleeps: stale." },
            Note { at: 32, text: "The interrupt rings pCPU1's doorbell: vCPU0 is never woken." },
        ],
        run_shows: &[StaleIrte, LostWakeup],
        takeaway: "Linux 6.17 reworked the path: unlink the IRTE from the previous vCPU first, then activate it once, with its target pCPU (or none), under the new vCPU's ir_list_lock, and request GA-log interrupts only while the vCPU blocks. That closes this window and the activation's IsRun=0 latency window of lesson 4: the checker finds no violation at all for linux-6.17 in retarget-vs-old-owner, put-block-vs-affinity, migrate-vs-affinity, ipi-during-load, block-ga-log, ipi-to-halting, apicv-toggle, concurrent-updaters, halt-migrates and old-owner-migrates. It is not safe everywhere. (1) The unlink opens a window of its own: avic_pi_update_irte() calls svm_ir_list_del() first, dropping the previous vCPU's ir_list_lock before taking the target's. A blocking put of that vCPU in the window walks a list without the IRTE, so the IRTE keeps IsRun=1 and the old destination; an interrupt then rings a doorbell nobody answers and the halting vCPU sleeps with the vector pending: lost wake-ups in repost-while-halting, halt-preempted and old-owner-halts. 6.6–6.16 were immune to this one, because their activation had already written IsRun=0 and GALogIntr=1 before the unlink (the checker finds no lost wake-up in repost-while-halting or halt-preempted under linux-6.6 or linux-6.15). The candidate fix linux-6.17-disarm (disarm the IRTE in svm_ir_list_del()) removes these two hangs in the model. (2) Activating under ir_list_lock nests irq_desc inside it: the ir_list_lock → irq_desc → rq → ir_list_lock cycle, reported on LKML in December 2025 against 6.19-rc2, deadlocks lock-order-affinity; we found no merged fix. (3) Every version, 6.17 included, keeps the IOMMU cache window: an interrupt between the IRTE publish and the IRT flush uses the cached old GA root pointer with the new, uncached destination: a delayed delivery in retargeting scenarios, and a lost wake-up when the old owner halts (old-owner-halts hangs under linux-6.6 too, and under linux-6.17-disarm). The unlink window is written up in docs/findings/linux-6.17-unlink-window.md.",
        claims: &[
            Claim { scenarios: &["retarget-vs-old-owner"], strategy: "linux-6.6", memory: &[], expect: Expect::Shows(LostWakeup) },
            Claim { scenarios: SAFE_IN_6_17, strategy: "linux-6.17", memory: &[Sc, Tso], expect: Expect::Safe },
            Claim { scenarios: &["repost-while-halting", "halt-preempted", "old-owner-halts"], strategy: "linux-6.17", memory: &[], expect: Expect::Shows(LostWakeup) },
            Claim { scenarios: &["repost-while-halting", "halt-preempted"], strategy: "linux-6.6", memory: &[], expect: Expect::Free(&[LostWakeup]) },
            Claim { scenarios: &["repost-while-halting", "halt-preempted"], strategy: "linux-6.15", memory: &[], expect: Expect::Free(&[LostWakeup]) },
            Claim { scenarios: &["lock-order-affinity"], strategy: "linux-6.17", memory: &[], expect: Expect::Shows(Deadlock) },
            Claim { scenarios: &["lock-order-affinity"], strategy: "linux-6.6", memory: &[], expect: Expect::Free(&[Deadlock]) },
            Claim { scenarios: &["running-retarget", "old-owner-preempted", "new-target-preempted"], strategy: "linux-6.17", memory: &[], expect: Expect::Shows(DelayedDelivery) },
            Claim { scenarios: &["repost-while-halting", "halt-preempted"], strategy: "linux-6.17-disarm", memory: &[], expect: Expect::Free(&[LostWakeup]) },
            Claim { scenarios: &["old-owner-halts"], strategy: "linux-6.6", memory: &[], expect: Expect::Shows(LostWakeup) },
        ],
        commits: &[
            Commit { id: "0a917e9d4b70", title: "KVM: SVM: Delete IRTE link from previous vCPU before setting new IRTE" },
            Commit { id: "c3d591c91f9c", title: "KVM: SVM: Take and hold ir_list_lock across IRTE updates in IOMMU" },
            Commit { id: "f965255dc503", title: "iommu/amd: KVM: SVM: Set pCPU info in IRTE when setting vCPU affinity" },
            Commit { id: "b03500f03ea0", title: "KVM: SVM: Generate GA log IRQs only if the associated vCPUs is blocking" },
        ],
    },
];
