//! Rendering tests: small inputs, the HTML snapshotted with insta.

use std::collections::HashMap;
use std::path::Path;

use super::*;
use crate::config::{Config, LinkPolicy};

struct FakeSite {
    pages: HashMap<&'static str, &'static str>,
}

impl SiteMap for FakeSite {
    fn page_url(&self, source: &str) -> Option<&str> {
        self.pages.get(source).copied()
    }
    fn has_asset(&self, path: &str) -> bool {
        path == "rules/flow.png"
    }
}

fn site() -> FakeSite {
    FakeSite {
        pages: HashMap::from([
            ("rules/refund.md", "rules/refund/"),
            ("start.md", "start/"),
            ("rules/_index.md", "rules/"),
        ]),
    }
}

fn render_with(body: &str, config: &Config) -> Rendered {
    let text = format!("+++\ntitle = \"t\"\n+++\n{body}");
    let highlighter = Highlighter::default();
    let source = Source {
        file: Path::new("content/rules/refund.md"),
        text: &text,
        body_start: text.find(body).unwrap_or(text.len()),
        source: "rules/refund.md",
        url_path: "rules/refund/",
    };
    let options = Options {
        markdown: &config.markdown,
        roles: &config.dialogue,
        highlighter: &highlighter,
    };
    render(source, &site(), options)
}

fn config() -> Config {
    Config::parse(Path::new("shouce.toml"), "title = \"t\"").unwrap()
}

fn html(body: &str) -> String {
    let r = render_with(body, &config());
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    r.html
}

#[test]
fn gfm_extensions() {
    insta::assert_snapshot!(html(
        "| 类型 | 赔付 |\n|---|:--:|\n| 缺货 | 30% |\n\n~~旧规则~~ 新规则[^1]\n\n- [x] 已核对地址\n- [ ] 已提醒验货\n\n[^1]: 以平台现行规则为准。\n"
    ));
}

#[test]
fn headings_get_unique_chinese_ids_and_a_toc() {
    let r = render_with(
        "## 小二介入\n### 72 小时\n## 小结\n## 小结\n## 自定义 {#custom}\n",
        &config(),
    );
    insta::assert_snapshot!(r.html);
    assert_eq!(
        r.anchors,
        vec!["小二介入", "72-小时", "小结", "小结-1", "custom"]
    );
    assert_eq!(r.toc.len(), 4);
    assert_eq!(r.toc[0].children[0].id, "72-小时");
}

#[test]
fn callouts_with_default_and_custom_titles() {
    insta::assert_snapshot!(html(
        "> [!NOTE]\n> 先安抚情绪。\n\n> [!RULE] 违背承诺：**扣 6 分**\n> 拒绝开具发票。\n\n> [!WARNING]\n>\n> 第二段。\n\n> 普通引用 [!TIP]\n"
    ));
}

#[test]
fn dialogue_blocks_render_as_a_transcript() {
    insta::assert_snapshot!(html(
        "```dialogue\n客户: 在吗？\n> 买家发来订单截图\n客服：亲，在的！请问有什么可以帮您？\n```\n"
    ));
}

#[test]
fn dialogue_errors_point_at_the_line() {
    let r = render_with(
        "文字\n\n```dialogue\n客户: 在吗？\n老板: 在\n```\n",
        &config(),
    );
    assert_eq!(r.diagnostics.len(), 1);
    let d = &r.diagnostics[0];
    assert_eq!((d.location.line, d.location.col), (8, 1));
    assert!(d.message.contains("老板"));
}

#[test]
fn quiz_blocks_leave_a_marker_and_a_located_ref() {
    let body = "前文\n\n```quiz\n  rules-practice\n```\n\n<b>raw</b> 后文\n";
    let r = render_with(body, &config());
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.quiz_refs.len(), 1);
    let text = format!("+++\ntitle = \"t\"\n+++\n{body}");
    assert_eq!(&text[r.quiz_refs[0].span.clone()], "rules-practice");
    // sanitizing (the page has raw HTML) keeps the marker
    assert!(r.markers.found_in(&r.html), "{}", r.html);
    assert!(!r.plain.contains("rules-practice"));

    let r = render_with("```quiz\na b\n```\n", &config());
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!(r.diagnostics[0].location.line, 4);
    assert!(r.quiz_refs.is_empty());
}

#[test]
fn snippets_are_markdown_and_always_sanitized() {
    assert_eq!(
        snippet("最早多久可以申请**小二介入**？<script>x</script>"),
        "<p>最早多久可以申请<strong>小二介入</strong>？</p>\n"
    );
}

#[test]
fn code_is_highlighted_with_classes() {
    let out = html("```json\n{\"title\": 1}\n```\n");
    assert!(out.contains("<pre class=\"code\" data-lang=\"json\">"));
    assert!(out.contains("class=\"sy-"));
}

#[test]
fn links_to_pages_and_files_become_relative_urls() {
    let r = render_with(
        "[a](../start.md) [b](refund.md#小二介入) [c](_index.md) [d](flow.png) [e](https://tmall.com) [f](#小结)\n\n![图](flow.png)\n",
        &config(),
    );
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    insta::assert_snapshot!(r.html);
    let refs: Vec<_> = r
        .anchor_refs
        .iter()
        .map(|a| (a.source.as_str(), a.anchor.as_str()))
        .collect();
    assert_eq!(
        refs,
        vec![("rules/refund.md", "小二介入"), ("rules/refund.md", "小结")]
    );
}

#[test]
fn broken_links_are_located_and_follow_the_policy() {
    let body = "正文\n见 [规则](missing.md) 和 [图](nope.png)。\n";
    let r = render_with(body, &config());
    assert_eq!(r.diagnostics.len(), 2);
    let d = &r.diagnostics[0];
    assert_eq!((d.location.line, d.location.col), (5, 8));
    assert!(d.is_error());
    let mut lenient = config();
    lenient.markdown.broken_links = LinkPolicy::Warn;
    let r = render_with(body, &lenient);
    assert!(r.diagnostics.iter().all(|d| !d.is_error()));
}

#[test]
fn raw_html_is_sanitised_unless_trusted() {
    let body = "<div onclick=\"steal()\">hi</div>\n\n<script>alert(1)</script>\n\n文字 <b>粗</b>\n";
    let out = html(body);
    assert!(
        !out.contains("<script") && !out.contains("onclick"),
        "{out}"
    );
    assert!(out.contains("<b>粗</b>"));
    let mut trusting = config();
    trusting.markdown.raw_html = crate::config::RawHtml::Trust;
    assert!(render_with(body, &trusting).html.contains("<script>"));
}

#[test]
fn plain_text_collects_words_for_counting() {
    let r = render_with(
        "## 标题\n\n正文**加粗**\n\n```dialogue\n客服: 你好\n```\n",
        &config(),
    );
    assert!(r.plain.contains("标题") && r.plain.contains("加粗") && r.plain.contains("你好"));
}
