//! The run as a sequence diagram (the core's SVG) under lane headers that stay in view, with
//! click-to-jump and download as SVG or PNG (2× for slides), in the theme on screen. Keyboard:
//! Tab reaches the step on screen (one tab stop, the rest are `tabindex=-1`), the arrow keys move
//! between steps, Home / End to the first / last, Enter or Space goes to the focused step.
//! State-change text fits the visible width (`crate::browser::fit_timeline`: cut with "…", its
//! whole in a tooltip); the step with the focus shows its whole text under the pane's head.
//! Zoom (the "Zoom: story" button): the run told as its story, each collapsed macro step one
//! block (`g.step.macro`, drawn by the core); a click on a block, or Enter / Space on it, shows
//! its steps there and goes to its first.

use crate::state::Level;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// Props of [`TimelinePane`].
#[derive(Properties, PartialEq)]
pub struct TimelinePaneProps {
    /// The SVG of the whole recorded run, the current step marked, for the page (the core's
    /// `render_inline`: no `<style>` element, so it works under a strict CSP; style.css colours
    /// it by theme).
    pub svg: AttrValue,
    /// The same drawing as a standalone file (SVG and PNG downloads).
    pub file_svg: AttrValue,
    /// The step on screen.
    pub position: usize,
    /// File name for downloads, without extension.
    pub file_name: AttrValue,
    /// Jump to a step.
    pub on_goto: Callback<usize>,
    /// Say how an export went.
    pub on_notice: Callback<(Level, String)>,
    /// The drawing's heads alone (the core's `render_heads_inline`), kept in view over it while
    /// the steps scroll.
    pub heads: AttrValue,
    /// Each step's whole state-change text (and its violation), in step order: shown for the
    /// step with the keyboard focus, however the drawing cut it.
    #[prop_or_default]
    pub notes: std::rc::Rc<Vec<String>>,
    /// The drawing tells the run as its story.
    #[prop_or_default]
    pub zoom: bool,
    /// In a story: blocks on screen, and groups shown as their steps.
    #[prop_or_default]
    pub blocks: (usize, usize),
    /// The zoom buttons and the blocks.
    #[prop_or_default]
    pub on_zoom: Callback<Zoom>,
}

/// What the zoom buttons and the blocks ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zoom {
    /// The story (true) or every step.
    Story(bool),
    /// Show this group's steps (its index in the story).
    Expand(usize),
    /// Fold this group's steps into one block again (its index in the story).
    Collapse(usize),
    /// Show every group's steps.
    ExpandAll,
    /// Every collapsible group as one block again.
    CollapseAll,
}

/// Narrowest the state-change column gets (px) when the box is narrower than the lanes.
const MIN_NOTES: f64 = 80.0;

/// Fit the drawing in `holder` to its visible width (in the browser only).
fn fit(holder: &NodeRef) {
    #[cfg(target_arch = "wasm32")]
    if let Some(el) = holder.cast::<Element>() {
        crate::browser::fit_timeline(&el, MIN_NOTES);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (holder, MIN_NOTES);
}

/// The `<g class="step">` an event's target is in.
fn row_of(e: &Event) -> Option<Element> {
    let target: Element = e.target()?.dyn_into().ok()?;
    target.closest("g.step").ok()?
}

/// The group whose ▾ (`<g class="fold" data-fold="i">`) an event's target is in.
fn fold_of(e: &Event) -> Option<usize> {
    let target: Element = e.target()?.dyn_into().ok()?;
    num(&target.closest("g.fold").ok()??, "data-fold")
}

/// The ▾ a keyboard event's target is (its group and the element).
fn fold_target(e: &KeyboardEvent) -> Option<(usize, Element)> {
    let target = e.target()?.dyn_into::<Element>().ok()?;
    let g = target.closest("g.fold").ok()??;
    Some((num(&g, "data-fold")?, g))
}

/// A row's step number (a block's: its first step).
fn num(g: &Element, attr: &str) -> Option<usize> {
    g.get_attribute(attr)?.parse().ok()
}

/// Pick a row: a block shows its steps; either way the run goes to its (first) step, returned.
fn pick(g: &Element, on_goto: &Callback<usize>, on_zoom: &Callback<Zoom>) -> Option<usize> {
    if let Some(i) = num(g, "data-group") {
        on_zoom.emit(Zoom::Expand(i));
    }
    let n = num(g, "data-step")?;
    on_goto.emit(n);
    Some(n)
}

/// The pane.
#[function_component(TimelinePane)]
pub fn timeline_pane(p: &TimelinePaneProps) -> Html {
    let holder = use_node_ref();
    // The step Enter went to: focused again once the drawing for it is on the page.
    let refocus = use_mut_ref(|| None::<usize>);
    // The block a ▾ folded from the keyboard: focused once it is drawn (by its first step).
    let refold = use_mut_ref(|| None::<usize>);
    // The step whose whole text is shown (it has the keyboard focus).
    let focused = use_state(|| None::<usize>);
    {
        // Refit when the window (and so the box) changes size.
        let holder = holder.clone();
        use_effect_with((), move |_| {
            let listener = crate::hooks::dom::window()
                .map(|w| gloo::events::EventListener::new(&w, "resize", move |_| fit(&holder)));
            move || drop(listener)
        });
    }
    {
        // Dim the steps after the position, and keep the current one in view.
        let (holder, refocus, refold) = (holder.clone(), refocus.clone(), refold.clone());
        use_effect_with((p.svg.clone(), p.position), move |(_, pos)| {
            // Kept until the drawing shows the run at that step (a block opens, then the run
            // goes there: two drawings).
            let again = *refocus.borrow();
            fit(&holder);
            let Some(el) = holder.cast::<HtmlElement>() else {
                return;
            };
            if let Ok(steps) = el.query_selector_all("g.step") {
                for i in 0..steps.length() {
                    let Some(g) = steps.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                        continue;
                    };
                    let n = num(&g, "data-step").unwrap_or(0);
                    let _ = g.class_list().toggle_with_force("future", n > *pos);
                    // A block stands for every step in it.
                    let here = |k: usize| {
                        n == k
                            || g.get_attribute("data-steps")
                                .is_some_and(|s| s.split(' ').any(|x| x.parse() == Ok(k)))
                    };
                    // One tab stop: the step on screen (or the first, at the start).
                    let stop = here((*pos).max(1));
                    let _ = g.set_attribute("tabindex", if stop { "0" } else { "-1" });
                    let _ = g.set_attribute("role", "button");
                    if g.class_list().contains("macro") && *refold.borrow() == Some(n) {
                        *refold.borrow_mut() = None;
                        focus(&g);
                    }
                    if again == Some(n) {
                        focus(&g);
                        if n == *pos {
                            *refocus.borrow_mut() = None;
                        }
                    }
                    if here(*pos) {
                        let (box_, g_box) =
                            (el.get_bounding_client_rect(), g.get_bounding_client_rect());
                        let top = g_box.top() - box_.top();
                        let heads = core_sim::svg::HEADS_H as f64;
                        if top < heads || top + g_box.height() > box_.height() {
                            let want = el.scroll_top() as f64 + top - box_.height() / 2.0;
                            el.set_scroll_top(want.max(0.0) as i32);
                        }
                    }
                }
            }
        });
    }
    let (on_goto, on_zoom) = (p.on_goto.clone(), p.on_zoom.clone());
    let onclick = Callback::from(move |e: MouseEvent| {
        if let Some(i) = fold_of(&e) {
            on_zoom.emit(Zoom::Collapse(i));
        } else if let Some(g) = row_of(&e) {
            pick(&g, &on_goto, &on_zoom);
        }
    });
    let onkeydown = {
        let (holder, on_goto, on_zoom) = (holder.clone(), p.on_goto.clone(), p.on_zoom.clone());
        let refocus = refocus.clone();
        Callback::from(move |e: KeyboardEvent| {
            if matches!(e.key().as_str(), "Enter" | " ") {
                if let Some((i, g)) = fold_target(&e) {
                    e.prevent_default();
                    e.stop_propagation();
                    *refold.borrow_mut() = num(&g, "data-step");
                    on_zoom.emit(Zoom::Collapse(i));
                    return;
                }
            }
            if let Some(g) = key_step(&holder, &e) {
                *refocus.borrow_mut() = pick(&g, &on_goto, &on_zoom);
            }
        })
    };
    let onfocusin = {
        let focused = focused.clone();
        // A block's text is its title (its tooltip), not one step's.
        let step = |g: Element| (!g.class_list().contains("macro")).then(|| num(&g, "data-step"));
        Callback::from(move |e: FocusEvent| focused.set(row_of(&e).and_then(step).flatten()))
    };
    let onfocusout = {
        let focused = focused.clone();
        Callback::from(move |_: FocusEvent| focused.set(None))
    };
    let full = focused
        .and_then(|n| Some((n, p.notes.get(n.checked_sub(1)?)?)))
        .filter(|(_, t)| !t.is_empty());
    let view = html! {
        <div class="timeline-view" id="timeline" ref={holder} {onclick} {onkeydown} {onfocusin} {onfocusout}
            role="group" aria-label="Timeline: arrow keys move between steps, Enter goes to the step">
            <div class="timeline-heads" aria-hidden="true">{ Html::from_html_unchecked(p.heads.clone()) }</div>
            { Html::from_html_unchecked(p.svg.clone()) }
        </div>
    };
    let href = format!(
        "data:image/svg+xml;charset=utf-8,{}",
        js_encode(&p.file_svg)
    );
    let on_png = {
        let (svg, name, notice) = (p.file_svg.clone(), p.file_name.clone(), p.on_notice.clone());
        Callback::from(move |_: MouseEvent| {
            let notice = notice.clone();
            crate::browser::export_png(&svg, 2.0, &format!("{name}.png"), move |r| {
                notice.emit(match r {
                    Ok(size) => (Level::Info, format!("Saved the timeline as a {size} PNG.")),
                    Err(e) => (Level::Error, format!("Could not make the PNG: {e}.")),
                })
            });
        })
    };
    let zoom = p.zoom;
    html! {
        <section class="timeline-pane" aria-labelledby="timeline-title">
            <div class="pane-head">
                <h2 id="timeline-title" class="pane-title">{ "Timeline" }</h2>
                <span class="hint">{ if p.zoom { "click a step to go there, a ▸ block to open it" } else { "click a step to go there" } }</span>
                <button type="button" id="zoom-toggle" aria-pressed={p.zoom.to_string()}
                    title="Tell the run as its story: each kernel function whose steps race with nothing as one block"
                    onclick={p.on_zoom.reform(move |_: MouseEvent| Zoom::Story(!zoom))}>{ "Zoom: story" }</button>
                if p.zoom {
                    <button type="button" id="zoom-expand-all" disabled={p.blocks.0 == 0}
                        onclick={p.on_zoom.reform(|_: MouseEvent| Zoom::ExpandAll)}>{ "Expand all" }</button>
                    <button type="button" id="zoom-collapse-all" disabled={p.blocks.1 == 0}
                        onclick={p.on_zoom.reform(|_: MouseEvent| Zoom::CollapseAll)}>{ "Collapse all" }</button>
                }
                <a class="button" id="download-svg" download={format!("{}.svg", p.file_name)} {href}>{ "Download SVG" }</a>
                <button type="button" id="download-png" title="The timeline as a PNG at twice its size, for slides"
                    onclick={on_png}>{ "Download PNG" }</button>
            </div>
            <p class="timeline-full" id="timeline-full">
                if let Some((n, text)) = full {
                    <strong>{ format!("Step {n}: ") }</strong>{ text.clone() }
                }
            </p>
            { view }
        </section>
    }
}

/// Arrow keys, Home and End move the focus between the timeline's rows; Enter or Space picks
/// the focused one (returned, for the caller to go there). The keys are kept from the page's own
/// shortcuts (→ would step the run).
fn key_step(holder: &NodeRef, e: &KeyboardEvent) -> Option<Element> {
    let el = holder.cast::<HtmlElement>()?;
    let list = el.query_selector_all("g.step").ok()?;
    let steps: Vec<Element> = (0..list.length())
        .filter_map(|i| list.item(i).and_then(|n| n.dyn_into::<Element>().ok()))
        .collect();
    let focused = e
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|t| t.closest("g.step").ok().flatten());
    let at = focused
        .as_ref()
        .and_then(|f| steps.iter().position(|g| g == f));
    let last = steps.len().saturating_sub(1);
    let to = match (e.key().as_str(), at) {
        ("ArrowDown" | "ArrowRight", Some(i)) => i.saturating_add(1).min(last),
        ("ArrowUp" | "ArrowLeft", Some(i)) => i.saturating_sub(1),
        ("ArrowDown" | "ArrowRight" | "ArrowUp" | "ArrowLeft" | "Home", None) | ("Home", _) => 0,
        ("End", _) => last,
        ("Enter" | " ", Some(i)) => {
            e.prevent_default();
            e.stop_propagation();
            return steps.get(i).cloned();
        }
        _ => return None,
    };
    e.prevent_default();
    e.stop_propagation();
    if let Some(g) = steps.get(to) {
        focus(g);
    }
    None
}

/// `element.focus()` for any element (an SVG `<g>` too, which is no `HtmlElement`).
fn focus(el: &Element) {
    #[cfg(target_arch = "wasm32")]
    {
        let f = js_sys::Reflect::get(el, &"focus".into()).ok();
        if let Some(f) = f.and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
            let _ = f.call0(el);
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = el;
}

/// `encodeURIComponent` in the browser; a plain percent-encoding natively (never used there).
pub(crate) fn js_encode(s: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::encode_uri_component(s).into()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        crate::url::percent_encode(s)
    }
}
