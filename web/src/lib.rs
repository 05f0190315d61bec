//! Web front end of avic-race-lab: a Yew (CSR) app compiled to wasm32.
//!
//! - [`state`]: the page's state in rooms (world, run, check, matrix, lesson, chrome), each with
//!   its messages and reducer (pure, unit-tested natively);
//! - [`hooks`]: the side effects (workers, jobs, keyboard, URL, Play's timer, preferences);
//! - [`url`]: share links (the core's codec) as messages and snippets for the page;
//! - [`browser`]: clipboard and PNG export (assets/lab.js);
//! - [`jobs`]: the JSON protocol of the work Web Workers do (exhaustive checks, matrix cells,
//!   lesson claims), which the separate checker module (`web-worker/`) carries out;
//! - [`worker`]: the page's worker pool, which loads that module only when it starts a worker;
//! - [`app`] and [`components`]: the UI.
//!
//! The crate also builds natively so that the workspace's clippy and tests cover it; only
//! [`start`] is wasm32-only.

pub mod app;
pub mod browser;
pub mod components;
pub mod hooks;
pub mod jobs;
pub mod state;
pub mod url;
pub mod worker;

pub use app::App;

/// Entry point called by the wasm-bindgen glue when the module is instantiated: renders the app
/// (without a `window`, e.g. in a Web Worker, it does nothing).
/// (Not in the wasm32 test build: component tests render into their own elements.)
#[cfg(all(target_arch = "wasm32", not(test)))]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    std::panic::set_hook(Box::new(app::show_panic));
    match document.get_element_by_id("app") {
        Some(root) => {
            root.set_inner_html("");
            yew::Renderer::<App>::with_root(root).render();
        }
        None => web_sys::console::error_1(&"index.html has no element with id=\"app\"".into()),
    }
}
