//! What stops it: for a counterexample, the single knob flips (one boolean knob turned over, or
//! the IRTE target moved to another place) whose world has none of its violation kind in any
//! interleaving (an exhaustive check of that world, not only of this schedule), and the row at
//! which this schedule's replay in the flipped world diverges.

use super::{diff_sims, DiffError, Row};
use crate::explore::{check, CheckOptions, Schedule, Session, Verdict};
use crate::oracle::ViolationKind;
use crate::sim::Sim;
use crate::strategy::{IrteTarget, Knobs, Strategy, FLAGS};
use serde::{Deserialize, Serialize};

/// One knob turned over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnobFlip {
    /// The knob's stable name (`lock_in_load_put`, `irte_target`, ...).
    pub knob: String,
    /// Its value in world A.
    pub from: String,
    /// Its value in the flipped world.
    pub to: String,
    /// It describes the hardware, not the kernel.
    pub hardware: bool,
    /// The flipped knobs.
    pub knobs: Knobs,
    /// The preset the flipped knobs equal, if any.
    pub preset: Option<String>,
}

/// Every single flip of `knobs`: each boolean knob turned over, then each other IRTE target.
pub fn single_flips(knobs: &Knobs) -> Vec<KnobFlip> {
    let mut out = Vec::new();
    let named = |knobs: Knobs| Strategy::custom(knobs).preset_id().map(str::to_string);
    for f in FLAGS {
        let mut k = *knobs;
        let now = (f.get)(knobs);
        (f.set)(&mut k, !now);
        out.push(KnobFlip {
            knob: f.name.to_string(),
            from: u8::from(now).to_string(),
            to: u8::from(!now).to_string(),
            hardware: f.hardware,
            knobs: k,
            preset: named(k),
        });
    }
    for t in IrteTarget::ALL {
        if t != knobs.irte_target {
            let k = Knobs {
                irte_target: t,
                ..*knobs
            };
            out.push(KnobFlip {
                knob: "irte_target".into(),
                from: knobs.irte_target.id().into(),
                to: t.id().into(),
                hardware: false,
                knobs: k,
                preset: named(k),
            });
        }
    }
    out
}

/// One flipped world, checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flip {
    /// The flip.
    pub flip: KnobFlip,
    /// The exhaustive check's verdict.
    pub verdict: Verdict,
    /// The kinds it finds.
    pub kinds: Vec<ViolationKind>,
    /// States it visited.
    pub states: usize,
}

/// A flip that makes some of the counterexample's kinds impossible.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stopper {
    /// The flip.
    pub flip: KnobFlip,
    /// The counterexample's kinds its world never shows.
    pub stops: Vec<ViolationKind>,
    /// The row of this schedule's aligned replay in the flipped world where it first diverges.
    pub diverges_at: Option<usize>,
    /// That row.
    pub row: Option<Row>,
}

/// For one run: its kinds, every single flip checked, and the flips that stop a kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatStops {
    /// The kinds the run shows.
    pub kinds: Vec<ViolationKind>,
    /// Every single flip and its world's verdict.
    pub flips: Vec<Flip>,
    /// The flips whose world, checked completely, has none of some kind of the run.
    pub stoppers: Vec<Stopper>,
}

/// Which single knob flips make the kinds `schedule` shows in `sim` impossible. Each flipped
/// world is checked exhaustively with `options`; a world whose search stops at a bound stops
/// nothing (it is listed with its verdict). A patched `sim` (`Sim::with_patch`) keeps its edited
/// programs in every flipped world; a flip they do not fit (a forced exit without kicks) is left
/// out.
pub fn what_stops(
    sim: &Sim,
    schedule: &Schedule,
    options: &CheckOptions,
) -> Result<WhatStops, DiffError> {
    let run = Session::replay(sim, &schedule.to_string())?;
    let mut kinds: Vec<ViolationKind> = run.violations().iter().map(|v| v.kind).collect();
    kinds.sort();
    kinds.dedup();
    let mut flips = Vec::new();
    let mut stoppers = Vec::new();
    for flip in single_flips(&sim.strategy.knobs) {
        // A patched world keeps its patch; a flip the patch does not fit is no single flip of it.
        let Ok(world) = sim.rebuilt(Strategy::custom(flip.knobs), sim.memory) else {
            continue;
        };
        let report = check(&world, options, &mut |_| true);
        let found = report.kinds();
        let complete = report.outcome == crate::explore::Outcome::Complete;
        let stops: Vec<ViolationKind> = kinds
            .iter()
            .copied()
            .filter(|k| complete && !found.contains(k))
            .collect();
        if !stops.is_empty() {
            let d = diff_sims(sim, schedule, &world)?;
            stoppers.push(Stopper {
                flip: flip.clone(),
                stops,
                diverges_at: d.first_divergence,
                row: d.divergence().cloned(),
            });
        }
        flips.push(Flip {
            flip,
            verdict: report.verdict(),
            kinds: found,
            states: report.states,
        });
    }
    Ok(WhatStops {
        kinds,
        flips,
        stoppers,
    })
}
