//! "What is this race?": the core's [`primer`](core_sim::primer) as a page: a few paragraphs,
//! then the machine picture at each key step of the naive-update lost wake-up with what it
//! shows, then how it was fixed and a way into lesson 2 and the explorer.

use super::picture::MachinePicture;
use core_sim::primer::primer;
use core_sim::svg;
use yew::prelude::*;

/// Props of [`PrimerView`].
#[derive(Properties, PartialEq)]
pub struct PrimerViewProps {
    /// Start a lesson (by id).
    pub on_lesson: Callback<String>,
}

/// The primer page.
#[function_component(PrimerView)]
pub fn primer_view(p: &PrimerViewProps) -> Html {
    let primer = primer();
    let pictures = use_memo((), |_| {
        primer
            .scenes()
            .iter()
            .map(|s| AttrValue::from(svg::picture_inline(s)))
            .collect::<Vec<_>>()
    });
    let lesson = primer.lesson();
    let id = lesson.id.to_string();
    html! {
        <main class="primer-page" id="primer">
            <h2 class="primer-title">{ primer.title }</h2>
            { for primer.intro.iter().map(|t| html! { <p class="primer-text">{ *t }</p> }) }
            <ol class="primer-frames">
                { for primer.frames.iter().zip(pictures.iter()).map(|(f, svg)| html! {
                    <li class="primer-frame" data-step={f.at.to_string()}>
                        <h3 class="primer-frame-title">{ format!("Step {}: {}", f.at, f.title) }</h3>
                        <p class="primer-text">{ f.text }</p>
                        <MachinePicture svg={svg.clone()} />
                    </li>
                }) }
            </ol>
            { for primer.outro.iter().map(|t| html! { <p class="primer-text">{ *t }</p> }) }
            <p>
                <button type="button" class="primary" id="primer-lesson"
                    onclick={p.on_lesson.reform(move |_: MouseEvent| id.clone())}>
                    { format!("Play lesson {}: {} ▶", lesson.number, lesson.title) }
                </button>
            </p>
        </main>
    }
}
