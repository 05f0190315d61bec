//! From a link to a world and a run: a lesson id resolved to its world, an old link's schedule
//! translated to today's steps, the schedule replayed to the link's step.

use super::decode::{parse_lenient, step_at_end_left_out};
use super::error::{bad, LinkError, OpenError};
use super::link::{Link, ScenarioRef, Theme, View};
use crate::challenges::{self, UnknownChallenge};
use crate::explore::legacy::{self, LegacyError};
use crate::explore::{ReplayError, Schedule, Session};
use crate::lessons::{self, Lesson, UnknownLesson};
use crate::scenario::{self, Scenario, ScenarioError};
use crate::sim::Sim;
use crate::strategy::{Strategy, PRESETS};

/// Strict decoding: the link (a lesson's resolved to its world), or the first thing wrong with it.
pub fn decode(query: &str) -> Result<Link, LinkError> {
    let (link, mut problems) = decode_lenient(query);
    if problems.is_empty() {
        Ok(link)
    } else {
        Err(problems.swap_remove(0))
    }
}

/// Lenient decoding for a page: never fails. As [`parse_lenient`], and a lesson link's world is
/// the lesson's; an unknown lesson falls back to the explorer with a [`LinkError`] saying so.
pub fn decode_lenient(query: &str) -> (Link, Vec<LinkError>) {
    let (link, mut problems) = parse_lenient(query);
    if link.view == View::Challenge && link.challenge.is_some() {
        return match link.with_challenge_world() {
            Ok(resolved) => (resolved, problems),
            Err(e) => {
                problems.push(bad("ch", e.to_string(), "Showing the explorer."));
                let fallback = Link {
                    view: View::Explorer,
                    challenge: None,
                    ..link
                };
                (fallback, problems)
            }
        };
    }
    if link.view != View::Lesson || link.lesson.is_none() {
        return (link, problems);
    }
    match link.with_lesson_world() {
        Ok(resolved) => (resolved, problems),
        Err(e) => {
            problems.push(bad("l", e.to_string(), "Showing the explorer."));
            let mut fallback = Link {
                view: View::Explorer,
                lesson: None,
                ..link
            };
            step_at_end_left_out(&mut fallback);
            // Only a schedule or a step depends on how fine an old link's steps are.
            fallback.legacy_steps &= !fallback.schedule.is_empty() || fallback.step.is_some();
            (fallback, problems)
        }
    }
}

/// A share link to `lesson`, `step` steps into its run.
pub fn lesson_link(lesson: &Lesson, step: usize) -> Link {
    Link {
        scenario: ScenarioRef::Shipped(lesson.scenario.to_string()),
        knobs: Strategy::preset(lesson.strategy)
            .map(|s| s.knobs)
            .unwrap_or(PRESETS[0].knobs),
        memory: lesson.memory,
        schedule: lesson.schedule.to_string(),
        step: Some(step),
        view: View::Lesson,
        lesson: Some(lesson.id.to_string()),
        embed: false,
        theme: Theme::Auto,
        against: None,
        legacy_steps: false,
        program: None,
        challenge: None,
    }
}

/// A link opened: the compiled world and the run, positioned at the link's step.
#[derive(Clone, Debug)]
pub struct Opened {
    /// The world.
    pub sim: Sim,
    /// The run, with its cursor at the link's step.
    pub session: Session,
    /// The same link in today's format and steps (an old link's schedule translated).
    pub link: Link,
}

impl Link {
    /// A lesson link with the lesson's world (scenario, knobs, memory model, run), keeping its
    /// step, presentation and step format; any other link as it is.
    pub fn with_lesson_world(&self) -> Result<Link, UnknownLesson> {
        let Some(id) = self.lesson.as_deref().filter(|_| self.view == View::Lesson) else {
            return Ok(self.clone());
        };
        let lesson = lessons::by_id(id)?;
        Ok(Link {
            embed: self.embed,
            theme: self.theme,
            legacy_steps: self.legacy_steps,
            ..lesson_link(lesson, self.step.unwrap_or(0))
        })
    }

    /// A challenge link with the challenge's world (scenario, knobs, memory model), keeping the
    /// player's run, step and presentation; any other link as it is.
    pub fn with_challenge_world(&self) -> Result<Link, UnknownChallenge> {
        let Some(id) = self
            .challenge
            .as_deref()
            .filter(|_| self.view == View::Challenge)
        else {
            return Ok(self.clone());
        };
        let c = challenges::by_id(id)?;
        Ok(Link {
            scenario: ScenarioRef::Shipped(c.scenario.to_string()),
            knobs: Strategy::preset(c.strategy)
                .map(|s| s.knobs)
                .unwrap_or(PRESETS[0].knobs),
            memory: c.memory,
            challenge: Some(c.id.to_string()),
            program: None,
            ..self.clone()
        })
    }

    /// The scenario the link names, parsed and validated.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        match &self.scenario {
            ScenarioRef::Shipped(id) => scenario::by_id(id),
            ScenarioRef::Json(json) => Scenario::from_json(json),
            ScenarioRef::Compact(text) => Scenario::from_compact(text),
        }
    }

    /// Compile the world, replay the schedule (an old link's translated to today's steps) and go
    /// to the link's step.
    pub fn open(&self) -> Result<Opened, OpenError> {
        let resolved = self.with_lesson_world().map_err(OpenError::Lesson)?;
        let resolved = resolved
            .with_challenge_world()
            .map_err(OpenError::Challenge)?;
        let this = &resolved;
        let scenario = this.scenario().map_err(OpenError::Scenario)?;
        let sim = Sim::new(scenario, Strategy::custom(this.knobs), this.memory)
            .map_err(OpenError::Scenario)?;
        let sim = match &this.program {
            None => sim,
            Some(pg) => {
                let patch = super::program::decode_patch(&sim, pg).map_err(OpenError::Program)?;
                Sim::with_patch(sim.scenario.clone(), sim.strategy, sim.memory, patch)
                    .map_err(|e| OpenError::Program(e.to_string()))?
            }
        };
        let link = this.in_current_steps(&sim)?;
        let mut session = Session::replay(&sim, &link.schedule).map_err(OpenError::Replay)?;
        if let Some(step) = link.step {
            if step > session.len() {
                return Err(OpenError::StepBeyondEnd {
                    step,
                    len: session.len(),
                });
            }
            session.goto(step);
        }
        Ok(Opened { sim, session, link })
    }

    /// As [`Link::in_current_steps`], but always a link to show: when an old schedule stops
    /// fitting, the part before that point, with the reason; when it does not even parse, the
    /// link as it came, for the replay to report.
    pub fn in_current_steps_lenient(&self, sim: &Sim) -> (Link, Option<LegacyError>) {
        match self.in_current_steps(sim) {
            Ok(link) => (link, None),
            Err(OpenError::Legacy(e)) => {
                let prefix = Link {
                    schedule: self.schedule.chars().take(e.pos - 1).collect(),
                    step: None,
                    ..self.clone()
                };
                let link = prefix.in_current_steps(sim).unwrap_or_else(|_| Link {
                    schedule: String::new(),
                    step: None,
                    legacy_steps: false,
                    ..self.clone()
                });
                (link, Some(e))
            }
            Err(_) => (
                Link {
                    legacy_steps: false,
                    ..self.clone()
                },
                None,
            ),
        }
    }

    /// This link in today's steps: an old link's schedule translated and its step moved to
    /// where the same old step lands (a lesson's through its first-release run). `sim` is the
    /// world the link names.
    pub fn in_current_steps(&self, sim: &Sim) -> Result<Link, OpenError> {
        let mut link = self.clone();
        link.legacy_steps = false;
        if !self.legacy_steps {
            return Ok(link);
        }
        let lesson = self
            .lesson
            .as_deref()
            .filter(|_| self.view == View::Lesson)
            .and_then(|id| lessons::by_id(id).ok());
        let recorded = match lesson {
            Some(l) => l.first_release_schedule.to_string(),
            None => self.schedule.clone(),
        };
        let old: Schedule = recorded
            .parse()
            .map_err(|e| OpenError::Replay(ReplayError::Parse(e)))?;
        let t = legacy::translate(sim, &old).map_err(OpenError::Legacy)?;
        if lesson.is_none() {
            link.schedule = t.schedule.to_string();
        }
        if let Some(step) = self.step {
            let len = old.0.len();
            if step > len {
                return Err(OpenError::StepBeyondEnd { step, len });
            }
            link.step = Some(t.positions[step]);
        }
        Ok(link)
    }
}

#[cfg(test)]
mod tests {
    use crate::lessons;
    use crate::share::*;
    use crate::strategy::{IrteTarget, Knobs, MemoryModel, Strategy};

    fn preset(id: &str) -> Knobs {
        Strategy::preset(id).unwrap().knobs
    }

    /// Links the first web release wrote must keep opening the same view.
    #[test]
    fn frozen_v1_links_still_open() {
        let l = decode(
            "?v=1&scenario=put-block-vs-affinity&strategy=naive-update&memory=tso\
             &schedule=0000000001111111222&step=12",
        )
        .unwrap();
        assert_eq!(
            l.scenario,
            ScenarioRef::Shipped("put-block-vs-affinity".into())
        );
        assert_eq!(l.knobs, preset("naive-update"));
        assert_eq!(
            (l.memory, l.schedule.as_str(), l.step),
            (MemoryModel::Tso, "0000000001111111222", Some(12))
        );

        let l = decode(
            "?v=1&scenario=running-retarget&strategy=custom\
             &knobs=lock%3D1%2Ctarget%3Dafter-list-add%2Cread_once%3D1%2Cwrite_once%3D0%2Cmb%3D1%2Ckick%3D0%2Cgalog_blocking%3D0\
             &memory=sc&view=matrix",
        )
        .unwrap();
        assert_eq!(l.view, View::Matrix);
        assert!(l.knobs.lock_in_load_put && l.knobs.smp_mb && !l.knobs.write_once);
        assert_eq!(l.knobs.irte_target, IrteTarget::AfterListAdd);

        let l = decode("?v=1&scenario_json=%7B%22id%22%3A%22e%22%7D").unwrap();
        assert_eq!(l.scenario, ScenarioRef::Json("{\"id\":\"e\"}".into()));
    }

    #[test]
    fn open_replays_to_the_step_and_reports_what_does_not_fit() {
        let link =
            decode("?v=2&s=put-block-vs-affinity&t=naive-update&m=sc&r=0000000001111111222&at=9")
                .unwrap();
        let opened = link.open().unwrap();
        // The first model's 19 steps are today's 24; old step 9 (vCPU0 asleep) is still 9.
        assert_eq!((opened.session.position(), opened.session.len()), (9, 24));
        assert_eq!(
            encode(&opened.link),
            "?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=9"
        );

        let past = Link {
            step: Some(20),
            ..link.clone()
        };
        assert_eq!(
            past.open().unwrap_err(),
            OpenError::StepBeyondEnd { step: 20, len: 19 }
        );
        let wrong = Link {
            schedule: "9".into(),
            step: None,
            ..link.clone()
        };
        assert!(matches!(wrong.open().unwrap_err(), OpenError::Legacy(_)));
        let wrong_now = Link {
            legacy_steps: false,
            ..wrong
        };
        assert!(matches!(
            wrong_now.open().unwrap_err(),
            OpenError::Replay(_)
        ));
        let unknown = Link {
            scenario: ScenarioRef::Shipped("nope".into()),
            ..link
        };
        assert!(unknown
            .open()
            .unwrap_err()
            .to_string()
            .contains("unknown scenario 'nope'"));
    }

    #[test]
    fn lesson_links_carry_only_the_lesson_and_step() {
        let lesson = &lessons::all()[1];
        let link = lesson_link(lesson, 2);
        let q = encode(&link);
        assert_eq!(q, format!("?v=3&view=lesson&l={}&at=2", lesson.id));
        let back = decode(&q).unwrap();
        assert_eq!(back, link);
        assert_eq!(back.schedule, lesson.schedule);

        let (link, problems) = decode_lenient("?v=2&view=lesson&l=no-such-lesson");
        assert_eq!(link.view, View::Explorer);
        assert!(
            problems[0].to_string().contains("no-such-lesson"),
            "{problems:?}"
        );
        // Without a lesson id: the list of lessons, over the link's world.
        let list = decode("?v=2&s=running-retarget&t=kick&m=tso&view=lesson").unwrap();
        assert_eq!((list.view, list.lesson.as_deref()), (View::Lesson, None));
        assert_eq!(
            list.scenario,
            ScenarioRef::Shipped("running-retarget".into())
        );
        assert_eq!(decode(&encode(&list)), Ok(list));
        // Found by the fuzzer: the list of lessons at the end of an empty run reads back.
        let (list, _) = decode_lenient("?v=2&view=lesson&at=0");
        assert_eq!((list.view, list.step), (View::Lesson, None));
        assert_eq!(decode(&encode(&list)), Ok(list));
        let (list, _) = decode_lenient("?v=2&view=lesson&r=01&at=2");
        assert_eq!(decode(&encode(&list)), Ok(list));
        // Found by the fuzzer: a failed lesson link falls back to a plain link that reads back.
        let (fallback, _) = decode_lenient("?v=2&view=lesson&l=nope&at=0");
        assert_eq!(decode(&encode(&fallback)), Ok(fallback));
        // Without a step, a lesson starts at the beginning.
        let start = decode(&format!("?v=2&view=lesson&l={}", lesson.id)).unwrap();
        assert_eq!(start.step, Some(0));
    }

    #[test]
    fn the_codec_keeps_a_lesson_an_id_until_open_resolves_it() {
        let lesson = &lessons::all()[2];
        let q = format!("?v=3&view=lesson&l={}&at=3&theme=large", lesson.id);
        let (parsed, problems) = parse_lenient(&q);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(parsed.lesson.as_deref(), Some(lesson.id));
        assert_eq!(
            parsed.schedule, "",
            "the codec does not know the lesson's run"
        );
        let resolved = decode(&q).unwrap();
        assert_eq!(resolved.schedule, lesson.schedule);
        assert_eq!(resolved.theme, Theme::Large);
        assert_eq!(parsed.with_lesson_world().unwrap(), resolved);
        let (a, b) = (parsed.open().unwrap(), resolved.open().unwrap());
        assert_eq!(a.link, b.link);
        assert_eq!(a.session.position(), 3);
        assert_eq!(a.session.schedule(), b.session.schedule());
        let (unknown, _) = parse_lenient("?v=3&view=lesson&l=no-such-lesson");
        assert!(matches!(unknown.open(), Err(OpenError::Lesson(_))));
    }
}
