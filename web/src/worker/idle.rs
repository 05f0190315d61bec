//! Browser helpers of the worker pool: running a start-up when the browser is idle, and a JS
//! exception in words.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The longest a warm-up waits for the browser to be idle, in milliseconds.
pub const WARM_UP_MS: u32 = 2_000;

/// Run `f` when the browser is next idle (`requestIdleCallback`, at most [`WARM_UP_MS`] later),
/// or after a short timeout where the browser has no idle callbacks.
pub(super) fn when_idle(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return f();
    };
    let callback = Closure::once_into_js(f);
    let options = web_sys::IdleRequestOptions::new();
    options.set_timeout(WARM_UP_MS);
    let queued = window
        .request_idle_callback_with_options(callback.unchecked_ref(), &options)
        .is_ok()
        || window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 200)
            .is_ok();
    if !queued {
        web_sys::console::warn_1(&"the checker worker will start with the first check".into());
    }
}

/// A JS exception in words.
pub(super) fn describe(e: JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string()
        .or_else(|| js_sys::JSON::stringify(&e).ok().and_then(|s| s.as_string()))
        .unwrap_or_else(|| "an unknown error".to_string())
}
