//! The scenario editor: the machine (pCPUs, vCPUs and where they start, IRTEs) and the threads
//! with their operations (`super::editor_threads`), every field a labelled control, the rule
//! the draft breaks shown next to the field it concerns (the core's validation), undo / redo
//! (buttons, Ctrl+Z, Ctrl+Shift+Z or Ctrl+Y) and "Run this scenario".

use super::editor_threads::ThreadsEditor;
use super::select::{Select, SelectOption};
use super::term::TermTip;
use crate::state::{EditMsg, Editor, Msg};
use core_sim::program::Param;
use core_sim::scenario::{Field, FieldError, InUse, VcpuStart, MAX_IRTES, MAX_PCPUS, MAX_VCPUS};
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

/// Props of [`ScenarioEditor`].
#[derive(Properties, PartialEq)]
pub struct ScenarioEditorProps {
    /// The draft and its history.
    pub editor: Editor,
    /// Edits, Run this scenario.
    pub on_msg: Callback<Msg>,
}

/// The element id of a field's control.
pub fn field_id(f: Field) -> String {
    format!("ed-{}", f.id())
}

/// The rule `problem` breaks, under the control of field `f`, if it concerns that field.
pub fn field_error(problem: &Option<FieldError>, f: Field) -> Html {
    match problem {
        Some(e) if e.field == f => html! {
            <p class="field-error" id={format!("err-{}", f.id())} role="alert">{ e.msg.clone() }</p>
        },
        _ => html! {},
    }
}

/// A refused removal of `part` (any number, for pCPUs) or of `part` number `index`: what still
/// uses it, in the row of the part.
fn refusal(refused: &Option<InUse>, part: Param, index: Option<u8>) -> Html {
    match refused {
        Some(r) if r.part == part && index.is_none_or(|i| i == r.index) => html! {
            <p class="field-error" id="ed-refused" role="alert">{ format!("Not removed: {}.", r.msg) }</p>
        },
        _ => html! {},
    }
}

/// `aria-invalid` and `aria-describedby` of field `f`'s control.
pub fn invalid(problem: &Option<FieldError>, f: Field) -> (Option<AttrValue>, Option<AttrValue>) {
    match problem {
        Some(e) if e.field == f => (Some("true".into()), Some(format!("err-{}", f.id()).into())),
        _ => (None, None),
    }
}

/// Options `0..n` named `word0`, `word1`, ...
pub fn numbered(word: &str, n: u8) -> Vec<SelectOption> {
    (0..n)
        .map(|i| SelectOption::new(i.to_string(), format!("{word}{i}")))
        .collect()
}

/// A number from a select's value (0 if it is not one).
pub fn number(s: String) -> u8 {
    s.parse().unwrap_or(0)
}

fn state_id(s: VcpuStart) -> &'static str {
    match s {
        VcpuStart::InGuest => "in-guest",
        VcpuStart::Loaded => "loaded",
        VcpuStart::Preempted => "preempted",
    }
}

/// Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo; a text field keeps its own undo.
fn undo_keys(on_msg: Callback<Msg>) -> Callback<KeyboardEvent> {
    Callback::from(move |e: KeyboardEvent| {
        if !(e.ctrl_key() || e.meta_key()) || e.alt_key() {
            return;
        }
        let typing = e
            .target_dyn_into::<HtmlInputElement>()
            .is_some_and(|i| i.type_() == "text");
        let msg = match e.key().to_lowercase().as_str() {
            "z" if e.shift_key() => EditMsg::Redo,
            "z" => EditMsg::Undo,
            "y" => EditMsg::Redo,
            _ => return,
        };
        if !typing {
            e.prevent_default();
            on_msg.emit(msg.into());
        }
    })
}

/// The editor view.
#[function_component(ScenarioEditor)]
pub fn scenario_editor(p: &ScenarioEditorProps) -> Html {
    let s = &p.editor.draft;
    let problem = p.editor.problem();
    let edit = |f: fn(String) -> EditMsg| p.on_msg.reform(move |v: String| f(v).into());
    let text_input = |f: Field, value: &str, on: Callback<String>| {
        let (inv, desc) = invalid(&problem, f);
        let onchange = on.reform(|e: Event| e.target_unchecked_into::<HtmlInputElement>().value());
        html! {
            <input type="text" id={field_id(f)} value={value.to_string()} {onchange}
                aria-invalid={inv} aria-describedby={desc} />
        }
    };
    let button = |label: &str, title: String, m: Msg, enabled: bool| {
        let onclick = p.on_msg.reform(move |_: MouseEvent| m.clone());
        html! { <button type="button" {title} {onclick} disabled={!enabled}>{ label.to_string() }</button> }
    };
    // A refused count leaves the draft as it was, so the markup does not change: put the
    // count there is back into the field after every render.
    let pcpus_ref = use_node_ref();
    {
        let (node, want) = (pcpus_ref.clone(), s.pcpus.to_string());
        use_effect(move || {
            if let Some(input) = node.cast::<HtmlInputElement>() {
                if input.value() != want {
                    input.set_value(&want);
                }
            }
        });
    }
    let pcpus = {
        let (inv, desc) = invalid(&problem, Field::Pcpus);
        let onchange = p.on_msg.reform(|e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            EditMsg::SetPcpus(v.trim().parse::<u8>().unwrap_or(0)).into()
        });
        html! {
            <div class="ed-field">
                <label for={field_id(Field::Pcpus)}>{ "Number of pCPUs" }</label>
                <input type="number" ref={pcpus_ref} id={field_id(Field::Pcpus)} min="1" max={MAX_PCPUS.to_string()}
                    value={s.pcpus.to_string()} {onchange} aria-invalid={inv} aria-describedby={desc} />
                { field_error(&problem, Field::Pcpus) }
                { refusal(&p.editor.refused, Param::Pcpu, None) }
            </div>
        }
    };
    let vcpu_rows = s.vcpus.iter().enumerate().map(|(v, init)| {
        let states = vec![
            SelectOption::new("in-guest", "in the guest"),
            SelectOption::new("loaded", "loaded, outside the guest"),
            SelectOption::new("preempted", "scheduled out (preempted)"),
        ];
        let on_state = p.on_msg.reform(move |id: String| {
            let st = match id.as_str() {
                "in-guest" => VcpuStart::InGuest,
                "loaded" => VcpuStart::Loaded,
                _ => VcpuStart::Preempted,
            };
            EditMsg::SetVcpuState(v, st).into()
        });
        let on_pcpu = p.on_msg.reform(move |x: String| EditMsg::SetVcpuPcpu(v, number(x)).into());
        let (fs, fp) = (Field::VcpuState(v), Field::VcpuPcpu(v));
        html! {
            <li class="ed-row" key={v}>
                <span class="ed-name">{ format!("vCPU{v}") }</span>
                <div class="ed-field">
                    <label for={field_id(fs)}>{ format!("vCPU{v} starts") }</label>
                    <Select id={field_id(fs)} value={state_id(init.state)} options={states} on_change={on_state}
                        invalid={invalid(&problem, fs).0} describedby={invalid(&problem, fs).1} />
                    { field_error(&problem, fs) }
                </div>
                <div class="ed-field">
                    <label for={field_id(fp)}>{ if init.state == VcpuStart::Preempted { "last ran on" } else { "on" } }</label>
                    <Select id={field_id(fp)} value={init.pcpu.to_string()} options={numbered("pCPU", MAX_PCPUS.max(init.pcpu + 1))} on_change={on_pcpu}
                        invalid={invalid(&problem, fp).0} describedby={invalid(&problem, fp).1} />
                    { field_error(&problem, fp) }
                </div>
                { button("Remove", format!("Remove vCPU{v}"), EditMsg::RemoveVcpu(v).into(), s.vcpus.len() > 1) }
                { refusal(&p.editor.refused, Param::Vcpu, Some(v as u8)) }
            </li>
        }
    });
    let irte_rows = s.irtes.iter().enumerate().map(|(i, irte)| {
        let on_vcpu = p.on_msg.reform(move |x: String| EditMsg::SetIrteVcpu(i, number(x)).into());
        let posted = irte.posted;
        let on_posted = p.on_msg.reform(move |_: Event| EditMsg::SetIrtePosted(i, !posted).into());
        let f = Field::IrteVcpu(i);
        let posted_id = format!("ed-irte-{i}-posted");
        html! {
            <li class="ed-row" key={i}>
                <span class="ed-name">{ format!("IRTE{i}") }</span>
                <div class="ed-field">
                    <label for={field_id(f)}>{ format!("IRTE{i} (vector {i}) aims at") }</label>
                    <Select id={field_id(f)} value={irte.vcpu.to_string()} options={numbered("vCPU", MAX_VCPUS.max(irte.vcpu + 1))} on_change={on_vcpu}
                        invalid={invalid(&problem, f).0} describedby={invalid(&problem, f).1} />
                    { field_error(&problem, f) }
                </div>
                <div class="ed-field ed-check">
                    <input type="checkbox" id={posted_id.clone()} checked={posted} onchange={on_posted} />
                    <label for={posted_id}>{ "already posted (GA mode)" }</label>
                </div>
                { button("Remove", format!("Remove IRTE{i}"), EditMsg::RemoveIrte(i).into(), true) }
                { refusal(&p.editor.refused, Param::Irte, Some(i as u8)) }
            </li>
        }
    });
    let undo = p.editor.can_undo();
    let redo = p.editor.can_redo();
    let runs = problem.is_none();
    html! {
        <main class="editor" aria-labelledby="editor-title" onkeydown={undo_keys(p.on_msg.clone())}>
            <header class="editor-head">
                <h2 id="editor-title"><TermTip term="scenario" label={AttrValue::from("Edit the scenario")} /></h2>
                <div class="editor-actions" role="toolbar" aria-label="Editor">
                    { button("Undo", "Undo the last edit (Ctrl+Z)".into(), EditMsg::Undo.into(), undo) }
                    { button("Redo", "Redo (Ctrl+Shift+Z or Ctrl+Y)".into(), EditMsg::Redo.into(), redo) }
                    <button type="button" class="primary" id="ed-run" onclick={p.on_msg.reform(|_: MouseEvent| Msg::RunDraft)}
                        aria-describedby={(!runs).then_some("ed-status")}>{ "Run this scenario" }</button>
                </div>
                <p id="ed-status" class={classes!("ed-status", (!runs).then_some("bad"))} aria-live="polite">
                    { if runs { "This scenario can run.".to_string() } else { "Fix the field marked below to run it.".to_string() } }
                </p>
            </header>
            <section class="panel ed-section" aria-labelledby="ed-names">
                <h3 id="ed-names" class="panel-title">{ "Name" }</h3>
                <div class="ed-field">
                    <label for={field_id(Field::Id)}>{ "Id (in links and files)" }</label>
                    { text_input(Field::Id, &s.id, edit(EditMsg::SetId)) }
                    { field_error(&problem, Field::Id) }
                </div>
                <div class="ed-field">
                    <label for={field_id(Field::Title)}>{ "Title" }</label>
                    { text_input(Field::Title, &s.title, edit(EditMsg::SetTitle)) }
                    { field_error(&problem, Field::Title) }
                </div>
                { field_error(&problem, Field::Description) }
            </section>
            <section class="panel ed-section" aria-labelledby="ed-machine">
                <h3 id="ed-machine" class="panel-title"><TermTip term="pcpu" label={AttrValue::from("pCPUs")} />{ " and " }<TermTip term="vcpu" label={AttrValue::from("vCPUs")} /></h3>
                { pcpus }
                <p class="ed-hint"><TermTip term="vcpu-state" label={AttrValue::from("Where each vCPU starts")} /></p>
                <ul class="ed-list" id={field_id(Field::Vcpus)}>{ for vcpu_rows }</ul>
                { field_error(&problem, Field::Vcpus) }
                { button("Add a vCPU", "A vCPU more, scheduled out".into(), EditMsg::AddVcpu.into(), s.vcpus.len() < MAX_VCPUS as usize) }
            </section>
            <section class="panel ed-section" aria-labelledby="ed-irtes">
                <h3 id="ed-irtes" class="panel-title"><TermTip term="irte" label={AttrValue::from("IRTEs")} /></h3>
                <ul class="ed-list" id={field_id(Field::Irtes)}>{ for irte_rows }</ul>
                { field_error(&problem, Field::Irtes) }
                { button("Add an IRTE", "An IRTE more, remapped, aimed at vCPU0".into(), EditMsg::AddIrte.into(), s.irtes.len() < MAX_IRTES as usize) }
            </section>
            <ThreadsEditor scenario={s.clone()} problem={problem.clone()} on_msg={p.on_msg.clone()} />
        </main>
    }
}
