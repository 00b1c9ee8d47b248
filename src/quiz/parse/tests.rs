use std::path::Path;

use super::*;
use crate::quiz::model::{Body, QuestionType, Rule};

const EXAMPLE: &str = include_str!("../example.toml");

fn errors(text: &str) -> Vec<(usize, String)> {
    let problems = parse(Path::new("quizzes/q.toml"), text).expect_err("should fail");
    problems
        .into_iter()
        .map(|d| (d.location.line, d.message))
        .collect()
}

/// The one error `text` produces: its line and message.
fn only_error(text: &str) -> (usize, String) {
    let all = errors(text);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.into_iter().next().unwrap()
}

const HEAD: &str = "id = \"q\"\ntitle = \"练习\"\nkind = \"practice\"\n";

fn practice(questions: &str) -> String {
    format!("{HEAD}{questions}")
}

const SINGLE: &str = "[[questions]]\nid = \"a\"\ntype = \"single\"\nprompt = \"几小时？\"\noptions = [{ text = \"24\" }, { text = \"72\", correct = true }]\n";

#[test]
fn the_documented_example_parses() {
    let quiz = parse(Path::new("example.toml"), EXAMPLE).unwrap_or_else(|e| {
        panic!("{}", crate::error::render_all(&e));
    });
    assert_eq!(quiz.id, "after-sales-rules-exam");
    let types: Vec<QuestionType> = quiz
        .items
        .iter()
        .map(|i| i.question.body.question_type())
        .collect();
    assert_eq!(types.len(), 9, "every type appears once");
    let Kind::Exam(exam) = &quiz.kind else {
        panic!("an exam")
    };
    assert_eq!(exam.pass_mark_percent, 80);
    assert_eq!(exam.topic_quotas["退款"], 2);
    assert_eq!(exam.certificate.as_ref().unwrap().valid_days, Some(365));
    let source = quiz.items[0].question.source.as_ref().unwrap();
    assert_eq!(
        &EXAMPLE[source.span.clone()],
        "\"../content/rules/intervention.md#小二介入\""
    );
    assert_eq!(quiz.lessons[0].target, "rules/intervention.md");
}

#[test]
fn ordering_and_matching_are_shown_out_of_order_and_keyed_by_index() {
    let quiz = parse(Path::new("example.toml"), EXAMPLE).unwrap();
    let item = quiz
        .items
        .iter()
        .find(|i| i.question.id == "refund-steps")
        .unwrap();
    let (Body::Ordering { items }, Rule::Ordering { order }) =
        (&item.question.body, &item.key.rule)
    else {
        panic!("ordering")
    };
    let authored = [
        "查看订单状态",
        "核对退款原因",
        "与买家协商",
        "同意或拒绝退款",
    ];
    assert_ne!(items, &authored);
    let rebuilt: Vec<&str> = order.iter().map(|&i| items[i].as_str()).collect();
    assert_eq!(rebuilt, authored);
    let item = quiz
        .items
        .iter()
        .find(|i| i.question.id == "staffing-ratios")
        .unwrap();
    let (Body::Matching { left, right }, Rule::Matching { right_of }) =
        (&item.question.body, &item.key.rule)
    else {
        panic!("matching")
    };
    assert_eq!(left[0], "售后");
    assert_eq!(right[right_of[0]], "售前 × 1/4");
    assert_ne!(
        right_of,
        &[0, 1, 2],
        "the right column is not aligned with the left"
    );
}

#[test]
fn script_rubric_gets_the_default_forbidden_list() {
    let quiz = parse(Path::new("example.toml"), EXAMPLE).unwrap();
    let Rule::Script(rubric) = &quiz.items[8].key.rule else {
        panic!("script")
    };
    assert!(rubric.forbidden.iter().any(|f| f == "绝对"));
    assert!(rubric.forbidden.iter().any(|f| f == "包您满意"));
    assert!(rubric.allowed.iter().any(|f| f == "第一时间"));
    let mut quiz = quiz;
    quiz.add_site_phrases(&["保证".to_string()], &[]);
    let Rule::Script(rubric) = &quiz.items[8].key.rule else {
        panic!("script")
    };
    assert!(rubric.forbidden.iter().any(|f| f == "保证"));
}

#[test]
fn a_minimal_practice_quiz_parses() {
    let quiz = parse(Path::new("q.toml"), &practice(SINGLE)).unwrap();
    assert_eq!(quiz.kind, Kind::Practice);
    assert_eq!(quiz.items[0].question.points, 1);
}

/// Each case: the TOML, the line the error must point at, a phrase of its message.
#[test]
fn every_validation_error_points_at_its_line() {
    let exam_head = "id = \"e\"\ntitle = \"考试\"\nkind = \"exam\"\npass_mark_percent = 80\ntime_limit_minutes = 30\n";
    let cases: Vec<(String, usize, &str)> = vec![
        // unknown keys, at the quiz level and in a question
        (
            format!("{HEAD}titel = \"x\"\n{SINGLE}"),
            4,
            "unknown field `titel`",
        ),
        (
            practice(&SINGLE.replace("prompt", "promt")),
            7,
            "unknown field `promt`",
        ),
        (
            practice(&SINGLE.replace("{ text = \"24\" }", "{ txt = \"24\" }")),
            8,
            "unknown field `txt`",
        ),
        (
            practice(&SINGLE.replace("single", "singel")),
            6,
            "unknown variant `singel`",
        ),
        (
            format!("{HEAD}{SINGLE}tolerance = 1\n"),
            9,
            "`tolerance` does not apply to a `single` question",
        ),
        // duplicate question ids
        (
            practice(&format!("{SINGLE}{SINGLE}")),
            10,
            "duplicate question id `a`",
        ),
        // choice questions: no correct option, two for a single choice
        (
            practice(&SINGLE.replace(", correct = true", "")),
            8,
            "no option is marked correct",
        ),
        (
            practice(&SINGLE.replace("{ text = \"24\" }", "{ text = \"24\", correct = true }")),
            8,
            "2 options are marked correct",
        ),
        (
            practice(&SINGLE.replace("{ text = \"24\" }, ", "")),
            8,
            "at least 2 options",
        ),
        (
            practice(&SINGLE.replace("\"24\"", "\"72\"")),
            8,
            "option `72` appears twice",
        ),
        // answers that do not fit their question
        (
            practice(
                "[[questions]]\nid = \"t\"\ntype = \"true_false\"\nprompt = \"对吗\"\nanswer = \"对\"\n",
            ),
            8,
            "must be true or false",
        ),
        (
            practice(
                "[[questions]]\nid = \"n\"\ntype = \"number\"\nprompt = \"几\"\nanswer = \"72 小时\"\n",
            ),
            8,
            "must be a number",
        ),
        (
            practice(
                "[[questions]]\nid = \"n\"\ntype = \"number\"\nprompt = \"几\"\nanswer = 72\ntolerance = -1\n",
            ),
            9,
            "tolerance -1 is out of range",
        ),
        (
            practice("[[questions]]\nid = \"n\"\ntype = \"number\"\nprompt = \"几\"\n"),
            6,
            "needs `answer`",
        ),
        // empty prompt, bad points
        (
            practice(&SINGLE.replace("几小时？", " ")),
            7,
            "the prompt is empty",
        ),
        (
            practice(&format!("{SINGLE}points = 0\n")),
            9,
            "0 points is not allowed",
        ),
        // rubric with no required element
        (
            practice(
                "[[questions]]\nid = \"s\"\ntype = \"script\"\nprompt = \"写\"\n[questions.rubric]\nmax_chars = 100\n",
            ),
            8,
            "no required element",
        ),
        (
            practice(
                "[[questions]]\nid = \"s\"\ntype = \"script\"\nprompt = \"写\"\n[questions.rubric]\nmin_chars = 50\nmax_chars = 10\n[[questions.rubric.required]]\nname = \"道歉\"\nany_of = [\"抱歉\"]\n",
            ),
            10,
            "max_chars 10 is below min_chars 50",
        ),
        (
            practice(
                "[[questions]]\nid = \"o\"\ntype = \"ordering\"\nprompt = \"排\"\nitems = [\"a\"]\n",
            ),
            8,
            "at least 2 items",
        ),
        (
            practice(
                "[[questions]]\nid = \"m\"\ntype = \"matching\"\nprompt = \"配\"\npairs = [{ left = \"a\", right = \"x\" }, { left = \"a\", right = \"y\" }]\n",
            ),
            8,
            "`a` appears twice",
        ),
        (
            practice(
                "[[questions]]\nid = \"c\"\ntype = \"scenario\"\nprompt = \"回\"\noptions = [{ text = \"a\", correct = true }, { text = \"b\" }]\n",
            ),
            6,
            "needs `buyer_message`",
        ),
        // exam settings
        (
            format!("{exam_head}questions_per_attempt = 2\n{SINGLE}"),
            6,
            "draws 2 questions but the bank has only 1",
        ),
        (
            format!(
                "{}questions_per_attempt = 1\n{SINGLE}",
                exam_head.replace("80", "120")
            ),
            4,
            "pass mark 120% is outside 0–100",
        ),
        (
            format!("{exam_head}questions_per_attempt = 1\n[topic_quotas]\n\"退款\" = 1\n{SINGLE}"),
            8,
            "topic `退款` needs 1 questions per paper but the bank has 0",
        ),
        (
            format!("{exam_head}{SINGLE}"),
            3,
            "an exam needs `questions_per_attempt`",
        ),
        (
            format!("{HEAD}max_attempts = 3\n{SINGLE}"),
            4,
            "`max_attempts` only applies to exams",
        ),
        (HEAD.to_string(), 1, "the quiz has no questions"),
        (
            "id = \"a b\"\ntitle = \"x\"\nkind = \"practice\"\n".to_string() + SINGLE,
            1,
            "not a usable quiz id",
        ),
        // TOML syntax
        (practice("[[questions]]\nid = a\n"), 5, ""),
    ];
    for (text, line, phrase) in cases {
        let (got_line, message) = only_error(&text);
        assert!(
            message.contains(phrase),
            "{phrase:?} not in {message:?}\n{text}"
        );
        assert_eq!(got_line, line, "{message}\n{text}");
    }
}

#[test]
fn problems_in_several_questions_are_all_reported() {
    let bad = SINGLE.replace(", correct = true", "");
    let text = practice(&format!(
        "{bad}{}",
        bad.replace("\"a\"", "\"b\"").replace("prompt", "promt")
    ));
    let all = errors(&text);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert_eq!(all[0].0, 8);
    assert_eq!(all[1].0, 12);
}

#[test]
fn diagnostics_render_with_path_line_and_col() {
    let problems = parse(
        Path::new("quizzes/q.toml"),
        &practice(&format!("{SINGLE}{SINGLE}")),
    )
    .unwrap_err();
    let text = problems[0].to_string();
    assert!(text.contains("--> quizzes/q.toml:10:6"), "{text}");
    assert!(text.contains("hint: line 5 already uses it"), "{text}");
}
