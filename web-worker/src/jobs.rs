//! Carrying out the page's requests: the worker passes each JSON [`Request`] to [`handle`] and
//! posts back every [`Response`]. All of it is plain Rust over `core_sim`, so the same code runs
//! natively in tests and in the `native_matrix` example that the browser tests compare against.

use core_sim::explore;
use core_sim::program::text::{self, Patch};
use core_sim::{Sim, Strategy};
use web_protocol::StopsAnswer;
use web_protocol::{check_options, now_ms, ClaimResult, MatrixCell, Request, Response};

/// Verify claim `index` of a lesson.
pub fn verify_claim(lesson: &str, index: usize) -> Result<ClaimResult, String> {
    let lesson = core_sim::lessons::by_id(lesson).map_err(|e| e.to_string())?;
    let claim = lesson
        .claims
        .get(index)
        .ok_or_else(|| format!("lesson '{}' has no claim {index}", lesson.id))?;
    let t0 = now_ms();
    let c = claim.verify();
    Ok(ClaimResult {
        holds: c.holds,
        worlds: c.worlds,
        states: c.states,
        detail: c.detail,
        ms: now_ms() - t0,
    })
}

/// Check one matrix cell (the core's check), timed.
pub fn matrix_cell(
    index: usize,
    scenario: &str,
    strategy: &str,
    memory: core_sim::MemoryModel,
) -> Result<MatrixCell, String> {
    let sim = Sim::from_ids(scenario, strategy, memory.id())?;
    let t0 = now_ms();
    let options = check_options();
    let mut cell = core_sim::explore::matrix::check_cell(&sim, &options);
    core_sim::analysis::preemptions::fill_cell(&mut cell, &sim, options.max_states);
    let ms = now_ms() - t0;
    Ok(MatrixCell { index, cell, ms })
}

/// The whole matrix for one memory model, in order, on this thread.
pub fn matrix(memory: core_sim::MemoryModel) -> Result<Vec<MatrixCell>, String> {
    web_protocol::matrix_worlds(memory)
        .iter()
        .enumerate()
        .map(|(i, (s, p, m))| matrix_cell(i, s, p, *m))
        .collect()
}

/// Read a host-report bundle, check each of its cells again here (the page's check options),
/// and join the evidence: the Host evidence view's table.
pub fn evidence(text: &str) -> Result<core_sim::share::bundle::Table, String> {
    use core_sim::share::bundle::{self, Bundle};
    let b = Bundle::from_json(text).map_err(|e| e.to_string())?;
    let max = b.budget.max_states.clamp(1, check_options().max_states);
    let again = bundle::recheck(&b, max)?;
    Ok(bundle::join(&b, Some(&again)))
}

/// The world a request names: the scenario under the knobs, with its edited programs (patch
/// text, read here: errors at line:column) applied.
pub fn world(
    scenario: core_sim::Scenario,
    knobs: core_sim::Knobs,
    memory: core_sim::MemoryModel,
    patch: Option<&str>,
) -> Result<Sim, String> {
    let strategy = Strategy::custom(knobs);
    match patch {
        None => Sim::new(scenario, strategy, memory).map_err(|e| e.to_string()),
        Some(text) => {
            let patch = Patch::parse(text).map_err(|e| {
                format!("the edited programs do not read: {}", text::report("", &e))
            })?;
            Sim::with_patch(scenario, strategy, memory, patch).map_err(|e| e.to_string())
        }
    }
}

/// What stops `schedule`'s violations in `sim` (the core's `what_stops`, each flipped world
/// checked with the page's options), timed.
pub fn stops(sim: &Sim, schedule: &str) -> Result<StopsAnswer, String> {
    if schedule.len() > MAX_SCHEDULE {
        return Err(format!("a run of more than {MAX_SCHEDULE} steps"));
    }
    let schedule: core_sim::explore::Schedule = schedule.parse().map_err(|e| format!("{e}"))?;
    let t0 = now_ms();
    let w = core_sim::analysis::what_stops(sim, &schedule, &check_options())
        .map_err(|e| e.to_string())?;
    Ok(StopsAnswer::from_core(&w, now_ms() - t0))
}

/// The longest run "what stops it" replays (characters of its schedule).
pub const MAX_SCHEDULE: usize = 100_000;

/// Carry out one request; `emit` receives every response as JSON, the last one being the answer.
pub fn handle(request: &str, emit: &mut dyn FnMut(String)) {
    let mut send = |r: Response| emit(r.to_json());
    let req: Request = match serde_json::from_str(request) {
        Ok(r) => r,
        Err(e) => {
            send(Response::Failed {
                job: 0,
                error: format!("the worker got a request it does not understand: {e}"),
            });
            return;
        }
    };
    match req {
        Request::Check {
            job,
            scenario,
            knobs,
            memory,
            patch,
        } => {
            let sim = match world(scenario, knobs, memory, patch.as_deref()) {
                Ok(s) => s,
                Err(error) => return send(Response::Failed { job, error }),
            };
            let t0 = now_ms();
            let mut last = t0;
            let report = explore::check(&sim, &check_options(), &mut |p| {
                let now = now_ms();
                if now - last >= 50.0 {
                    last = now;
                    send(Response::Progress { job, progress: *p });
                }
                true
            });
            let ms = now_ms() - t0;
            let coverage = (report.outcome == explore::Outcome::Complete
                && report.states <= web_protocol::COVERAGE_STATES)
                .then(|| core_sim::analysis::coverage(&sim, web_protocol::COVERAGE_STATES).ok())
                .flatten();
            send(Response::Checked {
                job,
                report,
                ms,
                coverage,
            });
        }
        Request::Stops {
            job,
            scenario,
            knobs,
            memory,
            patch,
            schedule,
        } => match world(scenario, knobs, memory, patch.as_deref())
            .and_then(|sim| stops(&sim, &schedule))
        {
            Ok(stops) => send(Response::Stops { job, stops }),
            Err(error) => send(Response::Failed { job, error }),
        },
        Request::Cell {
            job,
            index,
            scenario,
            strategy,
            memory,
        } => match matrix_cell(index, &scenario, &strategy, memory) {
            Ok(cell) => send(Response::Cell { job, cell }),
            Err(error) => send(Response::Failed { job, error }),
        },
        Request::Bundle { job, text } => match evidence(&text) {
            Ok(table) => send(Response::Evidence { job, table }),
            Err(error) => send(Response::Failed { job, error }),
        },
        Request::Hang {
            job,
            scenario,
            knobs,
            memory,
        } => match Sim::new(scenario, Strategy::custom(knobs), memory) {
            Ok(sim) => send(Response::Hang {
                job,
                schedule: core_sim::share::welcome::hang_schedule(&sim),
            }),
            Err(e) => send(Response::Failed {
                job,
                error: e.to_string(),
            }),
        },
        Request::Claims { job, lesson } => {
            let count = match core_sim::lessons::by_id(&lesson) {
                Ok(l) => l.claims.len(),
                Err(e) => {
                    return send(Response::Failed {
                        job,
                        error: e.to_string(),
                    })
                }
            };
            for index in 0..count {
                match verify_claim(&lesson, index) {
                    Ok(result) => send(Response::Claim {
                        job,
                        index,
                        count,
                        result,
                    }),
                    Err(error) => return send(Response::Failed { job, error }),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_sim::explore::CheckOptions;
    use core_sim::program::Op;
    use core_sim::strategy::PRESETS;
    use core_sim::{MemoryModel, ViolationKind};
    use web_protocol::{cexes, headline, matrix_worlds};

    fn run(req: &Request) -> Vec<Response> {
        let mut out = Vec::new();
        handle(&serde_json::to_string(req).unwrap(), &mut |s| {
            out.push(serde_json::from_str(&s).unwrap())
        });
        out
    }

    #[test]
    fn check_request_finds_the_naive_lost_wakeup() {
        let req = Request::Check {
            job: 7,
            scenario: core_sim::scenario::by_id("put-block-vs-affinity").unwrap(),
            knobs: Strategy::preset("naive-update").unwrap().knobs,
            memory: MemoryModel::Sc,
            patch: None,
        };
        let out = run(&req);
        let Some(Response::Checked {
            job: 7,
            report,
            coverage: Some(coverage),
            ..
        }) = out.last()
        else {
            panic!("{out:?}")
        };
        let head = headline(report).unwrap();
        assert_eq!(head.violation.kind, ViolationKind::LostWakeup);
        assert_eq!(cexes(report)[0].kind, ViolationKind::LostWakeup);
        // The line coverage came with it, of the same world.
        assert_eq!(coverage.states, report.states);
        assert_eq!(
            coverage.in_every.keys().copied().collect::<Vec<_>>(),
            report.kinds()
        );
    }

    #[test]
    fn the_hang_is_the_checkers_shortest_lost_wakeup_and_none_where_there_is_none() {
        let world = |job, preset| Request::Hang {
            job,
            scenario: core_sim::scenario::by_id("put-block-vs-affinity").unwrap(),
            knobs: Strategy::preset(preset).unwrap().knobs,
            memory: MemoryModel::Sc,
        };
        let out = run(&world(9, "naive-update"));
        let [Response::Hang {
            job: 9,
            schedule: Some(schedule),
        }] = &out[..]
        else {
            panic!("{out:?}")
        };
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let report = explore::check(&sim, &CheckOptions::default(), &mut |_| true);
        let lost = report.counterexample(ViolationKind::LostWakeup).unwrap();
        assert_eq!(schedule, &lost.schedule.to_string());
        assert_eq!(
            run(&world(10, "linux-6.17")),
            [Response::Hang {
                job: 10,
                schedule: None
            }]
        );
    }

    #[test]
    fn impossible_scenarios_and_garbage_fail_politely() {
        let mut scenario = core_sim::scenario::by_id("migrate-vs-affinity").unwrap();
        scenario.pcpus = 0;
        let out = run(&Request::Check {
            job: 3,
            scenario,
            knobs: PRESETS[0].knobs,
            memory: MemoryModel::Sc,
            patch: None,
        });
        assert!(
            matches!(&out[..], [Response::Failed { job: 3, .. }]),
            "{out:?}"
        );
        let mut scenario = core_sim::scenario::by_id("migrate-vs-affinity").unwrap();
        scenario.pcpus = 0;
        let out = run(&Request::Hang {
            job: 6,
            scenario,
            knobs: PRESETS[0].knobs,
            memory: MemoryModel::Sc,
        });
        assert!(
            matches!(&out[..], [Response::Failed { job: 6, .. }]),
            "{out:?}"
        );

        let mut out = Vec::new();
        handle("{not json", &mut |s| out.push(s));
        assert!(out[0].contains("does not understand"), "{out:?}");
    }

    /// linux-6.6's put in migrate-vs-affinity, printed, with `edit` applied to its text.
    fn put_patch(edit: impl Fn(&str) -> String) -> (Sim, String) {
        let sim = Sim::from_ids("migrate-vs-affinity", "linux-6.6", "sc").unwrap();
        let (t, o) = sim
            .scenario
            .threads
            .iter()
            .enumerate()
            .find_map(|(t, s)| s.ops.iter().position(|op| *op == Op::Put).map(|o| (t, o)))
            .unwrap();
        let actor = sim.scenario.threads[t].actor;
        let base = text::print_program(Some((actor, Op::Put)), &sim.threads[t].programs[o]);
        (sim, edit(&base))
    }

    fn check_of(sim: &Sim, patch: Option<String>) -> Vec<Response> {
        run(&Request::Check {
            job: 9,
            scenario: sim.scenario.clone(),
            knobs: sim.strategy.knobs,
            memory: sim.memory,
            patch,
        })
    }

    #[test]
    fn a_check_with_a_patch_checks_the_edited_kernel() {
        let (sim, unlocked) = put_patch(|base| {
            base.lines()
                .filter(|l| !l.contains("lock(ir_list(0))"))
                .map(|l| format!("{l}\n"))
                .collect()
        });
        let kinds = |out: &[Response]| match out.last() {
            Some(Response::Checked { report, .. }) => report.kinds(),
            other => panic!("{other:?}"),
        };
        let plain = kinds(&check_of(&sim, None));
        assert!(!plain.contains(&ViolationKind::StaleIrte), "{plain:?}");
        // Deleting the two ir_list_lock lines brings Linux 6.5's stale IRTE back.
        let edited = kinds(&check_of(&sim, Some(unlocked)));
        assert!(edited.contains(&ViolationKind::StaleIrte), "{edited:?}");
        // The unedited text is the same kernel.
        let (_, same) = put_patch(str::to_string);
        assert_eq!(kinds(&check_of(&sim, Some(same))), plain);
    }

    #[test]
    fn a_patch_that_does_not_read_or_fit_fails_at_its_line_and_column() {
        let (sim, typo) =
            put_patch(|base| base.replacen("lock(ir_list(0))", "lokc(ir_list(0))", 1));
        let line = typo.lines().position(|l| l.contains("lokc")).unwrap() + 1;
        let out = check_of(&sim, Some(typo));
        let [Response::Failed { job: 9, error }] = &out[..] else {
            panic!("{out:?}")
        };
        assert!(error.contains(&format!("{line}:")), "{error}");
        assert!(error.contains("do not read"), "{error}");
        let (sim, far) = put_patch(|base| base.replace("ir_list(0)", "ir_list(7)"));
        let out = check_of(&sim, Some(far));
        assert!(matches!(&out[..], [Response::Failed { .. }]), "{out:?}");
    }

    #[test]
    fn what_stops_the_naive_lost_wakeup_comes_from_the_core() {
        let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "sc").unwrap();
        let schedule = "000000000111111111111222";
        let out = run(&Request::Stops {
            job: 11,
            scenario: sim.scenario.clone(),
            knobs: sim.strategy.knobs,
            memory: sim.memory,
            patch: None,
            schedule: schedule.into(),
        });
        let [Response::Stops { job: 11, stops }] = &out[..] else {
            panic!("{out:?}")
        };
        let w = core_sim::analysis::what_stops(
            &sim,
            &schedule.parse().unwrap(),
            &CheckOptions::default(),
        )
        .unwrap();
        assert_eq!(stops.kinds, w.kinds);
        assert_eq!(stops.flips.len(), w.flips.len());
        let named: Vec<(&str, &str, &[ViolationKind], Option<usize>)> = stops
            .stoppers()
            .map(|f| (f.knob.as_str(), f.to.as_str(), &f.stops[..], f.diverges_at))
            .collect();
        let core: Vec<(&str, &str, &[ViolationKind], Option<usize>)> = w
            .stoppers
            .iter()
            .map(|s| {
                (
                    s.flip.knob.as_str(),
                    s.flip.to.as_str(),
                    &s.stops[..],
                    s.diverges_at,
                )
            })
            .collect();
        assert_eq!(named, core);
        assert!(named.iter().any(|n| n.0 == "kick"), "{named:?}");
        // Each flip's knobs code opens that world.
        for (f, c) in stops.flips.iter().zip(&w.flips) {
            let code = f.knobs.strip_prefix("k.").unwrap();
            assert_eq!(
                core_sim::share::decode_knob_code(code).unwrap(),
                c.flip.knobs
            );
        }
        let out = run(&Request::Stops {
            job: 12,
            scenario: sim.scenario.clone(),
            knobs: sim.strategy.knobs,
            memory: sim.memory,
            patch: None,
            schedule: "0x".into(),
        });
        assert!(
            matches!(&out[..], [Response::Failed { job: 12, .. }]),
            "{out:?}"
        );
    }

    #[test]
    fn claims_are_verified_by_the_checker_one_answer_each() {
        let out = run(&Request::Claims {
            job: 4,
            lesson: "once-accessors".into(),
        });
        let lesson = core_sim::lessons::by_id("once-accessors").unwrap();
        assert_eq!(out.len(), lesson.claims.len());
        for (i, (r, claim)) in out.iter().zip(lesson.claims).enumerate() {
            let Response::Claim {
                job: 4,
                index,
                count,
                result,
            } = r
            else {
                panic!("{r:?}")
            };
            assert_eq!((*index, *count), (i, lesson.claims.len()));
            assert_eq!(r.is_final(), i + 1 == lesson.claims.len());
            let direct = claim.verify();
            assert!(result.holds && direct.holds, "{}", result.detail);
            assert_eq!(
                (result.worlds, result.states, &result.detail),
                (direct.worlds, direct.states, &direct.detail)
            );
            assert!(result.states > 0);
        }
        let out = run(&Request::Claims {
            job: 5,
            lesson: "no-such-lesson".into(),
        });
        assert!(
            matches!(&out[..], [Response::Failed { job: 5, error }] if error.contains("unknown lesson 'no-such-lesson'")),
            "{out:?}"
        );
        assert!(verify_claim("lock-fix", 99)
            .unwrap_err()
            .contains("no claim 99"));
    }

    #[test]
    fn a_bundle_is_joined_with_every_cell_checked_again() {
        let text = include_str!("../../docs/host-report-sample.json");
        let out = run(&Request::Bundle {
            job: 9,
            text: text.into(),
        });
        let [Response::Evidence { job: 9, table }] = &out[..] else {
            panic!("{out:?}")
        };
        assert_eq!(table.rows.len(), 10);
        assert!(
            table.rows.iter().all(|r| r.recomputed == "same"),
            "{table:?}"
        );
        assert!(table.verdicts.contains("checked again by this build"));
        assert!(!table.can_exercise_race);
        assert!(table.statement.contains("a non-AVIC machine"));
        let out = run(&Request::Bundle {
            job: 10,
            text: text.replace("\"version\": 1", "\"version\": 7"),
        });
        assert!(
            matches!(&out[..], [Response::Failed { job: 10, error }] if error.contains("format version 7")),
            "{out:?}"
        );
    }

    #[test]
    fn matrix_cells_match_direct_checks() {
        let worlds = matrix_worlds(MemoryModel::Tso);
        assert_eq!(
            worlds.len(),
            core_sim::scenario::shipped().len() * PRESETS.len()
        );
        let (s, p, m) = &worlds[3];
        let cell = matrix_cell(3, s, p, *m).unwrap();
        let sim = Sim::from_ids(s, p, "tso").unwrap();
        let r = explore::check(&sim, &CheckOptions::default(), &mut |_| true);
        assert_eq!(cell.states, r.states);
        assert_eq!(cell.verdict, r.verdict().id());
    }
}
