//! Small function components: props down, callbacks up. The page's state lives in
//! [`crate::state::AppState`]; these only render what they are given.

pub mod announce;
pub mod ask;
pub mod challenge;
pub mod check_panel;
pub mod compare;
pub mod drawing;
pub mod editor;
pub mod editor_threads;
pub mod explorer;
pub mod glossary_list;
pub mod host;
pub mod last_step;
pub mod lesson;
pub mod matrix;
pub mod notices;
pub mod patch_editor;
pub mod pickers;
pub mod picture;
pub mod presenter;
pub mod primer;
pub mod random_panel;
pub mod select;
pub mod share;
pub mod slide;
pub mod state_pane;
pub mod stops;
pub mod strategy_picker;
pub mod term;
pub mod thread_pane;
pub mod timeline;
pub mod toolbar;
pub mod topbar;
pub mod violations;
#[cfg(all(test, target_arch = "wasm32"))]
mod wasm_tests;
pub mod welcome;

use core_sim::vocab::{Severity, ViolationKind};

/// A violation kind in words, for headings and badges (the core's one vocabulary).
pub fn kind_title(kind: ViolationKind) -> &'static str {
    kind.title()
}

/// What a kind means for the guest, in a few words (the core's one vocabulary).
pub fn kind_impact(kind: ViolationKind) -> &'static str {
    kind.impact()
}

/// CSS class for a kind's severity: `sev-hang`, `sev-corruption`, `sev-latency`.
pub fn severity_class(kind: ViolationKind) -> &'static str {
    match kind.severity() {
        Severity::Hang => "sev-hang",
        Severity::Corruption => "sev-corruption",
        Severity::Latency => "sev-latency",
    }
}
