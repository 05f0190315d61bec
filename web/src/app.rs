//! The top-level component (placeholder shell; the real UI grows here).

use yew::prelude::*;

use crate::counter::Counter;

/// The title shown at the top of the page.
pub const TITLE: &str = "AVIC race lab";

/// Root component of the page.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <main class="app">
            <h1 class="title">{ TITLE }</h1>
            <p class="subtitle">
                { "A simulator of the KVM AMD AVIC / IOMMU IRTE race." }
            </p>
            <Counter />
        </main>
    }
}
