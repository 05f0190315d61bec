//! The boxes of the picture: the pCPUs (with the vCPU there and any doorbell nobody answers)
//! and one card per vCPU (state, physical ID table entry, IRR, ir_list, ir_list_lock).

use super::*;
use crate::scene::VcpuCard;

pub(super) fn draw_pcpus(out: &mut String, s: &Scene, l: &Layout) {
    for p in &s.pcpus {
        let x = l.col_x(p.id as usize);
        let unanswered: Vec<u8> = s
            .irtes
            .iter()
            .filter_map(|a| match a.route {
                Route::Doorbell {
                    pcpu: Some(q),
                    vcpu,
                    ..
                } if q == p.id && a.route.unanswered() => Some(vcpu),
                _ => None,
            })
            .collect();
        let _ = write!(
            out,
            r#"<g class="pic-pcpu" data-pcpu="{}" data-empty="{}">"#,
            p.id,
            p.occupant.is_none()
        );
        let class = if p.changed {
            "pic-chg"
        } else if p.occupant.is_none() {
            "pic-empty"
        } else {
            "pic-box"
        };
        rect(out, class, x, TOP, COL_W, PCPU_H);
        text(
            out,
            "pic-head",
            x + 10,
            TOP + 18,
            &format!("pCPU{} · APIC ID {}", p.id, p.apic),
            36,
        );
        let body = match p.occupant {
            Some(o) if o.in_guest => format!("vCPU{} in the guest", o.vcpu),
            Some(o) => format!("vCPU{} loaded (in KVM)", o.vcpu),
            None => "no vCPU here".into(),
        };
        text(out, "pic-txt", x + 10, TOP + 36, &body, 36);
        if let Some(v) = unanswered.first() {
            let more = if unanswered.len() > 1 { " …" } else { "" };
            text(
                out,
                "pic-bad",
                x + 10,
                TOP + 54,
                &format!("vCPU{v}'s doorbell: nobody answers{more}"),
                36,
            );
        }
        out.push_str("</g>");
    }
    let lost: Vec<u8> = s
        .irtes
        .iter()
        .filter_map(|a| match a.route {
            Route::Doorbell {
                pcpu: None, apic, ..
            } => Some(apic),
            _ => None,
        })
        .collect();
    if let Some(apic) = lost.first() {
        let x = l.nowhere_x;
        rect(out, "pic-empty", x, TOP, 170, PCPU_H);
        text(
            out,
            "pic-head",
            x + 10,
            TOP + 18,
            &format!("APIC ID {apic}"),
            20,
        );
        text(out, "pic-bad", x + 10, TOP + 36, "no such CPU:", 20);
        text(out, "pic-bad", x + 10, TOP + 54, "nobody answers", 20);
    }
}

pub(super) fn draw_card(out: &mut String, v: &VcpuCard, x: usize) {
    let y = CARD_Y;
    let _ = write!(
        out,
        r#"<g class="pic-vcpu" data-vcpu="{}" data-asleep="{}">"#,
        v.id, v.asleep
    );
    rect(out, "pic-box", x, y, COL_W, CARD_H);
    let list = if v.ir_list.is_empty() {
        "empty".to_string()
    } else {
        let items: Vec<String> = v.ir_list.iter().map(|i| format!("IRTE{i}")).collect();
        items.join(", ")
    };
    let lines: [(bool, String, &str); 5] = [
        (
            v.state_changed,
            format!("vCPU{} · {}", v.id, v.state),
            "pic-head",
        ),
        (
            v.entry_changed,
            format!(
                "entry IsRunning {} · host {}",
                v.is_running as u8,
                v.host_pcpu
                    .map_or(format!("ID {}", v.host_apic), |p| format!("pCPU{p}"))
            ),
            "pic-txt",
        ),
        (
            v.irr_changed,
            format!("IRR {}", vectors(v.irr)),
            if v.irr != 0 && v.asleep {
                "pic-bad"
            } else {
                "pic-txt"
            },
        ),
        (v.list_changed, format!("ir_list {list}"), "pic-txt"),
        (
            v.list_changed,
            format!(
                "ir_list_lock {}",
                v.lock_holder
                    .as_deref()
                    .map_or("free".to_string(), |t| format!("held by {t}"))
            ),
            "pic-dim",
        ),
    ];
    for (k, (changed, body, class)) in lines.iter().enumerate() {
        let ly = y + 6 + k * (LINE + 6);
        if *changed {
            rect(out, "pic-chg", x + 4, ly, COL_W - 8, LINE + 4);
        }
        text(out, class, x + 10, ly + LINE - 2, body, 36);
    }
    out.push_str("</g>");
}

fn vectors(bits: u8) -> String {
    if bits == 0 {
        return "empty".into();
    }
    let v: Vec<String> = (0..8)
        .filter(|i| bits & (1 << i) != 0)
        .map(|i| i.to_string())
        .collect();
    let s = if v.len() > 1 { "s" } else { "" };
    format!("vector{s} {} pending", v.join(", "))
}
