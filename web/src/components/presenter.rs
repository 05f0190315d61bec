//! The presenter window (`present=1`): the script's slides (`core_sim::share::deck`) one at a
//! time, the speaker's note and the next one, the slide as the room sees it, and a button that
//! opens the projected window, which follows this one (`crate::hooks::present`). Page Down /
//! Page Up (what a clicker sends) change slides; → and ← step the run within one.

use core_sim::share::deck::DeckSlide;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Props of [`Presenter`].
#[derive(Properties, PartialEq)]
pub struct PresenterProps {
    /// The script.
    pub deck: Rc<Vec<DeckSlide>>,
    /// The slide on screen.
    pub index: usize,
    /// Go to a slide.
    pub on_go: Callback<usize>,
    /// The projected window's address (this slide, this step).
    pub projected: AttrValue,
    /// The slide itself.
    #[prop_or_default]
    pub children: Html,
}

/// The presenter's view.
#[function_component(Presenter)]
pub fn presenter(p: &PresenterProps) -> Html {
    let (i, n) = (p.index, p.deck.len());
    {
        // A clicker's Page Down / Page Up, wherever the focus is.
        let on_go = p.on_go.clone();
        use_effect_with((i, n), move |&(i, n)| {
            let listener = crate::hooks::dom::window()
                .and_then(|w| w.document())
                .map(|doc| {
                    let opts = gloo::events::EventListenerOptions::enable_prevent_default();
                    gloo::events::EventListener::new_with_options(&doc, "keydown", opts, move |e| {
                        let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                            return;
                        };
                        let to = match e.key().as_str() {
                            "PageDown" if i + 1 < n => i + 1,
                            "PageUp" if i > 0 => i - 1,
                            _ => return,
                        };
                        e.prevent_default();
                        on_go.emit(to);
                    })
                });
            move || drop(listener)
        });
    }
    let note = p.deck.get(i).map(|s| s.note.clone()).unwrap_or_default();
    let next = p.deck.get(i + 1).map(|s| s.note.clone());
    let open = {
        let url = p.projected.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(w) = crate::hooks::dom::window() {
                let _ = w.open_with_url_and_target(&url, "avic-race-lab-projected");
            }
        })
    };
    let go = |to: usize| p.on_go.reform(move |_: MouseEvent| to);
    html! {
        <div class="presenter" id="presenter" data-slide={i.to_string()} data-slides={n.to_string()}>
            <div class="presenter-bar" role="toolbar" aria-label="Slides">
                <strong>{ "Presenter" }</strong>
                <button type="button" id="slide-prev" disabled={i == 0} onclick={go(i.saturating_sub(1))}>{ "◀ Previous slide" }</button>
                <span class="position" id="slide-position">{ format!("slide {} of {n}", i + 1) }</span>
                <button type="button" id="slide-next" disabled={i + 1 >= n} onclick={go(i + 1)}>{ "Next slide ▶" }</button>
                <button type="button" id="open-projected" class="primary" onclick={open}
                    title="Open the slide in a window of its own (put it on the projector): it follows this one">
                    { "Open the projected window ↗" }
                </button>
                <span class="hint">{ "Page Down / Page Up: slides · → / ←: steps · Space: play" }</span>
            </div>
            <div class="presenter-main">
                <div class="presenter-screen" aria-label="The slide as the room sees it">{ p.children.clone() }</div>
                <aside class="presenter-notes" aria-label="Notes">
                    <p class="presenter-note" id="presenter-note">{ if note.is_empty() { "(no note for this slide)".to_string() } else { note } }</p>
                    if let Some(next) = next {
                        <p class="presenter-next"><strong>{ "Next: " }</strong>{ next }</p>
                    }
                </aside>
            </div>
        </div>
    }
}
