//! The Share / Embed dialog (the link, an iframe, Markdown, reveal.js, each with a Copy
//! button) and the keyboard help overlay.

use crate::url::Snippets;
use yew::prelude::*;

/// Props of [`ShareDialog`].
#[derive(Properties, PartialEq)]
pub struct ShareDialogProps {
    /// What to offer.
    pub snippets: Snippets,
    /// Close the dialog.
    pub on_close: Callback<()>,
}

/// A modal box; a click on the backdrop closes it.
fn modal(id: &str, title: &str, on_close: &Callback<()>, body: Html) -> Html {
    let close = on_close.reform(|_: MouseEvent| ());
    let backdrop = {
        let on_close = on_close.clone();
        Callback::from(move |e: MouseEvent| {
            let on_backdrop = e.target() == e.current_target();
            if on_backdrop {
                on_close.emit(());
            }
        })
    };
    html! {
        <div class="overlay" onclick={backdrop}>
            <div class="dialog" id={id.to_string()} role="dialog" aria-modal="true" aria-labelledby={format!("{id}-title")}>
                <div class="dialog-head">
                    <h2 id={format!("{id}-title")}>{ title }</h2>
                    <button type="button" class="dialog-close" aria-label="Close" title="Close (Esc)" onclick={close}>{ "×" }</button>
                </div>
                { body }
            </div>
        </div>
    }
}

/// The dialog.
#[function_component(ShareDialog)]
pub fn share_dialog(p: &ShareDialogProps) -> Html {
    // Which box was copied last, and how ("copied" or "selected").
    let copied = use_state(|| None::<(&'static str, String)>);
    let s = &p.snippets;
    let rows: [(&'static str, &str, &str, &str); 5] = [
        ("share-link", "Link", &s.link, "The address of this view: it opens the same world, run and step."),
        ("share-embed-url", "Embed link", &s.embed, "The same view with minimal chrome, for an iframe."),
        ("share-iframe", "HTML (iframe, 800×450)", &s.iframe, "Paste into a web page or a blog post."),
        ("share-markdown", "Markdown", &s.markdown, "A link for a README, an issue or a Markdown slide."),
        ("share-reveal", "reveal.js slide", &s.reveal, "A slide with the lab inside; reveal.js loads the data-src iframe when the slide shows."),
    ];
    let body = html! {
        <div class="share-rows">
            { for rows.into_iter().map(|(id, label, text, hint)| {
                let onclick = {
                    let copied = copied.clone();
                    let text = text.to_string();
                    Callback::from(move |_: MouseEvent| {
                        let copied = copied.clone();
                        crate::browser::copy_text(&text, id, move |r| {
                            copied.set(Some((id, r.unwrap_or_else(|e| format!("failed: {e}")))));
                        });
                    })
                };
                let status = match copied.as_ref() {
                    Some((c, how)) if *c == id => match how.as_str() {
                        "copied" => "✓ copied",
                        "selected" => "selected: press Ctrl+C",
                        _ => "could not copy: select it by hand",
                    },
                    _ => "",
                };
                let multiline = text.contains('\n') || text.len() > 160;
                html! {
                    <div class="share-row">
                        <label for={id}>{ label }</label>
                        if multiline {
                            <textarea id={id} readonly=true rows={if text.contains('\n') { "4" } else { "3" }} value={text.to_string()} />
                        } else {
                            <input id={id} readonly=true value={text.to_string()} />
                        }
                        <div class="share-actions">
                            <button type="button" id={format!("{id}-copy")} {onclick}>{ "Copy" }</button>
                            <span class="copy-status" id={format!("{id}-status")} aria-live="polite">{ status }</span>
                            <span class="hint">{ hint }</span>
                        </div>
                    </div>
                }
            }) }
        </div>
    };
    modal("share", "Share / Embed", &p.on_close, body)
}

/// Props of [`HelpOverlay`].
#[derive(Properties, PartialEq)]
pub struct HelpOverlayProps {
    /// Close it.
    pub on_close: Callback<()>,
}

/// The keys, what → does at the end of the recorded run, and the glossary.
#[function_component(HelpOverlay)]
pub fn help_overlay(p: &HelpOverlayProps) -> Html {
    let keys: [(&str, &str); 10] = [
        ("Focus", "Space and the arrows act on the run even with a button or a list focused; only text fields keep them. Back and Forward in the browser move between views (matrix, explorer, lessons)."),
        ("→", "Forward: the next recorded step. At the end of the recording, → runs the next step only if exactly one thread can run; when several can, you choose with their number. In a lesson, → follows the lesson's run."),
        ("←", "Back one step (the steps after it stay recorded: → replays them)."),
        ("Space", "Play / pause: → at the pace chosen next to Play (0.5, 1 or 2 s per step). Play stops where you have to choose, and at the end of a lesson."),
        ("0 – 9", "Run that thread's next micro-step. If you went back and pick another thread than the recorded run's, the page asks first: Enter drops the later steps, B keeps them as a branch to come back to, Esc keeps replaying."),
        ("a – j", "x86-TSO: flush that thread's oldest buffered store."),
        ("Home / End", "The initial state / the end of the recorded run."),
        ("?", "This help."),
        ("Esc", "Close this help or the Share dialog."),
        ("Theme", "Large (presenter) is for projectors: big type, high contrast. theme=large in the link does the same."),
    ];
    let body = html! {
        <>
            <dl class="keys">
                { for keys.iter().map(|(k, what)| html! {
                    <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></>
                }) }
            </dl>
            <super::glossary_list::GlossaryList />
        </>
    };
    modal("help", "Keyboard and glossary", &p.on_close, body)
}
