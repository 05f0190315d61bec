//! The strategy × scenario matrix: each cell's verdict, checked in the workers; each cell opens
//! the explorer at its worst counterexample.

use super::check_panel::{duration, tenths, thousands};
use super::pickers::MemoryPicker;
use super::{kind_title, severity_class};
use crate::state::MatrixState;
use core_sim::analysis::preemptions::needs;
use core_sim::strategy::PRESETS;
use core_sim::{MemoryModel, Scenario};
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`MatrixView`].
#[derive(Properties, PartialEq)]
pub struct MatrixViewProps {
    /// The matrix.
    pub matrix: MatrixState,
    /// Scenario titles.
    pub scenarios: Rc<Vec<Scenario>>,
    /// Pick the memory model (re-runs).
    pub on_memory: Callback<MemoryModel>,
    /// Run it.
    pub on_run: Callback<()>,
    /// Cancel it.
    pub on_cancel: Callback<()>,
    /// Open a cell in the explorer.
    pub on_open: Callback<usize>,
}

fn cell_html(p: &MatrixViewProps, i: usize) -> Html {
    let (scenario, strategy, _) = &p.matrix.worlds[i];
    let on_open = p.on_open.reform(move |_: MouseEvent| i);
    let Some(c) = &p.matrix.cells[i] else {
        let class = if p.matrix.job.is_running() {
            "mx-pending"
        } else {
            "mx-empty"
        };
        return html! {
            <td><button type="button" class={classes!("mx-cell", class)} data-scenario={scenario.clone()} data-strategy={*strategy}
                data-verdict="pending" onclick={on_open} title="not checked yet; click to open in the explorer">{ "…" }</button></td>
        };
    };
    let worst = c.counterexamples.first();
    let (class, label) = match (c.verdict.as_str(), worst) {
        ("safe", _) => ("mx-safe".to_string(), "✓ safe".to_string()),
        ("violation", Some(w)) => (
            severity_class(w.kind).to_string(),
            format!("✗ {}", kind_title(w.kind)),
        ),
        _ => ("mx-bounded".to_string(), "? bounded".to_string()),
    };
    let more = c.counterexamples.len().saturating_sub(1);
    let kinds: Vec<String> = c
        .counterexamples
        .iter()
        .map(|x| match x.preemptions {
            Some(n) => format!("{} ({})", kind_title(x.kind), needs(n)),
            None => kind_title(x.kind).to_string(),
        })
        .collect();
    let preempt = worst.and_then(|w| w.preemptions).map(needs);
    let title = format!(
        "{} × {} ({}): {}{}\n{} states · {}\nclick: open in the explorer{}",
        scenario,
        strategy,
        c.memory_model,
        c.verdict,
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" — {}", kinds.join(", "))
        },
        thousands(c.states),
        duration(c.ms),
        if worst.is_some() {
            " at the shortest run of the worst kind"
        } else {
            ""
        }
    );
    html! {
        <td>
            <button type="button" class={classes!("mx-cell", class)} data-scenario={scenario.clone()} data-strategy={*strategy}
                data-verdict={c.verdict.clone()} data-states={c.states.to_string()} {title} onclick={on_open}>
                <span class="mx-label">
                    { label }
                    if more > 0 { <span class="mx-more" title="more kinds of violation">{ format!(" +{more}") }</span> }
                </span>
                if let Some(p) = preempt { <span class="mx-preempt">{ p }</span> }
                <span class="mx-states">{ format!("{} states", thousands(c.states)) }</span>
            </button>
        </td>
    }
}

/// The view.
#[function_component(MatrixView)]
pub fn matrix_view(p: &MatrixViewProps) -> Html {
    let m = &p.matrix;
    let cols = PRESETS.len();
    let status = if let Some(e) = m.job.error() {
        html! { <span class="field-error" role="alert">{ format!("The matrix failed: {e}") }</span> }
    } else if m.job.is_running() {
        html! { <>
            <progress class="matrix-progress" max={m.cells.len().to_string()} value={m.done().to_string()} aria-hidden="true"></progress>
            <span aria-live="polite">{ format!("checking… {} of {} cells ({} workers)", m.done(), m.cells.len(), m.workers) }</span>
        </> }
    } else if let Some(&ms) = m.job.result() {
        html! { <span id="matrix-time" data-ms={tenths(ms)}>{ format!("{} cells in {} on {} worker(s)", m.cells.len(), duration(ms), m.workers) }</span> }
    } else if m.done() > 0 {
        html! { <span>{ format!("stopped after {} of {} cells", m.done(), m.cells.len()) }</span> }
    } else {
        html! {}
    };
    let rows: Vec<&Scenario> = {
        let mut seen: Vec<&str> = Vec::new();
        m.worlds
            .iter()
            .filter_map(|(s, _, _)| {
                if seen.contains(&s.as_str()) {
                    return None;
                }
                seen.push(s);
                p.scenarios.iter().find(|x| &x.id == s)
            })
            .collect()
    };
    html! {
        <main class="matrix-page" id="matrix" data-complete={m.complete().to_string()}>
            <div class="matrix-controls">
                <MemoryPicker id="matrix-memory" memory={m.memory} on_change={p.on_memory.clone()} />
                if m.job.is_running() {
                    <button type="button" id="matrix-cancel" onclick={p.on_cancel.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                } else {
                    <button type="button" id="matrix-run" class="primary" onclick={p.on_run.reform(|_: MouseEvent| ())}>
                        { if m.done() > 0 { "Check again" } else { "Check every cell" } }
                    </button>
                }
                <span class="matrix-status">{ status }</span>
            </div>
            <p class="hint">
                { "Each cell is an exhaustive check of one scenario under one strategy. Click a cell to open the explorer at the shortest run of its worst violation." }
            </p>
            <div class="matrix-scroll">
                <table class="matrix-table">
                    <thead>
                        <tr>
                            <th scope="col" class="mx-corner">{ "scenario \\ strategy" }</th>
                            { for PRESETS.iter().map(|x| html! { <th scope="col" title={x.summary}>{ x.title }</th> }) }
                        </tr>
                    </thead>
                    <tbody>
                        { for rows.iter().enumerate().map(|(r, s)| html! {
                            <tr>
                                <th scope="row" title={s.description.clone()}>{ &s.title }<span class="mx-id">{ &s.id }</span></th>
                                { for (0..cols).map(|c| cell_html(p, r * cols + c)) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            <ul class="legend">
                <li><span class="swatch mx-safe"></span>{ "safe: no violation in any interleaving" }</li>
                <li><span class="swatch sev-hang"></span>{ "hang (lost wake-up, deadlock)" }</li>
                <li><span class="swatch sev-corruption"></span>{ "corruption (stale IRTE, torn read)" }</li>
                <li><span class="swatch sev-latency"></span>{ "latency only (delayed delivery)" }</li>
            </ul>
        </main>
    }
}
