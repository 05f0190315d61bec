//! The address bar follows the page: every change of the link replaces the URL (no history
//! entry per step), so reloading or copying it shows the same thing.

use super::dom::window;
use yew::prelude::*;

/// Keep the URL's query equal to `query` (an encoded link, `?…`).
#[hook]
pub fn use_url_sync(query: String) {
    use_effect_with(query, |q| {
        if let Some(w) = window() {
            let path = w.location().pathname().unwrap_or_default();
            if let Ok(h) = w.history() {
                let _ = h.replace_state_with_url(
                    &wasm_bindgen::JsValue::NULL,
                    "",
                    Some(&format!("{path}{q}")),
                );
            }
        }
    });
}
