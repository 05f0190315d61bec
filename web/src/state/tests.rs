//! The rooms together: links in and out, and the moves that span rooms (world → run, check →
//! run, matrix → world, lesson ↔ explorer), as the page uses them.

use super::*;
use crate::jobs;
use crate::url::{self, Theme};
use core_sim::explore::Session;
use core_sim::explore::{self, CheckOptions};
use core_sim::share::welcome;
use core_sim::strategy::Strategy;
use core_sim::ViolationKind;
use core_sim::{Action, MemoryModel};

fn errors(s: &AppState) -> Vec<&str> {
    s.chrome
        .notices
        .iter()
        .filter(|n| n.level == Level::Error)
        .map(|n| n.text.as_str())
        .collect()
}

#[test]
fn default_page_is_the_first_scenario_at_its_start() {
    let s = from_query("");
    assert_eq!(s.world.scenario.id, "put-block-vs-affinity");
    assert_eq!(s.run.session.as_ref().unwrap().position(), 0);
    assert!(s.chrome.notices.is_empty());
    // A bare address: the first visit's world (the 2023 patch) with its welcome card.
    assert_eq!(s.world.preset_id(), Some("naive-update"));
    assert!(s.chrome.welcome);
    let mut s = s;
    s.apply(ChromeMsg::DismissWelcome);
    assert!(!s.chrome.welcome);
    // A link that leaves the strategy out means what it always meant; no card.
    let linked = from_query("?v=3&s=put-block-vs-affinity");
    assert_eq!(linked.world.preset_id(), Some("linux-6.5"));
    assert!(!linked.chrome.welcome);
}

#[test]
fn step_back_forward_and_link() {
    let mut s = from_query("?scenario=block-ga-log&strategy=lock-fix&memory=tso");
    s.apply(RunMsg::Act(Action::Step(0)));
    s.apply(RunMsg::Act(Action::Step(1)));
    assert_eq!(s.run.session.as_ref().unwrap().position(), 2);
    s.apply(RunMsg::Back);
    let link = s.link();
    assert_eq!(link.schedule, "01");
    assert_eq!(link.step, Some(1));
    let again = from_query(&url::encode(&link));
    assert_eq!(again.run.session.as_ref().unwrap().position(), 1);
    assert_eq!(full_schedule(again.run.session.as_ref().unwrap()), "01");
    assert!(
        again.chrome.notices.is_empty(),
        "{:?}",
        again.chrome.notices
    );
}

#[test]
fn a_disabled_thread_gives_a_hint_not_a_failure() {
    let mut s = from_query("?scenario=put-block-vs-affinity");
    s.apply(RunMsg::Act(Action::Step(3))); // the GA-log handler, idle
    assert_eq!(s.run.session.as_ref().unwrap().position(), 0);
    assert_eq!(s.chrome.notices.len(), 1);
    assert_eq!(s.chrome.notices[0].level, Level::Info);
    s.apply(RunMsg::Act(Action::Step(9)));
    assert_eq!(s.chrome.notices.len(), 1, "info notices replace each other");
    assert!(
        s.chrome.notices[0].text.contains("no thread 9"),
        "{:?}",
        s.chrome.notices
    );
}

#[test]
fn text_from_a_link_is_shown_escaped() {
    // An escape sequence and a fake verdict line in the scenario id and the schedule.
    let s = from_query("?v=3&s=%1B%5B2J%0Averdict%3A%20SAFE&r=0%1B%5D0%3Bx%07");
    let all: Vec<&str> = s.chrome.notices.iter().map(|n| n.text.as_str()).collect();
    assert!(all.len() >= 2, "{all:?}");
    for text in &all {
        assert!(!text.chars().any(core_sim::text::is_unsafe), "{text:?}");
    }
    assert!(
        all.iter().any(|t| t.contains("\\u{1b}[2J\\nverdict: SAFE")),
        "{all:?}"
    );
}

#[test]
fn corrupt_links_explain_themselves_and_keep_a_working_page() {
    let s = from_query("?scenario=put-block-vs-affinity&schedule=01zz");
    assert!(
        errors(&s)[0].contains("is not a schedule"),
        "{:?}",
        s.chrome.notices
    );
    assert_eq!(s.run.session.as_ref().unwrap().position(), 0);

    let s = from_query("?scenario=put-block-vs-affinity&schedule=0199999");
    assert!(
        errors(&s)[0].contains("cannot be replayed"),
        "{:?}",
        s.chrome.notices
    );
    // The valid prefix is kept: the first model's "01" (vCPU0 exits; the updater activates
    // the IRTE) is today's 6 steps (the activation's irq_desc lock, publish, flush, unlock).
    assert_eq!(
        s.run.session.as_ref().unwrap().position(),
        6,
        "the valid prefix is kept"
    );

    let s = from_query("?scenario=nope");
    assert!(errors(&s)[0].contains("'nope'"), "{:?}", s.chrome.notices);
    assert!(s.run.session.is_some());

    let mut bad = core_sim::scenario::by_id("migrate-vs-affinity").unwrap();
    bad.threads[0].ops.insert(0, core_sim::program::Op::Enter);
    let q = format!(
        "?scenario_json={}",
        url::percent_encode(&serde_json::to_string(&bad).unwrap())
    );
    let s = from_query(&q);
    assert!(
        errors(&s)[0].contains("cannot run"),
        "{:?}",
        s.chrome.notices
    );
    assert!(s.run.session.is_some());
}

#[test]
fn a_check_loads_the_lost_wakeup_first() {
    let mut s = from_query("?scenario=put-block-vs-affinity&strategy=naive-update");
    let sim = s.run.session.as_ref().unwrap().sim().clone();
    let r = explore::check(&sim, &CheckOptions::default(), &mut |_| true);
    s.apply(CheckMsg::Started(5));
    s.apply(CheckMsg::Done(4, Box::new(r.clone()), 1.0, None));
    assert!(s.check.is_running(), "a stale job is ignored");
    s.apply(CheckMsg::Done(5, Box::new(r), 1.0, None));
    let Some(sum) = s.check.result() else {
        panic!()
    };
    assert_eq!(sum.cexes[0].kind, ViolationKind::LostWakeup);
    // Loaded at step 0; at its end, the run hangs.
    let mut run = s.run.session.as_deref().unwrap().clone();
    assert_eq!(run.position(), 0);
    run.goto(run.len());
    let v = run.violations();
    assert!(
        v.iter().any(|v| v.kind == ViolationKind::LostWakeup),
        "{v:?}"
    );
    // Changing the world drops the result.
    s.apply(WorldMsg::SetMemory(MemoryModel::Tso));
    assert_eq!(s.check, Job::Idle);
}

#[test]
fn knobs_that_match_a_preset_name_it() {
    let mut s = from_query("");
    let mut k = Strategy::preset("lock-fix").unwrap().knobs;
    k.write_once = false;
    s.apply(WorldMsg::SetKnobs(k));
    assert_eq!(s.world.preset_id(), Some("lock-fix-plain-write"));
    k.kick = true;
    s.apply(WorldMsg::SetKnobs(k));
    assert_eq!(s.world.preset_id(), None);
    assert!(url::encode(&s.link()).contains("&t=k."));
}

#[test]
fn matrix_cells_open_in_the_explorer() {
    let mut s = from_query("?view=matrix");
    s.apply(MatrixMsg::Started {
        job: 9,
        workers: 2,
        now: 0.0,
    });
    let idx = s
        .matrix
        .worlds
        .iter()
        .position(|w| w.0 == "put-block-vs-affinity" && w.1 == "naive-update")
        .unwrap();
    let (sc, p, m) = s.matrix.worlds[idx].clone();
    let cell = jobs::matrix_cell(idx, &sc, p, m).unwrap();
    s.apply(MatrixMsg::Cell(9, Box::new(cell), 12.0));
    assert_eq!(s.matrix.done(), 1);
    s.apply(Msg::OpenCell(idx));
    assert_eq!(s.chrome.view, View::Explorer);
    assert_eq!(s.world.preset_id(), Some("naive-update"));
    let Some(sum) = s.check.result() else {
        panic!()
    };
    assert_eq!(sum.cexes[0].kind, ViolationKind::LostWakeup);
    // The counterexample opens at step 0, saying where the hang happens.
    let sess = s.run.session.as_ref().unwrap();
    assert_eq!(sess.position(), 0);
    assert!(!sess.is_empty());
    assert!(
        format!("{:?}", s.chrome).contains(&format!(
            "→ to replay; the hang happens at step {}.",
            sess.len()
        )),
        "{:?}",
        s.chrome
    );
}

#[test]
fn share_links_reopen_the_exact_state_in_both_formats() {
    let v3 = "?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=17";
    let s = from_query(v3);
    assert!(s.chrome.notices.is_empty(), "{:?}", s.chrome.notices);
    let sess = s.run.session.as_ref().unwrap();
    assert_eq!((sess.position(), sess.len()), (17, 24));
    assert_eq!(url::encode(&s.link()), v3);
    // The same view as the first web releases wrote it, in the first model's coarser steps
    // (19 of them, the IRTE write at 12): the same run and moment, written back as v3.
    let v2 =
        from_query("?v=2&s=put-block-vs-affinity&t=naive-update&m=sc&r=0000000001111111222&at=12");
    assert!(v2.chrome.notices.is_empty(), "{:?}", v2.chrome.notices);
    assert_eq!(url::encode(&v2.link()), v3);
    let v1 = from_query(
        "?v=1&scenario=put-block-vs-affinity&strategy=naive-update&memory=sc&schedule=0000000001111111222&step=12",
    );
    assert!(v1.chrome.notices.is_empty(), "{:?}", v1.chrome.notices);
    assert_eq!(url::encode(&v1.link()), v3);
    // Presentation survives: embed and a theme named by the link.
    let s = from_query(&format!("{v3}&embed=1&theme=large"));
    assert!(s.chrome.embed && s.chrome.theme == Theme::Large && s.chrome.theme_in_link);
    assert!(url::encode(&s.link()).ends_with("&embed=1&theme=large"));
}

#[test]
fn future_and_corrupt_links_say_so_and_open_the_default_page() {
    let s = from_query("?v=7&s=running-retarget&r=0101");
    assert!(
        errors(&s)[0].starts_with("This link was made by a newer version of the lab"),
        "{:?}",
        s.chrome.notices
    );
    assert_eq!(s.world.scenario.id, "put-block-vs-affinity");
    assert_eq!(s.run.session.as_ref().unwrap().len(), 0);
    let s = from_query("?v=3&view=lesson&l=no-such-lesson");
    assert!(errors(&s)[0].contains("unknown lesson 'no-such-lesson'"));
    assert_eq!((s.chrome.view, s.lesson.is_none()), (View::Explorer, true));
}

#[test]
fn next_replays_then_runs_the_only_choice_then_asks() {
    let mut s = from_query("?v=3&s=put-block-vs-affinity&t=naive-update&r=00");
    assert_eq!(s.run.session.as_ref().unwrap().position(), 2);
    s.apply(RunMsg::Back);
    s.apply(RunMsg::Back);
    s.apply(RunMsg::Next);
    assert_eq!(
        s.run.session.as_ref().unwrap().position(),
        1,
        "replays the record"
    );
    s.apply(RunMsg::Next);
    // At the end of the record several threads can run: a hint, no step.
    assert!(s.run.session.as_ref().unwrap().enabled().len() > 1);
    s.apply(RunMsg::Next);
    assert_eq!(s.run.session.as_ref().unwrap().position(), 2);
    assert!(
        s.chrome.notices[0].text.contains("threads can run here"),
        "{:?}",
        s.chrome.notices
    );
    assert!(!s.can_advance());
    // Where only one thread can run, → runs it.
    let sim = s.run.session.as_ref().unwrap().sim().clone();
    let mut run = Session::new(&sim);
    let mut schedule = String::new();
    while run.enabled().len() > 1 || run.enabled().is_empty() {
        let Some(&a) = run.enabled().first() else {
            break;
        };
        run.step(a).unwrap();
        schedule.push(a.to_char());
    }
    assert_eq!(run.enabled().len(), 1, "the run reaches a single choice");
    let mut t = from_query(&format!(
        "?v=3&s=put-block-vs-affinity&t=naive-update&r={schedule}"
    ));
    let before = t.run.session.as_ref().unwrap().position();
    t.apply(RunMsg::Next);
    assert_eq!(t.run.session.as_ref().unwrap().position(), before + 1);
    assert!(t.chrome.notices.is_empty());
}

#[test]
fn play_ticks_until_it_must_stop() {
    let mut s = from_query("?v=3&s=put-block-vs-affinity&t=naive-update&r=0011&at=1");
    s.apply(RunMsg::TogglePlay);
    assert!(s.run.playing);
    s.apply(RunMsg::Tick);
    s.apply(RunMsg::Tick);
    assert_eq!(s.run.session.as_ref().unwrap().position(), 3);
    s.apply(RunMsg::Tick);
    s.apply(RunMsg::Tick); // a choice: Play stops quietly
    assert!(!s.run.playing);
    assert_eq!(s.run.session.as_ref().unwrap().position(), 4);
    s.apply(RunMsg::TogglePlay);
    assert!(!s.run.playing, "nothing to play");
    s.apply(RunMsg::Goto(0));
    s.apply(RunMsg::TogglePlay);
    s.apply(RunMsg::Back);
    assert!(!s.run.playing, "stepping by hand pauses");
}

#[test]
fn a_lesson_plays_to_its_takeaway_and_can_be_taken_over() {
    let lesson = lessons::by_id("first-patch").unwrap();
    let mut s = from_query("?v=3&view=lesson&l=first-patch&at=3");
    assert!(s.chrome.notices.is_empty(), "{:?}", s.chrome.notices);
    assert_eq!(s.lesson.as_ref().unwrap().lesson.id, "first-patch");
    assert_eq!(s.run.session.as_ref().unwrap().position(), 3);
    assert_eq!(
        url::encode(&s.link()),
        "?v=3&view=lesson&l=first-patch&at=3"
    );
    // The lesson schedules: a click on a thread pane (or its key) only makes that pane say how
    // to take over; the run moving on drops it.
    s.apply(RunMsg::Act(Action::Step(1)));
    assert_eq!(s.run.session.as_ref().unwrap().position(), 3);
    assert_eq!(s.lesson.as_ref().unwrap().clicked, Some(1));
    s.apply(RunMsg::Key(Action::Step(2)));
    assert_eq!(s.lesson.as_ref().unwrap().clicked, Some(2));
    assert_eq!(s.run.session.as_ref().unwrap().position(), 3);
    s.apply(RunMsg::Next);
    assert_eq!(s.lesson.as_ref().unwrap().clicked, None);
    s.apply(RunMsg::Back);
    s.apply(RunMsg::TogglePlay);
    while s.run.playing {
        s.apply(RunMsg::Tick);
    }
    let sess = s.run.session.as_ref().unwrap();
    assert_eq!(sess.position(), lesson.len());
    assert_eq!(full_schedule(sess), lesson.schedule);
    assert!(sess
        .violations()
        .iter()
        .any(|v| v.kind == ViolationKind::LostWakeup));
    // Claims: only the worker job asked for them counts.
    s.apply(LessonMsg::ClaimsStarted(8));
    let result = jobs::verify_claim("first-patch", 0).unwrap();
    s.apply(LessonMsg::ClaimDone(7, 0, result.clone()));
    assert_eq!(s.lesson.as_ref().unwrap().claims[0], ClaimStatus::Pending);
    s.apply(LessonMsg::ClaimDone(8, 0, result.clone()));
    assert_eq!(
        s.lesson.as_ref().unwrap().claims[0],
        ClaimStatus::Done(result)
    );
    // Take over: same world and run, now an explorer link.
    s.apply(RunMsg::Goto(12));
    s.apply(Msg::TakeOver);
    assert!(s.lesson.is_none());
    assert_eq!(
        url::encode(&s.link()),
        format!(
            "?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r={}&at=12",
            lesson.schedule
        )
    );
    s.apply(RunMsg::Act(Action::Step(2)));
    assert_eq!(s.run.session.as_ref().unwrap().position(), 13);
}

#[test]
fn lessons_open_from_the_list_and_unknown_ones_say_so() {
    let mut s = from_query("");
    s.apply(Msg::SetView(View::Lesson));
    assert!(s.lesson.is_none());
    // The list has a link of its own, and reloading it shows the list again.
    let list = core_sim::share::encode(&s.link());
    assert!(list.ends_with("&view=lesson"), "{list}");
    let again = from_query(&list);
    assert_eq!(
        (again.chrome.view, again.lesson.is_none()),
        (View::Lesson, true)
    );
    s.apply(Msg::OpenLesson("lock-fix".into()));
    let g = s.lesson.as_ref().unwrap();
    assert_eq!((g.lesson.number, g.claims.len()), (4, 2));
    assert_eq!(s.run.session.as_ref().unwrap().position(), 0);
    assert_eq!(s.world.preset_id(), Some("linux-6.6"));
    s.apply(Msg::OpenLesson("nope".into()));
    assert!(errors(&s)[0].contains("unknown lesson 'nope'"));
    // The Explorer tab takes the lesson's run over.
    s.apply(RunMsg::Next);
    s.apply(Msg::SetView(View::Explorer));
    assert!(s.lesson.is_none());
    assert_eq!(s.run.session.as_ref().unwrap().position(), 1);
}

#[test]
fn random_runs_use_the_typed_seed() {
    let mut s = from_query("?scenario=migrate-vs-affinity&strategy=naive-update");
    s.apply(RunMsg::SetSeed("42".into()));
    s.apply(RunMsg::RandomRun);
    let a = full_schedule(s.run.session.as_ref().unwrap());
    let sim = s.run.session.as_ref().unwrap().sim().clone();
    assert_eq!(a, explore::random_run(&sim, 42).schedule().to_string());
    s.apply(RunMsg::SetSeed("x".into()));
    s.apply(RunMsg::RandomRun);
    assert!(errors(&s)[0].contains("not a seed"));
}

#[test]
fn a_world_change_pauses_starts_a_fresh_run_and_drops_the_check_and_the_lesson() {
    let mut s = from_query("?v=3&view=lesson&l=first-patch&at=3");
    s.apply(CheckMsg::Started(2));
    s.apply(RunMsg::TogglePlay);
    assert!(s.run.playing && s.lesson.is_some() && s.check.is_running());
    s.apply(WorldMsg::SelectScenario("nope".into()));
    assert!(errors(&s)[0].contains("no scenario 'nope'"));
    assert!(s.lesson.is_some(), "a failed pick changes nothing but Play");
    assert!(!s.run.playing);
    s.apply(WorldMsg::SetMemory(MemoryModel::Tso));
    assert_eq!(s.run.position(), 0);
    assert_eq!(s.run.schedule(), "");
    assert!(s.lesson.is_none());
    assert_eq!(s.check, Job::Idle);
    // The old check's answer arrives: it is for another world.
    let sim = s.run.session.as_ref().unwrap().sim().clone();
    let r = explore::check(&sim, &CheckOptions::default(), &mut |_| true);
    s.apply(CheckMsg::Done(2, Box::new(r), 1.0, None));
    assert_eq!((s.check.clone(), s.run.position()), (Job::Idle, 0));
}

#[test]
fn a_diff_link_opens_the_comparison_and_the_page_writes_it_back() {
    let q =
        "?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&vs=lock-fix";
    let mut s = from_query(q);
    assert!(errors(&s).is_empty(), "{:?}", errors(&s));
    assert_eq!(
        s.compare.knobs(),
        Some(Strategy::preset("linux-6.6").unwrap().knobs)
    );
    assert!(url::encode(&s.link()).ends_with("&vs=linux-6.6"));
    s.apply(CompareMsg::SetMemory(MemoryModel::Tso));
    assert!(url::encode(&s.link()).ends_with("&vs=linux-6.6&vm=tso"));
    let again = from_query(&url::encode(&s.link()));
    assert_eq!(again.compare, s.compare);
    s.apply(CompareMsg::Close);
    assert!(!url::encode(&s.link()).contains("vs="));
    // Links written before the diff view open without it.
    assert_eq!(from_query("?v=3&t=kick&r=01").compare.against, None);
    let (link, problems) = url::decode_lenient("?v=3&t=kick&vs=nope");
    assert!(link.against.is_none() && !problems.is_empty());
}

/// The goal's shortest run, as the page's worker would find it.
fn proof(id: &str) -> Box<explore::CheckReport> {
    let c = core_sim::challenges::by_id(id).unwrap();
    Box::new(explore::check(
        &c.sim().unwrap(),
        &CheckOptions::default(),
        &mut |_| true,
    ))
}

#[test]
fn a_challenge_opens_by_link_proves_its_goal_in_the_worker_and_is_won_by_the_players_run() {
    let mut s = from_query("?v=3&ch=hang-6-6-old-owner");
    assert!(s.chrome.notices.is_empty(), "{:?}", s.chrome.notices);
    assert_eq!(s.chrome.view, View::Challenge);
    assert_eq!(s.world.scenario.id, "retarget-vs-old-owner");
    assert_eq!(s.world.preset_id(), Some("linux-6.6"));
    assert_eq!(s.history_key(), "challenge/hang-6-6-old-owner");
    let p = s.challenge.as_ref().unwrap();
    assert!(p.wants_proof() && p.won.is_none());
    // The proof is a check job of its own: its answer feeds the ladder, not the explorer's
    // check, and loads nothing into the run.
    s.apply(ChallengeMsg::ProofStarted(5));
    s.apply(CheckMsg::Done(5, proof("hang-6-6-old-owner"), 1.0, None));
    assert_eq!(s.check, Job::Idle);
    assert_eq!(s.run.position(), 0);
    assert!(s.chrome.notices.is_empty(), "{:?}", s.chrome.notices);
    let n = s.challenge.as_ref().unwrap().ladder_len();
    assert!(n > 0);
    // Two hints, then the player schedules the whole run (the ladder's own steps).
    s.apply(ChallengeMsg::Hint);
    s.apply(ChallengeMsg::Hint);
    assert_eq!(s.challenge.as_ref().unwrap().rung, 2);
    let Proof::Ready(ladder) = s.challenge.as_ref().unwrap().proof.clone() else {
        panic!()
    };
    for h in &ladder.steps {
        assert!(s.challenge.as_ref().unwrap().won.is_none());
        s.apply(RunMsg::Act(h.action));
    }
    let p = s.challenge.as_ref().unwrap();
    let v = p.won.as_ref().expect("the core judges the run a win");
    assert_eq!((v.kind, v.step), (ViolationKind::LostWakeup, n));
    assert!(p.win_text(n).contains("2 hint rung(s) used"));
    // The link is the challenge and the player's run; it reopens won.
    let q = url::encode(&s.link());
    assert!(
        q.starts_with("?v=3&s=retarget-vs-old-owner&t=linux-6.6&m=sc&r=")
            && q.ends_with("&ch=hang-6-6-old-owner"),
        "{q}"
    );
    let again = from_query(&q);
    assert!(again.challenge.as_ref().unwrap().won.is_some());
    // Back: not won on screen any more, but solved; Start again keeps the challenge.
    s.apply(RunMsg::Back);
    assert!(s.challenge.as_ref().unwrap().won.is_none());
    assert!(s.challenge.as_ref().unwrap().solved.is_some());
    s.apply(RunMsg::Reset);
    assert!(s.challenge.is_some());
    // The Explorer tab takes the run over as a plain explorer link.
    s.apply(Msg::SetView(View::Explorer));
    assert!(s.challenge.is_none());
    assert!(!url::encode(&s.link()).contains("ch="));
}

#[test]
fn challenges_open_from_the_list_and_a_bad_id_keeps_the_link_visible() {
    let mut s = from_query("?v=3&view=challenge");
    assert_eq!(
        (s.chrome.view, s.challenge.is_none()),
        (View::Challenge, true)
    );
    assert_eq!(
        url::encode(&s.link()),
        "?v=3&s=put-block-vs-affinity&t=linux-6.5&m=sc&view=challenge"
    );
    s.apply(Msg::OpenChallenge("torn-entry".into()));
    assert_eq!(s.challenge.as_ref().unwrap().challenge.id, "torn-entry");
    assert_eq!(s.world.scenario.id, "ipi-during-load");
    // A check failure of the proof's job says why there are no hints, nowhere else.
    s.apply(ChallengeMsg::ProofStarted(3));
    s.apply(CheckMsg::Failed(3, "the check worker stopped".into()));
    assert!(matches!(
        s.challenge.as_ref().unwrap().proof,
        Proof::Failed(_)
    ));
    assert_eq!(s.check, Job::Idle);
    s.apply(Msg::OpenChallenge("nope".into()));
    assert!(
        errors(&s)[0].contains("unknown challenge 'nope'"),
        "{:?}",
        errors(&s)
    );
    let bad = from_query("?v=3&s=running-retarget&ch=nope");
    assert_eq!(bad.chrome.view, View::Explorer);
    assert!(bad.challenge.is_none());
    assert_eq!(bad.world.scenario.id, "running-retarget");
    assert!(
        errors(&bad)[0].starts_with("Link parameter 'ch': unknown challenge 'nope'"),
        "{:?}",
        errors(&bad)
    );
    assert_eq!(
        bad.chrome.bad_link.as_deref(),
        Some("?v=3&s=running-retarget&ch=nope")
    );
}

#[test]
fn the_editor_starts_from_the_world_and_its_link_carries_the_draft_even_a_broken_one() {
    use core_sim::scenario::{Field, VcpuStart};
    let mut s = from_query("?v=3&s=put-block-vs-affinity&t=linux-6.6");
    s.apply(Msg::OpenEditor);
    assert_eq!(s.chrome.view, View::Editor);
    assert_eq!(s.editor.as_ref().unwrap().draft, s.world.scenario);
    s.apply(EditMsg::AddVcpu);
    s.apply(EditMsg::SetVcpuState(1, VcpuStart::InGuest));
    let q = url::encode(&s.link());
    assert!(q.starts_with("?v=5&sc=12_g0g0_"), "{q}");
    assert!(q.contains("&view=editor"), "{q}");
    // Reloaded: the same draft, the same rule broken at the same field, no link error.
    let back = from_query(&q);
    assert_eq!(errors(&back), Vec::<&str>::new());
    let e = back.editor.as_ref().unwrap();
    assert_eq!(e.draft, s.editor.as_ref().unwrap().draft);
    assert_eq!(e.problem().unwrap().field, Field::VcpuPcpu(1));
    // It cannot run while broken: a notice says why, the editor stays.
    s.apply(Msg::RunDraft);
    assert_eq!(s.chrome.view, View::Editor);
    assert!(
        errors(&s)[0].contains("both loaded on pCPU0"),
        "{:?}",
        errors(&s)
    );
    s.apply(EditMsg::Undo);
    s.apply(EditMsg::AddThread);
    s.apply(Msg::RunDraft);
    assert_eq!(s.chrome.view, View::Explorer);
    assert_eq!(s.world.scenario.threads.len(), 4);
    assert_eq!(
        s.run.session.as_ref().unwrap().sim().scenario.threads.len(),
        4
    );
    // The explorer's link names the edited world in compact text; it opens the same world.
    let q = url::encode(&s.link());
    assert!(q.starts_with("?v=5&sc=") && !q.contains("view="), "{q}");
    let back = from_query(&q);
    assert_eq!(back.world.scenario, s.world.scenario);
    assert_eq!(back.world.preset_id(), Some("linux-6.6"));
}

#[test]
fn a_damaged_scenario_text_is_a_notice_and_the_link_stays_on_screen() {
    let q = "?v=5&sc=12_g0_0r_v0XQ_~_1.x1.y0.&view=editor";
    let s = from_query(q);
    assert!(
        errors(&s)[0].contains("character 13: 'Q' is not an operation's letter"),
        "{:?}",
        errors(&s)
    );
    assert_eq!(s.chrome.bad_link.as_deref(), Some(q));
    // The editor opens on the scenario shown instead.
    assert_eq!(s.editor.as_ref().unwrap().draft, s.world.scenario);
    // A valid text outside the editor runs; a broken one does not.
    let mut sc = core_sim::scenario::by_id("block-ga-log").unwrap();
    sc.title = "mine".into();
    let ok = from_query(&format!("?v=5&sc={}", sc.to_compact().unwrap()));
    assert_eq!(ok.world.scenario, sc);
    sc.pcpus = 9;
    let bad = from_query(&format!("?v=5&sc={}", sc.to_compact().unwrap()));
    assert!(
        errors(&bad)[0].contains("pcpus must be 1..=4"),
        "{:?}",
        errors(&bad)
    );
}

/// The worker's answers to `request`, read as the page reads them and routed to its rooms.
fn worker_answers(request: &jobs::Request) -> Vec<Msg> {
    let mut out = Vec::new();
    web_worker::handle(&serde_json::to_string(request).unwrap(), &mut |json| {
        let r = jobs::Response::from_json(&json).unwrap();
        out.extend(crate::hooks::pool::route(
            crate::worker::Source::Check,
            r,
            0.0,
        ));
    });
    out
}

#[test]
fn show_me_the_hang_asks_the_worker_and_replays_its_answer_to_the_end() {
    let mut s = from_query("");
    let request = crate::hooks::jobs::hang_request(5, &s.world);
    s.apply(HangMsg::Asked(5));
    assert_eq!(s.hang, Some(5));
    assert!(s.chrome.notices.iter().any(|n| n.text == FINDING_HANG));
    let answers = worker_answers(&request);
    let [Msg::Hang(HangMsg::Found(5, Some(schedule)))] = &answers[..] else {
        panic!("{answers:?}")
    };
    for m in answers.clone() {
        s.apply(m);
    }
    // The same run as the core's answer, at its end, where the lost wake-up is.
    let sim = s.run.session.as_ref().unwrap().sim().clone();
    assert_eq!(Some(schedule.clone()), welcome::hang_schedule(&sim));
    assert_eq!(s.run.schedule(), *schedule);
    let session = s.run.session.as_ref().unwrap();
    assert_eq!(session.position(), session.len());
    assert!(session
        .violations()
        .iter()
        .any(|v| v.kind == ViolationKind::LostWakeup));
    assert!(s.hang.is_none() && errors(&s).is_empty());
    assert!(!s.chrome.notices.iter().any(|n| n.text == FINDING_HANG));

    // An answer after the world changed, or for another job, changes nothing.
    let mut s = from_query("");
    s.apply(HangMsg::Asked(6));
    s.apply(WorldMsg::SetMemory(MemoryModel::Tso));
    assert!(s.hang.is_none());
    s.apply(HangMsg::Found(6, Some(schedule.clone())));
    s.apply(HangMsg::Failed(6, "boom".into()));
    assert_eq!((s.run.position(), errors(&s).len()), (0, 0));
    // A world without a hang says so; a failed job says why.
    let mut s = from_query("?v=3&s=put-block-vs-affinity&t=linux-6.17");
    let request = crate::hooks::jobs::hang_request(7, &s.world);
    s.apply(HangMsg::Asked(7));
    for m in worker_answers(&request) {
        s.apply(m);
    }
    assert!(s
        .chrome
        .notices
        .iter()
        .any(|n| n.text.contains("cannot hang")));
    s.apply(HangMsg::Asked(8));
    s.apply(HangMsg::Failed(8, "the check worker stopped".into()));
    assert!(errors(&s)[0].contains("Could not find the hang: the check worker stopped"));
}

#[test]
fn the_zoom_is_kept_across_worlds_and_leaves_the_run_and_its_playback_alone() {
    let mut s = from_query(
        "?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=3",
    );
    s.apply(RunMsg::TogglePlay);
    assert!(s.run.playing);
    let (link, rev) = (url::encode(&s.link()), s.run.revision);
    s.apply(RunMsg::SetZoom(true));
    assert!(s.run.zoom && s.run.playing, "zoom on, still playing");
    assert_eq!((url::encode(&s.link()), s.run.revision), (link, rev));
    s.apply(WorldMsg::SelectScenario("block-ga-log".into()));
    assert!(s.run.zoom, "a new world keeps the zoom");
    s.apply(RunMsg::SetZoom(false));
    assert!(!s.run.zoom);
}
