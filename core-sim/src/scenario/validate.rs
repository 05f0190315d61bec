//! The rules a scenario must follow: sizes, indices, and that every vCPU's script is a possible life cycle (no halt of a vCPU that is not running, no migration while asleep, ...).

use super::*;

impl Scenario {
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
