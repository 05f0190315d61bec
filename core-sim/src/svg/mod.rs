//! The core's drawings, shared by the web app and the CLI: a timeline as a sequence diagram in
//! SVG (this file), and the machine picture ([`picture`]).

mod paint;
mod picture;

#[cfg(test)]
use paint::paint;
pub use paint::Palette;
use paint::{with_paint, DARK_CSS, LIGHT_CSS};
pub use picture::{picture, picture_inline, picture_slide};

use crate::analysis::{MacroStep, Story};
use crate::timeline::{Row, Timeline};
use std::fmt::Write;

const LANE_W: usize = 200;
const ROW_H: usize = 34;
const LEFT: usize = 44;
const TOP: usize = 70;
/// Columns of the state-change text (longer text is cut, its whole in a `<title>`: a tooltip).
const NOTES_CHARS: usize = 80;
/// Columns of a violation line across the lanes.
const WIDE_CHARS: usize = 150;

/// Width of `chars` characters of the 12 px monospace font, rounded up (0.6 em per character,
/// plus a margin for fonts a little wider).
fn text_w(chars: usize, px: usize) -> usize {
    (chars * px * 62).div_ceil(100)
}

/// `s` cut to `n` characters, and the whole of it as a `<title>` when it was cut.
fn clipped_with_title(s: &str, n: usize) -> String {
    let shown = esc(&clip(s, n));
    if s.chars().count() <= n {
        shown
    } else {
        format!("<title>{}</title>{shown}", esc(s))
    }
}

/// A row's state-change text as the drawing writes it (its changes, then the hardware's
/// notes), before any cut: a page shows it whole where the drawing had to cut it.
pub fn notes_of(r: &Row) -> String {
    let mut notes: Vec<String> = r
        .changes
        .iter()
        .map(|c| format!("{}: {}", c.label, c.after))
        .collect();
    notes.extend(r.notes.iter().cloned());
    notes.join(" · ")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Render a timeline as a standalone SVG file; `current` marks a row (1-based step) as the one on
/// screen. Colours are presentation attributes (light), plus an embedded style sheet that follows
/// the viewer's dark mode.
pub fn render(t: &Timeline, current: Option<usize>) -> String {
    draw(t, &steps_of(t), current, Some(Palette::Auto))
}

/// The same drawing for inserting into a page's DOM: no `<style>` element (so it works under a
/// strict Content-Security-Policy and leaks no rules into the page). The light colours are
/// presentation attributes, which the page's own style sheet may override, e.g. with
/// `svg.avic-timeline .box { fill: … }`.
pub fn render_inline(t: &Timeline, current: Option<usize>) -> String {
    draw(t, &steps_of(t), current, None)
}

/// The standalone file in one palette: the theme a page shows, whatever the viewer's system
/// prefers ([`render`] is [`Palette::Auto`]).
pub fn render_in(t: &Timeline, current: Option<usize>, palette: Palette) -> String {
    draw(t, &steps_of(t), current, Some(palette))
}

/// One row of the drawing: a step, or a collapsed macro step of a [`Story`].
enum Item<'a> {
    /// A step; with `Some(i)` the first step of group `i`, shown expanded (it carries the ▾
    /// that folds the group back into a block).
    Step(&'a Row, Option<usize>),
    /// The group's index in [`Story::steps`], and the group.
    Block(usize, &'a MacroStep),
}

/// Every step, in the run's order.
fn steps_of(t: &Timeline) -> Vec<Item<'_>> {
    t.rows.iter().map(|r| Item::Step(r, None)).collect()
}

/// The rows of `t` told as `story` (of the same run, e.g. [`Timeline::story`]), in the story's
/// order: each collapsed group one block, unless its index (in [`Story::steps`]) is in
/// `expanded`, then its steps; every other step as it is.
fn story_items<'a>(t: &'a Timeline, story: &'a Story, expanded: &[usize]) -> Vec<Item<'a>> {
    let mut group_of = vec![None; t.rows.len() + 1];
    for (i, g) in story.steps.iter().enumerate() {
        for &k in &g.steps {
            if let Some(slot) = group_of.get_mut(k) {
                *slot = Some(i);
            }
        }
    }
    let mut out = Vec::with_capacity(story.order.len());
    for &k in &story.order {
        let group = group_of.get(k).copied().flatten();
        match group.map(|i| (i, &story.steps[i])) {
            Some((i, g)) if g.collapsed && !expanded.contains(&i) => {
                if g.steps[0] == k {
                    out.push(Item::Block(i, g));
                }
            }
            Some((i, g)) if g.collapsed && g.steps[0] == k => out.extend(
                t.rows
                    .get(k.wrapping_sub(1))
                    .map(|r| Item::Step(r, Some(i))),
            ),
            _ => out.extend(t.rows.get(k.wrapping_sub(1)).map(|r| Item::Step(r, None))),
        }
    }
    out
}

/// The timeline told as its story (issue 13's zoom), for a page's DOM like [`render_inline`]:
/// each collapsed group of `story` is one block row in its thread's lane ("2–5 ▸ avic_vcpu_put
/// …", its steps' labels in the state-change column) unless its index in [`Story::steps`] is in
/// `expanded`; the rest are steps as [`render_inline`] draws them, in the story's order. A
/// block is a `<g class="step macro">` with `data-step` (its first step), `data-steps` (all of
/// them) and `data-group` (its index); `current` marks the block it is in. Same width and heads
/// as [`render_inline`].
pub fn render_story_inline(
    t: &Timeline,
    story: &Story,
    expanded: &[usize],
    current: Option<usize>,
) -> String {
    draw(t, &story_items(t, story, expanded), current, None)
}

/// [`render_story_inline`] as a standalone file in one palette (see [`render_in`]).
pub fn render_story_in(
    t: &Timeline,
    story: &Story,
    expanded: &[usize],
    current: Option<usize>,
    palette: Palette,
) -> String {
    draw(t, &story_items(t, story, expanded), current, Some(palette))
}

/// Characters of the widest state-change or violation text (cut to [`NOTES_CHARS`]).
fn notes_chars(t: &Timeline) -> usize {
    t.rows
        .iter()
        .map(|r| {
            let chg = notes_of(r).chars().count().min(NOTES_CHARS);
            let bad = r.violations.first().map_or(0, |v| {
                v.explanation.chars().count().min(NOTES_CHARS - 2) + v.kind.to_string().len() + 5
            });
            chg.max(bad)
        })
        .chain(["state changes".len()])
        .max()
        .unwrap_or(0)
}

/// The drawing's width, sized to its content: the widest state-change or violation text, the
/// title, the lanes.
fn width_of(t: &Timeline) -> usize {
    let lanes = t.lanes.len().max(1);
    let notes_chars = notes_chars(t);
    let wide_chars = t
        .initial_violations
        .iter()
        .map(|v| (v, "⚠ at start [] ".len()))
        .chain(
            t.final_violations
                .iter()
                .map(|v| (v, "⚠ at the end [] ".len())),
        )
        .map(|(v, pre)| {
            v.explanation.chars().count().min(WIDE_CHARS) + v.kind.to_string().len() + pre
        })
        .max()
        .unwrap_or(0);
    (LEFT + lanes * LANE_W + 8 + text_w(notes_chars, 12) + 16)
        .max(LEFT + text_w(wide_chars, 12) + 16)
        .max(LEFT + text_w(t.title.chars().count(), 14) + 16)
        .max(if t.causes.is_empty() {
            0
        } else {
            legend_x(t) + text_w(LEGEND_CHARS, 11) + 16
        })
}

/// The title, the lane names and the state-change column's head (the top [`HEADS_H`] pixels).
fn heads(s: &mut String, t: &Timeline) {
    let _ = write!(
        s,
        r#"<text class="head" x="{LEFT}" y="22" font-size="14">{}</text>"#,
        esc(&t.title)
    );
    for (i, name) in t.lanes.iter().enumerate() {
        let x = LEFT + i * LANE_W + LANE_W / 2;
        let _ = write!(
            s,
            r#"<text class="head" x="{x}" y="52" text-anchor="middle">{}</text>"#,
            esc(&clip(name, 26))
        );
    }
    let notes_x = LEFT + t.lanes.len().max(1) * LANE_W + 8;
    let _ = write!(
        s,
        r#"<text class="head" x="{notes_x}" y="52">state changes</text>"#
    );
}

/// Height of the heads: where the lanes start.
pub const HEADS_H: usize = TOP - 8;

/// The heads alone, as [`render_inline`] draws them at its top, on their background: a page lays
/// it over the drawing and keeps it in view while the steps scroll (sticky lane headers).
pub fn render_heads_inline(t: &Timeline) -> String {
    let width = width_of(t);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="avic-timeline avic-timeline-heads" viewBox="0 0 {width} {HEADS_H}" width="{width}" height="{HEADS_H}" font-family="ui-monospace, SFMono-Regular, Menlo, monospace" font-size="12" aria-hidden="true"><rect class="bg" x="0" y="0" width="{width}" height="{HEADS_H}"/>"#
    );
    heads(&mut s, t);
    // The page lays these heads over the drawing's top, so they carry its legend too.
    if !t.causes.is_empty() {
        legend(&mut s, t);
    }
    s.push_str("</svg>");
    with_paint(s)
}

fn draw(
    t: &Timeline,
    items: &[Item<'_>],
    current: Option<usize>,
    palette: Option<Palette>,
) -> String {
    let lanes = t.lanes.len().max(1);
    let extra_rows = t.final_violations.len() + t.initial_violations.len();
    let width = width_of(t);
    let height = TOP + (items.len() + extra_rows + 1) * ROW_H + 20;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="avic-timeline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="ui-monospace, SFMono-Regular, Menlo, monospace" font-size="12" role="img" aria-label="{title}">"#,
        title = esc(&t.title)
    );
    match palette {
        None => {}
        Some(Palette::Auto) => {
            let _ = write!(
                s,
                "<style>{LIGHT_CSS}@media (prefers-color-scheme: dark){{{DARK_CSS}}}</style>"
            );
        }
        Some(Palette::Light) => {
            let _ = write!(s, "<style>{LIGHT_CSS}</style>");
        }
        Some(Palette::Dark) => {
            let _ = write!(s, "<style>{LIGHT_CSS}{DARK_CSS}</style>");
        }
    }
    let _ = write!(
        s,
        r#"<rect class="bg" x="0" y="0" width="{width}" height="{height}"/>"#
    );
    heads(&mut s, t);
    for i in 0..t.lanes.len() {
        let x = LEFT + i * LANE_W + LANE_W / 2;
        let _ = write!(
            s,
            r#"<line class="lane" x1="{x}" y1="{}" x2="{x}" y2="{}"/>"#,
            TOP - 8,
            height - 10
        );
    }
    let notes_x = LEFT + lanes * LANE_W + 8;
    let mut y = TOP;
    for v in &t.initial_violations {
        wide_violation(&mut s, y, "at start", v);
        y += ROW_H;
    }
    let causes = t.cause_steps();
    // The top of each step's row (1-based step − 1), where it is drawn.
    let mut row_y = vec![None; t.rows.len()];
    let room = notes_chars(t);
    for item in items {
        match *item {
            Item::Step(r, opens) => {
                if let Some(slot) = row_y.get_mut(r.step.wrapping_sub(1)) {
                    *slot = Some(y);
                }
                step_row(&mut s, r, y, current, causes.contains(&r.step), notes_x);
                if let Some(i) = opens {
                    fold_mark(&mut s, i, r.step, y);
                }
            }
            Item::Block(i, g) => block_row(&mut s, i, g, y, current, notes_x, room),
        }
        y += ROW_H;
    }
    race_arrows(&mut s, t, &row_y);
    if !t.causes.is_empty() {
        legend(&mut s, t);
    }
    for v in &t.final_violations {
        wide_violation(&mut s, y, "at the end", v);
        y += ROW_H;
    }
    s.push_str("</svg>");
    with_paint(s)
}

/// The ▾ beside `step`, the first step of an expanded group `i` (row top `y`), between the step
/// number and lane 0: a click (or Enter on it: it is a tab stop) folds the group into one block
/// again.
fn fold_mark(s: &mut String, i: usize, step: usize, y: usize) {
    let _ = write!(
        s,
        r#"<g class="fold" data-fold="{i}" data-step="{step}" tabindex="0" role="button" aria-label="Fold the steps from {step} back into one block"><title>Fold these steps into one block again</title><rect class="fold-ring" x="{}" y="{}" width="16" height="20" rx="3" fill="none"/><text class="num" x="{}" y="{}">▾</text></g>"#,
        LEFT - 21,
        y + 5,
        LEFT - 18,
        y + 20
    );
}

/// One step's row at top `y`: its number, its box in its lane, its state changes.
fn step_row(
    s: &mut String,
    r: &Row,
    y: usize,
    current: Option<usize>,
    is_cause: bool,
    notes_x: usize,
) {
    let x = LEFT + r.lane * LANE_W + 6;
    let class = if !r.violations.is_empty() {
        "badbox"
    } else if is_cause {
        "causebox"
    } else if r.flush {
        "flush"
    } else {
        "box"
    };
    let cur = if current == Some(r.step) { " cur" } else { "" };
    let _ = write!(
        s,
        r#"<g class="step" data-step="{}"><title>{}</title><text class="num" x="4" y="{}">{}</text><rect class="{class}{cur}" x="{x}" y="{}" width="{}" height="{}" rx="5"/><text class="txt" x="{}" y="{}">{}</text>"#,
        r.step,
        esc(&format!("{} — {}: {}", r.op, r.func, r.code.trim())),
        y + 20,
        r.step,
        y + 3,
        LANE_W - 12,
        ROW_H - 6,
        x + 8,
        y + 21,
        esc(&clip(&r.label, 25)),
    );
    if is_cause {
        let _ = write!(
            s,
            r#"<text class="causetxt" x="{}" y="{}" text-anchor="end" font-size="10">◆ cause</text>"#,
            x + LANE_W - 16,
            y + 13
        );
    }
    if !r.violations.is_empty() {
        let _ = write!(
            s,
            r#"<text class="bad" x="{}" y="{}" text-anchor="end" font-size="10">⚠ seen</text>"#,
            x + LANE_W - 16,
            y + 28
        );
    }
    // The marks belong to the step's group (a click or a test finds them with it).
    s.push_str("</g>");
    let _ = write!(
        s,
        r#"<text class="chg" x="{notes_x}" y="{}">{}</text>"#,
        y + 15,
        clipped_with_title(&notes_of(r), NOTES_CHARS)
    );
    if let Some(v) = r.violations.first() {
        let _ = write!(
            s,
            r#"<text class="bad" x="{notes_x}" y="{}">⚠ [{}] {}</text>"#,
            y + 29,
            v.kind,
            clipped_with_title(&v.explanation, NOTES_CHARS - 2)
        );
    }
}

/// A collapsed macro step's row at top `y`: its step range, one box in its thread's lane (a
/// second edge behind it: a stack of steps), its steps' labels in the state-change column (cut to
/// `room` characters, so the drawing keeps its width).
fn block_row(
    s: &mut String,
    i: usize,
    g: &MacroStep,
    y: usize,
    current: Option<usize>,
    notes_x: usize,
    room: usize,
) {
    let x = LEFT + g.thread * LANE_W + 6;
    let cur = if current.is_some_and(|c| g.steps.contains(&c)) {
        " cur"
    } else {
        ""
    };
    let steps: Vec<String> = g.steps.iter().map(usize::to_string).collect();
    let _ = write!(
        s,
        r#"<g class="step macro" data-step="{}" data-steps="{}" data-group="{i}" aria-expanded="false"><title>{} ({} steps; Enter or a click shows them)</title><text class="num" x="4" y="{}">{}</text><rect class="box" x="{}" y="{}" width="{}" height="{}" rx="5"/><rect class="box{cur}" x="{x}" y="{}" width="{}" height="{}" rx="5"/><text class="txt" x="{}" y="{}">▸ {}</text></g>"#,
        g.steps[0],
        steps.join(" "),
        esc(&g.title),
        g.steps.len(),
        y + 20,
        esc(&g.range()),
        x + 3,
        y + 6,
        LANE_W - 12,
        ROW_H - 6,
        y + 2,
        LANE_W - 14,
        ROW_H - 6,
        x + 8,
        y + 20,
        esc(&clip(&g.title, 23)),
    );
    let _ = write!(
        s,
        r#"<text class="chg" x="{notes_x}" y="{}">{}</text>"#,
        y + 15,
        clipped_with_title(&g.summary, room)
    );
}

/// A violation judged before any step or at the end, across the whole width, at row top `y`.
fn wide_violation(s: &mut String, y: usize, when: &str, v: &crate::oracle::Violation) {
    let _ = write!(
        s,
        r#"<text class="bad" x="{LEFT}" y="{}">⚠ {when} [{}] {}</text>"#,
        y + 16,
        v.kind,
        clipped_with_title(&v.explanation, WIDE_CHARS)
    );
}

/// One arrow per deciding race (at most three), from the earlier access's box to the later one's,
/// labelled "race".
fn race_arrows(s: &mut String, t: &Timeline, row_y: &[Option<usize>]) {
    let mut drawn: Vec<(usize, usize)> = Vec::new();
    for r in t.races.iter().flatten() {
        let pair = (r.first, r.second);
        if drawn.contains(&pair) || drawn.len() == 3 {
            continue;
        }
        let (Some(a), Some(b)) = (t.rows.get(r.first - 1), t.rows.get(r.second - 1)) else {
            continue;
        };
        // Both accesses are on screen: a story keeps them as steps (they are pinned).
        let (Some(ya), Some(yb)) = (
            row_y.get(r.first - 1).copied().flatten(),
            row_y.get(r.second - 1).copied().flatten(),
        ) else {
            continue;
        };
        drawn.push(pair);
        let (d, (label_x, label_y)) = race_route(a.lane, ya, b.lane, yb, drawn.len() - 1);
        let _ = write!(
            s,
            r#"<g class="race-arrow" data-first="{}" data-second="{}"><title>{}</title><path class="race" d="{d}" marker-end="url(#race-head)"/><text class="racetxt" x="{label_x}" y="{label_y}" text-anchor="end" font-size="10">⇄ race</text></g>"#,
            r.first,
            r.second,
            esc(&r.text),
        );
    }
    if !drawn.is_empty() {
        s.push_str(r#"<defs><marker id="race-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path class="racehead" d="M0,0 L10,5 L0,10 z"/></marker></defs>"#);
    }
}

/// The path of a race arrow from the box in lane `la` at row top `ya` to the box in lane `lb` at
/// `yb`, and where its label ends. It never crosses a box: out of the first box's left edge
/// along its own row (a row holds one box), down the gap left of the leftmost of the two lanes
/// (between the step numbers and the boxes for lane 0), and along the second box's row into its
/// left edge. The label sits in the row of whichever box is not leftmost, left of that box; the
/// `k`-th arrow runs 3 units further left so two arrows do not share a line.
fn race_route(la: usize, ya: usize, lb: usize, yb: usize, k: usize) -> (String, (usize, usize)) {
    let edge = |lane: usize| LEFT + lane * LANE_W + 6;
    let gap = LEFT + la.min(lb) * LANE_W - (3 * k).min(9);
    let (x1, y1) = (edge(la), ya + ROW_H / 2);
    let (x2, y2) = (edge(lb), yb + ROW_H / 2);
    let r = 6.min(y1.abs_diff(y2) / 2);
    let (down, turn) = if y2 >= y1 {
        (r as isize, 1)
    } else {
        (-(r as isize), -1)
    };
    let at = |y: usize, dy: isize| (y as isize + dy * turn) as usize;
    let d = format!(
        "M{x1},{y1} L{},{y1} Q{gap},{y1} {gap},{} L{gap},{} Q{gap},{y2} {},{y2} L{},{y2}",
        gap + r,
        at(y1, down.abs()),
        at(y2, -down.abs()),
        gap + r,
        x2 - 1,
    );
    let (lane, y) = if la > lb { (la, ya) } else { (lb, yb) };
    (d, (edge(lane) - 8, y + ROW_H - 8))
}

/// The legend's length in characters and where it starts: after the title (14 px).
const LEGEND_CHARS: usize = 73;
fn legend_x(t: &Timeline) -> usize {
    LEFT + text_w(t.title.chars().count(), 14) + 24
}

/// What the marks mean, on the title's line after the title (a drawing wider than its pane
/// scrolls sideways: a legend at the right end would be out of sight): shape and word as well
/// as colour.
fn legend(s: &mut String, t: &Timeline) {
    let x = legend_x(t);
    let _ = write!(
        s,
        r#"<text class="txt" x="{x}" y="22" font-size="11"><tspan class="causetxt">◆ cause (dashed box)</tspan><tspan class="txt">  ·  </tspan><tspan class="bad">⚠ seen by the oracle</tspan><tspan class="txt">  ·  </tspan><tspan class="racetxt">⇄ deciding race (arrow)</tspan></text>"#
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::Session;
    use crate::Sim;

    fn timeline() -> Timeline {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        Timeline::from_session(&Session::replay(&sim, "0000000001111111222").unwrap())
    }

    /// Attribute names of every start tag; none may repeat (that is not well-formed XML).
    fn attribute_names(svg: &str) -> Vec<Vec<String>> {
        svg.split('<')
            .skip(1)
            .filter(|t| !t.starts_with('/'))
            .map(|t| {
                let tag = t.split('>').next().unwrap();
                let mut names = Vec::new();
                let mut in_value = false;
                let mut word = String::new();
                for c in tag.chars() {
                    match c {
                        '"' => in_value = !in_value,
                        '=' if !in_value => names.push(std::mem::take(&mut word)),
                        c if c.is_whitespace() && !in_value => word.clear(),
                        c if !in_value => word.push(c),
                        _ => {}
                    }
                }
                names
            })
            .collect()
    }

    /// Every box and text of `svg` has its fill (the page has no stylesheet for them), and no
    /// element repeats an attribute.
    fn assert_painted_without_repeated_attributes(svg: &str) {
        for tag in svg
            .split('<')
            .filter(|t| t.starts_with("rect") || t.starts_with("text"))
        {
            assert!(tag.contains("fill=\""), "unpainted: <{tag}");
        }
        for names in attribute_names(svg) {
            let mut sorted = names.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(
                sorted.len(),
                names.len(),
                "duplicate attribute in {names:?}"
            );
        }
    }

    #[test]
    fn inline_drawing_has_no_style_element_and_paints_every_shape() {
        let t = timeline();
        let inline = render_inline(&t, Some(12));
        assert!(!inline.contains("<style"), "CSP-safe: no <style>");
        assert!(inline.contains(r#"class="avic-timeline""#));
        assert_painted_without_repeated_attributes(&inline);
        assert_eq!(
            inline.matches(r#"stroke-width="2.5""#).count(),
            1,
            "exactly the current step is outlined"
        );
    }

    #[test]
    fn the_drawing_is_as_wide_as_its_widest_text_and_cut_text_keeps_its_whole_as_a_title() {
        let t = timeline();
        let svg = render_inline(&t, None);
        let width: usize = svg
            .split("width=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // Every text line's right end, at 0.6 em per character, is inside the drawing.
        for line in svg.split("<text ").skip(1) {
            let x: usize = line
                .split("x=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let body = line.split_once('>').unwrap().1;
            let body = body
                .split("</title>")
                .last()
                .unwrap()
                .split("</text>")
                .next()
                .unwrap();
            let px = if line.contains("font-size=\"14\"") {
                14
            } else {
                12
            };
            let anchor_mid = line.contains("text-anchor=\"middle\"");
            let chars = body
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .chars()
                .count();
            let w = chars * px * 6 / 10;
            let right = if anchor_mid { x + w / 2 } else { x + w };
            assert!(right <= width, "{body:?} ends at {right} > {width}");
        }
        let lanes_only = LEFT + t.lanes.len() * LANE_W;
        assert!(
            width < lanes_only + 8 + text_w(NOTES_CHARS, 12) + 17,
            "no wider than its text needs"
        );
        let long = t
            .rows
            .iter()
            .map(notes_of)
            .find(|n| n.chars().count() > NOTES_CHARS)
            .expect("a long note");
        assert!(svg.contains(&format!("<title>{}</title>", esc(&long))));
    }

    #[test]
    fn a_file_in_one_palette_keeps_those_colours_whatever_the_system_prefers() {
        let t = timeline();
        let dark = render_in(&t, None, Palette::Dark);
        let light = render_in(&t, None, Palette::Light);
        assert!(!dark.contains("@media") && !light.contains("@media"));
        assert!(dark.contains(".bg{fill:#16181d}") && !light.contains("#16181d"));
        assert_eq!(render_in(&t, Some(3), Palette::Auto), render(&t, Some(3)));
    }

    #[test]
    fn the_heads_alone_are_the_drawings_top() {
        let t = timeline();
        let heads = render_heads_inline(&t);
        let full = render_inline(&t, None);
        for name in &t.lanes {
            assert!(heads.contains(&format!(">{}</text>", esc(&clip(name, 26)))));
        }
        let w = |svg: &str| {
            svg.split("width=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string()
        };
        assert_eq!(w(&heads), w(&full));
        let head_texts = |svg: &str| svg.matches(r#"<text class="head""#).count();
        assert_eq!(head_texts(&heads), head_texts(&full));
        assert!(!heads.contains("class=\"step\""));
    }

    #[test]
    fn the_standalone_file_adds_a_dark_mode_style_sheet() {
        let t = timeline();
        let file = render(&t, None);
        assert!(file.contains("<style>") && file.contains("prefers-color-scheme: dark"));
        assert_eq!(
            file.replace(
                &file[file.find("<style>").unwrap()..file.find("</style>").unwrap() + 8],
                ""
            ),
            render_inline(&t, None)
        );
    }

    #[test]
    fn causes_and_the_deciding_race_are_marked_with_shape_word_and_colour() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let t = Timeline::from_session(&Session::replay(&sim, "000000000111111111111222").unwrap());
        let inline = render_inline(&t, Some(24));
        // The lost wake-up's doorbell (24) and the IRTE write (17), the stale IRTE's list_add (20).
        for step in [17, 20, 24] {
            let g = inline
                .split(r#"<g class="step""#)
                .find(|g| g.starts_with(&format!(r#" data-step="{step}">"#)))
                .unwrap();
            assert!(g.contains("◆ cause"), "step {step}: {g}");
        }
        assert!(inline.contains("⚠ seen"));
        assert!(
            inline.contains("◆ cause (dashed box)") && inline.contains("⇄ deciding race (arrow)")
        );
        // The sticky heads the page lays over the drawing's top show the legend too (else it is
        // hidden under them), and only where the drawing has one.
        assert!(render_heads_inline(&t).contains("◆ cause (dashed box)"));
        // On the title's line, after the title, and inside the drawing's width (a legend at
        // the right end of a drawing wider than its pane was out of sight).
        let legend = "◆ cause (dashed box)  ·  ⚠ seen by the oracle  ·  ⇄ deciding race (arrow)";
        assert_eq!(legend.chars().count(), LEGEND_CHARS);
        let x = legend_x(&t);
        assert!(x > LEFT + text_w(t.title.chars().count(), 14));
        assert!(x + text_w(LEGEND_CHARS, 11) <= width_of(&t));
        assert!(inline.contains(&format!(
            r#"x="{x}" y="22" font-size="11"><tspan class="causetxt""#
        )));
        let quiet = Timeline::from_session(&Session::new(&sim));
        assert!(quiet.causes.is_empty() && !render_heads_inline(&quiet).contains("◆ cause"));
        // One arrow: put's walk of the ir_list (4) against the updater's list_add (20).
        assert_eq!(inline.matches(r#"class="race-arrow""#).count(), 1);
        assert!(inline.contains(r#"data-first="4" data-second="20""#));
        assert!(inline.contains(r##"marker-end="url(#race-head)""##));
        for tag in inline
            .split('<')
            .filter(|t| t.starts_with("rect") || t.starts_with("text"))
        {
            assert!(tag.contains("fill=\""), "unpainted: <{tag}");
        }
        assert_eq!(inline.matches(r#"stroke-width="2.5""#).count(), 1);
        for names in attribute_names(&inline) {
            let mut sorted = names.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(
                sorted.len(),
                names.len(),
                "duplicate attribute in {names:?}"
            );
        }
    }

    /// The lost wake-up of the first patch, its timeline and its story.
    /// The points a path's commands go through (M, L and Q end points and controls).
    fn path_points(d: &str) -> Vec<(f64, f64)> {
        let nums: Vec<f64> = d
            .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse::<f64>().unwrap(), y.parse::<f64>().unwrap())
            })
            .flat_map(|(x, y)| [x, y])
            .collect();
        nums.chunks(2).map(|c| (c[0], c[1])).collect()
    }

    #[test]
    fn a_race_arrow_runs_between_the_boxes_never_across_one() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let t = Timeline::from_session(&Session::replay(&sim, "000000000111111111111222").unwrap());
        let svg = render_inline(&t, None);
        let attr = |tag: &str, name: &str| -> f64 {
            let v = tag.split(&format!(" {name}=\"")).nth(1);
            let v = v.unwrap_or_else(|| panic!("no {name} in <{tag}"));
            v.split('"').next().unwrap().parse().unwrap()
        };
        let boxes: Vec<(f64, f64, f64, f64)> = svg
            .split('<')
            .filter(|t| t.starts_with("rect class=\"") && t.contains("box"))
            .map(|t| {
                (
                    attr(t, "x"),
                    attr(t, "y"),
                    attr(t, "width"),
                    attr(t, "height"),
                )
            })
            .collect();
        assert_eq!(boxes.len(), t.rows.len());
        let tag = svg.split(r#"<path class="race" "#).nth(1).unwrap();
        let d = tag
            .split(r#" d=""#)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let points = path_points(d);
        // Walk the path in small steps between its points: no point strictly inside a box.
        for w in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            for i in 0..=20 {
                let f = f64::from(i) / 20.0;
                let (x, y) = (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f);
                for &(bx, by, bw, bh) in &boxes {
                    let inside =
                        x > bx + 0.5 && x < bx + bw - 0.5 && y > by + 0.5 && y < by + bh - 0.5;
                    assert!(!inside, "({x},{y}) inside the box at {bx},{by}: {d}");
                }
            }
        }
        // It starts at step 4's box and ends at step 20's.
        let (first, last) = (points[0], *points.last().unwrap());
        let row_top = |step: usize| boxes[step - 1].1;
        assert!(
            first.1 > row_top(4) && first.1 < row_top(4) + 28.0,
            "{first:?}"
        );
        assert!(
            last.1 > row_top(20) && last.1 < row_top(20) + 28.0,
            "{last:?}"
        );
    }

    fn story_timeline() -> (Timeline, Story) {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let s = Session::replay(&sim, "000000000111111111111222").unwrap();
        let t = Timeline::from_session(&s);
        let story = t.story(&s);
        (t, story)
    }

    fn height(svg: &str) -> usize {
        svg.split("height=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// The `data-step` of each row, in drawing order, and whether it is a block.
    fn rows(svg: &str) -> Vec<(usize, bool)> {
        svg.split(r#"<g class="step"#)
            .skip(1)
            .map(|g| {
                let n = g.split("data-step=\"").nth(1).unwrap().split('"').next();
                (n.unwrap().parse().unwrap(), g.starts_with(" macro\""))
            })
            .collect()
    }

    #[test]
    fn a_story_draws_each_collapsed_group_as_one_row_in_its_lane() {
        let (t, story) = story_timeline();
        let blocks: Vec<&MacroStep> = story.steps.iter().filter(|g| g.collapsed).collect();
        assert!(
            !blocks.is_empty() && story.lines() < t.rows.len(),
            "{story:#?}"
        );
        let svg = render_story_inline(&t, &story, &[], None);
        let drawn = rows(&svg);
        assert_eq!(drawn.len(), story.lines());
        assert_eq!(drawn.iter().filter(|r| r.1).count(), blocks.len());
        let full = render_inline(&t, None);
        assert_eq!(
            height(&full) - height(&svg),
            (t.rows.len() - story.lines()) * ROW_H
        );
        let width = |svg: &str| {
            svg.split("width=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string()
        };
        assert_eq!(width(&svg), width(&full), "the same width as the heads");
        for g in &blocks {
            let b = svg
                .split(r#"<g class="step macro""#)
                .find(|b| b.starts_with(&format!(r#" data-step="{}""#, g.steps[0])))
                .unwrap();
            assert!(b.contains(&format!(">{}</text>", esc(&g.range()))), "{b}");
            assert!(b.contains(&format!(">▸ {}</text>", esc(&clip(&g.title, 23)))));
            let x = LEFT + g.thread * LANE_W + 6;
            assert!(
                b.contains(&format!(
                    r#"rx="5"/><rect class="box" {} x="{x}""#,
                    paint("box")
                )),
                "its lane: {b}"
            );
            // A block's hidden steps are not drawn as steps.
            for k in &g.steps[1..] {
                assert!(!drawn.iter().any(|r| r.0 == *k), "step {k}");
            }
        }
        // The steps that stay are in the story's order, each once.
        let order: Vec<usize> = drawn.iter().map(|r| r.0).collect();
        let mut firsts: Vec<usize> = story
            .order
            .iter()
            .copied()
            .filter(|k| {
                story
                    .steps
                    .iter()
                    .any(|g| g.steps[0] == *k || (!g.collapsed && g.steps.contains(k)))
            })
            .collect();
        firsts.dedup();
        assert_eq!(order, firsts);
        // The deciding race's accesses stay steps: its arrow is drawn.
        assert!(svg.contains(r#"data-first="4" data-second="20""#));
    }

    #[test]
    fn an_expanded_group_shows_its_steps_and_expanding_all_shows_every_step() {
        let (t, story) = story_timeline();
        let (i, g) = story
            .steps
            .iter()
            .enumerate()
            .find(|(_, g)| g.collapsed)
            .unwrap();
        let svg = render_story_inline(&t, &story, &[i], None);
        let drawn = rows(&svg);
        assert_eq!(drawn.len(), story.lines() - 1 + g.steps.len());
        assert!(!svg.contains(&format!(r#"data-group="{i}""#)));
        let at = drawn.iter().position(|r| r.0 == g.steps[0]).unwrap();
        let shown: Vec<(usize, bool)> = g.steps.iter().map(|&k| (k, false)).collect();
        assert_eq!(
            drawn[at..at + g.steps.len()],
            shown[..],
            "together, in order"
        );
        // Its first step carries the ▾ that folds it again, and only that group has one.
        assert_eq!(svg.matches(r#"<g class="fold""#).count(), 1);
        let fold = svg.split(r#"<g class="fold""#).nth(1).unwrap();
        let first = g.steps[0];
        assert!(
            fold.starts_with(&format!(
                r#" data-fold="{i}" data-step="{first}" tabindex="0" role="button""#
            )),
            "{fold}"
        );
        let step_at = svg.find(&format!(r#"<g class="step" data-step="{}">"#, g.steps[0]));
        assert!(step_at.unwrap() < svg.find(r#"<g class="fold""#).unwrap());
        assert!(!render_story_inline(&t, &story, &[], None).contains("class=\"fold\""));
        let all: Vec<usize> = (0..story.steps.len()).collect();
        let every = rows(&render_story_inline(&t, &story, &all, None));
        let mut steps: Vec<usize> = every.iter().map(|r| r.0).collect();
        assert!(every.iter().all(|r| !r.1));
        steps.sort_unstable();
        assert_eq!(steps, (1..=t.rows.len()).collect::<Vec<_>>());
    }

    #[test]
    fn the_step_on_screen_inside_a_block_marks_the_block_and_every_shape_is_painted() {
        let (t, story) = story_timeline();
        let g = story.steps.iter().find(|g| g.collapsed).unwrap();
        let inside = *g.steps.last().unwrap();
        let svg = render_story_inline(&t, &story, &[], Some(inside));
        assert_eq!(svg.matches(r#"stroke-width="2.5""#).count(), 1);
        let block = svg
            .split(r#"<g class="step macro""#)
            .find(|b| b.starts_with(&format!(r#" data-step="{}""#, g.steps[0])))
            .unwrap();
        assert!(block.split("</g>").next().unwrap().contains("box cur"));
        assert_painted_without_repeated_attributes(&svg);
        let file = render_story_in(&t, &story, &[], Some(inside), Palette::Light);
        assert!(file.contains("<style>") && rows(&file) == rows(&svg));
    }
}
