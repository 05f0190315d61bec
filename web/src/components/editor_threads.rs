//! The scenario editor's threads: who runs each, and its operations (picked from the core's
//! list, each parameter a select), added, removed and reordered.

use super::editor::{field_error, field_id, invalid, number, numbered};
use super::select::{Select, SelectOption};
use super::term::TermTip;
use crate::state::{EditMsg, Msg};
use core_sim::program::{Actor, Op, OpKind, Param};
use core_sim::scenario::{
    Field, FieldError, MAX_IRTES, MAX_OPS, MAX_PCPUS, MAX_THREADS, MAX_VCPUS,
};
use core_sim::Scenario;
use yew::prelude::*;

/// Props of [`ThreadsEditor`].
#[derive(Properties, PartialEq)]
pub struct ThreadsEditorProps {
    /// The draft.
    pub scenario: Scenario,
    /// The rule it breaks, if any.
    pub problem: Option<FieldError>,
    /// Edits.
    pub on_msg: Callback<Msg>,
}

fn small_button(on_msg: &Callback<Msg>, label: &str, title: String, m: EditMsg, on: bool) -> Html {
    let onclick = on_msg.reform(move |_: MouseEvent| m.clone().into());
    // A worded label starts the accessible name (WCAG 2.5.3, label in name); a symbol (↑ ↓ ✕)
    // is named by its title alone.
    let name = if title.starts_with(label) || !label.chars().any(char::is_alphabetic) {
        title.clone()
    } else {
        format!("{label} ({title})")
    };
    html! {
        <button type="button" class="small" title={title} aria-label={name} {onclick} disabled={!on}>{ label.to_string() }</button>
    }
}

/// One operation: its kind, its parameters, up / down / remove.
fn op_row(p: &ThreadsEditorProps, t: usize, k: usize, op: Op, actor: Actor, last: usize) -> Html {
    let f = Field::Op(t, k);
    let (inv, desc) = invalid(&p.problem, f);
    // The kinds this actor runs, and the one there now (a rule may say it does not fit).
    let kinds: Vec<SelectOption> = OpKind::ALL
        .into_iter()
        .filter(|kind| kind.fits(actor) || *kind == op.kind())
        .map(|kind| SelectOption::new(kind.id(), kind.with(&op.values()).to_string()))
        .collect();
    let on_kind = p.on_msg.reform(move |id: String| {
        EditMsg::SetOpKind(t, k, OpKind::from_id(&id).unwrap_or(OpKind::Exit)).into()
    });
    let values = op.values();
    let params = op.kind().params().iter().enumerate().map(|(n, param)| {
        let (word, max) = match param {
            Param::Pcpu => ("pCPU", MAX_PCPUS),
            Param::Vcpu => ("vCPU", MAX_VCPUS),
            Param::Irte => ("IRTE", MAX_IRTES),
        };
        let v = values[n];
        let id = format!("{}-p{n}", field_id(f));
        let on = p.on_msg.reform(move |x: String| EditMsg::SetOpParam(t, k, n, number(x)).into());
        html! {
            <span class="ed-param">
                <label for={id.clone()}>{ param.label() }</label>
                <Select id={id} value={v.to_string()} options={numbered(word, max.max(v + 1))} on_change={on} />
            </span>
        }
    });
    let step = k + 1;
    html! {
        <li class="ed-op" key={k}>
            <div class="ed-field">
                <label for={field_id(f)}>{ format!("Operation {step}") }</label>
                <span class="ed-op-controls" aria-invalid={inv} aria-describedby={desc}>
                    <Select id={field_id(f)} value={op.kind().id()} options={kinds} on_change={on_kind} />
                    { for params }
                    { small_button(&p.on_msg, "↑", format!("Move operation {step} up"), EditMsg::MoveOp(t, k, true), k > 0) }
                    { small_button(&p.on_msg, "↓", format!("Move operation {step} down"), EditMsg::MoveOp(t, k, false), k < last) }
                    { small_button(&p.on_msg, "✕", format!("Remove operation {step}"), EditMsg::RemoveOp(t, k), true) }
                </span>
                { field_error(&p.problem, f) }
            </div>
        </li>
    }
}

/// The threads.
#[function_component(ThreadsEditor)]
pub fn threads_editor(p: &ThreadsEditorProps) -> Html {
    let s = &p.scenario;
    let actors: Vec<SelectOption> = Actor::scripted(MAX_VCPUS)
        .into_iter()
        .chain(s.threads.iter().map(|t| t.actor))
        .fold(Vec::new(), |mut out: Vec<Actor>, a| {
            if !out.contains(&a) {
                out.push(a);
            }
            out
        })
        .into_iter()
        .filter_map(|a| Some(SelectOption::new(a.code()?, a.to_string())))
        .collect();
    let threads = s.threads.iter().enumerate().map(|(t, spec)| {
        let fa = Field::ThreadActor(t);
        let on_actor = p.on_msg.reform(move |code: String| {
            EditMsg::SetActor(t, Actor::from_code(&code).unwrap_or(Actor::Updater)).into()
        });
        let last = spec.ops.len().saturating_sub(1);
        let ops = spec.ops.iter().enumerate().map(|(k, op)| op_row(p, t, k, *op, spec.actor, last));
        let name = s.thread_name(t);
        html! {
            <li class="ed-thread" key={t} aria-labelledby={format!("ed-thread-{t}-title")}>
                <h4 id={format!("ed-thread-{t}-title")}>{ format!("Thread {t}: {name}") }</h4>
                <div class="ed-field">
                    <label for={field_id(fa)}>{ "Run by" }</label>
                    <Select id={field_id(fa)} value={spec.actor.code().unwrap_or_default()} options={actors.clone()} on_change={on_actor} />
                    { field_error(&p.problem, fa) }
                </div>
                { field_error(&p.problem, Field::ThreadName(t)) }
                <ol class="ed-ops" id={field_id(Field::ThreadOps(t))}>{ for ops }</ol>
                { field_error(&p.problem, Field::ThreadOps(t)) }
                <div class="ed-thread-actions">
                    { small_button(&p.on_msg, "Add an operation", format!("Add an operation to thread {t}"), EditMsg::AddOp(t), spec.ops.len() < MAX_OPS) }
                    { small_button(&p.on_msg, "Remove thread", format!("Remove thread {t}"), EditMsg::RemoveThread(t), s.threads.len() > 1) }
                </div>
            </li>
        }
    });
    html! {
        <section class="panel ed-section ed-threads" aria-labelledby="ed-threads-title">
            <h3 id="ed-threads-title" class="panel-title">{ "Threads and their operations" }</h3>
            <p class="ed-hint">{ "The " }<TermTip term="ga-log" label={AttrValue::from("GA-log")} />{ " handler is added by the lab." }</p>
            <ol class="ed-thread-list" id={field_id(Field::Threads)}>{ for threads }</ol>
            { field_error(&p.problem, Field::Threads) }
            { small_button(&p.on_msg, "Add a thread", "A thread more: the IRQ affinity updater".into(), EditMsg::AddThread, s.threads.len() < MAX_THREADS) }
        </section>
    }
}
