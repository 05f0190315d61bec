//! A slide never scrolls and clips nothing: after each render, step its type down (the classes
//! `fit-1` … `fit-N` of style.css, each a smaller `--fit`) until no box inside it overflows, and
//! again when the window is resized.

use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

/// The number of steps style.css defines (`.slide.fit-1` … `.slide.fit-7`).
pub const STEPS: usize = 7;

/// Whether some box of `root` (or `root` itself) is larger inside than out.
fn overflows(root: &Element) -> bool {
    let over = |e: &Element| {
        e.client_width() > 0
            && (e.scroll_width() > e.client_width() + 1
                || e.scroll_height() > e.client_height() + 1)
    };
    if over(root) {
        return true;
    }
    let Ok(all) = root.query_selector_all("*") else {
        return false;
    };
    (0..all.length())
        .filter_map(|i| all.item(i).and_then(|n| n.dyn_into::<Element>().ok()))
        .any(|e| over(&e))
}

/// The largest type at which nothing overflows (the smallest if nothing fits), marked on `root`
/// as `data-fit`.
pub fn fit(root: &Element) {
    let classes = root.class_list();
    for n in 1..=STEPS {
        let _ = classes.remove_1(&format!("fit-{n}"));
    }
    let mut n = 0;
    while n < STEPS && overflows(root) {
        if n > 0 {
            let _ = classes.remove_1(&format!("fit-{n}"));
        }
        n += 1;
        let _ = classes.add_1(&format!("fit-{n}"));
    }
    let _ = root.set_attribute("data-fit", &n.to_string());
}

/// Fit the slide at `root` after every render (a few layout reads: the slide is small), and on
/// resizes.
#[hook]
pub fn use_fit(root: NodeRef) {
    {
        let root = root.clone();
        use_effect(move || {
            if let Some(el) = root.cast::<Element>() {
                fit(&el);
            }
        });
    }
    use_effect_with((), move |_| {
        let listener = crate::hooks::dom::window().map(|w| {
            gloo::events::EventListener::new(&w, "resize", move |_| {
                if let Some(el) = root.cast::<Element>() {
                    fit(&el);
                }
            })
        });
        move || drop(listener)
    });
}
