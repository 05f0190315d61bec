//! A run at one step as a slide (the web app's `embed=1` layout): each thread's current line, only
//! the state rows the last step changed or a violation at this step is about, and one line of
//! what happened. Renderer-neutral, like [`crate::timeline`]; the web shell only lays it out.

use crate::explore::Session;
use crate::oracle::Violation;
use crate::view::{self, Cell, ThreadState};
use crate::vocab::ViolationKind;
use crate::Action;

/// One thread on a slide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlideThread {
    /// Thread id (and its key).
    pub index: usize,
    /// Display name.
    pub name: String,
    /// Its next step can run now.
    pub enabled: bool,
    /// Where it stands.
    pub state: ThreadState,
    /// A word on its status.
    pub status: String,
    /// The operation it is in, if any.
    pub op: Option<String>,
    /// Its next line: (kernel function, pseudo-code), if it has one.
    pub line: Option<(String, String)>,
}

/// One state row on a slide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlideRow {
    /// The cell now.
    pub cell: Cell,
    /// Its value before the last step, if that step changed it.
    pub before: Option<String>,
    /// The violations at this step that are about it.
    pub violated: Vec<ViolationKind>,
}

/// What a slide shows at one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slide {
    /// Steps taken.
    pub position: usize,
    /// Every thread, in order (the shell draws the runnable ones' lines large).
    pub threads: Vec<SlideThread>,
    /// The changed or violated rows, in the state pane's order.
    pub rows: Vec<SlideRow>,
    /// What happened at this step, in one line.
    pub happened: String,
    /// The violations that became true at this step (and, at the end, the hangs).
    pub violations: Vec<Violation>,
}

/// The numbers `prefix` is followed by in `text` ("vCPU0 … IRTE1" → vCPU: [0], IRTE: [1]).
fn indices(text: &str, prefix: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        rest = &rest[i + prefix.len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse::<usize>() {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// The cell ids a violation is about: the structures its oracle judges (`crate::oracle`), for
/// the vCPUs and IRTEs its explanation names.
pub fn violated_cells(v: &Violation) -> Vec<String> {
    let vcpus = indices(&v.explanation, "vCPU");
    let irtes = indices(&v.explanation, "IRTE");
    let per = |ids: &[usize], kinds: &[&str]| -> Vec<String> {
        ids.iter()
            .flat_map(|n| kinds.iter().map(move |k| format!("{k}.{n}")))
            .collect()
    };
    match v.kind {
        ViolationKind::StaleIrte => {
            let mut out = per(&irtes, &["irte"]);
            out.extend(per(&vcpus, &["entry", "kvm-entry"]));
            out
        }
        ViolationKind::LostWakeup | ViolationKind::DelayedDelivery => per(&vcpus, &["vcpu", "irr"]),
        ViolationKind::TornRead => per(&vcpus, &["entry"]),
        ViolationKind::IrteMixedUpdate => per(&irtes, &["irte", "irte-copy"]),
        ViolationKind::Deadlock => vec!["lock".into()],
    }
}

/// Whether cell `id` is one of `wanted` ("lock" stands for every lock row).
fn wanted(id: &str, wanted: &[String]) -> bool {
    wanted
        .iter()
        .any(|w| w == id || (w == "lock" && (id.starts_with("lock.") || id.starts_with("lock-"))))
}

/// The slide of `s` at its position.
pub fn at(s: &Session) -> Slide {
    let sim = s.sim();
    let pos = s.position();
    let m = s.state();
    let cells = view::cells(sim, m);
    let changes = if pos == 0 {
        Vec::new()
    } else {
        crate::timeline::diff(&view::cells(sim, s.state_at(pos - 1)), &cells)
    };
    let violations: Vec<Violation> = s
        .violations()
        .into_iter()
        .filter(|v| v.step == pos)
        .collect();
    let rows = cells
        .into_iter()
        .filter_map(|cell| {
            let before = changes
                .iter()
                .find(|c| c.id == cell.id)
                .map(|c| c.before.clone());
            let violated: Vec<ViolationKind> = violations
                .iter()
                .filter(|v| wanted(&cell.id, &violated_cells(v)))
                .map(|v| v.kind)
                .collect();
            (before.is_some() || !violated.is_empty()).then_some(SlideRow {
                cell,
                before,
                violated,
            })
        })
        .collect();
    let threads = view::threads(sim, m)
        .into_iter()
        .enumerate()
        .map(|(t, v)| {
            let listing = v
                .program
                .and_then(|p| view::listing(sim, t).into_iter().nth(p));
            let line = listing.as_ref().and_then(|l| l.lines.get(v.pc).cloned());
            SlideThread {
                index: t,
                name: v.name,
                enabled: v.enabled,
                state: v.state,
                status: v.status,
                op: listing.map(|l| l.title),
                line,
            }
        })
        .collect();
    Slide {
        position: pos,
        threads,
        rows,
        happened: happened(s, &violations),
        violations,
    }
}

/// "Step 17 · IRQ affinity updater: modify_irte_ga(): … — doorbell → … ⇒ stale IRTE".
fn happened(s: &Session, violations: &[Violation]) -> String {
    let pos = s.position();
    let mut out = match s.records().last() {
        None => "The initial state: no step has run yet.".to_string(),
        Some(r) => {
            let who = s.sim().thread_name(r.event.action.thread());
            let what = match r.event.action {
                Action::Flush(_) => format!("store buffer → memory: {}", r.event.label),
                Action::Step(_) => format!("{}: {}", r.event.func, r.event.code.trim()),
            };
            let notes: Vec<String> = r
                .event
                .facts
                .iter()
                .filter_map(|f| f.describe(r.event.action.thread(), s.sim()))
                .collect();
            let mut line = format!("Step {pos} · {who} · {what}");
            if !notes.is_empty() {
                line.push_str(&format!(" — {}", notes.join("; ")));
            }
            line
        }
    };
    let mut kinds: Vec<&str> = violations.iter().map(|v| v.kind.title()).collect();
    kinds.dedup();
    if !kinds.is_empty() {
        out.push_str(&format!(" ⇒ {}", kinds.join(", ").to_uppercase()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sim;

    const LOST: &str = "000000000111111111111222";

    fn slide(step: usize) -> Slide {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let mut s = Session::replay(&sim, LOST).unwrap();
        s.goto(step);
        at(&s)
    }

    #[test]
    fn a_slide_keeps_only_the_rows_the_step_changed() {
        let s = slide(17);
        let ids: Vec<&str> = s.rows.iter().map(|r| r.cell.id.as_str()).collect();
        assert!(ids.contains(&"irte.0"), "{ids:?}");
        let irte = s.rows.iter().find(|r| r.cell.id == "irte.0").unwrap();
        assert!(irte.before.as_deref().unwrap().contains("IsRun 0"));
        assert!(irte.cell.value.contains("IsRun 1"));
        // Every row is a changed one here (no violation at step 17), and far fewer than all.
        assert!(s.rows.iter().all(|r| r.before.is_some()));
        assert!(s.rows.len() < 6, "{ids:?}");
        assert!(
            s.happened.starts_with(
                "Step 17 · IRQ affinity updater · amd_iommu_update_ga: modify_irte_ga()"
            ),
            "{}",
            s.happened
        );
        assert_eq!(s.threads.len(), 4);
        let runnable: Vec<usize> = s
            .threads
            .iter()
            .filter(|t| t.enabled)
            .map(|t| t.index)
            .collect();
        assert!(!runnable.is_empty());
        assert!(s
            .threads
            .iter()
            .filter(|t| t.enabled)
            .all(|t| t.line.is_some()));
    }

    #[test]
    fn the_hang_names_the_sleeping_vcpu_and_its_irr() {
        let s = slide(LOST.len());
        assert!(s
            .violations
            .iter()
            .any(|v| v.kind == ViolationKind::LostWakeup));
        for id in ["vcpu.0", "irr.0"] {
            let row = s.rows.iter().find(|r| r.cell.id == id).unwrap();
            assert!(row.violated.contains(&ViolationKind::LostWakeup), "{id}");
        }
        assert!(s.happened.contains("LOST WAKE-UP"), "{}", s.happened);
        let start = slide(0);
        assert!(start.rows.is_empty());
        assert_eq!(start.happened, "The initial state: no step has run yet.");
    }

    #[test]
    fn violations_map_to_the_cells_their_oracle_judges() {
        let v = |kind, text: &str| Violation {
            kind,
            step: 1,
            explanation: text.into(),
        };
        assert_eq!(
            violated_cells(&v(
                ViolationKind::StaleIrte,
                "IRTE1 says IsRun=1 but vCPU0's entry says IsRunning=0"
            )),
            ["irte.1", "entry.0", "kvm-entry.0"]
        );
        assert_eq!(
            violated_cells(&v(ViolationKind::TornRead, "AVIC read vCPU12's entry")),
            ["entry.12"]
        );
        assert!(wanted(
            "lock-3",
            &violated_cells(&v(ViolationKind::Deadlock, "x"))
        ));
        assert!(!wanted(
            "irr.0",
            &violated_cells(&v(ViolationKind::Deadlock, "x"))
        ));
    }
}
