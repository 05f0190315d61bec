//! Edited programs in a link (`pg=`, link format v4): each replaced operation as a line diff
//! against the program the link's own world compiles for it, so an edit costs the lines it
//! changed (a step added or dropped also changes the lines whose target names `L<n>` moved),
//! not the whole text.
//!
//! ```text
//! pg = block*
//! block = T "." O "~" KEEP_HEAD "~" KEEP_TAIL "~" HASH "~" LEN "~" TEXT
//! ```
//!
//! `T.O`: thread T's operation O of the scenario, whose compiled program, printed with its
//! `for` header ([`print_program`]), is the base (`x.x` for a program with no base: the whole
//! text is in TEXT); the edited text is the base's first KEEP_HEAD lines, then TEXT (LEN
//! characters, newlines included), then the base's last KEEP_TAIL lines. HASH (FNV-1a, 8 hex
//! digits) is the base's: a link whose base has since changed is refused, not misread.

use crate::program::text::{print_program, Patch, MAX_PROGRAMS, MAX_TEXT};
use crate::sim::Sim;

/// FNV-1a over the text's bytes.
fn hash(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}

/// The base text of thread `t`'s operation `o` in the unpatched world.
fn base(sim: &Sim, t: usize, o: usize) -> Option<String> {
    let spec = sim.scenario.threads.get(t)?;
    let op = *spec.ops.get(o)?;
    let prog = sim.threads.get(t)?.programs.get(o)?;
    Some(print_program(Some((spec.actor, op)), prog))
}

/// A line with the runs of spaces before its pseudo-code (outside quotes) cut to one: the
/// reader does not care, and a link pays three bytes for each.
fn squeeze(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let (mut quoted, mut escaped) = (false, false);
    for (i, c) in line.char_indices() {
        if !quoted && c == '|' {
            out.push_str(&line[i..]);
            return out;
        }
        if c == ' ' && !quoted && out.ends_with(' ') {
            continue;
        }
        match c {
            '\\' if quoted && !escaped => escaped = true,
            '"' if !escaped => quoted = !quoted,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
        out.push(c);
    }
    out
}

/// The `pg` value for `patch` over `sim`, the world without the patch.
pub fn encode_patch(sim: &Sim, patch: &Patch) -> String {
    let mut out = String::new();
    for r in &patch.programs {
        let edited = print_program(Some((r.actor, r.op)), &r.program);
        let at = sim
            .scenario
            .threads
            .iter()
            .enumerate()
            .find_map(|(t, spec)| {
                (spec.actor == r.actor)
                    .then(|| spec.ops.iter().position(|op| *op == r.op).map(|o| (t, o)))
                    .flatten()
            });
        let Some(((t, o), base)) = at.and_then(|(t, o)| Some(((t, o), base(sim, t, o)?))) else {
            let n = edited.chars().count();
            out.push_str(&format!("x.x~0~0~0~{n}~{edited}"));
            continue;
        };
        let a: Vec<&str> = base.split_inclusive('\n').collect();
        let b: Vec<&str> = edited.split_inclusive('\n').collect();
        let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        let tail = a[head..]
            .iter()
            .rev()
            .zip(b[head..].iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        let middle: String = b[head..b.len() - tail].iter().map(|l| squeeze(l)).collect();
        out.push_str(&format!(
            "{t}.{o}~{head}~{tail}~{:08x}~{}~{middle}",
            hash(&base),
            middle.chars().count()
        ));
    }
    out
}

/// The patch a `pg` value holds over `sim`, the world without it; errors in words.
pub fn decode_patch(sim: &Sim, pg: &str) -> Result<Patch, String> {
    if pg.len() > MAX_TEXT * 2 {
        return Err(format!(
            "the edited programs are {} bytes, more than the {} accepted",
            pg.len(),
            MAX_TEXT * 2
        ));
    }
    let mut text = String::new();
    let mut rest = pg;
    let mut blocks = 0;
    while !rest.is_empty() {
        blocks += 1;
        if blocks > MAX_PROGRAMS {
            return Err(format!("more than {MAX_PROGRAMS} edited programs"));
        }
        let mut fields = rest.splitn(6, '~');
        let mut field = |what: &str| {
            fields
                .next()
                .ok_or(format!("an edited program has no {what}"))
        };
        let (at, head, tail, h, len) = (
            field("T.O")?,
            field("head")?,
            field("tail")?,
            field("hash")?,
            field("length")?,
        );
        let body = fields.next().ok_or("an edited program has no text")?;
        let num = |s: &str, what: &str| {
            s.parse::<usize>()
                .map_err(|_| format!("'{}' is not a {what}", crate::text::shown(s, 16)))
        };
        let len = num(len, "length")?;
        let (head, tail) = (num(head, "line count")?, num(tail, "line count")?);
        let split = body.char_indices().nth(len).map_or(body.len(), |(i, _)| i);
        if body[..split].chars().count() != len {
            return Err("an edited program's text is shorter than its length says".into());
        }
        let (middle, next) = body.split_at(split);
        rest = next;
        if at == "x.x" {
            text.push_str(middle);
            continue;
        }
        let (t, o) = at
            .split_once('.')
            .ok_or(format!("'{}' is not T.O", crate::text::shown(at, 16)))?;
        let base = base(sim, num(t, "thread")?, num(o, "operation")?).ok_or(format!(
            "the scenario has no operation {}",
            crate::text::shown(at, 16)
        ))?;
        if format!("{:08x}", hash(&base)) != h {
            return Err("the link's programs were edited from another version of this world's programs; they cannot be applied".into());
        }
        let lines: Vec<&str> = base.split_inclusive('\n').collect();
        if head + tail > lines.len() {
            return Err("an edited program keeps more lines than its base has".into());
        }
        text.push_str(&lines[..head].concat());
        text.push_str(middle);
        text.push_str(&lines[lines.len() - tail..].concat());
        if text.len() > MAX_TEXT {
            return Err(format!(
                "the edited programs are longer than {MAX_TEXT} bytes"
            ));
        }
    }
    Patch::parse(&text).map_err(|e| {
        format!(
            "the link's programs do not read: {}",
            crate::program::text::report("", &e)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_line_edit_is_a_short_code_and_comes_back() {
        let sim = Sim::from_ids("migrate-vs-affinity", "linux-6.6", "sc").unwrap();
        let t = sim
            .scenario
            .threads
            .iter()
            .position(|t| t.ops.contains(&crate::program::Op::Put))
            .unwrap();
        let o = sim.scenario.threads[t]
            .ops
            .iter()
            .position(|op| *op == crate::program::Op::Put)
            .unwrap();
        let text: String = base(&sim, t, o)
            .unwrap()
            .lines()
            .filter(|l| !l.contains("lock(ir_list(0))"))
            .map(|l| format!("{l}\n"))
            .collect();
        let patch = Patch::parse(&text).unwrap();
        let pg = encode_patch(&sim, &patch);
        // Dropping two steps renames the targets after them: those lines travel too.
        assert!(pg.len() < text.len(), "{pg}");
        assert_eq!(decode_patch(&sim, &pg).unwrap(), patch);
        // An edit of one line's pseudo-code costs that line only.
        let base_text = base(&sim, t, o).unwrap();
        let reworded = base_text.replacen("spin_lock_irqsave", "raw_spin_lock_irqsave", 1);
        let patch = Patch::parse(&reworded).unwrap();
        let pg = encode_patch(&sim, &patch);
        assert!(pg.len() < 130, "{} {pg}", pg.len());
        assert_eq!(decode_patch(&sim, &pg).unwrap(), patch);
        // Another world's base does not fit.
        let other = Sim::from_ids("migrate-vs-affinity", "linux-6.5", "sc").unwrap();
        assert!(decode_patch(&other, &pg)
            .unwrap_err()
            .contains("another version"));
        // Garbage gives words, not a panic.
        for bad in [
            "0",
            "0.0~1~1~0~5~ab",
            "9.9~0~0~00000000~0~",
            "x.x~0~0~0~3~abc",
            "0.0~99~99~0~0~",
        ] {
            assert!(decode_patch(&sim, bad).is_err(), "{bad}");
        }
    }
}
