//! Web front end of avic-race-lab: a Yew (CSR) app compiled to wasm32.
//!
//! The crate also builds natively so that the workspace's clippy and tests
//! cover the components; only [`start`] is wasm32-only.

pub mod app;
pub mod counter;

pub use app::App;

/// Entry point called by the wasm-bindgen glue when the module is instantiated.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    let root = gloo::utils::document()
        .get_element_by_id("app")
        .expect("index.html has an element with id=\"app\"");
    yew::Renderer::<App>::with_root(root).render();
}
