//! Table tests: for every question type, right, wrong, partial (where the type gives
//! partial credit), empty and malformed answers. The browser grader's parity test
//! should run these same cases.

use super::*;
use crate::quiz::model::{DEFAULT_ALLOWED, DEFAULT_FORBIDDEN, Element, Item};

fn item(points: u32, body: Body, rule: Rule) -> Item {
    Item {
        question: Question {
            id: "q".into(),
            prompt: "？".into(),
            points,
            topic: None,
            source: None,
            body,
        },
        key: AnswerKey {
            explanation: String::new(),
            rule,
        },
    }
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn single() -> Item {
    item(
        2,
        Body::Single {
            options: strings(&["24 小时", "72 小时", "7 天"]),
        },
        Rule::Choice {
            correct: vec![false, true, false],
            feedback: strings(&["太早了。", "对，72 小时。", ""]),
            scoring: Scoring::AllOrNothing,
        },
    )
}

fn multiple(scoring: Scoring) -> Item {
    item(
        4,
        Body::Multiple {
            options: strings(&["卖家缺货", "未按约定时间发货", "拍错了", "不想买了"]),
        },
        Rule::Choice {
            correct: vec![true, true, false, false],
            feedback: strings(&["缺货赔 30%。", "", "买家原因。", ""]),
            scoring,
        },
    )
}

fn true_false() -> Item {
    item(
        1,
        Body::TrueFalse,
        Rule::TrueFalse {
            answer: true,
            feedback_true: String::new(),
            feedback_false: "以揽收记录为准。".into(),
        },
    )
}

fn number() -> Item {
    item(
        1,
        Body::Number {
            unit: Some("小时".into()),
        },
        Rule::Number {
            value: 72.0,
            tolerance: 0.0,
            units: strings(&["小时", "h"]),
        },
    )
}

fn ratio() -> Item {
    item(
        1,
        Body::Number { unit: None },
        Rule::Number {
            value: 0.25,
            tolerance: 0.01,
            units: vec![],
        },
    )
}

fn text() -> Item {
    item(
        1,
        Body::Text,
        Rule::Text {
            accepted: strings(&["小二", "淘宝小二"]),
        },
    )
}

/// Displayed as [C, A, B, D]; the right order is A B C D = [1, 2, 0, 3].
fn ordering() -> Item {
    item(
        6,
        Body::Ordering {
            items: strings(&["C", "A", "B", "D"]),
        },
        Rule::Ordering {
            order: vec![1, 2, 0, 3],
        },
    )
}

fn matching() -> Item {
    item(
        3,
        Body::Matching {
            left: strings(&["售后", "催付", "售前"]),
            right: strings(&["总接待量 ÷ 饱和接待量", "售前 × 1/4", "售前 × 1/6"]),
        },
        Rule::Matching {
            right_of: vec![1, 2, 0],
        },
    )
}

fn scenario() -> Item {
    item(
        1,
        Body::Scenario {
            buyer_message: "还不发货？".into(),
            options: strings(&["我们是全网最快的。", "非常抱歉，我马上查询。"]),
        },
        Rule::Choice {
            correct: vec![false, true],
            feedback: strings(&["绝对化用语。", ""]),
            scoring: Scoring::AllOrNothing,
        },
    )
}

fn script() -> Item {
    let element = |name: &str, any_of: &[&str]| Element {
        name: name.into(),
        any_of: strings(any_of),
    };
    item(
        4,
        Body::Script {
            min_chars: Some(10),
            max_chars: Some(60),
        },
        Rule::Script(Rubric {
            required: vec![
                element("道歉", &["抱歉", "对不起"]),
                element("处理时间", &["今天", "马上"]),
            ],
            forbidden: DEFAULT_FORBIDDEN.iter().map(|s| s.to_string()).collect(),
            allowed: DEFAULT_ALLOWED.iter().map(|s| s.to_string()).collect(),
        }),
    )
}

fn text_answer(s: &str) -> Answer {
    Answer::Text(s.into())
}

/// (case, question, answer, points awarded, full marks, a phrase of the feedback)
type Case = (&'static str, Item, Answer, f64, bool, &'static str);

/// The table: every type, right, wrong, partial, empty and malformed. Also exported
/// for the browser grader (see `grade_cases_json_is_current`).
fn table() -> Vec<Case> {
    use Answer::*;
    let any = Scoring::AllOrNothing;
    let per = Scoring::PerOption;
    vec![
        (
            "single right",
            single(),
            Choice(1),
            2.0,
            true,
            "对，72 小时",
        ),
        ("single wrong", single(), Choice(0), 0.0, false, "太早了"),
        ("single empty", single(), Blank, 0.0, false, "未作答"),
        (
            "single out of range",
            single(),
            Choice(3),
            0.0,
            false,
            "格式无效",
        ),
        (
            "single wrong shape",
            single(),
            text_answer("72"),
            0.0,
            false,
            "格式无效",
        ),
        (
            "multiple right",
            multiple(any),
            Choices(vec![1, 0]),
            4.0,
            true,
            "缺货赔 30%",
        ),
        (
            "multiple repeats ignored",
            multiple(any),
            Choices(vec![0, 1, 1]),
            4.0,
            true,
            "",
        ),
        (
            "multiple wrong",
            multiple(any),
            Choices(vec![2]),
            0.0,
            false,
            "买家原因",
        ),
        (
            "multiple partial, all or nothing",
            multiple(any),
            Choices(vec![0]),
            0.0,
            false,
            "还有 1 个正确选项",
        ),
        (
            "multiple partial, per option",
            multiple(per),
            Choices(vec![0]),
            2.0,
            false,
            "还有 1 个正确选项",
        ),
        (
            "per option: right minus wrong",
            multiple(per),
            Choices(vec![0, 1, 2]),
            2.0,
            false,
            "选了 1 个错误选项",
        ),
        (
            "per option: floored at 0",
            multiple(per),
            Choices(vec![0, 2, 3]),
            0.0,
            false,
            "",
        ),
        (
            "per option: everything ticked",
            multiple(per),
            Choices(vec![0, 1, 2, 3]),
            0.0,
            false,
            "",
        ),
        (
            "multiple empty",
            multiple(per),
            Choices(vec![]),
            0.0,
            false,
            "未作答",
        ),
        (
            "multiple out of range",
            multiple(per),
            Choices(vec![0, 9]),
            0.0,
            false,
            "格式无效",
        ),
        (
            "multiple wrong shape",
            multiple(any),
            Choice(0),
            0.0,
            false,
            "格式无效",
        ),
        ("true_false right", true_false(), Bool(true), 1.0, true, ""),
        (
            "true_false wrong",
            true_false(),
            Bool(false),
            0.0,
            false,
            "揽收记录",
        ),
        (
            "true_false empty",
            true_false(),
            Blank,
            0.0,
            false,
            "未作答",
        ),
        (
            "true_false wrong shape",
            true_false(),
            text_answer("对"),
            0.0,
            false,
            "格式无效",
        ),
        ("number right", number(), text_answer("72"), 1.0, true, ""),
        (
            "number full width with unit",
            number(),
            text_answer("７２ 小时"),
            1.0,
            true,
            "",
        ),
        (
            "number unit without space",
            number(),
            text_answer("72小时"),
            1.0,
            true,
            "",
        ),
        (
            "number unit alias",
            number(),
            text_answer("72h"),
            1.0,
            true,
            "",
        ),
        ("number wrong", number(), text_answer("48"), 0.0, false, ""),
        (
            "number wrong unit",
            number(),
            text_answer("72 天"),
            0.0,
            false,
            "单位“天”不对",
        ),
        (
            "number empty",
            number(),
            text_answer("  "),
            0.0,
            false,
            "未作答",
        ),
        (
            "number not a number",
            number(),
            text_answer("七十二"),
            0.0,
            false,
            "不对",
        ),
        (
            "number garbage",
            number(),
            text_answer("7.2.1"),
            0.0,
            false,
            "不是一个数字",
        ),
        (
            "number wrong shape",
            number(),
            Choice(72),
            0.0,
            false,
            "格式无效",
        ),
        (
            "fraction within tolerance",
            ratio(),
            text_answer("1/4"),
            1.0,
            true,
            "",
        ),
        (
            "decimal within tolerance",
            ratio(),
            text_answer("0.255"),
            1.0,
            true,
            "",
        ),
        (
            "decimal outside tolerance",
            ratio(),
            text_answer("0.3"),
            0.0,
            false,
            "",
        ),
        (
            "no unit expected",
            ratio(),
            text_answer("0.25 元"),
            0.0,
            false,
            "不是一个数字",
        ),
        ("text right", text(), text_answer("小二"), 1.0, true, ""),
        (
            "text normalised",
            text(),
            text_answer(" 淘宝 小二。"),
            1.0,
            true,
            "",
        ),
        ("text wrong", text(), text_answer("客服"), 0.0, false, ""),
        ("text empty", text(), text_answer(""), 0.0, false, "未作答"),
        (
            "text wrong shape",
            text(),
            Bool(true),
            0.0,
            false,
            "格式无效",
        ),
        (
            "ordering right",
            ordering(),
            Order(vec![1, 2, 0, 3]),
            6.0,
            true,
            "",
        ),
        (
            "ordering reversed",
            ordering(),
            Order(vec![3, 0, 2, 1]),
            0.0,
            false,
            "6 组先后关系中排对了 0 组",
        ),
        (
            "ordering one swap: 5 of 6 pairs",
            ordering(),
            Order(vec![2, 1, 0, 3]),
            5.0,
            false,
            "排对了 5 组",
        ),
        (
            "ordering as displayed: 4 of 6 pairs",
            ordering(),
            Order(vec![0, 1, 2, 3]),
            4.0,
            false,
            "",
        ),
        (
            "ordering empty",
            ordering(),
            Order(vec![]),
            0.0,
            false,
            "未作答",
        ),
        (
            "ordering repeated item",
            ordering(),
            Order(vec![1, 1, 0, 3]),
            0.0,
            false,
            "格式无效",
        ),
        (
            "ordering too short",
            ordering(),
            Order(vec![1, 2, 0]),
            0.0,
            false,
            "格式无效",
        ),
        (
            "ordering out of range",
            ordering(),
            Order(vec![1, 2, 0, 4]),
            0.0,
            false,
            "格式无效",
        ),
        (
            "matching right",
            matching(),
            Matches(vec![Some(1), Some(2), Some(0)]),
            3.0,
            true,
            "",
        ),
        (
            "matching wrong",
            matching(),
            Matches(vec![Some(0), Some(1), Some(2)]),
            0.0,
            false,
            "配对正确 0 组",
        ),
        (
            "matching partial",
            matching(),
            Matches(vec![Some(1), None, Some(2)]),
            1.0,
            false,
            "配对正确 1 组",
        ),
        (
            "matching empty",
            matching(),
            Matches(vec![None, None, None]),
            0.0,
            false,
            "未作答",
        ),
        (
            "matching wrong length",
            matching(),
            Matches(vec![Some(1)]),
            0.0,
            false,
            "格式无效",
        ),
        (
            "matching out of range",
            matching(),
            Matches(vec![Some(1), Some(2), Some(7)]),
            0.0,
            false,
            "格式无效",
        ),
        ("scenario right", scenario(), Choice(1), 1.0, true, ""),
        (
            "scenario wrong",
            scenario(),
            Choice(0),
            0.0,
            false,
            "绝对化用语",
        ),
        ("scenario empty", scenario(), Blank, 0.0, false, "未作答"),
        (
            "scenario malformed",
            scenario(),
            Choices(vec![1]),
            0.0,
            false,
            "格式无效",
        ),
        (
            "script right",
            script(),
            text_answer("亲，非常抱歉让您久等了，我马上帮您查询。"),
            4.0,
            true,
            "",
        ),
        (
            "script full width and spaces",
            script(),
            text_answer("亲，对 不起，今天一定给您发出。"),
            4.0,
            true,
            "",
        ),
        (
            "script allowed phrase",
            script(),
            text_answer("非常抱歉，我们第一时间处理，今天发出。"),
            4.0,
            true,
            "",
        ),
        (
            "script missing element",
            script(),
            text_answer("亲，我马上帮您查询一下物流。"),
            2.0,
            false,
            "缺少要点：道歉",
        ),
        (
            "script forbidden word",
            script(),
            text_answer("抱歉，我们马上发，是全网最快的！"),
            0.0,
            false,
            "禁用词“最”",
        ),
        (
            "script forbidden word is the law's",
            script(),
            text_answer("抱歉，我们马上发，是全网最快的！"),
            0.0,
            false,
            "（《广告法》禁止绝对化用语）",
        ),
        (
            "script site phrase is not the law's",
            {
                let mut item = script();
                item.key.rule = match item.key.rule {
                    Rule::Script(mut rubric) => {
                        rubric.forbidden.push("包您满意".into());
                        Rule::Script(rubric)
                    }
                    other => other,
                };
                item
            },
            text_answer("抱歉，我们马上发货，包您满意。"),
            2.0,
            false,
            "使用了禁用词“包您满意”。",
        ),
        (
            "script one forbidden, half left",
            script(),
            text_answer("抱歉，我们马上发，绝对没问题。"),
            2.0,
            false,
            "禁用词“绝对”",
        ),
        (
            "script too short",
            script(),
            text_answer("抱歉，马上"),
            2.0,
            false,
            "少于下限 10 字",
        ),
        (
            "script too long",
            script(),
            text_answer(&"抱歉马上".repeat(20)),
            2.0,
            false,
            "超过上限 60 字",
        ),
        (
            "script wrong",
            script(),
            text_answer("请耐心等待物流更新信息。"),
            0.0,
            false,
            "缺少要点：处理时间",
        ),
        (
            "script empty",
            script(),
            text_answer(" \n"),
            0.0,
            false,
            "未作答",
        ),
        (
            "script wrong shape",
            script(),
            Order(vec![0]),
            0.0,
            false,
            "格式无效",
        ),
    ]
}

#[test]
fn every_type_right_wrong_partial_empty_malformed() {
    for (name, item, answer, points, correct, phrase) in table() {
        let g = grade(&item.question, &item.key, &answer);
        assert_eq!(g.points_awarded, points, "{name}: {g:?}");
        assert_eq!(g.max_points, f64::from(item.question.points), "{name}");
        assert_eq!(g.correct, correct, "{name}: {g:?}");
        assert!(
            g.feedback.iter().any(|f| f.contains(phrase)) || phrase.is_empty(),
            "{name}: {phrase:?} not in {:?}",
            g.feedback
        );
    }
}

#[test]
fn a_key_of_another_type_is_malformed_not_a_panic() {
    let (q, k) = (single(), text());
    let g = grade(&q.question, &k.key, &Answer::Choice(1));
    assert_eq!((g.points_awarded, g.correct), (0.0, false));
    let short = Rule::Choice {
        correct: vec![true],
        feedback: vec![],
        scoring: Scoring::AllOrNothing,
    };
    let key = AnswerKey {
        explanation: String::new(),
        rule: short,
    };
    let g = grade(&q.question, &key, &Answer::Choice(2));
    assert_eq!(g.feedback, vec![MALFORMED.to_string()]);
}

#[test]
fn script_feedback_names_everything_that_is_wrong() {
    let q = script();
    let g = grade(&q.question, &q.key, &text_answer("第一名"));
    assert_eq!(g.points_awarded, 0.0);
    let all = g.feedback.join("\n");
    for phrase in [
        "缺少要点：道歉",
        "缺少要点：处理时间",
        "禁用词“第一”",
        "少于下限",
    ] {
        assert!(all.contains(phrase), "{phrase} not in {all}");
    }
}

#[test]
fn the_documented_example_grades_its_own_keys_as_full_marks() {
    let example = include_str!("../example.toml");
    let quiz = crate::quiz::parse(std::path::Path::new("example.toml"), example).unwrap();
    for item in &quiz.items {
        let answer = match &item.key.rule {
            Rule::Choice { correct, .. } if matches!(item.question.body, Body::Multiple { .. }) => {
                Answer::Choices((0..correct.len()).filter(|&i| correct[i]).collect())
            }
            Rule::Choice { correct, .. } => {
                Answer::Choice(correct.iter().position(|&c| c).unwrap())
            }
            Rule::TrueFalse { answer, .. } => Answer::Bool(*answer),
            Rule::Number { value, .. } => Answer::Text(format!("{value} 元")),
            Rule::Text { accepted } => Answer::Text(accepted[0].clone()),
            Rule::Ordering { order } => Answer::Order(order.clone()),
            Rule::Matching { right_of } => {
                Answer::Matches(right_of.iter().map(|&j| Some(j)).collect())
            }
            Rule::Script(_) => {
                Answer::Text("亲，非常抱歉让您久等了，我马上联系仓库，今天之内给您发出。".into())
            }
        };
        let g = grade(&item.question, &item.key, &answer);
        assert!(g.correct, "{}: {g:?}", item.question.id);
    }
}

mod parity;
