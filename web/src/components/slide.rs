//! The `embed=1` page: one fixed slide at any 16:9 size (800×450, 1280×720): the run's controls,
//! one line of what happened, every thread with the runnable ones' current lines large, the
//! machine picture's place, and only the state rows the step changed or a violation is about
//! (the core's [`core_sim::slide`]). It never scrolls: `crate::hooks::fit` steps the type down
//! until nothing overflows.

use super::severity_class;
use crate::hooks::fit::use_fit;
use core_sim::slide::{Slide, SlideRow, SlideThread};
use core_sim::view::ThreadState;
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`SlideView`].
#[derive(Properties, PartialEq)]
pub struct SlideProps {
    /// The slide of the step on screen.
    pub slide: Rc<Slide>,
    /// Scenario title.
    pub title: AttrValue,
    /// Strategy and memory model, in a few words.
    pub world: AttrValue,
    /// The lesson's (or presenter script's) note for this step, if any.
    #[prop_or_default]
    pub note: Option<AttrValue>,
    /// Steps recorded.
    pub len: usize,
    /// → can move.
    pub can_forward: bool,
    /// Play is on.
    pub playing: bool,
    /// A lesson schedules the threads (their buttons say how to take over).
    pub guided: bool,
    /// The full page's link.
    pub full_link: AttrValue,
    /// The machine picture at this step (the core's `svg::picture_inline`).
    pub picture: AttrValue,
    /// Back one step.
    pub on_back: Callback<()>,
    /// Forward one step.
    pub on_forward: Callback<()>,
    /// Play / pause.
    pub on_play: Callback<()>,
    /// Run a thread's next step.
    pub on_step: Callback<usize>,
    /// What goes under the line of what happened (a thread key's question).
    #[prop_or_default]
    pub children: Html,
}

fn state_class(s: ThreadState) -> &'static str {
    match s {
        ThreadState::Ready => "st-ready",
        ThreadState::Done => "st-done",
        ThreadState::Idle => "st-idle",
        ThreadState::Asleep => "st-asleep",
        ThreadState::Waiting => "st-waiting",
    }
}

fn thread(t: &SlideThread, guided: bool, on_step: &Callback<usize>) -> Html {
    let i = t.index;
    let key = if i < 10 { i.to_string() } else { String::new() };
    let title = if guided {
        "The lesson schedules the threads: open the full lab to take over".to_string()
    } else if t.enabled {
        format!("Run the next micro-step of {} (key {key})", t.name)
    } else {
        format!("{} cannot run: {}", t.name, t.status)
    };
    html! {
        <section class={classes!("thread-pane", "slide-thread", state_class(t.state), t.enabled.then_some("is-enabled"))}
            data-thread={i.to_string()} data-enabled={t.enabled.to_string()} aria-label={t.name.clone()}>
            <button type="button" class="thread-run" id={format!("run-{i}")} disabled={!t.enabled || guided} {title}
                onclick={on_step.reform(move |_: MouseEvent| i)}>
                <kbd>{ key }</kbd>
                <span class="thread-name">{ &t.name }</span>
                <span class="thread-status">{ if t.enabled { "▶ runnable" } else { t.status.as_str() } }</span>
            </button>
            if let (true, Some((func, code))) = (t.enabled, &t.line) {
                <div class="code-line is-next" data-line="next">
                    <span class="slide-func">{ format!("{func}:") }</span>
                    <code>{ code }</code>
                </div>
            }
        </section>
    }
}

fn row(r: &SlideRow) -> Html {
    let (value, raw) = match r.cell.value.split_once("  ") {
        Some((raw, words)) => (words.to_string(), Some(raw.to_string())),
        None => (r.cell.value.clone(), None),
    };
    let before = r.before.as_ref().map(|b| {
        b.split_once("  ")
            .map_or(b.as_str(), |(_, w)| w)
            .to_string()
    });
    let kind = r.violated.first().copied();
    html! {
        <div class={classes!("cell", r.before.is_some().then_some("changed"), kind.map(|_| "violated"), kind.map(severity_class))}
            data-cell={r.cell.id.clone()} data-violated={kind.map(|k| k.id())}>
            <span class="slide-label">{ &r.cell.label }</span>
            <span class="cell-value">{ value }</span>
            if let Some(raw) = raw { <span class="cell-raw">{ raw }</span> }
            if let Some(b) = before { <span class="cell-before">{ format!("was {b}") }</span> }
        </div>
    }
}

/// The slide.
#[function_component(SlideView)]
pub fn slide_view(p: &SlideProps) -> Html {
    let root = use_node_ref();
    let s = &p.slide;
    use_fit(root.clone());
    let hang = s
        .violations
        .iter()
        .find_map(|v| (v.kind.severity() == core_sim::vocab::Severity::Hang).then_some(v.kind));
    let kind = hang.or(s.violations.first().map(|v| v.kind));
    html! {
        <div class="slide" id="slide" ref={root}>
            <header class="slide-head">
                <span class="slide-title" id="scenario-caption">
                    <strong>{ &p.title }</strong>{ format!(" · {}", p.world) }
                </span>
                <div class="slide-controls" role="toolbar" aria-label="Run">
                    <button type="button" id="back" disabled={s.position == 0} title="One step back (←)"
                        onclick={p.on_back.reform(|_: MouseEvent| ())}>{ "◀" }</button>
                    <span class="position" id="position" data-position={s.position.to_string()} data-len={p.len.to_string()}>
                        { format!("{} / {}", s.position, p.len) }
                    </span>
                    <button type="button" id="forward" disabled={!p.can_forward} title="One step forward (→)"
                        onclick={p.on_forward.reform(|_: MouseEvent| ())}>{ "▶" }</button>
                    <button type="button" id="play" class={classes!(p.playing.then_some("primary"))} aria-pressed={p.playing.to_string()}
                        title="Play / pause (space)" onclick={p.on_play.reform(|_: MouseEvent| ())}>
                        { if p.playing { "❚❚" } else { "▶▶" } }
                    </button>
                    <a class="button" id="open-full" href={p.full_link.clone()} target="_blank" rel="noopener"
                        title="Open this view in the full AVIC race lab">{ "full lab ↗" }</a>
                </div>
            </header>
            <p class={classes!("slide-happened", kind.map(severity_class))} id="last-step" data-step={s.position.to_string()}>
                { &s.happened }
            </p>
            { p.children.clone() }
            if let Some(n) = &p.note {
                <p class="slide-note" id="lesson-text">{ n }</p>
            }
            <div class="slide-body">
                <div class="slide-threads" aria-label="Threads">
                    { for s.threads.iter().map(|t| thread(t, p.guided, &p.on_step)) }
                </div>
                <div class="slide-side">
                    <div class="slide-picture picture-view" id="slide-picture" role="img"
                        aria-label="The machine: pCPUs, vCPUs, each IRTE's arrow to where an interrupt would go now">
                        { Html::from_html_unchecked(p.picture.clone()) }
                    </div>
                    <section class="state-pane slide-rows" aria-label="State the step changed">
                        if s.rows.is_empty() {
                            <p class="slide-none">{ if s.position == 0 { "Nothing has changed yet." } else { "This step changed no shared state." } }</p>
                        }
                        { for s.rows.iter().map(row) }
                    </section>
                </div>
            </div>
        </div>
    }
}
