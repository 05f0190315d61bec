//! The page header: title, view tabs, theme, Share and keyboard help.

use super::select::{Select, SelectOption};
use crate::state::Overlay;
use crate::url::{Theme, View};
use yew::prelude::*;

/// The title shown at the top of the page.
pub const TITLE: &str = "AVIC race lab";

/// Props of [`Topbar`].
#[derive(Properties, PartialEq)]
pub struct TopbarProps {
    /// Current view.
    pub view: View,
    /// Switch view.
    pub on_view: Callback<View>,
    /// The theme picked (Auto follows the system).
    pub theme: Theme,
    /// Pick a theme.
    pub on_theme: Callback<Theme>,
    /// Open an overlay (Share, help).
    pub on_overlay: Callback<Overlay>,
}

/// Title, tabs, theme, Share and help.
#[function_component(Topbar)]
pub fn topbar(p: &TopbarProps) -> Html {
    // Each tab has a long label and a short one, which style.css shows where the bar is narrow
    // (the large theme's zoom at 1280 px); its accessible name is always the long one.
    let tab = |v: View, label: &str, short: &str, id: &str| {
        let selected = p.view == v;
        html! {
            <button type="button" id={id.to_string()} role="tab" aria-selected={selected.to_string()}
                class={classes!("tab", selected.then_some("tab-on"))} aria-label={label.to_string()}
                onclick={p.on_view.reform(move |_: MouseEvent| v)}>
                <span class="tab-long" aria-hidden="true">{ label }</span>
                <span class="tab-short" aria-hidden="true">{ short }</span>
            </button>
        }
    };
    let options: Vec<SelectOption> = [
        (Theme::Auto, "Auto theme"),
        (Theme::Light, "Light"),
        (Theme::Dark, "Dark"),
        (Theme::Large, "Large (presenter)"),
    ]
    .into_iter()
    .map(|(t, label)| SelectOption::new(t.id(), label))
    .collect();
    let on_theme = p
        .on_theme
        .reform(|id: String| Theme::from_id(&id).unwrap_or_default());
    html! {
        <header class="topbar">
            <div class="brand">
                <h1 class="title">{ TITLE }</h1>
                <span class="tagline">{ "KVM AVIC load/put vs. the IOMMU IRTE update: be the scheduler, find the race" }</span>
            </div>
            <nav class="tabs" role="tablist" aria-label="View">
                { tab(View::Primer, "What is this race?", "Primer", "tab-primer") }
                { tab(View::Explorer, "Explorer", "Explorer", "tab-explorer") }
                { tab(View::Lesson, "Lessons", "Lessons", "tab-lessons") }
                { tab(View::Challenge, "Challenges", "Challenges", "tab-challenges") }
                { tab(View::Matrix, "Strategy × scenario matrix", "Matrix", "tab-matrix") }
                { tab(View::Host, "Host", "Host", "tab-host") }
            </nav>
            <button type="button" id="share-open" title="Share this view: link, iframe embed, Markdown, reveal.js"
                onclick={p.on_overlay.reform(|_: MouseEvent| Overlay::Share)}>{ "Share / Embed" }</button>
            <label class="theme-pick" title="Theme: Large is for projectors (big type, high contrast)">
                <span class="sr-only">{ "Theme" }</span>
                <Select id="theme-select" value={p.theme.id()} {options} on_change={on_theme} />
            </label>
            <button type="button" id="help-open" class="help-open" title="Keyboard shortcuts and glossary (?)" aria-label="Keyboard shortcuts and glossary"
                onclick={p.on_overlay.reform(|_: MouseEvent| Overlay::Help)}>{ "?" }</button>
        </header>
    }
}
