//! Challenges (the core's `challenges`): the list, the side panel of the one being played (its
//! goal, win condition, hint ladder and hints used) and the banner that says it is won. The win
//! is the core's verdict on the page's own run (`state::Playing::won`), not a match of text.

use crate::state::{Playing, Proof};
use core_sim::challenges::{self, Challenge, LEVELS};
use yew::prelude::*;

/// "scenario × strategy (memory)".
fn world(c: &Challenge) -> String {
    format!("{} × {} ({})", c.scenario, c.strategy, c.memory.id())
}

/// Props of [`ChallengeList`].
#[derive(Properties, PartialEq)]
pub struct ChallengeListProps {
    /// Start a challenge.
    pub on_open: Callback<String>,
}

/// Every challenge, in order, each with its goal and win condition.
#[function_component(ChallengeList)]
pub fn challenge_list(p: &ChallengeListProps) -> Html {
    html! {
        <main class="lessons-page challenges-page" id="challenges">
            <p class="hint">
                { "Be the scheduler and break the kernel: each challenge is a world where the exhaustive checker proved the goal reachable. You pick every step; the checker's oracle judges your own run. Stuck? The hint ladder reveals the shortest run a few steps at a time." }
            </p>
            <ol class="lesson-cards">
                { for challenges::all().iter().map(|c| {
                    let id = c.id.to_string();
                    html! {
                        <li class="lesson-card challenge-card" data-challenge={c.id}>
                            <h2 class="lesson-card-title">{ c.title }</h2>
                            <p class="hint">{ world(c) }</p>
                            <p class="challenge-aim"><strong>{ "Goal: " }</strong>{ c.aim() }</p>
                            <p class="lesson-intro" title={c.win_condition()}>{ c.win_condition() }</p>
                            <button type="button" class="primary" id={format!("challenge-{}", c.id)}
                                onclick={p.on_open.reform(move |_: MouseEvent| id.clone())}>{ "Play ▶" }</button>
                        </li>
                    }
                }) }
            </ol>
        </main>
    }
}

/// Props of [`ChallengePanel`].
#[derive(Properties, PartialEq)]
pub struct ChallengePanelProps {
    /// The challenge being played.
    pub playing: Playing,
    /// The steps of the run on screen, up to its cursor (hints it already follows are ticked).
    pub taken: Vec<core_sim::Action>,
    /// Show the next hint rung.
    pub on_hint: Callback<()>,
    /// Back to the list.
    pub on_list: Callback<()>,
    /// Start the run again.
    pub on_reset: Callback<()>,
}

/// The side panel: goal, win condition, the hint ladder.
#[function_component(ChallengePanel)]
pub fn challenge_panel(p: &ChallengePanelProps) -> Html {
    let pl = &p.playing;
    let c = pl.challenge;
    let taken = &p.taken;
    let status = match &pl.proof {
        Proof::Pending => html! {
            <p class="hint" id="hint-status">{ "The checker is proving the goal reachable; the hints come from its shortest run…" }</p>
        },
        Proof::Failed(e) => {
            html! { <p class="claim-fails" id="hint-status" role="alert">{ e.clone() }</p> }
        }
        Proof::Ready(_) => html! {
            <p class="hint" id="hint-status">
                { format!("The checker proved it: the shortest run that wins has {} steps.", pl.ladder_len()) }
            </p>
        },
    };
    let label = if pl.rung == 0 { "Hint" } else { "Another hint" };
    html! {
        <aside class="sidebar lesson-side challenge-side" aria-label="Challenge">
            <section class="panel">
                <h2 class="panel-title">{ "Challenge" }</h2>
                <p class="lesson-title" id="challenge-title">{ c.title }</p>
                <p class="hint">{ world(c) }</p>
                <p class="challenge-aim" id="challenge-aim"><strong>{ "Goal: " }</strong>{ c.aim() }</p>
                <p class="challenge-win" id="challenge-win">{ c.win_condition() }</p>
                <details class="challenge-background">
                    <summary>{ "Why this world allows it" }</summary>
                    <p>{ c.background() }</p>
                </details>
                <div class="row">
                    <button type="button" id="challenge-reset" title="Back to the initial state (the hints stay)"
                        onclick={p.on_reset.reform(|_: MouseEvent| ())}>{ "Start again" }</button>
                    <button type="button" id="challenges-list" onclick={p.on_list.reform(|_: MouseEvent| ())}>{ "All challenges" }</button>
                </div>
            </section>
            <section class="panel" id="challenge-hints" aria-labelledby="hints-title">
                <h2 id="hints-title" class="panel-title">{ "Hints" }</h2>
                { status }
                <div class="row">
                    <button type="button" id="hint" disabled={!pl.more_hints()}
                        title="Reveal the next few steps of the checker's shortest winning run"
                        onclick={p.on_hint.reform(|_: MouseEvent| ())}>{ label }</button>
                    <span class="hint" id="hints-used" aria-live="polite">
                        { format!("Hints used: {} of {LEVELS}", pl.rung) }
                    </span>
                </div>
                if !pl.hints().is_empty() {
                    <ol class="hint-steps" id="hint-steps">
                        { for pl.hints().iter().enumerate().map(|(i, h)| {
                            let followed = taken.get(i) == Some(&h.action);
                            html! {
                                <li class={classes!("hint-step", followed.then_some("hint-followed"))}
                                    data-action={h.action.to_char().to_string()}>
                                    <span class="hint-mark" aria-label={if followed { "your run does this" } else { "" }}>
                                        { if followed { "✓ " } else { "" } }
                                    </span>
                                    { format!("Step {}: {}", i + 1, h.text) }
                                </li>
                            }
                        }) }
                    </ol>
                }
                if let Some(s) = &pl.solved {
                    <p class="claim-holds" id="challenge-solved">
                        { format!("Solved: {} at step {}, with {} hint rung(s).", s.violation.kind.title(), s.violation.step, s.hints) }
                    </p>
                }
            </section>
        </aside>
    }
}

/// Props of [`ChallengeWon`].
#[derive(Properties, PartialEq)]
pub struct ChallengeWonProps {
    /// The challenge being played.
    pub playing: Playing,
    /// Steps done.
    pub position: usize,
    /// Back to the list.
    pub on_list: Callback<()>,
}

/// The banner over the run once it shows the goal (at or before the step on screen), scrolled
/// into view when it appears (the player may have scrolled down to the threads).
#[function_component(ChallengeWon)]
pub fn challenge_won(p: &ChallengeWonProps) -> Html {
    let banner = use_node_ref();
    {
        let banner = banner.clone();
        use_effect_with(p.playing.won.as_ref().map(|v| v.step), move |_| {
            reveal(&banner);
        });
    }
    let Some(v) = &p.playing.won else {
        return html! {};
    };
    html! {
        <section class="challenge-won" id="challenge-won" ref={banner} aria-labelledby="challenge-won-title">
            <h2 id="challenge-won-title">{ "Challenge won!" }</h2>
            <p>
                { format!("Your run shows the {} at step {}: the checker's oracle judged your own schedule, replayed in the challenge's world. ", v.kind.title(), v.step) }
                { v.explanation.clone() }
            </p>
            <p class="hint">
                { format!("Hints used: {} of {LEVELS}. ", p.playing.rung) }
                if p.position > v.step { { format!("You are at step {}, after it.", p.position) } }
            </p>
            <button type="button" id="challenge-next" onclick={p.on_list.reform(|_: MouseEvent| ())}>{ "More challenges" }</button>
        </section>
    }
}

/// Scroll the element into view unless it is wholly in the window already, below the sticky
/// top bar (style.css gives it the scroll margin to clear the bar).
fn reveal(el: &NodeRef) {
    let (Some(el), Some(w)) = (el.cast::<web_sys::Element>(), crate::hooks::dom::window()) else {
        return;
    };
    let r = el.get_bounding_client_rect();
    let h = w
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0);
    let bar = w
        .document()
        .and_then(|d| d.query_selector(".topbar").ok().flatten())
        .map_or(0.0, |b| b.get_bounding_client_rect().bottom());
    if r.top() < bar || r.bottom() > h {
        el.scroll_into_view_with_bool(r.top() < bar);
    }
}
