//! The explorer: the world on the left, the run in the middle (threads, state, what went wrong,
//! timeline).

use super::announce::{alarm_text, step_text, Announcer};
use super::ask::AskBar;
use super::challenge::{ChallengePanel, ChallengeWon};
use super::check_panel::CheckPanel;
use super::compare::{ComparePanel, DiffView};
use super::drawing::{draw, picture};
use super::last_step::{LastStep, Why};
use super::lesson::{LessonNote, LessonPanel};
use super::pickers::{MemoryPicker, ScenarioPicker};
use super::picture::MachinePicture;
use super::random_panel::RandomPanel;
use super::slide::SlideView;
use super::state_pane::StatePane;
use super::strategy_picker::StrategyPicker;
use super::thread_pane::ThreadPane;
use super::timeline::{TimelinePane, Zoom};
use super::toolbar::RunToolbar;
use super::violations::{HangBanner, Violations};
use crate::state::{
    ChallengeMsg, CheckState, ChromeMsg, Compare, Guided, Level, Msg, Playing, Run, RunMsg, World,
    WorldMsg,
};
use crate::url::{Theme, View};
use core_sim::explore::Session;
use core_sim::{view, Action};
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`Explorer`].
#[derive(Properties, PartialEq)]
pub struct ExplorerProps {
    /// What runs.
    pub world: World,
    /// The run on screen and its playback.
    pub run: Run,
    /// Find a race.
    pub check: CheckState,
    /// The lesson being played, if any.
    pub guided: Option<Guided>,
    /// The challenge being played, if any.
    #[prop_or_default]
    pub challenge: Option<Playing>,
    /// The diff view's second world.
    pub compare: Compare,
    /// Minimal chrome for an iframe.
    pub embed: bool,
    /// Messages that do not change the world.
    pub on_msg: Callback<Msg>,
    /// Messages that change the world (a running check is cancelled first).
    pub on_world: Callback<Msg>,
    /// Find a race.
    pub on_find: Callback<()>,
    /// Cancel the check.
    pub on_cancel: Callback<()>,
    /// Pick a random seed.
    pub on_dice: Callback<()>,
    /// The full page's link (embeds link to it).
    pub full_link: AttrValue,
    /// The theme on screen (downloads are drawn in it).
    #[prop_or_default]
    pub theme: Theme,
    /// More of the sidebar, after "Compare with…" (what stops it, the patch editor's button).
    #[prop_or_default]
    pub side: Html,
    /// Above the threads (the patch editor).
    #[prop_or_default]
    pub bench: Html,
}

/// The explorer.
#[function_component(Explorer)]
pub fn explorer(p: &ExplorerProps) -> Html {
    let (world, run) = (&p.world, &p.run);
    let loaded: AttrValue = run.schedule().into();
    // The story of the recorded run (not of the position on it), while zoomed; the groups the
    // viewer opened, until the recording changes.
    let story = {
        let session = run.session.clone();
        use_memo((loaded.clone(), run.zoom), move |&(_, zoom)| {
            let s = session.as_deref().filter(|_| zoom)?;
            Some(Rc::new(core_sim::analysis::story_of_session(s)))
        })
    };
    let expanded = use_state(Vec::<usize>::new);
    {
        let expanded = expanded.clone();
        use_effect_with(loaded.clone(), move |_| expanded.set(Vec::new()));
    }
    let drawn = {
        let (session, story) = (run.session.clone(), story.clone());
        let key = (run.revision, p.theme, run.zoom, (*expanded).clone());
        use_memo(key, move |(_, theme, _, open)| {
            let story = story.as_ref().as_deref();
            session.as_deref().map(|s| draw(s, *theme, story, open))
        })
    };
    let on_zoom = {
        let (on_msg, expanded, story) = (p.on_msg.clone(), expanded.clone(), story.clone());
        Callback::from(move |z: Zoom| match z {
            // A story starts with every block closed.
            Zoom::Story(on) => {
                expanded.set(Vec::new());
                on_msg.emit(RunMsg::SetZoom(on).into());
            }
            Zoom::Expand(i) if !expanded.contains(&i) => {
                expanded.set([&expanded[..], &[i]].concat())
            }
            Zoom::Expand(_) => {}
            Zoom::Collapse(i) => {
                expanded.set(expanded.iter().copied().filter(|&g| g != i).collect())
            }
            Zoom::ExpandAll => expanded.set(
                story
                    .as_ref()
                    .as_ref()
                    .map(|st| (0..st.steps.len()).collect())
                    .unwrap_or_default(),
            ),
            Zoom::CollapseAll => expanded.set(Vec::new()),
        })
    };
    let slide = {
        let session = run.session.clone();
        let on = p.embed;
        use_memo((run.revision, on), move |_| {
            session
                .as_deref()
                .filter(|_| on)
                .map(|s| Rc::new(core_sim::slide::at(s)))
        })
    };
    let pictured = {
        let session = run.session.clone();
        let pos = session.as_deref().map(Session::position);
        let on = p.embed;
        use_memo((run.revision, pos, on), move |_| {
            session.as_deref().map(|s| picture(s, on))
        })
    };
    let on_run = |m: RunMsg| p.on_msg.reform(move |_: ()| Msg::Run(m.clone()));
    let on_scenario = p.on_world.reform(|id| WorldMsg::SelectScenario(id).into());
    let on_preset = p.on_world.reform(|id| WorldMsg::SelectPreset(id).into());
    let on_knobs = p.on_world.reform(|k| WorldMsg::SetKnobs(k).into());
    let on_memory = p.on_world.reform(|m| WorldMsg::SetMemory(m).into());
    let on_goto = p.on_msg.reform(|n| RunMsg::Goto(n).into());
    let seed_error = run.seed().err().map(AttrValue::from);
    let sidebar = if p.embed {
        html! {}
    } else if let Some(ch) = &p.challenge {
        html! {
            <ChallengePanel playing={ch.clone()} taken={run.session.as_deref().map(|s| s.records().iter().map(|r| r.event.action).collect::<Vec<_>>()).unwrap_or_default()}
                on_hint={p.on_msg.reform(|_: ()| ChallengeMsg::Hint.into())}
                on_list={p.on_msg.reform(|_: ()| Msg::SetView(View::Challenge))}
                on_reset={on_run(RunMsg::Reset)} />
        }
    } else if let Some(g) = &p.guided {
        html! {
            <LessonPanel guided={g.clone()} on_take_over={p.on_msg.reform(|_: ()| Msg::TakeOver)}
                on_list={p.on_msg.reform(|_: ()| Msg::SetView(View::Lesson))} />
        }
    } else {
        html! {
        <aside class="sidebar" aria-label="World">
            <ScenarioPicker scenarios={world.scenarios.clone()} selected={world.scenario.clone()} on_select={on_scenario}
                on_edit={p.on_world.reform(|_: ()| Msg::OpenEditor)} />
            <StrategyPicker knobs={world.knobs} {on_preset} {on_knobs} />
            <section class="panel"><MemoryPicker memory={world.memory} on_change={on_memory} /></section>
            <CheckPanel check={p.check.clone()} enabled={run.session.is_some()} loaded={loaded.clone()}
                on_find={p.on_find.clone()} on_cancel={p.on_cancel.clone()} on_load={p.on_msg.reform(|s| RunMsg::Load(s).into())} />
            <ComparePanel against={p.compare.against} memory={world.memory}
                enabled={run.session.as_ref().is_some_and(|s| !s.is_empty())} on_msg={p.on_msg.clone()} />
            { p.side.clone() }
            <RandomPanel seed={AttrValue::from(run.seed_text.clone())} error={seed_error} enabled={run.session.is_some()}
                on_seed={p.on_msg.reform(|s| RunMsg::SetSeed(s).into())} on_dice={p.on_dice.clone()}
                on_run={on_run(RunMsg::RandomRun)} />
        </aside>
        }
    };
    let (Some(session), Some(drawn), Some((pic_svg, pic_file))) =
        (run.session.as_deref(), drawn.as_ref(), pictured.as_ref())
    else {
        return html! {
            <div class="explorer">
                { sidebar }
                <main class="main">
                    <p class="empty-state" role="alert">
                        { "This scenario cannot run (see the message above). Pick another scenario." }
                    </p>
                </main>
            </div>
        };
    };
    let sim = session.sim();
    let pos = session.position();
    let ask_who = run
        .ask
        .as_ref()
        .map(|a| sim.thread_name(a.action.thread()).to_string())
        .unwrap_or_default();
    let ask_bar = html! {
        <AskBar ask={run.ask.clone()} who={AttrValue::from(ask_who)}
            stash={run.stash.as_ref().map(|(s, at)| (s.chars().count(), *at))}
            on_answer={p.on_msg.reform(|a| RunMsg::Answer(a).into())}
            on_restore={p.on_msg.reform(|_: ()| RunMsg::Restore.into())} />
    };
    if let Some(slide) = slide.as_ref() {
        let guided = p.guided.is_some();
        let note = p
            .guided
            .as_ref()
            .and_then(|g| g.lesson.note_at(pos))
            .map(|n| AttrValue::from(n.text));
        let world = format!(
            "{} · {}",
            sim.strategy.preset_id().unwrap_or("custom knobs"),
            sim.memory.id()
        );
        return html! {
            <SlideView slide={slide.clone()} title={AttrValue::from(sim.scenario.title.clone())} world={AttrValue::from(world)}
                {note} len={session.len()} can_forward={run.can_advance(guided)} playing={run.playing} {guided}
                full_link={p.full_link.clone()} picture={pic_svg.clone()} on_back={on_run(RunMsg::Back)} on_forward={on_run(RunMsg::Next)}
                on_play={on_run(RunMsg::TogglePlay)}
                on_step={p.on_msg.reform(|t: usize| RunMsg::Act(Action::Step(t as u8)).into())}>
                { ask_bar }
            </SlideView>
        };
    }
    let m = session.state();
    let threads = view::threads(sim, m);
    let cells = view::cells(sim, m);
    let changed: Vec<(String, String)> = if pos == 0 {
        Vec::new()
    } else {
        let before = view::cells(sim, session.state_at(pos - 1));
        core_sim::timeline::diff(&before, &cells)
            .into_iter()
            .map(|c| (c.id, c.before))
            .collect()
    };
    let ran: Option<(usize, usize, usize)> = match session.records().last().map(|r| r.event.action)
    {
        Some(Action::Step(t)) => {
            let t = t as usize;
            let tv = view::threads(sim, session.state_at(pos - 1))
                .into_iter()
                .nth(t);
            tv.and_then(|v| v.program.map(|p| (t, p, v.pc)))
        }
        _ => None,
    };
    let violations = session.violations();
    let coverage = p.check.result().and_then(|r| r.coverage.clone());
    let row = pos.checked_sub(1).and_then(|i| drawn.rows.get(i)).cloned();
    // What fires at this step (an end-of-run violation fires at the last step).
    let why: Vec<Why> = drawn
        .why
        .iter()
        .filter(|(v, _)| v.step == pos && violations.contains(v))
        .map(|(_, w)| w.clone())
        .collect();
    let who = row
        .as_ref()
        .map(|r| sim.thread_name(r.lane).to_string())
        .unwrap_or_default();
    let file_name = format!(
        "avic-{}-{}-{}-step{pos}",
        sim.scenario.id,
        sim.strategy.preset_id().unwrap_or("custom"),
        sim.memory.id()
    );
    let enabled = session.enabled();
    let guided = p.guided.is_some();
    let clicked = p.guided.as_ref().and_then(|g| g.clicked);
    // The assertive region says the violations at this step, then the challenge's win.
    let alarm = [
        alarm_text(&violations, pos),
        p.challenge
            .as_ref()
            .map(|c| c.win_text(pos))
            .unwrap_or_default(),
    ]
    .into_iter()
    .filter(|t| !t.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    let on_notice = p
        .on_msg
        .reform(|(l, t): (Level, String)| ChromeMsg::Notify(l, t).into());
    let caption = html! {
        <p class="caption" id="scenario-caption">
            <strong>{ &sim.scenario.title }</strong>{ ". " }{ &sim.scenario.description }
        </p>
    };
    html! {
        <div class={classes!("explorer", guided.then_some("guided"))}>
            { sidebar }
            <main class="main" aria-label="Run">
                { caption }
                <MachinePicture svg={pic_svg.clone()}
                    file={(!p.embed).then(|| (pic_file.clone(), AttrValue::from(format!("{file_name}-machine"))))}
                    on_notice={on_notice.clone()} />
                if let Some(g) = &p.guided {
                    <LessonNote lesson={g.lesson} position={pos} on_open={p.on_msg.reform(Msg::OpenLesson)}
                        on_take_over={p.on_msg.reform(|_: ()| Msg::TakeOver)} on_goto={on_goto.clone()} />
                }
                if let Some(ch) = &p.challenge {
                    <ChallengeWon playing={ch.clone()} position={pos} on_list={p.on_msg.reform(|_: ()| Msg::SetView(View::Challenge))} />
                }
                <HangBanner violations={violations.clone()} />
                <RunToolbar position={pos} len={session.len()} schedule={loaded.clone()} terminal={enabled.is_empty()}
                    can_forward={run.can_advance(guided)} playing={run.playing} pace_ms={run.pace_ms} {guided}
                    on_play={on_run(RunMsg::TogglePlay)} on_pace={p.on_msg.reform(|ms| RunMsg::SetPace(ms).into())}
                    on_back={on_run(RunMsg::Back)} on_forward={on_run(RunMsg::Next)}
                    on_reset={on_run(RunMsg::Reset)} on_goto={on_goto.clone()} />
                { ask_bar }
                <Announcer step={AttrValue::from(step_text(pos, session.len(), row.as_ref(), &who))}
                    alarm={AttrValue::from(alarm)} />
                <LastStep {row} who={AttrValue::from(who)} {why} />
                if let Some(c) = &coverage {
                    <p class="hint cov-legend" id="coverage-legend">
                        { format!("Line coverage of the check's {} states: ", c.states) }
                        <span class="cov-need">{ "●" }</span>{ " every counterexample of a kind runs the line (hover it for which); " }
                        <span class="cov-tag">{ "never runs" }</span>{ ": no reachable state runs it, so the verdict says nothing about it." }
                    </p>
                }
                if let (Some(b), Some(s), false) = (p.compare.against, run.session.clone(), p.embed || guided) {
                    <DiffView session={s} revision={run.revision} against={b} on_msg={p.on_msg.clone()} />
                }
                { p.bench.clone() }
                <div class="workbench">
                    <div class="threads" aria-label="Threads: click one to run its next step">
                        { for threads.into_iter().enumerate().map(|(t, v)| {
                            let buffered = m.threads.get(t).map_or(0, |ts| ts.buffer.len());
                            html! {
                                <ThreadPane index={t} view={v} listings={Rc::new(view::listing(sim, t))} coverage={coverage.clone()}
                                    has_forced={sim.threads[t].forced.is_some()} {buffered} {guided} explain={clicked == Some(t)}
                                    on_take_over={p.on_msg.reform(|_: ()| Msg::TakeOver)}
                                    ran={ran.and_then(|(rt, p, l)| (rt == t).then_some((p, l)))}
                                    on_step={p.on_msg.reform(|t: usize| RunMsg::Act(Action::Step(t as u8)).into())}
                                    on_flush={p.on_msg.reform(|t: usize| RunMsg::Act(Action::Flush(t as u8)).into())} />
                            }
                        }) }
                    </div>
                    <StatePane {cells} {changed} />
                </div>
                <Violations now={violations} later={drawn.later.clone()} on_goto={on_goto.clone()} />
                <TimelinePane svg={drawn.svg.clone()} file_svg={drawn.file_svg.clone()} heads={drawn.heads.clone()} notes={drawn.notes.clone()} position={pos} file_name={AttrValue::from(file_name)}
                    zoom={run.zoom} blocks={drawn.blocks} {on_zoom} {on_goto} {on_notice} />
            </main>
        </div>
    }
}
