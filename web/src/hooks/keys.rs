//! Keyboard shortcuts: 0-9 run a thread (asking first during a replay), a-j flush its store buffer, arrows go back and forward,
//! Home / End jump, space plays, ? shows the keys (see the help overlay), Esc closes an overlay.

use super::dom::window;
use crate::state::ask::Answer;
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
    /// A thread's key asked before leaving the recorded run (`crate::state::ask`).
    pub asking: bool,
}

/// The message for a key press the page takes (see [`page_takes`]).
pub fn key_msg(key: &str, cx: KeyContext) -> Option<Msg> {
    let overlay = |o| Some(ChromeMsg::SetOverlay(o).into());
    match (key, cx.overlay) {
        ("Escape", Overlay::Help | Overlay::Share) => return overlay(Overlay::None),
        ("?", Overlay::Help) => return overlay(Overlay::None),
        ("?", Overlay::None) => return overlay(Overlay::Help),
        (_, Overlay::None) if cx.run => {}
        _ => return None,
    }
    if cx.asking {
        let answer = match key {
            "Enter" => Some(Answer::Discard),
            "b" | "B" => Some(Answer::Branch),
            "Escape" => Some(Answer::Cancel),
            _ => None,
        };
        if let Some(a) = answer {
            return Some(RunMsg::Answer(a).into());
        }
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
    core_sim::Action::from_char(c).map(|a| RunMsg::Key(a).into())
}

/// What has the focus, as far as keys go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// A place to type (text inputs, textareas, editable content): every key is its own.
    Text,
    /// A control a key would press or change (button, select, checkbox, radio): Space and the
    /// arrows still drive the run (a presenter's click leaves the focus there); Enter, and
    /// letters in a select (type-ahead), stay the control's.
    Control {
        /// A `<select>`.
        select: bool,
    },
    /// Anything else (the page, a pane, a link).
    Page,
}

/// The focus kind of an element: its tag, its `type` if an input, and whether it is editable.
pub fn focus_kind(tag: &str, input_type: &str, editable: bool) -> Focus {
    match tag {
        "TEXTAREA" => Focus::Text,
        "INPUT" => match input_type {
            "button" | "submit" | "reset" | "checkbox" | "radio" | "range" | "color" | "file" => {
                Focus::Control { select: false }
            }
            _ => Focus::Text,
        },
        "SELECT" => Focus::Control { select: true },
        "BUTTON" | "SUMMARY" => Focus::Control { select: false },
        _ if editable => Focus::Text,
        _ => Focus::Page,
    }
}

/// Whether the page takes `key` from the focused element (`Escape` always can close an overlay).
pub fn page_takes(key: &str, focus: Focus) -> bool {
    match focus {
        Focus::Page => true,
        Focus::Text => key == "Escape",
        Focus::Control { select } => match key {
            " " | "ArrowLeft" | "ArrowRight" | "Escape" | "?" => true,
            "Enter" | "ArrowUp" | "ArrowDown" => false,
            // A select's type-ahead keeps letters and digits; a button has no use for them.
            _ => !select,
        },
    }
}

/// The focus kind of a key event's target.
fn target_focus(e: &web_sys::KeyboardEvent) -> Focus {
    let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return Focus::Page;
    };
    let input_type = el
        .get_attribute("type")
        .unwrap_or_else(|| "text".into())
        .to_ascii_lowercase();
    focus_kind(&el.tag_name(), &input_type, el.is_content_editable())
}

/// Listen to the document's key presses for as long as the app lives; `cx` is read at each press
/// (the listener is added once). A Space the page took on a focused control is also kept from
/// that control's key-up (where browsers press a button).
#[hook]
pub fn use_keyboard(dispatcher: UseReducerDispatcher<AppState>, cx: KeyContext) {
    let current: Rc<RefCell<KeyContext>> = use_mut_ref(|| cx);
    *current.borrow_mut() = cx;
    use_effect_with((), move |_| {
        let took_space = Rc::new(RefCell::new(false));
        let listeners = window().and_then(|w| w.document()).map(|doc| {
            let opts = gloo::events::EventListenerOptions::enable_prevent_default();
            let took = took_space.clone();
            let down =
                gloo::events::EventListener::new_with_options(&doc, "keydown", opts, move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if e.ctrl_key() || e.meta_key() || e.alt_key() {
                        return;
                    }
                    let key = e.key();
                    let focus = target_focus(e);
                    let asking = current.borrow().asking && focus != Focus::Text && key == "Enter";
                    if !(page_takes(&key, focus) || asking) {
                        return;
                    }
                    if let Some(msg) = key_msg(&key, *current.borrow()) {
                        e.prevent_default();
                        *took.borrow_mut() = key == " ";
                        dispatcher.dispatch(msg);
                    }
                });
            let up = gloo::events::EventListener::new_with_options(&doc, "keyup", opts, move |e| {
                if let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                    if e.key() == " " && took_space.replace(false) {
                        e.prevent_default();
                    }
                }
            });
            (down, up)
        });
        move || drop(listeners)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_sim::Action;

    const RUN: KeyContext = KeyContext {
        run: true,
        overlay: Overlay::None,
        asking: false,
    };

    fn overlay(o: Overlay) -> Option<Msg> {
        Some(ChromeMsg::SetOverlay(o).into())
    }

    fn run(m: RunMsg) -> Option<Msg> {
        Some(m.into())
    }

    #[test]
    fn keys_map_to_actions() {
        assert_eq!(key_msg("3", RUN), run(RunMsg::Key(Action::Step(3))));
        assert_eq!(key_msg("b", RUN), run(RunMsg::Key(Action::Flush(1))));
        let asking = KeyContext {
            asking: true,
            ..RUN
        };
        assert_eq!(
            key_msg("Enter", asking),
            run(RunMsg::Answer(Answer::Discard))
        );
        assert_eq!(key_msg("b", asking), run(RunMsg::Answer(Answer::Branch)));
        assert_eq!(
            key_msg("Escape", asking),
            run(RunMsg::Answer(Answer::Cancel))
        );
        assert_eq!(key_msg("2", asking), run(RunMsg::Key(Action::Step(2))));
        assert_eq!(key_msg("Enter", RUN), None);
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

    #[test]
    fn controls_never_swallow_space_and_arrows_and_text_fields_keep_typing() {
        let button = focus_kind("BUTTON", "text", false);
        let select = focus_kind("SELECT", "text", false);
        let text = focus_kind("INPUT", "text", false);
        assert_eq!(
            focus_kind("INPUT", "radio", false),
            Focus::Control { select: false }
        );
        assert_eq!(focus_kind("DIV", "text", true), Focus::Text);
        assert_eq!(focus_kind("TEXTAREA", "text", false), Focus::Text);
        assert_eq!(focus_kind("SECTION", "text", false), Focus::Page);
        for key in [" ", "ArrowLeft", "ArrowRight"] {
            assert!(
                page_takes(key, button) && page_takes(key, select),
                "{key:?}"
            );
            assert!(!page_takes(key, text), "{key:?} types into a text field");
        }
        assert!(
            page_takes("1", button),
            "a thread's number on a focused button"
        );
        assert!(!page_takes("1", select), "a select's type-ahead");
        assert!(!page_takes("Enter", button) && !page_takes("ArrowDown", select));
        assert!(page_takes("Escape", text));
        assert!(page_takes("Home", Focus::Page));
    }
}
