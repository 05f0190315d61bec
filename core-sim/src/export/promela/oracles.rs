//! The oracles of [`crate::oracle`] as Promela: the state oracle (stale IRTE) as an inline every
//! step ends with, the final-state oracles (lost wake-up, deadlock) in a process that runs on
//! SPIN's `timeout` (nothing else can move), and the step oracles as assertions where the fact
//! happens. Each assertion tests a flag named after its kind, so SPIN's output names the kind.

use super::guard::{current, finished, vcpu_of, Which};
use super::layout::{kind_var, Layout};
use super::text::{lit, Text};
use crate::machine::entry;
use crate::program::Actor;
use crate::sim::Sim;
use crate::vocab::ViolationKind;

/// Whether the world's scenario asks for this oracle.
pub fn wants(sim: &Sim, k: ViolationKind) -> bool {
    sim.scenario.oracles.contains(&k)
}

/// `flag = (cond); assert(!flag)` for kind `k`, if the scenario asks for it.
pub fn check(sim: &Sim, t: &mut Text, k: ViolationKind, cond: &str) {
    if wants(sim, k) {
        let f = kind_var(k.id());
        t.line(format!("{f} = ({cond}); assert(!{f});"));
    }
}

/// The thread is inside an operation (or a forced exit).
fn mid(t: usize) -> String {
    format!("(pc[{t}] != 0 || fc[{t}])")
}

/// The thread waits at a step marked quiet ([`crate::program::Step::quiet`]).
fn quiet(sim: &Sim, t: usize) -> String {
    let th = &sim.threads[t];
    let progs = th
        .programs
        .iter()
        .enumerate()
        .map(|(n, p)| (Which::Script(n), p))
        .chain(th.forced.iter().map(|p| (Which::Forced, p)));
    let mut terms = Vec::new();
    for (which, p) in progs {
        for (j, s) in p.steps.iter().enumerate() {
            if s.quiet {
                terms.push(format!("({} && pc[{t}] == {j})", current(sim, t, which)));
            }
        }
    }
    if terms.is_empty() {
        "0".into()
    } else {
        format!("({})", terms.join(" || "))
    }
}

/// `inline check_stale()`: [`crate::oracle::check_state`] and its `in_flight`.
pub fn stale_inline(sim: &Sim, l: &Layout, t: &mut Text) {
    t.open("inline check_stale() {");
    if wants(sim, ViolationKind::StaleIrte) {
        t.line("stale_irte = 0;");
        let run = lit((entry::IS_RUNNING >> 32) as u32);
        let (hi, lo) = if sim.strategy.knobs.kvm_copy() {
            ("khi", "klo")
        } else {
            ("ehi", "elo")
        };
        for v in 0..l.vcpus {
            t.line(format!("/* vCPU{v}: in flight? */"));
            t.line(format!("hb = (vc[{v}].req || vc[{v}].fexit);"));
            if l.tso {
                t.line(format!(
                    "for (hk : 0 .. {}) {{ if :: (buf[hk].v == {v} && (hk % B) < bcnt[hk / B]) -> hb = 1 :: else -> skip fi }}",
                    l.threads * l.buffer - 1
                ));
            }
            for th in 0..l.threads {
                match sim.threads[th].actor {
                    Actor::Vcpu(w) if w as usize == v => t.line(format!(
                        "hb = (hb || ({} && !{} && vc[{v}].rs != SLEEPING));",
                        mid(th),
                        quiet(sim, th)
                    )),
                    Actor::Updater => t.line(format!("hb = (hb || {});", mid(th))),
                    _ => {}
                }
            }
            t.when("!hb", |t| {
                t.line(format!("th = {hi}[{v}]; tl = {lo}[{v}];"));
                for i in 0..l.irtes {
                    t.line(format!(
                        "if :: ((irl[{v}] & {bit}) != 0 && (irte[{i}].rs != ((th & {run}) != 0) || (irte[{i}].rs && irte[{i}].dest != (tl & 255)))) -> stale_irte = 1 :: else -> skip fi;",
                        bit = 1 << i
                    ));
                }
            });
        }
        t.line("assert(!stale_irte);");
    } else {
        t.line("skip;");
    }
    t.close("}");
}

/// The process that judges final states: [`crate::oracle::check_terminal`].
pub fn final_proctype(sim: &Sim, l: &Layout, t: &mut Text) {
    t.open("proctype Final() {");
    t.line("end_wait:");
    t.open("atomic { timeout ->");
    let lost: Vec<String> = (0..l.vcpus)
        .map(|v| format!("(vc[{v}].rs == SLEEPING && vc[{v}].irr != 0)"))
        .collect();
    check(sim, t, ViolationKind::LostWakeup, &lost.join(" || "));
    let stuck: Vec<String> = (0..l.threads)
        .filter(|&th| !sim.threads[th].is_daemon())
        .map(|th| {
            let asleep = vcpu_of(sim, th)
                .map(|v| format!(" && vc[{v}].rs != SLEEPING"))
                .unwrap_or_default();
            format!("(!{}{asleep})", finished(sim, th))
        })
        .collect();
    let stuck = if stuck.is_empty() {
        "0".to_string()
    } else {
        stuck.join(" || ")
    };
    check(sim, t, ViolationKind::Deadlock, &stuck);
    t.close("}");
    t.line("end_done: false");
    t.close("}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_scenarios_oracles_are_asserted() {
        let mut sim = Sim::from_ids("put-block-vs-affinity", "linux-6.6", "sc").unwrap();
        sim.scenario.oracles = vec![ViolationKind::LostWakeup];
        let l = Layout::of(&sim);
        let mut t = Text::default();
        stale_inline(&sim, &l, &mut t);
        final_proctype(&sim, &l, &mut t);
        let text = t.finish();
        assert!(text.contains("assert(!lost_wakeup)"));
        assert!(!text.contains("assert(!stale_irte)") && !text.contains("assert(!deadlock)"));
    }
}
