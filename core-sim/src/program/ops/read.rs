//! Reading an [`Op`] by hand, in the two stages serde's derived reader of an internally tagged
//! enum takes: the object is read whole first (its tag, which must be there and name an
//! operation, and its other fields as plain values), and only then turned into an operation, so that every input reads as it did with the derived
//! reader, with the same error at the same place. The derived reader buffers each object in
//! serde's generic `Content` tree, which the web page's module had to carry (about 30 KiB of
//! code before optimisation); the fields of an operation are small numbers, and this reader
//! keeps only those.

use super::Op;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Unexpected, Visitor};
use std::fmt;

/// The operations' names in JSON, in declaration order (a variant's index is its place here).
const VARIANTS: &[&str] = &[
    "load",
    "enter",
    "exit",
    "put",
    "block",
    "update-affinity",
    "interrupt",
    "ipi",
    "block-preempted",
    "block-resume-on",
    "apicv-off",
    "apicv-on",
    "host-affinity",
];

/// The key that names the operation.
const TAG: &str = "op";

/// A field's value as read: a number, or what it was instead (for the error).
enum Value {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Null,
    Seq,
    Map,
}

impl Value {
    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Value::Unsigned(v) => Unexpected::Unsigned(*v),
            Value::Signed(v) => Unexpected::Signed(*v),
            Value::Float(v) => Unexpected::Float(*v),
            Value::Bool(v) => Unexpected::Bool(*v),
            Value::Str(s) => Unexpected::Str(s),
            Value::Null => Unexpected::Unit,
            Value::Seq => Unexpected::Seq,
            Value::Map => Unexpected::Map,
        }
    }

    /// The value as a `u8` field, or the error serde's `u8` reader gives.
    fn byte<E: de::Error>(&self) -> Result<u8, E> {
        match *self {
            Value::Unsigned(v) => {
                u8::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &"u8"))
            }
            Value::Signed(v) => {
                u8::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &"u8"))
            }
            _ => Err(E::invalid_type(self.unexpected(), &"u8")),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Unsigned(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Signed(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Map)
    }
}

/// The operation's name: a string, or a variant index as serde also takes.
struct Tag(usize);

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tag, D::Error> {
        d.deserialize_identifier(TagVisitor)
    }
}

struct TagVisitor;

impl<'de> Visitor<'de> for TagVisitor {
    type Value = Tag;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("variant identifier")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tag, E> {
        match usize::try_from(v) {
            Ok(i) if i < VARIANTS.len() => Ok(Tag(i)),
            _ => Err(E::invalid_value(
                Unexpected::Unsigned(v),
                &"variant index 0 <= i < 13",
            )),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Tag, E> {
        match VARIANTS.iter().position(|n| *n == v) {
            Some(i) => Ok(Tag(i)),
            None => Err(E::unknown_variant(v, VARIANTS)),
        }
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Tag, E> {
        match VARIANTS.iter().position(|n| n.as_bytes() == v) {
            Some(i) => Ok(Tag(i)),
            None => Err(E::unknown_variant(&String::from_utf8_lossy(v), VARIANTS)),
        }
    }
}

/// An operation's object as read, before it is made an operation.
struct Raw {
    tag: Tag,
    fields: Fields,
}

/// The fields beside the tag: named, in the order they came, or (the list form serde also
/// reads, `["load", 1]`) by position.
enum Fields {
    Named(Vec<(String, Value)>),
    Listed(Vec<Value>),
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("internally tagged enum Op")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let (mut tag, mut fields) = (None, Vec::new());
        while let Some(key) = map.next_key::<String>()? {
            if key == TAG {
                if tag.is_some() {
                    return Err(de::Error::duplicate_field(TAG));
                }
                tag = Some(map.next_value()?);
            } else {
                fields.push((key, map.next_value()?));
            }
        }
        match tag {
            Some(tag) => Ok(Raw {
                tag,
                fields: Fields::Named(fields),
            }),
            None => Err(de::Error::missing_field(TAG)),
        }
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let tag = seq
            .next_element()?
            .ok_or_else(|| de::Error::missing_field(TAG))?;
        let mut fields = Vec::new();
        while let Some(v) = seq.next_element()? {
            fields.push(v);
        }
        Ok(Raw {
            tag,
            fields: Fields::Listed(fields),
        })
    }
}

/// The fields of the operation at `VARIANTS[i]`, in declaration order.
fn fields_of(i: usize) -> &'static [&'static str] {
    match VARIANTS[i] {
        "load" | "block-resume-on" => &["pcpu"],
        "update-affinity" => &["irte", "vcpu"],
        "interrupt" => &["irte"],
        "ipi" => &["to"],
        "host-affinity" => &["irte", "pcpu"],
        _ => &[],
    }
}

impl Raw {
    /// The operation, or the error the derived reader gives for the same object.
    fn resolve<E: de::Error>(self) -> Result<Op, E> {
        let Tag(i) = self.tag;
        let names = fields_of(i);
        if names.is_empty() {
            // A variant without fields ignores whatever else the object holds; a list must
            // hold nothing more.
            return match &self.fields {
                Fields::Listed(values) if !values.is_empty() => {
                    Err(E::invalid_length(values.len(), &InList(0)))
                }
                _ => Ok(unit(i)),
            };
        }
        let mut got: [Option<u8>; 2] = [None; 2];
        match &self.fields {
            Fields::Named(fields) => {
                for (key, value) in fields {
                    let Some(k) = names.iter().position(|n| n == key) else {
                        return Err(E::unknown_field(key, names));
                    };
                    if got[k].is_some() {
                        return Err(E::duplicate_field(names[k]));
                    }
                    got[k] = Some(value.byte()?);
                }
            }
            Fields::Listed(values) => listed(i, values, &mut got)?,
        }
        let mut take = |k: usize| got[k].take().ok_or_else(|| E::missing_field(names[k]));
        Ok(match VARIANTS[i] {
            "load" => Op::Load { pcpu: take(0)? },
            "block-resume-on" => Op::BlockResumeOn { pcpu: take(0)? },
            "update-affinity" => {
                let irte = take(0)?;
                Op::UpdateAffinity {
                    irte,
                    vcpu: take(1)?,
                }
            }
            "interrupt" => Op::Interrupt { irte: take(0)? },
            "ipi" => Op::Ipi { to: take(0)? },
            _ => {
                let irte = take(0)?;
                Op::HostAffinity {
                    irte,
                    pcpu: take(1)?,
                }
            }
        })
    }
}

/// The fields of the operation at `VARIANTS[i]` from a list, as serde reads a struct variant
/// from one: each in its place, none missing, none over.
fn listed<E: de::Error>(i: usize, values: &[Value], got: &mut [Option<u8>; 2]) -> Result<(), E> {
    let names = fields_of(i);
    let n = names.len();
    for (k, slot) in got.iter_mut().enumerate().take(n) {
        let Some(v) = values.get(k) else {
            return Err(E::invalid_length(k, &Expecting(i)));
        };
        *slot = Some(v.byte()?);
    }
    if values.len() > n {
        return Err(E::invalid_length(values.len(), &InList(n)));
    }
    Ok(())
}

/// What a list form of the operation at `VARIANTS[i]` should hold (serde's words).
struct Expecting(usize);

impl de::Expected for Expecting {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let n = fields_of(self.0).len();
        let name = NAMES[self.0];
        let s = if n == 1 { "" } else { "s" };
        write!(f, "struct variant Op::{name} with {n} element{s}")
    }
}

/// A list of `n` fields (serde's words for one too long).
struct InList(usize);

impl de::Expected for InList {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let s = if self.0 == 1 { "" } else { "s" };
        write!(f, "{} element{s} in sequence", self.0)
    }
}

/// The operations' names in Rust, as serde's messages give them.
const NAMES: &[&str] = &[
    "Load",
    "Enter",
    "Exit",
    "Put",
    "Block",
    "UpdateAffinity",
    "Interrupt",
    "Ipi",
    "BlockPreempted",
    "BlockResumeOn",
    "ApicvOff",
    "ApicvOn",
    "HostAffinity",
];

/// The operation without fields at `VARIANTS[i]`.
fn unit(i: usize) -> Op {
    match VARIANTS[i] {
        "enter" => Op::Enter,
        "exit" => Op::Exit,
        "put" => Op::Put,
        "block" => Op::Block,
        "block-preempted" => Op::BlockPreempted,
        "apicv-off" => Op::ApicvOff,
        _ => Op::ApicvOn,
    }
}

impl<'de> Deserialize<'de> for Op {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Op, D::Error> {
        d.deserialize_any(RawVisitor)?.resolve()
    }
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
