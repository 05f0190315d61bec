//! "What is this race?": the story of the naive-update lost wake-up (lesson 2's run) in a few
//! sentences, each told beside the machine picture at one key step. Every claim about the
//! kernel names its function, version and commit (`docs/kernel-notes.md` §1–§4, §10); the
//! tests check that each frame's picture shows what its text says.

use crate::explore::Session;
use crate::lessons::{self, Lesson};
use crate::scene::Scene;

/// One key step of the story.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Steps taken when the picture is drawn.
    pub at: usize,
    /// A short heading.
    pub title: &'static str,
    /// What the picture shows and why it matters.
    pub text: &'static str,
}

/// The primer.
#[derive(Debug)]
pub struct Primer {
    /// Its heading.
    pub title: &'static str,
    /// What the moving parts are, before the first picture.
    pub intro: &'static [&'static str],
    /// The key steps.
    pub frames: &'static [Frame],
    /// How it was fixed, after the last picture.
    pub outro: &'static [&'static str],
    /// The lesson whose world and run the story follows.
    pub lesson: &'static str,
}

static PRIMER: Primer = Primer {
    title: "What is this race?",
    intro: &[
        "A passed-through device's interrupt reaches a guest through the AMD IOMMU. Its interrupt remapping table entry (IRTE) in guest (GA) mode names a vCPU. When the device fires, the IOMMU sets the vector in that vCPU's vAPIC IRR and reads the IRTE's IsRun bit: if it is 1, it rings a doorbell at the pCPU in Destination, and the vCPU running there in the guest takes the interrupt at once; if it is 0, it writes a GA-log entry and raises the GA-log interrupt, whose handler avic_ga_log_notifier() wakes the vCPU with kvm_vcpu_wake_up() (arch/x86/kvm/svm/avic.c, Linux 6.5; posting from 411b44ba80ab \"svm: Implements update_pi_irte hook to setup posted interrupt\").",
        "So IsRun must be 1 only while the vCPU runs. Before a vCPU blocks, avic_vcpu_put() (Linux 6.5, in the form of ba8ec273240a) clears IsRun in every IRTE on the vCPU's ir_list, then clears IsRunning in its AVIC physical APIC ID table entry. Meanwhile another CPU may re-post the interrupt to that vCPU: avic_pi_update_irte() rewrites the IRTE, and only then links it on the vCPU's ir_list with svm_ir_list_add().",
        "Below, the machine at five steps of the shortest lost wake-up the checker finds for the first 2023 patch. Each IRTE's arrow shows where an interrupt would go if the device fired at that moment.",
    ],
    frames: &[
        Frame {
            at: 0,
            title: "vCPU0 runs; its interrupt is about to be re-posted",
            text: "vCPU0 is in the guest on pCPU0 and is about to execute HLT. The IRQ affinity updater is about to move IRTE0 to vCPU0 (irqbalance or a VFIO user reprogrammed the device's MSI).",
        },
        Frame {
            at: 9,
            title: "vCPU0 is asleep",
            text: "vCPU0 exited, ran avic_vcpu_put() and went to sleep in schedule(). Its ir_list was still empty, so put had no IRTE to mark not-running. From now on only a GA-log interrupt can wake it for a device interrupt.",
        },
        Frame {
            at: 16,
            title: "Activation: the interrupt would take the GA-log way",
            text: "amd_iommu_activate_guest_mode() (drivers/iommu/amd/iommu.c, Linux 6.4 to 6.16; since ed8a2f4ddef2 \"iommu/amd: Don't block updates to GATag if guest mode is on\") rebuilt IRTE0 for vCPU0 with IsRun=0, Destination=0 and GALogIntr=1, published it and flushed the IOMMU's cache. Right for a sleeping vCPU: an interrupt now would be logged and wake vCPU0.",
        },
        Frame {
            at: 17,
            title: "The patch's line: a doorbell nobody answers",
            text: "The May 2023 patch \"KVM: SVM: Update destination when updating pi irte\" (Message-Id 20230516122159.3834044-1-dengqiao.joey@bytedance.com, never merged) adds, in avic_pi_update_irte() before svm_ir_list_add(), amd_iommu_update_ga(kvm_cpu_get_apicid(svm->vcpu.cpu), true, pi.ir_data), with no lock. vcpu->cpu still says pCPU0 after the put, so IRTE0 now says IsRun=1, Destination=pCPU0: the arrow swings to a pCPU where no vCPU is in the guest. When svm_ir_list_add() links the IRTE a few steps later, the put that would have cleared IsRun has already run.",
        },
        Frame {
            at: 24,
            title: "The device fires: a lost wake-up",
            text: "The IOMMU sets the vector in vCPU0's IRR and, IsRun being 1, rings pCPU0's doorbell. Nobody answers, and no GA-log entry is written. vCPU0 sleeps with an interrupt pending and nothing will wake it: the guest hangs.",
        },
    ],
    outro: &[
        "Linux 6.6 closed this: 4c08e737f056 \"KVM: SVM: Take and hold ir_list_lock when updating vCPU's Physical ID entry\" makes avic_vcpu_load() and avic_vcpu_put() hold ir_list_lock around the entry write and the IRTE walk, and f3cebc75e742 \"KVM: SVM: Set target pCPU during IRTE update if target vCPU is running\" has svm_ir_list_add() read the entry under that lock and set IsRun and Destination only if IsRunning is set. The checker finds no lost wake-up in this scenario under linux-6.6.",
        "Lesson 2 plays this run step by step with notes; lesson 4 shows the fix. Every step's kernel function and version is in docs/kernel-notes.md.",
    ],
    lesson: "first-patch",
};

/// The primer.
pub fn primer() -> &'static Primer {
    &PRIMER
}

impl Primer {
    /// The lesson whose world and run the story follows.
    pub fn lesson(&self) -> &'static Lesson {
        lessons::by_id(self.lesson).expect("the primer follows a shipped lesson")
    }

    /// Its run, replayed to the end.
    pub fn session(&self) -> Session {
        let mut s = self.lesson().session();
        s.goto(s.len());
        s
    }

    /// The machine picture of each frame, in order.
    pub fn scenes(&self) -> Vec<Scene> {
        let s = self.session();
        self.frames.iter().map(|f| Scene::at(&s, f.at)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::Route;
    use crate::ViolationKind;

    #[test]
    fn each_frame_shows_what_its_text_says() {
        let p = primer();
        let s = p.session();
        assert_eq!(s.len(), 24, "lesson 2's run");
        let scenes = p.scenes();
        let at: Vec<usize> = p.frames.iter().map(|f| f.at).collect();
        assert_eq!(at, [0, 9, 16, 17, 24]);
        let [start, asleep, activated, patched, hang] = &scenes[..] else {
            panic!("five frames")
        };
        assert!(start.pcpus[0]
            .occupant
            .is_some_and(|o| o.in_guest && o.vcpu == 0));
        assert!(asleep.vcpus[0].asleep && asleep.vcpus[0].ir_list.is_empty());
        assert!(matches!(
            activated.irtes[0].route,
            Route::GaLog { tag: 0, .. }
        ));
        assert!(activated.irtes[0].text.contains("IsRun 0 dest 0 GALog 1"));
        assert!(patched.irtes[0].changed && patched.irtes[0].route.unanswered());
        assert!(patched.pcpus[0].occupant.is_none());
        assert!(hang.irtes[0].route.unanswered() && hang.vcpus[0].irr != 0);
        assert!(hang.ga_log.is_empty());
        assert!(s
            .violations()
            .iter()
            .any(|v| v.kind == ViolationKind::LostWakeup));
    }

    #[test]
    fn every_commit_it_cites_is_in_the_kernel_notes() {
        let notes = include_str!("../../docs/kernel-notes.md");
        let p = primer();
        let all: Vec<&str> = p
            .intro
            .iter()
            .chain(p.outro)
            .copied()
            .chain(p.frames.iter().map(|f| f.text))
            .collect();
        let mut cited = 0;
        for word in all.join(" ").split(|c: char| !c.is_ascii_alphanumeric()) {
            if word.len() == 12 && word.chars().all(|c| c.is_ascii_hexdigit()) {
                assert!(
                    notes.contains(word),
                    "{word} is not in docs/kernel-notes.md"
                );
                cited += 1;
            }
        }
        assert!(cited >= 5, "{cited} commits cited");
        assert!(notes.contains("20230516122159.3834044-1-dengqiao.joey@bytedance.com"));
    }

    #[test]
    fn the_outro_s_claim_about_linux_6_6_holds() {
        let sim = crate::Sim::from_ids("put-block-vs-affinity", "linux-6.6", "sc").unwrap();
        let r = crate::explore::check(&sim, &Default::default(), &mut |_| true);
        assert!(!r.kinds().contains(&ViolationKind::LostWakeup));
    }
}
