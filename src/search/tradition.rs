//! Traditional → simplified characters, so that 評價 finds 评价 (and a page written in
//! traditional characters is found by simplified queries): pages and queries are
//! folded alike ([`super::normalize::fold`]), one character to one character.
//!
//! The table is OpenCC's `TSCharacters.txt` (Apache License 2.0; the notice is kept
//! at the top of `tradition_table.txt`, made by `tradition_table.py`): 3,222
//! characters, each to its first simplified form, chains resolved, so folding is
//! idempotent. 20 KB in the binary; the browser never loads it whole: the readings
//! files carry each character's simplified form, and `search.js` loads them only for
//! a query's characters the site does not use (the site's own characters are folded
//! already), as it does for their readings.

use std::sync::LazyLock;

const TABLE: &str = include_str!("tradition_table.txt");
/// The dense part of the table: U+3400 ..= U+9FFF.
const DENSE_FIRST: u32 = 0x3400;
/// No character below this one is traditional.
pub const FIRST: char = '\u{3400}';
const DENSE_LAST: u32 = 0x9FFF;

struct Table {
    /// For U+3400 ..= U+9FFF: the simplified form, or 0 for none.
    dense: Vec<u32>,
    /// The rest (CJK extensions beyond the BMP), sorted.
    sparse: Vec<(char, char)>,
    pairs: Vec<(char, char)>,
}

static FOLDS: LazyLock<Table> = LazyLock::new(|| {
    let mut dense = vec![0u32; (DENSE_LAST - DENSE_FIRST + 1) as usize];
    let mut sparse = Vec::new();
    let mut pairs = Vec::new();
    for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
        let chars: Vec<char> = line.chars().collect();
        for p in chars.chunks_exact(2) {
            let (t, s) = (p[0], p[1]);
            pairs.push((t, s));
            match (t as u32).checked_sub(DENSE_FIRST) {
                Some(i) if t as u32 <= DENSE_LAST => dense[i as usize] = s as u32,
                _ => sparse.push((t, s)),
            }
        }
    }
    sparse.sort_unstable();
    Table {
        dense,
        sparse,
        pairs,
    }
});

/// The simplified form of a traditional character; any other character as it is.
/// Inlined, so that the test for characters below the table (ASCII, punctuation) costs
/// its callers (every character of every page) no call.
#[inline]
pub fn simplified(c: char) -> char {
    if c < FIRST {
        return c;
    }
    table_lookup(c)
}

fn table_lookup(c: char) -> char {
    let cp = c as u32;
    if cp <= DENSE_LAST {
        return char::from_u32(FOLDS.dense[(cp - DENSE_FIRST) as usize])
            .filter(|s| *s != '\0')
            .unwrap_or(c);
    }
    FOLDS
        .sparse
        .binary_search_by_key(&c, |p| p.0)
        .map_or(c, |i| FOLDS.sparse[i].1)
}

/// Every (traditional, simplified) pair of the table.
pub fn pairs() -> &'static [(char, char)] {
    &FOLDS.pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_folds_to_simplified_once_and_for_all() {
        let folded: String = "評價退貨運費".chars().map(simplified).collect();
        assert_eq!(folded, "评价退货运费");
        assert_eq!(simplified('薴'), '苎', "chains are followed");
        assert_eq!(
            simplified('㑮'),
            '㑮',
            "entries whose first form is themselves are left out"
        );
        assert_eq!(simplified('乾'), '干');
        assert_eq!(simplified('a'), 'a');
        assert_eq!(simplified('𠵾'), '𠵾');
        assert!(pairs().len() > 3000);
        for (t, s) in pairs() {
            assert_eq!(simplified(*t), *s, "{t}");
            assert_eq!(simplified(*s), *s, "{s} is a fixed point");
        }
    }
}
