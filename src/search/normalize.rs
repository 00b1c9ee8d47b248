//! Normalising text before it is tokenized, the same for pages and queries (and the
//! same in `search.js`): full-width ASCII (`ＤＳＲ７天`) folds to half-width, the
//! ideographic space to a space, ASCII letters to lowercase, traditional characters to
//! simplified ([`super::tradition`]: 評價 → 评价). Every fold maps one character to one
//! character, so positions in folded text are positions in the original (snippets rely
//! on it).

/// Folds one character.
#[inline]
pub fn fold(c: char) -> char {
    super::tradition::simplified(crate::width::fold(c).to_ascii_lowercase())
}

/// Folds a whole string into `out` (cleared first).
pub fn fold_into(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    out.extend(text.chars().map(fold));
}

pub fn folded(text: &str) -> String {
    let mut out = String::new();
    fold_into(text, &mut out);
    out
}

/// The text a page is named by, or a query names: folded, only Chinese characters,
/// ASCII letters and digits kept (退款率 / 退款 率！ / 退款率 are one name).
pub fn name(text: &str) -> String {
    text.chars()
        .map(fold)
        .filter(|c| crate::search::tokenize::is_cjk(*c) || crate::search::tokenize::is_word(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_and_case_fold_one_to_one() {
        assert_eq!(folded("ＤＳＲ　评分７天"), "dsr 评分7天");
        assert_eq!(folded("SKU，退款！"), "sku,退款!");
        assert_eq!(folded("退貨運費"), "退货运费");
        let s = "Ａb　中";
        assert_eq!(folded(s).chars().count(), s.chars().count());
    }

    #[test]
    fn names_keep_only_letters_digits_and_chinese() {
        assert_eq!(name("退款 率！"), "退款率");
        assert_eq!(name("ＤＳＲ 评分 (2016)"), "dsr评分2016");
        assert_eq!(name("？！"), "");
    }
}
