//! The machine as named cells (for state panes and change highlighting) and each thread's position
//! in its code (for code panes).

use crate::exec::next_step;
use crate::machine::{entry, memory, LockId, Machine, RunState};
use crate::program::Actor;
use crate::sim::Sim;
use crate::strategy::MemoryModel;
use serde::{Deserialize, Serialize};

/// One named piece of state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// Stable id, e.g. `entry.0`.
    pub id: String,
    /// Group heading.
    pub group: String,
    /// Row label.
    pub label: String,
    /// Current value as text.
    pub value: String,
}

fn cell(id: String, group: &str, label: String, value: String) -> Cell {
    Cell {
        id,
        group: group.into(),
        label,
        value,
    }
}

fn vectors(bits: u8) -> String {
    if bits == 0 {
        return "—".into();
    }
    let v: Vec<String> = (0..8)
        .filter(|i| bits & (1 << i) != 0)
        .map(|i| format!("v{i}"))
        .collect();
    v.join(" ")
}

/// Every cell of the machine, grouped and in a stable order.
pub fn cells(sim: &Sim, m: &Machine) -> Vec<Cell> {
    let mut out = Vec::new();
    for (v, vc) in m.vcpus.iter().enumerate() {
        let mut s = vc.run.describe();
        if vc.waiting && vc.run != RunState::Sleeping {
            s.push_str(", TASK_INTERRUPTIBLE");
        }
        out.push(cell(format!("vcpu.{v}"), "vCPUs", format!("vCPU{v}"), s));
        out.push(cell(
            format!("irr.{v}"),
            "vCPUs",
            format!("vCPU{v} IRR"),
            vectors(vc.irr),
        ));
        out.push(cell(
            format!("seen.{v}"),
            "vCPUs",
            format!("vCPU{v} guest took"),
            vectors(vc.delivered),
        ));
        if sim.strategy.knobs.kick {
            let r = match (vc.request, vc.forced_exit) {
                (false, false) => "—",
                (true, false) => "refresh requested",
                (_, true) => "kick IPI pending",
            };
            out.push(cell(
                format!("req.{v}"),
                "vCPUs",
                format!("vCPU{v} request"),
                r.into(),
            ));
        }
    }
    for (v, e) in m.entries.iter().enumerate() {
        out.push(cell(
            format!("entry.{v}"),
            "AVIC physical ID table",
            format!("vCPU{v}"),
            format!("{e:#018x}  {}", entry::describe(*e)),
        ));
    }
    if sim.strategy.knobs.kvm_copy() {
        for (v, e) in m.kvm_entries.iter().enumerate() {
            out.push(cell(
                format!("kvm-entry.{v}"),
                "KVM's copy of the entries",
                format!("vCPU{v}"),
                format!("{e:#018x}  {}", entry::describe(*e)),
            ));
        }
    }
    for (i, irte) in m.irtes.iter().enumerate() {
        out.push(cell(
            format!("irte.{i}"),
            "IOMMU IRTEs",
            format!("IRTE{i}"),
            irte.describe(),
        ));
        // The software copy and the IOMMU's cache only while they differ from the table: an
        // edit not yet published, a publish not yet flushed.
        if m.irte_copies[i] != *irte {
            out.push(cell(
                format!("irte-copy.{i}"),
                "IOMMU IRTEs",
                format!("IRTE{i} software copy"),
                format!("unpublished: {}", m.irte_copies[i].describe()),
            ));
        }
        if m.iommu_cache[i] != *irte {
            out.push(cell(
                format!("irte-cache.{i}"),
                "IOMMU IRTEs",
                format!("IRTE{i} IOMMU cache"),
                format!("not yet invalidated: {}", m.iommu_cache[i].describe()),
            ));
        }
    }
    for v in 0..m.vcpus.len() {
        let list = m.ir_lists[v];
        let items: Vec<String> = (0..8)
            .filter(|i| list & (1 << i) != 0)
            .map(|i| format!("IRTE{i}"))
            .collect();
        out.push(cell(
            format!("list.{v}"),
            "ir_lists",
            format!("vCPU{v} ir_list"),
            if items.is_empty() {
                "empty".into()
            } else {
                items.join(", ")
            },
        ));
        let holder = match m.locks[v] {
            None => "free".to_string(),
            Some(t) => format!("held by {}", sim.thread_name(t as usize)),
        };
        out.push(cell(
            format!("lock.{v}"),
            "ir_lists",
            format!("vCPU{v} ir_list_lock"),
            holder,
        ));
    }
    // The locks beyond the ir_list_locks, by slot.
    let holder = |h: Option<u8>| match h {
        None => "free".to_string(),
        Some(t) => format!("held by {}", sim.thread_name(t as usize)),
    };
    let mut others = vec![LockId::Irqfds];
    others.extend((0..m.irtes.len() as u8).map(LockId::IrqDesc));
    if sim.scenario.threads.iter().any(|t| t.actor == Actor::Host) {
        others.extend((0..m.pcpus).map(LockId::Rq));
    }
    for id in others.into_iter().filter(|id| m.holder(*id).is_some()) {
        out.push(cell(
            format!("lock-{}", m.lock_slot(id)),
            "other locks",
            id.describe(),
            holder(m.holder(id)),
        ));
    }
    if sim.memory == MemoryModel::Tso {
        for (t, ts) in m.threads.iter().enumerate() {
            if sim.threads[t].is_daemon() {
                continue;
            }
            let items: Vec<String> = ts.buffer.iter().map(memory::describe_store).collect();
            out.push(cell(
                format!("buffer.{t}"),
                "store buffers",
                sim.thread_name(t).to_string(),
                if items.is_empty() {
                    "empty".into()
                } else {
                    items.join("; ")
                },
            ));
        }
    }
    let log: Vec<String> = m.ga_log.iter().map(|v| format!("vCPU{v}")).collect();
    out.push(cell(
        "galog".into(),
        "IOMMU GA log",
        "entries".into(),
        if log.is_empty() {
            "empty".into()
        } else {
            log.join(", ")
        },
    ));
    if sim.strategy.knobs.kick {
        out.push(cell(
            "kicks".into(),
            "costs",
            "kick IPIs".into(),
            m.kick_ipis.to_string(),
        ));
    }
    out
}

/// Where a thread stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadView {
    /// Display name.
    pub name: String,
    /// Index of the current program in [`listing`] (`None`: finished or idle).
    pub program: Option<usize>,
    /// The next step's index in that program.
    pub pc: usize,
    /// Can run now.
    pub enabled: bool,
    /// Its state, for styling.
    pub state: ThreadState,
    /// A word on its status.
    pub status: String,
}

/// What a thread is doing, as a UI needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThreadState {
    /// Its next step can run now.
    Ready,
    /// Blocked: spinning on a lock, or waiting for its store buffer to drain.
    Waiting,
    /// A vCPU thread asleep in `schedule()`.
    Asleep,
    /// A handler with nothing to handle.
    Idle,
    /// Its script is finished.
    Done,
}

impl ThreadState {
    /// The id of the [glossary](crate::glossary) term that explains this state.
    pub fn term(self) -> &'static str {
        match self {
            ThreadState::Ready => "thread-ready",
            ThreadState::Waiting => "thread-waiting",
            ThreadState::Asleep => "asleep",
            ThreadState::Idle => "thread-idle",
            ThreadState::Done => "thread-done",
        }
    }
}

/// One program of a thread, as lines of pseudo-code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// Operation title.
    pub title: String,
    /// (kernel function, pseudo-code) per step.
    pub lines: Vec<(String, String)>,
}

/// Every program thread `t` may run: its script, then the forced exit if any.
pub fn listing(sim: &Sim, t: usize) -> Vec<Listing> {
    let th = &sim.threads[t];
    th.programs
        .iter()
        .chain(th.forced.iter())
        .map(|p| Listing {
            title: p.title.clone(),
            lines: p
                .steps
                .iter()
                .map(|s| (s.func.to_string(), s.code.clone()))
                .collect(),
        })
        .collect()
}

/// Which of thread `t`'s [`listing`]s its next step is in (`None`: finished or idle).
pub fn listing_index(sim: &Sim, m: &Machine, t: usize) -> Option<usize> {
    let th = &sim.threads[t];
    sim.current(m, t).map(|(_, forced)| {
        if forced {
            th.programs.len()
        } else if th.is_daemon() {
            0
        } else {
            m.threads[t].op as usize
        }
    })
}

/// Where every thread stands.
pub fn threads(sim: &Sim, m: &Machine) -> Vec<ThreadView> {
    (0..sim.threads.len())
        .map(|t| {
            let th = &sim.threads[t];
            let ts = &m.threads[t];
            let current = sim.current(m, t);
            let program = listing_index(sim, m, t);
            let enabled = next_step(sim, m, t).is_some();
            let state = match (current, th.actor) {
                (None, _) if th.is_daemon() => ThreadState::Idle,
                (None, _) => ThreadState::Done,
                (Some(_), Actor::Vcpu(v)) if m.vcpus[v as usize].run == RunState::Sleeping => {
                    ThreadState::Asleep
                }
                (Some(_), _) if !enabled => ThreadState::Waiting,
                _ => ThreadState::Ready,
            };
            let status = match state {
                ThreadState::Idle => "idle (GA log empty)",
                ThreadState::Done => "done",
                ThreadState::Asleep => "asleep",
                ThreadState::Waiting => "spinning on a lock / draining its store buffer",
                ThreadState::Ready => "ready",
            }
            .to_string();
            ThreadView {
                name: th.name.clone(),
                program,
                pc: ts.pc as usize,
                enabled,
                state,
                status,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::Session;

    fn states(session: &Session) -> Vec<ThreadState> {
        threads(session.sim(), session.state())
            .iter()
            .map(|t| t.state)
            .collect()
    }

    #[test]
    fn thread_states_follow_the_run() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        // vCPU0, the updater, the device, the GA-log handler.
        let start = Session::new(&sim);
        use ThreadState::*;
        assert_eq!(states(&start), [Ready, Ready, Ready, Idle]);
        // The lost wake-up: vCPU0 asleep for good, the others done, no GA-log entry.
        let end = Session::replay(&sim, "000000000111111111111222").unwrap();
        assert_eq!(states(&end), [Asleep, Done, Done, Idle]);
        // The updater holding vCPU0's ir_list_lock makes vCPU0's put spin.
        let lock = Session::replay(&sim, "001111111111").unwrap();
        let t = threads(&sim, lock.state());
        assert_eq!(t[0].state, Waiting, "{:?}", t[0]);
        assert!(t.iter().all(|t| (t.state == Ready) == t.enabled));
    }
}
