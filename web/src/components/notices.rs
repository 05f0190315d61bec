//! Messages at the top of the page: bad links, impossible scenarios, hints.

use crate::state::{Level, Notice};
use yew::prelude::*;

/// Props of [`Notices`].
#[derive(Properties, PartialEq)]
pub struct NoticesProps {
    /// The messages.
    pub notices: Vec<Notice>,
    /// The link the page was opened with, when it had problems (shown with the errors).
    #[prop_or_default]
    pub bad_link: Option<AttrValue>,
    /// Hide one.
    pub on_dismiss: Callback<u64>,
}

/// The list of messages; errors are announced to screen readers.
#[function_component(Notices)]
pub fn notices(p: &NoticesProps) -> Html {
    if p.notices.is_empty() {
        return html! {};
    }
    let errors = p.notices.iter().any(|n| n.level == Level::Error);
    let on_focus = Callback::from(|e: FocusEvent| {
        if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            input.select();
        }
    });
    html! {
        <div class="notices">
            if let (true, Some(link)) = (errors, &p.bad_link) {
                <div class="notice notice-link" id="bad-link">
                    <label for="bad-link-text">{ "The link as it was opened (select it to copy):" }</label>
                    <input id="bad-link-text" type="text" readonly=true value={link.clone()} onfocus={on_focus}
                        spellcheck="false" />
                </div>
            }
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
