//! ```` ```quiz ```` blocks: a lesson embeds a practice quiz by naming its id.
//!
//! The Markdown renderer knows nothing of quizzes: it records each block as a
//! [`QuizRef`] (the id and where it is written, for diagnostics) and leaves a short
//! [`marker`] in the HTML. The build checks the ids once every quiz is loaded and
//! [`splice`]s the rendered quiz in (or, in the print view, a note linking to it).
//! Private-use characters, like the print view's markers: sanitizing keeps them and
//! no author writes them.

use std::ops::Range;

/// A ```` ```quiz ```` block of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizRef {
    pub id: String,
    /// Byte range of the id in the page's file.
    pub span: Range<usize>,
}

const OPEN: char = '\u{F8F2}';
const CLOSE: char = '\u{F8F3}';

/// The HTML left in place of the `n`-th quiz block (0-based) of a page.
pub fn marker(n: usize) -> String {
    format!("<div class=\"quiz-embed\">{OPEN}{n}{CLOSE}</div>\n")
}

/// The quiz id a block names: its one non-blank line, trimmed; `Err` with a message
/// when the block is empty or names more than one thing. `offset` of the id within
/// the block is returned with it.
pub fn parse(block: &str) -> Result<(&str, usize), &'static str> {
    let mut words = block
        .split_whitespace()
        .map(|w| (w, w.as_ptr() as usize - block.as_ptr() as usize));
    match (words.next(), words.next()) {
        (None, _) => Err("a quiz block names no quiz"),
        (Some(first), None) => Ok(first),
        (Some(_), Some(_)) => Err("a quiz block names one quiz id"),
    }
}

/// Replaces each marker in `html` with `with(n)`; a marker `with` declines (`None`)
/// is dropped, so an unknown quiz leaves nothing behind.
pub fn splice(html: &str, mut with: impl FnMut(usize) -> Option<String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len_utf8()..];
        let Some(end) = after.find(CLOSE) else {
            break;
        };
        out.push_str(&rest[..start]);
        if let Some(n) = after[..end].parse::<usize>().ok().and_then(&mut with) {
            out.push_str(&n);
        }
        rest = &after[end + CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// Whether `html` has markers to splice.
pub fn has_markers(html: &str) -> bool {
    html.contains(OPEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_names_one_id() {
        assert_eq!(parse("  rules-practice \n"), Ok(("rules-practice", 2)));
        assert!(parse(" \n").is_err());
        assert!(parse("a b").is_err());
    }

    #[test]
    fn markers_are_replaced_or_dropped() {
        let html = format!("<p>a</p>\n{}{}<p>b</p>", marker(0), marker(1));
        let out = splice(&html, |n| (n == 1).then(|| "<form>".to_string()));
        assert_eq!(
            out,
            "<p>a</p>\n<div class=\"quiz-embed\"></div>\n<div class=\"quiz-embed\"><form></div>\n<p>b</p>"
        );
        assert!(has_markers(&html) && !has_markers(&out));
    }
}
