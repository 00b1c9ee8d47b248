//! Heading ids and the table of contents.
//!
//! Ids must work for Chinese headings: CJK characters are kept as they are (browsers
//! accept them in fragments), ASCII is lowercased, whitespace becomes `-`, and
//! punctuation — ASCII and full-width alike — is dropped. `## 小二介入` gets the id
//! `小二介入`, `## 72 小时规则` gets `72-小时规则`. Repeats get `-1`, `-2`, ….

use std::collections::{HashMap, HashSet};

use serde::Serialize;

/// Turns heading text into an id. Never returns an empty string.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for ch in text.trim().chars() {
        if ch.is_whitespace() || ch == '-' {
            pending_dash = !out.is_empty();
        } else if ch.is_alphanumeric() || ch == '_' {
            if pending_dash {
                out.push('-');
                pending_dash = false;
            }
            out.extend(ch.to_lowercase());
        }
    }
    if out.is_empty() {
        "section".to_string()
    } else {
        out
    }
}

/// Hands out ids unique within one page.
///
/// Each wanted id remembers the next suffix to try, so N headings with one title cost
/// N tries, not N²/2 (50,000 `## 小结` once took minutes).
#[derive(Debug, Default)]
pub struct IdAllocator {
    used: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

impl IdAllocator {
    /// Reserves `wanted`, or `wanted-1`, `wanted-2`, … if it is taken.
    pub fn unique(&mut self, wanted: String) -> String {
        if self.used.insert(wanted.clone()) {
            return wanted;
        }
        let next = self.next_suffix.entry(wanted.clone()).or_insert(1);
        loop {
            let candidate = format!("{wanted}-{next}");
            *next += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// One entry of a page's table of contents, with its sub-headings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// Nests a flat list of headings by level. Headings deeper than a skipped level
/// attach to the nearest shallower one.
pub fn nest(flat: Vec<TocEntry>) -> Vec<TocEntry> {
    let mut roots: Vec<TocEntry> = Vec::new();
    for entry in flat {
        insert(&mut roots, entry);
    }
    roots
}

fn insert(siblings: &mut Vec<TocEntry>, entry: TocEntry) {
    match siblings.last_mut() {
        Some(last) if last.level < entry.level => insert(&mut last.children, entry),
        _ => siblings.push(entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_headings_keep_their_characters() {
        assert_eq!(slugify("小二介入"), "小二介入");
        assert_eq!(slugify("72 小时规则"), "72-小时规则");
        assert_eq!(slugify("一、打招呼"), "一打招呼");
        assert_eq!(slugify("退款率（Refund Rate）"), "退款率refund-rate");
        assert_eq!(slugify("DSR 评分：怎么看？"), "dsr-评分怎么看");
        assert_eq!(slugify("！！！"), "section");
    }

    #[test]
    fn repeated_ids_get_suffixes() {
        let mut ids = IdAllocator::default();
        assert_eq!(ids.unique("小结".into()), "小结");
        assert_eq!(ids.unique("小结".into()), "小结-1");
        assert_eq!(ids.unique("小结".into()), "小结-2");
        assert_eq!(ids.unique("小结-1".into()), "小结-1-1");
        assert_eq!(ids.unique("a-1".into()), "a-1");
        assert_eq!(ids.unique("a".into()), "a");
        assert_eq!(ids.unique("a".into()), "a-2");
    }

    #[test]
    fn toc_nests_by_level() {
        let e = |level, id: &str| TocEntry {
            level,
            id: id.into(),
            title: id.into(),
            children: vec![],
        };
        let toc = nest(vec![e(2, "a"), e(3, "b"), e(4, "c"), e(2, "d"), e(4, "e")]);
        assert_eq!(toc.len(), 2);
        assert_eq!(toc[0].children[0].children[0].id, "c");
        assert_eq!(toc[1].children[0].id, "e");
    }
}
