//! Property tests over front matter + Markdown parsing: arbitrary input never panics,
//! and every diagnostic points inside the file it names.

use std::path::Path;

use proptest::prelude::*;
use shouce::config::Config;
use shouce::content::Page;
use shouce::markdown::{self, SiteMap, highlight::Highlighter};

struct NoSite;

impl SiteMap for NoSite {
    fn page_url(&self, source: &str) -> Option<&str> {
        (source == "a.md").then_some("a/")
    }
    fn has_asset(&self, _: &str) -> bool {
        false
    }
}

fn front_matter() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "title = \"[^\"\n]{0,12}\"",
        "weight = -?[0-9]{1,4}",
        "tags = \\[\"[a-z退款]{1,4}\"\\]",
        "review_by = 20[0-9]{2}-[01][0-9]-[0-3][0-9]",
        "draft = (true|false)",
        "[a-z_]{1,8} = [0-9\"]{1,3}",
        "\\[extra\\]",
        "[^\n]{0,10}",
    ];
    prop::collection::vec(line, 0..6).prop_map(|lines| lines.join("\n"))
}

fn markdown_body() -> impl Strategy<Value = String> {
    let block = prop_oneof![
        "#{1,6} [^\n]{0,10}( \\{#[a-z]{1,4}\\})?",
        "> \\[!(NOTE|RULE|TIP|BOGUS)\\][^\n]{0,8}\n> [^\n]{0,10}",
        "```dialogue\n((客户|客服|谁)[:：][^\n`]{0,8}\n){0,3}```",
        "```(rust|json|)\n[^`]{0,20}\n```",
        "\\[[^\\]\n]{0,5}\\]\\((a\\.md|b\\.md|#x|\\.\\./\\.\\./c\\.md|https://x\\.y)(#[^)\n]{0,4})?\\)",
        "\\| a \\| b \\|\n\\|---\\|---\\|\n\\| [^|\n]{0,4} \\| [^|\n]{0,4} \\|",
        "<[a-z]{1,6}[^>\n]{0,10}>[^\n]{0,6}",
        "[^\n]{0,30}",
    ];
    prop::collection::vec(block, 0..8).prop_map(|blocks| blocks.join("\n\n"))
}

fn check_locations(text: &str, diagnostics: &[shouce::error::Diagnostic]) {
    let lines = text.split('\n').count();
    for d in diagnostics {
        assert!(
            d.location.line >= 1 && d.location.line <= lines,
            "{d} (file has {lines} lines)"
        );
        let line_len = text
            .split('\n')
            .nth(d.location.line - 1)
            .map_or(0, |l| l.chars().count());
        assert!(d.location.col >= 1 && d.location.col <= line_len + 1, "{d}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_text_parses_or_fails_cleanly(text in "\\PC{0,200}") {
        if let Err(diagnostics) = Page::parse("x.md", text.clone()) {
            prop_assert!(!diagnostics.is_empty());
            check_locations(&text, &diagnostics);
        }
    }

    #[test]
    fn generated_pages_render_without_panicking(front in front_matter(), body in markdown_body()) {
        let text = format!("+++\n{front}\n+++\n{body}\n");
        let config = Config::parse(Path::new("shouce.toml"), "title = \"t\"").unwrap();
        let highlighter = Highlighter::default();
        match Page::parse("dir/x.md", text.clone()) {
            Err(diagnostics) => check_locations(&text, &diagnostics),
            Ok(page) => {
                let source = markdown::Source { file: &page.file, text: &page.text, body_start: page.body_start, source: &page.source, url_path: &page.url_path };
                let options = markdown::Options { markdown: &config.markdown, roles: &config.dialogue, highlighter: &highlighter };
                let rendered = markdown::render(source, &NoSite, options);
                check_locations(&text, &rendered.diagnostics);
                prop_assert!(!rendered.html.contains("<script"));
                for r in &rendered.anchor_refs {
                    prop_assert!(r.span.end <= text.len());
                }
            }
        }
    }
}
