//! The glossary: every word the lab uses, defined once for the web app (a definition on each state
//! row and term, and a section of the `?` dialog), the CLI (`avic-lab glossary`) and
//! `docs/glossary.md` (generated from here by `core-sim/tests/glossary.rs`).
//!
//! A definition is a sentence or two. Where it says what the kernel does, [`Term::source`] names
//! the function, the file, the version and the commit, as `docs/kernel-notes.md` has them (the
//! section is given, so a reader can check the quote). Terms about the model itself (a micro-step,
//! an oracle) have no kernel source; the violation kinds are [`crate::vocab::ViolationKind`]'s own
//! definitions, not a second copy.
//!
//! Pure data and lookups: [`all`], [`by_id`], and [`for_cell`] / [`for_group`], which name the term
//! behind each row and heading of [`crate::view::cells`] by its stable cell id.

mod hardware;
mod kernel;
mod model;

use crate::vocab::ViolationKind;
use serde::Serialize;

/// What a term belongs to, for grouping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Topic {
    /// AMD hardware: AVIC, the physical APIC ID table, the IOMMU and its IRTEs.
    Hardware,
    /// KVM and Linux: load/put, the ir_list, blocking, waking, locks.
    Kernel,
    /// Memory models: SC, x86-TSO, store buffers, torn stores.
    Memory,
    /// The lab itself: scenarios, strategies, micro-steps, oracles.
    Model,
    /// The kinds of violation the oracles report.
    Violation,
}

impl Topic {
    /// Every topic, in the order the glossary lists them.
    pub const ALL: [Topic; 5] = [
        Topic::Hardware,
        Topic::Kernel,
        Topic::Memory,
        Topic::Model,
        Topic::Violation,
    ];

    /// A heading.
    pub fn title(self) -> &'static str {
        match self {
            Topic::Hardware => "Hardware: AVIC and the IOMMU",
            Topic::Kernel => "Kernel: KVM's side",
            Topic::Memory => "Memory models",
            Topic::Model => "The lab's own words",
            Topic::Violation => "What can go wrong",
        }
    }
}

/// One word and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Term {
    /// Stable id (kebab-case); used in links to the glossary and by the web app.
    pub id: &'static str,
    /// The word as the app writes it.
    pub name: &'static str,
    /// Other spellings the app, the kernel or the thread use.
    pub also: &'static [&'static str],
    /// What it belongs to.
    pub topic: Topic,
    /// The definition: a sentence or two.
    pub definition: &'static str,
    /// Where the kernel says so: function, file, version, commit (empty for the model's own words).
    pub source: &'static str,
}

/// Every term, grouped by topic (in [`Topic::ALL`]'s order), then in the order written.
pub fn all() -> Vec<Term> {
    let mut out: Vec<Term> = Vec::new();
    out.extend_from_slice(hardware::TERMS);
    out.extend_from_slice(kernel::TERMS);
    out.extend_from_slice(model::MEMORY);
    out.extend_from_slice(model::MODEL);
    out.extend(ViolationKind::ALL.iter().map(|k| violation(*k)));
    out
}

/// A violation kind as a term: its vocabulary definition and impact, its stable id.
pub fn violation(k: ViolationKind) -> Term {
    Term {
        id: k.id(),
        name: k.title(),
        also: &[],
        topic: Topic::Violation,
        definition: k.definition(),
        source: k.impact(),
    }
}

/// The term with this id.
pub fn by_id(id: &str) -> Option<Term> {
    all().into_iter().find(|t| t.id == id)
}

/// Longest query [`find`] reads, in characters.
pub const MAX_QUERY: usize = 64;

/// The term a person means by `query`: its id, its name or one of its other spellings, ignoring
/// case and surrounding blanks (`irte`, `IsRun`, `ir_list_lock`, `x86-TSO`). `None` for anything
/// longer than [`MAX_QUERY`] characters.
pub fn find(query: &str) -> Option<Term> {
    let q = query.trim();
    if q.is_empty() || q.chars().count() > MAX_QUERY {
        return None;
    }
    let q = q.to_lowercase();
    let terms = all();
    let is = |s: &str| s.to_lowercase() == q;
    terms
        .iter()
        .find(|t| is(t.id) || is(t.name))
        .or_else(|| terms.iter().find(|t| t.also.iter().any(|a| is(a))))
        .copied()
}

/// The term behind a state row, by the row's stable id ([`crate::view::Cell::id`]): `entry.0`
/// is a physical ID entry, `lock.1` an ir_list_lock, `lock-3` one of the other locks.
pub fn for_cell(cell_id: &str) -> Option<Term> {
    let prefix = cell_id.split(['.', '-']).next().unwrap_or(cell_id);
    let id = match cell_id {
        "galog" => "ga-log",
        "kicks" => "kick-ipi",
        _ if cell_id.starts_with("irte-copy.") => "irte-software-copy",
        _ if cell_id.starts_with("irte-cache.") => "iommu-irte-cache",
        _ if cell_id.starts_with("kvm-entry.") => "kvm-entry-copy",
        _ if cell_id.starts_with("lock-") => "host-locks",
        _ => match prefix {
            "vcpu" => "vcpu-state",
            "irr" => "irr",
            "seen" => "guest-took",
            "req" => "vcpu-request",
            "entry" => "physical-id-entry",
            "irte" => "irte",
            "list" => "ir-list",
            "lock" => "ir-list-lock",
            "buffer" => "store-buffer",
            _ => return None,
        },
    };
    by_id(id)
}

/// The term behind a group heading of the state pane ([`crate::view::Cell::group`]).
pub fn for_group(group: &str) -> Option<Term> {
    let id = match group {
        "vCPUs" => "vcpu",
        "AVIC physical ID table" => "physical-id-table",
        "KVM's copy of the entries" => "kvm-entry-copy",
        "IOMMU IRTEs" => "irte",
        "ir_lists" => "ir-list",
        "other locks" => "host-locks",
        "store buffers" => "store-buffer",
        "IOMMU GA log" => "ga-log",
        "costs" => "kick-ipi",
        _ => return None,
    };
    by_id(id)
}

/// The glossary as Markdown (`docs/glossary.md`): one section per topic, one entry per term.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Glossary\n\n\
         Generated from `core-sim/src/glossary/` by `core-sim/tests/glossary.rs` \
         (`UPDATE_SNAPSHOTS=1 cargo test -p core-sim --test glossary`). The web app shows the same \
         definitions on every state row and term (hover, focus or tap) and in the `?` dialog; \
         `avic-lab glossary` prints them. Kernel claims name their function, version and commit; \
         `docs/kernel-notes.md` has the quotes.\n",
    );
    let terms = all();
    for topic in Topic::ALL {
        out.push_str(&format!("\n## {}\n\n", topic.title()));
        for t in terms.iter().filter(|t| t.topic == topic) {
            out.push_str(&format!("- **{}**", t.name));
            if !t.also.is_empty() {
                let also: Vec<String> = t.also.iter().map(|a| format!("`{a}`")).collect();
                out.push_str(&format!(" (also {})", also.join(", ")));
            }
            out.push_str(&format!(" <a id=\"{}\"></a>: {}", t.id, t.definition));
            if !t.source.is_empty() {
                let label = if topic == Topic::Violation {
                    "Impact"
                } else {
                    "Source"
                };
                out.push_str(&format!("\n  {label}: {}", t.source));
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_every_term_is_defined() {
        let terms = all();
        for (i, t) in terms.iter().enumerate() {
            assert!(
                t.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                t.id
            );
            assert!(terms[..i].iter().all(|u| u.id != t.id), "{} twice", t.id);
            assert!(!t.name.is_empty() && t.definition.len() > 20, "{}", t.id);
            assert!(t.definition.len() < 420, "{}: keep it short", t.id);
            assert_eq!(by_id(t.id), Some(*t));
        }
    }

    #[test]
    fn the_words_a_student_meets_first_are_all_here() {
        for id in [
            "avic",
            "backing-page",
            "irr",
            "physical-id-table",
            "physical-id-entry",
            "is-running",
            "host-apic-id",
            "iommu",
            "irte",
            "guest-mode",
            "ga-tag",
            "ga-log",
            "ga-log-intr",
            "doorbell",
            "ir-list",
            "ir-list-lock",
            "vcpu-load",
            "vcpu-put",
            "blocking",
            "wake-up",
            "posted-interrupt",
            "sc",
            "tso",
            "store-buffer",
            "irte-is-run",
            "lost-wakeup",
            "stale-irte",
        ] {
            assert!(by_id(id).is_some(), "no term {id}");
        }
    }

    #[test]
    fn kernel_claims_name_a_function_and_where_to_check_them() {
        for t in all()
            .iter()
            .filter(|t| matches!(t.topic, Topic::Hardware | Topic::Kernel) && !t.source.is_empty())
        {
            assert!(
                t.source.contains("kernel-notes.md §"),
                "{}: cite the section of docs/kernel-notes.md",
                t.id
            );
        }
    }

    #[test]
    fn rows_and_headings_find_their_terms() {
        let id = |c: &str| for_cell(c).map(|t| t.id);
        assert_eq!(id("entry.0"), Some("physical-id-entry"));
        assert_eq!(id("kvm-entry.1"), Some("kvm-entry-copy"));
        assert_eq!(id("irte-copy.0"), Some("irte-software-copy"));
        assert_eq!(id("irte-cache.0"), Some("iommu-irte-cache"));
        assert_eq!(id("irte.0"), Some("irte"));
        assert_eq!(id("lock.1"), Some("ir-list-lock"));
        assert_eq!(id("lock-4"), Some("host-locks"));
        assert_eq!(id("galog"), Some("ga-log"));
        assert_eq!(id("nonsense"), None);
        assert_eq!(for_group("ir_lists").map(|t| t.id), Some("ir-list"));
        assert_eq!(for_group("??"), None);
        assert_eq!(find(" IsRun ").map(|t| t.id), Some("irte-is-run"));
        assert_eq!(find("IsRunning").map(|t| t.id), Some("is-running"));
        assert_eq!(find("ir_list_lock").map(|t| t.id), Some("ir-list-lock"));
        assert_eq!(find("x86-tso").map(|t| t.id), Some("tso"));
        assert_eq!(find(&"a".repeat(MAX_QUERY + 1)), None);
        let md = markdown();
        assert!(md.contains("<a id=\"ga-log\"></a>"), "{md}");
    }
}
