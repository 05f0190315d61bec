//! The top-level component: owns the one reducer and the side effects (Web Workers, the URL,
//! the theme, keyboard shortcuts, Play's timer); everything below gets props and sends
//! messages up.

use crate::components::explorer::Explorer;
use crate::components::lesson::LessonList;
use crate::components::matrix::MatrixView;
use crate::components::notices::Notices;
use crate::components::share::{HelpOverlay, ShareDialog};
use crate::components::topbar::Topbar;
pub use crate::components::topbar::TITLE;
use crate::jobs::{self, Request, Response};
use crate::state::{
    self, AppState, CheckMsg, ChromeMsg, LessonMsg, Level, MatrixMsg, Msg, Overlay, RunMsg, PACES,
};
use crate::url::{self, Link, Theme, View};
use crate::worker::{Pool, Source};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Where the worker script is, relative to the page.
pub const WORKER_URL: &str = "assets/worker.js";
const THEME_KEY: &str = "avic-race-lab.theme";
const PACE_KEY: &str = "avic-race-lab.pace";

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn storage() -> Option<web_sys::Storage> {
    window().and_then(|w| w.local_storage().ok().flatten())
}

fn saved(key: &str) -> Option<String> {
    storage().and_then(|st| st.get_item(key).ok().flatten())
}

fn save(key: &str, value: &str) {
    if let Some(st) = storage() {
        let _ = st.set_item(key, value);
    }
}

/// The page's first state: from the URL's query string, with the viewer's saved theme (unless
/// the link names one, or the page is embedded in someone else's) and pace.
fn initial_state() -> AppState {
    let query = window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let mut s = state::from_query(&query);
    if !s.chrome.theme_in_link && !s.chrome.embed {
        if let Some(t) = saved(THEME_KEY).and_then(|t| Theme::from_id(&t)) {
            s.chrome.theme = t;
        }
    }
    if let Some(ms) = saved(PACE_KEY).and_then(|p| p.parse::<u32>().ok()) {
        if PACES.iter().any(|(m, _)| *m == ms) {
            s.run.pace_ms = ms;
        }
    }
    s
}

/// This page's address without its query: the base of share links.
fn base_url() -> String {
    window()
        .map(|w| {
            let l = w.location();
            format!(
                "{}{}",
                l.origin().unwrap_or_default(),
                l.pathname().unwrap_or_default()
            )
        })
        .unwrap_or_default()
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

/// What the keyboard handler needs to know about the page.
#[derive(Clone, Copy, PartialEq)]
struct KeyContext {
    /// A run is on screen (the explorer, or a lesson being played).
    run: bool,
    overlay: Overlay,
}

/// Key presses the page understands, when focus is not in a form field.
fn key_msg(key: &str, cx: KeyContext) -> Option<Msg> {
    match (key, cx.overlay) {
        ("Escape", Overlay::Help | Overlay::Share) => {
            return Some(ChromeMsg::SetOverlay(Overlay::None).into())
        }
        ("?", Overlay::Help) => return Some(ChromeMsg::SetOverlay(Overlay::None).into()),
        ("?", Overlay::None) => return Some(ChromeMsg::SetOverlay(Overlay::Help).into()),
        (_, Overlay::None) if cx.run => {}
        _ => return None,
    }
    let mut chars = key.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return match key {
            "ArrowLeft" => Some(RunMsg::Back.into()),
            "ArrowRight" => Some(RunMsg::Next.into()),
            "Home" => Some(RunMsg::Goto(0).into()),
            "End" => Some(RunMsg::Goto(usize::MAX).into()),
            _ => None,
        };
    };
    if c == ' ' {
        return Some(RunMsg::TogglePlay.into());
    }
    core_sim::Action::from_char(c).map(|a| RunMsg::Act(a).into())
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
                        dispatcher.dispatch(CheckMsg::Progress(job, progress).into())
                    }
                    (_, Response::Checked { job, report, ms }) => {
                        dispatcher.dispatch(CheckMsg::Done(job, Box::new(report), ms).into())
                    }
                    (_, Response::Cell { job, cell }) => {
                        dispatcher.dispatch(MatrixMsg::Cell(job, Box::new(cell), now()).into())
                    }
                    (
                        _,
                        Response::Claim {
                            job, index, result, ..
                        },
                    ) => dispatcher.dispatch(LessonMsg::ClaimDone(job, index, result).into()),
                    (Source::Check, Response::Failed { job, error }) => {
                        dispatcher.dispatch(LessonMsg::ClaimsFailed(job, error.clone()).into());
                        dispatcher.dispatch(CheckMsg::Failed(job, error).into())
                    }
                    (Source::Matrix, Response::Failed { job, error }) => {
                        dispatcher.dispatch(MatrixMsg::Failed(job, error).into())
                    }
                });
            Pool::new(WORKER_URL, matrix_workers(), handler)
        })
    };
    let jobs_counter = use_mut_ref(|| 1u64);
    let key_cx: Rc<RefCell<KeyContext>> = use_mut_ref(|| KeyContext {
        run: false,
        overlay: Overlay::None,
    });
    *key_cx.borrow_mut() = KeyContext {
        run: state.chrome.view == View::Explorer || state.lesson.is_some(),
        overlay: state.chrome.overlay,
    };

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
            set_root_attr(
                "data-first-render-ms",
                Some(&crate::components::check_panel::tenths(now())),
            );
            set_root_attr("data-ready", Some("true"));
            || ()
        });
    }

    // Keyboard: 0-9 run a thread, a-j flush its store buffer, arrows go back and forward, space
    // plays, ? shows the keys (see the help overlay).
    {
        let dispatcher = state.dispatcher();
        let key_cx = key_cx.clone();
        use_effect_with((), move |_| {
            let listener = window().and_then(|w| w.document()).map(|doc| {
                let opts = gloo::events::EventListenerOptions::enable_prevent_default();
                gloo::events::EventListener::new_with_options(&doc, "keydown", opts, move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if e.ctrl_key() || e.meta_key() || e.alt_key() {
                        return;
                    }
                    let key = e.key();
                    let target = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
                    let tag = target.as_ref().map(|el| el.tag_name()).unwrap_or_default();
                    if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA") && key != "Escape" {
                        return;
                    }
                    // Space and Enter on a focused button press it; space means Play elsewhere.
                    if tag == "BUTTON" && (key == " " || key == "Enter") {
                        return;
                    }
                    if let Some(msg) = key_msg(&key, *key_cx.borrow()) {
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

    // Theme (saved where the viewer picks it: see on_theme).
    {
        use_effect_with(state.chrome.theme, |t| {
            set_root_attr("data-theme", (*t != Theme::Auto).then_some(t.id()));
        });
    }

    // Play: one step per beat while playing.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(
            (state.run.playing, state.run.pace_ms),
            move |(playing, pace)| {
                let timer = playing.then(|| {
                    gloo::timers::callback::Interval::new(*pace, move || {
                        dispatcher.dispatch(RunMsg::Tick.into())
                    })
                });
                move || drop(timer)
            },
        );
    }

    // A lesson's claims are verified by the exhaustive checker in the check worker.
    {
        let want = state
            .lesson
            .as_ref()
            .filter(|g| g.wants_claims())
            .map(|g| g.lesson.id);
        let pool = pool.clone();
        let dispatcher = state.dispatcher();
        let new_job = new_job.clone();
        use_effect_with(want, move |want| {
            if let Some(lesson) = want {
                let job = new_job();
                let req = Request::Claims {
                    job,
                    lesson: lesson.to_string(),
                };
                if let Ok(json) = serde_json::to_string(&req) {
                    dispatcher.dispatch(LessonMsg::ClaimsStarted(job).into());
                    pool.check(job, json);
                }
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
            state.dispatch(
                MatrixMsg::Started {
                    job,
                    workers: p.matrix_workers(),
                    now: now(),
                }
                .into(),
            );
            p.matrix(job, requests);
        })
    };

    // Opening the matrix checks it (once per memory model, unless cancelled).
    {
        let m = &state.matrix;
        let want = state.chrome.view == View::Matrix && m.wants_run();
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
            dispatcher.dispatch(MatrixMsg::Cancelled.into());
        })
    };

    let cancel_check = {
        let dispatcher = state.dispatcher();
        let pool = pool.clone();
        Callback::from(move |_: ()| {
            pool.cancel_check();
            dispatcher.dispatch(CheckMsg::Cancelled.into());
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
                scenario: state.world.scenario.clone(),
                knobs: state.world.knobs,
                memory: state.world.memory,
            };
            match serde_json::to_string(&req) {
                Ok(json) => {
                    state.dispatch(CheckMsg::Started(job).into());
                    pool.check(job, json);
                }
                Err(e) => state.dispatch(
                    ChromeMsg::Notify(Level::Error, format!("Could not prepare the check: {e}"))
                        .into(),
                ),
            }
        })
    };

    // World changes cancel a running check first (its answer would be for another world).
    let on_world = {
        let dispatcher = state.dispatcher();
        let pool = pool.clone();
        let running = state.check.is_running();
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
            dispatcher.dispatch(RunMsg::SetSeed(seed.to_string()).into());
        })
    };

    let on_memory_matrix = {
        let dispatcher = state.dispatcher();
        let pool = pool.clone();
        Callback::from(move |m| {
            pool.cancel_matrix();
            dispatcher.dispatch(MatrixMsg::SetMemory(m).into());
        })
    };

    let on_theme = {
        let dispatcher = state.dispatcher();
        Callback::from(move |t: Theme| {
            save(THEME_KEY, t.id());
            dispatcher.dispatch(ChromeMsg::SetTheme(t).into());
        })
    };
    let on_pace = {
        let dispatcher = state.dispatcher();
        Callback::from(move |ms: u32| {
            save(PACE_KEY, &ms.to_string());
            dispatcher.dispatch(RunMsg::SetPace(ms).into());
        })
    };
    let on_msg_run = {
        let on_msg = on_msg.clone();
        Callback::from(move |m: Msg| match m {
            Msg::Run(RunMsg::SetPace(ms)) => on_pace.emit(ms),
            m => on_msg.emit(m),
        })
    };

    let on_open = on_world.reform(Msg::OpenCell);
    let link = state.link();
    let full_link = AttrValue::from(format!(
        "{}{}",
        base_url(),
        url::encode(&Link {
            embed: false,
            ..link.clone()
        })
    ));
    let close = on_msg.reform(|_: ()| ChromeMsg::SetOverlay(Overlay::None).into());
    let overlay = match state.chrome.overlay {
        Overlay::Share if !state.chrome.embed => html! {
            <ShareDialog snippets={url::snippets(&base_url(), &link, &state.describe())} on_close={close} />
        },
        Overlay::Help => html! { <HelpOverlay on_close={close} /> },
        _ => html! {},
    };
    let view_class = match (state.chrome.view, state.lesson.is_some()) {
        (View::Matrix, _) => "view-matrix",
        (View::Lesson, false) => "view-lessons",
        (View::Lesson, true) => "view-lesson",
        (View::Explorer, _) => "view-explorer",
    };
    html! {
        <div class={classes!("app", view_class, state.chrome.embed.then_some("embed"))}>
            if !state.chrome.embed {
                <Topbar view={state.chrome.view} on_view={on_msg.reform(Msg::SetView)} theme={state.chrome.theme} {on_theme}
                    on_overlay={on_msg.reform(|o| ChromeMsg::SetOverlay(o).into())} />
            }
            <Notices notices={state.chrome.notices.clone()} on_dismiss={on_msg.reform(|id| ChromeMsg::Dismiss(id).into())} />
            if state.chrome.view == View::Matrix {
                <MatrixView matrix={state.matrix.clone()} scenarios={state.world.scenarios.clone()}
                    on_memory={on_memory_matrix} on_run={start_matrix} on_cancel={cancel_matrix} {on_open} />
            } else if state.chrome.view == View::Lesson && state.lesson.is_none() {
                <LessonList on_open={on_world.reform(Msg::OpenLesson)} />
            } else {
                <Explorer world={state.world.clone()} run={state.run.clone()} check={state.check.clone()}
                    guided={state.lesson.clone()} embed={state.chrome.embed}
                    on_msg={on_msg_run} {on_world} on_find={find} on_cancel={cancel_check} {on_dice} {full_link} />
            }
            { overlay }
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

    const RUN: KeyContext = KeyContext {
        run: true,
        overlay: Overlay::None,
    };

    #[test]
    fn keys_map_to_actions() {
        assert_eq!(key_msg("3", RUN), Some(RunMsg::Act(Action::Step(3)).into()));
        assert_eq!(
            key_msg("b", RUN),
            Some(RunMsg::Act(Action::Flush(1)).into())
        );
        assert_eq!(key_msg("ArrowLeft", RUN), Some(RunMsg::Back.into()));
        assert_eq!(key_msg("ArrowRight", RUN), Some(RunMsg::Next.into()));
        assert_eq!(key_msg(" ", RUN), Some(RunMsg::TogglePlay.into()));
        assert_eq!(
            key_msg("?", RUN),
            Some(ChromeMsg::SetOverlay(Overlay::Help).into())
        );
        assert_eq!(key_msg("x", RUN), None);
        assert_eq!(key_msg("Shift", RUN), None);
    }

    #[test]
    fn overlays_and_other_views_keep_the_run_keys_quiet() {
        let help = KeyContext {
            overlay: Overlay::Help,
            ..RUN
        };
        assert_eq!(key_msg("ArrowRight", help), None);
        assert_eq!(
            key_msg("?", help),
            Some(ChromeMsg::SetOverlay(Overlay::None).into())
        );
        assert_eq!(
            key_msg("Escape", help),
            Some(ChromeMsg::SetOverlay(Overlay::None).into())
        );
        let share = KeyContext {
            overlay: Overlay::Share,
            ..RUN
        };
        assert_eq!(key_msg("1", share), None);
        assert_eq!(
            key_msg("Escape", share),
            Some(ChromeMsg::SetOverlay(Overlay::None).into())
        );
        let matrix = KeyContext { run: false, ..RUN };
        assert_eq!(key_msg("1", matrix), None);
        assert_eq!(key_msg(" ", matrix), None);
        assert_eq!(
            key_msg("?", matrix),
            Some(ChromeMsg::SetOverlay(Overlay::Help).into())
        );
        assert_eq!(key_msg("Escape", RUN), None);
    }
}
