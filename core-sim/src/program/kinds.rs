//! The list of operations a scenario's thread can run, with their parameters: what an editor
//! offers (a kind, then a value per parameter) and what the compact scenario text spells with
//! one letter per kind.

use super::ops::{Actor, Op};

/// What an operation's parameter names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// A pCPU.
    Pcpu,
    /// A vCPU.
    Vcpu,
    /// An IRTE.
    Irte,
}

impl Param {
    /// The word for it (`pCPU`, `vCPU`, `IRTE`).
    pub fn label(self) -> &'static str {
        match self {
            Param::Pcpu => "pCPU",
            Param::Vcpu => "vCPU",
            Param::Irte => "IRTE",
        }
    }
}

/// An operation without its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// [`Op::Load`].
    Load,
    /// [`Op::Enter`].
    Enter,
    /// [`Op::Exit`].
    Exit,
    /// [`Op::Put`].
    Put,
    /// [`Op::Block`].
    Block,
    /// [`Op::BlockPreempted`].
    BlockPreempted,
    /// [`Op::BlockResumeOn`].
    BlockResumeOn,
    /// [`Op::ApicvOff`].
    ApicvOff,
    /// [`Op::ApicvOn`].
    ApicvOn,
    /// [`Op::UpdateAffinity`].
    UpdateAffinity,
    /// [`Op::Interrupt`].
    Interrupt,
    /// [`Op::Ipi`].
    Ipi,
    /// [`Op::HostAffinity`].
    HostAffinity,
}

impl OpKind {
    /// Every kind, vCPU-thread operations first.
    pub const ALL: [OpKind; 13] = [
        OpKind::Load,
        OpKind::Enter,
        OpKind::Exit,
        OpKind::Put,
        OpKind::Block,
        OpKind::BlockPreempted,
        OpKind::BlockResumeOn,
        OpKind::ApicvOff,
        OpKind::ApicvOn,
        OpKind::UpdateAffinity,
        OpKind::Interrupt,
        OpKind::Ipi,
        OpKind::HostAffinity,
    ];

    /// The id a scenario file spells it with (its JSON `op` tag).
    pub fn id(self) -> &'static str {
        match self {
            OpKind::Load => "load",
            OpKind::Enter => "enter",
            OpKind::Exit => "exit",
            OpKind::Put => "put",
            OpKind::Block => "block",
            OpKind::BlockPreempted => "block-preempted",
            OpKind::BlockResumeOn => "block-resume-on",
            OpKind::ApicvOff => "apicv-off",
            OpKind::ApicvOn => "apicv-on",
            OpKind::UpdateAffinity => "update-affinity",
            OpKind::Interrupt => "interrupt",
            OpKind::Ipi => "ipi",
            OpKind::HostAffinity => "host-affinity",
        }
    }

    /// The kind with this id.
    pub fn from_id(id: &str) -> Option<OpKind> {
        OpKind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// Its one-letter code in the compact scenario text (upper case: actors are lower case).
    pub fn letter(self) -> char {
        match self {
            OpKind::Load => 'L',
            OpKind::Enter => 'E',
            OpKind::Exit => 'X',
            OpKind::Put => 'P',
            OpKind::Block => 'B',
            OpKind::BlockPreempted => 'W',
            OpKind::BlockResumeOn => 'R',
            OpKind::ApicvOff => 'F',
            OpKind::ApicvOn => 'O',
            OpKind::UpdateAffinity => 'U',
            OpKind::Interrupt => 'I',
            OpKind::Ipi => 'S',
            OpKind::HostAffinity => 'H',
        }
    }

    /// The kind with this letter.
    pub fn from_letter(c: char) -> Option<OpKind> {
        OpKind::ALL.into_iter().find(|k| k.letter() == c)
    }

    /// Its parameters, in order.
    pub fn params(self) -> &'static [Param] {
        match self {
            OpKind::Load | OpKind::BlockResumeOn => &[Param::Pcpu],
            OpKind::UpdateAffinity => &[Param::Irte, Param::Vcpu],
            OpKind::Interrupt => &[Param::Irte],
            OpKind::Ipi => &[Param::Vcpu],
            OpKind::HostAffinity => &[Param::Irte, Param::Pcpu],
            _ => &[],
        }
    }

    /// The operation with these parameter values (missing ones are 0, extra ones ignored).
    pub fn with(self, values: &[u8]) -> Op {
        let v = |i: usize| values.get(i).copied().unwrap_or(0);
        match self {
            OpKind::Load => Op::Load { pcpu: v(0) },
            OpKind::Enter => Op::Enter,
            OpKind::Exit => Op::Exit,
            OpKind::Put => Op::Put,
            OpKind::Block => Op::Block,
            OpKind::BlockPreempted => Op::BlockPreempted,
            OpKind::BlockResumeOn => Op::BlockResumeOn { pcpu: v(0) },
            OpKind::ApicvOff => Op::ApicvOff,
            OpKind::ApicvOn => Op::ApicvOn,
            OpKind::UpdateAffinity => Op::UpdateAffinity {
                irte: v(0),
                vcpu: v(1),
            },
            OpKind::Interrupt => Op::Interrupt { irte: v(0) },
            OpKind::Ipi => Op::Ipi { to: v(0) },
            OpKind::HostAffinity => Op::HostAffinity {
                irte: v(0),
                pcpu: v(1),
            },
        }
    }

    /// Whether `actor` may run operations of this kind (as [`Op::fits`]).
    pub fn fits(self, actor: Actor) -> bool {
        self.with(&[]).fits(actor)
    }
}

impl Actor {
    /// The actors a scenario's thread can be run by, given `vcpus` vCPUs (the GA-log handler is
    /// added by the lab itself).
    pub fn scripted(vcpus: u8) -> Vec<Actor> {
        let mut out: Vec<Actor> = (0..vcpus).map(Actor::Vcpu).collect();
        out.extend([Actor::Updater, Actor::Device, Actor::Avic, Actor::Host]);
        out
    }

    /// A short code: `v0` (vCPU0's thread), `u`, `d`, `a`, `h`, `g`; `None` for a vCPU above 35.
    pub fn code(self) -> Option<String> {
        Some(match self {
            Actor::Vcpu(v) => format!("v{}", char::from_digit(u32::from(v), 36)?),
            Actor::Updater => "u".into(),
            Actor::Device => "d".into(),
            Actor::Avic => "a".into(),
            Actor::Host => "h".into(),
            Actor::GaLog => "g".into(),
        })
    }

    /// The actor with this code.
    pub fn from_code(code: &str) -> Option<Actor> {
        let mut c = code.chars();
        let actor = match c.next()? {
            'v' => {
                let d = c.next().filter(|d| !d.is_ascii_uppercase())?;
                Actor::Vcpu(d.to_digit(36)? as u8)
            }
            'u' => Actor::Updater,
            'd' => Actor::Device,
            'a' => Actor::Avic,
            'h' => Actor::Host,
            'g' => Actor::GaLog,
            _ => return None,
        };
        c.next().is_none().then_some(actor)
    }
}

impl Op {
    /// Its kind.
    pub fn kind(&self) -> OpKind {
        match self {
            Op::Load { .. } => OpKind::Load,
            Op::Enter => OpKind::Enter,
            Op::Exit => OpKind::Exit,
            Op::Put => OpKind::Put,
            Op::Block => OpKind::Block,
            Op::BlockPreempted => OpKind::BlockPreempted,
            Op::BlockResumeOn { .. } => OpKind::BlockResumeOn,
            Op::ApicvOff => OpKind::ApicvOff,
            Op::ApicvOn => OpKind::ApicvOn,
            Op::UpdateAffinity { .. } => OpKind::UpdateAffinity,
            Op::Interrupt { .. } => OpKind::Interrupt,
            Op::Ipi { .. } => OpKind::Ipi,
            Op::HostAffinity { .. } => OpKind::HostAffinity,
        }
    }

    /// Its parameter values, in the order of [`OpKind::params`].
    pub fn values(&self) -> Vec<u8> {
        match *self {
            Op::Load { pcpu } | Op::BlockResumeOn { pcpu } => vec![pcpu],
            Op::UpdateAffinity { irte, vcpu } => vec![irte, vcpu],
            Op::Interrupt { irte } => vec![irte],
            Op::Ipi { to } => vec![to],
            Op::HostAffinity { irte, pcpu } => vec![irte, pcpu],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_its_ops_kind_with_its_values_and_ids_and_letters_are_unique() {
        for (n, k) in OpKind::ALL.into_iter().enumerate() {
            let op = k.with(&[1, 2]);
            assert_eq!(op.kind(), k);
            assert_eq!(op.values().len(), k.params().len());
            assert_eq!(k.with(&op.values()), op);
            assert_eq!(OpKind::from_id(k.id()), Some(k));
            assert_eq!(OpKind::from_letter(k.letter()), Some(k));
            assert!(k.letter().is_ascii_uppercase());
            // The id is the scenario file's tag.
            let json = serde_json::to_string(&op).unwrap();
            assert!(json.contains(&format!("\"op\":\"{}\"", k.id())), "{json}");
            for other in &OpKind::ALL[n + 1..] {
                assert_ne!(k.letter(), other.letter());
            }
        }
        assert!(OpKind::Load.fits(Actor::Vcpu(0)));
        assert!(!OpKind::Load.fits(Actor::Updater));
        assert!(OpKind::Ipi.fits(Actor::Avic));
        for a in Actor::scripted(4)
            .into_iter()
            .chain([Actor::GaLog, Actor::Vcpu(35)])
        {
            assert_eq!(Actor::from_code(&a.code().unwrap()), Some(a));
        }
        assert_eq!(Actor::Vcpu(36).code(), None);
        for bad in ["", "v", "vA", "v00", "x", "uu"] {
            assert_eq!(Actor::from_code(bad), None, "{bad}");
        }
    }
}
