//! The top-level component: owns the one reducer and wires the hooks (`crate::hooks`: workers,
//! jobs, keyboard, URL, Play's timer, preferences) to the components; everything below gets
//! props and sends messages up.

use crate::components::challenge::ChallengeList;
use crate::components::editor::ScenarioEditor;
use crate::components::explorer::Explorer;
use crate::components::host::HostView;
use crate::components::lesson::LessonList;
use crate::components::matrix::MatrixView;
use crate::components::notices::Notices;
use crate::components::patch_editor::{choices, PatchButton, PatchEditor};
use crate::components::presenter::Presenter;
use crate::components::primer::PrimerView;
use crate::components::share::{HelpOverlay, ShareDialog};
use crate::components::stops::StopsPanel;
use crate::components::topbar::Topbar;
pub use crate::components::topbar::TITLE;
use crate::components::welcome::Welcome;
use crate::hooks::dom::{self, window};
use crate::hooks::jobs::use_jobs;
use crate::hooks::keys::{use_keyboard, KeyContext};
use crate::hooks::play::use_play_timer;
use crate::hooks::pool::use_worker_pool;
pub use crate::hooks::pool::WORKER_URL;
use crate::hooks::prefs::{self, use_theme};
use crate::hooks::present::use_slides_channel;
use crate::hooks::url_sync::use_url_sync;
use crate::state::{self, AppState, ChromeMsg, Level, Msg, Overlay, RunMsg};
use crate::url::{self, Link, View};
use core_sim::share::deck::{self, DeckSlide};
use core_sim::share::welcome;
use std::rc::Rc;
use yew::prelude::*;

/// The page's first state: from the URL's query string, with the viewer's saved preferences.
fn initial_state() -> AppState {
    let mut s = state::from_query(&dom::query());
    prefs::restore(&mut s);
    s
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

/// The page's class for its view: `view-explorer`, `view-matrix`, `view-lessons` (the list),
/// `view-lesson` (one being played), `view-primer`, `view-host`, `view-challenges` (the list) or
/// `view-challenge` (one being played).
fn view_class(s: &AppState) -> &'static str {
    match (s.chrome.view, s.lesson.is_some() || s.challenge.is_some()) {
        (View::Matrix, _) => "view-matrix",
        (View::Lesson, false) => "view-lessons",
        (View::Lesson, true) => "view-lesson",
        (View::Explorer, _) => "view-explorer",
        (View::Primer, _) => "view-primer",
        (View::Challenge, false) => "view-challenges",
        (View::Challenge, true) => "view-challenge",
        (View::Host, _) => "view-host",
        (View::Editor, _) => "view-editor",
    }
}

/// Root component of the page.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(initial_state);
    let dispatcher = state.dispatcher();
    let deck = use_deck(dispatcher.clone());
    let slide = use_state(|| 0usize);
    {
        let (deck, dispatcher) = (deck.clone(), dispatcher.clone());
        use_effect_with(*slide, move |&i| {
            if let Some(s) = deck.as_ref().as_ref().and_then(|d| d.get(i)) {
                dispatcher.dispatch(Msg::Navigate(s.embed_query()));
            }
        });
    }
    let pool = use_worker_pool(dispatcher.clone());
    let jobs = use_jobs(&state, pool);
    let (chrome, run) = (&state.chrome, &state.run);
    use_keyboard(
        dispatcher.clone(),
        KeyContext {
            run: chrome.view == View::Explorer
                || state.lesson.is_some()
                || state.challenge.is_some(),
            overlay: chrome.overlay,
            asking: run.ask.is_some(),
        },
    );
    let opened = use_memo((), |_| dom::query());
    let query = url::encode(&state.link());
    // The presenter window keeps its own address (its script); slides go to the projected one.
    let (shown, key) = match deck.is_some() {
        true => ((*opened).clone(), "presenter".to_string()),
        false => (query.clone(), state.history_key()),
    };
    use_url_sync(dispatcher.clone(), shown, key);
    use_slides_channel(
        dispatcher.clone(),
        deck.is_some(),
        chrome.embed,
        query.clone(),
    );
    use_theme(chrome.theme);
    use_play_timer(dispatcher.clone(), run.playing, run.pace_ms);

    let on_msg = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |m: Msg| dispatcher.dispatch(m))
    };
    let on_chrome = on_msg.reform(Msg::Chrome);
    // The explorer's messages; a new pace is also saved.
    let on_explorer = {
        let (on_msg, on_pace) = (on_msg.clone(), prefs::on_pace(dispatcher.clone()));
        Callback::from(move |m: Msg| match m {
            Msg::Run(RunMsg::SetPace(ms)) => on_pace.emit(ms),
            m => on_msg.emit(m),
        })
    };
    let on_dice = on_msg.reform(|_: ()| {
        let seed = (dom::random() * 4_294_967_296.0) as u64;
        RunMsg::SetSeed(seed.to_string()).into()
    });

    let welcome = if chrome.welcome
        && !chrome.embed
        && chrome.view == View::Explorer
        && state.lesson.is_none()
    {
        let done = prefs::on_welcome_done(dispatcher.clone());
        let (open, hang) = (jobs.on_world.clone(), jobs.hang.clone());
        let on_lesson =
            done.reform(move |_: ()| open.emit(Msg::OpenLesson(welcome::LESSON.into())));
        let list = on_msg.clone();
        let on_challenges = done.reform(move |_: ()| list.emit(Msg::SetView(View::Challenge)));
        // The check worker finds the hang (the exhaustive checker is not in this module); the
        // answer replays it to its end (`HangMsg`).
        let on_hang = {
            let done = done.clone();
            Callback::from(move |_: ()| {
                done.emit(());
                hang.emit(());
            })
        };
        html! { <Welcome {on_lesson} {on_hang} {on_challenges} on_dismiss={done} /> }
    } else {
        html! {}
    };
    let link = state.link();
    let full_link = AttrValue::from(format!(
        "{}{}",
        dom::base_url(),
        url::encode(&Link {
            embed: false,
            ..link.clone()
        })
    ));
    let close = on_chrome.reform(|_: ()| ChromeMsg::SetOverlay(Overlay::None));
    let overlay = match chrome.overlay {
        Overlay::Share if !chrome.embed => html! {
            <ShareDialog snippets={url::snippets(&dom::base_url(), &link, &state.describe())} on_close={close} />
        },
        Overlay::Help => html! { <HelpOverlay on_close={close} /> },
        _ => html! {},
    };
    // What stops it and the patch editor: the explorer's, not a lesson's or an embed's.
    let has_violation = {
        let session = run.session.clone();
        use_memo(run.revision, move |_| {
            session.as_deref().is_some_and(|s| {
                let mut full = s.clone();
                full.goto(full.len());
                !full.violations().is_empty()
            })
        })
    };
    let (side, bench) = if chrome.embed || state.lesson.is_some() {
        (html! {}, html! {})
    } else {
        let ops = choices(&state.world);
        let stops = state.stops.for_run(&run.schedule()).clone();
        let side = html! {
            <>
                <StopsPanel job={stops} has_violation={*has_violation} memory={state.world.memory}
                    link={link.clone()} on_ask={jobs.stops.clone()} on_msg={on_msg.clone()} />
                <PatchButton ops={ops.clone()} open={state.patch_editor.open} on_msg={on_msg.clone()} />
            </>
        };
        let bench = if state.patch_editor.open {
            html! {
                <PatchEditor patch_editor={state.patch_editor.clone()} {ops} dirty={state.patch_editor.is_dirty(&state.world)}
                    on_msg={on_msg.clone()} on_world={jobs.on_world.clone()} />
            }
        } else {
            html! {}
        };
        (side, bench)
    };
    let main = if chrome.view == View::Matrix {
        html! {
            <MatrixView matrix={state.matrix.clone()} scenarios={state.world.scenarios.clone()}
                on_memory={jobs.matrix_memory} on_run={jobs.start_matrix} on_cancel={jobs.cancel_matrix}
                on_open={jobs.on_world.reform(Msg::OpenCell)} />
        }
    } else if chrome.view == View::Host {
        html! { <HostView /> }
    } else if let (View::Editor, Some(editor)) = (chrome.view, state.editor.as_ref()) {
        // Running the draft is a new world (a running check is cancelled); an edit is not.
        let (on_world, on_edit) = (jobs.on_world.clone(), on_msg.clone());
        let on_msg = Callback::from(move |m: Msg| match m {
            Msg::RunDraft => on_world.emit(m),
            m => on_edit.emit(m),
        });
        html! { <ScenarioEditor editor={editor.clone()} {on_msg} /> }
    } else if chrome.view == View::Primer {
        html! { <PrimerView on_lesson={jobs.on_world.reform(Msg::OpenLesson)} /> }
    } else if chrome.view == View::Lesson && state.lesson.is_none() {
        html! { <LessonList on_open={jobs.on_world.reform(Msg::OpenLesson)} /> }
    } else if chrome.view == View::Challenge && state.challenge.is_none() {
        html! { <ChallengeList on_open={jobs.on_world.reform(Msg::OpenChallenge)} /> }
    } else {
        html! {
            <Explorer world={state.world.clone()} run={run.clone()} check={state.check.clone()}
                guided={state.lesson.clone()} challenge={state.challenge.clone()} compare={state.compare.clone()} embed={chrome.embed}
                on_msg={on_explorer} on_world={jobs.on_world} on_find={jobs.find}
                on_cancel={jobs.cancel_check} {on_dice} full_link={full_link.clone()} theme={chrome.theme} {side} {bench} />
        }
    };
    let notices = html! {
        <Notices notices={chrome.notices.clone()} bad_link={chrome.bad_link.as_ref().map(|q| AttrValue::from(format!("{}{q}", dom::base_url())))}
            on_dismiss={on_chrome.reform(ChromeMsg::Dismiss)} />
    };
    if let Some(deck) = deck.as_ref() {
        let index = *slide;
        let on_go = Callback::from(move |i: usize| slide.set(i));
        let projected = AttrValue::from(format!("{}{query}", dom::base_url()));
        return html! {
            <div class={classes!("app", "presenter-app", view_class(&state))}>
                { notices }
                <Presenter deck={deck.clone()} {index} {on_go} {projected}>{ main }</Presenter>
                { overlay }
            </div>
        };
    }
    html! {
        <div class={classes!("app", view_class(&state), chrome.embed.then_some("embed"))}>
            if !chrome.embed {
                <Topbar view={chrome.view} on_view={on_msg.reform(Msg::SetView)} theme={chrome.theme}
                    on_theme={prefs::on_theme(dispatcher)} on_overlay={on_chrome.reform(ChromeMsg::SetOverlay)} />
            }
            { notices }
            { welcome }
            { main }
            { overlay }
        </div>
    }
}

/// The presenter's script when the page was opened with `present=1` (a bad one is a notice, and
/// the page opens as usual).
#[hook]
fn use_deck(dispatcher: UseReducerDispatcher<AppState>) -> Rc<Option<Rc<Vec<DeckSlide>>>> {
    let parsed = use_memo((), |_| {
        let q = dom::query();
        deck::is_presenter(&q).then(|| deck::from_query(&q))
    });
    {
        let parsed = parsed.clone();
        use_effect_with((), move |_| {
            if let Some(Err(e)) = parsed.as_ref() {
                let text = format!("This presenter link cannot be played: {e}.");
                dispatcher.dispatch(ChromeMsg::Notify(Level::Error, text).into());
            }
        });
    }
    use_memo((), move |_| match parsed.as_ref() {
        Some(Ok(d)) => Some(Rc::new(d.clone())),
        _ => None,
    })
}
