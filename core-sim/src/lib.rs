//! # core-sim: the AVIC / IRTE race, step by step
//!
//! A pure, deterministic model of the race between KVM's AMD AVIC vCPU load/put path and the IOMMU
//! posted-interrupt (IRTE) update path. A [`Scenario`] (what runs) and a [`Strategy`] (how the kernel
//! code is written) compile into a [`Sim`]: programs of micro-steps, one shared-memory access each.
//! [`exec::step`] applies one step to a [`Machine`]; [`oracle`] judges states; explorers choose what
//! runs next: a person ([`explore::Session`]), a seed ([`explore::random`]), or an exhaustive search
//! ([`explore::check`]) that returns a shortest counterexample for each kind of violation.
//!
//! ```
//! use core_sim::{explore, Sim};
//!
//! // The first 2023 patch: update the IRTE's destination without ir_list_lock.
//! let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
//! let report = explore::check(&sim, &explore::CheckOptions::default(), &mut |_| true);
//! let lost = report.counterexample(core_sim::ViolationKind::LostWakeup).unwrap();
//! // Replay the counterexample from its schedule string, as a share link would.
//! let session = explore::Session::replay(&sim, &lost.schedule.to_string()).unwrap();
//! assert!(session.violations().iter().any(|v| v.kind == core_sim::ViolationKind::LostWakeup));
//!
//! // The fix (Linux 6.6): ir_list_lock in load/put; no lost wake-up any more, though an interrupt
//! // can still take the GA-log detour while the IRTE is being activated.
//! let fixed = Sim::from_ids("put-block-vs-affinity", "lock-fix", "tso").unwrap();
//! let report = explore::check(&fixed, &explore::CheckOptions::default(), &mut |_| true);
//! assert_eq!(report.kinds(), vec![core_sim::ViolationKind::DelayedDelivery]);
//!
//! // The 2025 rework writes the IRTE once, with its target, under the lock: safe.
//! let latest = Sim::from_ids("put-block-vs-affinity", "upstream-latest", "tso").unwrap();
//! assert!(explore::check(&latest, &explore::CheckOptions::default(), &mut |_| true).is_safe());
//! ```

pub mod analysis;
pub mod challenges;
pub mod exec;
pub mod explore;
pub mod export;
pub mod glossary;
pub mod lessons;
pub mod machine;
pub mod mail;
pub mod oracle;
pub mod primer;
pub mod program;
pub mod scenario;
pub mod scene;
pub mod share;
pub mod sim;
pub mod slide;
pub mod strategy;
pub mod svg;
pub mod text;
pub mod timeline;
pub mod view;
pub mod vocab;

pub use exec::{Action, Event, Fact};
pub use machine::Machine;
pub use oracle::{Violation, ViolationKind};
pub use scenario::Scenario;
pub use sim::Sim;
pub use strategy::{Knobs, MemoryModel, Strategy};
