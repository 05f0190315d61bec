//! The one drawing of the machine picture ([`Scene`]): the IOMMU and its IRTEs on the left, each
//! with an arrow to where an interrupt posted now would go (a pCPU's doorbell, the GA log, the
//! host, or the vCPU's IRR alone); the pCPUs along the top with the vCPU in the guest or loaded
//! there; a card per vCPU with its physical ID table entry, IRR, ir_list and ir_list_lock holder.
//! What the last step changed is outlined; a doorbell its vCPU does not answer is drawn red and
//! dashed, "nobody answers".
//!
//! Every element carries a class (colours for the web app's themes) and its light colours as
//! presentation attributes; [`picture`] adds a style sheet that follows the viewer's dark mode,
//! [`picture_inline`] does not (a strict Content-Security-Policy refuses `<style>`). Shapes carry
//! `data-*` attributes (`data-pcpu`, `data-irte`, `data-route`, `data-to`) for tests and scripts.

use crate::scene::{Route, Scene};
use crate::text::{clip, xml};
use std::fmt::Write;

mod boxes;

use boxes::{draw_card, draw_pcpus};

const PAD: usize = 12;
const IOMMU_W: usize = 330;
const GAP: usize = 96;
const COL_W: usize = 270;
const COL_GAP: usize = 24;
const TOP: usize = 44;
const PCPU_H: usize = 64;
const CARD_Y: usize = TOP + PCPU_H + 22;
const CARD_H: usize = 125;
const IRTE_H: usize = 46;
const LOG_H: usize = 46;
const LINE: usize = 17;

/// The picture as a standalone SVG file (with a dark-mode style sheet).
pub fn picture(s: &Scene) -> String {
    draw(s, true)
}

/// The picture for inserting into a page: no `<style>` element; the page's style sheet may
/// recolour the classes (`svg.avic-picture .pic-box { … }`).
pub fn picture_inline(s: &Scene) -> String {
    draw(s, false)
}

/// [`picture_inline`] for a slide, which says the world and the step in its own words: without
/// the title line and the caption, its view box cropped to the drawing, so the same width shows
/// the boxes larger.
pub fn picture_slide(s: &Scene) -> String {
    draw_as(s, false, false)
}

/// What a slide's view box leaves out at the top (the title line; the arrows to the pCPUs
/// curve no higher than `TOP - 34`) and at the bottom (the caption).
const SLIDE_TOP: usize = 8;
const SLIDE_CUT: usize = 24;

/// Light colours of each class, as presentation attributes.
fn paint(class: &str) -> &'static str {
    match class {
        "pic-bg" => r##"fill="#ffffff""##,
        "pic-box" => r##"fill="#f4f6fa" stroke="#7a8496""##,
        "pic-empty" => r##"fill="#ffffff" stroke="#9aa1ae" stroke-dasharray="5 4""##,
        "pic-chg" => r##"fill="#fff3c2" stroke="#c98a00" stroke-width="3""##,
        "pic-head" => r##"fill="#1f2430" font-weight="700""##,
        "pic-txt" => r##"fill="#1f2430""##,
        "pic-dim" => r##"fill="#4d5566""##,
        "pic-bad" => r##"fill="#b00020" font-weight="700""##,
        "pic-ok" => r##"fill="#1c6b37""##,
        "pic-arrow" => r##"fill="none" stroke="#2f63d0" stroke-width="2.5""##,
        "pic-arrow-bad" => {
            r##"fill="none" stroke="#b00020" stroke-width="3" stroke-dasharray="7 5""##
        }
        "pic-arrow-log" => r##"fill="none" stroke="#1c7a3c" stroke-width="2.5""##,
        "pic-tip" => r##"fill="#2f63d0""##,
        "pic-tip-bad" => r##"fill="#b00020""##,
        "pic-tip-log" => r##"fill="#1c7a3c""##,
        _ => "",
    }
}

const STYLE: &str = "<style>@media (prefers-color-scheme: dark){.pic-bg{fill:#16181d}\
.pic-box{fill:#20252e;stroke:#7d8799}.pic-empty{fill:#16181d;stroke:#7d8799}\
.pic-chg{fill:#463a0d;stroke:#e8b923}.pic-head,.pic-txt{fill:#e6e8ee}.pic-dim{fill:#aab1bd}\
.pic-bad{fill:#ff7088}.pic-ok{fill:#6fd394}.pic-arrow{stroke:#7aa5f5}.pic-arrow-bad{stroke:#ff7088}\
.pic-arrow-log{stroke:#6fd394}.pic-tip{fill:#7aa5f5}.pic-tip-bad{fill:#ff7088}.pic-tip-log{fill:#6fd394}}</style>";

/// `class="…"` with its paint.
fn c(class: &str) -> String {
    format!(r#"class="{class}" {}"#, paint(class))
}

fn text(s: &mut String, class: &str, x: usize, y: usize, body: &str, max: usize) {
    let _ = write!(
        s,
        r#"<text {} x="{x}" y="{y}">{}</text>"#,
        c(class),
        xml(&clip(body, max))
    );
}

fn rect(s: &mut String, class: &str, x: usize, y: usize, w: usize, h: usize) {
    let _ = write!(
        s,
        r#"<rect {} x="{x}" y="{y}" width="{w}" height="{h}" rx="6"/>"#,
        c(class)
    );
}

/// Where things are, from the scene's sizes.
struct Layout {
    right: usize,
    log_y: usize,
    host_y: Option<usize>,
    nowhere_x: usize,
    width: usize,
    height: usize,
}

impl Layout {
    fn of(s: &Scene) -> Layout {
        let right = PAD + IOMMU_W + GAP;
        let cols = s.pcpus.len().max(s.vcpus.len()).max(1);
        let iommu_h = 28 + s.irtes.len().max(1) * IRTE_H;
        let log_y = TOP + iommu_h + 16;
        let host = s
            .irtes
            .iter()
            .any(|a| matches!(a.route, Route::Host { .. }));
        let host_y = host.then_some(log_y + LOG_H + 14);
        let nowhere = s
            .irtes
            .iter()
            .any(|a| matches!(a.route, Route::Doorbell { pcpu: None, .. }));
        let nowhere_x = right + s.pcpus.len() * (COL_W + COL_GAP);
        let width = nowhere_x - COL_GAP + if nowhere { COL_GAP + 170 } else { 0 } + PAD;
        let width = width.max(right + cols * (COL_W + COL_GAP) - COL_GAP + PAD);
        let left_bottom = host_y.unwrap_or(log_y) + LOG_H;
        let height = left_bottom.max(CARD_Y + CARD_H) + 34;
        Layout {
            right,
            log_y,
            host_y,
            nowhere_x,
            width,
            height,
        }
    }

    fn col_x(&self, i: usize) -> usize {
        self.right + i * (COL_W + COL_GAP)
    }

    fn irte_y(i: usize) -> usize {
        TOP + 28 + i * IRTE_H
    }
}

fn draw(s: &Scene, with_style: bool) -> String {
    draw_as(s, with_style, true)
}

/// The drawing, with a style sheet or not, with its title and caption or not.
fn draw_as(s: &Scene, with_style: bool, titled: bool) -> String {
    let l = Layout::of(s);
    let (w, h) = (l.width, l.height);
    let (top, shown) = if titled {
        (0, h)
    } else {
        (SLIDE_TOP, h - SLIDE_TOP - SLIDE_CUT)
    };
    let summary: Vec<String> = s
        .irtes
        .iter()
        .map(|a| format!("IRTE{}: {}", a.index, a.route.describe()))
        .collect();
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="avic-picture" viewBox="0 {top} {w} {shown}" width="{w}" height="{shown}" font-family="ui-monospace, SFMono-Regular, Menlo, monospace" font-size="12" role="img" aria-label="{}">"#,
        xml(&format!(
            "The machine after step {}: {}",
            s.step,
            summary.join("; ")
        ))
    );
    if with_style {
        out.push_str(STYLE);
    }
    out.push_str("<defs>");
    for (id, class) in [
        ("pic-tip", "pic-tip"),
        ("pic-tip-bad", "pic-tip-bad"),
        ("pic-tip-log", "pic-tip-log"),
    ] {
        let _ = write!(
            out,
            r#"<marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="13" markerHeight="13" orient="auto-start-reverse"><path {} d="M0 0L10 5L0 10z"/></marker>"#,
            c(class)
        );
    }
    out.push_str("</defs>");
    rect(&mut out, "pic-bg", 0, 0, w, h);
    if titled {
        text(&mut out, "pic-head", PAD, 22, &s.title, 60);
    }
    draw_iommu(&mut out, s, &l);
    draw_pcpus(&mut out, s, &l);
    for v in &s.vcpus {
        draw_card(&mut out, v, l.col_x(v.id as usize));
    }
    for a in &s.irtes {
        draw_arrow(&mut out, s, &l, a.index as usize, &a.route);
    }
    if titled {
        let caption = s
            .last
            .clone()
            .unwrap_or_else(|| "the initial state: no step taken yet".into());
        text(&mut out, "pic-dim", PAD, h - 12, &caption, 130);
    }
    out.push_str("</svg>");
    out
}

fn draw_iommu(out: &mut String, s: &Scene, l: &Layout) {
    let iommu_h = 28 + s.irtes.len().max(1) * IRTE_H;
    rect(out, "pic-box", PAD, TOP, IOMMU_W, iommu_h);
    text(
        out,
        "pic-head",
        PAD + 10,
        TOP + 19,
        "IOMMU: IRTEs (GA mode)",
        40,
    );
    for a in &s.irtes {
        let y = Layout::irte_y(a.index as usize);
        let _ = write!(
            out,
            r#"<g class="pic-irte" data-irte="{}" data-changed="{}">"#,
            a.index, a.changed
        );
        if a.changed {
            rect(out, "pic-chg", PAD + 4, y, IOMMU_W - 8, IRTE_H - 4);
        }
        let i = &a.irte;
        let body = if i.guest_mode {
            format!(
                "IRTE{} GA vCPU{} IsRun {} dest {} GALog {}",
                a.index,
                i.ga_tag.map_or("?".to_string(), |v| v.to_string()),
                i.is_run as u8,
                i.destination,
                i.ga_log_intr as u8
            )
        } else {
            format!("IRTE{} remapped (legacy)", a.index)
        };
        text(out, "pic-txt", PAD + 10, y + 16, &body, 44);
        let class = if a.route.unanswered() {
            "pic-bad"
        } else {
            "pic-dim"
        };
        text(
            out,
            class,
            PAD + 10,
            y + 34,
            &format!("→ {}", a.route.short()),
            44,
        );
        out.push_str("</g>");
    }
    rect(out, "pic-box", PAD, l.log_y, IOMMU_W, LOG_H);
    if s.ga_log_changed {
        rect(out, "pic-chg", PAD + 4, l.log_y + 4, IOMMU_W - 8, LOG_H - 8);
    }
    let log: Vec<String> = s.ga_log.iter().map(|v| format!("vCPU{v}")).collect();
    text(out, "pic-head", PAD + 10, l.log_y + 19, "GA log", 20);
    let body = if log.is_empty() {
        "empty".to_string()
    } else {
        format!("{}: avic_ga_log_notifier wakes", log.join(", "))
    };
    text(out, "pic-txt", PAD + 10, l.log_y + 37, &body, 42);
    if let Some(y) = l.host_y {
        rect(out, "pic-box", PAD, y, IOMMU_W, LOG_H);
        text(out, "pic-head", PAD + 10, y + 19, "host (remapped)", 30);
        text(out, "pic-txt", PAD + 10, y + 37, "KVM injects", 42);
    }
}

fn draw_arrow(out: &mut String, s: &Scene, l: &Layout, i: usize, route: &Route) {
    let (sx, sy) = (PAD + IOMMU_W, Layout::irte_y(i) + IRTE_H / 2 - 2);
    let spread = 14 * i;
    let (kind, to, path) = match *route {
        Route::Doorbell { pcpu: Some(p), .. } => {
            let ex = l.col_x(p as usize) + 40 + spread;
            (
                "doorbell",
                format!("pcpu{p}"),
                format!("M{sx} {sy}C{} {sy} {ex} {} {ex} {}", sx + 60, TOP - 34, TOP),
            )
        }
        Route::Doorbell { pcpu: None, .. } => {
            let ex = l.nowhere_x + 40 + spread;
            (
                "doorbell",
                "nowhere".into(),
                format!("M{sx} {sy}C{} {sy} {ex} {} {ex} {}", sx + 60, TOP - 34, TOP),
            )
        }
        Route::GaLog { .. } | Route::Host { .. } => {
            let (ey, kind, to) = match (*route, l.host_y) {
                (Route::Host { .. }, Some(y)) => (y + LOG_H / 2, "host", "host"),
                _ => (l.log_y + LOG_H / 2, "ga-log", "ga-log"),
            };
            let bend = sx + 44 + spread;
            (
                kind,
                to.into(),
                format!("M{sx} {sy}C{bend} {sy} {bend} {ey} {sx} {ey}"),
            )
        }
        Route::Silent { vcpu } => {
            let ex = l.col_x(vcpu as usize);
            let ey = CARD_Y + 6 + 2 * (LINE + 6) + LINE / 2 + 2;
            (
                "irr-only",
                format!("vcpu{vcpu}"),
                format!("M{sx} {sy}C{} {sy} {} {ey} {ex} {ey}", sx + 50, ex - 50),
            )
        }
    };
    let (class, tip) = if route.unanswered() {
        ("pic-arrow-bad", "pic-tip-bad")
    } else if kind == "ga-log" {
        ("pic-arrow-log", "pic-tip-log")
    } else {
        ("pic-arrow", "pic-tip")
    };
    let changed = s.irtes[i].changed;
    let _ = write!(
        out,
        r#"<path {} d="{path}" marker-end="url(#{tip})" data-irte="{i}" data-route="{kind}" data-to="{to}" data-unanswered="{}" data-changed="{changed}"><title>{}</title></path>"#,
        c(class),
        route.unanswered(),
        xml(&format!("IRTE{i}: {}", route.describe()))
    );
}

#[cfg(test)]
mod tests;
