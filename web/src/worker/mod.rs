//! The page's Web Workers: one per check [`Lane`] (what the user asks of the world on screen:
//! "Find a race", "what stops it", the hang; what the page asks by itself: a lesson's claims, a
//! challenge's proof), a few for the matrix. Each runs `assets/worker.js`, which loads the checker
//! module (`web-worker/`, not this one) and answers [`crate::jobs::Request`]s. The page never
//! waits for that module: the first worker starts when a job asks for it or, through
//! [`Pool::warm_up`], once the browser is idle after the first render, so a first "Find a race"
//! does not wait for the module either.
//!
//! The lanes keep the page's own work out of the user's way: "Find a race" while a lesson's claims
//! are being checked runs beside them instead of killing them. Within a lane a new job replaces the
//! running one, and the replaced job is told so (a [`Response::Failed`] with [`REPLACED`]) so that
//! no room waits for an answer that will never come.
//!
//! Cancelling terminates the busy worker (a check is one synchronous call, so a message could not
//! reach it) and starts a fresh one; `SharedArrayBuffer` would need COOP/COEP headers that a
//! plain static server does not send. Everything here only runs in a browser; it compiles
//! natively so that clippy checks it.

mod idle;

use crate::jobs::Response;
pub use idle::WARM_UP_MS;
use idle::{describe, when_idle};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

/// Why a check lane's job ended without an answer: a newer job of its lane took its worker.
pub const REPLACED: &str = "stopped: a newer request took its worker (ask again)";

/// Which check worker a job runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// What the user asks of the world on screen: "Find a race", "what stops it", the hang.
    Explorer,
    /// What the page asks by itself: a lesson's claims, a challenge's proof.
    Page,
}

impl Lane {
    fn index(self) -> usize {
        match self {
            Lane::Explorer => 0,
            Lane::Page => 1,
        }
    }
}

/// Which kind of work a response belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The explorer's check.
    Check,
    /// A matrix cell.
    Matrix,
}

type Handler = Rc<dyn Fn(Source, Response)>;

/// Matrix requests a worker holds at once: enough that it never waits for the page, which
/// reads answers only between its own tasks (a redraw of the matrix takes it ~30 ms, and most
/// cells take a worker a few ms), and few enough that the last cells still spread over the
/// workers. With two in flight the page's two workers idled behind its redraws: the matrix
/// took 1.3–1.8 s (SC) where the same requests fed to two bare workers took 0.6–0.7 s.
const IN_FLIGHT: usize = 8;

struct Slot {
    worker: Worker,
    job: Option<u64>,
    /// Matrix requests posted and not answered yet.
    sent: u32,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

struct Inner {
    url: String,
    /// The check workers, by [`Lane::index`].
    check: [Option<Slot>; 2],
    /// A warm-up is waiting for the browser to be idle.
    warming: bool,
    matrix: Vec<Option<Slot>>,
    matrix_job: Option<u64>,
    queue: VecDeque<String>,
    handler: Handler,
}

/// The workers of one page.
#[derive(Clone)]
pub struct Pool {
    inner: Rc<RefCell<Inner>>,
}

/// Which slot a closure belongs to.
#[derive(Clone, Copy)]
enum SlotId {
    Check(Lane),
    Matrix(usize),
}

impl Pool {
    /// A pool with `matrix_workers` workers for the matrix (at least one) and one for checks.
    /// Nothing starts until [`Pool::warm_up`] or the first job.
    pub fn new(url: &str, matrix_workers: usize, handler: Handler) -> Pool {
        Pool {
            inner: Rc::new(RefCell::new(Inner {
                url: url.to_string(),
                check: [None, None],
                warming: false,
                matrix: (0..matrix_workers.max(1)).map(|_| None).collect(),
                matrix_job: None,
                queue: VecDeque::new(),
                handler,
            })),
        }
    }

    /// Workers the matrix uses.
    pub fn matrix_workers(&self) -> usize {
        self.inner.borrow().matrix.len()
    }

    /// Start the explorer's check worker once the browser is idle (at the latest [`WARM_UP_MS`]
    /// from now), so that the first job does not wait for the checker module to load while the
    /// page does not either. Does nothing if it is running or already on its way.
    pub fn warm_up(&self) {
        {
            let mut inner = self.inner.borrow_mut();
            if inner.check[Lane::Explorer.index()].is_some() || inner.warming {
                return;
            }
            inner.warming = true;
        }
        let weak = Rc::downgrade(&self.inner);
        when_idle(move || {
            if let Some(inner) = weak.upgrade() {
                Pool { inner }.start_check_worker();
            }
        });
    }

    /// Start the explorer's check worker now, unless a job already did.
    fn start_check_worker(&self) {
        let lane = Lane::Explorer;
        let err = {
            let mut inner = self.inner.borrow_mut();
            inner.warming = false;
            if inner.check[lane.index()].is_some() {
                return;
            }
            match self.spawn(&inner.url, SlotId::Check(lane)) {
                Ok(s) => {
                    inner.check[lane.index()] = Some(s);
                    None
                }
                Err(e) => Some(e),
            }
        };
        if let Some(e) = err {
            self.fail(Source::Check, 0, e);
        }
    }

    /// Run a check request (JSON) in `lane`'s worker; the lane's running job, if any, is
    /// stopped first and told so ([`REPLACED`]). The other lane's job goes on.
    pub fn check(&self, lane: Lane, job: u64, request: String) {
        self.stop_lane(lane, REPLACED);
        let spawned = {
            let mut inner = self.inner.borrow_mut();
            let i = lane.index();
            match inner.check[i] {
                Some(_) => Ok(()),
                None => self
                    .spawn(&inner.url, SlotId::Check(lane))
                    .map(|s| inner.check[i] = Some(s)),
            }
        };
        if let Err(e) = spawned {
            return self.fail_later(Source::Check, job, e);
        }
        let posted = {
            let mut inner = self.inner.borrow_mut();
            match inner.check[lane.index()].as_mut() {
                Some(slot) => {
                    slot.job = Some(job);
                    slot.worker
                        .post_message(&JsValue::from_str(&request))
                        .map_err(describe)
                }
                None => Err("no check worker".to_string()),
            }
        };
        if let Err(e) = posted {
            self.fail_later(Source::Check, job, e);
        }
    }

    /// Stop the explorer lane's running job (the user cancelled it, or the world changed): its
    /// worker is terminated and a fresh one started; the job is told it was cancelled.
    pub fn cancel_check(&self) {
        if self.stop_lane(Lane::Explorer, "cancelled") {
            self.warm_up();
        }
    }

    /// Terminate `lane`'s worker if it is busy, reporting `why` as the busy job's failure (after
    /// the current call stack: the rooms that already moved on ignore it). Whether it was busy.
    fn stop_lane(&self, lane: Lane, why: &str) -> bool {
        let stopped = {
            let mut inner = self.inner.borrow_mut();
            let slot = &mut inner.check[lane.index()];
            match slot.as_ref().and_then(|s| s.job) {
                Some(job) => {
                    *slot = None; // terminates the busy worker
                    Some(job)
                }
                None => None,
            }
        };
        if let Some(job) = stopped {
            self.fail_later(Source::Check, job, why.to_string());
        }
        stopped.is_some()
    }

    /// Run every matrix cell request (JSON), spread over the matrix workers; a running matrix
    /// is cancelled first.
    pub fn matrix(&self, job: u64, requests: Vec<String>) {
        self.cancel_matrix();
        let n = {
            let mut inner = self.inner.borrow_mut();
            inner.matrix_job = Some(job);
            inner.queue = requests.into();
            inner.matrix.len()
        };
        // Several requests in flight a worker: it goes on with the next cells while the page
        // reads and draws the answers to the last ones.
        for _ in 0..IN_FLIGHT {
            for i in 0..n {
                self.feed(i);
            }
        }
    }

    /// Stop the matrix: terminate busy workers, drop the queue.
    pub fn cancel_matrix(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.matrix_job = None;
        inner.queue.clear();
        for slot in inner.matrix.iter_mut() {
            if slot.as_ref().is_some_and(|s| s.job.is_some()) {
                *slot = None;
            }
        }
    }

    /// Give matrix worker `i` its next request, if any.
    fn feed(&self, i: usize) {
        let outcome: Result<(), (u64, String)> = {
            let mut inner = self.inner.borrow_mut();
            let Some(job) = inner.matrix_job else { return };
            match inner.queue.pop_front() {
                None => {
                    if let Some(Some(s)) = inner.matrix.get_mut(i) {
                        if s.sent == 0 {
                            s.job = None;
                        }
                    }
                    Ok(())
                }
                Some(request) => {
                    let ready = match inner.matrix[i] {
                        Some(_) => Ok(()),
                        None => self
                            .spawn(&inner.url, SlotId::Matrix(i))
                            .map(|s| inner.matrix[i] = Some(s)),
                    };
                    match (ready, inner.matrix[i].as_mut()) {
                        (Ok(()), Some(slot)) => {
                            slot.job = Some(job);
                            slot.sent += 1;
                            slot.worker
                                .post_message(&JsValue::from_str(&request))
                                .map_err(|e| (job, describe(e)))
                        }
                        (Err(e), _) => Err((job, e)),
                        (Ok(()), None) => Err((job, "no matrix worker".to_string())),
                    }
                }
            }
        };
        if let Err((job, e)) = outcome {
            self.cancel_matrix();
            self.fail_later(Source::Matrix, job, e);
        }
    }

    fn spawn(&self, url: &str, id: SlotId) -> Result<Slot, String> {
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(url, &opts).map_err(|e| {
            format!(
                "this browser cannot start the background worker ({}); checks need a browser with module workers",
                describe(e)
            )
        })?;
        let weak: Weak<RefCell<Inner>> = Rc::downgrade(&self.inner);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(inner) = weak.upgrade() {
                Pool { inner }.on_message(id, e);
            }
        });
        let weak: Weak<RefCell<Inner>> = Rc::downgrade(&self.inner);
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
            e.prevent_default();
            if let Some(inner) = weak.upgrade() {
                Pool { inner }.on_error(id, e.message());
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Slot {
            worker,
            job: None,
            sent: 0,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    fn on_message(&self, id: SlotId, e: MessageEvent) {
        let Some(text) = e.data().as_string() else {
            return;
        };
        let response = match Response::from_json(&text) {
            Ok(r) => r,
            Err(err) => Response::Failed {
                job: 0,
                error: format!("unreadable answer from the worker: {err}"),
            },
        };
        let finished = response.is_final();
        let source = match id {
            SlotId::Check(_) => Source::Check,
            SlotId::Matrix(_) => Source::Matrix,
        };
        let response = match response {
            // A failure before the request was even read: it belongs to the slot's job.
            Response::Failed { job: 0, error } => Response::Failed {
                job: self.slot_job(id).unwrap_or(0),
                error,
            },
            r => r,
        };
        if finished {
            match id {
                SlotId::Check(lane) => {
                    let mut inner = self.inner.borrow_mut();
                    let slot = &mut inner.check[lane.index()];
                    if matches!(response, Response::Failed { .. }) {
                        // Its wasm instance may be broken after a trap: start afresh next time.
                        *slot = None;
                    } else if let Some(s) = slot.as_mut() {
                        s.job = None;
                    }
                }
                SlotId::Matrix(i) => {
                    if let Some(Some(s)) = self.inner.borrow_mut().matrix.get_mut(i) {
                        s.sent = s.sent.saturating_sub(1);
                    }
                    let current = self.inner.borrow().matrix_job;
                    if current == Some(response.job()) {
                        if matches!(response, Response::Failed { .. }) {
                            self.cancel_matrix();
                        } else {
                            self.feed(i);
                        }
                    }
                }
            }
        }
        let handler = self.inner.borrow().handler.clone();
        handler(source, response);
    }

    fn on_error(&self, id: SlotId, message: String) {
        let job = self.slot_job(id).unwrap_or(0);
        let (source, error) = match id {
            SlotId::Check(lane) => {
                self.inner.borrow_mut().check[lane.index()] = None;
                (
                    Source::Check,
                    format!("the check worker stopped: {message}"),
                )
            }
            SlotId::Matrix(_) => {
                self.cancel_matrix();
                (
                    Source::Matrix,
                    format!("a matrix worker stopped: {message}"),
                )
            }
        };
        self.fail(source, job, error);
    }

    fn slot_job(&self, id: SlotId) -> Option<u64> {
        let inner = self.inner.borrow();
        match id {
            SlotId::Check(lane) => inner.check[lane.index()].as_ref().and_then(|s| s.job),
            SlotId::Matrix(i) => inner
                .matrix
                .get(i)
                .and_then(|s| s.as_ref())
                .and_then(|s| s.job),
        }
    }

    fn fail(&self, source: Source, job: u64, error: String) {
        let handler = self.inner.borrow().handler.clone();
        handler(source, Response::Failed { job, error });
    }

    /// Report a failure after the current borrow and call stack are gone.
    fn fail_later(&self, source: Source, job: u64, error: String) {
        let handler = self.inner.borrow().handler.clone();
        gloo::timers::callback::Timeout::new(0, move || {
            handler(source, Response::Failed { job, error })
        })
        .forget();
    }
}
