//! The strategy × scenario matrix: one memory model's worlds, the cells checked so far, and the
//! [`Job`] that checks them across the workers (progress is a cell; it is done when every cell is).

use super::job::Job;
use crate::jobs::{self, MatrixCell};
use core_sim::MemoryModel;

/// Messages of the matrix.
#[derive(Clone, Debug, PartialEq)]
pub enum MatrixMsg {
    /// Matrix cells were sent to workers.
    Started {
        /// Job id.
        job: u64,
        /// Workers used.
        workers: usize,
        /// Start time (ms).
        now: f64,
    },
    /// A matrix cell's verdict, and the time it arrived (ms).
    Cell(u64, Box<MatrixCell>, f64),
    /// Several answered cells at once (the page draws once for them).
    Cells(Vec<MatrixMsg>),
    /// A matrix cell failed.
    Failed(u64, String),
    /// The user cancelled the matrix.
    Cancelled,
    /// Memory model of the matrix.
    SetMemory(MemoryModel),
}

/// The matrix view's state.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixState {
    /// Memory model of the cells.
    pub memory: MemoryModel,
    /// Worlds (scenario, preset, memory model), in cell order.
    pub worlds: Vec<(String, &'static str, MemoryModel)>,
    /// Results so far, in cell order.
    pub cells: Vec<Option<MatrixCell>>,
    /// The run over every cell; its result is the wall time (ms).
    pub job: Job<(), f64>,
    /// When the run started (ms).
    pub started_ms: f64,
    /// Workers used.
    pub workers: usize,
}

impl MatrixState {
    /// The matrix of one memory model, nothing checked.
    pub fn new(memory: MemoryModel) -> MatrixState {
        let worlds = jobs::matrix_worlds(memory);
        MatrixState {
            memory,
            job: Job::Idle,
            cells: vec![None; worlds.len()],
            worlds,
            started_ms: 0.0,
            workers: 0,
        }
    }

    /// Apply one message.
    pub fn apply(&mut self, msg: MatrixMsg) {
        match msg {
            MatrixMsg::Started { job, workers, now } => {
                *self = MatrixState::new(self.memory);
                self.job.start(job, ());
                self.workers = workers;
                self.started_ms = now;
            }
            MatrixMsg::Cell(job, cell, now) => {
                if !self.job.progress(job, ()) {
                    return;
                }
                if let Some(slot) = self.cells.get_mut(cell.index) {
                    *slot = Some(*cell);
                }
                if self.complete() {
                    self.job.done(job, now - self.started_ms);
                }
            }
            MatrixMsg::Cells(cells) => {
                for c in cells {
                    self.apply(c);
                }
            }
            MatrixMsg::Failed(job, e) => {
                self.job.fail(job, e);
            }
            MatrixMsg::Cancelled => {
                self.job.cancel();
            }
            MatrixMsg::SetMemory(m) => {
                if m != self.memory || self.job.error().is_some() {
                    *self = MatrixState::new(m);
                }
            }
        }
    }

    /// Opening the matrix should check it: nothing was asked for this memory model yet (a
    /// finished, failed or cancelled run stays on screen).
    pub fn wants_run(&self) -> bool {
        self.job == Job::Idle
    }

    /// Cells finished.
    pub fn done(&self) -> usize {
        self.cells.iter().filter(|c| c.is_some()).count()
    }

    /// Every cell has its verdict.
    pub fn complete(&self) -> bool {
        self.done() == self.cells.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(m: &MatrixState, i: usize) -> Box<MatrixCell> {
        let (sc, p, mem) = &m.worlds[i];
        Box::new(jobs::matrix_cell(i, sc, p, *mem).unwrap())
    }

    #[test]
    fn cells_fill_in_and_the_last_one_finishes_the_run() {
        let mut m = MatrixState::new(MemoryModel::Sc);
        assert!(m.wants_run());
        m.apply(MatrixMsg::Started {
            job: 3,
            workers: 2,
            now: 100.0,
        });
        assert!(!m.wants_run() && m.job.is_running());
        let c0 = cell(&m, 0);
        m.apply(MatrixMsg::Cell(2, c0.clone(), 110.0));
        assert_eq!(m.done(), 0, "a cell of an older run is ignored");
        m.apply(MatrixMsg::Cell(3, c0, 110.0));
        assert_eq!(m.done(), 1);
        // Pretend the other cells are in; the last one finishes the run.
        let n = m.cells.len();
        for i in 1..n - 1 {
            m.cells[i] = m.cells[0].clone();
        }
        m.apply(MatrixMsg::Cells(vec![
            MatrixMsg::Cell(2, cell(&m, n - 1), 340.0),
            MatrixMsg::Cell(3, cell(&m, n - 1), 350.0),
        ]));
        assert!(m.complete());
        assert_eq!(m.job.result(), Some(&250.0));
        assert!(
            !m.wants_run(),
            "a finished matrix is not checked again by itself"
        );
    }

    #[test]
    fn failures_stop_the_run_and_another_memory_model_starts_afresh() {
        let mut m = MatrixState::new(MemoryModel::Sc);
        m.apply(MatrixMsg::Started {
            job: 1,
            workers: 1,
            now: 0.0,
        });
        m.apply(MatrixMsg::Failed(1, "a matrix worker stopped".into()));
        assert_eq!(m.job.error(), Some("a matrix worker stopped"));
        assert!(!m.wants_run());
        m.apply(MatrixMsg::SetMemory(MemoryModel::Sc));
        assert!(m.wants_run(), "the same model again retries a failed run");
        m.apply(MatrixMsg::Started {
            job: 2,
            workers: 1,
            now: 0.0,
        });
        m.apply(MatrixMsg::Cancelled);
        assert!(!m.job.is_running() && !m.wants_run());
        m.apply(MatrixMsg::SetMemory(MemoryModel::Sc));
        assert!(!m.wants_run(), "a cancelled run stays cancelled");
        m.apply(MatrixMsg::SetMemory(MemoryModel::Tso));
        assert!(m.wants_run());
        assert!(m.worlds.iter().all(|w| w.2 == MemoryModel::Tso));
    }
}
