//! Share links under random input: every link the lab writes reads back as itself and opens; any
//! other text decodes to a link plus plain-English problems, never a panic. (The cargo-fuzz target
//! in fuzz/ runs the same decoder on coverage-guided input.)

use core_sim::explore::random_run;
use core_sim::share::{self, Against, Link, ScenarioRef, Theme, View};
use core_sim::strategy::{IrteTarget, Knobs, MemoryModel};
use core_sim::{scenario, Sim};
use proptest::prelude::*;

fn knobs() -> impl Strategy<Value = Knobs> {
    (
        any::<[bool; 11]>(),
        prop::sample::select(IrteTarget::ALL.to_vec()),
    )
        .prop_map(|(b, t)| Knobs {
            lock_in_load_put: b[0],
            read_once: b[1],
            write_once: b[2],
            smp_mb: b[3],
            kick: b[4],
            ga_log_only_when_blocking: b[5],
            irte_target: t,
            irqfds_lock: b[6],
            shadow_entry: b[7],
            enable_ipiv: b[8],
            avic_erratum_1235: b[9],
            disarm_on_unlink: b[10],
        })
}

/// A link the lab could write: a real run of a shipped scenario, at some step of it.
fn link() -> impl Strategy<Value = Link> {
    (
        prop::sample::select(scenario::ids()),
        knobs(),
        prop::sample::select(MemoryModel::ALL.to_vec()),
        any::<u64>(),
        any::<prop::sample::Index>(),
        prop::sample::select(vec![View::Explorer, View::Matrix]),
        any::<bool>(),
        prop::sample::select(Theme::ALL.to_vec()),
        prop::option::of((knobs(), prop::sample::select(MemoryModel::ALL.to_vec()))),
    )
        .prop_map(
            |(s, knobs, memory, seed, at, view, embed, theme, against)| {
                let sim = Sim::new(
                    scenario::by_id(&s).unwrap(),
                    core_sim::Strategy::custom(knobs),
                    memory,
                )
                .unwrap();
                let schedule = random_run(&sim, seed).schedule().to_string();
                let len = schedule.chars().count();
                let step = at.index(len + 1);
                Link {
                    scenario: ScenarioRef::Shipped(s),
                    knobs,
                    memory,
                    schedule,
                    step: (step != len).then_some(step),
                    view,
                    lesson: None,
                    embed,
                    theme,
                    against: against.map(|(knobs, memory)| Against { knobs, memory }),
                    legacy_steps: false,
                    program: None,
                    challenge: None,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn written_links_read_back_and_open_at_their_step(link in link()) {
        let q = share::encode(&link);
        prop_assert_eq!(share::decode(&q), Ok(link.clone()));
        let opened = link.open().map_err(|e| TestCaseError::fail(format!("{q}: {e}")))?;
        let len = link.schedule.chars().count();
        prop_assert_eq!(opened.session.position(), link.step.unwrap_or(len));
    }

    #[test]
    fn any_text_decodes_without_panicking(text in ".{0,300}") {
        let (link, problems) = share::decode_lenient(&text);
        for p in &problems {
            prop_assert!(!p.to_string().is_empty());
        }
        // What was understood is itself a link that reads back unchanged.
        prop_assert_eq!(share::decode(&share::encode(&link)), Ok(link.clone()));
        if let Err(e) = link.open() {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn link_shaped_text_decodes_without_panicking(
        parts in prop::collection::vec(
            (
                prop::sample::select(vec!["v", "s", "sj", "t", "m", "r", "at", "view", "l", "embed",
                    "theme", "scenario", "strategy", "knobs", "memory", "schedule", "step", "vs", "vm"]),
                "[a-z0-9.%=,~+-]{0,12}",
            ),
            0..8,
        ),
    ) {
        let text: String = parts.iter().map(|(k, v)| format!("&{k}={v}")).collect();
        let (link, _) = share::decode_lenient(&text);
        prop_assert_eq!(share::decode(&share::encode(&link)), Ok(link.clone()));
        let _ = link.open();
    }

    #[test]
    fn damaged_links_decode_to_a_link_and_reasons(
        link in link(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<char>(), 0u8..3), 1..6),
    ) {
        let mut chars: Vec<char> = share::encode(&link).chars().collect();
        for (at, c, how) in edits {
            let i = at.index(chars.len() + 1);
            match how {
                0 => chars.insert(i, c),
                1 if i < chars.len() => { chars.remove(i); }
                _ if i < chars.len() => chars[i] = c,
                _ => chars.push(c),
            }
        }
        let text: String = chars.into_iter().collect();
        let (decoded, problems) = share::decode_lenient(&text);
        // Whatever was decoded either opens or says why it cannot.
        if let Err(e) = decoded.open() {
            prop_assert!(!e.to_string().is_empty());
        }
        prop_assert_eq!(share::decode(&text).is_ok(), problems.is_empty());
    }
}
