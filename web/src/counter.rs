//! A placeholder interactive widget: a button that counts its clicks.

use yew::prelude::*;

/// Label of the counter button for a given count.
pub fn label(count: u32) -> String {
    format!("Clicked {count} times")
}

/// A button showing how many times it was clicked.
#[function_component(Counter)]
pub fn counter() -> Html {
    let count = use_state(|| 0u32);
    let onclick = {
        let count = count.clone();
        Callback::from(move |_: MouseEvent| count.set(count.saturating_add(1)))
    };
    html! {
        <div class="counter">
            <button id="counter-button" type="button" {onclick}>{ "Click me" }</button>
            <output id="counter-value" data-count={count.to_string()}>{ label(*count) }</output>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn label_shows_count() {
        assert_eq!(label(0), "Clicked 0 times");
        assert_eq!(label(3), "Clicked 3 times");
    }
}
