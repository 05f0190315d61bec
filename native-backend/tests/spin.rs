//! The second engine as witness: SPIN, on the Promela export of every shipped world (scenario x
//! strategy preset x memory model), must find the same violation kinds as `explore::check` and
//! store exactly the checker's states plus the export's known extras
//! (`core_sim::export::pan::expected_states`: two of `init`, one per final state).
//!
//! Skipped, with a message, where `spin` or `gcc` is not installed (`scripts/setup.sh` installs
//! both). Compiled verifiers are cached by a hash of the model text and the flags under the
//! target directory, so a second run only runs them; cells run on every core.
//! `AVIC_SPIN_CELLS=text` runs only the cells whose name (`scenario x preset x sc`) contains it.

use core_sim::explore::{self, matrix, CheckOptions};
use core_sim::export::{pan, promela};
use core_sim::{MemoryModel, Sim};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The optimisation level for the test's compiles: fastest to compile; the models are small.
const OPT: &str = "-O0";

fn tool_version(cmd: &str, arg: &str) -> Option<String> {
    let out = Command::new(cmd).arg(arg).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// FNV-1a, 64 bits: a stable name for a model's cached verifier.
fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn run(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The compiled verifier of `model`, built once per model text, SPIN version and flags.
fn verifier(cache: &Path, model: &str, spin: &str) -> Result<PathBuf, String> {
    let mut flags = vec![OPT];
    flags.extend(pan::CC_FLAGS);
    let key = fnv(&[model, spin, &flags.join(" ")]);
    let dir = cache.join(format!("{key:016x}"));
    let exe = dir.join("pan");
    if exe.exists() {
        return Ok(exe);
    }
    let tmp = cache.join(format!("{key:016x}.tmp{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    std::fs::write(tmp.join("model.pml"), model).map_err(|e| e.to_string())?;
    run(
        Command::new("spin")
            .args(["-a", "model.pml"])
            .current_dir(&tmp),
        "spin -a",
    )?;
    run(
        Command::new("gcc")
            .args(&flags)
            .args(["-o", "pan", "pan.c"])
            .current_dir(&tmp),
        "gcc pan.c",
    )?;
    // Another test process may have finished the same model meanwhile: either copy is good.
    if std::fs::rename(&tmp, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(exe)
}

/// One cell: `None` when SPIN agrees, else what differs.
fn cell(cache: &Path, spin: &str, s: &str, p: &str, m: MemoryModel) -> Option<String> {
    let name = format!("{s} x {p} x {}", m.id());
    let sim = Sim::from_ids(s, p, m.id()).unwrap();
    let ours = explore::check(&sim, &CheckOptions::default(), &mut |_| true);
    let model = match promela(&sim) {
        Ok(model) => model,
        Err(e) => return Some(format!("{name}: {e}")),
    };
    let exe = match verifier(cache, &model, spin) {
        Ok(exe) => exe,
        Err(e) => return Some(format!("{name}: {e}")),
    };
    let out = match run(
        Command::new(&exe)
            .args(pan::PAN_FLAGS)
            .current_dir(exe.parent().unwrap()),
        "pan",
    ) {
        Ok(out) => out,
        Err(e) => return Some(format!("{name}: {e}")),
    };
    let theirs = pan::parse(&out);
    let expected = pan::expected_states(ours.states, ours.final_states) as u64;
    let mut problems = Vec::new();
    if ours.kinds() != theirs.kinds {
        problems.push(format!(
            "kinds: checker {:?}, SPIN {:?}",
            ours.kinds(),
            theirs.kinds
        ));
    }
    if theirs.states != expected {
        problems.push(format!(
            "states: checker {} (+2 init +{} final = {expected}), SPIN {}",
            ours.states, ours.final_states, theirs.states
        ));
    }
    if !theirs.other_errors.is_empty() {
        problems.push(format!("SPIN errors: {:?}", theirs.other_errors));
    }
    if !theirs.complete || ours.outcome != explore::Outcome::Complete {
        problems.push("a search did not complete".into());
    }
    (!problems.is_empty()).then(|| format!("{name}: {}", problems.join("; ")))
}

#[test]
fn spin_agrees_with_the_checker_on_every_shipped_cell() {
    let (Some(spin), Some(_)) = (tool_version("spin", "-V"), tool_version("gcc", "--version"))
    else {
        eprintln!(
            "SKIPPED: the SPIN agreement test needs `spin` and `gcc` on PATH (scripts/setup.sh installs Debian's spin and gcc)"
        );
        return;
    };
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("spin-pans");
    std::fs::create_dir_all(&cache).unwrap();
    let only = std::env::var("AVIC_SPIN_CELLS").unwrap_or_default();
    let worlds: Vec<_> = matrix::worlds(&MemoryModel::ALL)
        .into_iter()
        .filter(|(s, p, m)| format!("{s} x {p} x {}", m.id()).contains(&only))
        .collect();
    if !only.is_empty() {
        assert!(!worlds.is_empty(), "AVIC_SPIN_CELLS={only} matches no cell");
        eprintln!("AVIC_SPIN_CELLS={only}: {} cell(s)", worlds.len());
    }
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((s, p, m)) = worlds.get(i) else {
                    break;
                };
                if let Some(f) = cell(&cache, &spin, s, p, *m) {
                    failures.lock().unwrap().push(f);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "SPIN and the checker disagree on {} of {} cells:\n{}",
        failures.len(),
        worlds.len(),
        failures.join("\n")
    );
}

const BIN: &str = env!("CARGO_BIN_EXE_avic-lab");

fn export(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("export")
        .args(args)
        .output()
        .expect("binary runs")
}

/// Exit 3, nothing on stdout, one `error:` line that contains `needle`.
fn assert_refused(o: &std::process::Output, needle: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(o.stdout.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with("error: ") && err.contains(needle), "{err}");
}

#[test]
fn export_writes_the_worlds_model_to_stdout_or_a_file() {
    let world = [
        "--promela",
        "--scenario",
        "put-block-vs-affinity",
        "--strategy",
        "lock-fix",
        "--memory",
        "tso",
    ];
    let sim = Sim::from_ids("put-block-vs-affinity", "lock-fix", "tso").unwrap();
    let model = promela(&sim).unwrap();
    let o = export(&world);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), model);
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("export-test.pml");
    let mut args = world.to_vec();
    let p = path.to_str().unwrap();
    args.extend(["-o", p]);
    let o = export(&args);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), model);
}

#[test]
fn export_refuses_bad_input_in_one_line() {
    let w = ["--scenario", "put-block-vs-affinity", "--strategy"];
    assert_refused(&export(&[&w[..], &["lock-fix"]].concat()), "--promela");
    assert_refused(
        &export(&[&["--promela"], &w[..], &["no-such-preset"]].concat()),
        "no-such-preset",
    );
    assert_refused(
        &export(&[&["--promela"], &w[..], &["lock-fix", "--memory", "arm"]].concat()),
        "arm",
    );
    assert_refused(
        &export(
            &[
                &["--promela"],
                &w[..],
                &["lock-fix", "-o", "/nonexistent/dir/m.pml"],
            ]
            .concat(),
        ),
        "cannot write",
    );
    if Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = Command::new(BIN)
            .arg("export")
            .args([
                "--promela",
                "--scenario",
                "put-block-vs-affinity",
                "--strategy",
                "lock-fix",
            ])
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(3));
        assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: cannot write to stdout"));
    }
}
