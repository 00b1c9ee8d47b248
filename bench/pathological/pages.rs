//! Pathological pages: each one a Markdown body that would make a quadratic stage of
//! the build take minutes. Shared by `tests/hostile.rs` (which bounds their build time
//! with a generous budget) and the `pathological` benchmark (`bench/pathological/main.rs`,
//! which prints the time of each at two sizes).

#![allow(dead_code)]

/// A page maker: its name, the size the test uses, and the maker (size → Markdown).
pub type Maker = (&'static str, usize, fn(usize) -> String);

/// Every pathological page.
pub const ALL: [Maker; 11] = [
    ("repeated-headings", 50_000, repeated_headings),
    ("nested-lists", 10_000, nested_lists),
    ("nested-blockquotes", 10_000, nested_blockquotes),
    ("nested-html", 10_000, nested_html),
    ("nested-inline-html", 10_000, nested_inline_html),
    ("nested-quotes-and-html", 10_000, nested_quotes_and_html),
    ("nested-emphasis", 10_000, nested_emphasis),
    ("nested-links", 10_000, nested_links),
    ("long-line", 700_000, long_line),
    ("many-footnotes", 20_000, many_footnotes),
    ("wide-table", 5_000, wide_table),
];

/// The page called `name`, at the size the test uses.
pub fn page(name: &str) -> String {
    let (_, size, make) = ALL
        .iter()
        .find(|(n, _, _)| *n == name)
        .unwrap_or_else(|| panic!("no pathological page is called {name}"));
    make(*size)
}

/// `n` × `## 小结`: every one needs its own id (`小结-49999`).
fn repeated_headings(n: usize) -> String {
    "## 小结\n\n".repeat(n)
}

/// `- - - - … x`: a list item in a list item, `n` deep, on one line.
fn nested_lists(n: usize) -> String {
    format!("{}x\n", "- ".repeat(n))
}

fn nested_blockquotes(n: usize) -> String {
    format!("{}x\n", "> ".repeat(n))
}

/// A raw HTML block of `n` nested `<div>`s.
fn nested_html(n: usize) -> String {
    format!("{}x{}\n", "<div>".repeat(n), "</div>".repeat(n))
}

/// `n` nested `<span>`s inside a paragraph.
fn nested_inline_html(n: usize) -> String {
    format!("a {}x{}\n", "<span>".repeat(n), "</span>".repeat(n))
}

/// Blockquotes `n` deep on a page that has raw HTML, so the sanitizer sees them.
fn nested_quotes_and_html(n: usize) -> String {
    format!("<b>raw</b>\n\n{}", nested_blockquotes(n))
}

fn nested_emphasis(n: usize) -> String {
    format!("{}x{}\n", "*a ".repeat(n), " a*".repeat(n))
}

fn nested_links(n: usize) -> String {
    format!("{}x{}\n", "[".repeat(n), "](https://u)".repeat(n))
}

/// One line of `n` Chinese characters (3 bytes each).
fn long_line(n: usize) -> String {
    format!("{}\n", "长".repeat(n))
}

fn many_footnotes(n: usize) -> String {
    let refs: String = (0..n).map(|i| format!("见[^{i}]。")).collect();
    let defs: String = (0..n).map(|i| format!("[^{i}]: 注 {i}\n\n")).collect();
    format!("{refs}\n\n{defs}")
}

/// A table `n` columns wide and 20 rows long.
fn wide_table(n: usize) -> String {
    let row = |cell: &str| format!("|{}\n", format!(" {cell} |").repeat(n));
    format!("{}{}{}", row("h"), row("-"), row("c").repeat(20))
}
