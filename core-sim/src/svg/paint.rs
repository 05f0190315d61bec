//! The drawing's colours: the light and dark style sheets of a standalone file, and the light
//! colours as presentation attributes for a drawing inlined in a page.

/// Light-theme colours of each class, as presentation attributes.
pub(super) fn paint(class: &str) -> &'static str {
    match class {
        "bg" => r##"fill="#ffffff""##,
        "lane" => r##"stroke="#c8ccd4" stroke-dasharray="4 4""##,
        "head" => r##"fill="#1f2430" font-weight="700""##,
        "box" => r##"fill="#e8f0fe" stroke="#4a6fd1""##,
        "flush" => r##"fill="#fff4d6" stroke="#c99a1b""##,
        "badbox" => r##"fill="#fde7ea" stroke="#b00020""##,
        "cur" => r##"stroke="#111111" stroke-width="2.5""##,
        "txt" => r##"fill="#1f2430""##,
        "num" => r##"fill="#7a8190""##,
        "chg" => r##"fill="#39604a""##,
        "bad" => r##"fill="#b00020" font-weight="700""##,
        "causebox" => {
            r##"fill="#efe6f7" stroke="#6a3d9a" stroke-width="2" stroke-dasharray="5 3""##
        }
        "causetxt" => r##"fill="#6a3d9a" font-weight="700""##,
        "race" => r##"stroke="#00695c" stroke-width="2.2" fill="none""##,
        "racehead" => r##"fill="#00695c""##,
        "racetxt" => r##"fill="#00695c" font-weight="700""##,
        _ => "",
    }
}

/// Fill of a box class, for a current box whose stroke is the `cur` one.
fn fill_only(class: &str) -> &'static str {
    match class {
        "flush" => r##"fill="#fff4d6""##,
        "badbox" => r##"fill="#fde7ea""##,
        "causebox" => r##"fill="#efe6f7""##,
        _ => r##"fill="#e8f0fe""##,
    }
}

/// The colours of a standalone file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Palette {
    /// Light, dark where the viewer's system prefers it.
    Auto,
    /// Light only.
    Light,
    /// Dark only.
    Dark,
}

pub(super) const LIGHT_CSS: &str = ".bg{fill:#ffffff}.lane{stroke:#c8ccd4;stroke-dasharray:4 4}.head{font-weight:700;fill:#1f2430}\
.box{fill:#e8f0fe;stroke:#4a6fd1}.flush{fill:#fff4d6;stroke:#c99a1b}.cur{stroke:#111;stroke-width:2.5}\
.txt{fill:#1f2430}.num{fill:#7a8190}.chg{fill:#39604a}.bad{fill:#b00020;font-weight:700}.badbox{fill:#fde7ea;stroke:#b00020}\
.causebox{fill:#efe6f7;stroke:#6a3d9a}.causetxt{fill:#6a3d9a}.race{stroke:#00695c}.racehead,.racetxt{fill:#00695c}";
pub(super) const DARK_CSS: &str = ".bg{fill:#16181d}.head,.txt{fill:#e6e8ee}.box{fill:#233052;stroke:#7d9cf0}\
.flush{fill:#4a3b12;stroke:#e0b341}.cur{stroke:#fff}.chg{fill:#8fd3a8}.bad{fill:#ff6b81}.badbox{fill:#4a1820;stroke:#ff6b81}.num{fill:#9aa1ae}\
.causebox{fill:#35264a;stroke:#c9a0f0}.causetxt{fill:#c9a0f0}.race{stroke:#4dd0c0}.racehead,.racetxt{fill:#4dd0c0}";

/// Give every classed element its light colours as presentation attributes. (Text is escaped, so
/// `class="` only occurs in markup.)
pub(super) fn with_paint(mut s: String) -> String {
    for box_class in ["box", "flush", "badbox", "causebox"] {
        s = s.replace(
            &format!(r#"class="{box_class} cur""#),
            &format!(
                r#"class="{box_class} cur" {} {}"#,
                fill_only(box_class),
                paint("cur")
            ),
        );
    }
    for class in [
        "bg", "lane", "head", "box", "flush", "badbox", "txt", "num", "chg", "bad", "causebox",
        "causetxt", "race", "racehead", "racetxt",
    ] {
        s = s.replace(
            &format!(r#"class="{class}""#),
            &format!(r#"class="{class}" {}"#, paint(class)),
        );
    }
    s
}
