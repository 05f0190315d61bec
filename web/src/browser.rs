//! The few browser calls that are simpler in JavaScript: copying text (with a fallback that
//! selects it), drawing the timeline onto a canvas for a PNG, fitting the page's timeline to its
//! box, and the presenter's BroadcastChannel. They live in `assets/lab.js`,
//! which `web.js` imports; natively these compile to stubs that are never called.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(raw_module = "./assets/lab.js")]
extern "C" {
    #[wasm_bindgen(js_name = copyText)]
    fn copy_text_js(text: &str, fallback_id: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = exportPng)]
    fn export_png_js(svg: &str, scale: f64, file_name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = openChannel)]
    fn open_channel_js(name: &str, max: usize, on_query: &Closure<dyn FnMut(String)>) -> JsValue;
    #[wasm_bindgen(js_name = postQuery)]
    fn post_query_js(channel: &JsValue, query: &str);
    #[wasm_bindgen(js_name = closeChannel)]
    fn close_channel_js(channel: &JsValue);
    #[wasm_bindgen(js_name = fitTimeline)]
    fn fit_timeline_js(view: &web_sys::Element, min_notes: f64);
}

/// Fit the page's timeline in `view` (its scrolling box) to the visible width: the drawing as
/// wide as the box (at least its lanes and `min_notes` px of text), each state-change and
/// violation text cut with "…" where it would pass the right edge, its whole in a `<title>`.
pub fn fit_timeline(view: &web_sys::Element, min_notes: f64) {
    fit_timeline_js(view, min_notes);
}

/// A same-origin BroadcastChannel carrying link queries (`?…`, at most `max` characters); closed
/// when dropped.
pub struct Channel {
    js: JsValue,
    _on_query: Closure<dyn FnMut(String)>,
}

impl Channel {
    /// Open the channel `name`; `on_query` gets every query another window of the origin posts.
    pub fn open(name: &str, max: usize, on_query: impl FnMut(String) + 'static) -> Channel {
        let on_query = Closure::wrap(Box::new(on_query) as Box<dyn FnMut(String)>);
        Channel {
            js: open_channel_js(name, max, &on_query),
            _on_query: on_query,
        }
    }

    /// Send a query to the other windows.
    pub fn post(&self, query: &str) {
        post_query_js(&self.js, query);
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        close_channel_js(&self.js);
    }
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
