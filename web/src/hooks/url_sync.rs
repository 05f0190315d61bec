//! The address bar follows the page, and Back / Forward move between views: a change of view (see
//! [`AppState::history_key`]: explorer, matrix, the lesson list, a lesson) pushes a history entry;
//! every other change of the link (a step, a world) replaces the current one, so reloading or
//! copying it shows the same thing. Going Back or Forward opens the entry's link
//! ([`Msg::Navigate`]).

use super::dom::window;
use crate::state::{AppState, Msg};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// How the address bar takes a new link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryOp {
    /// A new entry: the view changed.
    Push,
    /// The same entry, a new link.
    Replace,
}

/// The operation for a link whose view key is `key`, the last one written being `last` (`None`
/// at the first render); `from_history`: the page is showing an entry the browser went to.
pub fn history_op(last: Option<&str>, key: &str, from_history: bool) -> HistoryOp {
    match last {
        Some(l) if l != key && !from_history => HistoryOp::Push,
        _ => HistoryOp::Replace,
    }
}

/// Keep the URL's query equal to `query` (an encoded link, `?…`) with `key` the view's history
/// key; Back / Forward dispatch [`Msg::Navigate`].
#[hook]
pub fn use_url_sync(dispatcher: UseReducerDispatcher<AppState>, query: String, key: String) {
    let last: Rc<RefCell<Option<String>>> = use_mut_ref(|| None);
    let from_history: Rc<RefCell<bool>> = use_mut_ref(|| false);
    {
        let from_history = from_history.clone();
        use_effect_with((), move |_| {
            let listener = window().map(|w| {
                gloo::events::EventListener::new(&w, "popstate", move |_| {
                    *from_history.borrow_mut() = true;
                    dispatcher.dispatch(Msg::Navigate(super::dom::query()));
                })
            });
            move || drop(listener)
        });
    }
    use_effect_with((query, key), move |(q, key)| {
        let back = from_history.replace(false);
        let before = last.borrow().clone();
        let op = history_op(before.as_deref(), key, back);
        *last.borrow_mut() = Some(key.clone());
        // For tests: how the last link was written.
        let how = match op {
            HistoryOp::Push => "push",
            HistoryOp::Replace => "replace",
        };
        let mark = format!("{how} {key}");
        super::dom::set_root_attr("data-history", Some(&mark));
        if let Some(w) = window() {
            let path = w.location().pathname().unwrap_or_default();
            let url = format!("{path}{q}");
            if let Ok(h) = w.history() {
                let null = wasm_bindgen::JsValue::NULL;
                let _ = match op {
                    HistoryOp::Push => h.push_state_with_url(&null, "", Some(&url)),
                    HistoryOp::Replace => h.replace_state_with_url(&null, "", Some(&url)),
                };
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::from_query;

    #[test]
    fn a_new_view_is_a_new_entry_and_steps_replace_it() {
        assert_eq!(history_op(None, "matrix/", false), HistoryOp::Replace);
        assert_eq!(
            history_op(Some("Matrix/"), "Explorer/", false),
            HistoryOp::Push
        );
        assert_eq!(
            history_op(Some("Explorer/"), "Explorer/", false),
            HistoryOp::Replace
        );
        assert_eq!(
            history_op(Some("Explorer/"), "Matrix/", true),
            HistoryOp::Replace,
            "Back itself writes no entry"
        );
        let matrix = from_query("?v=3&view=matrix");
        let cell = from_query("?v=3&s=running-retarget&t=linux-6.5&m=sc");
        let lesson = from_query("?v=3&view=lesson&l=first-patch&at=3");
        let other = from_query("?v=3&view=lesson&l=barriers");
        // Spelled out, not Debug (which the web build prints as nothing).
        assert_eq!(matrix.history_key(), "matrix/");
        assert_eq!(lesson.history_key(), "lesson/first-patch");
        let keys: Vec<String> = [&matrix, &cell, &lesson, &other]
            .iter()
            .map(|s| s.history_key())
            .collect();
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn going_back_opens_the_entry_and_keeps_the_matrix() {
        let mut s = from_query("?v=3&view=matrix");
        s.matrix.workers = 3;
        s.run.pace_ms = 2000;
        let rev = s.run.revision;
        s.apply(Msg::Navigate(
            "?v=3&s=running-retarget&t=linux-6.5&m=sc&at=0".into(),
        ));
        assert!(s.run.revision > rev, "what is drawn is drawn again");
        assert_eq!(s.chrome.view, crate::url::View::Explorer);
        assert_eq!(s.world.scenario.id, "running-retarget");
        assert_eq!((s.matrix.workers, s.run.pace_ms), (3, 2000));
        s.apply(Msg::Navigate("?v=3&view=matrix".into()));
        assert_eq!(s.chrome.view, crate::url::View::Matrix);
        assert_eq!(s.matrix.workers, 3);
    }
}
