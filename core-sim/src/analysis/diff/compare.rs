//! Comparing a matched pair of steps: a branch taken the other way, a value read differently, a
//! different outcome.

use super::{Note, Reason};
use crate::explore::Session;
use crate::machine::{entry, Machine};
use crate::sim::Sim;

fn note(reason: Reason, text: impl Into<String>) -> Option<Note> {
    Some(Note {
        reason,
        text: text.into(),
    })
}

/// Compare A's step `i` with B's step `b` (the same label), B's machine before it being `m_b`.
pub(super) fn compare(a: &Session, i: usize, b: &Session, j: usize, m_b: &Machine) -> Option<Note> {
    let (ra, rb) = (&a.all_records()[i], &b.all_records()[j]);
    let t = ra.event.action.thread();
    let (ma, mb) = (a.state_at(i), m_b);
    // A branch: where each thread goes next.
    let next = |s: &Session, m: &Machine| -> String {
        match s.sim().current(m, t) {
            Some((p, _)) => p.steps[m.threads[t].pc as usize].label.clone(),
            None => "the end of its script".into(),
        }
    };
    let (ta, tb) = (&ra.after.threads[t], &rb.after.threads[t]);
    if let (Some(ja), Some(jb)) = (took_jump(a.sim(), ma, t, ta), took_jump(b.sim(), mb, t, tb)) {
        if ja != jb {
            return note(
                Reason::Branch,
                format!(
                    "the branch goes the other way: A goes on to '{}', B to '{}'",
                    next(a, &ra.after),
                    next(b, &rb.after)
                ),
            );
        }
    }
    let (ga, gb) = (&ma.threads[t].regs, &mb.threads[t].regs);
    if ga == gb && ta.regs != tb.regs {
        let text = if ta.regs.entry != tb.regs.entry {
            format!(
                "reads a different value: entry = {} in A, {} in B",
                entry::describe(ta.regs.entry),
                entry::describe(tb.regs.entry)
            )
        } else if ta.regs.irte != tb.regs.irte {
            let show = |i: &Option<crate::machine::Irte>| {
                i.as_ref().map_or("nothing".into(), |i| i.describe())
            };
            format!(
                "reads a different IRTE: {} in A, {} in B",
                show(&ta.regs.irte),
                show(&tb.regs.irte)
            )
        } else {
            "reads a different value (this thread's local variables differ after it)".into()
        };
        return note(Reason::Value, text);
    }
    if ra.event.facts != rb.event.facts {
        let words = |s: &Session, e: &crate::exec::Event| -> String {
            let w: Vec<String> = e
                .facts
                .iter()
                .filter_map(|f| f.describe(t, s.sim()))
                .collect();
            if w.is_empty() {
                "nothing to note".into()
            } else {
                w.join("; ")
            }
        };
        return note(
            Reason::Outcome,
            format!(
                "a different outcome: {} in A; {} in B",
                words(a, &ra.event),
                words(b, &rb.event)
            ),
        );
    }
    None
}

/// Whether thread `t`'s step in `before` took its conditional jump (`None`: it has none).
fn took_jump(
    sim: &Sim,
    before: &Machine,
    t: usize,
    after: &crate::machine::ThreadState,
) -> Option<bool> {
    let (prog, _) = sim.current(before, t)?;
    let pc = before.threads[t].pc as usize;
    let st = &prog.steps[pc];
    let j = st.jump?;
    let plain = st.next.unwrap_or(pc + 1);
    let ended = |n: usize| n >= prog.steps.len();
    if j == plain || ended(j) == ended(plain) && ended(j) {
        return None;
    }
    Some(if ended(j) {
        after.pc == 0 && !ended(plain) && plain != 0
    } else {
        after.pc as usize == j
    })
}
