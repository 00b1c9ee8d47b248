//! Practice quizzes in the built site: each has a page at `/quizzes/<id>/`, lessons
//! embed them with a ```` ```quiz ```` block, `quiz.js` loads only where a quiz is, the
//! print view links to them, and embedding an unknown quiz or an exam is a located
//! error. The browser side is `tests/browser/quiz.mjs` (run by `tests/browser.rs`).

mod common;

use common::{practice, unhash};

/// The inline key of the quiz on `html`, parsed.
fn key_json(html: &str, quiz: &str) -> serde_json::Value {
    let open =
        format!("<script type=\"application/json\" class=\"quiz-key\" id=\"quiz-{quiz}-key\">");
    let start = html.find(&open).expect("the key script") + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

#[test]
fn a_practice_quiz_gets_its_own_page() {
    let site = practice::site();
    site.build().unwrap();
    let html = unhash(&site.read("public/quizzes/rules-practice/index.html"));
    insta::assert_snapshot!("practice_page", html);
}

#[test]
fn lessons_embed_quizzes_and_load_the_script_once() {
    let site = practice::site();
    site.build().unwrap();
    let lesson = site.read("public/scripts/apology/index.html");
    for quiz in ["rules-practice", "short-practice"] {
        assert!(
            lesson.contains(&format!(
                "<section class=\"quiz quiz-embedded\" id=\"quiz-{quiz}\""
            )),
            "{quiz} is embedded"
        );
        assert_eq!(key_json(&lesson, quiz)["quiz"], quiz);
    }
    assert_eq!(
        lesson.matches("/quiz.").count(),
        1,
        "quiz.js is loaded once"
    );
    assert!(!lesson.contains('\u{F8F2}'), "no marker is left");
    // the embed's links are relative to the lesson
    assert!(lesson.contains("<a href=\"../../rules/refund/#小二介入\">回到课文看出处</a>"));
    assert!(lesson.contains("<a href=\"../../quizzes/short-practice/\">在单独页面练习</a>"));

    let plain = site.read("public/rules/refund/index.html");
    assert!(
        !plain.contains("/quiz."),
        "a lesson without a quiz does not load quiz.js"
    );
    assert!(!plain.contains("class=\"quiz"));

    // the print view gets a note linking to each quiz, not the form
    let print = site.read("public/print/index.html");
    assert!(
        print.contains("练习：<a href=\"../quizzes/rules-practice/\">售后规则练习</a>（共 9 题")
    );
    assert!(!print.contains("quiz-key") && !print.contains("<form"));

    // the exam next to them stays on the server
    for (file, bytes) in site.tree("public") {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("考试题干") && !text.contains("考试答案"),
            "{file} leaks the exam"
        );
    }

    let sitemap = site.read("public/sitemap.xml");
    assert!(sitemap.contains("<loc>https://kb.example/quizzes/rules-practice/</loc>"));
}

#[test]
fn the_inline_key_is_what_the_browser_grader_needs() {
    let site = practice::site();
    site.build().unwrap();
    let html = site.read("public/quizzes/rules-practice/index.html");
    let key = key_json(&html, "rules-practice");
    let questions = key["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 9);
    let first = &questions[0];
    assert_eq!(first["type"], "single");
    assert_eq!(
        first["key"]["rule"]["correct"],
        serde_json::json!([false, true, false])
    );
    assert_eq!(
        first["key"]["explanation_html"],
        "<p>退款申请 <strong>72 小时</strong>后可以要求小二介入。</p>\n"
    );
    // the site's forbidden phrases reach the browser's rubric
    let script = &questions[8]["key"]["rule"];
    assert!(
        script["forbidden"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "全网")
    );
    // nothing in the inline JSON can close the script element
    let start = html.find("class=\"quiz-key\"").unwrap();
    let inline = &html[start..start + html[start..].find("</script>").unwrap()];
    assert!(!inline[inline.find('>').unwrap() + 1..].contains('<'));
}

#[test]
fn an_exam_is_never_embedded_and_unknown_ids_are_located() {
    let site = practice::site();
    site.page(
        "rules/more.md",
        "title = \"更多\"",
        "正文\n\n```quiz\nrules-exam\n```\n\n```quiz\nrule-practice\n```\n\n```quiz\nshort-practice\n```\n\n```quiz\nshort-practice\n```\n",
    );
    let errors = site.build_errors();
    insta::assert_snapshot!("embed_errors", errors);
    assert!(!site.path("public").exists(), "nothing is written");
}

/// `dev` rebuilds in place from a cache: editing a quiz must re-render the lessons
/// that embed it, and removing an embed must drop it, exactly as a full build would.
#[test]
fn incremental_rebuilds_follow_quiz_edits() {
    use shouce::build;
    let site = practice::site();
    let options = site.options();
    let mut cache = build::Cache::default();
    build::build_incremental(&options, &mut cache).unwrap();
    assert_eq!(site.tree("public"), site.full_build_tree());

    site.file(
        "quizzes/short.toml",
        &practice::SHORT.replace("退款申请 72 小时后", "改过的题干：72 小时后"),
    );
    build::build_incremental(&options, &mut cache).unwrap();
    assert!(
        site.read("public/scripts/apology/index.html")
            .contains("改过的题干")
    );
    assert!(
        site.tree("public") == site.full_build_tree(),
        "after editing a quiz"
    );

    site.page(
        "scripts/apology.md",
        "title = \"道歉话术\"",
        "## 先道歉\n\n先道歉。\n",
    );
    build::build_incremental(&options, &mut cache).unwrap();
    assert!(
        !site
            .read("public/scripts/apology/index.html")
            .contains("class=\"quiz")
    );
    assert!(
        site.tree("public") == site.full_build_tree(),
        "after removing the embeds"
    );
}

/// A quiz's Markdown may link to lessons the way `source` does (relative to the quiz
/// file); each page showing the quiz gets hrefs relative to itself, in the HTML and in
/// the inline key the browser shows after an answer.
const LINKED: &str = r#"id = "linked-practice"
title = "带链接的练习"
kind = "practice"

[[questions]]
id = "where"
type = "true_false"
prompt = "见[退款规则](../content/rules/refund.md#小二介入)：72 小时后可以要求小二介入。"
answer = true
feedback_false = "再读一遍[赔付上限](../content/rules/refund.md#赔付上限)。"
explanation = "出处：[道歉话术](../content/scripts/apology.md)；外部链接[淘宝规则](https://rule.taobao.com/)不变。"
"#;

#[test]
fn links_in_quiz_markdown_lead_to_lessons_from_every_page() {
    let site = practice::lessons("\n```quiz\nlinked-practice\n```\n");
    site.file("quizzes/linked.toml", LINKED);
    site.build().unwrap();
    // (pulldown-cmark percent-encodes the anchors: #小二介入, #赔付上限)
    let intervention = "rules/refund/#%E5%B0%8F%E4%BA%8C%E4%BB%8B%E5%85%A5";
    let cap = "rules/refund/#%E8%B5%94%E4%BB%98%E4%B8%8A%E9%99%90";
    for (page, root) in [
        ("public/quizzes/linked-practice/index.html", "../../"),
        ("public/scripts/apology/index.html", "../../"),
    ] {
        let html = site.read(page);
        assert!(
            html.contains(&format!(
                "<a href=\"{root}{intervention}\" rel=\"noopener\">退款规则</a>"
            )),
            "{page}: the prompt's link"
        );
        assert!(!html.contains("__shouce_root__"), "{page}: no mark is left");
        assert!(!html.contains("content/"), "{page}: no link into content/");
        let key = key_json(&html, "linked-practice");
        let rule = &key["questions"][0]["key"];
        assert_eq!(
            rule["rule"]["feedback_false_html"],
            format!("<p>再读一遍<a href=\"{root}{cap}\" rel=\"noopener\">赔付上限</a>。</p>\n")
        );
        assert_eq!(
            rule["explanation_html"],
            format!(
                "<p>出处：<a href=\"{root}scripts/apology/\" rel=\"noopener\">道歉话术</a>；外部链接\
                 <a href=\"https://rule.taobao.com/\" rel=\"noopener\">淘宝规则</a>不变。</p>\n"
            )
        );
    }
    // Embedded on the home page, the links lead from the root.
    let site = practice::lessons("");
    site.page(
        "_index.md",
        "title = \"首页\"",
        "```quiz\nlinked-practice\n```\n",
    );
    site.file("quizzes/linked.toml", LINKED);
    site.build().unwrap();
    let home = site.read("public/index.html");
    assert!(home.contains(&format!(
        "<a href=\"{intervention}\" rel=\"noopener\">退款规则</a>"
    )));
}

#[test]
fn broken_links_in_quiz_markdown_are_located() {
    let site = practice::lessons("");
    site.file(
        "quizzes/linked.toml",
        &LINKED
            .replace("refund.md#赔付上限", "refund.md#赔付")
            .replace(
                "../content/scripts/apology.md",
                "../content/scripts/sorry.md",
            )
            .replace("(../content/rules/refund.md#小二介入)", "(refund.md)"),
    );
    let errors = site.build_errors();
    insta::assert_snapshot!("quiz_markdown_link_errors", errors);
}
