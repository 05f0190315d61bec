//! The patch editor with the rest of the page: edit, errors at line:column, apply (a fresh run
//! of the edited world), the link that carries it, undo and revert.

use super::*;
use crate::state::{from_query, AppState, Level, Msg, WorldMsg};
use core_sim::program::Op;

/// linux-6.6 in migrate-vs-affinity: deleting put's two ir_list_lock lines brings back Linux
/// 6.5's stale IRTE (native-backend/tests/program_file.rs).
const LINK: &str = "?v=3&s=migrate-vs-affinity&t=linux-6.6&m=sc";

/// The page with the editor open on the thread's `put`.
fn on_put() -> AppState {
    let mut s = from_query(LINK);
    s.apply(PatchMsg::Open);
    let put = operations(&s.world.scenario)
        .into_iter()
        .find(|&(t, o)| s.world.scenario.threads[t].ops[o] == Op::Put)
        .unwrap();
    s.apply(Msg::PatchDraft(PatchMsg::Select(put.0, put.1)));
    s
}

fn unlocked(text: &str) -> String {
    text.lines()
        .filter(|l| !l.contains("lock(ir_list(0))"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn an_edit_applied_runs_the_edited_kernel_and_travels_in_the_link() {
    let mut s = on_put();
    assert!(s.patch_editor.open && s.patch_editor.draft.contains("for vcpu(0) put"));
    assert!(!s.patch_editor.is_dirty(&s.world));
    let edited = unlocked(&s.patch_editor.draft);
    s.apply(PatchMsg::Edit(edited.clone()));
    assert_eq!(s.patch_editor.errors, Vec::new());
    assert!(s.patch_editor.is_dirty(&s.world));
    assert!(s.world.patch.is_none(), "not applied yet");
    s.apply(PatchMsg::Apply);
    let patch = s.world.patch.clone().expect("applied");
    assert!(!s.patch_editor.is_dirty(&s.world));
    let sim = s.run.session.as_ref().unwrap().sim();
    assert_eq!(
        sim.patch.as_ref(),
        Some(&patch),
        "the run is the edited world's"
    );
    // The check and "what stops it" ask about the edited world.
    let crate::jobs::Request::Check {
        patch: Some(text), ..
    } = crate::hooks::jobs::check_request(1, &s.world)
    else {
        panic!()
    };
    assert_eq!(core_sim::program::text::Patch::parse(&text).unwrap(), patch);
    // The link carries it (format v4, pg=) and opens the same world, editor on the edit.
    let link = crate::url::encode(&s.link());
    assert!(link.starts_with("?v=4&") && link.contains("&pg="), "{link}");
    let again = from_query(&link);
    assert_eq!(again.world.patch, Some(patch));
    assert!(again.patch_editor.open && again.patch_editor.target == s.patch_editor.target);
    assert_eq!(again.patch_editor.draft, s.patch_editor.draft);
    assert!(
        again.chrome.notices.is_empty(),
        "{:?}",
        again.chrome.notices
    );
}

#[test]
fn a_typo_is_an_error_at_its_line_and_column_and_apply_waits() {
    let mut s = on_put();
    let good = s.patch_editor.draft.clone();
    let line = good
        .lines()
        .position(|l| l.contains("lock(ir_list(0))"))
        .unwrap();
    let col = good
        .lines()
        .nth(line)
        .unwrap()
        .find("lock(ir_list(0))")
        .unwrap();
    let typo = good.replacen("lock(ir_list(0))", "lokc(ir_list(0))", 1);
    s.apply(PatchMsg::Edit(typo.clone()));
    s.apply(PatchMsg::Edit(typo));
    assert_eq!(
        s.patch_editor.undo.len(),
        1,
        "the same text twice is one edit"
    );
    let e = &s.patch_editor.errors[0];
    assert_eq!((e.line, e.col), (line + 1, col + 1), "{e}");
    assert!(e.message.contains("lokc"), "{e}");
    s.apply(PatchMsg::Apply);
    assert!(
        s.world.patch.is_none(),
        "a draft with errors is not applied"
    );
    // Undo goes back to the text before the typo.
    s.apply(PatchMsg::Undo);
    assert_eq!(
        (s.patch_editor.draft.as_str(), s.patch_editor.errors.len()),
        (good.as_str(), 0)
    );
    // A reference out of this world's range is an error too (checked against the world).
    s.apply(PatchMsg::Edit(good.replace("ir_list(0)", "ir_list(7)")));
    assert!(!s.patch_editor.errors.is_empty());
}

#[test]
fn revert_goes_back_to_the_strategy_and_an_unchanged_text_is_no_patch() {
    let mut s = on_put();
    let base = s.patch_editor.draft.clone();
    s.apply(PatchMsg::Apply);
    assert_eq!(s.world.patch, None, "the strategy's own program is no edit");
    s.apply(PatchMsg::Edit(unlocked(&base)));
    s.apply(PatchMsg::Apply);
    assert!(s.world.patch.is_some());
    // Another preset keeps the edit; another scenario drops it.
    s.apply(WorldMsg::SelectPreset("linux-6.17".into()));
    assert!(s.world.patch.is_some());
    assert!(s.run.session.as_ref().unwrap().sim().patch.is_some());
    s.apply(WorldMsg::SelectPreset("linux-6.6".into()));
    s.apply(PatchMsg::Revert);
    assert_eq!(s.world.patch, None);
    assert_eq!(s.patch_editor.draft, base);
    assert!(s.link().program.is_none());
    s.apply(PatchMsg::Edit(unlocked(&base)));
    s.apply(PatchMsg::Apply);
    s.apply(WorldMsg::SelectScenario("put-block-vs-affinity".into()));
    assert_eq!(s.world.patch, None);
    s.apply(PatchMsg::Close);
    assert!(!s.patch_editor.open);
}

#[test]
fn a_link_whose_programs_do_not_decode_says_so_and_runs_the_strategy() {
    let s = from_query("?v=4&s=migrate-vs-affinity&t=linux-6.6&m=sc&pg=0.0~1~1~0~5~ab");
    assert!(s.world.patch.is_none());
    let errors: Vec<&str> = s
        .chrome
        .notices
        .iter()
        .filter(|n| n.level == Level::Error)
        .map(|n| n.text.as_str())
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("edited programs cannot be applied")),
        "{errors:?}"
    );
    assert!(s.run.session.is_some());
}
