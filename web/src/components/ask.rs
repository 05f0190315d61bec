//! The question a thread's key asks during a replay (`crate::state::ask`), and the way back to
//! the recorded run a branch left.

use crate::state::ask::{Answer, Ask};
use yew::prelude::*;

/// Props of [`AskBar`].
#[derive(Properties, PartialEq)]
pub struct AskBarProps {
    /// The question on screen, if any.
    pub ask: Option<Ask>,
    /// The thread's name.
    pub who: AttrValue,
    /// A branch left a recorded run: (its steps, the step it left at).
    pub stash: Option<(usize, usize)>,
    /// The answer.
    pub on_answer: Callback<Answer>,
    /// Back to the recorded run.
    pub on_restore: Callback<()>,
}

/// The bar (nothing when there is nothing to ask or restore).
#[function_component(AskBar)]
pub fn ask_bar(p: &AskBarProps) -> Html {
    let answer = |a: Answer| p.on_answer.reform(move |_: MouseEvent| a);
    if let Some(ask) = &p.ask {
        return html! {
            <div class="ask" id="ask-branch" role="alertdialog" aria-labelledby="ask-text">
                <span id="ask-text">{ format!(
                    "You are replaying a recorded run. Running {} after step {} leaves it: its {} later step(s) would be lost.",
                    p.who, ask.at, ask.discards
                ) }</span>
                <button type="button" id="ask-discard" class="primary" onclick={answer(Answer::Discard)}>
                    { "Run it, drop them " }<kbd>{ "Enter" }</kbd>
                </button>
                <button type="button" id="ask-branch-keep" onclick={answer(Answer::Branch)}>
                    { "Run it, keep them as a branch " }<kbd>{ "B" }</kbd>
                </button>
                <button type="button" id="ask-cancel" onclick={answer(Answer::Cancel)}>
                    { "Keep replaying " }<kbd>{ "Esc" }</kbd>
                </button>
            </div>
        };
    }
    match p.stash {
        Some((len, at)) => html! {
            <div class="ask ask-stash" id="branch-kept">
                <span>{ format!("You are on a branch that left a recorded run of {len} steps at step {at}.") }</span>
                <button type="button" id="restore-run" onclick={p.on_restore.reform(|_: MouseEvent| ())}>
                    { "Back to the recorded run" }
                </button>
            </div>
        },
        None => html! {},
    }
}
