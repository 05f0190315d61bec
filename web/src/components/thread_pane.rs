//! One thread: a button to run its next micro-step, its flush button under x86-TSO, and its code
//! with the next line highlighted.

use core_sim::analysis::Coverage;
use core_sim::view::{Listing, ThreadState, ThreadView};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

/// Props of [`ThreadPane`].
#[derive(Properties, PartialEq)]
pub struct ThreadPaneProps {
    /// Thread id (and its key).
    pub index: usize,
    /// Where it stands.
    pub view: ThreadView,
    /// Every program it may run.
    pub listings: Rc<Vec<Listing>>,
    /// Its last listing is the forced exit a kick causes.
    pub has_forced: bool,
    /// Stores in its store buffer (x86-TSO), 0 under SC.
    pub buffered: usize,
    /// The (program, line) it ran in the last step, if the last step was its.
    pub ran: Option<(usize, usize)>,
    /// The finished check's line coverage of this world, if it has one.
    #[prop_or_default]
    pub coverage: Option<Rc<Coverage>>,
    /// A guided lesson plays the run: a click on the pane only says how to take over.
    #[prop_or_default]
    pub guided: bool,
    /// The viewer clicked this pane (or pressed its key) while the lesson drives the run: say
    /// "Take over to schedule yourself", with the button.
    #[prop_or_default]
    pub explain: bool,
    /// Leave the lesson here.
    #[prop_or_default]
    pub on_take_over: Callback<()>,
    /// Run its next step.
    pub on_step: Callback<usize>,
    /// Flush its oldest buffered store.
    pub on_flush: Callback<usize>,
}

fn status_class(v: &ThreadView) -> &'static str {
    match v.state {
        ThreadState::Ready => "st-ready",
        ThreadState::Done => "st-done",
        ThreadState::Idle => "st-idle",
        ThreadState::Asleep => "st-asleep",
        ThreadState::Waiting => "st-waiting",
    }
}

/// The tooltip of a line the check's coverage marks.
fn coverage_note(dead: bool, needed: &[core_sim::ViolationKind]) -> Option<String> {
    if dead {
        return Some(
            "No reachable state runs this line in this world: the check's verdict says nothing about it"
                .into(),
        );
    }
    (!needed.is_empty()).then(|| {
        let kinds: Vec<&str> = needed.iter().map(|k| k.title()).collect();
        format!(
            "Every counterexample of {} runs this line",
            kinds.join(", ")
        )
    })
}

/// The head's word for a thread that can run: the operation line its click runs, as its code
/// pane prints it ("▶ avic_vcpu_put: WRITE_ONCE entry"), or "▶ step" if there is none.
pub fn next_label(listings: &[Listing], program: Option<usize>, pc: usize) -> String {
    match program
        .and_then(|i| listings.get(i))
        .and_then(|l| l.lines.get(pc))
    {
        Some((func, code)) => format!("▶ {func}: {code}"),
        None => "▶ step".into(),
    }
}

/// The pane.
#[function_component(ThreadPane)]
pub fn thread_pane(p: &ThreadPaneProps) -> Html {
    let code = use_node_ref();
    {
        // Keep the next line in view inside the pane (never scroll the page).
        let code = code.clone();
        use_effect_with((p.view.program, p.view.pc), move |_| {
            if let Some(el) = code.cast::<HtmlElement>() {
                if let Ok(Some(line)) = el.query_selector(".is-next, .is-ran") {
                    if let Ok(line) = line.dyn_into::<HtmlElement>() {
                        // `.code` is `position: relative`, so offsetTop is relative to it.
                        let top = line.offset_top();
                        let want = top - el.client_height() / 3;
                        if top < el.scroll_top()
                            || top + line.offset_height() > el.scroll_top() + el.client_height()
                        {
                            el.set_scroll_top(want.max(0));
                        }
                    }
                }
            }
        });
    }
    let t = p.index;
    let v = &p.view;
    let key = if t < 10 { t.to_string() } else { String::new() };
    let flush_key = if t < 10 {
        ((b'a' + t as u8) as char).to_string()
    } else {
        String::new()
    };
    let current = v.program;
    let forced_idx = p.has_forced.then(|| p.listings.len().saturating_sub(1));
    // In a lesson a click anywhere on the pane asks (the state answers with `explain`).
    let on_click = p.on_step.reform(move |_: MouseEvent| t);
    let on_code = p.guided.then(|| on_click.clone());
    let done_before = |i: usize| match current {
        Some(c) if Some(c) == forced_idx => false,
        Some(c) => i < c,
        None => v.status == "done" && Some(i) != forced_idx,
    };
    html! {
        <section class={classes!("thread-pane", status_class(v), v.enabled.then_some("is-enabled"))}
            data-thread={t.to_string()} data-enabled={v.enabled.to_string()} aria-label={v.name.clone()}>
            <div class="thread-head">
                <button type="button" class="thread-run" id={format!("run-{t}")} disabled={!v.enabled && !p.guided}
                    data-guided={p.guided.then_some("true")}
                    title={if p.guided { "The lesson schedules the threads: Take over to do it yourself".to_string() } else if v.enabled { format!("Run the next micro-step of {} (key {key})", v.name) } else { format!("{} cannot run: {}", v.name, v.status) }}
                    onclick={on_click}>
                    <kbd>{ key }</kbd>
                    <span class="thread-name">{ &v.name }</span>
                    if v.enabled {
                        <span class="thread-status" title={next_label(&p.listings, v.program, v.pc)}>{ next_label(&p.listings, v.program, v.pc) }</span>
                    } else {
                        <span class="thread-status">{ v.status.clone() }</span>
                    }
                </button>
                if p.buffered > 0 {
                    <button type="button" class="thread-flush" id={format!("flush-{t}")}
                        title={format!("x86-TSO: commit the oldest of its {} buffered store(s) to memory (key {flush_key})", p.buffered)}
                        onclick={p.on_flush.reform(move |_: MouseEvent| t)}>
                        <kbd>{ flush_key }</kbd>{ format!(" flush store buffer ({})", p.buffered) }
                    </button>
                }
            </div>
            if p.explain {
                <div class="takeover-callout" role="status" id={format!("takeover-{t}")}>
                    <span>{ "The lesson schedules the threads here. Take over to schedule yourself: " }</span>
                    <button type="button" class="primary takeover-here" onclick={p.on_take_over.reform(|_: MouseEvent| ())}>{ "Take over" }</button>
                </div>
            }
            <div class="code" ref={code} onclick={on_code}>
                { for p.listings.iter().enumerate().map(|(i, l)| {
                    let is_current = current == Some(i);
                    let forced = Some(i) == forced_idx;
                    if is_current || (p.ran.is_some_and(|(pi, _)| pi == i) && current.is_none()) {
                        html! {
                            <div class="op op-current">
                                <div class="op-title">{ &l.title }</div>
                                <ol class="lines">
                                    { for l.lines.iter().enumerate().map(|(n, (func, code))| {
                                        let next = is_current && n == v.pc;
                                        let ran = p.ran == Some((i, n));
                                        let show_func = n == 0 || l.lines[n - 1].0 != *func;
                                        let dead = p.coverage.as_ref().is_some_and(|c| c.is_dead(t, i, n));
                                        let needed = p.coverage.as_ref().map(|c| c.kinds_needing(t, i, n)).unwrap_or_default();
                                        let why = coverage_note(dead, &needed);
                                        html! {
                                            <>
                                                if show_func { <li class="func" aria-hidden="true">{ format!("{func}:") }</li> }
                                                <li class={classes!("code-line", next.then_some("is-next"), ran.then_some("is-ran"), dead.then_some("is-dead"), (!needed.is_empty()).then_some("is-needed"))}
                                                    data-line={n.to_string()} title={why.clone()}>
                                                    <span class="marker">{ if next { "▶" } else if ran { "✓" } else { "" } }</span>
                                                    <code>{ code }</code>
                                                    if dead { <span class="cov-tag">{ "never runs" }</span> }
                                                    if !needed.is_empty() { <span class="cov-need" aria-label={why}>{ "●" }</span> }
                                                </li>
                                            </>
                                        }
                                    }) }
                                </ol>
                            </div>
                        }
                    } else {
                        let done = done_before(i);
                        html! {
                            <div class={classes!("op", if done { "op-done" } else { "op-todo" }, forced.then_some("op-forced"))}>
                                <span class="op-mark">{ if done { "✓ " } else { "· " } }</span>{ &l.title }
                                if forced { <span class="hint">{ " (only if kicked)" }</span> }
                            </div>
                        }
                    }
                }) }
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runnable_threads_head_names_the_line_its_click_runs() {
        let sim = core_sim::Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let m = sim.initial();
        let listings = core_sim::view::listing(&sim, 0);
        let v = &core_sim::view::threads(&sim, &m)[0];
        assert!(v.enabled);
        let (func, code) = &listings[v.program.unwrap()].lines[v.pc];
        assert_eq!(
            next_label(&listings, v.program, v.pc),
            format!("▶ {func}: {code}")
        );
        assert_eq!(next_label(&listings, v.program, 99), "▶ step");
        assert_eq!(next_label(&listings, None, 0), "▶ step");
    }
}
