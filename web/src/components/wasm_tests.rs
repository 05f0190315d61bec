//! Component tests in a real browser (wasm-bindgen-test, headless Chromium through chromedriver):
//! components render into the DOM from the core's data and call back with what was clicked.
//! Run by scripts/test-wasm.sh (part of scripts/test.sh).

use super::notices::{Notices, NoticesProps};
use super::violations::{Violations, ViolationsProps};
use crate::state::{Level, Notice};
use core_sim::explore::Session;
use core_sim::Sim;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element in the page to render into.
fn root() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

/// Let Yew's scheduler render.
async fn settle() {
    yew::platform::time::sleep(std::time::Duration::ZERO).await;
}

fn click(root: &Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

#[wasm_bindgen_test]
async fn violations_explain_the_lost_wakeup_and_jump_to_its_step() {
    let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
    let session = Session::replay(&sim, "000000000111111111111222").unwrap();
    let clicked = Rc::new(Cell::new(None));
    let got = clicked.clone();
    let props = ViolationsProps {
        now: session.violations(),
        later: vec![],
        on_goto: Callback::from(move |step| got.set(Some(step))),
    };
    let root = root();
    yew::Renderer::<Violations>::with_root_and_props(root.clone(), props).render();
    settle().await;

    let lost = root
        .query_selector("li[data-kind='lost-wakeup']")
        .unwrap()
        .expect("the lost wake-up is listed");
    let text = lost.text_content().unwrap();
    assert!(text.contains("HANG: vCPU0 is asleep"), "{text}");
    assert!(root
        .query_selector("li[data-kind='stale-irte']")
        .unwrap()
        .is_some());

    click(&root, "li[data-kind='stale-irte'] button.goto");
    let stale_step = session
        .violations()
        .iter()
        .find(|v| v.kind == core_sim::ViolationKind::StaleIrte)
        .unwrap()
        .step;
    assert_eq!(clicked.get(), Some(stale_step));
}

#[wasm_bindgen_test]
async fn an_empty_run_says_no_oracle_fired() {
    let props = ViolationsProps {
        now: vec![],
        later: vec![],
        on_goto: Callback::noop(),
    };
    let root = root();
    yew::Renderer::<Violations>::with_root_and_props(root.clone(), props).render();
    settle().await;
    assert!(root
        .text_content()
        .unwrap()
        .contains("No oracle has fired in this run so far."));
}

#[wasm_bindgen_test]
async fn errors_are_alerts_and_can_be_dismissed() {
    let dismissed = Rc::new(Cell::new(None));
    let got = dismissed.clone();
    let props = NoticesProps {
        notices: vec![
            Notice {
                id: 7,
                level: Level::Error,
                text: "link parameter 'm': unknown memory model 'arm'".into(),
            },
            Notice {
                id: 8,
                level: Level::Info,
                text: "a hint".into(),
            },
        ],
        bad_link: None,
        on_dismiss: Callback::from(move |id| got.set(Some(id))),
    };
    let root = root();
    yew::Renderer::<Notices>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let alert = root.query_selector("[role='alert']").unwrap().unwrap();
    assert!(alert
        .text_content()
        .unwrap()
        .contains("unknown memory model 'arm'"));
    assert_eq!(
        root.query_selector_all("[role='status']").unwrap().length(),
        1
    );
    click(&root, "[data-notice='7'] .notice-close");
    assert_eq!(dismissed.get(), Some(7));
}
