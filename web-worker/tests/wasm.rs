//! The checker module's JavaScript entry point in WebAssembly: `worker_handle` answers the page's
//! requests through a JS callback, as assets/worker.js calls it. Runs under node with
//! wasm-bindgen-test: `scripts/test-wasm.sh` (part of scripts/test.sh).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use web_protocol::{Request, Response};

/// Every answer `worker_handle` gives to `request`, in order.
fn answers(request: &Request) -> Vec<Response> {
    let out = Rc::new(RefCell::new(Vec::new()));
    let sink = out.clone();
    let emit = Closure::<dyn FnMut(String)>::new(move |json: String| {
        sink.borrow_mut().push(serde_json::from_str(&json).unwrap())
    });
    let json = serde_json::to_string(request).unwrap();
    web_worker::api::worker_handle(&json, emit.as_ref().unchecked_ref());
    let v = out.borrow().clone();
    v
}

#[wasm_bindgen_test]
fn a_check_request_finds_the_naive_lost_wakeup() {
    let out = answers(&Request::Check {
        job: 9,
        scenario: core_sim::scenario::by_id("put-block-vs-affinity").unwrap(),
        knobs: core_sim::Strategy::preset("naive-update").unwrap().knobs,
        memory: core_sim::MemoryModel::Sc,
        patch: None,
    });
    let Some(Response::Checked { job: 9, report, .. }) = out.last() else {
        panic!("{out:?}")
    };
    let head = web_protocol::headline(report).unwrap();
    assert_eq!(head.violation.kind, core_sim::ViolationKind::LostWakeup);
}

#[wasm_bindgen_test]
fn a_matrix_cell_and_a_lessons_claims_come_back_through_js_unchanged() {
    let out = answers(&Request::Cell {
        job: 2,
        index: 5,
        scenario: "ipi-during-load".into(),
        strategy: "lock-fix-plain-write".into(),
        memory: core_sim::MemoryModel::Sc,
    });
    let [Response::Cell { job: 2, cell }] = &out[..] else {
        panic!("{out:?}")
    };
    let direct = web_worker::matrix_cell(
        5,
        "ipi-during-load",
        "lock-fix-plain-write",
        core_sim::MemoryModel::Sc,
    )
    .unwrap();
    assert_eq!((cell.index, &cell.cell), (5, &direct.cell));
    assert_eq!(cell.verdict, "violation");

    let out = answers(&Request::Claims {
        job: 3,
        lesson: "once-accessors".into(),
    });
    let lesson = core_sim::lessons::by_id("once-accessors").unwrap();
    assert_eq!(out.len(), lesson.claims.len());
    assert!(out.last().unwrap().is_final());
    for r in &out {
        let Response::Claim { job: 3, result, .. } = r else {
            panic!("{r:?}")
        };
        assert!(result.holds, "{}", result.detail);
    }
}
