//! Messages at the top of the page: bad links, impossible scenarios, hints.

use crate::state::{Level, Notice};
use yew::prelude::*;

/// Props of [`Notices`].
#[derive(Properties, PartialEq)]
pub struct NoticesProps {
    /// The messages.
    pub notices: Vec<Notice>,
    /// Hide one.
    pub on_dismiss: Callback<u64>,
}

/// The list of messages; errors are announced to screen readers.
#[function_component(Notices)]
pub fn notices(p: &NoticesProps) -> Html {
    if p.notices.is_empty() {
        return html! {};
    }
    html! {
        <div class="notices">
            { for p.notices.iter().map(|n| {
                let id = n.id;
                let on_dismiss = p.on_dismiss.reform(move |_: MouseEvent| id);
                let (class, role) = match n.level {
                    Level::Error => ("notice notice-error", "alert"),
                    Level::Info => ("notice notice-info", "status"),
                };
                html! {
                    <div {class} {role} data-notice={n.id.to_string()}>
                        <span class="notice-text">{ &n.text }</span>
                        <button type="button" class="notice-close" aria-label="Dismiss" title="Dismiss" onclick={on_dismiss}>{ "×" }</button>
                    </div>
                }
            }) }
        </div>
    }
}
