//! The page header: title, view tabs, theme toggle.

use crate::state::Theme;
use crate::url::View;
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
    /// Whether the page is dark right now (explicitly or by the system's preference).
    pub dark: bool,
    /// Pick a theme.
    pub on_theme: Callback<Theme>,
}

/// Title, tabs and the theme toggle.
#[function_component(Topbar)]
pub fn topbar(p: &TopbarProps) -> Html {
    let tab = |v: View, label: &str, id: &str| {
        let selected = p.view == v;
        html! {
            <button type="button" id={id.to_string()} role="tab" aria-selected={selected.to_string()}
                class={classes!("tab", selected.then_some("tab-on"))}
                onclick={p.on_view.reform(move |_: MouseEvent| v)}>{ label }</button>
        }
    };
    let next = if p.dark { Theme::Light } else { Theme::Dark };
    let label = if p.dark { "☀ Light" } else { "☾ Dark" };
    html! {
        <header class="topbar">
            <div class="brand">
                <h1 class="title">{ TITLE }</h1>
                <span class="tagline">{ "KVM AVIC load/put vs. the IOMMU IRTE update: be the scheduler, find the race" }</span>
            </div>
            <nav class="tabs" role="tablist" aria-label="View">
                { tab(View::Explorer, "Explorer", "tab-explorer") }
                { tab(View::Matrix, "Strategy × scenario matrix", "tab-matrix") }
            </nav>
            <button type="button" id="theme-toggle" class="theme-toggle" title="Switch between light and dark theme"
                onclick={p.on_theme.reform(move |_: MouseEvent| next)}>{ label }</button>
        </header>
    }
}
