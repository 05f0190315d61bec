//! A challenge being played: which challenge, its hint ladder (the checker's shortest
//! counterexample for the goal kind: the check worker finds it, the core tells it as steps), how
//! many rungs are shown, and the win. Its world is the page's world and the user schedules with
//! the explorer's controls; the win is the core's judgement of the page's own run
//! ([`Challenge::judge`]: the run replayed afresh in the challenge's world), never a text match.

use core_sim::challenges::{Challenge, HintStep, Ladder, LEVELS};
use core_sim::explore::{CheckReport, Session};
use core_sim::Violation;

/// Messages of the challenge being played.
#[derive(Clone, Debug, PartialEq)]
pub enum ChallengeMsg {
    /// The check worker was asked to prove the goal reachable (job id).
    ProofStarted(u64),
    /// The worker's report of the challenge's world (job id): the ladder comes from it.
    Proved(u64, Box<CheckReport>),
    /// The worker failed on job `id`.
    ProofFailed(u64, String),
    /// Show the next rung of the hint ladder.
    Hint,
}

/// The hints, as the worker's proof of the goal makes them.
#[derive(Clone, Debug, PartialEq)]
pub enum Proof {
    /// The checker is on it.
    Pending,
    /// The goal is reachable: its shortest run, told step by step.
    Ready(Ladder),
    /// No hints: why (the goal is unreachable, the search stopped, the worker failed).
    Failed(String),
}

/// The first time the run on screen reached the goal.
#[derive(Clone, Debug, PartialEq)]
pub struct Solved {
    /// The goal's violation in that run.
    pub violation: Violation,
    /// Hint rungs shown by then.
    pub hints: usize,
}

/// A challenge being played.
#[derive(Clone, Debug, PartialEq)]
pub struct Playing {
    /// The challenge.
    pub challenge: &'static Challenge,
    /// Its hints.
    pub proof: Proof,
    /// The worker job proving the goal (`None`: not asked yet).
    pub job: Option<u64>,
    /// Rungs shown (0 ..= [`LEVELS`]): the hints used.
    pub rung: usize,
    /// The core's verdict on the run on screen: the goal's violation, if the run up to the
    /// cursor shows it.
    pub won: Option<Violation>,
    /// The first win, kept when the user steps back.
    pub solved: Option<Solved>,
}

impl Playing {
    /// Starts `challenge`: no hints until the worker's proof arrives, nothing won.
    pub fn new(challenge: &'static Challenge) -> Playing {
        Playing {
            challenge,
            proof: Proof::Pending,
            job: None,
            rung: 0,
            won: None,
            solved: None,
        }
    }

    /// The proof still needs a worker job.
    pub fn wants_proof(&self) -> bool {
        self.job.is_none() && self.proof == Proof::Pending
    }

    /// Whether worker job `id` is this challenge's proof.
    pub fn owns(&self, id: u64) -> bool {
        self.job == Some(id)
    }

    /// Apply one message; only the proof's own job counts.
    pub fn apply(&mut self, msg: ChallengeMsg) {
        match msg {
            ChallengeMsg::ProofStarted(job) => self.job = Some(job),
            ChallengeMsg::Proved(job, report) if self.owns(job) => {
                self.proof = match self.challenge.ladder(&report) {
                    Ok(l) => Proof::Ready(l),
                    Err(e) => Proof::Failed(format!("{e}.")),
                };
            }
            ChallengeMsg::ProofFailed(job, e) if self.owns(job) => {
                self.proof = Proof::Failed(format!("The checker could not prove the goal: {e}."));
            }
            ChallengeMsg::Proved(..) | ChallengeMsg::ProofFailed(..) => {}
            ChallengeMsg::Hint if self.more_hints() => self.rung += 1,
            ChallengeMsg::Hint => {}
        }
    }

    /// The hint steps shown so far.
    pub fn hints(&self) -> &[HintStep] {
        match &self.proof {
            Proof::Ready(l) => l.revealed(self.rung),
            _ => &[],
        }
    }

    /// Steps in the whole ladder (0 until the proof arrives).
    pub fn ladder_len(&self) -> usize {
        match &self.proof {
            Proof::Ready(l) => l.steps.len(),
            _ => 0,
        }
    }

    /// Another rung can be shown.
    pub fn more_hints(&self) -> bool {
        matches!(self.proof, Proof::Ready(_)) && self.rung < LEVELS
    }

    /// Judge the run on screen (after anything that may have changed it); the first win is
    /// kept with the hints used by then.
    pub fn observe(&mut self, run: Option<&Session>) {
        self.won = run.and_then(|s| self.challenge.judge(s));
        if let (None, Some(v)) = (&self.solved, &self.won) {
            self.solved = Some(Solved {
                violation: v.clone(),
                hints: self.rung,
            });
        }
    }

    /// The sentence that announces the win at step `position` (empty unless the goal's
    /// violation fires exactly there).
    pub fn win_text(&self, position: usize) -> String {
        match &self.won {
            Some(v) if v.step == position => format!(
                "Challenge won: {} at step {position}, confirmed by the checker's oracle on your own run ({} hint rung(s) used). {}",
                v.kind.title(),
                self.rung,
                v.explanation
            ),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_sim::explore::{check, CheckOptions};

    fn proved(id: &str) -> Playing {
        let c = core_sim::challenges::by_id(id).unwrap();
        let mut p = Playing::new(c);
        assert!(p.wants_proof());
        p.apply(ChallengeMsg::ProofStarted(3));
        assert!(!p.wants_proof());
        let report = check(&c.sim().unwrap(), &CheckOptions::default(), &mut |_| true);
        p.apply(ChallengeMsg::Proved(2, Box::new(report.clone())));
        assert_eq!(p.proof, Proof::Pending, "another job's report");
        p.apply(ChallengeMsg::Proved(3, Box::new(report)));
        assert!(matches!(p.proof, Proof::Ready(_)));
        p
    }

    #[test]
    fn hints_climb_to_the_top_and_following_them_wins() {
        let mut p = proved("hang-6-6-old-owner");
        let c = p.challenge;
        assert!(p.hints().is_empty());
        let n = p.ladder_len();
        let mut shown = 0;
        for _ in 0..LEVELS + 2 {
            p.apply(ChallengeMsg::Hint);
            assert!(p.hints().len() >= shown, "a rung never hides a step");
            shown = p.hints().len();
        }
        assert_eq!((shown, p.rung), (n, LEVELS));
        assert!(!p.more_hints());
        let mut s = Session::new(&c.sim().unwrap());
        p.observe(Some(&s));
        assert!(p.won.is_none() && p.solved.is_none());
        for h in p.hints().to_vec() {
            s.step(h.action).unwrap();
        }
        p.observe(Some(&s));
        assert_eq!(p.won.as_ref().unwrap().kind, c.win);
        let text = p.win_text(s.position());
        assert!(
            text.starts_with("Challenge won: lost wake-up at step "),
            "{text}"
        );
        assert!(text.contains("(4 hint rung(s) used)"), "{text}");
        assert_eq!(p.win_text(s.position() - 1), "");
        // Back at the start of the same run: not won on screen, but solved stays.
        s.goto(0);
        p.observe(Some(&s));
        assert!(p.won.is_none());
        assert_eq!(p.solved.as_ref().unwrap().hints, LEVELS);
    }

    #[test]
    fn no_hints_before_the_proof_and_a_failure_says_why() {
        let c = core_sim::challenges::by_id("torn-entry").unwrap();
        let mut p = Playing::new(c);
        p.apply(ChallengeMsg::Hint);
        assert_eq!((p.rung, p.hints().len()), (0, 0), "nothing to reveal yet");
        p.apply(ChallengeMsg::ProofStarted(7));
        p.apply(ChallengeMsg::ProofFailed(6, "stale".into()));
        assert_eq!(p.proof, Proof::Pending);
        p.apply(ChallengeMsg::ProofFailed(
            7,
            "the check worker stopped".into(),
        ));
        assert_eq!(
            p.proof,
            Proof::Failed("The checker could not prove the goal: the check worker stopped.".into())
        );
        assert!(!p.wants_proof() && !p.more_hints());
        // A report of a world without the goal kind: the core's reason.
        let mut p = Playing::new(c);
        p.apply(ChallengeMsg::ProofStarted(1));
        let safe = core_sim::Sim::from_ids("ipi-during-load", "linux-6.6", "sc").unwrap();
        let report = check(&safe, &CheckOptions::default(), &mut |_| true);
        p.apply(ChallengeMsg::Proved(1, Box::new(report)));
        let Proof::Failed(e) = &p.proof else { panic!() };
        assert!(e.contains("no torn-read in any interleaving"), "{e}");
    }
}
