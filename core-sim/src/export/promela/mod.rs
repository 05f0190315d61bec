//! A compiled world as a self-contained Promela model for SPIN.
//!
//! The model is written from the data [`crate::explore::check`] executes: the initial
//! [`crate::Machine`] of [`Sim::initial`], every thread's compiled programs, the knobs, the memory
//! model and the scenario's oracles. Its state vector holds exactly the fields of a machine (see
//! [`layout`]); each thread is one process whose every micro-step is one `d_step` (one atomic
//! transition, as [`crate::exec::step`]); under x86-TSO each store buffer is one more process
//! whose one transition commits the oldest store. So SPIN, without partial-order reduction, stores
//! the checker's states plus a known few ([`pan::expected_states`]), and its failed assertions
//! name the violation kinds (`!(lost_wakeup)`). See `docs/spin.md`.

mod guard;
mod layout;
mod memory;
mod oracles;
pub mod pan;
mod steps;
mod text;

use crate::program::StepKind;
use crate::sim::Sim;
use guard::Which;
use layout::Layout;
use text::Text;

/// Why a world cannot be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// A step the export does not translate faithfully.
    #[error("cannot export to Promela: {0}")]
    Unsupported(String),
}

/// The steps whose oracle reads the state before the step: the export checks it where the
/// fact happens, which is the same only if no life-cycle effect ran first in that step.
fn judged_before(k: StepKind) -> bool {
    matches!(
        k,
        StepKind::IommuNotify(_) | StepKind::AvicNotify(_) | StepKind::AvicRead(_)
    )
}

/// The Promela model of `sim`.
pub fn promela(sim: &Sim) -> Result<String, ExportError> {
    for th in &sim.threads {
        for p in th.programs.iter().chain(th.forced.iter()) {
            if let Some(s) = p
                .steps
                .iter()
                .find(|s| s.effect.is_some() && judged_before(s.kind))
            {
                return Err(ExportError::Unsupported(format!(
                    "step '{}' of '{}' has a life-cycle effect and an oracle fact",
                    s.label, p.title
                )));
            }
        }
    }
    let l = Layout::of(sim);
    let mut t = Text::default();
    t.line(format!(
        "/* avic-lab export --promela: {} x {} x {}\n   Generated from the compiled world; do not edit. Check with:\n     spin -a FILE && gcc {} -o pan pan.c && ./pan {}\n   SPIN stores the checker's states + 2 (init) + 1 per final state (Final). */",
        sim.scenario.id,
        sim.strategy.name(),
        sim.memory.id(),
        pan::CC_FLAGS.join(" "),
        pan::PAN_FLAGS.join(" ")
    ));
    l.declare(&mut t);
    memory::inlines(sim, &l, &mut t);
    oracles::stale_inline(sim, &l, &mut t);
    for n in 0..l.threads {
        thread(sim, &l, &mut t, n);
    }
    if l.tso {
        for n in 0..l.threads {
            memory::flusher(&l, &mut t, n);
        }
    }
    oracles::final_proctype(sim, &l, &mut t);
    t.open("init {");
    t.open("d_step {");
    l.assign(&mut t, &sim.initial());
    t.line("check_stale()");
    t.close("};");
    let mut runs: Vec<String> = (0..l.threads).map(|n| format!("run T{n}()")).collect();
    if l.tso {
        runs.extend((0..l.threads).map(|n| format!("run Flush{n}()")));
    }
    runs.push("run Final()".into());
    t.line(format!("atomic {{ {} }}", runs.join("; ")));
    t.close("}");
    Ok(t.finish())
}

/// The process of thread `n`: one `d_step` per micro-step of each of its programs.
fn thread(sim: &Sim, l: &Layout, t: &mut Text, n: usize) {
    let th = &sim.threads[n];
    t.open(format!(
        "proctype T{n}() {{ /* {} */",
        th.name.replace("*/", "* /")
    ));
    let progs: Vec<(Which, &crate::program::Program)> = th
        .programs
        .iter()
        .enumerate()
        .take(if th.is_daemon() { 1 } else { usize::MAX })
        .map(|(i, p)| (Which::Script(i), p))
        .chain(th.forced.iter().map(|p| (Which::Forced, p)))
        .collect();
    if progs.iter().all(|(_, p)| p.steps.is_empty()) {
        t.line("end: false");
        t.close("}");
        return;
    }
    t.line("end: do");
    for (which, p) in progs {
        for (pc, s) in p.steps.iter().enumerate() {
            let guard = guard::enabled(sim, l, n, which, pc, s.kind);
            t.open(format!(
                ":: d_step {{ ({guard}) -> /* {} */",
                s.label.replace("*/", "* /")
            ));
            steps::step_body(sim, l, t, n, which == Which::Forced, p, pc);
            t.close("}");
        }
    }
    t.line("od");
    t.close("}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_world_exports() {
        for (s, p, m) in crate::explore::matrix::worlds(&crate::strategy::MemoryModel::ALL) {
            let sim = Sim::from_ids(&s, p, m.id()).unwrap();
            let text = promela(&sim).unwrap();
            assert!(
                text.contains("proctype T0()") && text.contains("init {"),
                "{s} {p}"
            );
            assert_eq!(text.contains("proctype Flush0()"), m.id() == "tso");
        }
    }

    #[test]
    fn the_model_is_written_from_the_compiled_programs() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let text = promela(&sim).unwrap();
        let steps: usize = sim
            .threads
            .iter()
            .map(|th| th.programs.iter().map(|p| p.steps.len()).sum::<usize>())
            .sum();
        assert_eq!(text.matches(":: d_step {").count(), steps);
        assert!(text.contains("assert(!lost_wakeup)") && text.contains("assert(!stale_irte)"));
    }
}
