//! The patch editor: one kernel operation of the world as program text (the language of
//! `docs/program-language.md`, which the code panes pretty-print), errors at line:column as you
//! type, Apply (the world runs it; Find a race checks it), Undo, Revert to the strategy's own
//! program. [`PatchButton`] is its entry in the sidebar.

use crate::state::patch::operations;
use crate::state::{Msg, PatchDraft, PatchMsg, World};
use core_sim::program::text::op_name;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// One operation of the world, for the picker: thread, index, words, edited.
#[derive(Clone, Debug, PartialEq)]
pub struct OpChoice {
    /// Thread index.
    pub thread: usize,
    /// Operation index in the thread's script.
    pub op: usize,
    /// `vCPU0 thread · put`.
    pub label: String,
    /// The world runs an edited program for it.
    pub edited: bool,
}

/// Every operation of the world.
pub fn choices(world: &World) -> Vec<OpChoice> {
    operations(&world.scenario)
        .into_iter()
        .map(|(t, o)| {
            let spec = &world.scenario.threads[t];
            let op = spec.ops[o];
            OpChoice {
                thread: t,
                op: o,
                label: format!("{} · {}", world.scenario.thread_name(t), op_name(op)),
                edited: world
                    .patch
                    .as_ref()
                    .is_some_and(|p| p.find(spec.actor, op).is_some()),
            }
        })
        .collect()
}

/// Props of [`PatchButton`].
#[derive(Properties, PartialEq)]
pub struct PatchButtonProps {
    /// The operations of the world.
    pub ops: Vec<OpChoice>,
    /// The editor is open.
    pub open: bool,
    /// Messages.
    pub on_msg: Callback<Msg>,
}

/// "Your own patch" in the sidebar: what is edited, and the button that opens the editor.
#[function_component(PatchButton)]
pub fn patch_button(p: &PatchButtonProps) -> Html {
    let edited: Vec<&str> = p
        .ops
        .iter()
        .filter(|o| o.edited)
        .map(|o| o.label.as_str())
        .collect();
    let onclick = p.on_msg.reform(|_: MouseEvent| PatchMsg::Open.into());
    html! {
        <section class="panel patch-panel" aria-labelledby="patch-label">
            <h2 class="panel-title" id="patch-label">{ "Your own patch" }</h2>
            if !edited.is_empty() {
                <p class="patch-edited" id="patch-edited">{ format!("Edited: {}", edited.join(", ")) }</p>
            }
            <button type="button" id="patch-open" disabled={p.open} {onclick}>{ "Edit the kernel code…" }</button>
            <p class="hint">{ "Rewrite an operation (avic_vcpu_put, avic_pi_update_irte, …) in the code panes' language, run it, check it exhaustively, share it by link." }</p>
        </section>
    }
}

/// Props of [`PatchEditor`].
#[derive(Properties, PartialEq)]
pub struct PatchEditorProps {
    /// The editor's state.
    pub patch_editor: PatchDraft,
    /// The operations of the world.
    pub ops: Vec<OpChoice>,
    /// The draft differs from what the world runs.
    pub dirty: bool,
    /// Messages that leave the world as it is (typing, picking, undo, close).
    pub on_msg: Callback<Msg>,
    /// Messages that change it (Apply, Revert: a running check is cancelled).
    pub on_world: Callback<Msg>,
}

/// The line numbers beside the text, a line with an error marked (its message as a tooltip).
fn gutter(e: &PatchDraft) -> Html {
    let n = e.draft.lines().count().max(1);
    html! {
        <pre class="patch-gutter" aria-hidden="true">
            { for (1..=n).map(|line| {
                let bad: Vec<&str> = e.errors.iter().filter(|d| d.line == line).map(|d| d.message.as_str()).collect();
                let class = classes!("patch-ln", (!bad.is_empty()).then_some("patch-ln-bad"));
                html! { <span {class} data-line={line.to_string()} title={bad.join("\n")}>{ format!("{line}\n") }</span> }
            }) }
        </pre>
    }
}

/// The patch editor.
#[function_component(PatchEditor)]
pub fn patch_editor(p: &PatchEditorProps) -> Html {
    let area = use_node_ref();
    let e = &p.patch_editor;
    let on_input = p.on_msg.reform(|ev: InputEvent| {
        let text = ev.target_unchecked_into::<HtmlTextAreaElement>().value();
        PatchMsg::Edit(text).into()
    });
    let on_pick = p.on_msg.reform(|ev: Event| {
        let v = ev
            .target_unchecked_into::<web_sys::HtmlSelectElement>()
            .value();
        let (t, o) = v.split_once('.').unwrap_or(("0", "0"));
        PatchMsg::Select(t.parse().unwrap_or(0), o.parse().unwrap_or(0)).into()
    });
    let msg = |m: PatchMsg, cb: &Callback<Msg>| cb.reform(move |_: MouseEvent| m.clone().into());
    // Clicking an error puts the caret where it is.
    let goto = |line: usize, col: usize| {
        let (area, text) = (area.clone(), e.draft.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(el) = area.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let start: usize = text
                .split_inclusive('\n')
                .take(line.saturating_sub(1))
                .map(|l| l.chars().count())
                .sum();
            let at = (start + col.saturating_sub(1)) as u32;
            let _ = el.focus();
            let _ = el.set_selection_range(at, at + 1);
        })
    };
    let current = format!("{}.{}", e.target.0, e.target.1);
    let rows = (e.draft.lines().count() + 1).to_string();
    let status = if !e.errors.is_empty() {
        html! {
            <ul class="patch-errors" id="patch-errors" role="alert">
                { for e.errors.iter().map(|d| html! {
                    <li><button type="button" class="patch-error" data-line={d.line.to_string()} data-col={d.col.to_string()}
                        onclick={goto(d.line, d.col)}>{ d.to_string() }</button></li>
                }) }
            </ul>
        }
    } else if p.dirty {
        html! { <p class="patch-status patch-ok" id="patch-status">{ "Reads and fits this world. Apply runs it." }</p> }
    } else {
        html! { <p class="patch-status" id="patch-status">{ "This is the program the world runs now." }</p> }
    };
    html! {
        <section class="panel patch-editor" id="patch-editor" aria-labelledby="patch-title">
            <div class="patch-head">
                <h2 class="panel-title" id="patch-title">{ "Your own patch" }</h2>
                <select id="patch-op" aria-label="Operation to edit" onchange={on_pick}>
                    { for p.ops.iter().map(|o| {
                        let value = format!("{}.{}", o.thread, o.op);
                        let label = if o.edited { format!("{} (edited)", o.label) } else { o.label.clone() };
                        let selected = value == current;
                        html! { <option {selected} {value}>{ label }</option> }
                    }) }
                </select>
                <button type="button" id="patch-apply" class="primary" disabled={!e.errors.is_empty() || !p.dirty}
                    onclick={msg(PatchMsg::Apply, &p.on_world)}>{ "Apply" }</button>
                <button type="button" id="patch-undo" disabled={e.undo.is_empty()} onclick={msg(PatchMsg::Undo, &p.on_msg)}>{ "Undo" }</button>
                <button type="button" id="patch-revert" onclick={msg(PatchMsg::Revert, &p.on_world)}>{ "Revert to the strategy's" }</button>
                <button type="button" id="patch-close" onclick={msg(PatchMsg::Close, &p.on_msg)}>{ "Close" }</button>
            </div>
            <div class="patch-body">
                { gutter(e) }
                <textarea id="patch-text" ref={area} class="patch-text" spellcheck="false" wrap="off" {rows}
                    aria-label="Program text" aria-describedby="patch-help" value={e.draft.clone()} oninput={on_input} />
            </div>
            { status }
            <p class="hint" id="patch-help">{ "One line per micro-step: the kernel function, the instruction, \"the label\", then | and the pane's pseudo-code. Apply starts a fresh run of the edited world; Find a race checks it; the link carries it (docs/program-language.md)." }</p>
        </section>
    }
}
