//! The top-level component: owns the one reducer and the side effects (Web Workers, the URL,
//! the theme, keyboard shortcuts); everything below gets props and sends messages up.

use crate::components::explorer::Explorer;
use crate::components::matrix::MatrixView;
use crate::components::notices::Notices;
use crate::components::topbar::Topbar;
pub use crate::components::topbar::TITLE;
use crate::jobs::{self, Request, Response};
use crate::state::{self, AppState, CheckState, Level, Msg, StateRef, Theme};
use crate::url::{self, View};
use crate::worker::{Pool, Source};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Where the worker script is, relative to the page.
pub const WORKER_URL: &str = "assets/worker.js";
const THEME_KEY: &str = "avic-race-lab.theme";

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The page's first state: from the URL's query string, with the saved theme.
fn initial_state() -> AppState {
    let query = window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let mut s = state::from_query(&query);
    let saved = window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|st| st.get_item(THEME_KEY).ok().flatten());
    if let Some(t) = saved {
        s.theme = Theme::from_id(&t);
    }
    s
}

fn system_dark() -> bool {
    window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

fn matrix_workers() -> usize {
    let n = window().map_or(1.0, |w| w.navigator().hardware_concurrency());
    (n as usize).clamp(1, 4)
}

/// Set a `data-*` attribute on `<html>` (themes, and marks for tests and benchmarks).
fn set_root_attr(name: &str, value: Option<&str>) {
    if let Some(root) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = match value {
            Some(v) => root.set_attribute(name, v),
            None => root.remove_attribute(name),
        };
    }
}

fn now() -> f64 {
    window()
        .and_then(|w| w.performance())
        .map_or_else(jobs::now_ms, |p| p.now())
}

/// Panic hook: say so in the page instead of leaving it frozen or blank.
pub fn show_panic(info: &std::panic::PanicHookInfo<'_>) {
    let text = format!(
        "The lab hit an internal error and stopped ({info}). Reload the page to start again; if it happens again, please report it with the page's address."
    );
    web_sys::console::error_1(&text.clone().into());
    if let Some(doc) = window().and_then(|w| w.document()) {
        if let (Ok(div), Some(body)) = (doc.create_element("div"), doc.body()) {
            div.set_class_name("fatal");
            div.set_attribute("role", "alert").ok();
            div.set_text_content(Some(&text));
            let _ = body.prepend_with_node_1(&div);
        }
    }
}

/// Key presses the page understands, when focus is not in a form field.
fn key_msg(key: &str) -> Option<Msg> {
    let mut chars = key.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return match key {
            "ArrowLeft" => Some(Msg::Back),
            "ArrowRight" => Some(Msg::Forward),
            "Home" => Some(Msg::Goto(0)),
            "End" => Some(Msg::Goto(usize::MAX)),
            _ => None,
        };
    };
    core_sim::Action::from_char(c).map(Msg::Act)
}

/// Root component of the page.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(initial_state);
    let pool: Rc<Pool> = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| {
            let handler: Rc<dyn Fn(Source, Response)> =
                Rc::new(move |source, r| match (source, r) {
                    (_, Response::Progress { job, progress }) => {
                        dispatcher.dispatch(Msg::CheckProgress(job, progress))
                    }
                    (_, Response::Checked { job, report, ms }) => {
                        dispatcher.dispatch(Msg::CheckDone(job, Box::new(report), ms))
                    }
                    (_, Response::Cell { job, cell }) => {
                        dispatcher.dispatch(Msg::MatrixCell(job, Box::new(cell), now()))
                    }
                    (Source::Check, Response::Failed { job, error }) => {
                        dispatcher.dispatch(Msg::CheckFailed(job, error))
                    }
                    (Source::Matrix, Response::Failed { job, error }) => {
                        dispatcher.dispatch(Msg::MatrixFailed(job, error))
                    }
                });
            Pool::new(WORKER_URL, matrix_workers(), handler)
        })
    };
    let jobs_counter = use_mut_ref(|| 1u64);
    let view_now = use_mut_ref(|| View::Explorer);
    *view_now.borrow_mut() = state.view;

    let new_job = {
        let jobs_counter = jobs_counter.clone();
        move || {
            let mut c = jobs_counter.borrow_mut();
            *c += 1;
            *c
        }
    };

    // Workers start after the first render, so they never delay it.
    {
        let pool = pool.clone();
        use_effect_with((), move |_| {
            pool.warm_up();
            set_root_attr("data-first-render-ms", Some(&format!("{:.1}", now())));
            set_root_attr("data-ready", Some("true"));
            || ()
        });
    }

    // Keyboard: 0-9 run a thread, a-j flush its store buffer, arrows go back and forward.
    {
        let dispatcher = state.dispatcher();
        let view_now = view_now.clone();
        use_effect_with((), move |_| {
            let listener = window().and_then(|w| w.document()).map(|doc| {
                let opts = gloo::events::EventListenerOptions::enable_prevent_default();
                gloo::events::EventListener::new_with_options(&doc, "keydown", opts, move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if e.ctrl_key()
                        || e.meta_key()
                        || e.alt_key()
                        || *view_now.borrow() != View::Explorer
                    {
                        return;
                    }
                    let in_field = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .is_some_and(|el| {
                            matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                        });
                    if in_field {
                        return;
                    }
                    if let Some(msg) = key_msg(&e.key()) {
                        e.prevent_default();
                        dispatcher.dispatch(msg);
                    }
                })
            });
            move || drop(listener)
        });
    }

    // The URL follows the page (replaceState: no history entry per step).
    {
        let query = url::encode(&state.link());
        use_effect_with(query, |q| {
            if let Some(w) = window() {
                let path = w.location().pathname().unwrap_or_default();
                if let Ok(h) = w.history() {
                    let _ = h.replace_state_with_url(
                        &wasm_bindgen::JsValue::NULL,
                        "",
                        Some(&format!("{path}{q}")),
                    );
                }
            }
        });
    }

    // Theme.
    {
        use_effect_with(state.theme, |t| {
            set_root_attr("data-theme", (*t != Theme::System).then_some(t.id()));
            if let Some(st) = window().and_then(|w| w.local_storage().ok().flatten()) {
                let _ = st.set_item(THEME_KEY, t.id());
            }
        });
    }

    let start_matrix = {
        let state = state.clone();
        let pool = pool.clone();
        let new_job = new_job.clone();
        Callback::from(move |_: ()| {
            let p = &pool;
            let job = new_job();
            let requests: Vec<String> = state
                .matrix
                .worlds
                .iter()
                .enumerate()
                .filter_map(|(index, (scenario, strategy, memory))| {
                    let req = Request::Cell {
                        job,
                        index,
                        scenario: scenario.clone(),
                        strategy: strategy.to_string(),
                        memory: *memory,
                    };
                    serde_json::to_string(&req).ok()
                })
                .collect();
            state.dispatch(Msg::MatrixStarted {
                job,
                workers: p.matrix_workers(),
                now: now(),
            });
            p.matrix(job, requests);
        })
    };

    // Opening the matrix checks it (once per memory model, unless cancelled).
    {
        let m = &state.matrix;
        let want = state.view == View::Matrix
            && m.job.is_none()
            && m.done() == 0
            && !m.cancelled
            && m.error.is_none();
        let start_matrix = start_matrix.clone();
        use_effect_with((want, m.memory), move |(want, _)| {
            if *want {
                start_matrix.emit(());
            }
        });
    }

    let cancel_matrix = {
        let dispatcher = state.dispatcher();
        let pool = pool.clone();
        Callback::from(move |_: ()| {
            pool.cancel_matrix();
            dispatcher.dispatch(Msg::MatrixCancelled);
        })
    };

    let cancel_check = {
        let dispatcher = state.dispatcher();
        let pool = pool.clone();
        Callback::from(move |_: ()| {
            pool.cancel_check();
            dispatcher.dispatch(Msg::CheckCancelled);
        })
    };

    let find = {
        let state = state.clone();
        let pool = pool.clone();
        let new_job = new_job.clone();
        Callback::from(move |_: ()| {
            let job = new_job();
            let req = Request::Check {
                job,
                scenario: state.scenario.clone(),
                knobs: state.knobs,
                memory: state.memory,
            };
            match serde_json::to_string(&req) {
                Ok(json) => {
                    state.dispatch(Msg::CheckStarted(job));
                    pool.check(job, json);
                }
                Err(e) => state.dispatch(Msg::Notify(
                    Level::Error,
                    format!("Could not prepare the check: {e}"),
                )),
            }
        })
    };

    // World changes cancel a running check first (its answer would be for another world).
    let on_world = {
        let dispatcher = state.dispatcher();
        let pool = pool.clone();
        let running = matches!(state.check, CheckState::Running { .. });
        Callback::from(move |m: Msg| {
            if running {
                pool.cancel_check();
            }
            dispatcher.dispatch(m);
        })
    };

    let on_msg = {
        let dispatcher = state.dispatcher();
        Callback::from(move |m: Msg| dispatcher.dispatch(m))
    };

    let on_dice = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: ()| {
            let seed = (js_random() * 4_294_967_296.0) as u64;
            dispatcher.dispatch(Msg::SetSeed(seed.to_string()));
        })
    };

    let on_memory_matrix = {
        let dispatcher = state.dispatcher();
        let pool = pool.clone();
        Callback::from(move |m| {
            pool.cancel_matrix();
            dispatcher.dispatch(Msg::SetMatrixMemory(m));
        })
    };

    let on_open = on_world.reform(Msg::OpenCell);
    let dark = match state.theme {
        Theme::Dark => true,
        Theme::Light => false,
        Theme::System => system_dark(),
    };
    let state_ref = StateRef(state.clone());
    html! {
        <div class={classes!("app", format!("view-{}", if state.view == View::Matrix { "matrix" } else { "explorer" }))}>
            <Topbar view={state.view} on_view={on_msg.reform(Msg::SetView)} {dark} on_theme={on_msg.reform(Msg::SetTheme)} />
            <Notices notices={state.notices.clone()} on_dismiss={on_msg.reform(Msg::Dismiss)} />
            if state.view == View::Matrix {
                <MatrixView matrix={state.matrix.clone()} scenarios={state.scenarios.clone()}
                    on_memory={on_memory_matrix} on_run={start_matrix} on_cancel={cancel_matrix} {on_open} />
            } else {
                <Explorer state={state_ref} {on_msg} {on_world} on_find={find} on_cancel={cancel_check} {on_dice} />
            }
        </div>
    }
}

fn js_random() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Math::random()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.5
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_sim::Action;

    #[test]
    fn keys_map_to_actions() {
        assert_eq!(key_msg("3"), Some(Msg::Act(Action::Step(3))));
        assert_eq!(key_msg("b"), Some(Msg::Act(Action::Flush(1))));
        assert_eq!(key_msg("ArrowLeft"), Some(Msg::Back));
        assert_eq!(key_msg("x"), None);
        assert_eq!(key_msg("Shift"), None);
    }
}
