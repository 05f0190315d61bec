//! The program language against every program the shipped worlds compile to: every scenario ×
//! preset × operation prints, parses back to the same program, and validates; a reformatted
//! text reads back to the canonical one; and a property test holds parse and print to each other
//! on generated programs.

use core_sim::program::text::{self, Bounds, Patch, FUNCS};
use core_sim::program::{
    ActivateTarget, Effect, EntryUpdate, GaUpdate, IrteRef, LockRef, Origin, Part, Program, Step,
    StepKind, VRef,
};
use core_sim::strategy::PRESETS;
use core_sim::{scenario, MemoryModel, Sim, Strategy as Kernel};
use proptest::prelude::*;

/// Every compiled world's programs: (scenario, preset, thread index, program, is scripted op).
fn every_program(mut f: impl FnMut(&Sim, usize, Option<usize>, &Program)) {
    for id in scenario::ids() {
        for preset in PRESETS {
            let sim = Sim::new(
                scenario::by_id(&id).unwrap(),
                Kernel::preset(preset.id).unwrap(),
                MemoryModel::Sc,
            )
            .unwrap();
            for (t, th) in sim.threads.iter().enumerate() {
                for (o, p) in th.programs.iter().enumerate() {
                    f(&sim, t, (!th.is_daemon()).then_some(o), p);
                }
                if let Some(p) = &th.forced {
                    f(&sim, t, None, p);
                }
            }
        }
    }
}

#[test]
fn every_shipped_program_round_trips() {
    let mut n = 0;
    every_program(|sim, _, _, p| {
        let printed = text::print(p);
        let back = text::parse_one(&printed)
            .unwrap_or_else(|e| panic!("{}\n{}\n{printed}", p.title, text::report("", &e)));
        assert_eq!(
            &back.program, p,
            "{}: parse(print(p)) != p\n{printed}",
            sim.scenario.id
        );
        assert_eq!(text::print(&back.program), printed);
        n += 1;
    });
    assert!(n > 900, "only {n} programs");
}

#[test]
fn every_shipped_operation_validates_as_a_patch_and_changes_nothing() {
    every_program(|sim, t, op, p| {
        let Some(o) = op else { return };
        let th = &sim.threads[t];
        let actor = th.actor;
        let op = sim.scenario.threads[t].ops[o];
        let text = text::print_program(Some((actor, op)), p);
        let patch = Patch::parse(&text).unwrap();
        let patched = Sim::with_patch(sim.scenario.clone(), sim.strategy, sim.memory, patch)
            .unwrap_or_else(|e| panic!("{} {}: {e}\n{text}", sim.scenario.id, p.title));
        for (a, b) in patched.threads.iter().zip(&sim.threads) {
            assert_eq!(a.programs, b.programs);
        }
    });
}

/// The printed text with its step names renamed, spacing changed, and comments and blank lines
/// added.
fn reformat(printed: &str) -> String {
    let mut out = String::from("# reformatted by hand\n\n");
    for line in printed.lines() {
        let mut l = line.to_string();
        // Rename L<n> to step_<n> wherever it is a name (definitions and targets).
        for n in (0..200).rev() {
            l = l.replace(&format!("L{n}:"), &format!("step_{n} :"));
            l = l.replace(&format!("?-> L{n} "), &format!("?->step_{n} "));
            l = l.replace(&format!("-> L{n} "), &format!("->  step_{n} "));
        }
        let (formal, code) = match l.split_once(" | ") {
            Some((f, c)) => (f.trim_end().to_string(), Some(c.to_string())),
            None => (l.trim_end().to_string(), None),
        };
        // Outside the quoted label: more space around commas and parentheses.
        let (head, label) = formal.split_once(" \"").unwrap_or((&formal, ""));
        let mut l = head
            .replace(", ", " ,  ")
            .replace('(', "( ")
            .replace(')', " )");
        if !label.is_empty() {
            l.push_str("    \"");
            l.push_str(label);
        }
        if let Some(c) = code {
            // One space after '|' is the separator; the code keeps its own.
            l.push_str("\t| ");
            l.push_str(&c);
        }
        out.push_str("   ");
        out.push_str(&l);
        out.push_str("\n\n# a comment between steps\n");
    }
    out
}

#[test]
fn reformatted_text_reads_back_to_the_canonical_text() {
    let mut n = 0;
    every_program(|_, _, _, p| {
        let printed = text::print(p);
        let again = text::canonical(&reformat(&printed))
            .unwrap_or_else(|e| panic!("{}\n{}", text::report("", &e), reformat(&printed)));
        assert_eq!(again, printed, "{}", reformat(&printed));
        n += 1;
    });
    assert!(n > 0);
}

fn arb_kind() -> impl Strategy<Value = StepKind> {
    let n = 0u8..4;
    let vref = prop_oneof![
        (0u8..4).prop_map(VRef::Fixed),
        (0u8..4).prop_map(VRef::OwnerOf),
        Just(VRef::Prev)
    ];
    let lock = prop_oneof![
        vref.clone().prop_map(LockRef::IrList),
        Just(LockRef::Irqfds),
        (0u8..4).prop_map(LockRef::RqOf),
        (0u8..4).prop_map(LockRef::Rq),
        (0u8..4).prop_map(LockRef::IrqDesc)
    ];
    let irte = prop_oneof![(0u8..4).prop_map(IrteRef::Fixed), Just(IrteRef::Cursor)];
    let flag = prop_oneof![Just(None), Just(Some(false)), Just(Some(true))];
    let ga = prop_oneof![
        flag.clone().prop_map(GaUpdate::Run),
        flag.prop_map(GaUpdate::NotRunning),
        Just(GaUpdate::FromEntry)
    ];
    let upd = prop_oneof![
        Just(None),
        proptest::option::of(0u8..4).prop_map(|p| Some(EntryUpdate::Load(p))),
        any::<bool>().prop_map(|b| Some(EntryUpdate::Put(b)))
    ];
    let part = prop_oneof![Just(Part::Whole), Just(Part::Hi), Just(Part::Lo)];
    let target = prop_oneof![
        Just(ActivateTarget::Cleared),
        Just(ActivateTarget::FromEntry)
    ];
    use StepKind::*;
    prop_oneof![
        n.clone().prop_map(ReadEntry),
        n.clone().prop_map(ReadVcpuCpu),
        (n.clone(), upd.clone(), part).prop_map(|(v, u, p)| WriteEntry(v, u, p)),
        (n.clone(), upd).prop_map(|(v, u)| WriteKvmEntry(v, u)),
        lock.clone().prop_map(Lock),
        lock.prop_map(Unlock),
        Just(Mb),
        n.clone().prop_map(WalkNext),
        (irte.clone(), ga).prop_map(|(i, g)| UpdateGa(i, g)),
        (irte.clone(), n.clone(), target).prop_map(|(i, v, t)| Activate(i, v, t)),
        irte.clone().prop_map(Deactivate),
        irte.clone().prop_map(PublishIrte),
        irte.prop_map(FlushIrt),
        (n.clone(), n.clone()).prop_map(|(v, i)| Link(v, i)),
        (vref, n.clone()).prop_map(|(v, i)| Unlink(v, i)),
        n.clone().prop_map(Kick),
        n.clone().prop_map(TestRequest),
        n.clone().prop_map(VmRun),
        n.clone().prop_map(VmExit),
        n.clone().prop_map(SetWaiting),
        n.clone().prop_map(CheckBlock),
        n.clone().prop_map(Sleep),
        Just(Local),
        n.clone().prop_map(IommuRead),
        n.clone().prop_map(IommuPost),
        n.clone().prop_map(IommuNotify),
        Just(GaLogPop),
        Just(Wake),
        n.clone().prop_map(AvicRead),
        n.clone().prop_map(AvicSetIrr),
        n.prop_map(AvicNotify),
    ]
}

fn arb_effect() -> impl Strategy<Value = Effect> {
    prop_oneof![
        (0u8..4, proptest::option::of(0u8..4)).prop_map(|(v, p)| Effect::SchedIn(v, p)),
        (0u8..4).prop_map(Effect::Halting),
        (0u8..4).prop_map(Effect::SchedOut),
        (0u8..4, 0u8..4).prop_map(|(v, p)| Effect::SetCpu(v, p)),
    ]
}

prop_compose! {
    fn arb_step(len: usize)(
        kind in arb_kind(),
        label in "[ -~]{0,20}",
        code in "[ -~→…]{0,60}",
        func in 0..FUNCS.len(),
        jump in proptest::option::of(0..=len),
        next in proptest::option::of(0..=len),
        effect in proptest::option::of(arb_effect()),
        quiet in any::<bool>(),
        origin in prop_oneof![Just(Origin::Legacy), Just(Origin::Before), Just(Origin::After)],
    ) -> Step {
        Step {
            kind,
            label,
            code: code.trim_end().to_string(),
            func: FUNCS[func],
            jump,
            next,
            effect,
            quiet,
            origin,
        }
    }
}

fn arb_program() -> impl Strategy<Value = Program> {
    (1usize..30).prop_flat_map(|len| {
        (
            "[ -~]{0,30}",
            proptest::collection::vec(arb_step(len), len),
            proptest::option::of(arb_effect()),
        )
            .prop_map(|(title, steps, on_end)| Program {
                title,
                steps,
                on_end,
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn parse_and_print_hold_to_each_other(p in arb_program()) {
        let printed = text::print(&p);
        let back = text::parse_one(&printed).map_err(|e| TestCaseError::fail(format!("{}\n{printed}", text::report("", &e))))?;
        prop_assert_eq!(&back.program, &p);
        prop_assert_eq!(text::print(&back.program), printed.clone());
        // Validation never panics on a generated program, whatever it says.
        let _ = text::validate(&p, &Bounds { vcpus: 2, pcpus: 2, irtes: 2, kick: false }, &|i| i + 2);
    }

    #[test]
    fn any_text_gives_errors_not_a_panic(s in "(program \"t\"\n)?[ -~\n]{0,400}(\nend)?") {
        let _ = text::parse(&s);
        let _ = Patch::parse(&s);
    }
}

/// The text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in the language's doc.
fn doc_section(doc: &str, name: &str) -> String {
    let begin = format!("<!-- {name}:begin -->\n");
    let end = format!("<!-- {name}:end -->");
    let from = doc.find(&begin).expect("begin marker") + begin.len();
    let to = doc.find(&end).expect("end marker");
    doc[from..to].trim_end().to_string()
}

#[test]
fn the_language_doc_matches_the_core() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/program-language.md"
    ))
    .unwrap();
    let instructions: Vec<String> = text::INSTRUCTIONS
        .iter()
        .map(|(_, shape)| format!("- `{shape}`"))
        .collect();
    assert_eq!(doc_section(&doc, "instructions"), instructions.join("\n"));
    let funcs: Vec<String> = FUNCS.iter().map(|f| format!("`{f}`")).collect();
    assert_eq!(doc_section(&doc, "funcs"), funcs.join(", "));
    // The example is linux-6.6's put as the core prints it, and reads back as a patch.
    let sim = Sim::from_ids("migrate-vs-affinity", "linux-6.6", "sc").unwrap();
    let (t, o) = (0..sim.threads.len())
        .find_map(|t| {
            let ops = &sim.scenario.threads.get(t)?.ops;
            Some((
                t,
                ops.iter()
                    .position(|op| *op == core_sim::program::Op::Put)?,
            ))
        })
        .unwrap();
    let actor = sim.threads[t].actor;
    let printed = text::print_program(
        Some((actor, core_sim::program::Op::Put)),
        &sim.threads[t].programs[o],
    );
    let example = doc
        .split("```program\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a ```program block");
    assert_eq!(example, printed);
    Patch::parse(example).unwrap();
    // One instruction per StepKind variant (31; `kind_term` matches them all, so a new variant
    // cannot go unprinted, and the round trips above read each one back).
    assert_eq!(text::INSTRUCTIONS.len(), 31);
}

#[test]
fn a_link_carries_an_edited_program_and_the_checker_sees_it() {
    use core_sim::explore::{check, CheckOptions};
    use core_sim::share::{self, Link, ScenarioRef};
    let base = Sim::from_ids("migrate-vs-affinity", "linux-6.6", "sc").unwrap();
    let t = base
        .scenario
        .threads
        .iter()
        .position(|t| t.ops.contains(&core_sim::program::Op::Put))
        .unwrap();
    let o = base.scenario.threads[t]
        .ops
        .iter()
        .position(|op| *op == core_sim::program::Op::Put)
        .unwrap();
    let printed = text::print_program(
        Some((base.threads[t].actor, core_sim::program::Op::Put)),
        &base.threads[t].programs[o],
    );
    let edited: String = printed
        .lines()
        .filter(|l| !l.contains("lock(ir_list(0))"))
        .map(|l| format!("{l}\n"))
        .collect();
    let patch = Patch::parse(&edited).unwrap();
    let link = Link {
        scenario: ScenarioRef::Shipped("migrate-vs-affinity".into()),
        knobs: base.strategy.knobs,
        program: Some(share::program::encode_patch(&base, &patch)),
        ..Link::default()
    };
    let query = share::encode(&link);
    assert!(
        query.starts_with("?v=4&") && query.contains("&pg="),
        "{query}"
    );
    // Without edited programs a link is written as before: v3, no pg.
    let plain = share::encode(&Link {
        program: None,
        ..link.clone()
    });
    assert!(
        plain.starts_with("?v=3&") && !plain.contains("pg="),
        "{plain}"
    );
    let decoded = share::decode(&query).unwrap();
    assert_eq!(decoded, link);
    let opened = decoded.open().unwrap();
    assert_eq!(opened.sim.patch.as_ref(), Some(&patch));
    let kinds = |sim: &Sim| check(sim, &CheckOptions::default(), &mut |_| true).kinds();
    assert_ne!(kinds(&opened.sim), kinds(&base));
    assert!(kinds(&opened.sim).contains(&core_sim::ViolationKind::StaleIrte));
    assert!(!kinds(&base).contains(&core_sim::ViolationKind::StaleIrte));
}
