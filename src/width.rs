//! Full-width and half-width forms: what Chinese input methods type for ASCII
//! (`ＤＳＲ７２`, the ideographic space) folded to the ASCII a reader means. One place,
//! because quiz answers and search queries must fold alike (and `quiz.js` and
//! `search.js` copy this rule).

/// Full-width ASCII (`０-９`, `Ａ-Ｚ`, `％`, `，`) to half-width, the ideographic space to
/// a space; every other character unchanged. One character to one character.
pub fn fold(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn folds_full_width_ascii_only() {
        let folded: String = "ＤＳＲ　７２％，退款".chars().map(super::fold).collect();
        assert_eq!(folded, "DSR 72%,退款");
    }
}
