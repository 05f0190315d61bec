//! What the explorer draws from a session, computed once per session change: the timeline (as
//! micro-steps or as its story), each violation's cause and deciding race in words, each step's
//! whole note, and the machine picture. All of it comes from the core (`core_sim::svg`,
//! `core_sim::timeline`); this module only gathers it for the view.

use super::last_step::Why;
use crate::url::Theme;
use core_sim::analysis::Story;
use core_sim::explore::Session;
use core_sim::scene::Scene;
use core_sim::timeline::{Row, Timeline};
use core_sim::{svg, Violation};
use std::rc::Rc;
use yew::prelude::*;

/// What the timeline needs, computed once per session change.
#[derive(PartialEq)]
pub(super) struct Drawn {
    /// For the page: no `<style>` element (strict CSP); style.css colours it by theme.
    pub(super) svg: AttrValue,
    /// The standalone file (SVG and PNG downloads).
    pub(super) file_svg: AttrValue,
    /// The heads alone (sticky over the drawing).
    pub(super) heads: AttrValue,
    pub(super) rows: Vec<Row>,
    pub(super) later: Vec<Violation>,
    /// Every violation of the whole run with its cause and deciding race, in words.
    pub(super) why: Vec<(Violation, Why)>,
    /// Each step's whole state-change text and violation (the drawing may cut them).
    pub(super) notes: Rc<Vec<String>>,
    /// In a story: blocks on screen, groups shown as their steps.
    pub(super) blocks: (usize, usize),
}

/// The palette of a download for the theme on screen.
fn palette(theme: Theme) -> svg::Palette {
    match theme {
        Theme::Auto => svg::Palette::Auto,
        Theme::Light | Theme::Large => svg::Palette::Light,
        Theme::Dark => svg::Palette::Dark,
    }
}

/// The timeline of `s`'s whole recorded run, told as `story` (with the groups `expanded` shown
/// as their steps) when there is one.
pub(super) fn draw(s: &Session, theme: Theme, story: Option<&Story>, expanded: &[usize]) -> Drawn {
    let mut full = s.clone();
    full.goto(full.len());
    let timeline = Timeline::from_session(&full);
    let pos = s.position();
    let later = full
        .violations()
        .into_iter()
        .filter(|v| v.step > pos)
        .collect();
    let why = timeline
        .violations()
        .into_iter()
        .map(|v| {
            let w = Why {
                kind: v.kind.id(),
                title: v.kind.title(),
                explanation: v.explanation.clone(),
                cause: timeline.cause_of(v).map(|c| c.summary()),
                race: timeline.race_of(v).map(|r| {
                    format!(
                        "Deciding race: {}; in the other order it does not happen.",
                        r.text
                    )
                }),
            };
            (v.clone(), w)
        })
        .collect();
    let notes = timeline
        .rows
        .iter()
        .map(|r| {
            let mut t = svg::notes_of(r);
            if let Some(v) = r.violations.first() {
                t = format!("{t} ⚠ [{}] {}", v.kind, v.explanation);
            }
            t.trim().to_string()
        })
        .collect();
    let (svg, file_svg, blocks) = match story {
        Some(st) => {
            let opened = |i: &usize| expanded.contains(i);
            let groups = st.steps.iter().enumerate().filter(|(_, g)| g.collapsed);
            let shown = groups.clone().filter(|(i, _)| opened(i)).count();
            (
                svg::render_story_inline(&timeline, st, expanded, Some(pos)),
                svg::render_story_in(&timeline, st, expanded, Some(pos), palette(theme)),
                (groups.count() - shown, shown),
            )
        }
        None => (
            svg::render_inline(&timeline, Some(pos)),
            svg::render_in(&timeline, Some(pos), palette(theme)),
            (0, 0),
        ),
    };
    Drawn {
        why,
        notes: Rc::new(notes),
        blocks,
        svg: AttrValue::from(svg),
        file_svg: AttrValue::from(file_svg),
        heads: AttrValue::from(svg::render_heads_inline(&timeline)),
        rows: timeline.rows,
        later,
    }
}

/// The machine picture at the session's position: for the page (a slide's, on a slide) and as a
/// file.
pub(super) fn picture(s: &Session, slide: bool) -> (AttrValue, AttrValue) {
    let scene = Scene::of_session(s);
    let shown = if slide {
        svg::picture_slide(&scene)
    } else {
        svg::picture_inline(&scene)
    };
    (
        AttrValue::from(shown),
        AttrValue::from(svg::picture(&scene)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_gets_a_timeline_without_inline_styles_and_downloads_a_standalone_one() {
        let sim = core_sim::Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let mut s = Session::replay(&sim, "000000000111111111111222").unwrap();
        s.goto(12);
        let d = draw(&s, Theme::Auto, None, &[]);
        // A strict CSP (style-src 'self') refuses <style> elements and style attributes.
        assert!(!d.svg.contains("<style") && !d.svg.contains("style="));
        assert!(d.svg.contains("data-step=\"12\""));
        assert!(
            d.file_svg.contains("<style>"),
            "the file keeps its own colours"
        );
        assert_eq!(d.rows.len(), 24);
        assert!(d
            .later
            .iter()
            .any(|v| v.kind == core_sim::ViolationKind::LostWakeup));
    }

    #[test]
    fn zoomed_the_page_and_the_download_tell_the_story_and_count_its_blocks() {
        let sim = core_sim::Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let s = Session::replay(&sim, "000000000111111111111222").unwrap();
        let story = core_sim::analysis::story_of_session(&s);
        let collapsed: Vec<usize> = (0..story.steps.len())
            .filter(|&i| story.steps[i].collapsed)
            .collect();
        assert!(collapsed.len() > 1, "{story:#?}");
        let d = draw(&s, Theme::Auto, Some(&story), &[]);
        assert_eq!(d.blocks, (collapsed.len(), 0));
        let rows = |svg: &str| svg.matches(r#"<g class="step"#).count();
        assert_eq!(rows(&d.svg), story.lines());
        assert_eq!(rows(&d.file_svg), story.lines());
        assert!(!d.svg.contains("<style") && !d.svg.contains("style="));
        let one = draw(&s, Theme::Auto, Some(&story), &collapsed[..1]);
        assert_eq!(one.blocks, (collapsed.len() - 1, 1));
        assert!(rows(&one.svg) > story.lines());
        assert_eq!(rows(&draw(&s, Theme::Auto, None, &[]).svg), 24);
    }

    #[test]
    fn the_picture_follows_the_step_and_is_csp_safe() {
        let sim = core_sim::Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let mut s = Session::replay(&sim, "000000000111111111111222").unwrap();
        s.goto(16);
        let (page, file) = picture(&s, false);
        assert!(!page.contains("<style") && !page.contains("style="));
        assert!(file.contains("<style>"));
        assert!(page.contains("step 16 · ") && page.contains(r#"data-route="ga-log""#));
        // A slide's picture leaves the step's caption to the slide; the file keeps it.
        let (slide, file) = picture(&s, true);
        assert!(!slide.contains("<style") && !slide.contains("step 16 · "));
        assert!(slide.contains(r#"data-route="ga-log""#) && file.contains("step 16 · "));
        s.goto(24);
        let (page, _) = picture(&s, false);
        assert!(page.contains(r#"data-to="pcpu0" data-unanswered="true""#));
    }
}
