//! Markers: short placeholders left in HTML where a generated fragment goes later (a
//! practice quiz in a lesson, a page's body in the print view), and the splice that
//! replaces them.
//!
//! A marker must be impossible to forge from input: if an author could type one, a
//! title or a paragraph could pull in another page's body or a second copy of a quiz.
//! So every marker carries a key of 128 bits that the input cannot contain: either a
//! hash of the input itself ([`Markers::keyed`]: a text cannot hold its own hash) or a
//! fresh random one ([`Markers::fresh`], when the input is too scattered to hash, as
//! in a template's context). Private-use characters delimit the marker, so sanitizing
//! and templates leave it alone. The splice makes one pass and never looks inside what
//! it put in, so a fragment that happens to hold a marker is not expanded again.

use std::hash::{BuildHasher, RandomState};

const OPEN: char = '\u{F8F0}';
const CLOSE: char = '\u{F8F1}';

/// The markers of one page or one template rendering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Markers {
    /// `OPEN`, the key in hex and `:`: how every marker of this set starts.
    prefix: String,
}

impl Markers {
    /// Markers keyed by a hash of `input`, the whole text they are left in.
    pub fn keyed(input: &[u8]) -> Markers {
        let hash = blake3::hash(input);
        Markers::with_key(&hash.to_hex()[..32])
    }

    /// Markers with a random key, new for each call.
    pub fn fresh() -> Markers {
        let random = |n: u8| RandomState::new().hash_one(n);
        Markers::with_key(&format!("{:016x}{:016x}", random(0), random(1)))
    }

    fn with_key(key: &str) -> Markers {
        Markers {
            prefix: format!("{OPEN}{key}:"),
        }
    }

    /// The marker for fragment `n`.
    pub fn marker(&self, n: usize) -> String {
        format!("{}{n}{CLOSE}", self.prefix)
    }

    /// Whether `html` holds a marker of this set.
    pub fn found_in(&self, html: &str) -> bool {
        !self.prefix.is_empty() && html.contains(&self.prefix)
    }

    /// Replaces each marker of this set in `html` with `with(n)`; a marker `with`
    /// declines (`None`) is dropped. Anything else, a forged marker included, stays.
    pub fn splice<S: AsRef<str>>(
        &self,
        html: &str,
        mut with: impl FnMut(usize) -> Option<S>,
    ) -> String {
        if !self.found_in(html) {
            return html.to_string();
        }
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(start) = rest.find(&self.prefix) {
            let after = &rest[start + self.prefix.len()..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let closed = after[digits..].starts_with(CLOSE);
            let n = after[..digits].parse::<usize>().ok().filter(|_| closed);
            let Some(n) = n else {
                out.push_str(&rest[..start + self.prefix.len()]);
                rest = after;
                continue;
            };
            out.push_str(&rest[..start]);
            if let Some(fragment) = with(n) {
                out.push_str(fragment.as_ref());
            }
            rest = &after[digits + CLOSE.len_utf8()..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_replaced_once_and_forgeries_stay() {
        let markers = Markers::keyed(b"page");
        let forged = Markers::keyed(b"other").marker(0);
        let html = format!(
            "a{}b{}c{forged}\u{F8F0}0\u{F8F1}",
            markers.marker(0),
            markers.marker(1)
        );
        let out = markers.splice(&html, |n| (n == 1).then(|| markers.marker(0)));
        assert_eq!(
            out,
            format!("ab{}c{forged}\u{F8F0}0\u{F8F1}", markers.marker(0))
        );
    }

    #[test]
    fn keys_differ_by_input_and_fresh_keys_by_call() {
        assert_ne!(Markers::keyed(b"a"), Markers::keyed(b"b"));
        assert_eq!(Markers::keyed(b"a"), Markers::keyed(b"a"));
        assert_ne!(Markers::fresh(), Markers::fresh());
        assert!(!Markers::default().found_in("anything"));
    }
}
