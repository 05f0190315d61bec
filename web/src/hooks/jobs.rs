//! The page's worker jobs: "Find a race" (start, cancel; a world change cancels it), the matrix
//! (start, cancel, its memory model; opening the matrix view checks it) and a lesson's claims
//! (asked for as soon as a lesson is on screen) and the welcome card's hang. Job ids are unique
//! per page.

use super::dom::now;
use crate::jobs::Request;
use crate::state::{
    full_schedule, AppState, ChallengeMsg, ChromeMsg, LessonMsg, Level, MatrixMsg, Msg, World,
};
use crate::state::{CheckMsg, HangMsg, MatrixState, StopsMsg};
use crate::url::View;
use crate::worker::{Lane, Pool};
use core_sim::challenges::Challenge;
use core_sim::MemoryModel;
use std::rc::Rc;
use yew::prelude::*;

/// The callbacks that start and stop jobs.
#[derive(Clone, PartialEq)]
pub struct Jobs {
    /// Find a race in the world on screen.
    pub find: Callback<()>,
    /// Cancel the check.
    pub cancel_check: Callback<()>,
    /// A message that changes the world: a running check is cancelled first (its answer would
    /// be for another world).
    pub on_world: Callback<Msg>,
    /// Check every matrix cell.
    pub start_matrix: Callback<()>,
    /// Cancel the matrix.
    pub cancel_matrix: Callback<()>,
    /// The matrix's memory model (a running matrix is cancelled).
    pub matrix_memory: Callback<MemoryModel>,
    /// Find the shortest run to a lost wake-up in the world on screen and replay it.
    pub hang: Callback<()>,
    /// Ask what stops the run on screen (in the check worker: a running check is cancelled).
    pub stops: Callback<()>,
}

/// The check request for the world on screen.
pub fn check_request(job: u64, world: &World) -> Request {
    Request::Check {
        job,
        scenario: world.scenario.clone(),
        knobs: world.knobs,
        memory: world.memory,
        patch: world.patch_text(),
    }
}

/// The "what stops it" request for the run `schedule` in the world on screen.
pub fn stops_request(job: u64, world: &World, schedule: String) -> Request {
    Request::Stops {
        job,
        scenario: world.scenario.clone(),
        knobs: world.knobs,
        memory: world.memory,
        patch: world.patch_text(),
        schedule,
    }
}

/// The check request (JSON) that proves challenge `c`'s goal in its own world.
pub fn proof_request(job: u64, c: &Challenge) -> Result<String, String> {
    let sim = c.sim().map_err(|e| e.to_string())?;
    let req = Request::Check {
        job,
        scenario: sim.scenario.clone(),
        knobs: sim.strategy.knobs,
        memory: sim.memory,
        // A challenge's world runs the strategy's own programs.
        patch: None,
    };
    serde_json::to_string(&req).map_err(|e| e.to_string())
}

/// The request for the welcome card's hang in the world on screen.
pub fn hang_request(job: u64, world: &World) -> Request {
    Request::Hang {
        job,
        scenario: world.scenario.clone(),
        knobs: world.knobs,
        memory: world.memory,
    }
}

/// One request (JSON) per matrix cell, in cell order.
pub fn matrix_requests(job: u64, matrix: &MatrixState) -> Vec<String> {
    matrix
        .worlds
        .iter()
        .enumerate()
        .filter_map(|(index, (scenario, strategy, memory))| {
            let req = Request::Cell {
                job,
                index,
                scenario: scenario.clone(),
                strategy: strategy.to_string(),
                memory: *memory,
            };
            serde_json::to_string(&req).ok()
        })
        .collect()
}

/// The page's jobs over `pool`, and the effects that start them by themselves (a lesson's
/// claims; the matrix when its view opens, once per memory model unless cancelled or failed).
#[hook]
pub fn use_jobs(state: &UseReducerHandle<AppState>, pool: Rc<Pool>) -> Jobs {
    let counter = use_mut_ref(|| 1u64);
    let new_job = move || {
        let mut c = counter.borrow_mut();
        *c += 1;
        *c
    };
    let dispatcher = state.dispatcher();

    // A lesson's claims are verified by the exhaustive checker in the check worker.
    {
        let want = state
            .lesson
            .as_ref()
            .filter(|g| g.wants_claims())
            .map(|g| g.lesson.id);
        let (pool, dispatcher, new_job) = (pool.clone(), dispatcher.clone(), new_job.clone());
        use_effect_with(want, move |want| {
            if let Some(lesson) = want {
                let job = new_job();
                let req = Request::Claims {
                    job,
                    lesson: lesson.to_string(),
                };
                if let Ok(json) = serde_json::to_string(&req) {
                    dispatcher.dispatch(LessonMsg::ClaimsStarted(job).into());
                    pool.check(Lane::Page, job, json);
                }
            }
        });
    }

    // A challenge's hints come from the checker's shortest run to its goal, found in the check
    // worker over the challenge's own world.
    {
        let want = state
            .challenge
            .as_ref()
            .filter(|p| p.wants_proof())
            .map(|p| p.challenge);
        let (pool, dispatcher, new_job) = (pool.clone(), dispatcher.clone(), new_job.clone());
        use_effect_with(want.map(|c| c.id), move |_| {
            let Some(c) = want else { return };
            let job = new_job();
            match proof_request(job, c) {
                Ok(json) => {
                    dispatcher.dispatch(ChallengeMsg::ProofStarted(job).into());
                    pool.check(Lane::Page, job, json);
                }
                Err(e) => {
                    dispatcher.dispatch(ChallengeMsg::ProofStarted(job).into());
                    dispatcher.dispatch(ChallengeMsg::ProofFailed(job, e).into());
                }
            }
        });
    }

    let start_matrix = {
        let (state, pool, new_job) = (state.clone(), pool.clone(), new_job.clone());
        Callback::from(move |_: ()| {
            let job = new_job();
            let requests = matrix_requests(job, &state.matrix);
            state.dispatch(
                MatrixMsg::Started {
                    job,
                    workers: pool.matrix_workers(),
                    now: now(),
                }
                .into(),
            );
            pool.matrix(job, requests);
        })
    };

    // Opening the matrix checks it.
    {
        let want = state.chrome.view == View::Matrix && state.matrix.wants_run();
        let start_matrix = start_matrix.clone();
        use_effect_with((want, state.matrix.memory), move |(want, _)| {
            if *want {
                start_matrix.emit(());
            }
        });
    }

    let cancel_matrix = {
        let (pool, dispatcher) = (pool.clone(), dispatcher.clone());
        Callback::from(move |_: ()| {
            pool.cancel_matrix();
            dispatcher.dispatch(MatrixMsg::Cancelled.into());
        })
    };
    let matrix_memory = {
        let (pool, dispatcher) = (pool.clone(), dispatcher.clone());
        Callback::from(move |m| {
            pool.cancel_matrix();
            dispatcher.dispatch(MatrixMsg::SetMemory(m).into());
        })
    };
    let cancel_check = {
        let (pool, dispatcher) = (pool.clone(), dispatcher.clone());
        Callback::from(move |_: ()| {
            pool.cancel_check();
            dispatcher.dispatch(CheckMsg::Cancelled.into());
        })
    };
    let hang = {
        let (state, pool, new_job) = (state.clone(), pool.clone(), new_job.clone());
        Callback::from(move |_: ()| {
            let job = new_job();
            match serde_json::to_string(&hang_request(job, &state.world)) {
                Ok(json) => {
                    state.dispatch(HangMsg::Asked(job).into());
                    pool.check(Lane::Explorer, job, json);
                }
                Err(e) => state.dispatch(
                    ChromeMsg::Notify(Level::Error, format!("Could not look for the hang: {e}"))
                        .into(),
                ),
            }
        })
    };
    let stops = {
        let (state, pool, new_job) = (state.clone(), pool.clone(), new_job.clone());
        Callback::from(move |_: ()| {
            let Some(schedule) = state.run.session.as_deref().map(full_schedule) else {
                return;
            };
            let job = new_job();
            let req = stops_request(job, &state.world, schedule.clone());
            if let Ok(json) = serde_json::to_string(&req) {
                // One explorer worker: a running check gives way (and says so).
                if state.check.is_running() {
                    state.dispatch(CheckMsg::Cancelled.into());
                }
                state.dispatch(StopsMsg::Started(job, schedule).into());
                pool.check(Lane::Explorer, job, json);
            }
        })
    };
    let find = {
        let (state, pool) = (state.clone(), pool.clone());
        Callback::from(move |_: ()| {
            let job = new_job();
            match serde_json::to_string(&check_request(job, &state.world)) {
                Ok(json) => {
                    if state.stops.job.is_running() {
                        state.dispatch(StopsMsg::Cancelled.into());
                    }
                    state.dispatch(CheckMsg::Started(job).into());
                    pool.check(Lane::Explorer, job, json);
                }
                Err(e) => state.dispatch(
                    ChromeMsg::Notify(Level::Error, format!("Could not prepare the check: {e}"))
                        .into(),
                ),
            }
        })
    };
    let on_world = {
        let running = state.check.is_running();
        Callback::from(move |m: Msg| {
            if running {
                pool.cancel_check();
            }
            dispatcher.dispatch(m);
        })
    };
    Jobs {
        find,
        cancel_check,
        on_world,
        start_matrix,
        cancel_matrix,
        matrix_memory,
        hang,
        stops,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::from_query;

    #[test]
    fn requests_name_the_world_on_screen_and_every_matrix_cell() {
        let s = from_query("?v=3&s=block-ga-log&t=lock-fix&m=tso");
        let Request::Check {
            job,
            scenario,
            knobs,
            memory,
            patch: None,
        } = check_request(7, &s.world)
        else {
            panic!()
        };
        assert_eq!((job, scenario.id.as_str()), (7, "block-ga-log"));
        assert_eq!((knobs, memory), (s.world.knobs, MemoryModel::Tso));
        let cells = matrix_requests(8, &s.matrix);
        assert_eq!(cells.len(), s.matrix.worlds.len());
        let last: Request = serde_json::from_str(cells.last().unwrap()).unwrap();
        let Request::Cell { job, index, .. } = last else {
            panic!()
        };
        assert_eq!((job, index), (8, cells.len() - 1));
    }

    #[test]
    fn a_challenges_proof_asks_for_a_check_of_its_own_world() {
        let c = core_sim::challenges::by_id("hang-6-6-old-owner").unwrap();
        let req: Request = serde_json::from_str(&proof_request(9, c).unwrap()).unwrap();
        let Request::Check {
            job,
            scenario,
            knobs,
            memory,
            patch,
        } = req
        else {
            panic!()
        };
        assert_eq!((job, scenario.id.as_str()), (9, "retarget-vs-old-owner"));
        assert_eq!(
            knobs,
            core_sim::Strategy::preset("linux-6.6").unwrap().knobs
        );
        assert_eq!(memory, MemoryModel::Sc);
        assert_eq!(patch, None);
    }
}
