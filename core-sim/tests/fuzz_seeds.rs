//! The fuzz targets' invariants on the committed fuzz seeds (fuzz/seeds/, where inputs the
//! fuzzer found are kept) and on a few thousand mutations of them, in a plain deterministic
//! `cargo test`: what `scripts/fuzz.sh` checks with coverage guidance, held on stable Rust too.

use core_sim::explore::{Schedule, Session};
use core_sim::share;
use core_sim::strategy::PRESETS;
use core_sim::{Scenario, Sim};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// The seeds of one target, as bytes.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds")
        .join(target);
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out.sort();
    out
}

/// The seeds, then `n` mutations of them (bytes flipped, inserted, deleted, spliced, repeated),
/// the same on every run.
fn inputs(target: &str, n: usize) -> Vec<Vec<u8>> {
    let seeds = seeds(target);
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    let interesting: &[&[u8]] = &[
        b"&",
        b"=",
        b"%",
        b"%1B",
        b"%0A",
        b"\x1b[2J",
        b"\n",
        b"\r",
        b"\xef\xbb\xbf",
        b"at=0",
        b"view=lesson",
        b"[",
        b"]",
        b":",
        b",",
        b"k.",
        b"0",
        b"9",
        b"j",
        b"\"",
        b"{",
        b"}",
    ];
    let mut out = seeds.clone();
    while out.len() < seeds.len() + n {
        let mut s = seeds[rng.gen_range(0..seeds.len())].clone();
        for _ in 0..rng.gen_range(1..6) {
            let at = rng.gen_range(0..=s.len());
            match rng.gen_range(0..5) {
                0 if at < s.len() => s[at] = rng.gen(),
                1 => {
                    let piece = interesting[rng.gen_range(0..interesting.len())];
                    s.splice(at..at, piece.iter().copied());
                }
                2 if at < s.len() => {
                    let end = rng.gen_range(at..=s.len().min(at + 8));
                    s.drain(at..end);
                }
                3 => {
                    let other = &seeds[rng.gen_range(0..seeds.len())];
                    let from = rng.gen_range(0..=other.len());
                    s.truncate(at);
                    s.extend_from_slice(&other[from..]);
                }
                _ => {
                    let end = rng.gen_range(at..=s.len().min(at + 16));
                    let piece = s[at..end].to_vec();
                    for _ in 0..rng.gen_range(1..4) {
                        s.splice(at..at, piece.iter().copied());
                    }
                }
            }
        }
        out.push(s);
    }
    out
}

fn plain(msg: &str) -> bool {
    !msg.is_empty() && !msg.chars().any(core_sim::text::is_unsafe)
}

#[test]
fn share_links_decode_re_encode_and_open_or_say_why() {
    for data in inputs("share_link", 3000) {
        let text = String::from_utf8_lossy(&data);
        let (link, problems) = share::decode_lenient(&text);
        assert!(
            problems.iter().all(|p| plain(&p.to_string())),
            "{text}: {problems:?}"
        );
        assert_eq!(share::decode(&text).is_ok(), problems.is_empty(), "{text}");
        let again = share::encode(&link);
        assert_eq!(share::decode(&again), Ok(link.clone()), "{text} → {again}");
        if let Err(e) = link.open() {
            assert!(plain(&e.to_string()), "{text}: {e}");
        }
    }
}

#[test]
fn scenario_json_parses_or_says_why() {
    for data in inputs("scenario_json", 2000) {
        let text = String::from_utf8_lossy(&data);
        match Scenario::from_json(&text) {
            Err(e) => assert!(plain(&e.to_string()), "{text}: {e}"),
            Ok(s) => {
                assert!(core_sim::text::check_id(&s.id).is_ok());
                for p in PRESETS {
                    let sim = Sim::new(
                        s.clone(),
                        core_sim::Strategy { knobs: p.knobs },
                        core_sim::MemoryModel::Tso,
                    );
                    sim.expect("a validated scenario compiles");
                }
            }
        }
    }
}

#[test]
fn schedules_parse_back_or_say_why() {
    let sim = Sim::from_ids("put-block-vs-affinity", "naive-update", "tso").unwrap();
    for data in inputs("schedule", 3000) {
        let text = String::from_utf8_lossy(&data);
        match text.parse::<Schedule>() {
            Ok(s) => assert_eq!(s.to_string(), text),
            Err(e) => assert!(plain(&e.to_string()), "{text:?}: {e}"),
        }
        match Session::replay(&sim, &text) {
            Ok(s) => assert_eq!(s.schedule().to_string(), text),
            Err(e) => assert!(plain(&e.to_string()), "{text:?}: {e}"),
        }
    }
}

#[test]
fn knob_strings_decode_and_re_encode_or_say_why() {
    for data in inputs("knobs", 3000) {
        let text = String::from_utf8_lossy(&data);
        match share::decode_knob_list(&text) {
            Ok(k) => {
                let code = share::knob_code(&k);
                assert_eq!(share::decode_knob_code(&code[2..]), Ok(k));
            }
            Err(e) => assert!(!e.is_empty()),
        }
        if let Ok(k) = share::decode_knob_code(text.strip_prefix("k.").unwrap_or(&text)) {
            assert_eq!(share::decode_knob_code(&share::knob_code(&k)[2..]), Ok(k));
        }
    }
}

#[test]
fn program_text_reads_back_or_says_where() {
    use core_sim::program::text;
    for data in inputs("program_text", 2000) {
        let Ok(s) = std::str::from_utf8(&data) else {
            continue;
        };
        match text::parse(s) {
            Ok(blocks) => {
                for b in blocks {
                    let printed = text::print_program(b.target, &b.program);
                    let again = text::parse_one(&printed).expect("printed text reads");
                    assert_eq!(again.program, b.program);
                    assert_eq!(again.target, b.target);
                }
            }
            Err(errors) => {
                assert!(!errors.is_empty() && errors.len() <= text::MAX_ERRORS);
                for e in &errors {
                    assert!(e.line >= 1 && e.col >= 1 && plain(&e.message), "{e}");
                }
            }
        }
        let _ = text::Patch::parse(s);
    }
}

/// The program seeds are every preset's printed programs, as `avic-lab export --program all`
/// writes them for every shipped scenario (regenerate them with that command when the model's
/// programs change).
#[test]
fn program_seeds_hold_every_presets_printed_programs() {
    use core_sim::program::text;
    let seeds = seeds("program_text");
    for id in core_sim::scenario::ids() {
        for preset in PRESETS {
            let sim = Sim::from_ids(&id, preset.id, "sc").unwrap();
            for (t, spec) in sim.scenario.threads.iter().enumerate() {
                for (o, op) in spec.ops.iter().enumerate() {
                    let printed =
                        text::print_program(Some((spec.actor, *op)), &sim.threads[t].programs[o]);
                    assert!(
                        seeds.contains(&printed.into_bytes()),
                        "no seed for {id} · {} · {op}: regenerate fuzz/seeds/program_text",
                        preset.id
                    );
                }
            }
        }
    }
}
