//! The screen reader's view of the run: a polite live region that says each step, and an
//! assertive one that says each violation as it becomes true. Visually hidden (`sr-only`).

use core_sim::timeline::Row;
use core_sim::Violation;
use yew::prelude::*;

/// Props of [`Announcer`].
#[derive(Properties, PartialEq)]
pub struct AnnouncerProps {
    /// What the step on screen did.
    pub step: AttrValue,
    /// The violations that became true at that step.
    pub alarm: AttrValue,
}

/// The two live regions.
#[function_component(Announcer)]
pub fn announcer(p: &AnnouncerProps) -> Html {
    html! {
        <div class="sr-only">
            <p id="announce-step" aria-live="polite" aria-atomic="true">{ &p.step }</p>
            <p id="announce-violation" role="alert" aria-live="assertive" aria-atomic="true">{ &p.alarm }</p>
        </div>
    }
}

/// The sentence for the step on screen: its number, who ran what, and what changed.
pub fn step_text(position: usize, len: usize, row: Option<&Row>, who: &str) -> String {
    let Some(r) = row.filter(|_| position > 0) else {
        return format!("Initial state, step 0 of {len}.");
    };
    let mut s = if r.flush {
        format!(
            "Step {position} of {len}: {who}'s store buffer to memory: {}.",
            r.label
        )
    } else {
        format!(
            "Step {position} of {len}: {who}: {}: {}.",
            r.func,
            r.code.trim()
        )
    };
    for c in &r.changes {
        s.push_str(&format!(" {}: {} → {}.", c.label, c.before, c.after));
    }
    for n in &r.notes {
        s.push_str(&format!(" {n}."));
    }
    s
}

/// The sentence for the violations that became true at `position` (empty if none).
pub fn alarm_text(violations: &[Violation], position: usize) -> String {
    violations
        .iter()
        .filter(|v| v.step == position && position > 0)
        .map(|v| {
            format!(
                "Violation at step {position}: {} ({}). {}",
                v.kind.title(),
                v.kind.severity(),
                v.explanation
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_sim::explore::Session;
    use core_sim::timeline::Timeline;

    #[test]
    fn the_regions_say_the_step_and_the_hang() {
        let sim = core_sim::Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let s = Session::replay(&sim, "000000000111111111111222").unwrap();
        let rows = Timeline::from_session(&s).rows;
        assert_eq!(step_text(0, 24, None, ""), "Initial state, step 0 of 24.");
        let nine = step_text(9, 24, rows.get(8), "vCPU0 thread");
        assert!(nine.starts_with("Step 9 of 24: vCPU0 thread: "), "{nine}");
        assert!(nine.contains("blocked (asleep)"), "{nine}");
        assert_eq!(alarm_text(&s.violations(), 9), "");
        let hang = alarm_text(&s.violations(), 24);
        assert!(hang.contains("lost wake-up (hang)"), "{hang}");
    }
}
