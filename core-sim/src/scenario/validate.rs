//! The rules a scenario must follow: sizes, indices, and that every vCPU's script is a possible life cycle (no halt of a vCPU that is not running, no migration while asleep, ...).
//! Each broken rule names the [`Field`] it concerns, so an editor can show it next to that field.

use super::*;
use std::fmt;

/// One field of a scenario, as an editor lays it out (indices count from 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The id.
    Id,
    /// The title.
    Title,
    /// The description.
    Description,
    /// The number of pCPUs.
    Pcpus,
    /// The list of vCPUs (its length).
    Vcpus,
    /// vCPU `v`'s starting state.
    VcpuState(usize),
    /// vCPU `v`'s starting pCPU.
    VcpuPcpu(usize),
    /// The list of IRTEs (its length).
    Irtes,
    /// IRTE `i`'s target vCPU.
    IrteVcpu(usize),
    /// The list of threads (its length).
    Threads,
    /// Thread `t`'s name.
    ThreadName(usize),
    /// Who runs thread `t`.
    ThreadActor(usize),
    /// Thread `t`'s list of operations (its length, or how it ends).
    ThreadOps(usize),
    /// Operation `k` of thread `t`.
    Op(usize, usize),
}

impl Field {
    /// A stable id for the field: `pcpus`, `vcpu-1-pcpu`, `irte-0-vcpu`, `thread-2-op-3`, ...
    /// (an editor's element ids).
    pub fn id(&self) -> String {
        match *self {
            Field::Id => "id".into(),
            Field::Title => "title".into(),
            Field::Description => "description".into(),
            Field::Pcpus => "pcpus".into(),
            Field::Vcpus => "vcpus".into(),
            Field::VcpuState(v) => format!("vcpu-{v}-state"),
            Field::VcpuPcpu(v) => format!("vcpu-{v}-pcpu"),
            Field::Irtes => "irtes".into(),
            Field::IrteVcpu(i) => format!("irte-{i}-vcpu"),
            Field::Threads => "threads".into(),
            Field::ThreadName(t) => format!("thread-{t}-name"),
            Field::ThreadActor(t) => format!("thread-{t}-actor"),
            Field::ThreadOps(t) => format!("thread-{t}-ops"),
            Field::Op(t, k) => format!("thread-{t}-op-{k}"),
        }
    }
}

/// A broken rule: the field it concerns and what is wrong, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field.
    pub field: Field,
    /// What is wrong.
    pub msg: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl Scenario {
    /// Check sizes, indices and that every vCPU script is a possible life cycle.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        self.check().map_err(|e| ScenarioError::Invalid {
            id: match e.field {
                Field::Id => text::shown(&self.id, text::MAX_ECHO),
                _ => self.id.clone(),
            },
            msg: e.msg,
        })
    }

    /// As [`Scenario::validate`], naming the field the first broken rule concerns.
    pub fn check(&self) -> Result<(), FieldError> {
        // The id and the names are shown on terminals and pages: plain, short text only.
        text::check_id(&self.id).map_err(|msg| FieldError {
            field: Field::Id,
            msg,
        })?;
        let bad = |field: Field| move |msg: String| Err(FieldError { field, msg });
        let labels = [
            (Field::Title, "the title", &self.title, text::MAX_NAME),
            (
                Field::Description,
                "the description",
                &self.description,
                text::MAX_DESCRIPTION,
            ),
        ];
        for (field, what, label, max) in labels {
            text::check_label(what, label, max).or_else(bad(field))?;
        }
        for (t, spec) in self.threads.iter().enumerate() {
            if let Some(name) = &spec.name {
                text::check_label(&format!("thread {t}'s name"), name, text::MAX_NAME)
                    .or_else(bad(Field::ThreadName(t)))?;
            }
        }
        if self.pcpus == 0 || self.pcpus > MAX_PCPUS {
            return bad(Field::Pcpus)(format!("pcpus must be 1..={MAX_PCPUS}, got {}", self.pcpus));
        }
        if self.vcpus.is_empty() || self.vcpus.len() > MAX_VCPUS as usize {
            return bad(Field::Vcpus)(format!(
                "vcpus must list 1..={MAX_VCPUS} vCPUs, got {}",
                self.vcpus.len()
            ));
        }
        if self.irtes.len() > MAX_IRTES as usize {
            return bad(Field::Irtes)(format!(
                "at most {MAX_IRTES} IRTEs, got {}",
                self.irtes.len()
            ));
        }
        if self.threads.is_empty() || self.threads.len() > MAX_THREADS {
            return bad(Field::Threads)(format!(
                "threads must list 1..={MAX_THREADS} threads, got {}",
                self.threads.len()
            ));
        }
        let nv = self.vcpus.len() as u8;
        let ni = self.irtes.len() as u8;
        let mut in_guest_on = vec![None; self.pcpus as usize];
        for (v, init) in self.vcpus.iter().enumerate() {
            if init.pcpu >= self.pcpus {
                return bad(Field::VcpuPcpu(v))(format!(
                    "vCPU{v} starts on pCPU{}, but there are only {} pCPUs",
                    init.pcpu, self.pcpus
                ));
            }
            if init.state != VcpuStart::Preempted {
                if let Some(other) = in_guest_on[init.pcpu as usize] {
                    return bad(Field::VcpuPcpu(v))(format!(
                        "vCPU{other} and vCPU{v} are both loaded on pCPU{}",
                        init.pcpu
                    ));
                }
                in_guest_on[init.pcpu as usize] = Some(v);
            }
        }
        for (i, irte) in self.irtes.iter().enumerate() {
            if irte.vcpu >= nv {
                return bad(Field::IrteVcpu(i))(format!(
                    "IRTE{i} targets vCPU{}, which does not exist",
                    irte.vcpu
                ));
            }
        }
        let mut vcpu_threads = vec![false; nv as usize];
        for (t, spec) in self.threads.iter().enumerate() {
            let name = format!("thread {t} ({})", self.thread_name(t));
            if spec.ops.is_empty() || spec.ops.len() > MAX_OPS {
                return bad(Field::ThreadOps(t))(format!(
                    "{name} must have 1..={MAX_OPS} operations, got {}",
                    spec.ops.len()
                ));
            }
            match spec.actor {
                Actor::Vcpu(v) if v >= nv => {
                    return bad(Field::ThreadActor(t))(format!(
                        "{name} runs vCPU{v}, which does not exist"
                    ))
                }
                Actor::Vcpu(v) => {
                    if vcpu_threads[v as usize] {
                        return bad(Field::ThreadActor(t))(format!(
                            "vCPU{v} has two threads; one host thread runs a vCPU"
                        ));
                    }
                    vcpu_threads[v as usize] = true;
                }
                Actor::GaLog => {
                    return bad(Field::ThreadActor(t))(format!(
                        "{name}: the GA-log handler is added automatically"
                    ))
                }
                _ => {}
            }
            for (k, op) in spec.ops.iter().enumerate() {
                let bad = bad(Field::Op(t, k));
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
                    .map_err(|(k, msg)| FieldError {
                        field: k.map_or(Field::ThreadOps(t), |k| Field::Op(t, k)),
                        msg: format!("{name}: {msg}"),
                    })?;
            }
        }
        Ok(())
    }

    /// The life cycle of vCPU `v`'s script; an error names the operation it concerns (`None`:
    /// how the script ends).
    fn check_life_cycle(&self, v: u8, ops: &[Op]) -> Result<(), (Option<usize>, String)> {
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
        for (k, op) in ops.iter().enumerate() {
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
                    return Err((Some(k), format!("vCPU{v} cannot '{op}' while {now}")));
                }
            };
        }
        if matches!(state, Life::Inhibited | Life::InGuestInhibited) {
            return Err((
                None,
                format!(
                    "vCPU{v} ends with APICv inhibited: re-activate it ('apicv-on') before the script ends"
                ),
            ));
        }
        Ok(())
    }
}
