//! Back / forward / play / reset, the step counter and the schedule as a scrubber.

use super::select::{Select, SelectOption};
use crate::state::PACES;
use yew::prelude::*;

/// Props of [`RunToolbar`].
#[derive(Properties, PartialEq)]
pub struct RunToolbarProps {
    /// Steps taken.
    pub position: usize,
    /// Steps recorded.
    pub len: usize,
    /// The recorded schedule string.
    pub schedule: AttrValue,
    /// Nothing can run at the current position.
    pub terminal: bool,
    /// → can move (a recorded step ahead, or a single thread that can run).
    pub can_forward: bool,
    /// Play is on.
    pub playing: bool,
    /// Milliseconds per step when playing.
    pub pace_ms: u32,
    /// A guided lesson (no reset; the status line says how to go on).
    #[prop_or_default]
    pub guided: bool,
    /// Play / pause.
    pub on_play: Callback<()>,
    /// Pick the pace.
    pub on_pace: Callback<u32>,
    /// Back one step.
    pub on_back: Callback<()>,
    /// Forward one step.
    pub on_forward: Callback<()>,
    /// Back to the start, dropping the run.
    pub on_reset: Callback<()>,
    /// Jump to a step.
    pub on_goto: Callback<usize>,
}

fn pace_options() -> Vec<SelectOption> {
    PACES
        .iter()
        .map(|(ms, label)| SelectOption::new(ms.to_string(), format!("{label} / step")))
        .collect()
}

/// The toolbar.
#[function_component(RunToolbar)]
pub fn run_toolbar(p: &RunToolbarProps) -> Html {
    let status = if p.guided {
        if p.position >= p.len {
            "the end of the lesson: Take over to go on as the scheduler"
        } else {
            "press → or Play to follow the lesson"
        }
    } else if p.terminal {
        "the run is over: no thread can run"
    } else if p.position < p.len {
        "you went back: stepping replays the recorded run, another thread starts a new branch"
    } else {
        "click a thread (or press its number) to run its next step"
    };
    html! {
        <div class="toolbar" role="toolbar" aria-label="Run">
            <button type="button" id="back" disabled={p.position == 0} title="One step back (←)"
                onclick={p.on_back.reform(|_: MouseEvent| ())}>{ "◀ Back" }</button>
            <button type="button" id="forward" disabled={!p.can_forward}
                title="One step forward (→): the next recorded step, or the only thread that can run"
                onclick={p.on_forward.reform(|_: MouseEvent| ())}>{ "Forward ▶" }</button>
            <button type="button" id="play" class={classes!(p.playing.then_some("primary"))} aria-pressed={p.playing.to_string()}
                title="Play / pause (space): one step per beat" onclick={p.on_play.reform(|_: MouseEvent| ())}>
                { if p.playing { "❚❚ Pause" } else { "▶▶ Play" } }
            </button>
            <label class="pace" title="Pace of Play">
                <span class="sr-only">{ "Seconds per step" }</span>
                <Select id="pace" value={p.pace_ms.to_string()} options={pace_options()}
                    on_change={p.on_pace.reform(|v: String| v.parse().unwrap_or(PACES[1].0))} />
            </label>
            if !p.guided {
                <button type="button" id="reset" disabled={p.len == 0} title="Back to the initial state, forgetting the run"
                    onclick={p.on_reset.reform(|_: MouseEvent| ())}>{ "⟲ Reset" }</button>
            }
            <span class="position" id="position" data-position={p.position.to_string()} data-len={p.len.to_string()}>
                { format!("step {} of {}", p.position, p.len) }
            </span>
            <span class="schedule" aria-label="Schedule: one character per step; click one to jump there">
                <button type="button" class={classes!("sched-ch", "sched-start", (p.position == 0).then_some("sched-at"))}
                    title="initial state" onclick={p.on_goto.reform(|_: MouseEvent| 0)}>{ "·" }</button>
                { for p.schedule.chars().enumerate().map(|(i, c)| {
                    let n = i + 1;
                    let class = classes!(
                        "sched-ch",
                        if n <= p.position { "sched-done" } else { "sched-todo" },
                        (n == p.position).then_some("sched-at")
                    );
                    let title = if c.is_ascii_digit() { format!("step {n}: thread {c}") } else { format!("step {n}: flush store buffer {c}") };
                    html! { <button type="button" {class} {title} onclick={p.on_goto.reform(move |_: MouseEvent| n)}>{ c }</button> }
                }) }
            </span>
            <span class="hint toolbar-status">{ status }</span>
        </div>
    }
}
