//! Keyboard shortcuts: 0-9 run a thread, a-j flush its store buffer, arrows go back and forward,
//! Home / End jump, space plays, ? shows the keys (see the help overlay), Esc closes an overlay.

use super::dom::window;
use crate::state::{AppState, ChromeMsg, Msg, Overlay, RunMsg};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What the keyboard handler needs to know about the page.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KeyContext {
    /// A run is on screen (the explorer, or a lesson being played).
    pub run: bool,
    /// The overlay on screen.
    pub overlay: Overlay,
}

/// The message for a key press, when focus is not in a form field.
pub fn key_msg(key: &str, cx: KeyContext) -> Option<Msg> {
    let overlay = |o| Some(ChromeMsg::SetOverlay(o).into());
    match (key, cx.overlay) {
        ("Escape", Overlay::Help | Overlay::Share) => return overlay(Overlay::None),
        ("?", Overlay::Help) => return overlay(Overlay::None),
        ("?", Overlay::None) => return overlay(Overlay::Help),
        (_, Overlay::None) if cx.run => {}
        _ => return None,
    }
    let mut chars = key.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        let m = match key {
            "ArrowLeft" => RunMsg::Back,
            "ArrowRight" => RunMsg::Next,
            "Home" => RunMsg::Goto(0),
            "End" => RunMsg::Goto(usize::MAX),
            _ => return None,
        };
        return Some(m.into());
    };
    if c == ' ' {
        return Some(RunMsg::TogglePlay.into());
    }
    core_sim::Action::from_char(c).map(|a| RunMsg::Act(a).into())
}

/// Listen to the document's key presses for as long as the app lives; `cx` is read at each press
/// (the listener is added once).
#[hook]
pub fn use_keyboard(dispatcher: UseReducerDispatcher<AppState>, cx: KeyContext) {
    let current: Rc<RefCell<KeyContext>> = use_mut_ref(|| cx);
    *current.borrow_mut() = cx;
    use_effect_with((), move |_| {
        let listener = window().and_then(|w| w.document()).map(|doc| {
            let opts = gloo::events::EventListenerOptions::enable_prevent_default();
            gloo::events::EventListener::new_with_options(&doc, "keydown", opts, move |e| {
                let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                if e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                let key = e.key();
                let target = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
                let tag = target.as_ref().map(|el| el.tag_name()).unwrap_or_default();
                if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA") && key != "Escape" {
                    return;
                }
                // Space and Enter on a focused button press it; space means Play elsewhere.
                if tag == "BUTTON" && (key == " " || key == "Enter") {
                    return;
                }
                if let Some(msg) = key_msg(&key, *current.borrow()) {
                    e.prevent_default();
                    dispatcher.dispatch(msg);
                }
            })
        });
        move || drop(listener)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_sim::Action;

    const RUN: KeyContext = KeyContext {
        run: true,
        overlay: Overlay::None,
    };

    fn overlay(o: Overlay) -> Option<Msg> {
        Some(ChromeMsg::SetOverlay(o).into())
    }

    fn run(m: RunMsg) -> Option<Msg> {
        Some(m.into())
    }

    #[test]
    fn keys_map_to_actions() {
        assert_eq!(key_msg("3", RUN), run(RunMsg::Act(Action::Step(3))));
        assert_eq!(key_msg("b", RUN), run(RunMsg::Act(Action::Flush(1))));
        assert_eq!(key_msg("ArrowLeft", RUN), run(RunMsg::Back));
        assert_eq!(key_msg("ArrowRight", RUN), run(RunMsg::Next));
        assert_eq!(key_msg("Home", RUN), run(RunMsg::Goto(0)));
        assert_eq!(key_msg("End", RUN), run(RunMsg::Goto(usize::MAX)));
        assert_eq!(key_msg(" ", RUN), run(RunMsg::TogglePlay));
        assert_eq!(key_msg("?", RUN), overlay(Overlay::Help));
        assert_eq!(key_msg("x", RUN), None);
        assert_eq!(key_msg("Shift", RUN), None);
    }

    #[test]
    fn overlays_and_other_views_keep_the_run_keys_quiet() {
        let help = KeyContext {
            overlay: Overlay::Help,
            ..RUN
        };
        assert_eq!(key_msg("ArrowRight", help), None);
        assert_eq!(key_msg("?", help), overlay(Overlay::None));
        assert_eq!(key_msg("Escape", help), overlay(Overlay::None));
        let share = KeyContext {
            overlay: Overlay::Share,
            ..RUN
        };
        assert_eq!(key_msg("1", share), None);
        assert_eq!(key_msg("Escape", share), overlay(Overlay::None));
        let matrix = KeyContext { run: false, ..RUN };
        assert_eq!(key_msg("1", matrix), None);
        assert_eq!(key_msg(" ", matrix), None);
        assert_eq!(key_msg("?", matrix), overlay(Overlay::Help));
        assert_eq!(key_msg("Escape", RUN), None);
    }
}
