//! Functions this wasm module exports to JavaScript: the worker's entry point
//! (`assets/worker.js`) and the single-threaded matrix for the browser tests and
//! `scripts/bench-web.sh`.

use crate::jobs;
use core_sim::MemoryModel;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsValue;

/// Carry out one worker request (JSON, see `web_protocol::Request`); every response (JSON) goes
/// to `emit`, the last one being the answer.
#[wasm_bindgen]
pub fn worker_handle(request: &str, emit: &js_sys::Function) {
    jobs::handle(request, &mut |json| {
        let _ = emit.call1(&JsValue::NULL, &JsValue::from_str(&json));
    });
}

/// The whole strategy × scenario matrix for one memory model (`sc` or `tso`), checked on
/// this thread, as a JSON array of cells (or `{"error": …}`).
#[wasm_bindgen]
pub fn matrix_json(memory: &str) -> String {
    let result = MemoryModel::from_id(memory).and_then(jobs::matrix);
    match result {
        Ok(cells) => serde_json::to_string(&cells).unwrap_or_default(),
        Err(e) => error_json(&e),
    }
}

/// `{"error": "…"}`.
fn error_json(e: &str) -> String {
    format!(
        "{{\"error\":{}}}",
        serde_json::to_string(e).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_memory_model_is_an_error_in_words() {
        let out = matrix_json("arm");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!(v["error"].as_str().unwrap().contains("arm"), "{out}");
    }
}
