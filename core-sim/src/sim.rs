//! A scenario compiled for a strategy and a memory model: the immutable world every explorer shares.

use crate::machine::{entry, lock_slots, Irte, Machine, RunState, ThreadState, Vcpu};
use crate::program::text::{Bounds, Diag, Patch};
use crate::program::{self, Actor, Program};
use crate::scenario::{Scenario, ScenarioError, VcpuStart};
use crate::strategy::{MemoryModel, Strategy};

/// One thread: its name, actor and compiled programs.
#[derive(Clone, Debug)]
pub struct SimThread {
    /// Display name.
    pub name: String,
    /// Who runs it.
    pub actor: Actor,
    /// One program per scripted operation (the GA-log handler has one, run again and again).
    pub programs: Vec<Program>,
    /// What the vCPU runs when a kick forces it out of the guest.
    pub forced: Option<Program>,
}

impl SimThread {
    /// Runs for ever, whenever it has work (the GA-log handler).
    pub fn is_daemon(&self) -> bool {
        self.actor == Actor::GaLog
    }
}

/// The compiled world.
#[derive(Clone, Debug)]
pub struct Sim {
    /// What runs.
    pub scenario: Scenario,
    /// How the kernel code is written.
    pub strategy: Strategy,
    /// How memory behaves.
    pub memory: MemoryModel,
    /// Threads by id (scripted ones first, then the GA-log handler if any).
    pub threads: Vec<SimThread>,
    /// User programs that replaced some operations' programs (see [`Sim::with_patch`]).
    pub patch: Option<Patch>,
}

/// Why a patched world could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// The scenario itself is impossible.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A program of the patch does not fit the world (errors at their lines).
    #[error("{}", program::text::report("", .0))]
    Program(Vec<Diag>),
}

impl Sim {
    /// Validate the scenario and compile every operation for the strategy.
    pub fn new(
        scenario: Scenario,
        strategy: Strategy,
        memory: MemoryModel,
    ) -> Result<Sim, ScenarioError> {
        scenario.validate()?;
        let knobs = strategy.knobs;
        // The scheduler's run-queue locks matter only where another thread takes one too.
        let ctx = program::Context {
            rq_locks: scenario.threads.iter().any(|t| t.actor == Actor::Host),
        };
        let mut threads: Vec<SimThread> = scenario
            .threads
            .iter()
            .enumerate()
            .map(|(t, spec)| SimThread {
                name: scenario.thread_name(t),
                actor: spec.actor,
                programs: spec
                    .ops
                    .iter()
                    .map(|op| program::compile_in(spec.actor, *op, &knobs, &ctx))
                    .collect(),
                forced: match spec.actor {
                    Actor::Vcpu(v) if knobs.kick => Some(program::kernel::forced_exit(&knobs, v)),
                    _ => None,
                },
            })
            .collect();
        if scenario.has_ga_log_handler() {
            threads.push(SimThread {
                name: Actor::GaLog.to_string(),
                actor: Actor::GaLog,
                programs: vec![program::kernel::ga_log_handler()],
                forced: None,
            });
        }
        Ok(Sim {
            scenario,
            strategy,
            memory,
            threads,
            patch: None,
        })
    }

    /// [`Sim::new`], then every operation the patch names runs the patch's program instead of
    /// the strategy's. Each program is validated against this world first ([`Patch::validate`]):
    /// references in range, locks balanced on every path, and a patch naming an operation no
    /// thread runs is an error.
    pub fn with_patch(
        scenario: Scenario,
        strategy: Strategy,
        memory: MemoryModel,
        patch: Patch,
    ) -> Result<Sim, PatchError> {
        let mut sim = Sim::new(scenario, strategy, memory)?;
        let s = &sim.scenario;
        let bounds = Bounds {
            vcpus: s.vcpus.len() as u8,
            pcpus: s.pcpus,
            irtes: s.irtes.len() as u8,
            kick: strategy.knobs.kick,
        };
        let runs = |actor: Actor, op: program::Op| {
            s.threads
                .iter()
                .any(|t| t.actor == actor && t.ops.contains(&op))
        };
        patch
            .validate(&bounds, &runs)
            .map_err(PatchError::Program)?;
        for (th, spec) in sim.threads.iter_mut().zip(&sim.scenario.threads) {
            for (prog, op) in th.programs.iter_mut().zip(&spec.ops) {
                if let Some(p) = patch.find(spec.actor, *op) {
                    *prog = p.clone();
                }
            }
        }
        sim.patch = Some(patch);
        Ok(sim)
    }

    /// The same scenario under another strategy and memory model, with this world's patch (if
    /// any) applied to it too: "this world with one thing changed" (what stops it, the diff
    /// view's world B). An error if the patch does not fit that world (a forced exit it names
    /// without kicks).
    pub fn rebuilt(&self, strategy: Strategy, memory: MemoryModel) -> Result<Sim, PatchError> {
        match &self.patch {
            None => Ok(Sim::new(self.scenario.clone(), strategy, memory)?),
            Some(p) => Sim::with_patch(self.scenario.clone(), strategy, memory, p.clone()),
        }
    }

    /// Build from stable ids.
    pub fn from_ids(scenario: &str, strategy: &str, memory: &str) -> Result<Sim, String> {
        let scenario = crate::scenario::by_id(scenario).map_err(|e| e.to_string())?;
        let strategy = Strategy::preset(strategy).map_err(|e| e.to_string())?;
        let memory = MemoryModel::from_id(memory)?;
        Sim::new(scenario, strategy, memory).map_err(|e| e.to_string())
    }

    /// The initial machine, as the strategy's kernel would have set it up: every posted IRTE
    /// agrees with its vCPU's entry (IsRun and Destination for a loaded vCPU; GALogIntr as that
    /// kernel leaves it: always 1 up to 6.16, where activation sets it and nothing clears it; in
    /// 6.17 0 for a running or preempted vCPU, since only a blocking put asks for GA-log
    /// interrupts); the hardware table has IsRunning clear without IPI virtualization; the IRTE
    /// software copies and the IOMMU's cache hold what the table holds.
    pub fn initial(&self) -> Machine {
        let s = &self.scenario;
        let knobs = self.strategy.knobs;
        let vcpus: Vec<Vcpu> = s
            .vcpus
            .iter()
            .map(|init| Vcpu {
                run: match init.state {
                    VcpuStart::InGuest => RunState::InGuest(init.pcpu),
                    VcpuStart::Loaded => RunState::Loaded(init.pcpu),
                    VcpuStart::Preempted => RunState::Preempted,
                },
                cpu: init.pcpu,
                waiting: false,
                irr: 0,
                delivered: 0,
                request: false,
                forced_exit: false,
            })
            .collect();
        let kvm_entries: Vec<u64> = s
            .vcpus
            .iter()
            .enumerate()
            .map(|(v, init)| entry::make(v as u8, init.pcpu, init.state != VcpuStart::Preempted))
            .collect();
        let entries: Vec<u64> = kvm_entries.iter().map(|e| knobs.table_value(*e)).collect();
        let mut ir_lists = vec![0u8; s.vcpus.len()];
        let mut owners = vec![None; s.irtes.len()];
        let irtes: Vec<Irte> = s
            .irtes
            .iter()
            .enumerate()
            .map(|(i, init)| {
                let e = kvm_entries[init.vcpu as usize];
                if init.posted {
                    ir_lists[init.vcpu as usize] |= 1 << i;
                    owners[i] = Some(init.vcpu);
                }
                Irte {
                    guest_mode: init.posted,
                    is_run: init.posted && entry::is_running(e),
                    ga_log_intr: init.posted && !knobs.ga_log_only_when_blocking,
                    destination: if init.posted { entry::host_id(e) } else { 0 },
                    ga_tag: Some(init.vcpu),
                    vector: i as u8,
                }
            })
            .collect();
        Machine {
            pcpus: s.pcpus,
            whole_values: entries.iter().map(|e| vec![*e]).collect(),
            locks: vec![None; lock_slots(vcpus.len(), s.pcpus as usize, irtes.len())],
            lock_order: 0,
            vcpus,
            entries,
            kvm_entries,
            irte_copies: irtes.clone(),
            iommu_cache: irtes.clone(),
            irtes,
            ir_lists,
            owners,
            ga_log: Vec::new(),
            threads: vec![ThreadState::default(); self.threads.len()],
            kick_ipis: 0,
        }
    }

    /// The program thread `t` is in (or would start next), and whether it is the forced exit.
    pub fn current(&self, m: &Machine, t: usize) -> Option<(&Program, bool)> {
        let th = &self.threads[t];
        let ts = &m.threads[t];
        if ts.forced {
            return th.forced.as_ref().map(|p| (p, true));
        }
        if ts.pc == 0 {
            if let (Actor::Vcpu(v), Some(forced)) = (th.actor, th.forced.as_ref()) {
                let vc = &m.vcpus[v as usize];
                if vc.forced_exit && matches!(vc.run, RunState::InGuest(_)) {
                    return Some((forced, true));
                }
            }
        }
        if th.is_daemon() {
            if ts.pc == 0 && m.ga_log.is_empty() {
                return None;
            }
            return th.programs.first().map(|p| (p, false));
        }
        th.programs.get(ts.op as usize).map(|p| (p, false))
    }

    /// Whether thread `t` finished its script (daemons never do).
    pub fn finished(&self, m: &Machine, t: usize) -> bool {
        !self.threads[t].is_daemon() && self.current(m, t).is_none()
    }

    /// Thread `t`'s display name.
    pub fn thread_name(&self, t: usize) -> &str {
        &self.threads[t].name
    }
}
