//! Writing a link: the query string in the current format.

use super::knobs::knob_code;
use super::link::{Link, ScenarioRef, Theme, View};
use super::percent::{percent_encode, percent_encode_spaces};
use super::VERSION;
use crate::strategy::Strategy;

/// The query string (with its leading `?`) for a link, in the current format.
pub fn encode(link: &Link) -> String {
    let compact = matches!(link.scenario, ScenarioRef::Compact(_));
    let version = match (link.legacy_steps, compact, &link.program) {
        (true, _, _) => 2,
        (false, true, _) => VERSION,
        (false, false, Some(_)) => 4,
        (false, false, None) => 3,
    };
    let mut out = format!("?v={version}");
    let lesson = match (link.view, &link.lesson) {
        (View::Lesson, Some(id)) => Some(id),
        _ => None,
    };
    if let Some(id) = lesson {
        push(&mut out, "view", "lesson");
        push(&mut out, "l", id);
        push(&mut out, "at", &link.step.unwrap_or(0).to_string());
    } else {
        match &link.scenario {
            ScenarioRef::Shipped(id) => push(&mut out, "s", id),
            ScenarioRef::Json(json) => push(&mut out, "sj", json),
            ScenarioRef::Compact(text) => {
                out.push_str("&sc=");
                out.push_str(&percent_encode_spaces(text));
            }
        }
        push(&mut out, "t", &strategy_code(&link.knobs));
        push(&mut out, "m", link.memory.id());
        if !link.schedule.is_empty() {
            push(&mut out, "r", &link.schedule);
        }
        if let Some(step) = link.step.filter(|&s| s != link.schedule.chars().count()) {
            push(&mut out, "at", &step.to_string());
        }
        if let Some(b) = &link.against {
            push(&mut out, "vs", &strategy_code(&b.knobs));
            if b.memory != link.memory {
                push(&mut out, "vm", b.memory.id());
            }
        }
        match (link.view, &link.challenge) {
            (View::Matrix, _) => push(&mut out, "view", "matrix"),
            // The list of lessons, over the world on screen.
            (View::Lesson, _) => push(&mut out, "view", "lesson"),
            (View::Primer, _) => push(&mut out, "view", "primer"),
            // A challenge is named by `ch=` alone (a lab without challenges ignores it and
            // opens the same world and run); without one, the list of challenges.
            (View::Challenge, Some(id)) => push(&mut out, "ch", id),
            (View::Challenge, None) => push(&mut out, "view", "challenge"),
            (View::Host, _) => push(&mut out, "view", "host"),
            (View::Editor, _) => push(&mut out, "view", "editor"),
            (View::Explorer, _) => {}
        }
    }
    if let Some(pg) = &link.program {
        push(&mut out, "pg", pg);
    }
    if link.embed {
        push(&mut out, "embed", "1");
    }
    if link.theme != Theme::Auto {
        push(&mut out, "theme", link.theme.id());
    }
    out
}

/// A strategy in a link: the preset's id, or `k.` and the knob code.
fn strategy_code(knobs: &crate::strategy::Knobs) -> String {
    match Strategy::custom(*knobs).preset_id() {
        Some(id) => id.to_string(),
        None => knob_code(knobs),
    }
}

fn push(out: &mut String, key: &str, value: &str) {
    out.push('&');
    out.push_str(key);
    out.push('=');
    out.push_str(&percent_encode(value));
}

#[cfg(test)]
mod tests {
    use crate::share::*;
    use crate::strategy::{IrteTarget, Knobs, MemoryModel, Strategy};

    fn preset(id: &str) -> Knobs {
        Strategy::preset(id).unwrap().knobs
    }

    #[test]
    fn v2_round_trips_presets_custom_knobs_views_and_presentation() {
        let mut link = Link {
            scenario: ScenarioRef::Shipped("migrate-vs-affinity".into()),
            knobs: preset("lock-fix"),
            memory: MemoryModel::Tso,
            schedule: "0012a1".into(),
            step: Some(3),
            ..Link::default()
        };
        let q = encode(&link);
        assert_eq!(
            q,
            "?v=3&s=migrate-vs-affinity&t=linux-6.6&m=tso&r=0012a1&at=3"
        );
        assert_eq!(decode(&q), Ok(link.clone()));
        // A link written before the version ids, with the old id, names the same world; its
        // schedule counts the first model's steps, and it is written back as it came.
        let old = "?v=2&s=migrate-vs-affinity&t=lock-fix&m=tso&r=0012a1&at=3";
        let back = decode(old).unwrap();
        assert_eq!(
            back,
            Link {
                legacy_steps: true,
                ..link.clone()
            }
        );
        assert_eq!(
            encode(&back),
            "?v=2&s=migrate-vs-affinity&t=linux-6.6&m=tso&r=0012a1&at=3"
        );

        link.knobs.kick = true;
        link.knobs.irte_target = IrteTarget::AfterListAdd;
        link.view = View::Matrix;
        link.embed = true;
        link.theme = Theme::Large;
        let q = encode(&link);
        assert!(q.contains("&t=k.") && q.contains("embed=1") && q.contains("theme=large"));
        assert_eq!(decode(&q), Ok(link));
    }

    #[test]
    fn the_primer_has_its_own_link_and_keeps_the_world() {
        assert_eq!(decode("?v=3&view=primer").unwrap().view, View::Primer);
        assert_eq!(decode("?v=3&view=host").unwrap().view, View::Host);
        assert!(encode(&Link {
            view: View::Host,
            ..Link::default()
        })
        .contains("view=host"));
        let link = Link {
            view: View::Primer,
            theme: Theme::Large,
            ..Link::default()
        };
        let q = encode(&link);
        assert!(
            q.contains("&view=primer") && q.contains("theme=large"),
            "{q}"
        );
        assert_eq!(decode(&q), Ok(link));
    }

    #[test]
    fn an_end_of_run_step_is_left_out() {
        let link = Link {
            schedule: "0011".into(),
            step: Some(4),
            ..Link::default()
        };
        assert!(!encode(&link).contains("at="));
        assert_eq!(decode(&encode(&link)).unwrap().step, None);
        // Written out by hand, it reads back the same way; a step without a run survives.
        assert_eq!(decode("?v=2&r=0011&at=4").unwrap().step, None);
        let odd = Link {
            step: Some(3),
            ..Link::default()
        };
        assert_eq!(decode(&encode(&odd)), Ok(odd));
    }

    #[test]
    fn scenario_json_survives_percent_encoding() {
        let json = "{\"id\": \"x & y\", \"a\": [1, 2]} é";
        let link = Link {
            scenario: ScenarioRef::Json(json.into()),
            ..Link::default()
        };
        assert_eq!(
            decode(&encode(&link)).unwrap().scenario,
            ScenarioRef::Json(json.into())
        );
    }

    #[test]
    fn a_challenge_link_names_the_challenge_and_the_players_run() {
        let q = "?v=3&ch=hang-6-6-old-owner&r=0101&at=3";
        let link = decode(q).unwrap();
        assert_eq!(link.view, View::Challenge);
        assert_eq!(link.challenge.as_deref(), Some("hang-6-6-old-owner"));
        // The challenge holds the world; the run is the player's.
        assert_eq!(
            link.scenario,
            ScenarioRef::Shipped("retarget-vs-old-owner".into())
        );
        assert_eq!(link.knobs, preset("linux-6.6"));
        assert_eq!((link.schedule.as_str(), link.step), ("0101", Some(3)));
        // Written with the world's fields too, so a lab without challenges opens the same
        // world and run; it reads back the same.
        let written = encode(&link);
        assert_eq!(
            written,
            "?v=3&s=retarget-vs-old-owner&t=linux-6.6&m=sc&r=0101&at=3&ch=hang-6-6-old-owner"
        );
        assert_eq!(decode(&written), Ok(link.clone()));
        // Whatever world fields a hand-edited link carries, the challenge's world wins.
        let edited = decode("?v=3&s=block-ga-log&t=kick&m=tso&ch=hang-6-6-old-owner").unwrap();
        assert_eq!(
            (edited.scenario, edited.knobs, edited.memory),
            (link.scenario.clone(), link.knobs, MemoryModel::Sc)
        );
        let opened = link.open().unwrap();
        assert_eq!(opened.sim.scenario.id, "retarget-vs-old-owner");
        assert_eq!(opened.session.position(), 3);
        // The list of challenges has its own view.
        let list = decode("?v=3&view=challenge").unwrap();
        assert_eq!(
            (list.view, list.challenge.as_deref()),
            (View::Challenge, None)
        );
        assert_eq!(decode(&encode(&list)).unwrap().view, View::Challenge);
    }

    #[test]
    fn a_bad_challenge_id_falls_back_to_the_explorer_in_words() {
        let (link, problems) = decode_lenient("?v=3&s=running-retarget&ch=nope%0A&r=0");
        assert_eq!((link.view, link.challenge), (View::Explorer, None));
        assert_eq!(
            link.scenario,
            ScenarioRef::Shipped("running-retarget".into())
        );
        assert_eq!(link.schedule, "0");
        assert_eq!(problems.len(), 1);
        let text = problems[0].to_string();
        assert!(
            text.starts_with("link parameter 'ch': unknown challenge 'nope\\n'")
                && text.contains("hang-6-6-old-owner"),
            "{text}"
        );
        assert_eq!(problems[0].fallback(), "Showing the explorer.");
        let err = Link {
            view: View::Challenge,
            challenge: Some("nope".into()),
            ..Link::default()
        }
        .open()
        .unwrap_err();
        assert!(
            err.to_string().contains("unknown challenge 'nope'"),
            "{err}"
        );
        let (link, problems) = decode_lenient("?v=3&l=first-patch&ch=torn-entry");
        assert_eq!((link.view, link.challenge), (View::Lesson, None));
        assert!(problems[0].to_string().contains("not both"));
    }
}
