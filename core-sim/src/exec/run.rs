//! What each kind of micro-step does to the machine: the one big `match` over
//! [`StepKind`], one arm per instruction.

use super::*;

/// Run the step's instruction; returns whether it takes its conditional jump.
pub(super) fn run_kind(
    sim: &Sim,
    m: &mut Machine,
    t: usize,
    st: &Step,
    facts: &mut Vec<Fact>,
) -> bool {
    let knobs = sim.strategy.knobs;
    match st.kind {
        StepKind::ReadEntry(v) => {
            let e = if knobs.kvm_copy() {
                m.kvm_entries[v as usize]
            } else {
                m.entry_view(t, v)
            };
            m.threads[t].regs.entry = e;
            st.jump.is_some() && !entry::is_running(e)
        }
        StepKind::ReadVcpuCpu(v) => {
            let cpu = m.vcpus[v as usize].cpu;
            m.threads[t].regs.entry = entry::loaded_on(0, cpu);
            false
        }
        StepKind::WriteEntry(v, update, part) => {
            let vcpu_cpu = m.vcpus[v as usize].cpu;
            let regs = &mut m.threads[t].regs;
            if let Some(u) = update {
                regs.entry = u.apply(regs.entry, vcpu_cpu, &knobs);
            }
            let value = knobs.table_value(regs.entry);
            let b = match part {
                Part::Whole => Buffered {
                    loc: Loc::Entry(v),
                    value,
                    completes: true,
                },
                Part::Hi => memory::torn_halves(v, value)[0],
                Part::Lo => memory::torn_halves(v, value)[1],
            };
            store(sim, m, t, b);
            false
        }
        StepKind::WriteKvmEntry(v, update) => {
            let vcpu_cpu = m.vcpus[v as usize].cpu;
            let regs = &mut m.threads[t].regs;
            if let Some(u) = update {
                regs.entry = u.apply(regs.entry, vcpu_cpu, &knobs);
            }
            m.kvm_entries[v as usize] = regs.entry;
            false
        }
        StepKind::Lock(r) => match resolve_lock(m, &m.threads[t].regs, r) {
            Some(l) => {
                note_lock_order(m, t as u8, l, facts);
                let slot = m.lock_slot(l);
                m.locks[slot] = Some(t as u8);
                if let (LockRef::IrList(VRef::OwnerOf(_)), LockId::IrList(v)) = (r, l) {
                    m.threads[t].regs.prev = Some(v);
                }
                false
            }
            None => true,
        },
        StepKind::Unlock(r) => {
            if let Some(l) = resolve_lock(m, &m.threads[t].regs, r) {
                if m.holder(l) != Some(t as u8) {
                    facts.push(Fact::UnlockNotHeld(l));
                }
                let slot = m.lock_slot(l);
                m.locks[slot] = None;
            }
            false
        }
        StepKind::Mb => false,
        StepKind::WalkNext(v) => {
            let list = m.list_view(t, v);
            let regs = &mut m.threads[t].regs;
            let from = regs.cursor.map(|c| c + 1).unwrap_or(0);
            match (from..8).find(|i| list & (1 << i) != 0) {
                Some(i) => {
                    regs.cursor = Some(i);
                    false
                }
                None => {
                    regs.cursor = None;
                    true
                }
            }
        }
        StepKind::UpdateGa(r, how) => {
            let regs = &m.threads[t].regs;
            let i = resolve_irte(regs, r) as usize;
            let e = regs.entry;
            how.apply(&mut m.irte_copies[i], e);
            m.threads[t].regs.edited = Some(m.irte_copies[i]);
            false
        }
        StepKind::Activate(r, v, target) => {
            let regs = &m.threads[t].regs;
            let i = resolve_irte(regs, r);
            let e = regs.entry;
            m.irte_copies[i as usize] = target.irte(i, v, e, &knobs);
            m.threads[t].regs.edited = Some(m.irte_copies[i as usize]);
            false
        }
        StepKind::Deactivate(r) => {
            let i = resolve_irte(&m.threads[t].regs, r) as usize;
            let copy = &mut m.irte_copies[i];
            copy.guest_mode = false;
            copy.is_run = false;
            copy.ga_log_intr = false;
            m.threads[t].regs.edited = Some(*copy);
            false
        }
        StepKind::PublishIrte(r) => {
            let i = resolve_irte(&m.threads[t].regs, r);
            let published = m.irte_copies[i as usize];
            if let Some(mine) = m.threads[t].regs.edited.take() {
                if mine != published {
                    facts.push(Fact::MixedIrte {
                        irte: i,
                        mine,
                        published,
                    });
                }
            }
            m.irtes[i as usize] = published;
            false
        }
        StepKind::FlushIrt(r) => {
            let i = resolve_irte(&m.threads[t].regs, r) as usize;
            m.iommu_cache[i] = m.irtes[i];
            false
        }
        StepKind::Local => false,
        StepKind::Link(v, i) => {
            m.owners[i as usize] = Some(v);
            store(
                sim,
                m,
                t,
                Buffered {
                    loc: Loc::Link { vcpu: v, irte: i },
                    value: 1,
                    completes: true,
                },
            );
            false
        }
        StepKind::Unlink(r, i) => {
            if let Some(v) = resolve(m, &m.threads[t].regs, r) {
                m.owners[i as usize] = None;
                store(
                    sim,
                    m,
                    t,
                    Buffered {
                        loc: Loc::Link { vcpu: v, irte: i },
                        value: 0,
                        completes: true,
                    },
                );
            }
            false
        }
        StepKind::Kick(v) => {
            m.vcpus[v as usize].request = true;
            wake(m, v, facts);
            let ipi = matches!(m.vcpus[v as usize].run, RunState::InGuest(_));
            if ipi {
                m.kick_ipis = m.kick_ipis.saturating_add(1);
                m.vcpus[v as usize].forced_exit = true;
            }
            facts.push(Fact::Kick { vcpu: v, ipi });
            false
        }
        StepKind::TestRequest(v) => {
            let vc = &mut m.vcpus[v as usize];
            let had = vc.request;
            vc.request = false;
            !had
        }
        StepKind::VmRun(v) => {
            if knobs.kick && m.vcpus[v as usize].request {
                return true;
            }
            let vc = &mut m.vcpus[v as usize];
            vc.run = RunState::InGuest(vc.cpu);
            take_irr(m, v, facts);
            false
        }
        StepKind::VmExit(v) => {
            let vc = &mut m.vcpus[v as usize];
            vc.run = RunState::Loaded(vc.cpu);
            vc.forced_exit = false;
            false
        }
        StepKind::SetWaiting(v) => {
            m.vcpus[v as usize].waiting = true;
            false
        }
        StepKind::CheckBlock(v) => {
            let vc = &mut m.vcpus[v as usize];
            if vc.irr != 0 {
                vc.waiting = false;
                true
            } else {
                false
            }
        }
        StepKind::Sleep(v) => {
            let vc = &mut m.vcpus[v as usize];
            if vc.waiting {
                vc.run = RunState::Sleeping;
            }
            false
        }
        StepKind::IommuRead(i) => {
            m.threads[t].regs.irte = Some(m.iommu_cache[i as usize]);
            false
        }
        StepKind::IommuPost(i) => {
            let irte = m.threads[t].regs.irte.expect("IOMMU read the IRTE");
            let delivery = Delivery::decide(&irte, &m.irtes[i as usize]);
            let v = delivery.vcpu();
            m.vcpus[v as usize].irr |= 1 << irte.vector;
            if let Delivery::Host { vcpu } = delivery {
                facts.push(Fact::HostInjected(vcpu));
                kick_for_interrupt(m, vcpu, facts);
            }
            false
        }
        StepKind::IommuNotify(i) => {
            // GuestMode, the vector and the root pointer came from the IOMMU's cache; IsRun,
            // Destination, GATag and GALogIntr are not cached (57cdb720eaa5, 6.7), so they are
            // read from the table now. The IRR that was set is the cached root's.
            let cached = m.threads[t].regs.irte.expect("IOMMU read the IRTE");
            match Delivery::decide(&cached, &m.irtes[i as usize]) {
                Delivery::Host { .. } => {}
                Delivery::Doorbell { apic, vcpu } => doorbell(m, apic, vcpu, facts),
                Delivery::GaLog { tag, .. } => {
                    m.ga_log.push(tag);
                    facts.push(Fact::GaLogged(tag));
                }
                Delivery::Silent { vcpu } => facts.push(Fact::Silent(vcpu)),
            }
            false
        }
        StepKind::GaLogPop => {
            let v = m.ga_log.remove(0);
            m.threads[t].regs.target = Some(v);
            false
        }
        StepKind::Wake => {
            let v = m.threads[t].regs.target.expect("popped a GA-log entry");
            wake(m, v, facts);
            false
        }
        StepKind::AvicRead(v) => {
            let value = m.entries[v as usize];
            m.threads[t].regs.entry = value;
            facts.push(Fact::HwRead { vcpu: v, value });
            false
        }
        StepKind::AvicSetIrr(v) => {
            m.vcpus[v as usize].irr |= 1 << IPI_VECTOR;
            false
        }
        StepKind::AvicNotify(v) => {
            let e = m.threads[t].regs.entry;
            if entry::is_running(e) {
                doorbell(m, entry::host_id(e), v, facts);
            } else {
                facts.push(Fact::IncompleteIpi(v));
                kick_for_interrupt(m, v, facts);
            }
            false
        }
    }
}
