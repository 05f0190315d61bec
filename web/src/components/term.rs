//! A word with its definition from the core's glossary, on hover, keyboard focus and tap: a
//! focusable button described by a `role="tooltip"` popover (`aria-describedby`), which Esc hides
//! without moving focus. The popover opens below and to the right of the word, or above / to the
//! left when the viewport has no room there.

use core_sim::glossary;
use std::sync::atomic::{AtomicUsize, Ordering};
use web_sys::HtmlElement;
use yew::prelude::*;

/// Room the popover needs below and to the right of the word, in CSS pixels.
const TIP_ROOM: (f64, f64) = (170.0, 330.0);

static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

/// Props of [`TermTip`].
#[derive(Properties, PartialEq)]
pub struct TermTipProps {
    /// The glossary term's id (`irte`, `ga-log`, `lost-wakeup`).
    pub term: AttrValue,
    /// The text on screen (a row label, a heading); the term's own name if left out.
    #[prop_or_default]
    pub label: Option<AttrValue>,
}

/// Open (tapped), hushed (Esc), and where the popover goes.
#[derive(Clone, Copy, Default, PartialEq)]
struct Tip {
    open: bool,
    quiet: bool,
    up: bool,
    end: bool,
}

/// Where the popover fits, from the word's place in the viewport.
fn placed(holder: &NodeRef, tip: Tip) -> Tip {
    let Some(el) = holder.cast::<HtmlElement>() else {
        return tip;
    };
    let r = el.get_bounding_client_rect();
    let (w, h) = web_sys::window()
        .map(|w| {
            let px = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64());
            (
                px(w.inner_width()).unwrap_or(1280.0),
                px(w.inner_height()).unwrap_or(720.0),
            )
        })
        .unwrap_or((1280.0, 720.0));
    Tip {
        up: r.bottom() + TIP_ROOM.0 > h && r.top() > TIP_ROOM.0,
        end: r.left() + TIP_ROOM.1 > w,
        ..tip
    }
}

/// The word and its popover; plain text if the glossary has no such term.
#[function_component(TermTip)]
pub fn term_tip(p: &TermTipProps) -> Html {
    let tip = use_state(Tip::default);
    let id = use_state(|| format!("tip-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed)));
    let holder = use_node_ref();
    let Some(term) = glossary::by_id(&p.term) else {
        return html! { <span>{ p.label.clone().unwrap_or_default() }</span> };
    };
    let label = p.label.clone().unwrap_or(AttrValue::Static(term.name));
    let show = {
        let (tip, holder) = (tip.clone(), holder.clone());
        move |open: Option<bool>| {
            let mut t = placed(&holder, *tip);
            t.quiet = false;
            if let Some(o) = open {
                t.open = o;
            }
            tip.set(t);
        }
    };
    let onmouseenter = {
        let show = show.clone();
        Callback::from(move |_: MouseEvent| show(None))
    };
    let onfocus = {
        let show = show.clone();
        Callback::from(move |_: FocusEvent| show(None))
    };
    let onclick = {
        let (show, open) = (show.clone(), tip.open);
        Callback::from(move |_: MouseEvent| show(Some(!open)))
    };
    let onblur = {
        let tip = tip.clone();
        Callback::from(move |_: FocusEvent| {
            tip.set(Tip {
                open: false,
                quiet: false,
                ..*tip
            })
        })
    };
    let onkeydown = {
        let tip = tip.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                tip.set(Tip {
                    open: false,
                    quiet: true,
                    ..*tip
                });
            }
        })
    };
    let t = *tip;
    html! {
        <span ref={holder} {onmouseenter} data-term={term.id}
            class={classes!("term", t.open.then_some("term-open"), t.quiet.then_some("term-quiet"),
                t.up.then_some("tip-up"), t.end.then_some("tip-end"))}>
            <button type="button" class="term-word" aria-describedby={(*id).clone()}
                aria-expanded={t.open.to_string()} {onfocus} {onblur} {onclick} {onkeydown}>{ label }</button>
            <span role="tooltip" id={(*id).clone()} class="term-tip">
                <strong>{ term.name }</strong>{ ": " }{ term.definition }
            </span>
        </span>
    }
}
