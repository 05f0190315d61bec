//! The diff view: the run on screen replayed in a second world (another kernel version or memory
//! model) and aligned step by step by the core (`core_sim::analysis::diff`), as two columns with
//! each divergence highlighted and its reason; plus the "Compare with…" picker that opens it.

use super::pickers::MemoryPicker;
use super::select::{Select, SelectOption};
use crate::state::{full_schedule, CompareMsg, Msg};
use core_sim::analysis::diff::{self, Cell, Diff, World};
use core_sim::explore::{Schedule, Session};
use core_sim::share::Against;
use core_sim::strategy::{MemoryModel, Strategy, PRESETS};
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`ComparePanel`].
#[derive(Properties, PartialEq)]
pub struct ComparePanelProps {
    /// World B, if the view is open.
    pub against: Option<Against>,
    /// World A's memory model (B's default).
    pub memory: MemoryModel,
    /// There is a run to compare.
    pub enabled: bool,
    /// Messages.
    pub on_msg: Callback<Msg>,
}

/// "Compare with…": pick another version; the diff view opens on the run on screen.
#[function_component(ComparePanel)]
pub fn compare_panel(p: &ComparePanelProps) -> Html {
    let mut options = vec![SelectOption {
        disabled: true,
        ..SelectOption::new("", "another version…")
    }];
    options.extend(PRESETS.iter().map(|x| SelectOption::new(x.id, x.title)));
    let value = p
        .against
        .and_then(|b| Strategy::custom(b.knobs).preset_id())
        .unwrap_or("");
    let memory = p.against.map_or(p.memory, |b| b.memory);
    let on_change = p
        .on_msg
        .reform(move |id: String| CompareMsg::Preset(id, memory).into());
    html! {
        <section class="panel compare-panel" aria-labelledby="compare-label">
            <label id="compare-label" class="panel-title" for="compare-with">{ "Compare with…" }</label>
            if p.enabled {
                <Select id="compare-with" {value} {options} {on_change} />
            }
            <p class="hint">{ "Replays the run on screen (a counterexample, once Find a race has loaded one) in another version and lines both runs up, step by step: where they part and why, and whether each violation survives." }</p>
        </section>
    }
}

/// Props of [`DiffView`].
#[derive(Properties)]
pub struct DiffViewProps {
    /// The run on screen (world A).
    pub session: Rc<Session>,
    /// Changes whenever the session does.
    pub revision: u64,
    /// World B.
    pub against: Against,
    /// Messages.
    pub on_msg: Callback<Msg>,
}

/// The same run (the same session, or the same revision of it) against the same world B.
impl PartialEq for DiffViewProps {
    fn eq(&self, other: &Self) -> bool {
        (Rc::ptr_eq(&self.session, &other.session) || self.revision == other.revision)
            && self.against == other.against
            && self.on_msg == other.on_msg
    }
}

fn align(s: &Session, b: Against) -> Result<Diff, String> {
    let a = s.sim();
    let schedule: Schedule = full_schedule(s).parse().map_err(|e| format!("{e}"))?;
    // World B keeps A's edited programs (the patch editor's), as "what stops it" does.
    let world = a
        .rebuilt(Strategy::custom(b.knobs), b.memory)
        .map_err(|e| e.to_string())?;
    diff::diff_sims(a, &schedule, &world).map_err(|e| e.to_string())
}

fn world_name(w: &World) -> String {
    format!("{} · {}", w.strategy, w.memory)
}

fn cell(c: &Option<Cell>) -> Html {
    let Some(c) = c else {
        return html! { <span class="diff-empty">{ "—" }</span> };
    };
    let title = format!("{}\n{}\n{}", c.op, c.code, c.facts.join("\n"));
    html! {
        <span class="diff-cell" {title}>
            <span class="diff-step">{ c.step }</span>
            <span class="diff-thread">{ &c.thread_name }</span>
            <span class="diff-label">{ &c.label }</span>
            { for c.violations.iter().map(|k| html! {
                <span class={classes!("badge", super::severity_class(*k))}>{ k.id() }</span>
            }) }
        </span>
    }
}

fn verdicts(d: &Diff) -> Html {
    let a: Vec<String> = d
        .fates
        .iter()
        .map(|f| format!("{} at step {}", f.kind, f.a_step))
        .collect();
    let mut b: Vec<String> = d
        .fates
        .iter()
        .map(|f| match f.b_step {
            Some(s) => format!("{} survives (step {s})", f.kind),
            None => format!("{}: gone", f.kind),
        })
        .collect();
    b.extend(d.new_in_b.iter().map(|k| format!("{k}: only in B")));
    let words = |v: Vec<String>| {
        if v.is_empty() {
            "no violation".to_string()
        } else {
            v.join("; ")
        }
    };
    let bad_b = !d.violations_b.is_empty();
    html! {
        <div class="diff-verdicts">
            <p class={classes!("diff-verdict", (!d.violations_a.is_empty()).then_some("diff-bad"))} id="diff-verdict-a">
                <strong>{ format!("A: {}", world_name(&d.a)) }</strong>{ " — " }{ words(a) }
            </p>
            <p class={classes!("diff-verdict", if bad_b { "diff-bad" } else { "diff-good" })} id="diff-verdict-b">
                <strong>{ format!("B: {}", world_name(&d.b)) }</strong>{ " — " }{ words(b) }
            </p>
        </div>
    }
}

fn table(d: &Diff) -> Html {
    let first = d.first_divergence;
    html! {
        <div class="diff-scroll">
            <table class="diff-table" id="diff-table">
                <thead>
                    <tr>
                        <th class="diff-num" scope="col">{ "#" }</th>
                        <th class="diff-col" scope="col" id="diff-col-a">{ format!("A · {}", world_name(&d.a)) }</th>
                        <th class="diff-col" scope="col" id="diff-col-b">{ format!("B · {}", world_name(&d.b)) }</th>
                    </tr>
                </thead>
                <tbody>
                    { for d.rows.iter().enumerate().map(|(i, r)| {
                        let reason = r.note.as_ref().map(|n| n.reason.id());
                        let class = classes!(
                            "diff-row",
                            r.diverges().then_some("diverges"),
                            (r.note.is_some() && !r.diverges()).then_some("diff-aside"),
                        );
                        let id = (first == Some(i)).then_some("diff-first-row");
                        html! {
                            <>
                                <tr {class} {id} data-row={(i + 1).to_string()} data-reason={reason}>
                                    <td class="diff-num">{ i + 1 }</td>
                                    <td class="diff-a">{ cell(&r.a) }</td>
                                    <td class="diff-b">{ cell(&r.b) }</td>
                                </tr>
                                if let Some(n) = &r.note {
                                    <tr class={classes!("diff-note-row", r.diverges().then_some("diverges"))}>
                                        <td></td>
                                        <td class="diff-note" colspan="2">
                                            <span class="diff-reason">{ n.reason.id() }</span>{ " " }{ &n.text }
                                        </td>
                                    </tr>
                                }
                            </>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// The two runs side by side.
#[function_component(DiffView)]
pub fn diff_view(p: &DiffViewProps) -> Html {
    let d = {
        let session = p.session.clone();
        use_memo((p.revision, p.against), move |(_, b)| align(&session, *b))
    };
    let close = p.on_msg.reform(|_: MouseEvent| CompareMsg::Close.into());
    let on_memory = p.on_msg.reform(|m| CompareMsg::SetMemory(m).into());
    let body = match d.as_ref() {
        Err(e) => {
            html! { <p class="verdict verdict-violation" role="alert">{ format!("Cannot compare: {e}") }</p> }
        }
        Ok(d) => html! {
            <>
                <p class="diff-first" id="diff-first">
                    { match d.divergence() {
                        None => "No divergence: B runs every step of A alike.".to_string(),
                        Some(r) => format!(
                            "They part at row {}: {}",
                            d.first_divergence.unwrap_or(0) + 1,
                            r.note.as_ref().map_or("", |n| n.text.as_str())
                        ),
                    } }
                </p>
                { verdicts(d) }
                { table(d) }
                <p class="hint">{ "Rows line up A's steps with the same thread's same step in B. Steps only B's code has run just before the next matched one; a step B cannot run yet waits and runs as soon as it can; after A's run, B finishes its own (lowest thread first)." }</p>
            </>
        },
    };
    html! {
        <section class="panel diff-view" id="diff-view" aria-labelledby="diff-title">
            <div class="diff-head">
                <h2 id="diff-title" class="panel-title">{ "One schedule, two worlds" }</h2>
                <MemoryPicker memory={p.against.memory} on_change={on_memory} id="diff-memory" />
                <button type="button" id="diff-close" onclick={close}>{ "Close" }</button>
            </div>
            { body }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_sim::Sim;

    #[test]
    fn the_view_aligns_the_whole_run_not_only_up_to_the_cursor() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let mut s = Session::replay(&sim, "000000000111111111111222").unwrap();
        s.goto(3);
        let b = Against {
            knobs: Strategy::preset("linux-6.6").unwrap().knobs,
            memory: MemoryModel::Sc,
        };
        let d = align(&s, b).unwrap();
        assert_eq!(d.schedule_a.len(), 24);
        assert_eq!(d.first_divergence, Some(6));
        assert!(d.fates.iter().all(|f| !f.survives()));
    }
}
