//! "Random run": a seeded uniform random schedule, reproducible from its seed.

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`RandomPanel`].
#[derive(Properties, PartialEq)]
pub struct RandomPanelProps {
    /// The seed as typed.
    pub seed: AttrValue,
    /// Why it is not a seed, if it is not.
    pub error: Option<AttrValue>,
    /// The world can run.
    pub enabled: bool,
    /// The seed was edited.
    pub on_seed: Callback<String>,
    /// Pick a random seed.
    pub on_dice: Callback<()>,
    /// Run with the seed.
    pub on_run: Callback<()>,
}

/// A die (inline SVG: no emoji font needed).
fn die_icon() -> Html {
    html! {
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <rect x="1.5" y="1.5" width="13" height="13" rx="3" fill="none" stroke="currentColor" stroke-width="1.5" />
            <circle cx="5" cy="5" r="1.3" fill="currentColor" />
            <circle cx="8" cy="8" r="1.3" fill="currentColor" />
            <circle cx="11" cy="11" r="1.3" fill="currentColor" />
        </svg>
    }
}

/// Seed field and buttons.
#[function_component(RandomPanel)]
pub fn random_panel(p: &RandomPanelProps) -> Html {
    let oninput = p
        .on_seed
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let on_run = p.on_run.clone();
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" {
            on_run.emit(());
        }
    });
    html! {
        <section class="panel" aria-labelledby="random-title">
            <h2 id="random-title" class="panel-title">{ "Random run" }</h2>
            <div class="row">
                <label for="seed-input" class="inline-label">{ "seed" }</label>
                <input id="seed-input" type="text" inputmode="numeric" value={p.seed.clone()} {oninput} {onkeydown}
                    aria-invalid={p.error.is_some().to_string()} size="12" />
                <button type="button" id="seed-dice" title="Pick a random seed" aria-label="Pick a random seed"
                    onclick={p.on_dice.reform(|_: MouseEvent| ())}>{ die_icon() }</button>
                <button type="button" id="random-run" disabled={!p.enabled || p.error.is_some()}
                    onclick={p.on_run.reform(|_: MouseEvent| ())}>{ "Run" }</button>
            </div>
            if let Some(e) = &p.error {
                <p class="field-error" role="alert">{ e.clone() }</p>
            } else {
                <p class="hint">{ "Picks uniformly among the runnable threads until the run ends; the same seed gives the same run." }</p>
            }
        </section>
    }
}
