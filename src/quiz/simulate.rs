//! Answers a simulated candidate gives, for demo data and load tests: the answer the
//! key accepts, or a plausible wrong one (another option, the opposite truth value,
//! or nothing). Server-side only: it reads the key, and nothing here is serialized.

use super::model::{Answer, AnswerKey, Body, Question, Rule};

/// The answer `key` gives full marks, for the question as displayed.
pub fn right_answer(question: &Question, key: &AnswerKey) -> Answer {
    match &key.rule {
        Rule::Choice { correct, .. } => {
            let chosen: Vec<usize> = (0..correct.len()).filter(|&i| correct[i]).collect();
            match (&question.body, chosen.first()) {
                (Body::Multiple { .. }, _) => Answer::Choices(chosen),
                (_, Some(&first)) => Answer::Choice(first),
                (_, None) => Answer::Blank,
            }
        }
        Rule::TrueFalse { answer, .. } => Answer::Bool(*answer),
        Rule::Number { value, .. } => Answer::Text(value.to_string()),
        Rule::Text { accepted } => accepted
            .first()
            .map_or(Answer::Blank, |a| Answer::Text(a.clone())),
        Rule::Ordering { order } => Answer::Order(order.clone()),
        Rule::Matching { right_of } => Answer::Matches(right_of.iter().map(|&r| Some(r)).collect()),
        Rule::Script(rubric) => {
            let mut text: String = rubric
                .required
                .iter()
                .filter_map(|e| e.any_of.first())
                .map(|phrase| format!("{phrase}。"))
                .collect();
            let min = match &question.body {
                Body::Script { min_chars, .. } => min_chars.unwrap_or(0) as usize,
                _ => 0,
            };
            while text.chars().count() < min {
                text.push_str("请您放心，我们会跟进到底。");
            }
            Answer::Text(text)
        }
    }
}

/// A wrong answer: the `pick`-th wrong option of a choice question (so distractors
/// are chosen in varying shares), the opposite of a true/false key, else nothing.
pub fn wrong_answer(key: &AnswerKey, pick: usize) -> Answer {
    match &key.rule {
        Rule::Choice { correct, .. } => {
            let wrong: Vec<usize> = (0..correct.len()).filter(|&i| !correct[i]).collect();
            if wrong.is_empty() {
                Answer::Blank
            } else {
                Answer::Choice(wrong[pick % wrong.len()])
            }
        }
        Rule::TrueFalse { answer, .. } => Answer::Bool(!answer),
        _ => Answer::Blank,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::grade;

    /// Every question of the shipped handbook's banks: the right answer gets full
    /// marks and the wrong one does not.
    #[test]
    fn right_answers_get_full_marks_and_wrong_ones_do_not() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("quizzes");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let Ok(quiz) = crate::quiz::parse(&path, &text) else {
                continue;
            };
            for item in &quiz.items {
                let right = grade(
                    &item.question,
                    &item.key,
                    &right_answer(&item.question, &item.key),
                );
                assert!(right.correct, "{}: {:?}", item.question.id, right);
                for pick in 0..3 {
                    let wrong = grade(&item.question, &item.key, &wrong_answer(&item.key, pick));
                    assert!(!wrong.correct, "{}", item.question.id);
                }
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked}");
    }
}
