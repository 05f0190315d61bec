//! A scenario as short text for a share link (`sc=`): a few characters per vCPU, IRTE and
//! operation, all of them unreserved in a URL, so a link carries an edited scenario in a tenth of
//! its JSON.
//!
//! ```text
//! 1 <pcpus> _ <vcpus> _ <irtes> _ <threads> _ <oracles> _ <id> <title> <description>
//!   vcpus    per vCPU: g|l|p (in the guest, loaded, preempted) and its pCPU     g0l1
//!   irtes    per IRTE: its vCPU and p|r (posted or remapped)                     0r1p
//!   threads  '-' between threads; each: its actor (v<n> vCPU n's thread, u updater, d device,
//!            a AVIC, h host IRQ affinity, g GA-log handler), n<text> its name if it has one,
//!            then its operations: a capital letter each (OpKind::letter) and one character
//!            per parameter                                                    v0XB-uU00-dI0
//!   oracles  ~ for every kind (the default), else the kinds' numbers in ViolationKind::ALL
//!   <text>   its length in characters, '.', the characters                   5.hello
//! ```
//!
//! Numbers are one character, `0`-`9` then `a`-`z` (0 to 35). The text is read after the link is
//! percent-decoded, at most [`MAX_COMPACT`] bytes.

use super::{Scenario, ScenarioError, ThreadSpec, VcpuInit, VcpuStart};
use crate::program::{Actor, OpKind};
use crate::text;
use crate::vocab::ViolationKind;
use std::fmt;

/// Longest compact scenario text accepted, in bytes (the largest valid scenario needs a few KiB).
pub const MAX_COMPACT: usize = 16 * 1024;

/// The format's version, its first character.
const FORMAT: char = '1';

/// Why a compact scenario text cannot be read: where, and what was expected there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompactError {
    /// The character (counting from 1) where reading stopped.
    pub pos: usize,
    /// What is wrong there.
    pub msg: String,
}

impl fmt::Display for CompactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "character {}: {}", self.pos, self.msg)
    }
}

impl Scenario {
    /// The compact text, or `None` when a number is above 35 (no valid scenario has one).
    pub fn to_compact(&self) -> Option<String> {
        let mut out = String::from(FORMAT);
        out.push(num(self.pcpus)?);
        out.push('_');
        for v in &self.vcpus {
            out.push(match v.state {
                VcpuStart::InGuest => 'g',
                VcpuStart::Loaded => 'l',
                VcpuStart::Preempted => 'p',
            });
            out.push(num(v.pcpu)?);
        }
        out.push('_');
        for i in &self.irtes {
            out.push(num(i.vcpu)?);
            out.push(if i.posted { 'p' } else { 'r' });
        }
        out.push('_');
        for (n, t) in self.threads.iter().enumerate() {
            if n > 0 {
                out.push('-');
            }
            out.push_str(&t.actor.code()?);
            if let Some(name) = &t.name {
                out.push('n');
                push_text(&mut out, name);
            }
            for op in &t.ops {
                out.push(op.kind().letter());
                for v in op.values() {
                    out.push(num(v)?);
                }
            }
        }
        out.push('_');
        if self.oracles == ViolationKind::ALL {
            out.push('~');
        } else {
            for k in &self.oracles {
                let i = ViolationKind::ALL.iter().position(|x| x == k)?;
                out.push(num(i as u8)?);
            }
        }
        out.push('_');
        for t in [&self.id, &self.title, &self.description] {
            push_text(&mut out, t);
        }
        Some(out)
    }

    /// Read a compact text (at most [`MAX_COMPACT`] bytes) and validate the scenario.
    pub fn from_compact(text: &str) -> Result<Scenario, ScenarioError> {
        let s = Scenario::parse_compact(text)
            .map_err(|e| ScenarioError::Text(text::escape(&e.to_string()).into_owned()))?;
        s.validate()?;
        Ok(s)
    }

    /// Read a compact text without validating the scenario (an editor's draft may break a rule
    /// and still travel in its link).
    pub fn parse_compact(text: &str) -> Result<Scenario, CompactError> {
        if text.len() > MAX_COMPACT {
            return Err(CompactError {
                pos: 1,
                msg: format!(
                    "{} bytes is too long: a scenario's text is at most {MAX_COMPACT}",
                    text.len()
                ),
            });
        }
        Reader::new(text).scenario()
    }
}

fn num(n: u8) -> Option<char> {
    char::from_digit(u32::from(n), 36)
}

fn push_text(out: &mut String, t: &str) {
    out.push_str(&t.chars().count().to_string());
    out.push('.');
    out.push_str(t);
}

/// A cursor over the text.
struct Reader {
    chars: Vec<char>,
    at: usize,
}

type Read<T> = Result<T, CompactError>;

impl Reader {
    fn new(text: &str) -> Reader {
        Reader {
            chars: text.chars().collect(),
            at: 0,
        }
    }

    fn fail<T>(&self, msg: impl Into<String>) -> Read<T> {
        Err(CompactError {
            pos: self.at + 1,
            msg: msg.into(),
        })
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self, what: &str) -> Read<char> {
        match self.peek() {
            Some(c) => {
                self.at += 1;
                Ok(c)
            }
            None => self.fail(format!("the text ends where {what} should be")),
        }
    }

    fn num(&mut self, what: &str) -> Read<u8> {
        let c = self.next(what)?;
        match c.to_digit(36).filter(|_| !c.is_ascii_uppercase()) {
            Some(d) => Ok(d as u8),
            None => {
                self.at -= 1;
                self.fail(format!(
                    "'{}' is not {what} (0-9, a-z)",
                    text::escape(&c.to_string())
                ))
            }
        }
    }

    fn expect(&mut self, want: char, what: &str) -> Read<()> {
        match self.next(what)? {
            c if c == want => Ok(()),
            c => {
                self.at -= 1;
                self.fail(format!(
                    "expected '{want}' ({what}), found '{}'",
                    text::escape(&c.to_string())
                ))
            }
        }
    }

    /// Items until the section's closing `_`.
    fn until_end(&mut self) -> bool {
        if self.peek() == Some('_') {
            self.at += 1;
            return false;
        }
        true
    }

    fn text(&mut self, what: &str) -> Read<String> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) && self.at - start < 6 {
            self.at += 1;
        }
        let digits: String = self.chars[start..self.at].iter().collect();
        let Ok(len) = digits.parse::<usize>() else {
            return self.fail(format!("expected the length of {what}"));
        };
        self.expect('.', &format!("after the length of {what}"))?;
        if self.chars.len() - self.at < len {
            return self.fail(format!(
                "{what} should be {len} characters long, but the text ends first"
            ));
        }
        let t = self.chars[self.at..self.at + len].iter().collect();
        self.at += len;
        Ok(t)
    }

    fn scenario(mut self) -> Read<Scenario> {
        if self.next("the format version")? != FORMAT {
            self.at -= 1;
            return self.fail(format!(
                "this scenario text is not format {FORMAT} (made by a newer lab?)"
            ));
        }
        let pcpus = self.num("the number of pCPUs")?;
        self.expect('_', "the end of the pCPUs")?;
        let mut vcpus = Vec::new();
        while self.until_end() {
            let state = match self.next("a vCPU's state")? {
                'g' => VcpuStart::InGuest,
                'l' => VcpuStart::Loaded,
                'p' => VcpuStart::Preempted,
                _ => {
                    self.at -= 1;
                    return self.fail("a vCPU's state is g, l or p");
                }
            };
            let pcpu = self.num("a vCPU's pCPU")?;
            vcpus.push(VcpuInit { state, pcpu });
        }
        let mut irtes = Vec::new();
        while self.until_end() {
            let vcpu = self.num("an IRTE's vCPU")?;
            let posted = match self.next("whether an IRTE is posted")? {
                'p' => true,
                'r' => false,
                _ => {
                    self.at -= 1;
                    return self.fail("an IRTE is p (posted) or r (remapped)");
                }
            };
            irtes.push(super::IrteInit { vcpu, posted });
        }
        let mut threads = Vec::new();
        while self.until_end() {
            if !threads.is_empty() {
                self.expect('-', "between threads")?;
            }
            threads.push(self.thread()?);
        }
        let oracles = self.oracles()?;
        let id = self.text("the id")?;
        let title = self.text("the title")?;
        let description = self.text("the description")?;
        if self.at < self.chars.len() {
            return self.fail("the scenario ends here; there is more text after it");
        }
        Ok(Scenario {
            id,
            title,
            description,
            pcpus,
            vcpus,
            irtes,
            threads,
            oracles,
        })
    }

    fn thread(&mut self) -> Read<ThreadSpec> {
        let actor = match self.next("a thread's actor")? {
            'v' => Actor::Vcpu(self.num("the vCPU a thread runs")?),
            'u' => Actor::Updater,
            'd' => Actor::Device,
            'a' => Actor::Avic,
            'h' => Actor::Host,
            'g' => Actor::GaLog,
            _ => {
                self.at -= 1;
                return self.fail("a thread starts with its actor: v<n>, u, d, a, h or g");
            }
        };
        let name = match self.peek() {
            Some('n') => {
                self.at += 1;
                Some(self.text("a thread's name")?)
            }
            _ => None,
        };
        let mut ops = Vec::new();
        while let Some(c) = self.peek().filter(|c| !matches!(c, '-' | '_')) {
            let Some(kind) = OpKind::from_letter(c) else {
                return self.fail(format!(
                    "'{}' is not an operation's letter",
                    text::escape(&c.to_string())
                ));
            };
            self.at += 1;
            let mut values = Vec::new();
            for p in kind.params() {
                values.push(self.num(&format!("the {} of '{}'", p.label(), kind.id()))?);
            }
            ops.push(kind.with(&values));
        }
        Ok(ThreadSpec { name, actor, ops })
    }

    fn oracles(&mut self) -> Read<Vec<ViolationKind>> {
        if self.peek() == Some('~') {
            self.at += 1;
            self.expect('_', "the end of the oracles")?;
            return Ok(ViolationKind::ALL.to_vec());
        }
        let mut out = Vec::new();
        while self.until_end() {
            let n = self.num("an oracle's number")?;
            match ViolationKind::ALL.get(usize::from(n)) {
                Some(k) => out.push(*k),
                None => {
                    self.at -= 1;
                    return self.fail(format!("there is no oracle number {n}"));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::Op;
    use crate::scenario::{by_id, shipped, IrteInit};
    use crate::share::{percent_encode, percent_encode_spaces};
    use proptest::prelude::*;

    #[test]
    fn a_shipped_scenario_reads_as_it_is_written() {
        let s = by_id("put-block-vs-affinity").unwrap();
        let c = s.to_compact().unwrap();
        assert!(
            c.starts_with("12_g0_0r_v0XB-uU00-dI0_~_21.put-block-vs-affinity37.Affinity"),
            "{c}"
        );
        assert_eq!(Scenario::from_compact(&c), Ok(s));
    }

    /// The bound on a compact text's length: a few characters per part, the texts as they are.
    fn bound(s: &Scenario) -> usize {
        let text = |t: &str| t.chars().count() + 7;
        let threads: usize = s
            .threads
            .iter()
            .map(|t| 3 + 3 * t.ops.len() + t.name.as_deref().map_or(0, |n| 1 + text(n)))
            .sum();
        8 + 2 * (s.vcpus.len() + s.irtes.len())
            + threads
            + s.oracles.len()
            + text(&s.id)
            + text(&s.title)
            + text(&s.description)
    }

    #[test]
    fn every_shipped_scenario_round_trips_within_its_bound_and_far_shorter_than_json() {
        for s in shipped() {
            let c = s.to_compact().unwrap();
            assert_eq!(Scenario::from_compact(&c).as_ref(), Ok(&s), "{c}");
            assert!(
                c.len() <= bound(&s),
                "{}: {} > {}",
                s.id,
                c.len(),
                bound(&s)
            );
            // In a link: the structure is unreserved, only the texts' spaces are escaped.
            let sc = percent_encode_spaces(&c).len();
            let sj = percent_encode(&serde_json::to_string(&s).unwrap()).len();
            assert!(2 * sc < sj, "{}: sc= {sc} bytes, sj= {sj}", s.id);
            // Without the prose (what an edit usually keeps), a tenth or less.
            let bare = Scenario {
                description: String::new(),
                title: String::new(),
                ..s.clone()
            };
            let sc = percent_encode_spaces(&bare.to_compact().unwrap()).len();
            let sj = percent_encode(&serde_json::to_string(&bare).unwrap()).len();
            assert!(6 * sc <= sj, "{}: sc= {sc} bytes, sj= {sj}", s.id);
        }
    }

    #[test]
    fn damaged_texts_say_where_and_what() {
        let good = by_id("block-ga-log").unwrap().to_compact().unwrap();
        let cases = [
            (
                "",
                "character 1: the text ends where the format version should be",
            ),
            ("2", "character 1: this scenario text is not format 1"),
            ("1Z", "character 2: 'Z' is not the number of pCPUs"),
            ("12_q", "character 4: a vCPU's state is g, l or p"),
            (
                "12_g0_0x",
                "character 8: an IRTE is p (posted) or r (remapped)",
            ),
            ("12_g0_0r_z", "character 10: a thread starts with its actor"),
            (
                "12_g0_0r_v0Q",
                "character 12: 'Q' is not an operation's letter",
            ),
            (
                "12_g0_0r_v0L",
                "the text ends where the pCPU of 'load' should be",
            ),
            (
                "12_g0_0r_v0X_~_",
                "character 16: expected the length of the id",
            ),
            ("12_g0_0r_v0X_~_9.ab", "the id should be 9 characters long"),
            (
                "12_g0_0r_v0X_z_",
                "character 14: there is no oracle number 35",
            ),
        ];
        for (text, want) in cases {
            let e = Scenario::parse_compact(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
        let e = Scenario::parse_compact(&format!("{good}x")).unwrap_err();
        assert!(e.msg.contains("more text after it"), "{e}");
        let e = Scenario::from_compact("1\u{1b}").unwrap_err().to_string();
        assert!(e.starts_with("scenario text: character 2:"), "{e}");
        assert!(!e.chars().any(text::is_unsafe), "{e:?}");
        let long = "1".repeat(MAX_COMPACT + 1);
        let e = Scenario::parse_compact(&long).unwrap_err();
        assert!(e.msg.contains("too long"), "{e}");
        // A draft that breaks a rule reads back, and validation says which rule.
        let mut s = by_id("block-ga-log").unwrap();
        s.pcpus = 9;
        s.vcpus[0].pcpu = 8;
        let c = s.to_compact().unwrap();
        assert_eq!(Scenario::parse_compact(&c), Ok(s));
        assert!(Scenario::from_compact(&c).is_err());
    }

    fn scenario() -> impl Strategy<Value = Scenario> {
        let n = 0u8..36;
        let state = prop_oneof![
            Just(VcpuStart::InGuest),
            Just(VcpuStart::Loaded),
            Just(VcpuStart::Preempted)
        ];
        let vcpu = (state, n.clone()).prop_map(|(state, pcpu)| VcpuInit { state, pcpu });
        let irte = (n.clone(), any::<bool>()).prop_map(|(vcpu, posted)| IrteInit { vcpu, posted });
        let actor = prop_oneof![
            n.clone().prop_map(Actor::Vcpu),
            Just(Actor::Updater),
            Just(Actor::Device),
            Just(Actor::Avic),
            Just(Actor::Host),
            Just(Actor::GaLog),
        ];
        let op = (0..OpKind::ALL.len(), n.clone(), n.clone())
            .prop_map(|(k, a, b)| OpKind::ALL[k].with(&[a, b]));
        let thread =
            (
                actor,
                proptest::option::of(any::<String>()),
                proptest::collection::vec(op, 0..9),
            )
                .prop_map(|(actor, name, ops): (Actor, Option<String>, Vec<Op>)| {
                    ThreadSpec { name, actor, ops }
                });
        let oracles = proptest::collection::vec(0..ViolationKind::ALL.len(), 0..8)
            .prop_map(|v| v.into_iter().map(|i| ViolationKind::ALL[i]).collect());
        (
            (n, proptest::collection::vec(vcpu, 0..6)),
            proptest::collection::vec(irte, 0..8),
            proptest::collection::vec(thread, 0..10),
            prop_oneof![Just(ViolationKind::ALL.to_vec()), oracles],
            (any::<String>(), any::<String>(), any::<String>()),
        )
            .prop_map(
                |((pcpus, vcpus), irtes, threads, oracles, (id, title, description))| Scenario {
                    id,
                    title,
                    description,
                    pcpus,
                    vcpus,
                    irtes,
                    threads,
                    oracles,
                },
            )
    }

    proptest! {
        #[test]
        fn any_scenario_round_trips_within_its_bound(s in scenario()) {
            let c = s.to_compact().unwrap();
            prop_assert!(c.len() <= 4 * bound(&s));
            prop_assert!(c.chars().count() <= bound(&s));
            prop_assert_eq!(Scenario::parse_compact(&c), Ok(s));
        }

        #[test]
        fn any_text_is_read_or_refused_in_words(t in "[0-9a-zA-Z_.~-]{0,40}|\\PC{0,40}") {
            if let Err(e) = Scenario::parse_compact(&t) {
                prop_assert!(e.pos >= 1 && e.pos <= t.chars().count() + 1, "{}", e);
            }
        }
    }
}
