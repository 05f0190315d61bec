//! Scenarios: what runs (threads and their operations) from which initial state; the five shipped
//! ones; validation with clear errors; JSON round trips.

use crate::program::{Actor, Op};
use crate::text;
use crate::vocab::ViolationKind;
use serde::{Deserialize, Serialize};

/// Size limits that keep every scenario small enough to explore.
pub const MAX_PCPUS: u8 = 4;
/// At most this many vCPUs.
pub const MAX_VCPUS: u8 = 4;
/// At most this many IRTEs (vector `i` belongs to IRTE `i`; vector 7 is the IPI vector).
pub const MAX_IRTES: u8 = 7;
/// At most this many scripted threads (the GA-log handler makes one more).
pub const MAX_THREADS: usize = 9;
/// At most this many operations per thread.
pub const MAX_OPS: usize = 8;
/// The vector guest IPIs use.
pub const IPI_VECTOR: u8 = 7;

/// Where a vCPU starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VcpuStart {
    /// In the guest on `pcpu`.
    InGuest,
    /// Loaded on `pcpu`, outside the guest.
    Loaded,
    /// Scheduled out; `pcpu` is the last one it ran on.
    Preempted,
}

/// A vCPU's initial state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VcpuInit {
    /// Life-cycle state.
    pub state: VcpuStart,
    /// The pCPU it is on (or last ran on).
    pub pcpu: u8,
}

/// An IRTE's initial state: the vCPU the guest aims the interrupt at, and whether the IRTE already
/// posts to it (GA mode, on its ir_list, consistent with its entry) or is still remapped (legacy).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IrteInit {
    /// The vCPU the guest's MSI targets.
    #[serde(default)]
    pub vcpu: u8,
    /// Already posted (GA mode) to that vCPU.
    #[serde(default)]
    pub posted: bool,
}

/// One scripted thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadSpec {
    /// Display name (defaults from the actor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Who runs it.
    pub actor: Actor,
    /// Its operations, in order.
    pub ops: Vec<Op>,
}

/// A scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// What it shows.
    #[serde(default)]
    pub description: String,
    /// Number of pCPUs.
    pub pcpus: u8,
    /// vCPUs by id.
    pub vcpus: Vec<VcpuInit>,
    /// IRTEs by index.
    #[serde(default)]
    pub irtes: Vec<IrteInit>,
    /// Scripted threads.
    pub threads: Vec<ThreadSpec>,
    /// The oracles that judge it.
    #[serde(default = "all_oracles")]
    pub oracles: Vec<ViolationKind>,
}

fn all_oracles() -> Vec<ViolationKind> {
    ViolationKind::ALL.to_vec()
}

/// Why a scenario cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// Not valid JSON for a scenario.
    #[error("scenario JSON: {0}")]
    Json(String),
    /// Valid JSON, impossible machine or script.
    #[error("scenario '{id}': {msg}")]
    Invalid {
        /// Scenario id.
        id: String,
        /// What is wrong.
        msg: String,
    },
    /// No shipped scenario has this id.
    #[error("unknown scenario '{0}'; known: {list}", list = ids().join(", "))]
    Unknown(String),
}

/// Longest scenario JSON accepted, in bytes: a file or a paste (the largest valid scenario is a
/// few KiB).
pub const MAX_JSON: usize = 1 << 20;

impl Scenario {
    /// Parse and validate JSON (at most [`MAX_JSON`] bytes; a leading byte-order mark, as some
    /// editors write, is skipped).
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > MAX_JSON {
            return Err(ScenarioError::Json(format!(
                "{} bytes is too long: scenario files are at most 1 MiB",
                text.len()
            )));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let s: Scenario = serde_json::from_str(text)
            .map_err(|e| ScenarioError::Json(text::escape(&e.to_string()).into_owned()))?;
        s.validate()?;
        Ok(s)
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("scenario serializes")
    }

    /// The display name of thread `t`.
    pub fn thread_name(&self, t: usize) -> String {
        let spec = &self.threads[t];
        spec.name.clone().unwrap_or_else(|| spec.actor.to_string())
    }

    /// Whether the GA-log handler runs (any device thread).
    pub fn has_ga_log_handler(&self) -> bool {
        self.threads.iter().any(|t| t.actor == Actor::Device)
    }

    /// Check sizes, indices and that every vCPU script is a possible life cycle.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        // The id and the names are shown on terminals and pages: plain, short text only.
        text::check_id(&self.id).map_err(|msg| ScenarioError::Invalid {
            id: text::shown(&self.id, text::MAX_ECHO),
            msg,
        })?;
        let bad = |msg: String| {
            Err(ScenarioError::Invalid {
                id: self.id.clone(),
                msg,
            })
        };
        let labels = [
            ("the title", &self.title, text::MAX_NAME),
            ("the description", &self.description, text::MAX_DESCRIPTION),
        ];
        for (what, label, max) in labels {
            text::check_label(what, label, max).or_else(bad)?;
        }
        for (t, spec) in self.threads.iter().enumerate() {
            if let Some(name) = &spec.name {
                text::check_label(&format!("thread {t}'s name"), name, text::MAX_NAME)
                    .or_else(bad)?;
            }
        }
        if self.pcpus == 0 || self.pcpus > MAX_PCPUS {
            return bad(format!("pcpus must be 1..={MAX_PCPUS}, got {}", self.pcpus));
        }
        if self.vcpus.is_empty() || self.vcpus.len() > MAX_VCPUS as usize {
            return bad(format!(
                "vcpus must list 1..={MAX_VCPUS} vCPUs, got {}",
                self.vcpus.len()
            ));
        }
        if self.irtes.len() > MAX_IRTES as usize {
            return bad(format!(
                "at most {MAX_IRTES} IRTEs, got {}",
                self.irtes.len()
            ));
        }
        if self.threads.is_empty() || self.threads.len() > MAX_THREADS {
            return bad(format!(
                "threads must list 1..={MAX_THREADS} threads, got {}",
                self.threads.len()
            ));
        }
        let nv = self.vcpus.len() as u8;
        let ni = self.irtes.len() as u8;
        let mut in_guest_on = vec![None; self.pcpus as usize];
        for (v, init) in self.vcpus.iter().enumerate() {
            if init.pcpu >= self.pcpus {
                return bad(format!(
                    "vCPU{v} starts on pCPU{}, but there are only {} pCPUs",
                    init.pcpu, self.pcpus
                ));
            }
            if init.state != VcpuStart::Preempted {
                if let Some(other) = in_guest_on[init.pcpu as usize] {
                    return bad(format!(
                        "vCPU{other} and vCPU{v} are both loaded on pCPU{}",
                        init.pcpu
                    ));
                }
                in_guest_on[init.pcpu as usize] = Some(v);
            }
        }
        for (i, irte) in self.irtes.iter().enumerate() {
            if irte.vcpu >= nv {
                return bad(format!(
                    "IRTE{i} targets vCPU{}, which does not exist",
                    irte.vcpu
                ));
            }
        }
        let mut vcpu_threads = vec![false; nv as usize];
        for (t, spec) in self.threads.iter().enumerate() {
            let name = format!("thread {t} ({})", self.thread_name(t));
            if spec.ops.is_empty() || spec.ops.len() > MAX_OPS {
                return bad(format!(
                    "{name} must have 1..={MAX_OPS} operations, got {}",
                    spec.ops.len()
                ));
            }
            match spec.actor {
                Actor::Vcpu(v) if v >= nv => {
                    return bad(format!("{name} runs vCPU{v}, which does not exist"))
                }
                Actor::Vcpu(v) => {
                    if vcpu_threads[v as usize] {
                        return bad(format!(
                            "vCPU{v} has two threads; one host thread runs a vCPU"
                        ));
                    }
                    vcpu_threads[v as usize] = true;
                }
                Actor::GaLog => {
                    return bad(format!("{name}: the GA-log handler is added automatically"))
                }
                _ => {}
            }
            for op in &spec.ops {
                if !op.fits(spec.actor) {
                    return bad(format!("{name}: a {} cannot run '{op}'", spec.actor));
                }
                match *op {
                    Op::Load { pcpu } if pcpu >= self.pcpus => {
                        return bad(format!(
                            "{name}: '{op}' names pCPU{pcpu}, but there are only {} pCPUs",
                            self.pcpus
                        ))
                    }
                    Op::UpdateAffinity { irte, vcpu } if irte >= ni || vcpu >= nv => {
                        return bad(format!("{name}: '{op}' names a missing IRTE or vCPU"))
                    }
                    Op::Interrupt { irte } if irte >= ni => {
                        return bad(format!("{name}: '{op}' names a missing IRTE"))
                    }
                    Op::Ipi { to } if to >= nv => {
                        return bad(format!("{name}: '{op}' names a missing vCPU"))
                    }
                    Op::BlockResumeOn { pcpu } if pcpu >= self.pcpus => {
                        return bad(format!(
                            "{name}: '{op}' names pCPU{pcpu}, but there are only {} pCPUs",
                            self.pcpus
                        ))
                    }
                    Op::HostAffinity { irte, pcpu } if irte >= ni || pcpu >= self.pcpus => {
                        return bad(format!("{name}: '{op}' names a missing IRTE or pCPU"))
                    }
                    _ => {}
                }
            }
            if let Actor::Vcpu(v) = spec.actor {
                self.check_life_cycle(v, &spec.ops)
                    .or_else(|msg| bad(format!("{name}: {msg}")))?;
            }
        }
        Ok(())
    }

    fn check_life_cycle(&self, v: u8, ops: &[Op]) -> Result<(), String> {
        /// A vCPU's life-cycle state while its script is checked.
        #[derive(Clone, Copy, PartialEq)]
        enum Life {
            InGuest,
            Loaded,
            Preempted,
            /// Loaded outside the guest with APICv inhibited.
            Inhibited,
            /// In the guest with APICv inhibited.
            InGuestInhibited,
        }
        let mut state = match self.vcpus[v as usize].state {
            VcpuStart::InGuest => Life::InGuest,
            VcpuStart::Loaded => Life::Loaded,
            VcpuStart::Preempted => Life::Preempted,
        };
        for op in ops {
            state = match (state, op) {
                (Life::InGuest, Op::Exit) => Life::Loaded,
                (Life::Loaded, Op::Enter) => Life::InGuest,
                (Life::Loaded, Op::Put) => Life::Preempted,
                (Life::Loaded, Op::Block | Op::BlockPreempted | Op::BlockResumeOn { .. }) => {
                    Life::Loaded
                }
                (Life::Preempted, Op::Load { .. }) => Life::Loaded,
                (Life::Loaded, Op::ApicvOff) => Life::Inhibited,
                (Life::Inhibited, Op::ApicvOn) => Life::Loaded,
                (Life::Inhibited, Op::Enter) => Life::InGuestInhibited,
                (Life::InGuestInhibited, Op::Exit) => Life::Inhibited,
                (s, op) => {
                    let now = match s {
                        Life::InGuest => "in the guest (exit first)",
                        Life::Loaded => {
                            "loaded outside the guest (enter, put, block or inhibit APICv)"
                        }
                        Life::Preempted => "scheduled out (load first)",
                        Life::Inhibited => {
                            "loaded with APICv inhibited (re-activate APICv, or enter)"
                        }
                        Life::InGuestInhibited => "in the guest with APICv inhibited (exit first)",
                    };
                    return Err(format!("vCPU{v} cannot '{op}' while {now}"));
                }
            };
        }
        if matches!(state, Life::Inhibited | Life::InGuestInhibited) {
            return Err(format!(
                "vCPU{v} ends with APICv inhibited: re-activate it ('apicv-on') before the script ends"
            ));
        }
        Ok(())
    }
}

fn vcpu(state: VcpuStart, pcpu: u8) -> VcpuInit {
    VcpuInit { state, pcpu }
}

fn thread(actor: Actor, ops: Vec<Op>) -> ThreadSpec {
    ThreadSpec {
        name: None,
        actor,
        ops,
    }
}

use ViolationKind as K;

/// The shipped scenarios, in teaching order.
pub fn shipped() -> Vec<Scenario> {
    vec![
        Scenario {
            id: "put-block-vs-affinity".into(),
            title: "Affinity update vs. a vCPU that halts".into(),
            description: "vCPU0 runs on pCPU0, exits and halts, while the IRQ-affinity updater posts IRTE0 to it and the device fires once. If the IRTE ends up saying 'running on pCPU0' after the vCPU went to sleep, the IOMMU rings a doorbell nobody answers instead of logging to the GA log: a lost wake-up.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit::default()],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "migrate-vs-affinity".into(),
            title: "Affinity update vs. a migrating vCPU".into(),
            description: "vCPU0 moves from pCPU0 to pCPU1 (exit, put, load, enter) while IRTE0 is posted to it. A stale IRTE keeps ringing pCPU0's doorbell although the vCPU now runs on pCPU1.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit::default()],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Put, Op::Load { pcpu: 1 }, Op::Enter]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: vec![K::StaleIrte, K::DelayedDelivery, K::TornRead, K::Deadlock],
        },
        Scenario {
            id: "running-retarget".into(),
            title: "Retargeting an IRTE to a running vCPU".into(),
            description: "IRTE0 is posted to vCPU1 and is moved to vCPU0, which keeps running in the guest on pCPU0. Before 2023 the new IRTE says IsRun=0 until vCPU0 is next scheduled in, so its interrupts take the GA-log detour and wait for the next VM exit.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "ipi-during-load".into(),
            title: "A guest IPI while the target is loaded".into(),
            description: "vCPU0 is scheduled in on pCPU0 (it last ran on pCPU1) while vCPU1, running on pCPU1, sends it an IPI through AVIC. AVIC reads vCPU0's physical ID entry from memory at any moment: a torn plain store can show it IsRunning=1 with the old host ID.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::Preempted, 1), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Load { pcpu: 0 }, Op::Enter]),
                ThreadSpec { name: Some("AVIC on pCPU1 (vCPU1's IPI)".into()), actor: Actor::Avic, ops: vec![Op::Ipi { to: 0 }] },
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "retarget-vs-old-owner".into(),
            title: "Retargeting away from a vCPU that is scheduled in".into(),
            description: "IRTE0 is posted to vCPU1, which is being scheduled in on pCPU1, and is moved to vCPU0, which exits and halts. From Linux 6.6 to 6.16 the IRTE is rewritten for vCPU0 before it leaves vCPU1's ir_list, so vCPU1's load can still stamp 'running on pCPU1' into it; 6.17 unlinks it first. (A window the kernel notes infer from the code; the checker shows whether it matters.)".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::Preempted, 1)],
            irtes: vec![IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                thread(Actor::Vcpu(1), vec![Op::Load { pcpu: 1 }]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "block-ga-log".into(),
            title: "The happy path: GA-log wake-up".into(),
            description: "IRTE0 is already posted to vCPU0, which exits and halts while the device fires. Whichever comes first, the interrupt is either seen by the final IRR check or logged to the GA log, whose handler wakes the vCPU.".into(),
            pcpus: 1,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit { vcpu: 0, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "ipi-to-halting".into(),
            title: "A guest IPI to a vCPU that halts".into(),
            description: "vCPU0 exits and halts while vCPU1, running on pCPU1, sends it an IPI through AVIC. The hardware writes the IRR first and reads IsRunning after; KVM clears IsRunning, then (set_current_state is a full barrier) checks the IRR one last time. One of the two always sees the other: the happy path. On a CPU with erratum #1235 the read can come too early, and only turning IPI virtualization off closes the gap.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                ThreadSpec { name: Some("AVIC on pCPU1 (vCPU1's IPI)".into()), actor: Actor::Avic, ops: vec![Op::Ipi { to: 0 }] },
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "old-owner-halts".into(),
            title: "Retargeting away from a vCPU that halts".into(),
            description: "IRTE0 posts to vCPU1 and is moved to vCPU0, which keeps running on pCPU0, while vCPU1 exits and halts. Up to 6.16 vCPU1's blocking put still walks IRTE0 (it leaves vCPU1's list only after it was rewritten for vCPU0) and edits the same software copy as the updater.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(1), vec![Op::Exit, Op::Block]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "old-owner-preempted".into(),
            title: "Retargeting away from a vCPU that is preempted".into(),
            description: "IRTE0 posts to vCPU1 and is moved to vCPU0, which halts, while vCPU1 exits and is scheduled out. vCPU1's put can still mark IRTE0 IsRun=0 after the updater pointed it at vCPU0.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                thread(Actor::Vcpu(1), vec![Op::Exit, Op::Put]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "old-owner-migrates".into(),
            title: "Retargeting away from a vCPU that migrates".into(),
            description: "IRTE0 posts to vCPU1 (preempted, last on pCPU1) and is moved to vCPU0, running on pCPU0, while vCPU1 is scheduled in on pCPU2. vCPU1's load can stamp 'running on pCPU2' into an IRTE that now posts to vCPU0.".into(),
            pcpus: 3,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::Preempted, 1)],
            irtes: vec![IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(1), vec![Op::Load { pcpu: 2 }]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "repost-while-halting".into(),
            title: "Re-posting an IRTE to the vCPU that halts".into(),
            description: "IRTE0 already posts to vCPU0; the guest reprograms the MSI (new routing, same vCPU) while vCPU0 exits and halts, and the device fires. The update takes the IRTE off vCPU0's list and puts it back: the halt must not miss either the old or the new IRTE.".into(),
            pcpus: 1,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit { vcpu: 0, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Block]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "new-target-preempted".into(),
            title: "Retargeting to a vCPU that is being preempted".into(),
            description: "IRTE0 posts to vCPU1 (running on pCPU1) and is moved to vCPU0, which exits and is scheduled out on pCPU0 meanwhile. The new IRTE must not keep saying 'running on pCPU0'.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![IrteInit { vcpu: 1, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Put]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "concurrent-updaters".into(),
            title: "Two affinity updates of one IRTE at once".into(),
            description: "A routing update moves IRTE0 to vCPU1 while a bypass producer is (re)connected for it, posting it to vCPU0; both vCPUs run. Before 6.15 the producer path did not take kvm->irqfds.lock, so the two updates can interleave; from 6.15 they are serialised.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0), vcpu(VcpuStart::InGuest, 1)],
            irtes: vec![IrteInit { vcpu: 0, posted: true }],
            threads: vec![
                ThreadSpec { name: Some("routing update (→ vCPU1)".into()), actor: Actor::Updater, ops: vec![Op::UpdateAffinity { irte: 0, vcpu: 1 }] },
                ThreadSpec { name: Some("add producer (→ vCPU0)".into()), actor: Actor::Updater, ops: vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }] },
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "halt-migrates".into(),
            title: "A halted vCPU wakes up on another pCPU".into(),
            description: "vCPU0 halts on pCPU0 and, once woken, is scheduled in on pCPU1 (its load returns early while it is still blocking; the unblocking load then uses the new vcpu->cpu), while IRTE0 is posted to it and the device fires.".into(),
            pcpus: 2,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit::default()],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::BlockResumeOn { pcpu: 1 }, Op::Enter]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "halt-preempted".into(),
            title: "A vCPU preempted while it halts".into(),
            description: "vCPU0 halts and is preempted between avic_vcpu_blocking() and set_current_state(); the put and load of that preemption see a blocking vCPU and return early (6.17 keeps GA-log interrupts on). Meanwhile IRTE0 is re-posted to it and the device fires.".into(),
            pcpus: 1,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit { vcpu: 0, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::BlockPreempted]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "apicv-toggle".into(),
            title: "APICv inhibited and re-activated".into(),
            description: "vCPU0 exits, APICv is inhibited (its IRTE goes to remapped mode) and re-activated, and it re-enters the guest while the device fires. From 6.6 to 6.16 the re-activation loads the vCPU first and then re-activates the IRTE with IsRun=0 and no destination, so it stays stale until the next reschedule; 6.17 activates it with the target (f965255dc503).".into(),
            pcpus: 1,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit { vcpu: 0, posted: true }],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::ApicvOff, Op::ApicvOn, Op::Enter]),
                thread(Actor::Device, vec![Op::Interrupt { irte: 0 }]),
            ],
            oracles: all_oracles(),
        },
        Scenario {
            id: "lock-order-affinity".into(),
            title: "The ir_list_lock / irq_desc / rq lock cycle".into(),
            description: "A bypass producer posts IRTE0 to vCPU0 while vCPU0 is scheduled out (its put runs under pCPU0's rq->lock) and the host moves the same interrupt (irq_set_affinity wakes its thread on pCPU0 under irq_desc->lock). In 6.17 and later the updater holds ir_list_lock across irq_set_vcpu_affinity(), which takes irq_desc->lock: ir_list_lock → irq_desc → rq → ir_list_lock, the cycle lockdep reported on 6.19-rc2 (Dec 2025).".into(),
            pcpus: 1,
            vcpus: vec![vcpu(VcpuStart::InGuest, 0)],
            irtes: vec![IrteInit::default()],
            threads: vec![
                thread(Actor::Vcpu(0), vec![Op::Exit, Op::Put]),
                thread(Actor::Updater, vec![Op::UpdateAffinity { irte: 0, vcpu: 0 }]),
                ThreadSpec { name: Some("irq_set_affinity (host)".into()), actor: Actor::Host, ops: vec![Op::HostAffinity { irte: 0, pcpu: 0 }] },
            ],
            oracles: all_oracles(),
        },
    ]
}

/// The shipped scenario ids in order.
pub fn ids() -> Vec<String> {
    shipped().into_iter().map(|s| s.id).collect()
}

/// The shipped scenario with this id.
pub fn by_id(id: &str) -> Result<Scenario, ScenarioError> {
    shipped()
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| ScenarioError::Unknown(text::shown(id, text::MAX_ECHO)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_scenarios_validate_and_round_trip() {
        for s in shipped() {
            s.validate().unwrap();
            assert_eq!(Scenario::from_json(&s.to_json()).unwrap(), s);
        }
    }

    #[test]
    fn bad_json_is_a_clear_error() {
        let e = Scenario::from_json("{\"id\": 3").unwrap_err().to_string();
        assert!(e.starts_with("scenario JSON:"), "{e}");
        let e = Scenario::from_json("{}").unwrap_err().to_string();
        assert!(e.contains("missing field"), "{e}");
    }

    #[test]
    fn impossible_scenarios_are_rejected_with_reasons() {
        let mut s = by_id("migrate-vs-affinity").unwrap();
        s.threads[0].ops.insert(0, Op::Enter);
        let e = s.validate().unwrap_err().to_string();
        assert!(
            e.contains("vCPU0 cannot 'enter guest' while in the guest"),
            "{e}"
        );

        let mut s = by_id("migrate-vs-affinity").unwrap();
        s.threads[0].ops[2] = Op::Load { pcpu: 9 };
        assert!(s.validate().unwrap_err().to_string().contains("pCPU9"));

        let mut s = by_id("block-ga-log").unwrap();
        s.threads[1].ops = vec![Op::Put];
        assert!(s
            .validate()
            .unwrap_err()
            .to_string()
            .contains("cannot run 'vcpu_put'"));

        let mut s = by_id("running-retarget").unwrap();
        s.vcpus[1].pcpu = 0;
        assert!(s
            .validate()
            .unwrap_err()
            .to_string()
            .contains("both loaded on pCPU0"));
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let s = by_id("block-ga-log").unwrap();
        let text = format!("\u{feff}{}", s.to_json());
        assert_eq!(Scenario::from_json(&text), Ok(s));
    }

    #[test]
    fn oversized_json_is_refused_before_parsing() {
        let text = format!("{{\"id\": \"{}\"}}", "x".repeat(MAX_JSON));
        let e = Scenario::from_json(&text).unwrap_err().to_string();
        assert!(e.contains("scenario files are at most 1 MiB"), "{e}");
    }

    #[test]
    fn ids_and_names_are_plain_short_text() {
        let evil = "x\u{1b}[2J\u{1b}]0;pwned\u{7}\nverdict: SAFE";
        let mut s = by_id("block-ga-log").unwrap();
        s.id = evil.into();
        let e = Scenario::from_json(&s.to_json()).unwrap_err().to_string();
        assert!(e.contains("scenario id") && e.contains("\\u{1b}"), "{e}");
        assert!(!e.chars().any(text::is_unsafe), "{e:?}");

        let mut s = by_id("block-ga-log").unwrap();
        s.threads[0].name = Some("evil\rverdict: SAFE".into());
        let e = s.validate().unwrap_err().to_string();
        assert!(e.contains("thread 0's name") && e.contains("\\r"), "{e}");
        assert!(!e.chars().any(text::is_unsafe), "{e:?}");

        let mut s = by_id("block-ga-log").unwrap();
        s.threads[1].name = Some("n".repeat(text::MAX_NAME + 1));
        assert!(s.validate().unwrap_err().to_string().contains("at most 80"));
        let mut s = by_id("block-ga-log").unwrap();
        s.title = "\u{202e}SAFE".into();
        assert!(s.validate().unwrap_err().to_string().contains("the title"));
        let mut s = by_id("block-ga-log").unwrap();
        s.id = "a".repeat(text::MAX_ID + 1);
        assert!(s.validate().unwrap_err().to_string().contains("at most 64"));
    }

    #[test]
    fn unknown_ids_are_echoed_escaped() {
        let e = by_id("\u{1b}[2Jnope").unwrap_err().to_string();
        assert!(e.starts_with("unknown scenario '\\u{1b}[2Jnope'"), "{e}");
    }

    #[test]
    fn unknown_id_lists_the_known_ones() {
        let e = by_id("nope").unwrap_err().to_string();
        assert!(e.contains("put-block-vs-affinity"), "{e}");
    }
}
