//! The hand-written reader against serde's derived one, kept here as the reference: the same
//! operation or the same error (message and place) for every input of a corpus of good and
//! bad objects, alone and inside a list as scenarios hold them.

use super::super::Op;
use serde::{Deserialize, Serialize};

/// `Op` as it was declared before its reader was written by hand.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "op", deny_unknown_fields)]
enum Derived {
    Load { pcpu: u8 },
    Enter,
    Exit,
    Put,
    Block,
    UpdateAffinity { irte: u8, vcpu: u8 },
    Interrupt { irte: u8 },
    Ipi { to: u8 },
    BlockPreempted,
    BlockResumeOn { pcpu: u8 },
    ApicvOff,
    ApicvOn,
    HostAffinity { irte: u8, pcpu: u8 },
}

/// Objects that read, and objects that fail in every way the two stages can.
fn corpus() -> Vec<String> {
    let mut out: Vec<String> = [
        r#"{"op":"load","pcpu":1}"#,
        r#"{"pcpu":1,"op":"load"}"#,
        r#"{"op":"enter"}"#,
        r#"{"op":"exit"}"#,
        r#"{"op":"put"}"#,
        r#"{"op":"block"}"#,
        r#"{"op":"update-affinity","irte":0,"vcpu":1}"#,
        r#"{"vcpu":1,"op":"update-affinity","irte":0}"#,
        r#"{"op":"interrupt","irte":1}"#,
        r#"{"op":"ipi","to":0}"#,
        r#"{"op":"block-preempted"}"#,
        r#"{"op":"block-resume-on","pcpu":1}"#,
        r#"{"op":"apicv-off"}"#,
        r#"{"op":"apicv-on"}"#,
        r#"{"op":"host-affinity","irte":0,"pcpu":1}"#,
        r#"{ "op" : "load" , "pcpu" : 255 }"#,
        // Wrong in the first stage.
        r#"{}"#,
        r#"{"pcpu":1}"#,
        r#"{"op":"load","op":"load","pcpu":1}"#,
        r#"{"op":"nope"}"#,
        r#"{"op":""}"#,
        r#"{"op":"Load","pcpu":1}"#,
        r#"{"op":"update_affinity","irte":0,"vcpu":1}"#,
        r#"{"op":0}"#,
        r#"{"op":null}"#,
        r#"{"op":["load"]}"#,
        r#"{"op":"load","pcpu":1"#,
        r#"{"op":"load",}"#,
        r#""load""#,
        r#"["load",1]"#,
        r#"[]"#,
        r#"["load"]"#,
        r#"["load",1,2]"#,
        r#"["load","1"]"#,
        r#"["load",300]"#,
        r#"["enter"]"#,
        r#"["enter",1]"#,
        r#"["update-affinity",0]"#,
        r#"["update-affinity",0,1]"#,
        r#"["update-affinity",0,1,2]"#,
        r#"["host-affinity",0,1]"#,
        r#"["nope",1]"#,
        r#"[1,1]"#,
        r#"3"#,
        r#"null"#,
        r#"true"#,
        // Wrong in the second stage.
        r#"{"op":"load"}"#,
        r#"{"op":"load","pcpu":1,"irte":0}"#,
        r#"{"op":"load","pcpu":1,"pcpu":2}"#,
        r#"{"op":"load","pcpu":256}"#,
        r#"{"op":"load","pcpu":-1}"#,
        r#"{"op":"load","pcpu":1.0}"#,
        r#"{"op":"load","pcpu":"1"}"#,
        r#"{"op":"load","pcpu":null}"#,
        r#"{"op":"load","pcpu":true}"#,
        r#"{"op":"load","pcpu":[1]}"#,
        r#"{"op":"load","pcpu":{"a":1}}"#,
        r#"{"op":"update-affinity","irte":0}"#,
        r#"{"op":"update-affinity","vcpu":0}"#,
        r#"{"op":"update-affinity"}"#,
        r#"{"op":"update-affinity","irte":0,"vcpu":1,"to":2}"#,
        r#"{"op":"host-affinity","pcpu":0,"irte":300}"#,
        r#"{"op":"ipi","irte":0}"#,
        r#"{"op":"enter","pcpu":1}"#,
        r#"{"op":"exit","x":[1,{"y":null}]}"#,
        r#"{"op":"put","op":"put"}"#,
        r#"{"op":"interrupt","irte":99999999999999999999}"#,
        r#"{"op":"interrupt","irte":1e3}"#,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Each inside a list, as a thread's `ops` hold them, where errors get their place.
    let alone = out.clone();
    out.extend(
        alone
            .iter()
            .map(|s| format!("[{{\"op\":\"enter\"}},\n  {s} ]")),
    );
    out
}

/// What a reader made of `json`: the operation written back, or the error.
fn outcome<T: for<'a> Deserialize<'a> + Serialize>(json: &str) -> Result<String, String> {
    serde_json::from_str::<T>(json)
        .map(|v| serde_json::to_string(&v).unwrap())
        .map_err(|e| e.to_string())
}

#[test]
fn reads_every_object_as_the_derived_reader() {
    for json in corpus() {
        let (mine, derived) = if json.starts_with("[{\"op\":\"enter\"},\n") {
            (outcome::<Vec<Op>>(&json), outcome::<Vec<Derived>>(&json))
        } else {
            (outcome::<Op>(&json), outcome::<Derived>(&json))
        };
        // The derived reader names its own type.
        let derived = derived.map_err(|e| {
            e.replace("enum Derived", "enum Op")
                .replace("Derived::", "Op::")
        });
        assert_eq!(mine, derived, "{json}");
    }
}

#[test]
fn the_corpus_reaches_both_stages() {
    let errors: Vec<String> = corpus()
        .iter()
        .filter_map(|j| outcome::<Op>(j).err())
        .collect();
    for want in [
        "missing field `op`",
        "duplicate field `op`",
        "unknown variant `nope`",
        "missing field `pcpu`",
        "unknown field `irte`, expected `pcpu`",
        "duplicate field `pcpu`",
        "invalid value: integer `256`, expected u8",
        "invalid type: string \"1\", expected u8",
        "invalid type: null, expected u8",
    ] {
        assert!(
            errors.iter().any(|e| e.contains(want)),
            "{want}: {errors:?}"
        );
    }
}
