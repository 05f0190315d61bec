//! The few browser calls that are simpler in JavaScript: copying text (with a fallback that
//! selects it) and drawing the timeline onto a canvas for a PNG. They live in `assets/lab.js`,
//! which `web.js` imports; natively these compile to stubs that are never called.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(raw_module = "./assets/lab.js")]
extern "C" {
    #[wasm_bindgen(js_name = copyText)]
    fn copy_text_js(text: &str, fallback_id: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = exportPng)]
    fn export_png_js(svg: &str, scale: f64, file_name: &str) -> js_sys::Promise;
}

/// Run a promise and hand its outcome (a string, or the error's message) to `done`.
fn settle(p: js_sys::Promise, done: impl FnOnce(Result<String, String>) + 'static) {
    wasm_bindgen_futures::spawn_local(async move {
        let r = wasm_bindgen_futures::JsFuture::from(p).await;
        done(match r {
            Ok(v) => Ok(v.as_string().unwrap_or_default()),
            Err(e) => Err(e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| e.as_string())
                .unwrap_or_else(|| "unknown error".into())),
        })
    });
}

/// Copy `text` to the clipboard; if the browser refuses, select the text of the element
/// `fallback_id` for Ctrl+C. `done` gets `Ok("copied")` or `Ok("selected")`.
pub fn copy_text(
    text: &str,
    fallback_id: &str,
    done: impl FnOnce(Result<String, String>) + 'static,
) {
    settle(copy_text_js(text, fallback_id), done);
}

/// Draw the SVG at `scale` and download it as the PNG `file_name`; `done` gets its size ("W×H").
pub fn export_png(
    svg: &str,
    scale: f64,
    file_name: &str,
    done: impl FnOnce(Result<String, String>) + 'static,
) {
    settle(export_png_js(svg, scale, file_name), done);
}
