use std::path::Path;

use super::*;
use crate::quiz::landing::LessonLink;
use crate::quiz::parse;

/// The documented example (an exam with every question type).
fn example() -> Quiz {
    parse(Path::new("example.toml"), include_str!("../example.toml")).unwrap()
}

fn practice() -> Quiz {
    let mut quiz = example();
    quiz.kind = Kind::Practice;
    quiz
}

fn md(text: &str) -> String {
    format!("<p>{}</p>", crate::markdown::escape_html(text))
}

fn source(link: &Link) -> Option<String> {
    let (file, anchor) = link.target.strip_prefix("../content/")?.split_once('#')?;
    Some(format!("../../{}/#{anchor}", file.strip_suffix(".md")?))
}

fn view(quiz: &Quiz) -> Result<PracticeView, NotPractice> {
    let render = Renderers {
        markdown: &md,
        source: &source,
    };
    let lessons = vec![LessonLink {
        title: "小二介入".into(),
        href: "../../rules/intervention/".into(),
    }];
    PracticeView::new(quiz, lessons, &render)
}

#[test]
fn an_exam_has_no_practice_view() {
    let err = view(&example()).unwrap_err();
    assert_eq!(err.id, "after-sales-rules-exam");
    assert!(err.to_string().contains("server"), "{err}");
}

#[test]
fn every_question_is_copied_with_its_key() {
    let v = view(&practice()).unwrap();
    assert_eq!(v.id, "after-sales-rules-exam");
    assert_eq!(v.title, "售后规则认证");
    assert_eq!(v.questions.len(), 9);
    assert_eq!(v.total_points, 10, "the first question is worth 2");
    let kinds: Vec<&str> = v.questions.iter().map(|q| q.kind).collect();
    assert_eq!(
        kinds,
        [
            "single",
            "multiple",
            "true_false",
            "number",
            "text",
            "ordering",
            "matching",
            "scenario",
            "script"
        ]
    );
    let q = &v.questions[0];
    assert_eq!(q.id, "intervention-hours");
    assert_eq!(q.points, 2);
    assert_eq!(q.topic.as_deref(), Some("退款"));
    assert_eq!(
        q.source.as_deref(),
        Some("../../rules/intervention/#小二介入")
    );
    assert!(
        q.prompt_html.starts_with("<p>买家申请退款后"),
        "{}",
        q.prompt_html
    );
    assert_eq!(q.body.options, ["24 小时", "72 小时", "7 天"]);
    assert!(q.key.explanation_html.starts_with("<p>退款中的订单"));
    match &q.key.rule {
        RuleView::Choice {
            correct,
            feedback_html,
            scoring,
        } => {
            assert_eq!(correct, &[false, true, false]);
            assert_eq!(feedback_html[1], "<p>对，72 小时（3 天）。</p>");
            assert_eq!(*scoring, "all_or_nothing");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bodies_and_keys_of_each_type() {
    let v = view(&practice()).unwrap();
    let by_id = |id: &str| v.questions.iter().find(|q| q.id == id).unwrap();

    let multiple = by_id("compensation-reasons");
    assert!(
        matches!(&multiple.key.rule, RuleView::Choice { scoring: "per_option", feedback_html, .. } if feedback_html[1].is_empty())
    );
    assert!(
        multiple.key.explanation_html.is_empty(),
        "no explanation, no <p></p>"
    );

    let tf = by_id("deadline-from-courier");
    assert!(
        matches!(&tf.key.rule, RuleView::TrueFalse { answer: true, feedback_true_html, feedback_false_html }
        if feedback_true_html.is_empty() && feedback_false_html.contains("揽收记录"))
    );

    let number = by_id("compensation-cap");
    assert_eq!(number.body.unit.as_deref(), Some("元"));
    assert!(
        matches!(&number.key.rule, RuleView::Number { value, units, .. } if *value == 500.0 && units == &["元", "块"])
    );

    let ordering = by_id("refund-steps");
    assert_eq!(ordering.body.items.len(), 4);
    let RuleView::Ordering { order } = &ordering.key.rule else {
        panic!()
    };
    let in_order: Vec<&str> = order
        .iter()
        .map(|&i| ordering.body.items[i].as_str())
        .collect();
    assert_eq!(
        in_order,
        [
            "查看订单状态",
            "核对退款原因",
            "与买家协商",
            "同意或拒绝退款"
        ]
    );

    let matching = by_id("staffing-ratios");
    assert_eq!(matching.body.left, ["售后", "催付", "售前"]);
    let RuleView::Matching { right_of } = &matching.key.rule else {
        panic!()
    };
    assert_eq!(matching.body.right[right_of[0]], "售前 × 1/4");

    let scenario = by_id("late-parcel-reply");
    assert_eq!(
        scenario.body.buyer_message.as_deref(),
        Some("都三天了还不发货？你们是不是没货了！")
    );
    assert_eq!(scenario.body.options.len(), 3);

    let script = by_id("apology-script");
    assert_eq!(
        (script.body.min_chars, script.body.max_chars),
        (Some(20), Some(120))
    );
    let RuleView::Script {
        required,
        forbidden,
        advertising_law,
        allowed,
    } = &script.key.rule
    else {
        panic!()
    };
    assert_eq!(required[0].name, "道歉");
    assert!(forbidden.iter().any(|f| f == "包您满意"));
    assert!(forbidden.iter().any(|f| f == "最"));
    assert!(advertising_law.iter().any(|f| f == "最"));
    assert!(!advertising_law.iter().any(|f| f == "包您满意"));
    assert!(allowed.iter().any(|a| a == "最快明天"));
}

#[test]
fn an_unresolved_source_is_left_out() {
    let mut quiz = practice();
    quiz.items[0].question.source.as_mut().unwrap().target = "nowhere.md".into();
    let v = view(&quiz).unwrap();
    assert_eq!(v.questions[0].source, None);
}

#[test]
fn the_key_json_is_safe_inline_and_complete() {
    let mut quiz = practice();
    quiz.items[0].key.rule = Rule::Choice {
        correct: vec![false, true, false],
        feedback: vec![
            "</script><script>alert(1)</script> & more".into(),
            "".into(),
            "".into(),
        ],
        scoring: Scoring::AllOrNothing,
    };
    let v = view(&quiz).unwrap();
    for bad in ["<", ">", "&", "\u{2028}"] {
        assert!(!v.key_json.contains(bad), "{bad:?} in {}", v.key_json);
    }
    let data: serde_json::Value = serde_json::from_str(&v.key_json).unwrap();
    assert_eq!(data["quiz"], "after-sales-rules-exam");
    let first = &data["questions"][0];
    assert_eq!(first["id"], "intervention-hours");
    assert_eq!(first["type"], "single");
    assert_eq!(first["points"], 2);
    assert_eq!(first["body"]["options"][1], "72 小时");
    assert_eq!(first["key"]["rule"]["kind"], "choice");
    assert_eq!(first["key"]["rule"]["correct"][1], true);
    assert_eq!(
        first["key"]["rule"]["feedback_html"][0],
        "<p>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>"
    );
    assert!(first.get("prompt_html").is_none(), "the page shows prompts");
    let script = &data["questions"][8]["key"]["rule"];
    assert_eq!(script["kind"], "script");
    assert_eq!(script["required"][1]["name"], "给出处理时间");
}

#[test]
fn script_safe_keeps_json_meaning() {
    let raw = serde_json::json!({"s": "a<b>&c\u{2028}</script>"}).to_string();
    let safe = script_safe(&raw);
    assert_eq!(
        safe,
        r#"{"s":"a\u003cb\u003e\u0026c\u2028\u003c/script\u003e"}"#
    );
    let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
    assert_eq!(back["s"], "a<b>&c\u{2028}</script>");
}

#[test]
fn answers_have_one_json_form() {
    use serde_json::json;
    for (answer, want) in [
        (Answer::Blank, json!("blank")),
        (Answer::Choice(1), json!({"choice": 1})),
        (Answer::Choices(vec![0, 2]), json!({"choices": [0, 2]})),
        (Answer::Bool(false), json!({"bool": false})),
        (Answer::Text("72 小时".into()), json!({"text": "72 小时"})),
        (Answer::Order(vec![1, 0]), json!({"order": [1, 0]})),
        (
            Answer::Matches(vec![Some(1), None]),
            json!({"matches": [1, null]}),
        ),
    ] {
        assert_eq!(answer_json(&answer), want);
    }
}
