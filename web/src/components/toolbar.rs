//! Back / forward / reset, the step counter and the schedule as a scrubber.

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
    /// Back one step.
    pub on_back: Callback<()>,
    /// Forward one step.
    pub on_forward: Callback<()>,
    /// Back to the start, dropping the run.
    pub on_reset: Callback<()>,
    /// Jump to a step.
    pub on_goto: Callback<usize>,
}

/// The toolbar.
#[function_component(RunToolbar)]
pub fn run_toolbar(p: &RunToolbarProps) -> Html {
    let status = if p.terminal {
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
            <button type="button" id="forward" disabled={p.position >= p.len} title="One step forward (→)"
                onclick={p.on_forward.reform(|_: MouseEvent| ())}>{ "Forward ▶" }</button>
            <button type="button" id="reset" disabled={p.len == 0} title="Back to the initial state, forgetting the run"
                onclick={p.on_reset.reform(|_: MouseEvent| ())}>{ "⟲ Reset" }</button>
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
