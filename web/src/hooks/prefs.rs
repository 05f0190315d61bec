//! The viewer's preferences, kept in `localStorage`: the theme (unless a link names one, or the
//! page is embedded in someone else's), Play's pace and whether the first visit's card was
//! answered; and the theme on `<html>`.

use super::dom::{set_root_attr, storage};
use crate::state::{AppState, ChromeMsg, RunMsg, PACES};
use crate::url::Theme;
use yew::prelude::*;

const THEME_KEY: &str = "avic-race-lab.theme";
const PACE_KEY: &str = "avic-race-lab.pace";
const WELCOME_KEY: &str = "avic-race-lab.welcome-seen";

fn saved(key: &str) -> Option<String> {
    storage().and_then(|st| st.get_item(key).ok().flatten())
}

fn save(key: &str, value: &str) {
    if let Some(st) = storage() {
        let _ = st.set_item(key, value);
    }
}

/// Apply the saved theme and pace to the page's first state.
pub fn restore(s: &mut AppState) {
    if !s.chrome.theme_in_link && !s.chrome.embed {
        if let Some(t) = saved(THEME_KEY).and_then(|t| Theme::from_id(&t)) {
            s.chrome.theme = t;
        }
    }
    if saved(WELCOME_KEY).is_some() {
        s.chrome.welcome = false;
    }
    if let Some(ms) = saved(PACE_KEY).and_then(|p| p.parse::<u32>().ok()) {
        if PACES.iter().any(|(m, _)| *m == ms) {
            s.run.pace_ms = ms;
        }
    }
}

/// Pick a theme: saved, then shown.
pub fn on_theme(dispatcher: UseReducerDispatcher<AppState>) -> Callback<Theme> {
    Callback::from(move |t: Theme| {
        save(THEME_KEY, t.id());
        dispatcher.dispatch(ChromeMsg::SetTheme(t).into());
    })
}

/// Pick Play's pace: saved, then used.
pub fn on_pace(dispatcher: UseReducerDispatcher<AppState>) -> Callback<u32> {
    Callback::from(move |ms: u32| {
        save(PACE_KEY, &ms.to_string());
        dispatcher.dispatch(RunMsg::SetPace(ms).into());
    })
}

/// The first visit's card was answered (a lesson, the hang, or ×): remembered, then hidden.
pub fn on_welcome_done(dispatcher: UseReducerDispatcher<AppState>) -> Callback<()> {
    Callback::from(move |_: ()| {
        save(WELCOME_KEY, "1");
        dispatcher.dispatch(ChromeMsg::DismissWelcome.into());
    })
}

/// Show `theme` (`data-theme` on `<html>`; Auto follows the system).
#[hook]
pub fn use_theme(theme: Theme) {
    use_effect_with(theme, |t| {
        set_root_attr("data-theme", (*t != Theme::Auto).then_some(t.id()));
    });
}
