//! The glossary section of the `?` dialog: every term of the core's glossary, by topic.

use core_sim::glossary::{self, Topic};
use yew::prelude::*;

/// The whole glossary as definition lists, one per topic.
#[function_component(GlossaryList)]
pub fn glossary_list() -> Html {
    let terms = glossary::all();
    html! {
        <section class="glossary" id="glossary" aria-labelledby="glossary-title">
            <h3 id="glossary-title" class="glossary-title">{ "Glossary" }</h3>
            <p class="hint">{ "Every state row and term in the lab shows its definition on hover, keyboard focus or tap; here they all are. Kernel claims name their function, version and commit (docs/kernel-notes.md)." }</p>
            { for Topic::ALL.iter().map(|topic| html! {
                <>
                    <h4 class="glossary-topic">{ topic.title() }</h4>
                    <dl class="glossary-terms">
                        { for terms.iter().filter(|t| t.topic == *topic).map(|t| html! {
                            <div class="glossary-term" id={format!("g-{}", t.id)}>
                                <dt>{ t.name }</dt>
                                <dd>
                                    { t.definition }
                                    if !t.source.is_empty() {
                                        <span class="glossary-source">
                                            { if *topic == Topic::Violation { "Impact: " } else { "Source: " } }{ t.source }
                                        </span>
                                    }
                                </dd>
                            </div>
                        }) }
                    </dl>
                </>
            }) }
        </section>
    }
}
