//! The Host evidence view: open a host-report bundle (file picker or drag and drop; its size is
//! checked before it is read), hand its text to a checker worker of its own, which reads it with
//! the core's validated reader, checks every cell again and joins the evidence
//! (`web_worker::jobs::evidence`), and show the joined table. Errors are shown in the page.

use crate::jobs::{Request, Response};
use core_sim::share::bundle::{Table, MAX_BUNDLE};
use std::rc::Rc;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{DragEvent, File, HtmlInputElement, MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::prelude::*;

#[derive(Clone, PartialEq)]
enum Shown {
    Empty,
    Reading(String),
    Failed(String),
    Table(Rc<Table>),
}

fn js_error(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "an unknown error".into())
}

/// Send the bundle's text to a fresh checker worker; its one answer goes to `shown`.
fn ask_worker(text: String, shown: UseStateHandle<Shown>) -> Result<(), String> {
    let opts = WorkerOptions::new();
    opts.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(crate::app::WORKER_URL, &opts).map_err(js_error)?;
    let (w, s) = (worker.clone(), shown.clone());
    let on_message = Closure::once_into_js(move |e: MessageEvent| {
        w.terminate();
        let data = e.data().as_string().unwrap_or_default();
        s.set(match Response::from_json(&data) {
            Ok(Response::Evidence { table, .. }) => Shown::Table(Rc::new(table)),
            Ok(Response::Failed { error, .. }) => Shown::Failed(error),
            Ok(_) => Shown::Failed("the worker answered something else".into()),
            Err(e) => Shown::Failed(format!("the worker's answer cannot be read: {e}")),
        });
    });
    worker.set_onmessage(Some(on_message.unchecked_ref()));
    let request = Request::Bundle { job: 1, text };
    let json = serde_json::to_string(&request).map_err(|e| e.to_string())?;
    worker
        .post_message(&JsValue::from_str(&json))
        .map_err(js_error)
}

/// Read a chosen or dropped file, if it is small enough, and ask the worker about it.
fn open(file: File, shown: UseStateHandle<Shown>) {
    let name = core_sim::text::shown(&file.name(), 80);
    if file.size() > MAX_BUNDLE as f64 {
        shown.set(Shown::Failed(format!(
            "{name} is {} bytes: a host-report bundle is at most 4 MiB",
            file.size()
        )));
        return;
    }
    shown.set(Shown::Reading(name.clone()));
    wasm_bindgen_futures::spawn_local(async move {
        let read = wasm_bindgen_futures::JsFuture::from(file.text()).await;
        let result = match read.map(|t| t.as_string()) {
            Ok(Some(text)) => ask_worker(text, shown.clone()),
            Ok(None) => Err("the file is not text".into()),
            Err(e) => Err(js_error(e)),
        };
        if let Err(e) = result {
            shown.set(Shown::Failed(format!("{name}: {e}")));
        }
    });
}

fn table(t: &Table) -> Html {
    html! {
        <>
            <h3 id="host-title-bundle">{ &t.title }</h3>
            <p id="host-statement" class={classes!("host-statement", (!t.can_exercise_race).then_some("host-no-avic"))}>{ &t.statement }</p>
            <p class="host-verdicts">{ &t.verdicts }</p>
            <div class="host-table-wrap">
                <table id="host-table" class="host-table">
                    <thead><tr>{ for t.columns.iter().map(|c| html! { <th scope="col">{ c }</th> }) }</tr></thead>
                    <tbody>
                        { for t.rows.iter().map(|r| html! {
                            <tr class={classes!(r.mismatch.then_some("host-mismatch"))}>
                                <th scope="row">{ &r.cell }</th>
                                { for [&r.possible, &r.recomputed, &r.uniform, &r.pct, &r.stress, &r.verdict].map(|v| html! { <td>{ v }</td> }) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            <h3>{ "The machine" }</h3>
            <dl class="host-facts">
                { for t.host.iter().map(|(k, v)| html! { <><dt>{ k }</dt><dd>{ v }</dd></> }) }
            </dl>
        </>
    }
}

/// The view.
#[function_component(HostView)]
pub fn host_view() -> Html {
    let shown = use_state(|| Shown::Empty);
    let onchange = {
        let shown = shown.clone();
        Callback::from(move |e: Event| {
            let input: Option<HtmlInputElement> = e.target_dyn_into();
            if let Some(f) = input.and_then(|i| i.files()).and_then(|f| f.get(0)) {
                open(f, shown.clone());
            }
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let shown = shown.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(f) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                open(f, shown.clone());
            }
        })
    };
    let body = match &*shown {
        Shown::Empty => html! {},
        Shown::Reading(name) => {
            html! { <p class="host-status" role="status">{ format!("Reading {name} and checking each cell again…") }</p> }
        }
        Shown::Failed(e) => {
            html! { <p id="host-error" class="host-error" role="alert">{ format!("This bundle cannot be shown: {e}") }</p> }
        }
        Shown::Table(t) => table(t),
    };
    html! {
        <section class="host-view" aria-labelledby="host-title">
            <h2 id="host-title">{ "Host evidence" }</h2>
            <p class="host-intro">{ "A bundle from " }<code>{ "avic-lab host-report" }</code>{ " holds one machine's evidence beside the model's: whether each cell's violations are possible at all (exhaustive), how often seeded uniform and PCT runs hit them, and how often " }<code>{ "stress" }</code>{ " (the model's micro-step programs on real threads and cores) hit them per million iterations, with what the probe found about the machine. The file stays in this browser." }</p>
            <label class="host-drop" {ondragover} {ondrop}>
                <span>{ "Open a bundle (JSON, at most 4 MiB), or drop it here: " }</span>
                <input type="file" id="host-file" accept=".json,application/json" {onchange} />
            </label>
            { body }
        </section>
    }
}
