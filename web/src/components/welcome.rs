//! The first visit's card: what this page is, lesson 1 to start the story, and the hang one click
//! away. Shown only on a bare address (no link), until dismissed (the prefs hook remembers).

use yew::prelude::*;

/// Props of [`Welcome`].
#[derive(Properties, PartialEq)]
pub struct WelcomeProps {
    /// Start lesson 1.
    pub on_lesson: Callback<()>,
    /// Replay the shortest run to the lost wake-up in the world on screen.
    pub on_hang: Callback<()>,
    /// The list of challenges.
    #[prop_or_default]
    pub on_challenges: Callback<()>,
    /// Hide the card for good.
    pub on_dismiss: Callback<()>,
}

/// The card.
#[function_component(Welcome)]
pub fn welcome(p: &WelcomeProps) -> Html {
    html! {
        <section class="welcome" id="welcome" aria-labelledby="welcome-title">
            <div class="welcome-text">
                <h2 id="welcome-title" class="welcome-title">{ "New here?" }</h2>
                <p>
                    { "This is the first patch posted in May 2023: it updates an IRTE without KVM's lock, and a vCPU can fall asleep with its interrupt pending. " }
                    { "Lesson 1 tells the story from the start; or see the hang now, then step back with ←. Hover, focus or tap any state row for what it means." }
                </p>
            </div>
            <div class="welcome-actions">
                <button type="button" class="primary" id="welcome-lesson" onclick={p.on_lesson.reform(|_: MouseEvent| ())}>{ "Start lesson 1" }</button>
                <button type="button" id="show-hang" onclick={p.on_hang.reform(|_: MouseEvent| ())}>{ "Show me the hang" }</button>
                <button type="button" id="welcome-challenges" onclick={p.on_challenges.reform(|_: MouseEvent| ())}>{ "Try a challenge" }</button>
                <button type="button" id="welcome-dismiss" class="welcome-close" aria-label="Dismiss this suggestion"
                    title="Dismiss (it will not come back)" onclick={p.on_dismiss.reform(|_: MouseEvent| ())}>{ "×" }</button>
            </div>
        </section>
    }
}
