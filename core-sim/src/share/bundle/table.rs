//! The joined view of a bundle: one row per cell with every kind of evidence side by side
//! (possible at all, how often seeded runs hit it, how often the host's `stress` hit it per
//! million iterations, and what that adds up to), the host section as labelled lines, and the
//! same as text for a terminal. The CLI's `host-report --show` and the web app's Host evidence
//! view both show this, so they say the same.

use super::{Bundle, StressEvidence, TraceEvidence};
use crate::analysis::evidence::{self, CellId, Exhaustive, Sampled};
use crate::ViolationKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// This build's own exhaustive verdict of each of a bundle's cells, in the bundle's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recheck(pub Vec<Exhaustive>);

/// Check every cell of `bundle` again here, with at most `max_states` states each.
pub fn recheck(bundle: &Bundle, max_states: usize) -> Result<Recheck, String> {
    bundle
        .cells
        .iter()
        .map(|c| {
            let id = CellId::new(&c.scenario, &c.strategy, c.memory.id())?;
            Ok(evidence::exhaustive(&id.sim()?, max_states))
        })
        .collect::<Result<_, String>>()
        .map(Recheck)
}

/// One cell, every column in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// `scenario · strategy · memory`.
    pub cell: String,
    /// The kinds the bundle's exhaustive search found (`safe` when none; a bounded search says so).
    pub possible: String,
    /// This build's own search of the cell: `same`, or how it differs.
    pub recomputed: String,
    /// Uniform runs that hit each kind.
    pub uniform: String,
    /// PCT runs that hit each kind.
    pub pct: String,
    /// The host's stress hits per million iterations.
    pub stress: String,
    /// What the evidence adds up to.
    pub verdict: String,
    /// Some evidence contradicts the model (the host or a seeded run saw what the exhaustive
    /// search rules out, or this build's verdict differs from the bundle's).
    pub mismatch: bool,
}

/// A bundle joined for display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// One line naming the machine and the number of cells.
    pub title: String,
    /// The host's statement about itself.
    pub statement: String,
    /// Whether the machine could run the real race (an AMD CPU with AVIC used by kvm_amd).
    pub can_exercise_race: bool,
    /// The host section, as (label, value) lines.
    pub host: Vec<(String, String)>,
    /// Where the model verdicts come from.
    pub verdicts: String,
    /// Column headings, one per field of [`Row`] but `mismatch`.
    pub columns: Vec<String>,
    /// One row per cell, in the bundle's order.
    pub rows: Vec<Row>,
}

/// The short name of a kind in the tables (as in README's verdict table).
pub fn short(k: ViolationKind) -> &'static str {
    match k {
        ViolationKind::StaleIrte => "stale",
        ViolationKind::LostWakeup => "lost",
        ViolationKind::DelayedDelivery => "delay",
        ViolationKind::TornRead => "torn",
        ViolationKind::Deadlock => "deadlock",
        ViolationKind::IrteMixedUpdate => "mixed",
    }
}

fn names(kinds: &BTreeSet<ViolationKind>) -> String {
    kinds
        .iter()
        .map(|&k| short(k))
        .collect::<Vec<_>>()
        .join(", ")
}

fn possible(e: &Exhaustive) -> String {
    let kinds: BTreeSet<_> = e.kinds.iter().copied().collect();
    match (e.complete, kinds.is_empty()) {
        (true, true) => format!("safe ({} states)", e.states),
        (true, false) => names(&kinds),
        (false, true) => format!("none found (bounded at {} states)", e.states),
        (false, false) => format!("{} (bounded at {} states)", names(&kinds), e.states),
    }
}

fn percent(n: u64, of: u64) -> String {
    let p = 100.0 * n as f64 / of.max(1) as f64;
    if p >= 10.0 || p == 0.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

fn sampled(s: &Sampled) -> String {
    if s.hits.is_empty() {
        return format!("none of {}", s.runs);
    }
    let hits: Vec<String> = s
        .hits
        .iter()
        .map(|(&k, &n)| format!("{} {}", short(k), percent(n, s.runs)))
        .collect();
    format!("{} of {}", hits.join(", "), s.runs)
}

fn per_million(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn yes(v: Option<bool>) -> String {
    match v {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => "unknown".into(),
    }
}

/// Join a bundle's evidence, with this build's own verdicts when `recheck` is given.
pub fn join(b: &Bundle, recheck: Option<&Recheck>) -> Table {
    let rows = b
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let m = &c.model;
            let model: BTreeSet<_> = m.exhaustive.kinds.iter().copied().collect();
            let mut problems = Vec::new();
            let recomputed = match recheck.and_then(|r| r.0.get(i)) {
                None => "not recomputed".to_string(),
                Some(here) if here.kinds == m.exhaustive.kinds && here.complete == m.exhaustive.complete => "same".to_string(),
                Some(here) => {
                    problems.push("this build's verdict differs from the bundle's".to_string());
                    format!("DIFFERS: {}", possible(here))
                }
            };
            let ruled_out = |k: &ViolationKind| m.exhaustive.complete && !model.contains(k);
            let random: BTreeSet<_> = m.uniform.hits.keys().chain(m.pct.hits.keys()).copied().collect();
            let odd: BTreeSet<_> = random.iter().copied().filter(ruled_out).collect();
            if !odd.is_empty() {
                problems.push(format!("a seeded run hit {}, which the exhaustive search rules out", names(&odd)));
            }
            let (stress, host) = match &c.stress {
                StressEvidence::Skipped { why } => (format!("not run: {why}"), None),
                StressEvidence::Ran(r) => {
                    let text = if r.hits.is_empty() {
                        format!("none in {} iterations", r.iterations)
                    } else {
                        let hits: Vec<String> = r
                            .hits
                            .keys()
                            .map(|&k| format!("{} {}", short(k), per_million(r.per_million(k))))
                            .collect();
                        format!("{} per million of {} iterations", hits.join(", "), r.iterations)
                    };
                    (text, Some(r))
                }
            };
            let mut says = Vec::new();
            if let Some(r) = host {
                let seen: BTreeSet<_> = r.hits.keys().copied().collect();
                let odd: BTreeSet<_> = seen.iter().copied().filter(ruled_out).collect();
                if !odd.is_empty() {
                    problems.push(format!("the host saw {}, which the model rules out (a bug in the model or in the stress harness)", names(&odd)));
                }
                let both: BTreeSet<_> = model.intersection(&seen).copied().collect();
                let unseen: BTreeSet<_> = model.difference(&seen).copied().collect();
                if !both.is_empty() {
                    says.push(format!("reproduced on the host: {}", names(&both)));
                }
                if !unseen.is_empty() {
                    says.push(format!("possible, not seen on the host in {} iterations: {}", r.iterations, names(&unseen)));
                }
                if model.is_empty() && seen.is_empty() && m.exhaustive.complete {
                    says.push("safe, and nothing seen on the host".to_string());
                }
            } else if model.is_empty() && m.exhaustive.complete {
                says.push("safe (no host run)".to_string());
            } else {
                says.push("model only (no host run)".to_string());
            }
            let mismatch = !problems.is_empty();
            if mismatch {
                says.insert(0, format!("MISMATCH: {}", problems.join("; ")));
            }
            Row {
                cell: format!("{} · {} · {}", c.scenario, c.strategy, c.memory.id()),
                possible: possible(&m.exhaustive),
                recomputed,
                uniform: sampled(&m.uniform),
                pct: format!("{} (depth {})", sampled(&m.pct), m.pct_depth),
                stress,
                verdict: says.join("; "),
                mismatch,
            }
        })
        .collect();
    Table {
        title: format!(
            "Host evidence: {} cell(s) from {}",
            b.cells.len(),
            b.host.cpu_model.as_deref().unwrap_or("an unnamed CPU")
        ),
        statement: b.host.statement.clone(),
        can_exercise_race: b.host.can_exercise_race,
        host: host_lines(b),
        verdicts: if recheck.is_some() {
            "Model verdicts: the bundle's own exhaustive search, and each cell checked again by this build (recomputed here).".into()
        } else {
            "Model verdicts: the bundle's own exhaustive search (not recomputed here).".into()
        },
        columns: [
            "cell",
            "possible (exhaustive)",
            "recomputed here",
            "uniform runs hit",
            "PCT runs hit",
            "host stress, per million",
            "what it says",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

fn host_lines(b: &Bundle) -> Vec<(String, String)> {
    let h = &b.host;
    let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".into());
    let trace = match &h.trace {
        TraceEvidence::NotRecorded { why } => format!("not recorded: {why}"),
        TraceEvidence::Recorded {
            source,
            lines,
            events,
            findings,
            first_findings,
            ..
        } => {
            let mut t = format!("{source}: {lines} lines, {events} events, {findings} finding(s)");
            if let Some(f) = first_findings.first() {
                t.push_str(&format!("; first: {f}"));
            }
            t
        }
    };
    let bu = &b.budget;
    vec![
        ("can run the real race".into(), yes(Some(h.can_exercise_race))),
        ("CPU".into(), format!("{} {} ({}, {} cores)", or(&h.cpu_vendor), or(&h.cpu_model), h.arch, h.cores)),
        ("kernel".into(), match &h.kernel_preset {
            Some(p) => format!("{} (its code: preset {p})", or(&h.kernel)),
            None => or(&h.kernel),
        }),
        ("AVIC in the CPU".into(), yes(h.avic)),
        ("kvm_amd avic=Y".into(), yes(h.kvm_amd_avic)),
        ("AMD IOMMU with GASup".into(), yes(h.iommu_ga)),
        ("under a hypervisor".into(), match &h.virtualization {
            Some(v) => format!("{} ({v})", yes(h.hypervisor)),
            None => yes(h.hypervisor),
        }),
        ("probe".into(), h.summary.join("; ")),
        ("trace".into(), trace),
        ("budget".into(), format!(
            "{} uniform and {} PCT runs per cell from seed {}; stress {} s per cell; searches of at most {} states",
            bu.runs, bu.runs, bu.seed, bu.stress_seconds, bu.max_states
        )),
        ("made by".into(), format!("{}, {}", b.tool, utc(b.created_unix))),
    ]
}

/// `2026-12-02 07:30 UTC` from seconds since 1970 (the civil calendar, no clock read).
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let (h, m) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    // Days to a proleptic Gregorian date (Howard Hinnant's civil_from_days).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{m:02} UTC")
}

impl Table {
    /// The table as text for a terminal: the host section, then each cell as a block of lines.
    pub fn to_text(&self) -> String {
        let mut o = format!("{}\n{}\n\n", self.title, self.statement);
        for (k, v) in &self.host {
            o.push_str(&format!("  {k:<22} {v}\n"));
        }
        o.push_str(&format!("\n{}\n", self.verdicts));
        for r in &self.rows {
            o.push_str(&format!("\n{}\n", r.cell));
            for (label, v) in self.columns[1..].iter().zip([
                &r.possible,
                &r.recomputed,
                &r.uniform,
                &r.pct,
                &r.stress,
            ]) {
                o.push_str(&format!("  {label:<26} {v}\n"));
            }
            o.push_str(&format!("  → {}\n", r.verdict));
        }
        let bad = self.rows.iter().filter(|r| r.mismatch).count();
        o.push_str(&format!(
            "\n{} cell(s), {bad} with a MISMATCH\n",
            self.rows.len()
        ));
        o
    }
}
