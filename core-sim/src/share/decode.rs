//! Reading a link: the query's parameters, version by version, settled against each other. The
//! decoder is syntactic: it knows no lesson (see [`super::open`]).

use super::error::{bad, LinkError};
use super::knobs::{decode_knob_code, decode_knob_list};
use super::link::{Against, Link, ScenarioRef, Theme, View};
use super::percent::pairs;
use super::versions::{Names, V1_NAMES, V2_KEYS, V2_NAMES};
use super::{MAX_QUERY, MAX_SCENARIO_JSON, MAX_SCHEDULE, VERSION};
use crate::scenario::MAX_COMPACT;
use crate::strategy::{MemoryModel, Strategy, PRESETS};
use crate::text;

/// Lenient, syntactic decoding: never fails. Every part that does not make sense falls back to
/// its default and adds a [`LinkError`] saying so; a link from a newer version, or one too long,
/// gives the default link. A lesson stays an id (with its step) here: [`super::decode_lenient`]
/// resolves it.
pub fn parse_lenient(query: &str) -> (Link, Vec<LinkError>) {
    if query.len() > MAX_QUERY {
        return (
            Link::default(),
            vec![LinkError::TooLong { len: query.len() }],
        );
    }
    let params = pairs(query);
    let version = params
        .iter()
        .find(|(k, _)| k == "v")
        .map(|(_, v)| v.as_str());
    let version = match version {
        Some(v) => match v.parse::<u32>() {
            Ok(n @ 1..=VERSION) => n,
            Ok(n) if n > VERSION => {
                return (
                    Link::default(),
                    vec![LinkError::FutureVersion {
                        found: n.to_string(),
                    }],
                )
            }
            _ => {
                return (
                    Link::default(),
                    vec![bad(
                        "v",
                        format!(
                            "'{}' is not a link format version (1 to {VERSION})",
                            text::shown(v, text::MAX_ECHO)
                        ),
                        "Opening the default view.",
                    )],
                )
            }
        },
        // Hand-written links may leave the version out: guess it from the parameter names
        // (short names: today's format and steps).
        None if params.iter().any(|(k, _)| V2_KEYS.contains(&k.as_str())) => VERSION,
        None => 1,
    };
    let mut d = Decoder::default();
    // v2 and v3 spell their parameters alike; v3 counts today's finer micro-steps.
    let names = if version == 1 { V1_NAMES } else { V2_NAMES };
    for (key, value) in &params {
        d.param(&names, key, value);
    }
    let (mut link, problems) = d.finish();
    // Only a schedule or a step depends on how fine the steps are.
    link.legacy_steps = version < 3 && (!link.schedule.is_empty() || link.step.is_some());
    (link, problems)
}

/// Collects parameters, then settles them against each other.
#[derive(Default)]
struct Decoder {
    link: Link,
    problems: Vec<LinkError>,
    strategy: Option<(String, String)>,
    v1_knobs: Option<String>,
    lesson: Option<String>,
    challenge: Option<String>,
    against: Option<String>,
    against_memory: Option<String>,
}

impl Decoder {
    fn param(&mut self, names: &Names, key: &str, value: &str) {
        let n = names;
        if key == n.scenario {
            self.link.scenario = ScenarioRef::Shipped(value.to_string());
        } else if key == n.scenario_json {
            if value.len() > MAX_SCENARIO_JSON {
                self.problems.push(bad(
                    key,
                    format!(
                        "the scenario JSON is {} bytes, more than the {MAX_SCENARIO_JSON} accepted",
                        value.len()
                    ),
                    "Using the default scenario.",
                ));
            } else {
                self.link.scenario = ScenarioRef::Json(value.to_string());
            }
        } else if key == n.strategy {
            self.strategy = Some((key.to_string(), value.to_string()));
        } else if key == n.memory {
            match MemoryModel::from_id(value) {
                Ok(m) => self.link.memory = m,
                Err(e) => self
                    .problems
                    .push(bad(key, e, "Using sequential consistency (sc).")),
            }
        } else if key == n.schedule {
            if value.chars().count() > MAX_SCHEDULE {
                self.problems.push(bad(
                    key,
                    format!(
                        "the schedule has {} steps, more than the {MAX_SCHEDULE} accepted",
                        value.chars().count()
                    ),
                    "Starting from the initial state.",
                ));
            } else {
                self.link.schedule = value.to_string();
            }
        } else if key == n.step {
            match value.parse::<usize>() {
                Ok(s) => self.link.step = Some(s),
                Err(_) => self.problems.push(bad(
                    key,
                    format!(
                        "'{}' is not a step number",
                        text::shown(value, text::MAX_ECHO)
                    ),
                    "Showing the end of the run.",
                )),
            }
        } else {
            self.common(key, value);
        }
    }

    /// Parameters spelled the same in every version.
    fn common(&mut self, key: &str, value: &str) {
        match key {
            "knobs" => self.v1_knobs = Some(value.to_string()),
            "view" => match value {
                "explorer" => self.link.view = View::Explorer,
                "matrix" => self.link.view = View::Matrix,
                "lesson" => self.link.view = View::Lesson,
                "primer" => self.link.view = View::Primer,
                "challenge" => self.link.view = View::Challenge,
                "host" => self.link.view = View::Host,
                "editor" => self.link.view = View::Editor,
                other => self.problems.push(bad(
                    "view",
                    format!(
                        "unknown view '{}' (explorer, matrix, lesson, primer, challenge, host or editor)",
                        text::shown(other, text::MAX_ECHO)
                    ),
                    "Showing the explorer.",
                )),
            },
            "l" | "lesson" => self.lesson = Some(value.to_string()),
            "ch" => self.challenge = Some(value.to_string()),
            // Format v5: an edited scenario in its compact text (read when the link is opened).
            "sc" if value.len() > MAX_COMPACT => self.problems.push(bad(
                "sc",
                format!(
                    "the scenario text is {} bytes, more than the {MAX_COMPACT} accepted",
                    value.len()
                ),
                "Using the default scenario.",
            )),
            "sc" => self.link.scenario = ScenarioRef::Compact(value.to_string()),
            "pg" => self.link.program = Some(value.to_string()),
            "vs" => self.against = Some(value.to_string()),
            "vm" => self.against_memory = Some(value.to_string()),
            "embed" => match value {
                "1" | "true" | "" => self.link.embed = true,
                "0" | "false" => self.link.embed = false,
                other => self.problems.push(bad(
                    "embed",
                    format!("'{}' is not 0 or 1", text::shown(other, text::MAX_ECHO)),
                    "Showing the full page.",
                )),
            },
            "theme" => match Theme::from_id(value) {
                Some(t) => self.link.theme = t,
                None => self.problems.push(bad(
                    "theme",
                    format!(
                        "unknown theme '{}' (auto, light, dark or large)",
                        text::shown(value, text::MAX_ECHO)
                    ),
                    "Using the automatic theme.",
                )),
            },
            // Unknown parameters (tracking tags, a later minor addition) are ignored.
            _ => {}
        }
    }

    fn finish(mut self) -> (Link, Vec<LinkError>) {
        self.settle_strategy();
        self.settle_against();
        if let Some(id) = self.lesson.take() {
            // A lesson link: the lesson's id and a step (its start when left out). Without an
            // id, `view=lesson` is the list of lessons over the world the link names.
            self.link.view = View::Lesson;
            self.link.lesson = Some(id);
            self.link.step = Some(self.link.step.unwrap_or(0));
            // A lesson link names its lesson and step only: no comparison.
            self.link.against = None;
            if self.challenge.take().is_some() {
                self.problems.push(bad(
                    "ch",
                    "a link opens a lesson or a challenge, not both".into(),
                    "Showing the lesson.",
                ));
            }
        }
        if let Some(id) = self.challenge.take() {
            // A challenge link: the challenge's id, with the player's run (and the world's
            // fields, so that a lab without challenges opens the same world).
            self.link.view = View::Challenge;
            self.link.challenge = Some(id);
            self.link.against = None;
        }
        step_at_end_left_out(&mut self.link);
        (self.link, self.problems)
    }

    fn settle_strategy(&mut self) {
        let default = PRESETS[0].id;
        let fallback = format!("Using the '{default}' strategy.");
        match (self.strategy.take(), self.v1_knobs.take()) {
            (None, Some(k)) => self.knobs_v1("knobs", &k, &fallback),
            (Some((_, s)), Some(k)) if s == "custom" => self.knobs_v1("knobs", &k, &fallback),
            (Some((key, s)), None) if s == "custom" => self.problems.push(bad(
                &key,
                "'custom' needs a knobs= parameter".to_string(),
                &fallback,
            )),
            (Some((key, s)), _) => {
                if let Ok(p) = Strategy::preset(&s) {
                    self.link.knobs = p.knobs;
                } else if let Some(code) = s.strip_prefix("k.") {
                    match decode_knob_code(code) {
                        Ok(k) => self.link.knobs = k,
                        Err(e) => self.problems.push(bad(&key, e, &fallback)),
                    }
                } else {
                    let e = Strategy::preset(&s).err().map(|e| e.to_string());
                    self.problems
                        .push(bad(&key, e.unwrap_or_default(), &fallback));
                }
            }
            (None, None) => {}
        }
    }

    /// The diff's second world: `vs=` a preset id or `k.` code, `vm=` a memory model (either
    /// may be left out: the first world's is used). A bad one drops the diff, saying so.
    fn settle_against(&mut self) {
        if self.against.is_none() && self.against_memory.is_none() {
            return;
        }
        let drop = "Showing the run without the comparison.";
        let knobs = match self.against.take() {
            None => self.link.knobs,
            Some(s) => match Strategy::preset(&s) {
                Ok(p) => p.knobs,
                Err(e) => match s.strip_prefix("k.").map(decode_knob_code) {
                    Some(Ok(k)) => k,
                    Some(Err(e)) => return self.problems.push(bad("vs", e, drop)),
                    None => return self.problems.push(bad("vs", e.to_string(), drop)),
                },
            },
        };
        let memory = match self.against_memory.take() {
            None => self.link.memory,
            Some(m) => match MemoryModel::from_id(&m) {
                Ok(m) => m,
                Err(e) => return self.problems.push(bad("vm", e, drop)),
            },
        };
        self.link.against = Some(Against { knobs, memory });
    }

    fn knobs_v1(&mut self, key: &str, text: &str, fallback: &str) {
        match decode_knob_list(text) {
            Ok(k) => self.link.knobs = k,
            Err(e) => self.problems.push(bad(key, e, fallback)),
        }
    }
}

/// The end of the run is spelled by leaving the step out, everywhere but in a lesson link, which
/// always names its step (the list of lessons is written like any view).
pub(super) fn step_at_end_left_out(link: &mut Link) {
    let at_end = link.step == Some(link.schedule.chars().count());
    if link.lesson.is_none() && at_end {
        link.step = None;
    }
}

#[cfg(test)]
mod tests {
    use crate::share::*;
    use crate::strategy::{Knobs, MemoryModel, Strategy, PRESETS};
    use crate::text;

    fn preset(id: &str) -> Knobs {
        Strategy::preset(id).unwrap().knobs
    }

    #[test]
    fn a_diff_link_names_its_second_world_and_round_trips() {
        let q = "?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=0011&vs=lock-fix&vm=tso";
        let link = decode(q).unwrap();
        let b = link.against.unwrap();
        assert_eq!(b.knobs, preset("linux-6.6"));
        assert_eq!(b.memory, MemoryModel::Tso);
        assert_eq!(decode(&encode(&link)).unwrap(), link);
        assert!(encode(&link).contains("&vs=linux-6.6&vm=tso"));
        // The memory model alone: the same strategy under the other model.
        let link = decode("?v=3&t=kick&m=sc&vm=tso").unwrap();
        assert_eq!(link.against.unwrap().knobs, preset("kick"));
        // Custom knobs, as the first world's are written.
        let custom = Knobs {
            kick: true,
            ..preset("linux-6.6")
        };
        let link = Link {
            against: Some(Against {
                knobs: custom,
                memory: MemoryModel::Sc,
            }),
            ..Link::default()
        };
        let q = encode(&link);
        assert!(q.contains("&vs=k."), "{q}");
        assert_eq!(decode(&q).unwrap(), link);
    }

    #[test]
    fn links_without_a_second_world_have_none_and_a_bad_one_is_dropped_in_words() {
        assert_eq!(decode("?v=3&t=kick&r=01").unwrap().against, None);
        assert_eq!(decode("?v=2&t=kick&r=01").unwrap().against, None);
        let (link, problems) = parse_lenient("?v=3&t=kick&vs=nope");
        assert_eq!(link.against, None);
        assert!(
            problems[0].to_string().contains("unknown strategy 'nope'"),
            "{problems:?}"
        );
        let (link, problems) = parse_lenient("?v=3&t=kick&vs=kick&vm=arm");
        assert_eq!(link.against, None);
        assert!(
            problems[0].to_string().contains("unknown memory model"),
            "{problems:?}"
        );
    }

    #[test]
    fn empty_query_is_the_default_link() {
        assert_eq!(decode(""), Ok(Link::default()));
        assert_eq!(decode("?"), Ok(Link::default()));
    }

    #[test]
    fn a_missing_version_is_guessed_from_the_names() {
        assert_eq!(decode("?t=kick").unwrap().knobs, preset("kick"));
        assert_eq!(decode("?strategy=kick").unwrap().knobs, preset("kick"));
    }

    #[test]
    fn future_and_bad_versions_are_refused_with_a_message() {
        let (link, problems) = decode_lenient("?v=6&s=running-retarget&t=kick");
        assert_eq!(link, Link::default());
        assert_eq!(
            problems,
            vec![LinkError::FutureVersion { found: "6".into() }]
        );
        assert!(problems[0].to_string().contains("newer version of the lab"));
        assert_eq!(problems[0].fallback(), "Opening the default view instead.");
        for v in ["0", "x", "-1", "99999999999999999999"] {
            let err = decode(&format!("?v={v}")).unwrap_err();
            assert!(
                err.to_string().contains("link format version"),
                "{v}: {err}"
            );
        }
    }

    #[test]
    fn bad_values_fall_back_one_by_one_with_a_reason() {
        let (link, problems) =
            decode_lenient("?v=2&s=running-retarget&t=nope&m=arm&at=x&view=zz&theme=neon&embed=2");
        assert_eq!(
            link.scenario,
            ScenarioRef::Shipped("running-retarget".into())
        );
        assert_eq!(link.knobs, PRESETS[0].knobs);
        assert_eq!(
            (link.memory, link.step, link.view),
            (MemoryModel::Sc, None, View::Explorer)
        );
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 6, "{text:?}");
        for needle in [
            "unknown memory model 'arm'",
            "'x' is not a step number",
            "unknown view 'zz'",
            "unknown theme 'neon'",
            "'2' is not 0 or 1",
            "unknown strategy 'nope'",
        ] {
            assert!(
                text.iter().any(|t| t.contains(needle)),
                "{needle}: {text:?}"
            );
        }
        assert_eq!(problems[0].fallback(), "Using sequential consistency (sc).");
        let err = decode("?strategy=custom&knobs=lock=1,warp=9").unwrap_err();
        assert!(err.to_string().contains("unknown knob 'warp'"), "{err}");
        let err = decode("?v=2&t=k.zzz").unwrap_err();
        assert!(err.to_string().contains("three hex digits"), "{err}");
    }

    #[test]
    fn oversized_parts_are_refused() {
        let long = "0".repeat(MAX_SCHEDULE + 1);
        assert!(decode(&format!("?v=2&r={long}"))
            .unwrap_err()
            .to_string()
            .contains("more than"));
        let huge = "a".repeat(MAX_QUERY + 1);
        assert_eq!(
            decode(&huge),
            Err(LinkError::TooLong { len: MAX_QUERY + 1 })
        );
    }

    #[test]
    fn echoed_values_are_escaped_and_clipped() {
        let evil = "%1B%5B2J%1B%5D0%3Bpwned%07%0A%E2%9C%93+verdict%3A+SAFE";
        for q in [
            format!("?v={evil}"),
            format!("?v=2&at={evil}"),
            format!("?v=2&view={evil}"),
            format!("?v=2&embed={evil}"),
            format!("?v=2&theme={evil}"),
            format!("?v=2&m={evil}"),
            format!("?v=2&t={evil}"),
            format!("?v=2&t=k.{evil}"),
            format!("?v=2&view=lesson&l={evil}"),
            format!("?v=1&strategy=custom&knobs={evil}"),
        ] {
            let (_, problems) = decode_lenient(&q);
            assert!(!problems.is_empty(), "{q}");
            for p in problems {
                let text = p.to_string();
                assert!(!text.chars().any(text::is_unsafe), "{q}: {text:?}");
                assert!(
                    text.contains("\\u{1b}") || text.contains("\\n"),
                    "{q}: {text}"
                );
            }
        }
        let long = "x".repeat(100_000);
        let (_, problems) = decode_lenient(&format!("?v=2&theme={long}"));
        assert!(problems[0].to_string().len() < 400, "{}", problems[0]);
    }
}
