//! The run on screen and its playback: the session (steps taken, recorded steps ahead), Play and
//! its pace, back / forward / goto, replaying a schedule, and seeded random runs.

use super::chrome::Say;
use core_sim::explore::{ReplayError, Session};
use core_sim::{Action, Sim};
use std::rc::Rc;

/// Steps per second the Play button may use: milliseconds per step, and the label.
pub const PACES: [(u32, &str); 3] = [(500, "0.5 s"), (1000, "1 s"), (2000, "2 s")];

/// Messages of the run.
#[derive(Clone, Debug, PartialEq)]
pub enum RunMsg {
    /// Run one action (a thread's step or a store-buffer flush).
    Act(Action),
    /// One step back.
    Back,
    /// Presenter forward (→): replay the next recorded step; at the end of the recording,
    /// run the only thread that can run (none or several: a hint instead).
    Next,
    /// Play or pause.
    TogglePlay,
    /// A tick of Play: like [`RunMsg::Next`], but stops playing (quietly) where it cannot go on.
    Tick,
    /// Milliseconds per step for Play.
    SetPace(u32),
    /// Back to the initial state, dropping the run.
    Reset,
    /// Jump to a recorded step.
    Goto(usize),
    /// Replay a schedule (a counterexample).
    Load(String),
    /// Type a seed.
    SetSeed(String),
    /// A random run with the current seed.
    RandomRun,
    /// A thread's key: like [`RunMsg::Act`], but during a replay a step off the recorded run
    /// asks first (see [`super::ask`]).
    Key(Action),
    /// The answer to that question.
    Answer(super::ask::Answer),
    /// Back to the recorded run a branch was started from.
    Restore,
    /// Tell the timeline as its story (collapsed macro steps) or step by step.
    SetZoom(bool),
}

impl RunMsg {
    /// The viewer takes the wheel: Play pauses.
    fn pauses(&self) -> bool {
        matches!(
            self,
            RunMsg::Back
                | RunMsg::Reset
                | RunMsg::Goto(_)
                | RunMsg::Act(_)
                | RunMsg::Load(_)
                | RunMsg::RandomRun
                | RunMsg::Key(_)
                | RunMsg::Restore
        )
    }
}

/// The run's state.
#[derive(Clone, Debug)]
pub struct Run {
    /// The run (`None` if the world cannot be built).
    pub session: Option<Rc<Session>>,
    /// Bumped whenever the session changes: a cheap memo key, and what [`PartialEq`] compares.
    pub revision: u64,
    /// Play is on: the run advances one step per `pace_ms`.
    pub playing: bool,
    /// Milliseconds per step when playing.
    pub pace_ms: u32,
    /// The random-run seed as typed.
    pub seed_text: String,
    /// A thread's key asked to leave the recorded run: the question on screen.
    pub ask: Option<super::ask::Ask>,
    /// The recorded run a branch left, and the step it left at.
    pub stash: Option<(String, usize)>,
    /// The timeline tells the run as its story (`core_sim::analysis::zoom`); kept across runs.
    pub zoom: bool,
}

/// Equal when showing the same thing: the session by [`Run::revision`] (sessions are large, and
/// every change to one bumps it), the rest by value.
impl PartialEq for Run {
    fn eq(&self, other: &Run) -> bool {
        self.revision == other.revision
            && self.playing == other.playing
            && self.pace_ms == other.pace_ms
            && self.seed_text == other.seed_text
            && self.ask == other.ask
            && self.stash == other.stash
            && self.zoom == other.zoom
    }
}

impl Default for Run {
    fn default() -> Run {
        Run {
            session: None,
            revision: 0,
            playing: false,
            pace_ms: PACES[1].0,
            seed_text: "1".into(),
            ask: None,
            stash: None,
            zoom: false,
        }
    }
}

/// What identifies a session's content for [`Run::revision`].
type Mark = Option<(*const Session, usize, usize)>;

impl Run {
    /// Apply one message; `guided`: a lesson plays the run (threads are not the viewer's to
    /// step). Returns what the notices should say, if anything.
    pub fn apply(&mut self, msg: RunMsg, guided: bool) -> Option<Say> {
        if msg.pauses() {
            self.playing = false;
        }
        if !matches!(msg, RunMsg::Key(_) | RunMsg::Answer(_)) {
            self.ask = None;
        }
        match msg {
            RunMsg::Key(a) => return self.key(a, guided),
            RunMsg::Answer(answer) => return self.answer(answer, guided),
            RunMsg::Restore => self.restore(),
            RunMsg::SetZoom(on) => self.zoom = on,
            RunMsg::Act(_) if guided => return Some(Say::Hint(
                "This is a guided lesson: press → or Play to go on, or Take over to be the scheduler yourself.".into(),
            )),
            RunMsg::Act(a) => {
                let mut err = None;
                self.with_session(|s| {
                    if let Err(e) = s.step(a) {
                        err = Some(e.to_string());
                    }
                });
                return Some(match err {
                    Some(e) => Say::Hint(format!("{}: {e}", self.action_words(a))),
                    None => Say::Quiet,
                });
            }
            RunMsg::Back => self.with_session(|s| {
                s.back();
            }),
            RunMsg::Next => {
                return Some(if self.advance(guided) {
                    Say::Quiet
                } else {
                    Say::Hint(self.why_stuck(guided))
                })
            }
            RunMsg::Tick => {
                if self.playing && !self.advance(guided) {
                    self.playing = false;
                }
            }
            RunMsg::TogglePlay => return self.toggle_play(guided),
            RunMsg::SetPace(ms) => self.pace_ms = ms.clamp(100, 10_000),
            RunMsg::Reset => {
                self.stash = None;
                self.with_session(Session::reset)
            }
            RunMsg::Goto(n) => self.goto(n),
            RunMsg::Load(schedule) => return self.load_counterexample(&schedule),
            RunMsg::SetSeed(t) => self.seed_text = t,
            RunMsg::RandomRun => match (self.seed(), self.session.as_ref()) {
                (Ok(seed), Some(s)) => {
                    let run = core_sim::explore::random_run(s.sim(), seed);
                    self.set(Some(run));
                }
                (Err(e), _) => return Some(Say::Error(e)),
                (_, None) => {}
            },
        }
        None
    }

    fn toggle_play(&mut self, guided: bool) -> Option<Say> {
        if self.playing {
            self.playing = false;
            return None;
        }
        if !self.can_advance(guided) && guided {
            // Play at the end of a lesson plays it again.
            self.goto(0);
        }
        if self.can_advance(guided) {
            self.playing = true;
            Some(Say::Quiet)
        } else {
            Some(Say::Hint(self.why_stuck(guided)))
        }
    }

    /// Whether [`RunMsg::Next`] can move: a recorded step ahead, or (outside a lesson) exactly
    /// one thread that can run.
    pub fn can_advance(&self, guided: bool) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.position() < s.len() || (!guided && s.enabled().len() == 1))
    }

    /// One step forward as → does it; `false` if it could not move.
    fn advance(&mut self, guided: bool) -> bool {
        if !self.can_advance(guided) {
            return false;
        }
        self.with_session(|s| {
            if s.position() < s.len() {
                s.forward();
            } else if let [only] = s.enabled()[..] {
                let _ = s.step(only);
            }
        });
        true
    }

    /// Why → cannot move here, in words.
    fn why_stuck(&self, guided: bool) -> String {
        let Some(s) = self.session.as_ref() else {
            return "Nothing to run: this scenario cannot run.".into();
        };
        if guided {
            return "This is the end of the lesson. Press Take over to go on as the scheduler, or ← to go back.".into();
        }
        let enabled = s.enabled();
        if enabled.is_empty() {
            return "The run is over: no thread can run.".into();
        }
        let keys: Vec<String> = enabled.iter().map(|a| a.to_char().to_string()).collect();
        format!(
            "{} threads can run here: you choose. Press {} (or click a thread).",
            enabled.len(),
            keys.join(", ")
        )
    }

    /// A fresh run of a (new) world, or none if the world cannot be built (and why).
    pub fn rebuild(&mut self, world: Result<Sim, String>) -> Option<Say> {
        match world {
            Ok(sim) => {
                self.set(Some(Session::new(&sim)));
                None
            }
            Err(e) => {
                self.set(None);
                Some(Say::Error(format!("This scenario cannot run: {e}")))
            }
        }
    }

    /// Replay `schedule` into a fresh session of the same world; on error keep the valid prefix
    /// and say why (`what` names the schedule in the message).
    pub fn load(&mut self, schedule: &str, what: &str) -> Option<Say> {
        let sim = self.session.as_ref()?.sim().clone();
        let (session, problem) = match Session::replay(&sim, schedule) {
            Ok(s) => (s, None),
            Err(ReplayError::Step { pos, err }) => {
                let prefix: String = schedule.chars().take(pos).collect();
                let s = Session::replay(&sim, &prefix).unwrap_or_else(|_| Session::new(&sim));
                (s, Some(format!(
                    "{what} '{}' cannot be replayed in this scenario: at step {} {err}. Showing the {pos} step(s) before it.",
                    super::clip(schedule, 40),
                    pos + 1
                )))
            }
            Err(ReplayError::Parse(e)) => (
                Session::new(&sim),
                Some(format!(
                    "{what} '{}' is not a schedule: {e}. Showing the initial state.",
                    super::clip(schedule, 40)
                )),
            ),
        };
        self.set(Some(session));
        problem.map(Say::Error)
    }

    /// Replay a counterexample and show it from step 0, saying where its worst violation (the
    /// most severe, then the earliest) happens: "→ to replay; the hang happens at step 24".
    pub fn load_counterexample(&mut self, schedule: &str) -> Option<Say> {
        if let Some(problem) = self.load(schedule, "The counterexample") {
            return Some(problem);
        }
        let worst = self.session.as_ref().and_then(|s| {
            s.violations()
                .into_iter()
                .max_by_key(|v| (v.kind.severity(), std::cmp::Reverse(v.step)))
        })?;
        self.goto(0);
        let what = match worst.kind.severity() {
            core_sim::vocab::Severity::Hang => "the hang".to_string(),
            _ => format!("the {}", worst.kind.title().to_lowercase()),
        };
        Some(Say::Hint(format!(
            "→ to replay; {what} happens at step {}.",
            worst.step
        )))
    }

    /// Go to recorded step `n` (clamped to the recording).
    pub fn goto(&mut self, n: usize) {
        self.with_session(|s| s.goto(n));
    }

    /// Steps taken (0 without a run).
    pub fn position(&self) -> usize {
        self.session.as_ref().map_or(0, |s| s.position())
    }

    /// The whole recorded schedule (empty without a run).
    pub fn schedule(&self) -> String {
        self.session
            .as_deref()
            .map(full_schedule)
            .unwrap_or_default()
    }

    /// The parsed seed, or why it is not one.
    pub fn seed(&self) -> Result<u64, String> {
        let t = self.seed_text.trim();
        t.parse::<u64>().map_err(|_| {
            format!(
                "'{t}' is not a seed: use a whole number from 0 to {}",
                u64::MAX
            )
        })
    }

    fn mark(&self) -> Mark {
        self.session
            .as_ref()
            .map(|s| (Rc::as_ptr(s), s.position(), s.len()))
    }

    fn set(&mut self, session: Option<Session>) {
        self.stash = None;
        self.session = session.map(Rc::new);
        self.revision += 1;
    }

    pub(super) fn with_session(&mut self, f: impl FnOnce(&mut Session)) {
        let before = self.mark();
        if let Some(s) = self.session.as_mut() {
            f(Rc::make_mut(s));
        }
        if self.mark() != before {
            self.revision += 1;
        }
    }

    /// "vCPU0 thread (key 0)" / "flushing vCPU0 thread's store buffer".
    fn action_words(&self, a: Action) -> String {
        let name = self
            .session
            .as_ref()
            .and_then(|s| s.sim().threads.get(a.thread()).map(|t| t.name.clone()))
            .unwrap_or_else(|| format!("thread {}", a.thread()));
        match a {
            Action::Step(_) => format!("{name} (key {})", a.thread()),
            Action::Flush(_) => format!("flushing {name}'s store buffer"),
        }
    }
}

/// The whole recorded schedule (also the steps after the position, for redo and links).
pub fn full_schedule(s: &Session) -> String {
    s.all_records()
        .iter()
        .map(|r| r.event.action.to_char())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(scenario: &str, strategy: &str, schedule: &str) -> Run {
        let sim = Sim::from_ids(scenario, strategy, "sc").unwrap();
        let mut r = Run::default();
        assert_eq!(r.rebuild(Ok(sim)), None);
        assert_eq!(r.load(schedule, "test"), None);
        r
    }

    fn hint(say: Option<Say>) -> String {
        match say {
            Some(Say::Hint(t)) => t,
            other => panic!("expected a hint, got {other:?}"),
        }
    }

    #[test]
    fn every_change_to_the_session_bumps_the_revision() {
        let mut r = run("put-block-vs-affinity", "naive-update", "0011");
        let rev = r.revision;
        r.apply(RunMsg::Goto(4), false);
        assert_eq!(r.revision, rev, "already there: nothing changed");
        r.apply(RunMsg::Back, false);
        assert_eq!((r.position(), r.revision), (3, rev + 1));
        let same = r.clone();
        assert_eq!(r, same);
        r.apply(RunMsg::Act(Action::Step(0)), false);
        assert_eq!(r.schedule(), "0010", "another thread starts a new branch");
        assert_ne!(r, same);
        r.apply(RunMsg::Reset, false);
        assert_eq!((r.position(), r.schedule().as_str()), (0, ""));
        let rev = r.revision;
        r.apply(RunMsg::Load("01".into()), false);
        assert!(r.revision > rev);
    }

    #[test]
    fn a_thread_that_cannot_run_gives_a_hint_and_a_good_step_quiets_it() {
        let mut r = run("put-block-vs-affinity", "naive-update", "");
        let t = hint(r.apply(RunMsg::Act(Action::Step(9)), false));
        assert!(t.contains("no thread 9"), "{t}");
        assert_eq!(
            r.apply(RunMsg::Act(Action::Step(0)), false),
            Some(Say::Quiet)
        );
        assert_eq!(r.position(), 1);
        let t = hint(r.apply(RunMsg::Act(Action::Step(1)), true));
        assert!(t.contains("Take over"), "{t}");
        assert_eq!(r.position(), 1, "a lesson schedules the threads");
    }

    #[test]
    fn a_bad_schedule_keeps_its_valid_prefix_and_says_why() {
        let mut r = run("put-block-vs-affinity", "naive-update", "");
        let Some(Say::Error(e)) = r.load("0z", "The link's schedule") else {
            panic!()
        };
        assert!(
            e.starts_with("The link's schedule '0z' is not a schedule"),
            "{e}"
        );
        assert_eq!(r.position(), 0);
        let Some(Say::Error(e)) = r.load("0009", "The counterexample") else {
            panic!()
        };
        assert!(e.contains("at step 4"), "{e}");
        assert_eq!(r.schedule(), "000");
        let mut none = Run::default();
        let Some(Say::Error(e)) = none.rebuild(Err("no threads".into())) else {
            panic!()
        };
        assert_eq!(e, "This scenario cannot run: no threads");
        assert_eq!(none.load("00", "x"), None, "no world, nothing to load");
        assert!(hint(none.apply(RunMsg::Next, false)).starts_with("Nothing to run"));
    }

    #[test]
    fn play_at_the_end_of_a_lesson_plays_it_again_and_pace_is_clamped() {
        let mut r = run("put-block-vs-affinity", "naive-update", "0011");
        assert!(!r.can_advance(true));
        assert_eq!(r.apply(RunMsg::TogglePlay, true), Some(Say::Quiet));
        assert!(r.playing);
        assert_eq!(r.position(), 0, "back to the start");
        assert_eq!(r.apply(RunMsg::TogglePlay, true), None);
        assert!(!r.playing);
        r.apply(RunMsg::SetPace(5), false);
        assert_eq!(r.pace_ms, 100);
        r.apply(RunMsg::SetPace(u32::MAX), false);
        assert_eq!(r.pace_ms, 10_000);
    }
}
