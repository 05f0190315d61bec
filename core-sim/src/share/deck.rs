//! A presenter script: slides, each a share link, the step to show and a note for the speaker.
//! A lesson is one (a slide per note), or a list written by hand as JSON:
//!
//! ```text
//! [{"link": "?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=…", "step": 17, "note": "…"}, …]
//! ```
//!
//! `link` is a share link (a whole URL or its query), `step` (optional) the step it opens at,
//! overriding the link's `at=`, and `note` (optional) what the presenter window shows. Size
//! bounded before it is read; every problem in words.

use super::{decode, encode, lesson_link, query_of, Link};
use crate::lessons::Lesson;
use serde::Deserialize;

/// Longest script accepted, in bytes.
pub const MAX_DECK_BYTES: usize = 64 * 1024;
/// Most slides in a script.
pub const MAX_SLIDES: usize = 200;
/// Longest note, in characters.
pub const MAX_NOTE: usize = 2_000;

/// One slide of a script.
#[derive(Clone, Debug, PartialEq)]
pub struct DeckSlide {
    /// What it shows (its step included).
    pub link: Link,
    /// The speaker's note.
    pub note: String,
}

impl DeckSlide {
    /// The slide's link as the projected window opens it (`embed=1`).
    pub fn embed_query(&self) -> String {
        encode(&Link {
            embed: true,
            ..self.link.clone()
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlide {
    link: String,
    #[serde(default)]
    step: Option<usize>,
    #[serde(default)]
    note: Option<String>,
}

/// The slides of a lesson: one per note, at its step.
pub fn from_lesson(lesson: &Lesson) -> Vec<DeckSlide> {
    lesson
        .notes
        .iter()
        .map(|n| DeckSlide {
            link: lesson_link(lesson, n.at),
            note: n.text.to_string(),
        })
        .collect()
}

/// Whether a link opens the presenter window (`present=1`).
pub fn is_presenter(query: &str) -> bool {
    query.len() <= super::MAX_QUERY
        && super::percent::pairs(query)
            .iter()
            .any(|(k, v)| k == "present" && v == "1")
}

/// The script a presenter link names: `deck=<percent-encoded JSON>`, else the lesson of a lesson
/// link (`view=lesson&l=…`), else the link itself as a single slide.
pub fn from_query(query: &str) -> Result<Vec<DeckSlide>, String> {
    if query.len() > super::MAX_QUERY {
        return Err(format!(
            "the presenter link is {} bytes, more than the {} accepted",
            query.len(),
            super::MAX_QUERY
        ));
    }
    if let Some((_, json)) = super::percent::pairs(query)
        .into_iter()
        .find(|(k, _)| k == "deck")
    {
        return parse(&json);
    }
    let link = decode(query).map_err(|e| format!("the presenter link: {e}"))?;
    if let Some(lesson) = link.lesson.as_deref() {
        let l = crate::lessons::by_id(lesson).map_err(|e| format!("the presenter link: {e}"))?;
        return Ok(from_lesson(l));
    }
    Ok(vec![DeckSlide {
        link: Link {
            embed: false,
            ..link
        },
        note: String::new(),
    }])
}

/// A script written as JSON (see the module doc).
pub fn parse(json: &str) -> Result<Vec<DeckSlide>, String> {
    if json.len() > MAX_DECK_BYTES {
        return Err(format!(
            "the presenter script is {} bytes, more than the {MAX_DECK_BYTES} accepted",
            json.len()
        ));
    }
    let raw: Vec<RawSlide> = serde_json::from_str(json).map_err(|e| {
        format!("the presenter script is not a JSON list of {{\"link\", \"step\", \"note\"}} slides: {e}")
    })?;
    if raw.is_empty() {
        return Err("the presenter script has no slides".into());
    }
    if raw.len() > MAX_SLIDES {
        return Err(format!(
            "the presenter script has {} slides, more than the {MAX_SLIDES} accepted",
            raw.len()
        ));
    }
    raw.into_iter()
        .enumerate()
        .map(|(i, r)| {
            let n = i + 1;
            let note = r.note.unwrap_or_default();
            if note.chars().count() > MAX_NOTE {
                return Err(format!(
                    "slide {n}'s note is longer than the {MAX_NOTE} characters accepted"
                ));
            }
            let mut link = decode(&format!("?{}", query_of(&r.link)))
                .map_err(|e| format!("slide {n}'s link: {e}"))?;
            if r.step.is_some() {
                link.step = r.step;
            }
            link.embed = false;
            Ok(DeckSlide { link, note })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons;

    #[test]
    fn a_lesson_is_a_slide_per_note() {
        let l = lessons::by_id("first-patch").unwrap();
        let deck = from_lesson(l);
        assert_eq!(deck.len(), l.notes.len());
        assert_eq!(deck[0].link.step, Some(l.notes[0].at));
        assert_eq!(deck[0].note, l.notes[0].text);
        let q = deck[1].embed_query();
        assert!(
            q.contains("view=lesson") && q.contains("l=first-patch") && q.ends_with("embed=1"),
            "{q}"
        );
    }

    #[test]
    fn a_written_script_opens_its_links_at_its_steps() {
        let deck = parse(
            r#"[{"link": "https://lab.example/?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=0001&at=1&embed=1", "step": 3, "note": "the load"},
                {"link": "?v=3&view=matrix"}]"#,
        )
        .unwrap();
        assert_eq!(deck.len(), 2);
        assert_eq!((deck[0].link.step, deck[0].link.embed), (Some(3), false));
        assert_eq!(deck[0].link.schedule, "0001");
        assert_eq!(deck[0].note, "the load");
        assert_eq!(deck[1].note, "");
    }

    #[test]
    fn a_presenter_link_names_its_script() {
        let lesson = from_query("?v=3&view=lesson&l=barriers&present=1").unwrap();
        assert_eq!(lesson, from_lesson(lessons::by_id("barriers").unwrap()));
        let json = r#"[{"link": "?v=3&view=matrix", "note": "all of it"}]"#;
        let written = from_query(&format!(
            "?present=1&deck={}",
            super::super::percent_encode(json)
        ))
        .unwrap();
        assert_eq!(written[0].note, "all of it");
        assert!(is_presenter("?v=3&present=1") && !is_presenter("?v=3&present=0&embed=1"));
        let one = from_query("?v=3&s=running-retarget&t=linux-6.5&m=sc&present=1").unwrap();
        assert_eq!(one.len(), 1);
        assert!(from_query("?v=3&view=lesson&l=nope&present=1")
            .unwrap_err()
            .contains("nope"));
        assert!(from_query("?present=1&deck=%5B")
            .unwrap_err()
            .contains("not a JSON list"));
    }

    #[test]
    fn a_bad_script_says_what_is_wrong() {
        let err = |j: &str| parse(j).unwrap_err();
        assert!(err("{").contains("not a JSON list"));
        assert!(err("[]").contains("no slides"));
        assert!(err(r#"[{"link": "?v=3", "colour": 1}]"#).contains("unknown field"));
        assert!(err(r#"[{"link": "?v=99&s=x"}]"#).starts_with("slide 1's link: "));
        let long = format!(
            r#"[{{"link": "?v=3", "note": "{}"}}]"#,
            "x".repeat(MAX_NOTE + 1)
        );
        assert!(err(&long).contains("slide 1's note"));
        let many = format!(
            "[{}]",
            vec![r#"{"link": "?v=3"}"#; MAX_SLIDES + 1].join(",")
        );
        assert!(err(&many).contains("more than the 200"));
        assert!(err(&" ".repeat(MAX_DECK_BYTES + 1)).contains("bytes"));
    }
}
