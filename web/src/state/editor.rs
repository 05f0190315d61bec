//! The scenario editor's room: the draft being edited, with undo and redo. The draft may break
//! a rule; which rule, and which field it concerns, is the core's answer
//! ([`Scenario::check`]), never this room's.

use core_sim::program::{Actor, OpKind};
use core_sim::scenario::{FieldError, InUse, IrteInit, ThreadSpec, VcpuInit, VcpuStart};
use core_sim::Scenario;

/// The most edits Undo goes back.
pub const MAX_UNDO: usize = 200;

/// One edit of the draft (indices count from 0), or undo / redo.
#[derive(Clone, Debug, PartialEq)]
pub enum EditMsg {
    /// The scenario's id.
    SetId(String),
    /// Its title.
    SetTitle(String),
    /// The number of pCPUs.
    SetPcpus(u8),
    /// A vCPU more (scheduled out, last on pCPU0).
    AddVcpu,
    /// Remove vCPU `v`.
    RemoveVcpu(usize),
    /// vCPU `v`'s starting state.
    SetVcpuState(usize, VcpuStart),
    /// vCPU `v`'s starting pCPU.
    SetVcpuPcpu(usize, u8),
    /// An IRTE more (remapped, aimed at vCPU0).
    AddIrte,
    /// Remove IRTE `i`.
    RemoveIrte(usize),
    /// IRTE `i`'s vCPU.
    SetIrteVcpu(usize, u8),
    /// Whether IRTE `i` starts posted.
    SetIrtePosted(usize, bool),
    /// A thread more (the IRQ affinity updater posting IRTE0 to vCPU0).
    AddThread,
    /// Remove thread `t`.
    RemoveThread(usize),
    /// Who runs thread `t`.
    SetActor(usize, Actor),
    /// An operation more at the end of thread `t` (the first kind its actor runs).
    AddOp(usize),
    /// Remove operation `k` of thread `t`.
    RemoveOp(usize, usize),
    /// Move operation `k` of thread `t` one place up (`true`) or down.
    MoveOp(usize, usize, bool),
    /// Operation `k` of thread `t` becomes this kind (keeping the parameters it can).
    SetOpKind(usize, usize, OpKind),
    /// Parameter `n` of operation `k` of thread `t`.
    SetOpParam(usize, usize, usize, u8),
    /// Go back one edit.
    Undo,
    /// Redo the edit undone last.
    Redo,
}

/// The draft and its history.
#[derive(Clone, Debug, PartialEq)]
pub struct Editor {
    /// The scenario being edited.
    pub draft: Scenario,
    /// The last removal refused, with what still uses the part (until the next message).
    pub refused: Option<InUse>,
    undo: Vec<Scenario>,
    redo: Vec<Scenario>,
}

impl Editor {
    /// Start editing `s`.
    pub fn new(s: Scenario) -> Editor {
        Editor {
            draft: s,
            refused: None,
            undo: Vec::new(),
            redo: Vec::new(),
        }
    }

    /// Whether Undo / Redo can move.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// See [`Editor::can_undo`].
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// The first rule the draft breaks, with the field it concerns (the core's validation).
    pub fn problem(&self) -> Option<FieldError> {
        self.draft.check().err()
    }

    /// Apply one message. An edit that changes nothing (a removal out of range, a move past
    /// the end) is not recorded; a removal of a part still in use changes nothing and says
    /// what uses it ([`Editor::refused`]).
    pub fn apply(&mut self, m: EditMsg) {
        self.refused = None;
        match m {
            EditMsg::Undo => {
                if let Some(prev) = self.undo.pop() {
                    self.redo.push(std::mem::replace(&mut self.draft, prev));
                }
            }
            EditMsg::Redo => {
                if let Some(next) = self.redo.pop() {
                    self.undo.push(std::mem::replace(&mut self.draft, next));
                }
            }
            edit => {
                let mut next = self.draft.clone();
                if let Err(e) = edit_scenario(&mut next, edit) {
                    self.refused = Some(e);
                    return;
                }
                if next != self.draft {
                    self.undo.push(std::mem::replace(&mut self.draft, next));
                    if self.undo.len() > MAX_UNDO {
                        self.undo.remove(0);
                    }
                    self.redo.clear();
                }
            }
        }
    }
}

fn remove<T>(list: &mut Vec<T>, i: usize) {
    if i < list.len() {
        list.remove(i);
    }
}

/// Apply one edit; a removal the core refuses (the part is still named) changes nothing.
fn edit_scenario(s: &mut Scenario, m: EditMsg) -> Result<(), InUse> {
    match m {
        EditMsg::SetId(id) => s.id = id,
        EditMsg::SetTitle(t) => s.title = t,
        // One character per number in a link (0 to 35); validation says what is allowed.
        EditMsg::SetPcpus(n) => s.set_pcpus(n.min(35))?,
        EditMsg::AddVcpu => s.vcpus.push(VcpuInit {
            state: VcpuStart::Preempted,
            pcpu: 0,
        }),
        EditMsg::RemoveVcpu(v) => s.remove_vcpu(v)?,
        EditMsg::SetVcpuState(v, state) => {
            if let Some(x) = s.vcpus.get_mut(v) {
                x.state = state;
            }
        }
        EditMsg::SetVcpuPcpu(v, p) => {
            if let Some(x) = s.vcpus.get_mut(v) {
                x.pcpu = p.min(35);
            }
        }
        EditMsg::AddIrte => s.irtes.push(IrteInit::default()),
        EditMsg::RemoveIrte(i) => s.remove_irte(i)?,
        EditMsg::SetIrteVcpu(i, v) => {
            if let Some(x) = s.irtes.get_mut(i) {
                x.vcpu = v.min(35);
            }
        }
        EditMsg::SetIrtePosted(i, p) => {
            if let Some(x) = s.irtes.get_mut(i) {
                x.posted = p;
            }
        }
        EditMsg::AddThread => s.threads.push(ThreadSpec {
            name: None,
            actor: Actor::Updater,
            ops: vec![OpKind::UpdateAffinity.with(&[0, 0])],
        }),
        EditMsg::RemoveThread(t) => s.remove_thread(t),
        EditMsg::SetActor(t, a) => {
            if let Some(x) = s.threads.get_mut(t) {
                x.actor = a;
            }
        }
        EditMsg::AddOp(t) => {
            if let Some(x) = s.threads.get_mut(t) {
                let kind = OpKind::ALL.into_iter().find(|k| k.fits(x.actor));
                x.ops.push(kind.unwrap_or(OpKind::Exit).with(&[]));
            }
        }
        EditMsg::RemoveOp(t, k) => {
            if let Some(x) = s.threads.get_mut(t) {
                remove(&mut x.ops, k);
            }
        }
        EditMsg::MoveOp(t, k, up) => {
            if let Some(x) = s.threads.get_mut(t) {
                let other = if up { k.checked_sub(1) } else { Some(k + 1) };
                if let Some(j) = other.filter(|&j| j < x.ops.len() && k < x.ops.len()) {
                    x.ops.swap(k, j);
                }
            }
        }
        EditMsg::SetOpKind(t, k, kind) => {
            if let Some(op) = s.threads.get_mut(t).and_then(|x| x.ops.get_mut(k)) {
                *op = kind.with(&op.values());
            }
        }
        EditMsg::SetOpParam(t, k, n, v) => {
            if let Some(op) = s.threads.get_mut(t).and_then(|x| x.ops.get_mut(k)) {
                let mut values = op.values();
                if let Some(x) = values.get_mut(n) {
                    *x = v.min(35);
                    *op = op.kind().with(&values);
                }
            }
        }
        EditMsg::Undo | EditMsg::Redo => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_sim::program::Op;
    use core_sim::scenario::{by_id, Field};

    fn editor() -> Editor {
        Editor::new(by_id("put-block-vs-affinity").unwrap())
    }

    #[test]
    fn edits_add_and_change_parts_and_the_core_says_which_field_is_wrong() {
        let mut e = editor();
        assert_eq!(e.problem(), None);
        e.apply(EditMsg::AddVcpu);
        e.apply(EditMsg::AddIrte);
        e.apply(EditMsg::AddThread);
        assert_eq!(e.draft.vcpus.len(), 2);
        assert_eq!(e.draft.irtes.len(), 2);
        assert_eq!(e.draft.threads.len(), 4);
        assert_eq!(e.problem(), None, "what is added is valid as added");
        // vCPU1 into the guest on pCPU0, where vCPU0 already runs: the core names vCPU1's pCPU.
        e.apply(EditMsg::SetVcpuState(1, VcpuStart::InGuest));
        let p = e.problem().unwrap();
        assert_eq!(p.field, Field::VcpuPcpu(1));
        assert!(p.msg.contains("both loaded on pCPU0"), "{}", p.msg);
        e.apply(EditMsg::SetVcpuPcpu(1, 1));
        assert_eq!(e.problem(), None);
        // An operation the vCPU's life cycle does not allow: the core names that operation.
        e.apply(EditMsg::SetOpKind(0, 1, OpKind::Load));
        assert_eq!(e.problem().unwrap().field, Field::Op(0, 1));
        e.apply(EditMsg::SetOpKind(0, 1, OpKind::Put));
        e.apply(EditMsg::AddOp(0));
        assert_eq!(
            e.draft.threads[0].ops,
            vec![Op::Exit, Op::Put, Op::Load { pcpu: 0 }]
        );
        e.apply(EditMsg::SetOpParam(0, 2, 0, 1));
        assert_eq!(e.draft.threads[0].ops[2], Op::Load { pcpu: 1 });
        e.apply(EditMsg::MoveOp(0, 2, true));
        assert_eq!(e.draft.threads[0].ops[1], Op::Load { pcpu: 1 });
        assert_eq!(e.problem().unwrap().field, Field::Op(0, 1));
        e.apply(EditMsg::SetPcpus(9));
        assert_eq!(e.problem().unwrap().field, Field::Pcpus);
    }

    #[test]
    fn undo_and_redo_walk_the_edits_and_a_new_edit_drops_the_redo() {
        let mut e = editor();
        let start = e.draft.clone();
        assert!(!e.can_undo() && !e.can_redo());
        e.apply(EditMsg::AddVcpu);
        e.apply(EditMsg::SetVcpuState(1, VcpuStart::InGuest));
        let bad = e.draft.clone();
        assert!(e.problem().is_some());
        e.apply(EditMsg::Undo);
        assert_eq!(e.problem(), None);
        assert!(e.can_redo());
        e.apply(EditMsg::Redo);
        assert_eq!(e.draft, bad);
        e.apply(EditMsg::Undo);
        e.apply(EditMsg::Undo);
        assert_eq!(e.draft, start);
        assert!(!e.can_undo());
        e.apply(EditMsg::Undo);
        assert_eq!(e.draft, start, "nothing more to undo");
        e.apply(EditMsg::Redo);
        e.apply(EditMsg::SetTitle("mine".into()));
        assert!(!e.can_redo(), "a new edit drops what was undone");
        // An edit that changes nothing is not one to undo.
        let before = e.clone();
        e.apply(EditMsg::RemoveOp(7, 0));
        e.apply(EditMsg::MoveOp(0, 0, true));
        e.apply(EditMsg::SetTitle("mine".into()));
        assert_eq!(e, before);
        for _ in 0..MAX_UNDO + 10 {
            let n = e.draft.pcpus % 3 + 1;
            e.apply(EditMsg::SetPcpus(n));
        }
        assert_eq!(e.undo.len(), MAX_UNDO);
    }

    #[test]
    fn a_removal_renumbers_what_names_the_parts_above_or_is_refused_naming_what_uses_it() {
        // put-block-vs-affinity with a second vCPU in front of its own: vCPU0 (last on pCPU1)
        // is named by nobody, vCPU1 by IRTE0, its thread and the updater.
        let mut s = by_id("put-block-vs-affinity").unwrap();
        s.vcpus.insert(0, s.vcpus[0]);
        s.vcpus[0].state = VcpuStart::Preempted;
        s.vcpus[0].pcpu = 1;
        s.irtes[0].vcpu = 1;
        s.threads[0].actor = Actor::Vcpu(1);
        s.threads[1].ops = vec![Op::UpdateAffinity { irte: 0, vcpu: 1 }];
        let mut e = Editor::new(s);
        assert_eq!(e.problem(), None);
        let before = e.clone();
        e.apply(EditMsg::RemoveVcpu(1));
        assert_eq!(e.draft, before.draft, "refused: nothing changes");
        assert!(!e.can_undo(), "and nothing to undo");
        let r = e.refused.clone().unwrap();
        assert_eq!(
            r.users,
            [Field::IrteVcpu(0), Field::ThreadActor(0), Field::Op(1, 0)]
        );
        assert!(
            r.msg.starts_with("vCPU1 is still used by IRTE0's vCPU"),
            "{}",
            r.msg
        );
        e.apply(EditMsg::RemoveIrte(0));
        assert!(e
            .refused
            .as_ref()
            .unwrap()
            .msg
            .starts_with("IRTE0 is still used by thread 1"));
        e.apply(EditMsg::SetPcpus(1));
        let r = e.refused.clone().unwrap();
        assert_eq!(r.users, [Field::VcpuPcpu(0)]);
        assert!(
            r.msg
                .starts_with("pCPU1 is still used by vCPU0's starting pCPU"),
            "{}",
            r.msg
        );
        assert_eq!(e.draft.pcpus, 2);
        // Removing the unused vCPU0 renumbers vCPU1 to vCPU0 everywhere: the world is the
        // shipped one again.
        e.apply(EditMsg::RemoveVcpu(0));
        assert_eq!(e.refused, None, "the next message clears the refusal");
        assert_eq!(e.draft, by_id("put-block-vs-affinity").unwrap());
        assert_eq!(e.problem(), None);
        e.apply(EditMsg::Undo);
        assert_eq!(e.draft, before.draft);
    }

    #[test]
    fn numbers_stay_within_what_a_link_spells() {
        let mut e = editor();
        e.apply(EditMsg::SetPcpus(200));
        e.apply(EditMsg::SetOpParam(1, 0, 1, 200));
        assert!(e.draft.to_compact().is_some());
        assert!(e.problem().is_some());
    }
}
