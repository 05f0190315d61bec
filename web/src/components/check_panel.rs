//! "Find a race": the exhaustive check, its progress, its verdict and its counterexamples.

use super::{kind_impact, kind_title, severity_class};
use crate::state::{CheckState, CheckSummary, Job};
use core_sim::explore::{Outcome, Verdict};
use yew::prelude::*;

/// Props of [`CheckPanel`].
#[derive(Properties, PartialEq)]
pub struct CheckPanelProps {
    /// The check's state.
    pub check: CheckState,
    /// The world can be checked.
    pub enabled: bool,
    /// The schedule on screen (marks the loaded counterexample).
    pub loaded: AttrValue,
    /// Start.
    pub on_find: Callback<()>,
    /// Cancel.
    pub on_cancel: Callback<()>,
    /// Load a counterexample's schedule.
    pub on_load: Callback<String>,
}

/// `12345` → `12,345`.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Milliseconds in words. (Integer formatting only: float formatting would add ~12 KB of code
/// to the wasm module.)
pub fn duration(ms: f64) -> String {
    let ms = ms.max(0.0);
    if ms < 999.5 {
        format!("{} ms", ms.round() as u64)
    } else {
        let cs = (ms / 10.0).round() as u64;
        format!("{}.{:02} s", cs / 100, cs % 100)
    }
}

/// A non-negative number with one decimal, e.g. `12.3`.
pub fn tenths(x: f64) -> String {
    let t = (x.max(0.0) * 10.0).round() as u64;
    format!("{}.{}", t / 10, t % 10)
}

/// The verdict of job `job` (0: a matrix cell's) and its counterexamples.
fn summary(p: &CheckPanelProps, s: &CheckSummary, job: u64) -> Html {
    let head = match s.verdict {
        Verdict::Safe => html! {
            <p class="verdict verdict-safe" id="check-verdict" data-verdict="safe" data-job={job.to_string()}>
                { format!("✓ Safe: no violation in any of the {} reachable states.", thousands(s.states)) }
            </p>
        },
        Verdict::Bounded => html! {
            <p class="verdict verdict-bounded" id="check-verdict" data-verdict="bounded" data-job={job.to_string()}>
                { format!("? No violation in the first {} states, but the search stopped at its limit.", thousands(s.states)) }
            </p>
        },
        Verdict::Violation => html! {
            <p class="verdict verdict-violation" id="check-verdict" data-verdict="violation" data-job={job.to_string()}>
                { format!("✗ {} kind(s) of violation in {} states. Shortest run of each:",
                    s.cexes.len(), thousands(s.states)) }
            </p>
        },
    };
    let complete = if s.outcome == Outcome::Complete {
        "complete search"
    } else {
        "incomplete search"
    };
    html! {
        <>
            { head }
            if !s.cexes.is_empty() {
                <ul class="cex-list">
                    { for s.cexes.iter().map(|c| {
                        let schedule = c.schedule.clone();
                        let on_click = p.on_load.reform(move |_: MouseEvent| schedule.clone());
                        let on = p.loaded == c.schedule.as_str();
                        html! {
                            <li>
                                <button type="button" class={classes!("cex", severity_class(c.kind), on.then_some("cex-on"))}
                                    data-kind={c.kind.id()} aria-pressed={on.to_string()}
                                    title={format!("{}\nschedule {}", c.explanation, c.schedule)} onclick={on_click}>
                                    <span class="cex-kind">{ kind_title(c.kind) }</span>
                                    <span class="cex-len">{ format!("{} steps", c.schedule.len()) }</span>
                                </button>
                                <span class="cex-impact">{ kind_impact(c.kind) }</span>
                            </li>
                        }
                    }) }
                </ul>
            }
            <p class="hint">
                { format!("{} states, {} transitions, {}", thousands(s.states), thousands(s.transitions), complete) }
                if s.ms > 0.0 { { format!(", {}", duration(s.ms)) } }
                if s.max_kick_ipis > 0 { { format!("; up to {} kick IPI(s)", s.max_kick_ipis) } }
                { "." }
            </p>
        </>
    }
}

/// The panel.
#[function_component(CheckPanel)]
pub fn check_panel(p: &CheckPanelProps) -> Html {
    let find = |label: &str| {
        html! {
            <button type="button" id="find-race" class="primary" disabled={!p.enabled}
                title="Explore every interleaving of this scenario, breadth-first: each counterexample is a shortest one."
                onclick={p.on_find.reform(|_: MouseEvent| ())}>{ label }</button>
        }
    };
    let body = match &p.check {
        Job::Idle => html! {
            <>
                { find("Find a race") }
                <p class="hint">{ "Tries every interleaving in a background worker and loads the shortest run of the worst violation it finds." }</p>
            </>
        },
        Job::Running { progress, .. } => html! {
            <div class="check-running" id="check-progress" aria-live="polite">
                <progress></progress>
                <span>{ format!("Searching… {} states, depth {}", thousands(progress.states), progress.depth) }</span>
                <button type="button" id="cancel-check" onclick={p.on_cancel.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
            </div>
        },
        Job::Done { id, result } => {
            html! { <>{ summary(p, result, *id) }{ find("Check again") }</> }
        }
        Job::Cancelled { progress, .. } => html! {
            <>
                <p class="verdict verdict-bounded" id="check-verdict" data-verdict="cancelled">
                    { format!("Cancelled after {} states.", thousands(progress.states)) }
                </p>
                { find("Find a race") }
            </>
        },
        Job::Failed { error: e, .. } => html! {
            <>
                <p class="verdict verdict-violation" id="check-verdict" data-verdict="failed" role="alert">{ format!("The check failed: {e}") }</p>
                { find("Try again") }
            </>
        },
    };
    html! {
        <section class="panel check-panel" aria-labelledby="check-title">
            <h2 id="check-title" class="panel-title">{ "Find a race" }</h2>
            { body }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(duration(12.3), "12 ms");
        assert_eq!(duration(1500.0), "1.50 s");
        assert_eq!(duration(999.7), "1.00 s");
        assert_eq!(duration(-1.0), "0 ms");
        assert_eq!(tenths(144.44), "144.4");
        assert_eq!(tenths(0.06), "0.1");
        assert_eq!(tenths(7.0), "7.0");
    }
}
