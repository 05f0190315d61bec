//! Schedules recorded with the first model's micro-steps (share-link formats v1 and v2), replayed
//! in today's model with the same meaning.
//!
//! Since then some kernel operations gained steps: the locks the first model left out
//! (`irq_desc->lock`, `kvm->irqfds.lock`), the publish and flush of an IRTE's software copy, the
//! second store of KVM's own entry copy. Each new step is marked with its [`Origin`]: one token of
//! an old schedule runs the thread's `Before` steps, its legacy step, then its `After` steps. Where
//! today's model drains a store buffer that the first one did not (`set_current_state()`, VMRUN),
//! the thread's buffered stores are flushed first, oldest first, as the hardware would.

use crate::exec::{is_enabled, step, Action};
use crate::machine::Machine;
use crate::program::{Origin, Step};
use crate::sim::Sim;

use super::schedule::Schedule;

/// An old schedule in today's steps, and where each old position lands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Translated {
    /// The schedule in today's steps.
    pub schedule: Schedule,
    /// `positions[n]`: today's position after the first `n` old actions (`positions[0] == 0`).
    pub positions: Vec<usize>,
}

/// Why an old schedule does not fit today's model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("old schedule action {pos} ({action}): {why}")]
pub struct LegacyError {
    /// 1-based position in the old schedule.
    pub pos: usize,
    /// The old action.
    pub action: Action,
    /// What stood in the way.
    pub why: String,
}

/// The step thread `t` stands at, enabled or not.
fn step_at<'a>(sim: &'a Sim, m: &Machine, t: usize) -> Option<&'a Step> {
    let (prog, _) = sim.current(m, t)?;
    prog.steps.get(m.threads[t].pc as usize)
}

/// Run thread `t`'s next step, flushing its store buffer first if today's model waits for it.
fn run(sim: &Sim, m: &mut Machine, t: u8, out: &mut Vec<Action>) -> Result<(), String> {
    while !is_enabled(sim, m, Action::Step(t)) {
        if m.threads[t as usize].buffer.is_empty() {
            return Err("the thread cannot run here in today's model".into());
        }
        step(sim, m, Action::Flush(t)).map_err(|e| e.to_string())?;
        out.push(Action::Flush(t));
    }
    step(sim, m, Action::Step(t)).map_err(|e| e.to_string())?;
    out.push(Action::Step(t));
    Ok(())
}

/// Translate `old`, a schedule of the first model, for `sim`.
pub fn translate(sim: &Sim, old: &Schedule) -> Result<Translated, LegacyError> {
    let mut m = sim.initial();
    let mut out = Vec::new();
    let mut positions = vec![0];
    for (i, &action) in old.0.iter().enumerate() {
        let fail = |why: String| LegacyError {
            pos: i + 1,
            action,
            why,
        };
        match action {
            Action::Flush(_) => {
                // A store the translation already flushed is gone; otherwise flush it now.
                if is_enabled(sim, &m, action) {
                    step(sim, &mut m, action).map_err(|e| fail(e.to_string()))?;
                    out.push(action);
                }
            }
            Action::Step(t) => {
                let ti = t as usize;
                if ti >= sim.threads.len() {
                    return Err(fail(format!("there is no thread {t}")));
                }
                while step_at(sim, &m, ti).is_some_and(|s| s.origin == Origin::Before) {
                    run(sim, &mut m, t, &mut out).map_err(fail)?;
                }
                run(sim, &mut m, t, &mut out).map_err(fail)?;
                while step_at(sim, &m, ti).is_some_and(|s| s.origin == Origin::After)
                    && m.threads[ti].pc != 0
                {
                    run(sim, &mut m, t, &mut out).map_err(fail)?;
                }
            }
        }
        positions.push(out.len());
    }
    Ok(Translated {
        schedule: Schedule(out),
        positions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_release_lost_wakeup_replays_as_the_same_story() {
        // The first release's naive-update lost wake-up (19 steps then): exit and halt, then the
        // whole update, then the interrupt.
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let old: Schedule = "0000000001111111222".parse().unwrap();
        let t = translate(&sim, &old).unwrap();
        assert_eq!(t.schedule.to_string(), "000000000111111111111222");
        assert_eq!(t.positions.len(), 20);
        // Old step 9 (vCPU0 asleep) is still step 9; old step 12 (the patch's IRTE write)
        // is today's step 16, with its publish at 17.
        assert_eq!(t.positions[9], 9);
        assert_eq!(t.positions[12], 17);
        let s = crate::explore::Session::replay(&sim, &t.schedule.to_string()).unwrap();
        assert!(s
            .violations()
            .iter()
            .any(|v| v.kind == crate::oracle::ViolationKind::LostWakeup));
    }

    #[test]
    fn an_old_schedule_that_does_not_fit_says_where() {
        let sim = Sim::from_ids("block-ga-log", "linux-6.6", "sc").unwrap();
        let old: Schedule = "7".parse().unwrap();
        let e = translate(&sim, &old).unwrap_err();
        assert_eq!(e.pos, 1);
        assert!(e.to_string().contains("no thread 7"), "{e}");
    }
}
