//! The strategy: a preset (the kernel's history) or any combination of the knobs.

use super::select::{Select, SelectOption};
use core_sim::strategy::{IrteTarget, Knobs, Strategy, FLAGS, PRESETS};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`StrategyPicker`].
#[derive(Properties, PartialEq)]
pub struct StrategyPickerProps {
    /// The knobs in force.
    pub knobs: Knobs,
    /// Pick a preset by id.
    pub on_preset: Callback<String>,
    /// Set the knobs.
    pub on_knobs: Callback<Knobs>,
}

/// Preset select, its summary, and the knobs.
#[function_component(StrategyPicker)]
pub fn strategy_picker(p: &StrategyPickerProps) -> Html {
    let preset = Strategy::custom(p.knobs)
        .preset_id()
        .and_then(|id| PRESETS.iter().find(|x| x.id == id));
    let mut presets: Vec<SelectOption> = PRESETS
        .iter()
        .map(|x| SelectOption::new(x.id, x.title))
        .collect();
    if preset.is_none() {
        presets.push(SelectOption {
            disabled: true,
            ..SelectOption::new("custom", "custom")
        });
    }
    let targets: Vec<SelectOption> = IrteTarget::ALL
        .iter()
        .map(|t| SelectOption {
            title: t.describe().into(),
            ..SelectOption::new(t.id(), t.describe())
        })
        .collect();
    let knobs = p.knobs;
    let on_target = p.on_knobs.reform(move |v: String| {
        let mut k = knobs;
        if let Some(t) = IrteTarget::ALL.into_iter().find(|t| t.id() == v) {
            k.irte_target = t;
        }
        k
    });
    html! {
        <section class="panel" aria-labelledby="strategy-label">
            <label id="strategy-label" class="panel-title" for="strategy-select">{ "Strategy" }</label>
            <Select id="strategy-select" value={preset.map_or("custom", |x| x.id)} options={presets}
                on_change={p.on_preset.clone()} />
            <p class="hint strategy-summary" id="strategy-summary">
                { match preset {
                    Some(x) => html! { x.summary },
                    None => html! { <><span class="badge badge-custom">{ "custom" }</span>{ " A combination of knobs that no kernel shipped." }</> },
                } }
            </p>
            <fieldset class="knobs">
                <legend class="sub-title">{ "Knobs" }</legend>
                <label class="knob-select" title="Where avic_pi_update_irte points a newly posted IRTE at the vCPU's pCPU.">
                    <span>{ "IRTE target set" }</span>
                    <Select id="knob-target" value={knobs.irte_target.id()} options={targets} on_change={on_target} />
                </label>
                { for FLAGS.iter().enumerate().map(|(i, flag)| {
                    let set = flag.set;
                    let onchange = p.on_knobs.reform(move |e: Event| {
                        let mut k = knobs;
                        set(&mut k, e.target_unchecked_into::<HtmlInputElement>().checked());
                        k
                    });
                    let id = format!("knob-{i}");
                    html! {
                        <label class="check" for={id.clone()} title={flag.help}>
                            <input type="checkbox" id={id} checked={(flag.get)(&knobs)} {onchange} />
                            { flag.label }
                        </label>
                    }
                }) }
            </fieldset>
        </section>
    }
}
