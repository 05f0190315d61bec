//! The shared state, grouped, with the cells the last step changed highlighted.

use super::term::TermTip;
use core_sim::glossary;
use core_sim::view::Cell;
use yew::prelude::*;

/// A row label or a heading with its glossary term's definition (plain text if it has none).
fn defined(term: Option<glossary::Term>, text: &str) -> Html {
    match term {
        Some(t) => html! { <TermTip term={t.id} label={AttrValue::from(text.to_string())} /> },
        None => html! { text },
    }
}

/// Props of [`StatePane`].
#[derive(Properties, PartialEq)]
pub struct StatePaneProps {
    /// Every cell, in order.
    pub cells: Vec<Cell>,
    /// Cells the last step changed: (id, value before).
    pub changed: Vec<(String, String)>,
}

/// `"0x…  host 1 IsRunning 1"` → (`"host 1 IsRunning 1"`, `Some("0x…")`): the words first.
fn split_value(v: &str) -> (String, Option<String>) {
    match v.split_once("  ") {
        Some((raw, words)) => (words.to_string(), Some(raw.to_string())),
        None => (v.to_string(), None),
    }
}

/// The pane.
#[function_component(StatePane)]
pub fn state_pane(p: &StatePaneProps) -> Html {
    let mut groups: Vec<(&str, Vec<&Cell>)> = Vec::new();
    for c in &p.cells {
        match groups.iter_mut().find(|(g, _)| *g == c.group) {
            Some((_, v)) => v.push(c),
            None => groups.push((&c.group, vec![c])),
        }
    }
    html! {
        <section class="state-pane" aria-labelledby="state-title">
            <h2 id="state-title" class="pane-title">
                { "Shared state" }
                if !p.changed.is_empty() { <span class="legend-changed">{ "changed by the last step" }</span> }
            </h2>
            { for groups.iter().map(|(g, cells)| html! {
                <div class="state-group">
                    <h3>{ defined(glossary::for_group(g), g) }</h3>
                    <dl>
                        { for cells.iter().map(|c| {
                            let before = p.changed.iter().find(|(id, _)| *id == c.id).map(|(_, b)| b.clone());
                            let changed = before.is_some();
                            let (main, detail) = split_value(&c.value);
                            let before = before.map(|b| split_value(&b).0);
                            html! {
                                <div class={classes!("cell", changed.then_some("changed"))} data-cell={c.id.clone()}
                                    title={before.as_ref().map(|b| format!("was: {b}"))}>
                                    <dt>{ defined(glossary::for_cell(&c.id), &c.label) }</dt>
                                    <dd>
                                        <span class="cell-value">{ main }</span>
                                        if let Some(d) = detail { <span class="cell-raw">{ d }</span> }
                                        if let Some(b) = before { <span class="cell-before">{ format!("was {b}") }</span> }
                                    </dd>
                                </div>
                            }
                        }) }
                    </dl>
                </div>
            }) }
        </section>
    }
}
