//! The patch editor's room: one operation of the world (a thread's `put`, the updater's
//! `update_affinity`, …) as program text (`core_sim::program::text`, the code panes'
//! pretty-print), edited as a draft that is read and checked against the world on every change
//! (errors at line:column), then applied to the world (`Sim::with_patch`) or reverted to the
//! strategy's own program.

use super::world::World;
use core_sim::program::text::{self, Diag, Patch, MAX_TEXT};
use core_sim::scenario::Scenario;
use core_sim::Sim;

/// Most drafts Undo goes back through.
pub const UNDO_DEPTH: usize = 200;

/// What can happen in the editor.
#[derive(Clone, Debug, PartialEq)]
pub enum PatchMsg {
    /// Open it on the first edited operation (else the first vCPU's first one).
    Open,
    /// Close it (the draft is dropped; an applied patch stays).
    Close,
    /// Edit thread `.0`'s operation `.1` (its index in the thread's script).
    Select(usize, usize),
    /// The draft's new text (each keystroke).
    Edit(String),
    /// The draft before the last edit.
    Undo,
    /// Run the draft: it replaces its operation in the world.
    Apply,
    /// Back to the strategy's own program for this operation.
    Revert,
}

/// The editor's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PatchDraft {
    /// The editor is on screen.
    pub open: bool,
    /// The operation being edited: thread index, operation index.
    pub target: (usize, usize),
    /// The text as typed.
    pub draft: String,
    /// What is wrong with the draft (empty: it reads and fits the world).
    pub errors: Vec<Diag>,
    /// Earlier drafts, the last one on top.
    pub undo: Vec<String>,
}

/// Thread `t`'s operation `o` and its program in `sim`, with the `for` line a patch needs.
pub fn program_text(sim: &Sim, t: usize, o: usize) -> Option<String> {
    let spec = sim.scenario.threads.get(t)?;
    let prog = sim.threads.get(t)?.programs.get(o)?;
    Some(text::print_program(
        Some((spec.actor, *spec.ops.get(o)?)),
        prog,
    ))
}

/// Every operation a scenario's threads run: (thread, operation index).
pub fn operations(s: &Scenario) -> Vec<(usize, usize)> {
    s.threads
        .iter()
        .enumerate()
        .flat_map(|(t, spec)| (0..spec.ops.len()).map(move |o| (t, o)))
        .collect()
}

/// `draft` read as a patch and merged into the world's: its programs replace those of the same
/// operations; then the whole patch is checked against the world.
fn merged(world: &World, draft: &str) -> Result<Patch, Vec<Diag>> {
    if draft.len() > MAX_TEXT {
        let message = format!("the text is longer than {MAX_TEXT} bytes");
        return Err(vec![Diag {
            line: 1,
            col: 1,
            end: 2,
            message,
        }]);
    }
    let new = Patch::parse(draft)?;
    let mut patch = world.patch.clone().unwrap_or_default();
    patch.programs.retain(|r| {
        !new.programs
            .iter()
            .any(|n| n.actor == r.actor && n.op == r.op)
    });
    patch.programs.extend(new.programs);
    let base = world.base_sim().map_err(|message| {
        vec![Diag {
            line: 0,
            col: 1,
            end: 2,
            message,
        }]
    })?;
    match Sim::with_patch(base.scenario, base.strategy, base.memory, patch.clone()) {
        Ok(_) => Ok(patch),
        Err(core_sim::sim::PatchError::Program(errors)) => Err(errors),
        Err(e) => Err(vec![Diag {
            line: 0,
            col: 1,
            end: 2,
            message: e.to_string(),
        }]),
    }
}

/// `patch` without the programs that equal the strategy's own (nothing left: no patch).
fn trimmed(world: &World, mut patch: Patch) -> Option<Patch> {
    if let Ok(base) = world.base_sim() {
        patch.programs.retain(|r| {
            !base
                .threads
                .iter()
                .zip(&base.scenario.threads)
                .any(|(th, spec)| {
                    spec.actor == r.actor
                        && spec
                            .ops
                            .iter()
                            .zip(&th.programs)
                            .any(|(op, p)| *op == r.op && *p == r.program)
                })
        });
    }
    (!patch.programs.is_empty()).then_some(patch)
}

impl PatchDraft {
    /// Apply a message in `world`. `Some(patch)`: the world's new patch (the composition sets it
    /// and starts a fresh run).
    pub fn apply(&mut self, msg: PatchMsg, world: &World) -> Option<Option<Patch>> {
        match msg {
            PatchMsg::Open => {
                let first = world
                    .patch
                    .as_ref()
                    .and_then(|p| p.programs.first())
                    .and_then(|r| {
                        world
                            .scenario
                            .threads
                            .iter()
                            .enumerate()
                            .find_map(|(t, spec)| {
                                (spec.actor == r.actor)
                                    .then(|| {
                                        spec.ops.iter().position(|op| *op == r.op).map(|o| (t, o))
                                    })
                                    .flatten()
                            })
                    });
                self.open = true;
                self.select(first.unwrap_or((0, 0)), world);
            }
            PatchMsg::Close => *self = PatchDraft::default(),
            PatchMsg::Select(t, o) => self.select((t, o), world),
            // The same text again (a browser may report one edit more than once) is no edit.
            PatchMsg::Edit(text) if text == self.draft => {}
            PatchMsg::Edit(text) => {
                let old = std::mem::replace(&mut self.draft, text);
                self.undo.push(old);
                if self.undo.len() > UNDO_DEPTH {
                    self.undo.remove(0);
                }
                self.recheck(world);
            }
            PatchMsg::Undo => {
                if let Some(text) = self.undo.pop() {
                    self.draft = text;
                    self.recheck(world);
                }
            }
            PatchMsg::Apply => {
                self.recheck(world);
                if self.errors.is_empty() {
                    return merged(world, &self.draft).ok().map(|p| trimmed(world, p));
                }
            }
            PatchMsg::Revert => {
                let base = world.base_sim().ok()?;
                let (t, o) = self.target;
                let spec = base.scenario.threads.get(t)?;
                let op = *spec.ops.get(o)?;
                self.undo.push(std::mem::take(&mut self.draft));
                self.draft = program_text(&base, t, o)?;
                self.errors.clear();
                let mut patch = world.patch.clone()?;
                patch
                    .programs
                    .retain(|r| !(r.actor == spec.actor && r.op == op));
                return Some(trimmed(world, patch));
            }
        }
        None
    }

    /// Edit operation `(t, o)`: its program as the world runs it now (edited or not).
    fn select(&mut self, (t, o): (usize, usize), world: &World) {
        let (t, o) = if operations(&world.scenario).contains(&(t, o)) {
            (t, o)
        } else {
            (0, 0)
        };
        self.target = (t, o);
        self.draft = world
            .sim()
            .or_else(|_| world.base_sim())
            .ok()
            .and_then(|sim| program_text(&sim, t, o))
            .unwrap_or_default();
        self.undo.clear();
        self.errors.clear();
    }

    /// The world changed: the same operation again, as the new world runs it (the draft is
    /// dropped; Undo still brings it back).
    pub fn refresh(&mut self, world: &World) {
        if self.open {
            let undo = std::mem::take(&mut self.undo);
            self.select(self.target, world);
            self.undo = undo;
        }
    }

    /// Whether the draft differs from what the world runs for its operation.
    pub fn is_dirty(&self, world: &World) -> bool {
        let (t, o) = self.target;
        let now = world.sim().ok().and_then(|sim| program_text(&sim, t, o));
        text::canonical(&self.draft).ok() != now
    }

    fn recheck(&mut self, world: &World) {
        self.errors = merged(world, &self.draft).err().unwrap_or_default();
    }
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
