//! Violations in plain words at their step, and a loud banner for hangs.

use super::term::TermTip;
use super::{kind_title, severity_class};
use core_sim::{Violation, ViolationKind};
use yew::prelude::*;

/// Props of [`Violations`].
#[derive(Properties, PartialEq)]
pub struct ViolationsProps {
    /// Violations up to the current position (plus end-of-run ones if the run ended).
    pub now: Vec<Violation>,
    /// Violations later in the recorded run.
    pub later: Vec<Violation>,
    /// Jump to a step.
    pub on_goto: Callback<usize>,
}

fn item(v: &Violation, on_goto: &Callback<usize>, later: bool) -> Html {
    let step = v.step;
    let at = if step == 0 {
        "at the start".to_string()
    } else {
        format!("step {step}")
    };
    html! {
        <li class={classes!("violation", severity_class(v.kind), later.then_some("violation-later"))} data-kind={v.kind.id()}>
            <button type="button" class="goto" title="Go to this step" onclick={on_goto.reform(move |_: MouseEvent| step)}>{ at }</button>
            <span class="violation-kind"><TermTip term={v.kind.id()} label={AttrValue::Static(kind_title(v.kind))} /></span>
            <span class="violation-severity">{ format!("({})", v.kind.severity()) }</span>
            <span class="violation-text">{ &v.explanation }</span>
        </li>
    }
}

/// The list; nothing when there is nothing to say.
#[function_component(Violations)]
pub fn violations(p: &ViolationsProps) -> Html {
    if p.now.is_empty() && p.later.is_empty() {
        return html! {
            <section class="violations violations-none" id="violations">
                <p class="hint">{ "No oracle has fired in this run so far." }</p>
            </section>
        };
    }
    html! {
        <section class="violations" id="violations" aria-labelledby="violations-title">
            <h2 id="violations-title" class="pane-title">{ "What went wrong" }</h2>
            <ul>
                { for p.now.iter().map(|v| item(v, &p.on_goto, false)) }
            </ul>
            if !p.later.is_empty() {
                <p class="hint">{ "Further along the recorded run:" }</p>
                <ul>{ for p.later.iter().map(|v| item(v, &p.on_goto, true)) }</ul>
            }
        </section>
    }
}

/// Props of [`HangBanner`].
#[derive(Properties, PartialEq)]
pub struct HangBannerProps {
    /// Violations on screen; the banner shows the hangs among them.
    pub violations: Vec<Violation>,
}

/// A loud banner for lost wake-ups and deadlocks.
#[function_component(HangBanner)]
pub fn hang_banner(p: &HangBannerProps) -> Html {
    let hangs: Vec<&Violation> = p
        .violations
        .iter()
        .filter(|v| v.kind.severity() == core_sim::vocab::Severity::Hang)
        .collect();
    if hangs.is_empty() {
        return html! {};
    }
    html! {
        <div class="hang-banner" id="hang-banner" role="alert">
            { for hangs.iter().map(|v| {
                let title = match v.kind {
                    ViolationKind::LostWakeup => "LOST WAKE-UP: the guest hangs",
                    _ => "DEADLOCK: the host hangs",
                };
                html! {
                    <div class="hang" data-kind={v.kind.id()}>
                        <strong class="hang-title">{ format!("⚠ {title}") }</strong>
                        <span class="hang-text">{ &v.explanation }</span>
                    </div>
                }
            }) }
        </div>
    }
}
