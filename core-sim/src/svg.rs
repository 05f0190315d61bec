//! The one drawing of a timeline: a sequence diagram in SVG, shared by the web app and the CLI.

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

/// Render a timeline; `current` marks a row (1-based step) as the one on screen.
pub fn render(t: &Timeline, current: Option<usize>) -> String {
    let lanes = t.lanes.len().max(1);
    let extra_rows = t.final_violations.len() + t.initial_violations.len();
    let width = LEFT + lanes * LANE_W + NOTES_W;
    let height = TOP + (t.rows.len() + extra_rows + 1) * ROW_H + 20;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="ui-monospace, SFMono-Regular, Menlo, monospace" font-size="12" role="img" aria-label="{title}">"#,
        title = esc(&t.title)
    );
    s.push_str(
        "<style>.bg{fill:#ffffff}.lane{stroke:#c8ccd4;stroke-dasharray:4 4}.head{font-weight:700;fill:#1f2430}\
.box{fill:#e8f0fe;stroke:#4a6fd1}.flush{fill:#fff4d6;stroke:#c99a1b}.cur{stroke:#111;stroke-width:2.5}\
.txt{fill:#1f2430}.num{fill:#7a8190}.chg{fill:#39604a}.bad{fill:#b00020;font-weight:700}.badbox{fill:#fde7ea;stroke:#b00020}\
@media (prefers-color-scheme: dark){.bg{fill:#16181d}.head,.txt{fill:#e6e8ee}.box{fill:#233052;stroke:#7d9cf0}\
.flush{fill:#4a3b12;stroke:#e0b341}.cur{stroke:#fff}.chg{fill:#8fd3a8}.bad{fill:#ff6b81}.badbox{fill:#4a1820;stroke:#ff6b81}.num{fill:#9aa1ae}}</style>",
    );
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
    for r in &t.rows {
        let x = LEFT + r.lane * LANE_W + 6;
        let class = if !r.violations.is_empty() {
            "badbox"
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
    s
}
