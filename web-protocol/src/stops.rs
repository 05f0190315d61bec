//! "What stops it" on the wire: the core's [`WhatStops`] for one run, flattened to what the page
//! shows (each single knob flip, its world's verdict, the run's kinds it makes impossible and
//! where the run's replay in that world parts), so the page's hand-written reader stays small.

use core_sim::analysis::diff::WhatStops;
use core_sim::explore::Verdict;
use core_sim::share::knob_code;
use core_sim::ViolationKind;
use serde::{Deserialize, Serialize};

/// One single knob flip of the run's world, its world checked exhaustively.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlipAnswer {
    /// The knob's stable name (`lock_in_load_put`, `irte_target`, …).
    pub knob: String,
    /// Its value in the run's world.
    pub from: String,
    /// Its value in the flipped world.
    pub to: String,
    /// It describes the hardware, not the kernel.
    pub hardware: bool,
    /// The flipped world's knobs as a link writes them (`k.` and hex digits).
    pub knobs: String,
    /// The preset the flipped knobs equal, if any.
    pub preset: Option<String>,
    /// The flipped world's verdict.
    pub verdict: Verdict,
    /// The kinds it finds.
    pub kinds: Vec<ViolationKind>,
    /// States its check visited.
    pub states: usize,
    /// The run's kinds its world never shows in any interleaving (empty: it stops none).
    pub stops: Vec<ViolationKind>,
    /// The row (from 0) where the run's replay in that world first diverges, for a flip that
    /// stops something.
    pub diverges_at: Option<usize>,
    /// Why it diverges there, in words.
    pub why: Option<String>,
}

/// What stops one run: its kinds and every single flip, checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StopsAnswer {
    /// The kinds the run shows.
    pub kinds: Vec<ViolationKind>,
    /// Every single flip, in the core's order (boolean knobs, then the other IRTE targets).
    pub flips: Vec<FlipAnswer>,
    /// Milliseconds the checks took in the worker.
    pub ms: f64,
}

impl StopsAnswer {
    /// The core's answer, flattened.
    pub fn from_core(w: &WhatStops, ms: f64) -> StopsAnswer {
        let flips = w
            .flips
            .iter()
            .map(|f| {
                let stopper = w.stoppers.iter().find(|s| s.flip == f.flip);
                FlipAnswer {
                    knob: f.flip.knob.clone(),
                    from: f.flip.from.clone(),
                    to: f.flip.to.clone(),
                    hardware: f.flip.hardware,
                    knobs: knob_code(&f.flip.knobs),
                    preset: f.flip.preset.clone(),
                    verdict: f.verdict,
                    kinds: f.kinds.clone(),
                    states: f.states,
                    stops: stopper.map(|s| s.stops.clone()).unwrap_or_default(),
                    diverges_at: stopper.and_then(|s| s.diverges_at),
                    why: stopper
                        .and_then(|s| s.row.as_ref())
                        .and_then(|r| r.note.as_ref())
                        .map(|n| n.text.clone()),
                }
            })
            .collect();
        StopsAnswer {
            kinds: w.kinds.clone(),
            flips,
            ms,
        }
    }

    /// The flips that stop some kind of the run.
    pub fn stoppers(&self) -> impl Iterator<Item = &FlipAnswer> {
        self.flips.iter().filter(|f| !f.stops.is_empty())
    }
}
