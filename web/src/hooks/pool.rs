//! The page's Web Workers (`crate::worker::Pool`), made once per page, their answers routed to
//! the rooms of the state. The workers start after the first render, so they never delay it.

use super::dom::{now, set_root_attr, window};
use crate::jobs::Response;
use crate::state::{AppState, CheckMsg, HangMsg, LessonMsg, MatrixMsg, Msg, StopsMsg};
use crate::worker::{Pool, Source};
use gloo::timers::callback::Timeout;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

/// Least time between two redraws of the matrix while its cells arrive (ms).
const MATRIX_REDRAW_MS: f64 = 100.0;

/// Where the worker script is, relative to the page.
pub const WORKER_URL: &str = "assets/worker.js";

/// The messages for one worker answer that arrived at `now` (ms). A failure of the check
/// worker goes to every room that uses it (the check, a lesson's claims, the hang); each keeps it
/// only if the job is its own.
pub fn route(source: Source, response: Response, now: f64) -> Vec<Msg> {
    match (source, response) {
        (_, Response::Progress { job, progress }) => vec![CheckMsg::Progress(job, progress).into()],
        (
            _,
            Response::Checked {
                job,
                report,
                ms,
                coverage,
            },
        ) => {
            vec![CheckMsg::Done(job, Box::new(report), ms, coverage.map(Rc::new)).into()]
        }
        (_, Response::Cell { job, cell }) => vec![MatrixMsg::Cell(job, Box::new(cell), now).into()],
        (
            _,
            Response::Claim {
                job, index, result, ..
            },
        ) => vec![LessonMsg::ClaimDone(job, index, result).into()],
        (_, Response::Hang { job, schedule }) => vec![HangMsg::Found(job, schedule).into()],
        (_, Response::Stops { job, stops }) => vec![StopsMsg::Done(job, Box::new(stops)).into()],
        (Source::Check, Response::Failed { job, error }) => vec![
            LessonMsg::ClaimsFailed(job, error.clone()).into(),
            HangMsg::Failed(job, error.clone()).into(),
            StopsMsg::Failed(job, error.clone()).into(),
            CheckMsg::Failed(job, error).into(),
        ],
        (Source::Matrix, Response::Failed { job, error }) => {
            vec![MatrixMsg::Failed(job, error).into()]
        }
        // The Host evidence view asks a worker of its own (components::host); never these.
        (_, Response::Evidence { .. }) => Vec::new(),
    }
}

fn matrix_workers() -> usize {
    let n = window().map_or(1.0, |w| w.navigator().hardware_concurrency());
    (n as usize).clamp(1, 4)
}

/// The page's worker pool: made on the first render, warmed up (and the page marked ready for
/// tests and benchmarks) right after it.
#[hook]
pub fn use_worker_pool(dispatcher: UseReducerDispatcher<AppState>) -> Rc<Pool> {
    let pool = use_memo((), move |_| {
        // Matrix cells wait and are applied together, at most once every
        // `MATRIX_REDRAW_MS`: each redraw of the matrix (its cells, styles and layout) costs
        // the main thread several milliseconds, and a redraw every animation frame kept one of
        // the two cores busy, away from the workers. A cell's time is when it arrived, not
        // when it was drawn.
        let cells = Rc::new(RefCell::new(Vec::new()));
        // The redraw asked for (kept until it runs: dropping it cancels it), whether it is
        // still to come, and when the last one ran.
        let timer = RefCell::new(None::<Timeout>);
        let waiting = Rc::new(Cell::new(false));
        let last = Rc::new(Cell::new(f64::NEG_INFINITY));
        let handler: Rc<dyn Fn(Source, Response)> = Rc::new(move |source, r| {
            let arrived = now();
            for msg in route(source, r, arrived) {
                let Msg::Matrix(cell @ MatrixMsg::Cell(..)) = msg else {
                    dispatcher.dispatch(msg);
                    continue;
                };
                cells.borrow_mut().push(cell);
                if !waiting.replace(true) {
                    let (cells, waiting, last, dispatcher) = (
                        cells.clone(),
                        waiting.clone(),
                        last.clone(),
                        dispatcher.clone(),
                    );
                    let wait =
                        (last.get() + MATRIX_REDRAW_MS - arrived).clamp(0.0, MATRIX_REDRAW_MS);
                    *timer.borrow_mut() = Some(Timeout::new(wait as u32, move || {
                        waiting.set(false);
                        last.set(now());
                        let batch = std::mem::take(&mut *cells.borrow_mut());
                        dispatcher.dispatch(MatrixMsg::Cells(batch).into());
                    }));
                }
            }
        });
        Pool::new(WORKER_URL, matrix_workers(), handler)
    });
    {
        let pool = pool.clone();
        use_effect_with((), move |_| {
            pool.warm_up();
            set_root_attr(
                "data-first-render-ms",
                Some(&crate::components::check_panel::tenths(now())),
            );
            set_root_attr("data-ready", Some("true"));
            || ()
        });
    }
    pool
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::from_query;

    #[test]
    fn a_check_worker_failure_reaches_the_claims_of_its_job_and_not_the_check() {
        let mut s = from_query("?v=3&view=lesson&l=first-patch");
        s.apply(LessonMsg::ClaimsStarted(4));
        s.apply(CheckMsg::Started(5));
        let failed = Response::Failed {
            job: 4,
            error: "the check worker stopped".into(),
        };
        for m in route(Source::Check, failed, 0.0) {
            s.apply(m);
        }
        let g = s.lesson.as_ref().unwrap();
        assert!(g
            .claims
            .iter()
            .all(|c| *c == crate::state::ClaimStatus::Failed("the check worker stopped".into())));
        assert!(s.check.is_running(), "job 5 is another job");
        let failed = Response::Failed {
            job: 5,
            error: "boom".into(),
        };
        assert_eq!(
            route(Source::Matrix, failed.clone(), 0.0),
            [MatrixMsg::Failed(5, "boom".into()).into()]
        );
        for m in route(Source::Check, failed, 0.0) {
            s.apply(m);
        }
        assert_eq!(s.check.error(), Some("boom"));
    }

    #[test]
    fn a_check_replaced_in_its_worker_is_told_so_and_the_new_job_goes_on() {
        // The welcome card's hang asked while "Find a race" runs: the check's job gives way.
        let mut s = from_query("?v=3&s=put-block-vs-affinity&t=naive-update&m=sc");
        s.apply(CheckMsg::Started(5));
        s.apply(HangMsg::Asked(6));
        let replaced = Response::Failed {
            job: 5,
            error: crate::worker::REPLACED.into(),
        };
        for m in route(Source::Check, replaced, 0.0) {
            s.apply(m);
        }
        assert!(
            !s.check.is_running(),
            "no spinner waits for an answer that cannot come"
        );
        assert_eq!(s.check.error(), Some(crate::worker::REPLACED));
        assert_eq!(s.hang, Some(6), "the new job is not touched");
    }
}
