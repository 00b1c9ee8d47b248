//! Quizzes in the build: loading and cross-checks (snapshot of the messages), the quiz
//! index and exam landing pages, and the guarantee that no exam content reaches
//! `public/`.

mod common;

use common::Site;

/// A small handbook with two lessons that quizzes can point at.
fn handbook() -> Site {
    common::practice::lessons("")
}

const PRACTICE: &str = r#"id = "refund-practice"
title = "退款练习"
kind = "practice"
lessons = ["rules/refund.md"]

[[questions]]
id = "hours"
type = "number"
prompt = "买家申请退款多少小时后可以要求小二介入？"
answer = 72
unit = "小时"
source = "../content/rules/refund.md#小二介入"
explanation = "72 小时。"
"#;

/// An exam whose every candidate-facing or key text is a unique canary string, so
/// any occurrence under `public/` is a leak.
const EXAM: &str = r#"id = "refund-exam"
title = "售后规则认证"
kind = "exam"
lessons = ["rules/refund.md", "scripts/apology.md"]
pass_mark_percent = 80
time_limit_minutes = 20
questions_per_attempt = 2
max_attempts = 3
retake_after_hours = 24
reveal = "answers"

[topic_quotas]
"退款" = 1

[certificate]
name = "售后规则证书"
valid_days = 365

[[questions]]
id = "q1"
type = "single"
topic = "退款"
prompt = "金丝雀题干甲"
explanation = "金丝雀解析甲"
source = "../content/rules/refund.md#小二介入"
options = [
  { text = "金丝雀选项甲一", feedback = "金丝雀反馈甲一" },
  { text = "金丝雀选项甲二", correct = true, feedback = "金丝雀反馈甲二" },
]

[[questions]]
id = "q2"
type = "text"
topic = "退款"
prompt = "金丝雀题干乙"
accepted = ["金丝雀答案乙"]
source = "../content/rules/refund.md#赔付上限"

[[questions]]
id = "q3"
type = "scenario"
topic = "话术"
buyer_message = "金丝雀买家消息丙"
prompt = "金丝雀题干丙"
options = [
  { text = "金丝雀回复丙一", correct = true },
  { text = "金丝雀回复丙二", feedback = "金丝雀反馈丙二" },
]
source = "../content/scripts/apology.md#先道歉"

[[questions]]
id = "q4"
type = "script"
topic = "话术"
prompt = "金丝雀题干丁"
explanation = "金丝雀解析丁"
source = "../content/scripts/apology.md#先道歉"

[questions.rubric]
forbidden = ["金丝雀禁用词丁"]

[[questions.rubric.required]]
name = "金丝雀要素丁"
any_of = ["金丝雀措辞丁"]

[[questions]]
id = "q5"
type = "matching"
topic = "退款"
prompt = "金丝雀题干戊"
pairs = [
  { left = "金丝雀左戊一", right = "金丝雀右戊一" },
  { left = "金丝雀左戊二", right = "金丝雀右戊二" },
]
source = "../content/rules/refund.md#赔付上限"

[[questions]]
id = "q6"
type = "ordering"
topic = "退款"
prompt = "金丝雀题干己"
items = ["金丝雀步骤己一", "金丝雀步骤己二", "金丝雀步骤己三"]
source = "../content/rules/refund.md"
"#;

#[test]
fn quizzes_get_an_index_and_exams_a_landing_page() {
    let site = handbook();
    site.file("quizzes/practice.toml", PRACTICE)
        .file("quizzes/exam.toml", EXAM)
        .file("quizzes/README.md", "出题说明\n");
    let report = site.build().unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let index = site.read("public/quizzes/index.html");
    assert!(
        index.contains(r#"<a href="refund-practice/">退款练习</a>"#),
        "{index}"
    );
    assert!(
        index.contains(r#"<a href="../exams/refund-exam/">售后规则认证</a>"#),
        "{index}"
    );
    assert!(index.contains("每次 2 道题"), "{index}");
    // Every page links to the index from the sidebar.
    let lesson = site.read("public/rules/refund/index.html");
    assert!(
        lesson.contains(r#"href="../../quizzes/">练习与认证</a>"#),
        "{lesson}"
    );
    // Quiz pages show the handbook's sidebar like every other page.
    assert!(
        index.contains(r#"<nav class="site-nav""#) && index.contains(r#"href="../rules/""#),
        "{index}"
    );
    let landing = site.read("public/exams/refund-exam/index.html");
    assert!(landing.contains(r#"href="../../rules/""#), "{landing}");
    let main = &landing[landing.find("<main").unwrap()..landing.find("</main>").unwrap()];
    insta::assert_snapshot!(main);
    let sitemap = site.read("public/sitemap.xml");
    assert!(
        sitemap.contains("https://kb.example/exams/refund-exam/"),
        "{sitemap}"
    );
    assert!(sitemap.contains("https://kb.example/quizzes/"), "{sitemap}");
}

#[test]
fn a_site_without_quizzes_has_no_quiz_pages() {
    let site = handbook();
    site.build().unwrap();
    assert!(!site.path("public/quizzes").exists());
    assert!(!site.read("public/index.html").contains("练习与认证"));
}

#[test]
fn no_exam_text_reaches_public() {
    let site = handbook();
    site.file("quizzes/exam.toml", EXAM);
    site.build().unwrap();
    let tree = site.tree("public");
    assert!(tree.contains_key("exams/refund-exam/index.html"));
    let canaries: Vec<&str> = EXAM
        .match_indices("金丝雀")
        .map(|(i, _)| {
            let rest = &EXAM[i..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert!(canaries.len() >= 25, "{canaries:?}");
    for (path, bytes) in &tree {
        let text = String::from_utf8_lossy(bytes);
        for canary in &canaries {
            assert!(
                !text.contains(canary),
                "{path} contains exam text `{canary}`"
            );
        }
    }
}

#[test]
fn quiz_mistakes_are_all_reported_with_locations() {
    let site = handbook();
    let broken_links = PRACTICE
        .replace(
            "rules/refund.md\"]",
            "rules/refnud.md\", \"https://example.com\"]",
        )
        .replace("#小二介入", "#小二接入");
    site.file("quizzes/a.toml", &broken_links)
        .file(
            "quizzes/b.toml",
            &PRACTICE.replace("../content/rules/refund.md", "../content/rules/missing.md"),
        )
        .file(
            "quizzes/c.toml",
            &PRACTICE.replace("../content/rules/refund.md#小二介入", "rules/refund.md"),
        )
        .file(
            "quizzes/d.toml",
            "id = \"x\"\ntitle = \"坏\"\nkind = \"quiz\"\n",
        )
        .file("quizzes/notes.json", "{}");
    insta::assert_snapshot!(site.build_errors());
}

#[test]
fn a_quiz_cannot_take_a_lesson_url() {
    let site = handbook();
    site.page("exams/refund-exam.md", "title = \"冲突\"", "x\n")
        .file("quizzes/exam.toml", EXAM);
    let errors = site.build_errors();
    assert!(
        errors.contains("the quiz's page /exams/refund-exam/ is also a lesson's URL"),
        "{errors}"
    );
    assert!(errors.contains("quizzes/exam.toml:1:6"), "{errors}");
}

#[test]
fn site_phrases_reach_every_rubric() {
    let site = handbook();
    site.file(
        "shouce.toml",
        "title = \"t\"\n[quizzes]\nforbidden = [\"包邮到家\"]\nallowed = [\"最晚后天\"]\n",
    );
    site.file("quizzes/exam.toml", EXAM);
    site.build().unwrap();
    let (quizzes, problems) = shouce::site::quizbank::load(site.root(), None);
    assert!(problems.is_empty());
    assert_eq!(quizzes.len(), 1);
    let config = shouce::config::Config::parse(
        std::path::Path::new("shouce.toml"),
        &site.read("shouce.toml"),
    )
    .unwrap();
    let (quizzes, _) = shouce::site::quizbank::load(site.root(), Some(&config));
    let rubric = quizzes[0]
        .quiz
        .items
        .iter()
        .find_map(|i| match &i.key.rule {
            shouce::quiz::Rule::Script(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap();
    assert!(rubric.forbidden.iter().any(|f| f == "包邮到家"));
    assert!(rubric.forbidden.iter().any(|f| f == "金丝雀禁用词丁"));
    assert!(rubric.allowed.iter().any(|f| f == "最晚后天"));
}
