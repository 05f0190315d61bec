//! The few page globals the hooks share. Natively (tests, clippy) there is no window: each call
//! does nothing or returns its fallback.

/// The page's window, if any.
pub fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// `localStorage`, if the browser allows it.
pub fn storage() -> Option<web_sys::Storage> {
    window().and_then(|w| w.local_storage().ok().flatten())
}

/// Set (or, with `None`, remove) a `data-*` attribute on `<html>` (themes, and marks for tests
/// and benchmarks).
pub fn set_root_attr(name: &str, value: Option<&str>) {
    if let Some(root) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = match value {
            Some(v) => root.set_attribute(name, v),
            None => root.remove_attribute(name),
        };
    }
}

/// Milliseconds on the page's clock.
pub fn now() -> f64 {
    window()
        .and_then(|w| w.performance())
        .map_or_else(crate::jobs::now_ms, |p| p.now())
}

/// This page's address without its query: the base of share links.
pub fn base_url() -> String {
    window()
        .map(|w| {
            let l = w.location();
            format!(
                "{}{}",
                l.origin().unwrap_or_default(),
                l.pathname().unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

/// The page's query string (`?…`), empty natively.
pub fn query() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// A random number in [0, 1) (`Math.random`; natively 0.5).
pub fn random() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Math::random()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.5
    }
}
