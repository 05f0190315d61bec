//! The machine picture, renderer-neutral: what a person should see of the machine at one step.
//! pCPUs as boxes with the vCPU in the guest or loaded there; each vCPU with its physical APIC ID
//! table entry (IsRunning, host APIC ID), its vAPIC IRR, its ir_list and who holds its
//! ir_list_lock; the IOMMU with each IRTE as an arrow to where an interrupt posted now would go;
//! the GA log. What the last step changed is marked. [`crate::svg::picture`] draws it.
//!
//! The arrows are [`Delivery::now`], the same rule the executor follows when a device fires, so
//! the picture cannot disagree with the run.

use crate::exec::{doorbell_taker, Delivery, Event};
use crate::explore::Session;
use crate::machine::{entry, Irte, Machine, RunState};
use crate::sim::Sim;
use serde::{Deserialize, Serialize};

/// The vCPU a pCPU holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occupant {
    /// Which vCPU.
    pub vcpu: u8,
    /// In the guest (after VMRUN); otherwise loaded there, in KVM.
    pub in_guest: bool,
}

/// One pCPU.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PcpuBox {
    /// pCPU number.
    pub id: u8,
    /// Its host physical APIC ID (what IRTE Destinations and entries name).
    pub apic: u8,
    /// The vCPU in the guest or loaded there, if any.
    pub occupant: Option<Occupant>,
    /// The last step changed it.
    pub changed: bool,
}

/// One vCPU: where it is, its physical ID table entry, its IRR, its ir_list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VcpuCard {
    /// vCPU number.
    pub id: u8,
    /// Its state in words ("blocked (asleep)", "in guest on pCPU0", …).
    pub state: String,
    /// Asleep in `schedule()`: only a wake-up (the GA log, a kick) brings it back.
    pub asleep: bool,
    /// The state changed in the last step.
    pub state_changed: bool,
    /// The physical APIC ID table entry as memory holds it (what AVIC hardware reads).
    pub entry: u64,
    /// Its IsRunning bit.
    pub is_running: bool,
    /// Its host physical APIC ID field.
    pub host_apic: u8,
    /// The pCPU that APIC ID names, if any.
    pub host_pcpu: Option<u8>,
    /// The entry changed in the last step.
    pub entry_changed: bool,
    /// vAPIC IRR: pending vector bits.
    pub irr: u8,
    /// The IRR changed in the last step.
    pub irr_changed: bool,
    /// The IRTEs linked on its ir_list.
    pub ir_list: Vec<u8>,
    /// The thread holding its ir_list_lock, by name.
    pub lock_holder: Option<String>,
    /// The list or its lock changed in the last step.
    pub list_changed: bool,
}

/// Where an interrupt of an IRTE would go now, as drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Route {
    /// Remapped to the host (GuestMode off): KVM injects into the vCPU.
    Host {
        /// Its vCPU.
        vcpu: u8,
    },
    /// A doorbell to a pCPU.
    Doorbell {
        /// The Destination APIC ID.
        apic: u8,
        /// The pCPU with that APIC ID (`None`: no CPU has it, e.g. a cleared Destination).
        pcpu: Option<u8>,
        /// The vCPU whose IRR gets the vector.
        vcpu: u8,
        /// The vCPU in the guest there, which takes its own IRR when rung.
        taken_by: Option<u8>,
    },
    /// A GA-log entry and interrupt: `avic_ga_log_notifier` wakes the tag's vCPU.
    GaLog {
        /// The vCPU of the GA tag.
        tag: u8,
        /// The vCPU whose IRR gets the vector.
        vcpu: u8,
    },
    /// The IRR is set and nobody is told (IsRun=0, GALogIntr=0).
    Silent {
        /// Its vCPU.
        vcpu: u8,
    },
}

impl Route {
    /// The route of IRTE `i` in machine `m`: [`Delivery::now`], with who answers a doorbell.
    pub fn of(m: &Machine, i: usize) -> Route {
        match Delivery::now(m, i) {
            Delivery::Host { vcpu } => Route::Host { vcpu },
            Delivery::Doorbell { apic, vcpu } => Route::Doorbell {
                apic,
                pcpu: entry::pcpu_of_apic(apic, m.pcpus),
                vcpu,
                taken_by: doorbell_taker(m, apic),
            },
            Delivery::GaLog { tag, vcpu } => Route::GaLog { tag, vcpu },
            Delivery::Silent { vcpu } => Route::Silent { vcpu },
        }
    }

    /// A doorbell that the vCPU it is for does not answer: it is not in the guest there. Unless
    /// something else wakes it, its vector waits in the IRR (the lost wake-up when it sleeps).
    pub fn unanswered(&self) -> bool {
        matches!(*self, Route::Doorbell { vcpu, taken_by, .. } if taken_by != Some(vcpu))
    }

    /// A short reading for the drawing, e.g. "doorbell → pCPU0: nobody answers".
    pub fn short(&self) -> String {
        match *self {
            Route::Host { vcpu } => format!("host: KVM injects (vCPU{vcpu})"),
            Route::Doorbell {
                apic,
                pcpu,
                vcpu,
                taken_by,
            } => {
                let to = pcpu.map_or(format!("APIC ID {apic}"), |p| format!("pCPU{p}"));
                if taken_by == Some(vcpu) {
                    format!("doorbell → {to}: vCPU{vcpu} takes it")
                } else {
                    format!("doorbell → {to}: nobody answers")
                }
            }
            Route::GaLog { tag, .. } => format!("GA log → wakes vCPU{tag}"),
            Route::Silent { vcpu } => format!("IRR only: vCPU{vcpu} not told"),
        }
    }

    /// Its reading in words, e.g. "doorbell → pCPU0: nobody answers (vCPU0 is not in the guest
    /// there)".
    pub fn describe(&self) -> String {
        match *self {
            Route::Host { vcpu } => format!("host: KVM injects into vCPU{vcpu}"),
            Route::Doorbell {
                apic,
                pcpu,
                vcpu,
                taken_by,
            } => {
                let to = pcpu.map_or(format!("APIC ID {apic} (no CPU)"), |p| format!("pCPU{p}"));
                match taken_by {
                    Some(v) if v == vcpu => format!("doorbell → {to}: vCPU{v} takes it at once"),
                    _ => format!(
                        "doorbell → {to}: nobody answers (vCPU{vcpu} is not in the guest there)"
                    ),
                }
            }
            Route::GaLog { tag, .. } => format!("GA log: the handler wakes vCPU{tag}"),
            Route::Silent { vcpu } => format!("IRR only: vCPU{vcpu} is not told"),
        }
    }
}

/// One IRTE and its arrow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IrteArrow {
    /// IRTE index.
    pub index: u8,
    /// The table entry in words.
    pub text: String,
    /// The table entry.
    pub irte: Irte,
    /// Where an interrupt would go now.
    pub route: Route,
    /// The entry or its route changed in the last step.
    pub changed: bool,
}

/// The whole picture at one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scene {
    /// Scenario · strategy · memory model.
    pub title: String,
    /// Steps taken (0: the initial state).
    pub step: usize,
    /// The last step in words, with what the hardware or the kernel did in it ("step 24 ·
    /// device + IOMMU: IOMMU notifies — doorbell → pCPU0 …"), if any.
    pub last: Option<String>,
    /// pCPUs, by number.
    pub pcpus: Vec<PcpuBox>,
    /// vCPUs, by number.
    pub vcpus: Vec<VcpuCard>,
    /// IRTEs, by index.
    pub irtes: Vec<IrteArrow>,
    /// The GA log's entries (vCPU ids waiting for the handler), oldest first.
    pub ga_log: Vec<u8>,
    /// The GA log changed in the last step.
    pub ga_log_changed: bool,
}

impl Scene {
    /// The picture of `m`, with what changed since `before` (the machine one step earlier)
    /// marked; `step` and `last` say which step that was.
    pub fn new(
        sim: &Sim,
        m: &Machine,
        before: Option<&Machine>,
        step: usize,
        last: Option<&Event>,
    ) -> Scene {
        let mut scene = Scene::plain(sim, m);
        scene.step = step;
        scene.last = last.map(|e| {
            let t = e.action.thread();
            let mut s = format!("step {step} · {}: {}", sim.thread_name(t), e.label);
            for note in e.facts.iter().filter_map(|f| f.describe(t, sim)) {
                s.push_str(" — ");
                s.push_str(&note);
            }
            s
        });
        if let Some(b) = before {
            scene.mark(&Scene::plain(sim, b));
        }
        scene
    }

    /// The picture after `k` steps of a session's recorded run (clamped to what it recorded).
    pub fn at(s: &Session, k: usize) -> Scene {
        let k = k.min(s.len());
        let before = k.checked_sub(1).map(|j| s.state_at(j));
        let last = k.checked_sub(1).map(|j| &s.all_records()[j].event);
        Scene::new(s.sim(), s.state_at(k), before, k, last)
    }

    /// The picture at a session's current position.
    pub fn of_session(s: &Session) -> Scene {
        Scene::at(s, s.position())
    }

    /// The IRTE arrows that ring a doorbell nobody answers.
    pub fn unanswered(&self) -> Vec<&IrteArrow> {
        self.irtes.iter().filter(|a| a.route.unanswered()).collect()
    }

    fn plain(sim: &Sim, m: &Machine) -> Scene {
        let pcpus = (0..m.pcpus)
            .map(|p| PcpuBox {
                id: p,
                apic: entry::apic_id(p),
                occupant: m.vcpus.iter().enumerate().find_map(|(v, vc)| match vc.run {
                    RunState::InGuest(q) if q == p => Some(Occupant {
                        vcpu: v as u8,
                        in_guest: true,
                    }),
                    RunState::Loaded(q) if q == p => Some(Occupant {
                        vcpu: v as u8,
                        in_guest: false,
                    }),
                    _ => None,
                }),
                changed: false,
            })
            .collect();
        let vcpus = m
            .vcpus
            .iter()
            .enumerate()
            .map(|(v, vc)| {
                let e = m.entries[v];
                let mut state = vc.run.describe();
                if vc.waiting && vc.run != RunState::Sleeping {
                    state.push_str(", TASK_INTERRUPTIBLE");
                }
                VcpuCard {
                    id: v as u8,
                    state,
                    asleep: vc.run == RunState::Sleeping,
                    state_changed: false,
                    entry: e,
                    is_running: entry::is_running(e),
                    host_apic: entry::host_id(e),
                    host_pcpu: entry::pcpu_of_apic(entry::host_id(e), m.pcpus),
                    entry_changed: false,
                    irr: vc.irr,
                    irr_changed: false,
                    ir_list: (0..8).filter(|i| m.ir_lists[v] & (1 << i) != 0).collect(),
                    lock_holder: m.locks[v].map(|t| sim.thread_name(t as usize).to_string()),
                    list_changed: false,
                }
            })
            .collect();
        let irtes = m
            .irtes
            .iter()
            .enumerate()
            .map(|(i, irte)| IrteArrow {
                index: i as u8,
                text: irte.describe(),
                irte: *irte,
                route: Route::of(m, i),
                changed: false,
            })
            .collect();
        Scene {
            title: format!(
                "{} · {} · {}",
                sim.scenario.id,
                sim.strategy.name(),
                sim.memory.id()
            ),
            step: 0,
            last: None,
            pcpus,
            vcpus,
            irtes,
            ga_log: m.ga_log.clone(),
            ga_log_changed: false,
        }
    }

    /// Mark what differs from `b` (a plain scene of the same world).
    fn mark(&mut self, b: &Scene) {
        for (p, q) in self.pcpus.iter_mut().zip(&b.pcpus) {
            p.changed = p.occupant != q.occupant;
        }
        for (v, w) in self.vcpus.iter_mut().zip(&b.vcpus) {
            v.state_changed = v.state != w.state;
            v.entry_changed = v.entry != w.entry;
            v.irr_changed = v.irr != w.irr;
            v.list_changed = v.ir_list != w.ir_list || v.lock_holder != w.lock_holder;
        }
        for (a, c) in self.irtes.iter_mut().zip(&b.irtes) {
            a.changed = a.text != c.text || a.route != c.route;
        }
        self.ga_log_changed = self.ga_log != b.ga_log;
    }
}

#[cfg(test)]
mod tests;
