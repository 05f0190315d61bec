//! Guided lessons (the core's `lessons`): the list, the note for the step on screen (and the
//! takeaway at the end), and the side panel with the lesson's claims, verified live by the
//! exhaustive checker in a worker, and the kernel commits it is about.

use super::check_panel::{duration, thousands};
use crate::state::{ClaimStatus, Guided};
use core_sim::lessons::{self, Lesson};
use yew::prelude::*;

/// "scenario × strategy (memory) · N steps".
fn world(l: &Lesson) -> String {
    format!(
        "{} × {} ({}) · {} steps",
        l.scenario,
        l.strategy,
        l.memory.id(),
        l.len()
    )
}

/// Props of [`LessonList`].
#[derive(Properties, PartialEq)]
pub struct LessonListProps {
    /// Start a lesson.
    pub on_open: Callback<String>,
}

/// Every lesson, in order.
#[function_component(LessonList)]
pub fn lesson_list(p: &LessonListProps) -> Html {
    html! {
        <main class="lessons-page" id="lessons">
            <p class="hint">
                { "The history of the race in six runs. Press → (or Play) to follow a lesson step by step; its claims are checked over every interleaving while you read. Take over at any step to be the scheduler yourself." }
            </p>
            <ol class="lesson-cards">
                { for lessons::all().iter().map(|l| {
                    let id = l.id.to_string();
                    let intro = l.note_at(0).map(|n| n.text).unwrap_or_default();
                    html! {
                        <li class="lesson-card" data-lesson={l.id}>
                            <h2 class="lesson-card-title">{ format!("{}. {}", l.number, l.title) }</h2>
                            <p class="hint">{ world(l) }</p>
                            <p class="lesson-intro" title={intro}>{ intro }</p>
                            <button type="button" class="primary" id={format!("lesson-{}", l.id)}
                                onclick={p.on_open.reform(move |_: MouseEvent| id.clone())}>{ "Start ▶" }</button>
                        </li>
                    }
                }) }
            </ol>
        </main>
    }
}

/// Props of [`LessonNote`].
#[derive(Properties, PartialEq)]
pub struct LessonNoteProps {
    /// The lesson.
    pub lesson: &'static Lesson,
    /// Steps done.
    pub position: usize,
    /// Start another lesson.
    pub on_open: Callback<String>,
    /// Leave guided mode here.
    pub on_take_over: Callback<()>,
    /// Go to a step (the one a note is about).
    #[prop_or_default]
    pub on_goto: Callback<usize>,
}

/// The note for the step on screen, large; the takeaway at the end. A note is about the step it
/// is tied to: elsewhere it says which step that is, with a button that goes there.
#[function_component(LessonNote)]
pub fn lesson_note(p: &LessonNoteProps) -> Html {
    let l = p.lesson;
    let note = l.note_at(p.position);
    let end = p.position >= l.len();
    let next = lessons::all().get(l.number).map(|n| n.id.to_string());
    html! {
        <section class="lesson-note" id="lesson-note" data-lesson={l.id}
            data-at={note.map(|n| n.at.to_string())} aria-live="polite">
            <div class="lesson-kicker">{ format!("Lesson {} of {} · {}", l.number, lessons::all().len(), l.title) }</div>
            if let Some(n) = note {
                if n.at != p.position {
                    <p class="lesson-elsewhere" id="lesson-elsewhere">
                        <span>{ about(n.at, p.position) }</span>
                        <button type="button" id="lesson-go" onclick={p.on_goto.reform(move |_: MouseEvent| n.at)}>
                            { format!("Go to step {}", n.at) }
                        </button>
                    </p>
                }
                <p class={classes!("lesson-text", (n.at != p.position).then_some("lesson-text-elsewhere"))} id="lesson-text">{ n.text }</p>
            }
            if end {
                <div class="takeaway" id="lesson-takeaway">
                    <strong>{ "Takeaway" }</strong>
                    <p>{ l.takeaway }</p>
                    <div class="row">
                        <button type="button" onclick={p.on_take_over.reform(|_: MouseEvent| ())}>{ "Take over this run" }</button>
                        if let Some(id) = next {
                            <button type="button" class="primary" id="next-lesson"
                                onclick={p.on_open.reform(move |_: MouseEvent| id.clone())}>{ "Next lesson ▶" }</button>
                        }
                    </div>
                </div>
            }
        </section>
    }
}

/// "This note is about step 7 — go there" (or "the initial state"), from step `position`.
fn about(at: usize, position: usize) -> String {
    let what = if at == 0 {
        "the initial state (step 0)".to_string()
    } else {
        format!("step {at}")
    };
    format!("You are on step {position}. This note is about {what} — go there:")
}

/// Props of [`LessonPanel`].
#[derive(Properties, PartialEq)]
pub struct LessonPanelProps {
    /// The lesson and its claims.
    pub guided: Guided,
    /// Leave guided mode here.
    pub on_take_over: Callback<()>,
    /// Back to the list.
    pub on_list: Callback<()>,
}

fn claim_status(c: &ClaimStatus) -> Html {
    match c {
        ClaimStatus::Pending => html! {
            <span class="claim-status claim-pending" data-status="pending">{ "checking every interleaving…" }</span>
        },
        ClaimStatus::Done(r) if r.holds => html! {
            <span class="claim-status claim-holds" data-status="holds" data-states={r.states.to_string()}>
                { format!("✓ checked: {} states in {} world(s), {}", thousands(r.states), r.worlds, duration(r.ms)) }
            </span>
        },
        ClaimStatus::Done(r) => html! {
            <span class="claim-status claim-fails" data-status="fails" role="alert">{ format!("✗ {}", r.detail) }</span>
        },
        ClaimStatus::Failed(e) => html! {
            <span class="claim-status claim-fails" data-status="failed" role="alert">{ format!("✗ could not check: {e}") }</span>
        },
    }
}

/// The lesson's side panel.
#[function_component(LessonPanel)]
pub fn lesson_panel(p: &LessonPanelProps) -> Html {
    let l = p.guided.lesson;
    html! {
        <aside class="sidebar lesson-side" aria-label="Lesson">
            <section class="panel">
                <h2 class="panel-title">{ format!("Lesson {}", l.number) }</h2>
                <p class="lesson-title">{ l.title }</p>
                <p class="hint">{ world(l) }</p>
                <div class="row">
                    <button type="button" id="take-over" class="primary" title="Leave the lesson at this step and schedule the threads yourself"
                        onclick={p.on_take_over.reform(|_: MouseEvent| ())}>{ "Take over" }</button>
                    <button type="button" id="lessons-list" onclick={p.on_list.reform(|_: MouseEvent| ())}>{ "All lessons" }</button>
                </div>
            </section>
            <section class="panel" id="lesson-claims" aria-labelledby="claims-title">
                <h2 id="claims-title" class="panel-title">{ "Claims, checked now" }</h2>
                <ul class="claims">
                    { for l.claims.iter().zip(&p.guided.claims).enumerate().map(|(i, (c, st))| html! {
                        <li class="claim" data-claim={i.to_string()}>
                            <span class="claim-text">{ c.to_string() }</span>
                            { claim_status(st) }
                        </li>
                    }) }
                </ul>
            </section>
            if !l.commits.is_empty() {
                <section class="panel" aria-labelledby="commits-title">
                    <h2 id="commits-title" class="panel-title">{ "In the kernel's history" }</h2>
                    <ul class="commits">
                        { for l.commits.iter().map(|c| html! {
                            <li>
                                <a href={c.url()} target="_blank" rel="noopener">{ c.title }</a>
                                if !c.id.contains('@') { <code class="commit-id">{ c.id }</code> }
                            </li>
                        }) }
                    </ul>
                </section>
            }
        </aside>
    }
}
