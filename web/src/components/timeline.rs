//! The run as a sequence diagram (the core's SVG) under lane headers that stay in view, with
//! click-to-jump and download as SVG or PNG (2× for slides), in the theme on screen.

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
}

/// The step a click landed on: the `data-step` of the nearest `<g class="step">`.
fn clicked_step(e: &MouseEvent) -> Option<usize> {
    let target: Element = e.target()?.dyn_into().ok()?;
    let g = target.closest("g.step").ok()??;
    g.get_attribute("data-step")?.parse().ok()
}

/// The pane.
#[function_component(TimelinePane)]
pub fn timeline_pane(p: &TimelinePaneProps) -> Html {
    let holder = use_node_ref();
    {
        // Dim the steps after the position, and keep the current one in view.
        let holder = holder.clone();
        use_effect_with((p.svg.clone(), p.position), move |(_, pos)| {
            let Some(el) = holder.cast::<HtmlElement>() else {
                return;
            };
            if let Ok(steps) = el.query_selector_all("g.step") {
                for i in 0..steps.length() {
                    let Some(g) = steps.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                        continue;
                    };
                    let n: usize = g
                        .get_attribute("data-step")
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0);
                    let _ = g.class_list().toggle_with_force("future", n > *pos);
                    if n == *pos {
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
    let on_goto = p.on_goto.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        if let Some(n) = clicked_step(&e) {
            on_goto.emit(n);
        }
    });
    let view = html! {
        <div class="timeline-view" id="timeline" ref={holder} {onclick}>
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
    html! {
        <section class="timeline-pane" aria-labelledby="timeline-title">
            <div class="pane-head">
                <h2 id="timeline-title" class="pane-title">{ "Timeline" }</h2>
                <span class="hint">{ "click a step to go there" }</span>
                <a class="button" id="download-svg" download={format!("{}.svg", p.file_name)} {href}>{ "Download SVG" }</a>
                <button type="button" id="download-png" title="The timeline as a PNG at twice its size, for slides"
                    onclick={on_png}>{ "Download PNG" }</button>
            </div>
            { view }
        </section>
    }
}

/// `encodeURIComponent` in the browser; a plain percent-encoding natively (never used there).
fn js_encode(s: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::encode_uri_component(s).into()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        crate::url::percent_encode(s)
    }
}
