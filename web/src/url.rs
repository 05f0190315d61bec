//! The page's side of share links. The format itself (versions, parameters, what a corrupt or
//! future link falls back to) is the core's [`core_sim::share`]; this module only turns its
//! problems into sentences for the page and writes the snippets of the Share / Embed dialog.
//! Plain Rust (no browser API), unit-tested natively.

pub use core_sim::share::{
    decode_lenient, encode, percent_encode, Link, LinkError, ScenarioRef, Theme, View,
};

/// One problem of a link as a sentence for the page: what is wrong, then what the page did.
pub fn problem_text(e: &LinkError) -> String {
    let text = e.to_string();
    let mut chars = text.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    format!("{first}{}. {}", chars.as_str(), e.fallback())
}

/// Everything the Share / Embed dialog offers for one view of the lab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippets {
    /// The share link (full page).
    pub link: String,
    /// The same view with minimal chrome, for an iframe.
    pub embed: String,
    /// An `<iframe>` for a web page (800×450).
    pub iframe: String,
    /// A Markdown link.
    pub markdown: String,
    /// A reveal.js slide holding the embed.
    pub reveal: String,
}

/// Escape text for an HTML attribute value in double quotes.
pub fn attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The snippets for `link` on the page at `base` (origin and path, no query); `title` says what
/// the view shows (for the iframe's title and the Markdown link).
pub fn snippets(base: &str, link: &Link, title: &str) -> Snippets {
    let full = Link {
        embed: false,
        ..link.clone()
    };
    let embedded = Link {
        embed: true,
        ..link.clone()
    };
    let link = format!("{base}{}", encode(&full));
    let embed = format!("{base}{}", encode(&embedded));
    let title = format!("AVIC race lab: {title}");
    let (e, t) = (attr(&embed), attr(&title));
    let iframe = format!(
        "<iframe src=\"{e}\" width=\"800\" height=\"450\" title=\"{t}\" loading=\"lazy\"></iframe>"
    );
    // Markdown link text: brackets would end it early.
    let md_title = title.replace('[', "(").replace(']', ")");
    let markdown = format!("[▶ {md_title}]({link})");
    let reveal = format!(
        "<section>\n  <h2>{}</h2>\n  <iframe data-src=\"{e}\" width=\"800\" height=\"450\" title=\"{t}\"></iframe>\n</section>",
        attr(&title)
    );
    Snippets {
        link,
        embed,
        iframe,
        markdown,
        reveal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_sim::strategy::Strategy;
    use core_sim::MemoryModel;

    #[test]
    fn problems_read_as_sentences_with_what_the_page_did() {
        let (_, problems) = decode_lenient("?v=2&m=arm");
        assert_eq!(problems.len(), 1);
        let text = problem_text(&problems[0]);
        assert!(text.starts_with("Link parameter 'm': "), "{text}");
        assert!(
            text.ends_with(". Using sequential consistency (sc)."),
            "{text}"
        );
        let (link, problems) = decode_lenient("?v=9&s=running-retarget");
        assert_eq!(link, Link::default());
        let text = problem_text(&problems[0]);
        assert!(
            text.starts_with("This link was made by a newer version"),
            "{text}"
        );
        assert!(
            text.ends_with("Opening the default view instead."),
            "{text}"
        );
    }

    #[test]
    fn snippets_hold_the_link_the_embed_and_escape_html() {
        let link = Link {
            scenario: ScenarioRef::Shipped("put-block-vs-affinity".into()),
            knobs: Strategy::preset("naive-update").unwrap().knobs,
            memory: MemoryModel::Sc,
            schedule: "000000000111111111111222".into(),
            step: Some(12),
            embed: true,
            ..Link::default()
        };
        let s = snippets("https://lab.example/avic/", &link, "a \"x\" <y> [z]");
        assert_eq!(
            s.link,
            "https://lab.example/avic/?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=12"
        );
        assert_eq!(s.embed, format!("{}&embed=1", s.link));
        assert!(s.iframe.starts_with(
            "<iframe src=\"https://lab.example/avic/?v=3&amp;s=put-block-vs-affinity&amp;"
        ));
        assert!(s.iframe.contains("width=\"800\" height=\"450\""));
        assert!(s.iframe.contains("loading=\"lazy\""));
        assert!(s
            .iframe
            .contains("title=\"AVIC race lab: a &quot;x&quot; &lt;y&gt; [z]\""));
        assert_eq!(
            s.markdown,
            format!("[▶ AVIC race lab: a \"x\" <y> (z)]({})", s.link)
        );
        assert!(s
            .reveal
            .contains("<iframe data-src=\"https://lab.example/avic/?v=3&amp;"));
        assert!(s.reveal.contains("embed=1"));
        // Both links open the same view.
        let (back, problems) = decode_lenient(&s.embed[s.embed.find('?').unwrap()..]);
        assert!(problems.is_empty());
        assert_eq!(back, link);
    }
}
