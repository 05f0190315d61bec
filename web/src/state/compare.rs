//! The diff view's room: the second world the run on screen is replayed in and aligned with
//! (`core_sim::analysis::diff`): a strategy preset (or knobs) and a memory model, or none.

use core_sim::share::Against;
use core_sim::strategy::{MemoryModel, Strategy};
use core_sim::Knobs;

/// What can happen to the comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum CompareMsg {
    /// Compare with this preset (by id or alias), under `memory`.
    Preset(String, MemoryModel),
    /// Compare with these knobs (a single flip "what stops it" found), under `memory`.
    Knobs(Knobs, MemoryModel),
    /// Keep world B's strategy, change its memory model.
    SetMemory(MemoryModel),
    /// Close the diff view.
    Close,
}

/// The second world, if the diff view is open.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compare {
    /// World B.
    pub against: Option<Against>,
}

impl Compare {
    /// Apply a message; an unknown preset id is an error in words (nothing changes).
    pub fn apply(&mut self, m: CompareMsg) -> Result<(), String> {
        match m {
            CompareMsg::Preset(id, memory) => {
                let knobs = Strategy::preset(&id).map_err(|e| format!("{e}."))?.knobs;
                self.against = Some(Against { knobs, memory });
            }
            CompareMsg::Knobs(knobs, memory) => self.against = Some(Against { knobs, memory }),
            CompareMsg::SetMemory(memory) => {
                if let Some(b) = self.against.as_mut() {
                    b.memory = memory;
                }
            }
            CompareMsg::Close => self.against = None,
        }
        Ok(())
    }

    /// World B's knobs, if open.
    pub fn knobs(&self) -> Option<Knobs> {
        self.against.map(|b| b.knobs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_change_the_model_and_close() {
        let mut c = Compare::default();
        c.apply(CompareMsg::SetMemory(MemoryModel::Tso)).unwrap();
        assert_eq!(c.against, None, "no world B to change");
        c.apply(CompareMsg::Preset("lock-fix".into(), MemoryModel::Sc))
            .unwrap();
        assert_eq!(
            c.knobs(),
            Some(Strategy::preset("linux-6.6").unwrap().knobs)
        );
        c.apply(CompareMsg::SetMemory(MemoryModel::Tso)).unwrap();
        assert_eq!(c.against.unwrap().memory, MemoryModel::Tso);
        let e = c
            .apply(CompareMsg::Preset("nope".into(), MemoryModel::Sc))
            .unwrap_err();
        assert!(e.contains("unknown strategy 'nope'"), "{e}");
        assert_eq!(c.against.unwrap().memory, MemoryModel::Tso, "unchanged");
        c.apply(CompareMsg::Close).unwrap();
        assert_eq!(c.against, None);
        let k = Strategy::preset("naive-update").unwrap().knobs;
        c.apply(CompareMsg::Knobs(k, MemoryModel::Sc)).unwrap();
        assert_eq!(c.knobs(), Some(k));
    }
}
