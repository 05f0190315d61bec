//! The Host evidence view: open a host-report bundle (file picker or drag and drop; its size is
//! checked before it is read), hand its text to a checker worker of its own, which reads it with
//! the core's validated reader, checks every cell again and joins the evidence
//! (`web_worker::jobs::evidence`), and show the joined table. Errors are shown in the page.
//! Each open is a job (`crate::state::HostState`): Cancel stops it, and a newer open replaces
//! it, so an older bundle's answer never shows over the one chosen last.

use crate::jobs::{Request, Response};
use crate::state::{HostMsg, HostState, Job};
use core_sim::share::bundle::{Table, MAX_BUNDLE};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{DragEvent, File, HtmlInputElement, MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::prelude::*;

/// The worker of the open on its way, if any: a newer open or Cancel terminates it.
type Busy = Rc<RefCell<Option<Worker>>>;

fn js_error(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "an unknown error".into())
}

/// Stop the worker of an earlier open, if one is still at work.
fn stop(busy: &Busy) {
    if let Some(w) = busy.borrow_mut().take() {
        w.set_onmessage(None);
        w.terminate();
    }
}

/// Send the bundle's text to a fresh checker worker as job `job`; its one answer is reported
/// with that id (the room keeps it only if `job` is still the open on screen).
fn ask_worker(
    job: u64,
    text: String,
    host: UseReducerDispatcher<HostState>,
    busy: Busy,
) -> Result<(), String> {
    let opts = WorkerOptions::new();
    opts.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(crate::app::WORKER_URL, &opts).map_err(js_error)?;
    let (w, b) = (worker.clone(), busy.clone());
    let on_message = Closure::once_into_js(move |e: MessageEvent| {
        w.terminate();
        b.borrow_mut().take_if(|x| *x == w);
        let data = e.data().as_string().unwrap_or_default();
        host.dispatch(match Response::from_json(&data) {
            Ok(Response::Evidence { table, .. }) => HostMsg::Done(job, Rc::new(table)),
            Ok(Response::Failed { error, .. }) => HostMsg::Failed(job, error),
            Ok(_) => HostMsg::Failed(job, "the worker answered something else".into()),
            Err(e) => HostMsg::Failed(job, format!("the worker's answer cannot be read: {e}")),
        });
    });
    worker.set_onmessage(Some(on_message.unchecked_ref()));
    stop(&busy);
    *busy.borrow_mut() = Some(worker.clone());
    let request = Request::Bundle { job, text };
    let json = serde_json::to_string(&request).map_err(|e| e.to_string())?;
    worker
        .post_message(&JsValue::from_str(&json))
        .map_err(js_error)
}

/// Read a chosen or dropped file, if it is small enough, and ask the worker about it as job
/// `job`; a newer open or Cancel before the file is read leaves the worker unasked.
fn open(file: File, job: u64, host: UseReducerHandle<HostState>, busy: Busy) {
    let name = core_sim::text::shown(&file.name(), 80);
    stop(&busy);
    if file.size() > MAX_BUNDLE as f64 {
        host.dispatch(HostMsg::Refused(format!(
            "{name} is {} bytes: a host-report bundle is at most 4 MiB",
            file.size()
        )));
        return;
    }
    host.dispatch(HostMsg::Open(job, name.clone()));
    let dispatcher = host.dispatcher();
    wasm_bindgen_futures::spawn_local(async move {
        let read = wasm_bindgen_futures::JsFuture::from(file.text()).await;
        // The handle's state is the one of the render that opened the file; the worker's
        // answer is filtered by the room, and a cancelled or replaced open has no worker.
        let result = match read.map(|t| t.as_string()) {
            Ok(Some(text)) => ask_worker(job, text, dispatcher.clone(), busy),
            Ok(None) => Err("the file is not text".into()),
            Err(e) => Err(js_error(e)),
        };
        if let Err(e) = result {
            dispatcher.dispatch(HostMsg::Failed(job, format!("{name}: {e}")));
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
    let host = use_reducer(HostState::default);
    let busy: Busy = use_mut_ref(|| None);
    let ids = use_mut_ref(|| 0u64);
    let start = {
        let (host, busy) = (host.clone(), busy.clone());
        Rc::new(move |f: File| {
            let job = {
                let mut n = ids.borrow_mut();
                *n += 1;
                *n
            };
            open(f, job, host.clone(), busy.clone());
        })
    };
    let onchange = {
        let start = start.clone();
        Callback::from(move |e: Event| {
            let input: Option<HtmlInputElement> = e.target_dyn_into();
            if let Some(f) = input.and_then(|i| i.files()).and_then(|f| f.get(0)) {
                start(f);
            }
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = Callback::from(move |e: DragEvent| {
        e.prevent_default();
        if let Some(f) = e
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            start(f);
        }
    });
    let cancel = {
        let (host, busy) = (host.clone(), busy.clone());
        Callback::from(move |_: MouseEvent| {
            stop(&busy);
            host.dispatch(HostMsg::Cancel);
        })
    };
    let body = match &host.job {
        Job::Idle => html! {},
        Job::Running { progress: name, .. } => html! {
            <p class="host-status" role="status">
                { format!("Reading {name} and checking each cell again… ") }
                <button type="button" id="host-cancel" onclick={cancel}>{ "Cancel" }</button>
            </p>
        },
        Job::Cancelled { progress: name, .. } => {
            html! { <p class="host-status" role="status">{ format!("Cancelled: {name} was not opened.") }</p> }
        }
        Job::Failed { error, .. } => {
            html! { <p id="host-error" class="host-error" role="alert">{ format!("This bundle cannot be shown: {error}") }</p> }
        }
        Job::Done { result, .. } => table(result),
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
