//! ```` ```quiz ```` blocks: a lesson embeds a practice quiz by naming its id.
//!
//! The Markdown renderer knows nothing of quizzes: it records each block as a
//! [`QuizRef`] (the id and where it is written, for diagnostics) and leaves a short
//! [`marker`] in the HTML. The build checks the ids once every quiz is loaded and
//! splices the rendered quiz in (or, in the print view, a note linking to it) with
//! the page's [`Markers`], keyed by a hash of the page's text so no author can forge
//! one.

use std::ops::Range;

use super::marker::Markers;

/// A ```` ```quiz ```` block of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizRef {
    pub id: String,
    /// Byte range of the id in the page's file.
    pub span: Range<usize>,
}

/// The HTML left in place of the `n`-th quiz block (0-based) of a page.
pub fn marker(markers: &Markers, n: usize) -> String {
    format!("<div class=\"quiz-embed\">{}</div>\n", markers.marker(n))
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
        let markers = Markers::keyed(b"page");
        let html = format!(
            "<p>a</p>\n{}{}<p>b</p>",
            marker(&markers, 0),
            marker(&markers, 1)
        );
        let out = markers.splice(&html, |n| (n == 1).then(|| "<form>".to_string()));
        assert_eq!(
            out,
            "<p>a</p>\n<div class=\"quiz-embed\"></div>\n<div class=\"quiz-embed\"><form></div>\n<p>b</p>"
        );
        assert!(markers.found_in(&html) && !markers.found_in(&out));
    }
}
