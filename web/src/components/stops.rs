//! "What stops it?": for the run on screen (a counterexample), the single knob flips whose world
//! never shows one of its violations in any interleaving, each with the row where the run's
//! replay in that world parts, and a link that opens the diff view against that world. The
//! checker worker computes it (`web_protocol::Request::Stops`, the core's `what_stops`).

use super::check_panel::{duration, thousands};
use crate::jobs::{FlipAnswer, StopsAnswer};
use crate::state::{CompareMsg, Job, Msg};
use crate::url::{self, Link};
use core_sim::share::{decode_knob_code, Against};
use core_sim::MemoryModel;
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`StopsPanel`].
#[derive(Properties, PartialEq)]
pub struct StopsPanelProps {
    /// The question for the run on screen (idle if asked about another run).
    pub job: Job<(), Rc<StopsAnswer>>,
    /// The run on screen shows a violation (there is something to stop).
    pub has_violation: bool,
    /// The world's memory model (the diff view's world B keeps it).
    pub memory: MemoryModel,
    /// The link of what is on screen (each flip's link is it with `vs=`).
    pub link: Link,
    /// Ask.
    pub on_ask: Callback<()>,
    /// Open the diff view.
    pub on_msg: Callback<Msg>,
}

fn kinds(k: &[core_sim::ViolationKind]) -> String {
    k.iter().map(|k| k.id()).collect::<Vec<_>>().join(", ")
}

/// The flip's name: `kick 0 → 1 (= linux-6.6)`.
pub fn flip_name(f: &FlipAnswer) -> String {
    let preset = f
        .preset
        .as_ref()
        .map(|p| format!(" (= {p})"))
        .unwrap_or_default();
    let hw = if f.hardware { " [hardware]" } else { "" };
    format!("{} {} → {}{preset}{hw}", f.knob, f.from, f.to)
}

fn item(p: &StopsPanelProps, f: &FlipAnswer) -> Html {
    let Some(knobs) = f
        .knobs
        .strip_prefix("k.")
        .and_then(|c| decode_knob_code(c).ok())
    else {
        return html! {};
    };
    let against = Against {
        knobs,
        memory: p.memory,
    };
    let href = url::encode(&Link {
        against: Some(against),
        ..p.link.clone()
    });
    let onclick = p.on_msg.reform(move |e: MouseEvent| {
        e.prevent_default();
        CompareMsg::Knobs(knobs, against.memory).into()
    });
    let parts = match (f.diverges_at, &f.why) {
        (Some(row), Some(why)) => format!("; this run parts there at row {}: {why}", row + 1),
        _ => String::new(),
    };
    html! {
        <li class="stops-item" data-knob={f.knob.clone()} data-to={f.to.clone()}>
            <a class="stops-link" {href} {onclick} title="Open the diff view against this world">{ flip_name(f) }</a>
            <span class="stops-what">{ format!(" stops {}", kinds(&f.stops)) }</span>
            <span class="stops-why">{ parts }</span>
        </li>
    }
}

fn answer(p: &StopsPanelProps, a: &StopsAnswer) -> Html {
    let states: usize = a.flips.iter().map(|f| f.states).sum();
    let n = a.stoppers().count();
    let summary = format!(
        "{n} of {} single knob flips stop a violation of this run ({}): each flipped world checked exhaustively, {} states in {}.",
        a.flips.len(),
        kinds(&a.kinds),
        thousands(states),
        duration(a.ms)
    );
    html! {
        <>
            <p class="hint" id="stops-summary">{ summary }</p>
            if n == 0 {
                <p id="stops-none">{ "No single knob flip makes them impossible: it takes more than one change." }</p>
            } else {
                <ul class="stops-list" id="stops-list">{ for a.stoppers().map(|f| item(p, f)) }</ul>
            }
        </>
    }
}

/// What stops the run on screen.
#[function_component(StopsPanel)]
pub fn stops_panel(p: &StopsPanelProps) -> Html {
    let running = p.job.is_running();
    let ask = p.on_ask.reform(|_: MouseEvent| ());
    let body = match &p.job {
        Job::Idle if !p.has_violation => html! {
            <p class="hint">{ "Once the run on screen shows a violation (Find a race loads one): the single knobs that make it impossible, and at which step." }</p>
        },
        Job::Idle => html! {
            <p class="hint">{ "Turns each knob of this world over, one at a time, checks every flipped world exhaustively, and lists those with none of this run's violations." }</p>
        },
        Job::Running { .. } => html! {
            <p class="hint" id="stops-status" aria-live="polite">{ "Checking every single knob flip…" }</p>
        },
        Job::Failed { error, .. } => html! {
            <p class="verdict verdict-violation" role="alert">{ format!("Could not answer: {error}") }</p>
        },
        Job::Cancelled { .. } => html! {
            <p class="hint" id="stops-status">{ "Stopped: another check took the worker. Ask again." }</p>
        },
        Job::Done { result, .. } => answer(p, result),
    };
    html! {
        <section class="panel stops-panel" id="stops-panel" aria-labelledby="stops-label">
            <h2 class="panel-title" id="stops-label">{ "What stops it?" }</h2>
            <button type="button" id="stops-ask" disabled={running || !p.has_violation} onclick={ask}>
                { "Find the knobs that stop it" }
            </button>
            { body }
        </section>
    }
}
