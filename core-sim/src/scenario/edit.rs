//! Removing a numbered part of a scenario (a pCPU, a vCPU, an IRTE, a thread) without leaving
//! stale numbers behind. Other parts name pCPUs, vCPUs and IRTEs by number (a vCPU's starting
//! pCPU, an IRTE's vCPU, the vCPU a thread runs, an operation's parameters): a part still named
//! somewhere is not removed, and the refusal says what names it; once nothing names it, it is
//! removed and every number above it moves down by one, so each reference keeps pointing at
//! the same part. Nothing names a thread by number.

use super::*;
use crate::program::Param;
use std::fmt;

/// A removal refused: the part is still named elsewhere in the scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InUse {
    /// What kind of part.
    pub part: Param,
    /// Its number (for pCPUs: the lowest of the pCPUs that would go).
    pub index: u8,
    /// The fields that still name it.
    pub users: Vec<Field>,
    /// What names it, in words.
    pub msg: String,
}

impl fmt::Display for InUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

/// One place that names a part: its field and what it is, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    /// The field.
    pub field: Field,
    /// "IRTE0's vCPU", "thread 1 (vCPU1 thread)'s operation 2 'guest IPI → vCPU1'", ...
    pub what: String,
}

impl Scenario {
    /// Every place that names `part` number `index`, in the editor's order.
    pub fn users_of(&self, part: Param, index: u8) -> Vec<Use> {
        let mut out = Vec::new();
        match part {
            Param::Pcpu => {
                for (v, init) in self.vcpus.iter().enumerate() {
                    if init.pcpu == index {
                        out.push(Use {
                            field: Field::VcpuPcpu(v),
                            what: format!("vCPU{v}'s starting pCPU"),
                        });
                    }
                }
            }
            Param::Vcpu => {
                for (i, irte) in self.irtes.iter().enumerate() {
                    if irte.vcpu == index {
                        out.push(Use {
                            field: Field::IrteVcpu(i),
                            what: format!("IRTE{i}'s vCPU"),
                        });
                    }
                }
            }
            Param::Irte => {}
        }
        for (t, spec) in self.threads.iter().enumerate() {
            let name = format!("thread {t} ({})", self.thread_name(t));
            if part == Param::Vcpu && spec.actor == Actor::Vcpu(index) {
                out.push(Use {
                    field: Field::ThreadActor(t),
                    what: format!("{name}, which runs it"),
                });
            }
            for (k, op) in spec.ops.iter().enumerate() {
                let names = op.kind().params().iter().zip(op.values());
                if names.into_iter().any(|(p, x)| *p == part && x == index) {
                    out.push(Use {
                        field: Field::Op(t, k),
                        what: format!("{name}'s operation {} '{op}'", k + 1),
                    });
                }
            }
        }
        out
    }

    /// Remove vCPU `v`, renumbering the vCPUs above it everywhere they are named; refused
    /// while anything names vCPU `v` itself. Out of range: nothing changes.
    pub fn remove_vcpu(&mut self, v: usize) -> Result<(), InUse> {
        self.remove_part(Param::Vcpu, v)
    }

    /// Remove IRTE `i`, renumbering the IRTEs above it in every operation; refused while an
    /// operation names IRTE `i`. Out of range: nothing changes.
    pub fn remove_irte(&mut self, i: usize) -> Result<(), InUse> {
        self.remove_part(Param::Irte, i)
    }

    /// Remove thread `t` (nothing names a thread by number). Out of range: nothing changes.
    pub fn remove_thread(&mut self, t: usize) {
        if t < self.threads.len() {
            self.threads.remove(t);
        }
    }

    /// Set the number of pCPUs to `n`; fewer pCPUs are refused while anything names one of
    /// those that would go (pCPUs are removed from the top, so no number moves).
    pub fn set_pcpus(&mut self, n: u8) -> Result<(), InUse> {
        let users: Vec<(u8, Use)> = (n..self.pcpus)
            .flat_map(|p| {
                self.users_of(Param::Pcpu, p)
                    .into_iter()
                    .map(move |u| (p, u))
            })
            .collect();
        match users.first() {
            None => {
                self.pcpus = n;
                Ok(())
            }
            Some(&(first, _)) => {
                let named: Vec<String> = users
                    .iter()
                    .map(|(p, u)| format!("{} (pCPU{p})", u.what))
                    .collect();
                let gone = if n + 1 == self.pcpus {
                    format!("pCPU{n} is")
                } else {
                    format!("pCPU{n}–pCPU{} are", self.pcpus - 1)
                };
                Err(InUse {
                    part: Param::Pcpu,
                    index: first,
                    users: users.into_iter().map(|(_, u)| u.field).collect(),
                    msg: format!(
                        "{gone} still used by {}: change or remove that first",
                        named.join(", ")
                    ),
                })
            }
        }
    }

    fn remove_part(&mut self, part: Param, index: usize) -> Result<(), InUse> {
        let len = match part {
            Param::Vcpu => self.vcpus.len(),
            Param::Irte => self.irtes.len(),
            Param::Pcpu => self.pcpus as usize,
        };
        let Ok(n) = u8::try_from(index) else {
            return Ok(());
        };
        if index >= len {
            return Ok(());
        }
        let users = self.users_of(part, n);
        if !users.is_empty() {
            let named: Vec<String> = users.iter().map(|u| u.what.clone()).collect();
            return Err(InUse {
                part,
                index: n,
                users: users.into_iter().map(|u| u.field).collect(),
                msg: format!(
                    "{}{n} is still used by {}: change or remove that first",
                    part.label(),
                    named.join(", ")
                ),
            });
        }
        let down = |x: &mut u8| {
            if *x > n {
                *x -= 1;
            }
        };
        match part {
            Param::Vcpu => {
                self.vcpus.remove(index);
                self.irtes.iter_mut().for_each(|i| down(&mut i.vcpu));
                for spec in &mut self.threads {
                    if let Actor::Vcpu(w) = &mut spec.actor {
                        down(w);
                    }
                }
            }
            Param::Irte => {
                self.irtes.remove(index);
            }
            Param::Pcpu => unreachable!("pCPUs go from the top: set_pcpus"),
        }
        for op in self.threads.iter_mut().flat_map(|t| t.ops.iter_mut()) {
            let kind = op.kind();
            let mut values = op.values();
            for (p, x) in kind.params().iter().zip(values.iter_mut()) {
                if *p == part {
                    down(x);
                }
            }
            *op = kind.with(&values);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two vCPUs on two pCPUs, two IRTEs, each vCPU's thread, an updater, a device and AVIC.
    fn world() -> Scenario {
        let mut s = by_id("running-retarget").unwrap();
        s.vcpus = vec![
            VcpuInit {
                state: VcpuStart::Preempted,
                pcpu: 0,
            },
            VcpuInit {
                state: VcpuStart::InGuest,
                pcpu: 1,
            },
            VcpuInit {
                state: VcpuStart::Loaded,
                pcpu: 2,
            },
        ];
        s.pcpus = 3;
        s.irtes = vec![
            IrteInit {
                vcpu: 1,
                posted: true,
            },
            IrteInit {
                vcpu: 2,
                posted: false,
            },
            IrteInit {
                vcpu: 2,
                posted: true,
            },
        ];
        s.threads = vec![
            ThreadSpec {
                name: None,
                actor: Actor::Vcpu(2),
                ops: vec![Op::Put, Op::Load { pcpu: 2 }],
            },
            ThreadSpec {
                name: None,
                actor: Actor::Updater,
                ops: vec![Op::UpdateAffinity { irte: 2, vcpu: 2 }],
            },
            ThreadSpec {
                name: None,
                actor: Actor::Device,
                ops: vec![Op::Interrupt { irte: 0 }, Op::Interrupt { irte: 2 }],
            },
        ];
        s.check().unwrap();
        s
    }

    #[test]
    fn removing_an_unused_vcpu_renumbers_every_reference_to_the_ones_above() {
        let mut s = world();
        s.remove_vcpu(0).unwrap();
        assert_eq!(s.vcpus.len(), 2);
        assert_eq!(s.vcpus[0].state, VcpuStart::InGuest, "vCPU1 is vCPU0 now");
        assert_eq!(
            s.irtes.iter().map(|i| i.vcpu).collect::<Vec<_>>(),
            [0, 1, 1]
        );
        assert_eq!(s.threads[0].actor, Actor::Vcpu(1));
        assert_eq!(s.threads[1].ops, [Op::UpdateAffinity { irte: 2, vcpu: 1 }]);
        assert_eq!(s.check(), Ok(()), "still the same world, one vCPU fewer");
    }

    #[test]
    fn removing_a_vcpu_still_named_is_refused_with_every_user_named() {
        let mut s = world();
        let before = s.clone();
        let e = s.remove_vcpu(2).unwrap_err();
        assert_eq!(s, before, "nothing changes");
        assert_eq!((e.part, e.index), (Param::Vcpu, 2));
        assert_eq!(
            e.users,
            [
                Field::IrteVcpu(1),
                Field::IrteVcpu(2),
                Field::ThreadActor(0),
                Field::Op(1, 0)
            ]
        );
        assert_eq!(
            e.msg,
            "vCPU2 is still used by IRTE1's vCPU, IRTE2's vCPU, thread 0 (vCPU2 thread), which runs it, \
             thread 1 (IRQ affinity updater)'s operation 1 'pi_update_irte(IRTE2 → vCPU2)': change or remove that first"
        );
        assert_eq!(s.remove_vcpu(9), Ok(()), "out of range: nothing to do");
        assert_eq!(s, before);
    }

    #[test]
    fn removing_an_irte_renumbers_the_operations_or_names_the_one_that_uses_it() {
        let mut s = world();
        let e = s.remove_irte(0).unwrap_err();
        assert_eq!(e.users, [Field::Op(2, 0)]);
        assert!(e.msg.starts_with("IRTE0 is still used by thread 2 (device + IOMMU)'s operation 1 'device interrupt (IRTE0)'"), "{}", e.msg);
        s.remove_irte(1).unwrap();
        assert_eq!(s.irtes.len(), 2);
        assert_eq!(s.irtes[1].vcpu, 2, "IRTE2 is IRTE1 now");
        assert_eq!(s.threads[1].ops, [Op::UpdateAffinity { irte: 1, vcpu: 2 }]);
        assert_eq!(
            s.threads[2].ops,
            [Op::Interrupt { irte: 0 }, Op::Interrupt { irte: 1 }]
        );
        assert_eq!(s.check(), Ok(()));
    }

    #[test]
    fn fewer_pcpus_are_refused_while_a_vcpu_or_an_operation_names_one_that_goes() {
        let mut s = world();
        let e = s.set_pcpus(2).unwrap_err();
        assert_eq!(s.pcpus, 3);
        assert_eq!((e.part, e.index), (Param::Pcpu, 2));
        assert_eq!(e.users, [Field::VcpuPcpu(2), Field::Op(0, 1)]);
        assert_eq!(
            e.msg,
            "pCPU2 is still used by vCPU2's starting pCPU (pCPU2), \
             thread 0 (vCPU2 thread)'s operation 2 'vcpu_load(pCPU2)' (pCPU2): change or remove that first"
        );
        let e = s.set_pcpus(1).unwrap_err();
        assert!(
            e.msg
                .starts_with("pCPU1–pCPU2 are still used by vCPU1's starting pCPU (pCPU1)"),
            "{}",
            e.msg
        );
        s.set_pcpus(4).unwrap();
        assert_eq!(s.pcpus, 4);
        s.set_pcpus(3).unwrap();
        assert_eq!(s.pcpus, 3, "pCPU3 was named by nobody");
    }

    #[test]
    fn removing_a_thread_leaves_every_number_as_it_was() {
        let mut s = world();
        s.remove_thread(0);
        assert_eq!(s.threads.len(), 2);
        assert_eq!(s.threads[0].actor, Actor::Updater);
        assert_eq!(s.irtes, world().irtes);
        // vCPU2 has no thread now, so only its IRTEs and the updater name it.
        assert_eq!(s.users_of(Param::Vcpu, 2).len(), 3);
        s.remove_thread(7);
        assert_eq!(s.threads.len(), 2);
    }
}
