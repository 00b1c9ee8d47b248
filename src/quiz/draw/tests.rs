use std::path::Path;

use super::*;
use crate::quiz::{Kind, Quiz, grade, parse};

fn exam() -> (Quiz, ExamSettings) {
    let text = include_str!("../../../quizzes/aftersales-exam.toml");
    let quiz = parse(Path::new("quizzes/aftersales-exam.toml"), text).unwrap();
    let Kind::Exam(settings) = quiz.kind.clone() else {
        panic!("the shipped after-sales quiz is an exam");
    };
    (quiz, settings)
}

#[test]
fn a_paper_honours_size_and_topic_quotas_and_repeats_per_seed() {
    let (quiz, settings) = exam();
    for seed in 0..200 {
        let paper = draw(&quiz.items, &settings, seed);
        assert_eq!(
            paper.questions.len(),
            settings.questions_per_attempt as usize
        );
        let mut items: Vec<usize> = paper.questions.iter().map(|q| q.item).collect();
        items.sort_unstable();
        items.dedup();
        assert_eq!(
            items.len(),
            paper.questions.len(),
            "seed {seed}: a question twice"
        );
        for (topic, at_least) in &settings.topic_quotas {
            let n = paper
                .questions
                .iter()
                .filter(|q| quiz.items[q.item].question.topic.as_deref() == Some(topic))
                .count();
            assert!(n >= *at_least as usize, "seed {seed}: {topic} has {n}");
        }
        assert_eq!(paper, draw(&quiz.items, &settings, seed));
    }
    let papers: std::collections::HashSet<Vec<usize>> = (0..50)
        .map(|s| {
            draw(&quiz.items, &settings, s)
                .questions
                .iter()
                .map(|q| q.item)
                .collect()
        })
        .collect();
    assert!(papers.len() > 40, "seeds should give different papers");
}

#[test]
fn shuffled_options_grade_as_the_original_ones() {
    let (quiz, settings) = exam();
    let mut moved = 0;
    for seed in 0..20 {
        for pq in draw(&quiz.items, &settings, seed).questions {
            let item = &quiz.items[pq.item];
            let (question, key) = displayed(item, &pq);
            let Rule::Choice { correct, .. } = &key.rule else {
                continue;
            };
            let shown = correct.iter().position(|c| *c).unwrap();
            let original = pq.order[shown];
            let Rule::Choice { correct: orig, .. } = &item.key.rule else {
                unreachable!()
            };
            assert!(
                orig[original],
                "the displayed correct option is an original correct one"
            );
            moved += usize::from(pq.order.iter().enumerate().any(|(k, i)| k != *i));
            if matches!(question.body, Body::Single { .. } | Body::Scenario { .. }) {
                let right = grade(&question, &key, &Answer::Choice(shown));
                assert!(right.correct);
                let wrong = (0..correct.len()).find(|k| !correct[*k]).unwrap();
                assert!(!grade(&question, &key, &Answer::Choice(wrong)).correct);
            }
        }
    }
    assert!(moved > 0, "options are shuffled");
}

#[test]
fn answers_read_from_json_and_junk_is_blank() {
    use serde_json::json;
    assert_eq!(answer_from_json(&json!({"choice": 2})), Answer::Choice(2));
    assert_eq!(
        answer_from_json(&json!({"choices": [0, 3]})),
        Answer::Choices(vec![0, 3])
    );
    assert_eq!(
        answer_from_json(&json!({"bool": false})),
        Answer::Bool(false)
    );
    assert_eq!(
        answer_from_json(&json!({"text": "72 小时"})),
        Answer::Text("72 小时".into())
    );
    assert_eq!(
        answer_from_json(&json!({"matches": [1, null]})),
        Answer::Matches(vec![Some(1), None])
    );
    assert_eq!(answer_from_json(&json!({"choice": -1})), Answer::Blank);
    assert_eq!(
        answer_from_json(&json!("'; DROP TABLE users; --")),
        Answer::Blank
    );
}
