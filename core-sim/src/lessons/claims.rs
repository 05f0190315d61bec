//! What a lesson claims and how a claim is checked: the exhaustive checker run on a world, its
//! verdict and kinds compared with what the lesson says.

use super::*;

/// What a claim expects of every world it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The checker finds this kind of violation.
    Shows(ViolationKind),
    /// A complete search finds none of these kinds (others may occur).
    Free(&'static [ViolationKind]),
    /// A complete search finds no violation at all.
    Safe,
}

/// A statement about one strategy in one or more worlds, checked exhaustively.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claim {
    /// The scenarios (empty: every shipped scenario).
    pub scenarios: &'static [&'static str],
    /// The strategy preset.
    pub strategy: &'static str,
    /// The memory models (empty: both).
    pub memory: &'static [MemoryModel],
    /// What must hold in each.
    pub expect: Expect,
}

/// The result of checking a claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimCheck {
    /// Whether the claim held in every world.
    pub holds: bool,
    /// Worlds checked.
    pub worlds: usize,
    /// States visited in all of them.
    pub states: usize,
    /// In words: what was found, and where the claim failed if it did.
    pub detail: String,
}

impl Claim {
    /// The worlds the claim covers: (scenario id, strategy id, memory model).
    pub fn worlds(&self) -> Vec<(String, &'static str, MemoryModel)> {
        let scenarios: Vec<String> = if self.scenarios.is_empty() {
            scenario::ids()
        } else {
            self.scenarios.iter().map(|s| s.to_string()).collect()
        };
        let memories: &[MemoryModel] = if self.memory.is_empty() {
            &MemoryModel::ALL
        } else {
            self.memory
        };
        let mut out = Vec::new();
        for s in &scenarios {
            for &m in memories {
                out.push((s.clone(), self.strategy, m));
            }
        }
        out
    }

    /// Judge the claim from one complete-or-not check report per world, in [`Claim::worlds`]'
    /// order.
    pub fn judge(&self, reports: &[CheckReport]) -> ClaimCheck {
        let worlds = self.worlds();
        let states = reports.iter().map(|r| r.states).sum();
        let mut failures = Vec::new();
        if reports.len() != worlds.len() {
            failures.push(format!(
                "{} reports for {} worlds",
                reports.len(),
                worlds.len()
            ));
        }
        for ((scenario, _, memory), r) in worlds.iter().zip(reports) {
            let place = format!("{scenario} ({})", memory.id());
            let complete = r.outcome == Outcome::Complete;
            let kinds = r.kinds();
            let failure = match self.expect {
                Expect::Shows(k) if !kinds.contains(&k) => Some(if complete {
                    format!("{place}: no {} in a complete search", k.id())
                } else {
                    format!("{place}: no {} before the search stopped", k.id())
                }),
                Expect::Free(bad) => match kinds.iter().find(|k| bad.contains(k)) {
                    Some(k) => Some(format!("{place}: found {}", k.id())),
                    None if !complete => Some(format!("{place}: search incomplete")),
                    None => None,
                },
                Expect::Safe if !kinds.is_empty() || !complete => Some(format!(
                    "{place}: {}",
                    if kinds.is_empty() {
                        "search incomplete".to_string()
                    } else {
                        format!("found {}", ids(&kinds))
                    }
                )),
                _ => None,
            };
            failures.extend(failure);
        }
        let holds = failures.is_empty();
        let detail = if holds {
            format!(
                "holds in {} world(s), {states} states checked",
                worlds.len()
            )
        } else {
            format!("does not hold: {}", failures.join("; "))
        };
        ClaimCheck {
            holds,
            worlds: worlds.len(),
            states,
            detail,
        }
    }

    /// Check every world exhaustively (no reduction) and judge the claim.
    pub fn verify(&self) -> ClaimCheck {
        let mut reports = Vec::new();
        for (scenario, strategy, memory) in self.worlds() {
            match Sim::from_ids(&scenario, strategy, memory.id()) {
                Ok(sim) => reports.push(check(&sim, &CheckOptions::default(), &mut |_| true)),
                Err(e) => {
                    return ClaimCheck {
                        holds: false,
                        worlds: 0,
                        states: 0,
                        detail: format!("cannot build {scenario}: {e}"),
                    }
                }
            }
        }
        self.judge(&reports)
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scenarios = if self.scenarios.is_empty() {
            "every scenario".to_string()
        } else {
            self.scenarios.join(", ")
        };
        let memory = match self.memory {
            [] => "sc and tso".to_string(),
            ms => ms.iter().map(|m| m.id()).collect::<Vec<_>>().join(" and "),
        };
        let what = match self.expect {
            Expect::Shows(k) => format!("the checker finds {}", k.id()),
            Expect::Free(ks) => format!(
                "no {} in any interleaving",
                ids(ks).replace(", ", " and no ")
            ),
            Expect::Safe => "safe: no violation in any interleaving".to_string(),
        };
        write!(f, "{}, {scenarios} ({memory}): {what}", self.strategy)
    }
}
