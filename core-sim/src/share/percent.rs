//! Percent coding (RFC 3986) and the `key=value` pairs of a query.

/// The query part of a full URL (after `?`, before `#`), or the text itself if it has no `?`.
pub fn query_of(url: &str) -> &str {
    let url = url.split('#').next().unwrap_or("");
    match url.split_once('?') {
        Some((_, q)) => q,
        None => url,
    }
}

/// `key=value` pairs of a query string (with or without its `?`), percent-decoded.
pub(super) fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Percent-encode everything but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// As [`percent_encode`], with each space written `+` (one byte, not three; [`percent_decode`]
/// reads it back as a space). For values new formats add: the older ones keep `%20`.
pub fn percent_encode_spaces(s: &str) -> String {
    s.split(' ')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("+")
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Decode `%XX` escapes and `+` (a space); malformed escapes stay as written and invalid UTF-8
/// is replaced, so this never fails.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use crate::share::*;

    #[test]
    fn query_of_takes_the_query_of_a_full_url() {
        assert_eq!(query_of("https://x.org/lab/?v=2&t=kick#top"), "v=2&t=kick");
        assert_eq!(query_of("?v=2"), "v=2");
        assert_eq!(query_of("v=2&t=kick"), "v=2&t=kick");
    }

    #[test]
    fn percent_decoding_never_panics_and_keeps_malformed_escapes() {
        for s in [
            "%", "%4", "%zz", "a%2", "%%%", "%E9", "%C3%A9", "+%2B", "%%41",
        ] {
            let _ = percent_decode(s);
        }
        assert_eq!(percent_decode("%C3%A9+%2B"), "é +");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%41"), "A");
        let text = "a b+c  d%";
        assert_eq!(percent_encode_spaces(text), "a+b%2Bc++d%25");
        assert_eq!(percent_decode(&percent_encode_spaces(text)), text);
    }
}
