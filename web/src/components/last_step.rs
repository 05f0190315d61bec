//! What the last step did, in words: who ran which line, and what the hardware made of it.

use core_sim::timeline::Row;
use yew::prelude::*;

/// Props of [`LastStep`].
#[derive(Properties, PartialEq)]
pub struct LastStepProps {
    /// The step on screen (`None` at the start).
    pub row: Option<Row>,
    /// The name of the thread that ran it.
    pub who: AttrValue,
}

/// One line under the toolbar.
#[function_component(LastStep)]
pub fn last_step(p: &LastStepProps) -> Html {
    let Some(r) = &p.row else {
        return html! {
            <div class="last-step" id="last-step">
                <span class="hint">{ "Initial state. Every posted IRTE agrees with its vCPU's entry." }</span>
            </div>
        };
    };
    html! {
        <div class="last-step" id="last-step" data-step={r.step.to_string()}>
            <span class="last-who">{ format!("Step {} · {}", r.step, p.who) }</span>
            if r.flush {
                <span class="last-code">{ "store buffer → memory: " }<code>{ &r.label }</code></span>
            } else {
                <span class="last-code"><span class="last-func">{ format!("{}: ", r.func) }</span><code>{ r.code.trim() }</code></span>
            }
            { for r.notes.iter().map(|n| html! { <span class="last-note">{ n }</span> }) }
        </div>
    }
}
