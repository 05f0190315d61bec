//! The machine picture: the core's drawing of the machine at the step on screen (pCPUs, vCPUs,
//! IRTE arrows, GA log), with its SVG and PNG downloads. Narrow props: the drawing and, for
//! the downloads, the standalone file; every other view (lessons, the primer, slides) passes
//! the core's [`picture_inline`](core_sim::svg::picture_inline) of any
//! [`Scene`](core_sim::scene::Scene) and gets the same picture.

use crate::state::Level;
use yew::prelude::*;

/// Props of [`MachinePicture`].
#[derive(Properties, PartialEq)]
pub struct MachinePictureProps {
    /// The core's `picture_inline` of the scene (no `<style>` element: style.css colours it by
    /// theme).
    pub svg: AttrValue,
    /// The standalone file (`picture`) and a file name without extension: shows the SVG and
    /// PNG downloads when given.
    #[prop_or_default]
    pub file: Option<(AttrValue, AttrValue)>,
    /// Say how a PNG export went.
    #[prop_or_default]
    pub on_notice: Option<Callback<(Level, String)>>,
    /// A heading above the picture (none: no head row).
    #[prop_or_default]
    pub title: Option<AttrValue>,
}

/// The picture.
#[function_component(MachinePicture)]
pub fn machine_picture(p: &MachinePictureProps) -> Html {
    let downloads = p.file.as_ref().map(|(svg, name)| {
        let href = format!(
            "data:image/svg+xml;charset=utf-8,{}",
            super::timeline::js_encode(svg)
        );
        let on_png = {
            let (svg, name, notice) = (svg.clone(), name.clone(), p.on_notice.clone());
            Callback::from(move |_: MouseEvent| {
                let notice = notice.clone();
                crate::browser::export_png(&svg, 2.0, &format!("{name}.png"), move |r| {
                    if let Some(n) = &notice {
                        n.emit(match r {
                            Ok(size) => {
                                (Level::Info, format!("Saved the machine picture as a {size} PNG."))
                            }
                            Err(e) => (Level::Error, format!("Could not make the PNG: {e}.")),
                        })
                    }
                });
            })
        };
        html! {
            <>
                <a class="button" id="picture-svg" download={format!("{name}.svg")} {href}>{ "Picture SVG" }</a>
                <button type="button" id="picture-png" title="The machine picture as a PNG at twice its size, for slides"
                    onclick={on_png}>{ "Picture PNG" }</button>
            </>
        }
    });
    let head = (p.title.is_some() || downloads.is_some()).then(|| {
        html! {
            <div class="pane-head">
                if let Some(t) = &p.title { <h2 class="pane-title">{ t }</h2> }
                <span class="hint">{ "each IRTE's arrow: where an interrupt would go now" }</span>
                { downloads.unwrap_or_default() }
            </div>
        }
    });
    html! {
        <section class="picture-pane" aria-label="The machine">
            { head.unwrap_or_default() }
            <div class="picture-view">{ Html::from_html_unchecked(p.svg.clone()) }</div>
        </section>
    }
}
