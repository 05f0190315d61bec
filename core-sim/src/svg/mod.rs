//! The core's drawings, shared by the web app and the CLI: a timeline as a sequence diagram in
//! SVG (this file), and the machine picture ([`picture`]).

mod picture;

pub use picture::{picture, picture_inline};

use crate::timeline::Timeline;
use std::fmt::Write;

const LANE_W: usize = 200;
const ROW_H: usize = 34;
const LEFT: usize = 44;
const TOP: usize = 70;
const NOTES_W: usize = 520;

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
    draw(t, current, true)
}

/// The same drawing for inserting into a page's DOM: no `<style>` element (so it works under a
/// strict Content-Security-Policy and leaks no rules into the page). The light colours are
/// presentation attributes, which the page's own style sheet may override, e.g. with
/// `svg.avic-timeline .box { fill: … }`.
pub fn render_inline(t: &Timeline, current: Option<usize>) -> String {
    draw(t, current, false)
}

/// Light-theme colours of each class, as presentation attributes.
fn paint(class: &str) -> &'static str {
    match class {
        "bg" => r##"fill="#ffffff""##,
        "lane" => r##"stroke="#c8ccd4" stroke-dasharray="4 4""##,
        "head" => r##"fill="#1f2430" font-weight="700""##,
        "box" => r##"fill="#e8f0fe" stroke="#4a6fd1""##,
        "flush" => r##"fill="#fff4d6" stroke="#c99a1b""##,
        "badbox" => r##"fill="#fde7ea" stroke="#b00020""##,
        "cur" => r##"stroke="#111111" stroke-width="2.5""##,
        "txt" => r##"fill="#1f2430""##,
        "num" => r##"fill="#7a8190""##,
        "chg" => r##"fill="#39604a""##,
        "bad" => r##"fill="#b00020" font-weight="700""##,
        "causebox" => {
            r##"fill="#efe6f7" stroke="#6a3d9a" stroke-width="2" stroke-dasharray="5 3""##
        }
        "causetxt" => r##"fill="#6a3d9a" font-weight="700""##,
        "race" => r##"stroke="#00695c" stroke-width="2.2" fill="none""##,
        "racehead" => r##"fill="#00695c""##,
        "racetxt" => r##"fill="#00695c" font-weight="700""##,
        _ => "",
    }
}

/// Fill of a box class, for a current box whose stroke is the `cur` one.
fn fill_only(class: &str) -> &'static str {
    match class {
        "flush" => r##"fill="#fff4d6""##,
        "badbox" => r##"fill="#fde7ea""##,
        "causebox" => r##"fill="#efe6f7""##,
        _ => r##"fill="#e8f0fe""##,
    }
}

fn draw(t: &Timeline, current: Option<usize>, with_style: bool) -> String {
    let lanes = t.lanes.len().max(1);
    let extra_rows = t.final_violations.len() + t.initial_violations.len();
    let width = LEFT + lanes * LANE_W + NOTES_W;
    let height = TOP + (t.rows.len() + extra_rows + 1) * ROW_H + 20;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="avic-timeline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="ui-monospace, SFMono-Regular, Menlo, monospace" font-size="12" role="img" aria-label="{title}">"#,
        title = esc(&t.title)
    );
    if with_style {
        s.push_str(
            "<style>.bg{fill:#ffffff}.lane{stroke:#c8ccd4;stroke-dasharray:4 4}.head{font-weight:700;fill:#1f2430}\
.box{fill:#e8f0fe;stroke:#4a6fd1}.flush{fill:#fff4d6;stroke:#c99a1b}.cur{stroke:#111;stroke-width:2.5}\
.txt{fill:#1f2430}.num{fill:#7a8190}.chg{fill:#39604a}.bad{fill:#b00020;font-weight:700}.badbox{fill:#fde7ea;stroke:#b00020}\
@media (prefers-color-scheme: dark){.bg{fill:#16181d}.head,.txt{fill:#e6e8ee}.box{fill:#233052;stroke:#7d9cf0}\
.flush{fill:#4a3b12;stroke:#e0b341}.cur{stroke:#fff}.chg{fill:#8fd3a8}.bad{fill:#ff6b81}.badbox{fill:#4a1820;stroke:#ff6b81}.num{fill:#9aa1ae}\
.causebox{fill:#35264a;stroke:#c9a0f0}.causetxt{fill:#c9a0f0}.race{stroke:#4dd0c0}.racehead,.racetxt{fill:#4dd0c0}}</style>",
        );
    }
    let _ = write!(
        s,
        r#"<rect class="bg" x="0" y="0" width="{width}" height="{height}"/>"#
    );
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
        let _ = write!(
            s,
            r#"<line class="lane" x1="{x}" y1="{}" x2="{x}" y2="{}"/>"#,
            TOP - 8,
            height - 10
        );
    }
    let notes_x = LEFT + lanes * LANE_W + 8;
    let _ = write!(
        s,
        r#"<text class="head" x="{notes_x}" y="52">state changes</text>"#
    );
    let mut y = TOP;
    for v in &t.initial_violations {
        let _ = write!(
            s,
            r#"<text class="bad" x="{LEFT}" y="{}">⚠ at start [{}] {}</text>"#,
            y + 16,
            v.kind,
            esc(&clip(&v.explanation, 150))
        );
        y += ROW_H;
    }
    let causes = t.cause_steps();
    let mut row_y = Vec::with_capacity(t.rows.len());
    for r in &t.rows {
        let x = LEFT + r.lane * LANE_W + 6;
        row_y.push(y);
        let is_cause = causes.contains(&r.step);
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
            r#"<g class="step" data-step="{}"><title>{}</title><text class="num" x="4" y="{}">{}</text><rect class="{class}{cur}" x="{x}" y="{}" width="{}" height="{}" rx="5"/><text class="txt" x="{}" y="{}">{}</text></g>"#,
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
        let mut notes: Vec<String> = r
            .changes
            .iter()
            .map(|c| format!("{}: {}", c.label, c.after))
            .collect();
        notes.extend(r.notes.iter().cloned());
        if notes.is_empty() {
            notes.push(String::new());
        }
        let _ = write!(
            s,
            r#"<text class="chg" x="{notes_x}" y="{}">{}</text>"#,
            y + 15,
            esc(&clip(&notes.join(" · "), 80))
        );
        if let Some(v) = r.violations.first() {
            let _ = write!(
                s,
                r#"<text class="bad" x="{notes_x}" y="{}">⚠ [{}] {}</text>"#,
                y + 29,
                v.kind,
                esc(&clip(&v.explanation, 78))
            );
        }
        y += ROW_H;
    }
    race_arrows(&mut s, t, &row_y);
    if !t.causes.is_empty() {
        legend(&mut s, width);
    }
    for v in &t.final_violations {
        let _ = write!(
            s,
            r#"<text class="bad" x="{LEFT}" y="{}">⚠ at the end [{}] {}</text>"#,
            y + 16,
            v.kind,
            esc(&clip(&v.explanation, 150))
        );
        y += ROW_H;
    }
    s.push_str("</svg>");
    with_paint(s)
}

/// One arrow per deciding race (at most three), from the earlier access's box to the later one's,
/// labelled "race".
fn race_arrows(s: &mut String, t: &Timeline, row_y: &[usize]) {
    let mut drawn: Vec<(usize, usize)> = Vec::new();
    for r in t.races.iter().flatten() {
        let pair = (r.first, r.second);
        if drawn.contains(&pair) || drawn.len() == 3 {
            continue;
        }
        let (Some(a), Some(b)) = (t.rows.get(r.first - 1), t.rows.get(r.second - 1)) else {
            continue;
        };
        drawn.push(pair);
        let cx = |lane: usize| LEFT + lane * LANE_W + LANE_W / 2;
        let (x1, y1) = (cx(a.lane), row_y[r.first - 1] + ROW_H / 2);
        let (x2, y2) = (cx(b.lane), row_y[r.second - 1] + 3);
        let bend = x1.min(x2).saturating_sub(30).max(LEFT / 2);
        let _ = write!(
            s,
            r#"<g class="race-arrow" data-first="{}" data-second="{}"><title>{}</title><path class="race" d="M{x1},{y1} C{bend},{y1} {bend},{y2} {x2},{y2}" marker-end="url(#race-head)"/><text class="racetxt" x="{}" y="{}" font-size="10">⇄ race</text></g>"#,
            r.first,
            r.second,
            esc(&r.text),
            bend + 2,
            (y1 + y2) / 2
        );
    }
    if !drawn.is_empty() {
        s.push_str(r#"<defs><marker id="race-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path class="racehead" d="M0,0 L10,5 L0,10 z"/></marker></defs>"#);
    }
}

/// What the marks mean, top right: shape and word as well as colour.
fn legend(s: &mut String, width: usize) {
    let x = width - 8;
    let _ = write!(
        s,
        r#"<text class="txt" x="{x}" y="22" text-anchor="end" font-size="11"><tspan class="causetxt">◆ cause (dashed box)</tspan><tspan class="txt">  ·  </tspan><tspan class="bad">⚠ seen by the oracle</tspan><tspan class="txt">  ·  </tspan><tspan class="racetxt">⇄ deciding race (arrow)</tspan></text>"#
    );
}

/// Give every classed element its light colours as presentation attributes. (Text is escaped, so
/// `class="` only occurs in markup.)
fn with_paint(mut s: String) -> String {
    for box_class in ["box", "flush", "badbox", "causebox"] {
        s = s.replace(
            &format!(r#"class="{box_class} cur""#),
            &format!(
                r#"class="{box_class} cur" {} {}"#,
                fill_only(box_class),
                paint("cur")
            ),
        );
    }
    for class in [
        "bg", "lane", "head", "box", "flush", "badbox", "txt", "num", "chg", "bad", "causebox",
        "causetxt", "race", "racehead", "racetxt",
    ] {
        s = s.replace(
            &format!(r#"class="{class}""#),
            &format!(r#"class="{class}" {}"#, paint(class)),
        );
    }
    s
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

    #[test]
    fn inline_drawing_has_no_style_element_and_paints_every_shape() {
        let t = timeline();
        let inline = render_inline(&t, Some(12));
        assert!(!inline.contains("<style"), "CSP-safe: no <style>");
        assert!(inline.contains(r#"class="avic-timeline""#));
        for tag in inline
            .split('<')
            .filter(|t| t.starts_with("rect") || t.starts_with("text"))
        {
            assert!(tag.contains("fill=\""), "unpainted: <{tag}");
        }
        assert_eq!(
            inline.matches(r#"stroke-width="2.5""#).count(),
            1,
            "exactly the current step is outlined"
        );
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
}
