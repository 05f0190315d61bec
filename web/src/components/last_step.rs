//! What the last step did, in words: who ran which line, and what the hardware made of it.

use core_sim::timeline::Row;
use web_sys::Element;
use yew::prelude::*;

/// A violation that fires at the step on screen, with its cause and deciding race (the core's
/// analyses, from the timeline).
#[derive(Clone, Debug, PartialEq)]
pub struct Why {
    /// Kind id (`lost-wakeup`).
    pub kind: &'static str,
    /// Kind title.
    pub title: &'static str,
    /// The oracle's explanation.
    pub explanation: String,
    /// "Cause: step 24 … made it true; …".
    pub cause: Option<String>,
    /// "Deciding race: …", if one pair decides it.
    pub race: Option<String>,
}

/// Props of [`LastStep`].
#[derive(Properties, PartialEq)]
pub struct LastStepProps {
    /// The step on screen (`None` at the start).
    pub row: Option<Row>,
    /// The name of the thread that ran it.
    pub who: AttrValue,
    /// Violations that fire at this step.
    #[prop_or_default]
    pub why: Vec<Why>,
}

fn why(w: &Why) -> Html {
    html! {
        <div class="why" data-kind={w.kind}>
            <strong class="why-kind">{ format!("⚠ {}: ", w.title) }</strong>
            <span class="why-text">{ &w.explanation }</span>
            if let Some(c) = &w.cause { <p class="why-cause">{ c }</p> }
            if let Some(r) = &w.race { <p class="why-race">{ r }</p> }
        </div>
    }
}

/// One line under the toolbar.
#[function_component(LastStep)]
pub fn last_step(p: &LastStepProps) -> Html {
    let why_ref = use_node_ref();
    {
        // The explanation is on screen at the step where the violation fires: if the page has
        // it below the fold (the machine picture sits above it), scroll just enough to show it.
        let why_ref = why_ref.clone();
        let step = p.row.as_ref().map(|r| r.step);
        use_effect_with((step, p.why.len()), move |_| {
            if let (Some(el), Some(win)) = (why_ref.cast::<Element>(), web_sys::window()) {
                let bottom = el.get_bounding_client_rect().bottom();
                let height = win
                    .inner_height()
                    .ok()
                    .and_then(|h| h.as_f64())
                    .unwrap_or(0.0);
                // Never so far that the machine picture above it leaves the screen.
                let room = win
                    .document()
                    .and_then(|d| d.query_selector(".picture-pane").ok().flatten())
                    .map_or(f64::MAX, |p| p.get_bounding_client_rect().top().max(0.0));
                if height > 0.0 && bottom > height {
                    win.scroll_by_with_x_and_y(0.0, (bottom - height + 8.0).min(room));
                }
            }
        });
    }
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
            if !p.why.is_empty() {
                <div class="last-why" id="why" aria-live="polite" ref={why_ref}>{ for p.why.iter().map(why) }</div>
            }
        </div>
    }
}
