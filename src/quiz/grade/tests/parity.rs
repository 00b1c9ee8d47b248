//! The grading cases as data, for the browser grader's parity test.
//!
//! Every case of the table above, the other hand-written cases of this file and some
//! extra edge cases of reading typed text are written to `tests/quiz/grade_cases.json`:
//! the question as the browser sees it (the practice view's type, points, body and
//! key), the answer in its JSON form, and the [`Grade`] this crate gives it.
//! `tests/quiz_parity.rs` runs `quiz.js` in Node over the file and compares.
//!
//! The file is committed; this test fails when it is stale. Regenerate it with
//! `UPDATE_GRADE_CASES=1 cargo test --lib grade_cases`.

use std::path::PathBuf;

use serde::Serialize;

use super::*;
use crate::quiz::view::{self, GraderQuestion, QuestionView, Renderers};

const FILE: &str = "tests/quiz/grade_cases.json";

#[derive(Serialize)]
struct Case<'a> {
    name: String,
    question: GraderQuestion<'a>,
    answer: serde_json::Value,
    expected: Grade,
}

/// Identity "Markdown": the view then carries the feedback as the grader returns it,
/// so the two graders' feedback can be compared string for string.
fn plain(text: &str) -> String {
    text.to_string()
}

fn no_source(_: &crate::quiz::Link) -> Option<String> {
    None
}

fn view_of(question: &Question, key: &AnswerKey) -> QuestionView {
    let render = Renderers {
        markdown: &plain,
        source: &no_source,
    };
    QuestionView::new(question, view::key_view(key, &render), &render)
}

/// Typed-text edge cases beyond the table: the JavaScript port must read widths,
/// whitespace, signs, commas, fractions and surrogate pairs exactly as `text.rs` does.
fn edge_cases() -> Vec<(String, Item, Answer)> {
    let mut cases = Vec::new();
    let number_inputs = [
        "７２Ｈ",
        "72 H",
        "+72",
        "72.0",
        "72.",
        "0072",
        "７２　小时",
        "72 小时。",
        "\u{a0}72\u{a0}",
        "\u{feff}72",
        "\u{85}72",
        "72\u{2028}",
        "1,500",
        "1,50",
        ",72",
        "72,",
        "1/0",
        "144/2",
        "--1",
        "-",
        ".",
        ".5",
        "5.",
        "7.2.1",
        "1e2",
        "0x48",
        "Infinity",
        "NaN",
        "72 小时 h",
        "72小时啊",
        "七十二小时",
        "72%",
    ];
    for input in number_inputs {
        cases.push((
            format!("edge: number {input:?}"),
            number(),
            Answer::Text(input.into()),
        ));
    }
    for input in [
        "1/4",
        "0.26",
        "0.24",
        "0.2599999",
        "1/4.0",
        " 1 / 4 ",
        "-0.25",
    ] {
        cases.push((
            format!("edge: ratio {input:?}"),
            ratio(),
            Answer::Text(input.into()),
        ));
    }
    for input in [
        "小二!",
        "小二~~",
        "小二…。",
        "淘宝小二?",
        "小\u{3000}二",
        "ＸＩＡＯ",
    ] {
        cases.push((
            format!("edge: text {input:?}"),
            text(),
            Answer::Text(input.into()),
        ));
    }
    let latin = item(
        1,
        Body::Text,
        Rule::Text {
            accepted: strings(&["DSR", "Ünïcode Straße"]),
        },
    );
    for input in [
        "ｄｓｒ",
        "d s r",
        "ünïcode strasse",
        "ÜNÏCODE STRAßE",
        "DSR.",
    ] {
        cases.push((
            format!("edge: latin text {input:?}"),
            latin.clone(),
            Answer::Text(input.into()),
        ));
    }
    for input in [
        "抱歉😀😀😀😀😀马上处理",
        "抱歉，马上处理 １００％ 没问题",
        "抱歉，马上处理，100%没问题",
        "抱歉，马上处理，第 一 名",
        "抱歉，马上处理，这是最后一次最好的",
        "对不起！！今天发出，第一时间，最晚明天",
        "ＤＵＩ不起，今天",
        "抱歉\t马上\n处理\u{3000}一下好吗",
    ] {
        cases.push((
            format!("edge: script {input:?}"),
            script(),
            Answer::Text(input.into()),
        ));
    }
    let one = item(
        2,
        Body::Ordering {
            items: strings(&["only"]),
        },
        Rule::Ordering { order: vec![0] },
    );
    cases.push(("edge: ordering of one".into(), one, Answer::Order(vec![0])));
    cases.push((
        "edge: all or nothing, right and wrong".into(),
        multiple(Scoring::AllOrNothing),
        Answer::Choices(vec![0, 1, 3]),
    ));
    cases.push((
        "edge: true_false as choice".into(),
        true_false(),
        Answer::Choice(0),
    ));
    cases.push((
        "edge: matching with a repeated right entry".into(),
        matching(),
        Answer::Matches(vec![Some(1), Some(1), Some(0)]),
    ));
    cases
}

/// The hand-written cases outside the table, with their own items.
fn other_cases() -> Vec<(String, Item, Answer)> {
    let mut cases = vec![(
        "script feedback names everything".to_string(),
        script(),
        text_answer("第一名"),
    )];
    let (q, k) = (single(), text());
    cases.push((
        "a key of another type".into(),
        Item {
            question: q.question.clone(),
            key: k.key,
        },
        Answer::Choice(1),
    ));
    cases.push((
        "a key shorter than the options".into(),
        Item {
            question: q.question,
            key: AnswerKey {
                explanation: String::new(),
                rule: Rule::Choice {
                    correct: vec![true],
                    feedback: vec![],
                    scoring: Scoring::AllOrNothing,
                },
            },
        },
        Answer::Choice(2),
    ));
    let example = include_str!("../../example.toml");
    let quiz = crate::quiz::parse(std::path::Path::new("example.toml"), example).unwrap();
    for item in quiz.items {
        for (how, answer) in [("blank", Answer::Blank), ("first", first_answer(&item))] {
            cases.push((
                format!("example {}: {how}", item.question.id),
                item.clone(),
                answer,
            ));
        }
    }
    cases
}

/// An answer of the right shape that picks the first of everything.
fn first_answer(item: &Item) -> Answer {
    match &item.question.body {
        Body::Single { .. } | Body::Scenario { .. } => Answer::Choice(0),
        Body::Multiple { .. } => Answer::Choices(vec![0, 2]),
        Body::TrueFalse => Answer::Bool(false),
        Body::Number { .. } => text_answer("500块"),
        Body::Text => text_answer("淘宝 小二"),
        Body::Ordering { items } => Answer::Order((0..items.len()).collect()),
        Body::Matching { left, .. } => Answer::Matches(vec![Some(0); left.len()]),
        Body::Script { .. } => text_answer("不好意思，明天给您发，包您满意，最快明天到。"),
    }
}

fn export() -> String {
    let table = table()
        .into_iter()
        .map(|(name, item, answer, ..)| (name.to_string(), item, answer));
    let all: Vec<(String, Item, Answer)> = table.chain(other_cases()).chain(edge_cases()).collect();
    let views: Vec<QuestionView> = all
        .iter()
        .map(|(_, item, _)| view_of(&item.question, &item.key))
        .collect();
    let cases: Vec<Case> = all
        .iter()
        .zip(&views)
        .map(|((name, item, answer), view)| Case {
            name: name.clone(),
            question: GraderQuestion::from(view),
            answer: view::answer_json(answer),
            expected: grade(&item.question, &item.key, answer),
        })
        .collect();
    // One case per line: reviewable diffs without thousands of lines.
    let lines: Vec<String> = cases
        .iter()
        .map(|c| serde_json::to_string(c).expect("plain data serializes"))
        .collect();
    format!("[\n{}\n]\n", lines.join(",\n"))
}

#[test]
fn grade_cases_json_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(FILE);
    let fresh = export();
    let cases: Vec<serde_json::Value> = serde_json::from_str(&fresh).unwrap();
    let names: std::collections::BTreeSet<&str> =
        cases.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names.len(), cases.len(), "case names are unique");
    assert!(cases.len() > table().len() + 50, "{} cases", cases.len());
    if std::env::var_os("UPDATE_GRADE_CASES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{FILE} is stale: the Rust grader or its cases changed. Regenerate it with \
         `UPDATE_GRADE_CASES=1 cargo test --lib grade_cases`, then run `cargo test --test quiz_parity`"
    );
}
