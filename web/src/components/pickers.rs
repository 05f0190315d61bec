//! Scenario and memory-model pickers.

use super::select::{Select, SelectOption};
use core_sim::{MemoryModel, Scenario};
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`ScenarioPicker`].
#[derive(Properties, PartialEq)]
pub struct ScenarioPickerProps {
    /// Scenarios on offer.
    pub scenarios: Rc<Vec<Scenario>>,
    /// The chosen one.
    pub selected: Scenario,
    /// Pick one by id.
    pub on_select: Callback<String>,
    /// "Edit this scenario" (left out: no button).
    #[prop_or_default]
    pub on_edit: Option<Callback<()>>,
}

/// A select of scenarios plus the chosen one's description.
#[function_component(ScenarioPicker)]
pub fn scenario_picker(p: &ScenarioPickerProps) -> Html {
    let options: Vec<SelectOption> = p
        .scenarios
        .iter()
        .map(|s| SelectOption::new(s.id.clone(), s.title.clone()))
        .collect();
    html! {
        <section class="panel" aria-labelledby="scenario-label">
            <label id="scenario-label" class="panel-title" for="scenario-select">{ "Scenario" }</label>
            <Select id="scenario-select" value={p.selected.id.clone()} {options} on_change={p.on_select.clone()} />
            if let Some(on_edit) = &p.on_edit {
                <button type="button" id="edit-scenario" class="small" onclick={on_edit.reform(|_: MouseEvent| ())}>{ "Edit this scenario" }</button>
            }
        </section>
    }
}

/// Props of [`MemoryPicker`].
#[derive(Properties, PartialEq)]
pub struct MemoryPickerProps {
    /// The chosen model.
    pub memory: MemoryModel,
    /// Pick one.
    pub on_change: Callback<MemoryModel>,
    /// Id prefix (the picker appears in both views).
    #[prop_or(AttrValue::Static("memory"))]
    pub id: AttrValue,
}

/// Two radio buttons: sequential consistency or x86-TSO.
#[function_component(MemoryPicker)]
pub fn memory_picker(p: &MemoryPickerProps) -> Html {
    let option = |m: MemoryModel, label: &str, hint: &str| {
        let id = format!("{}-{}", p.id, m.id());
        html! {
            <label class="radio" for={id.clone()} title={hint.to_string()}>
                <input type="radio" id={id} name={p.id.clone()} value={m.id()} checked={p.memory == m}
                    onchange={p.on_change.reform(move |_: Event| m)} />
                { label }
            </label>
        }
    };
    html! {
        <fieldset class="memory-picker">
            <legend class="panel-title">{ "Memory model" }</legend>
            { option(MemoryModel::Sc, "sequentially consistent", "Every store is visible to every CPU at once.") }
            { option(MemoryModel::Tso, "x86-TSO", "Each CPU thread has a FIFO store buffer; smp_mb(), locked instructions and lock release drain it. Flush buttons appear on threads with buffered stores.") }
        </fieldset>
    }
}
