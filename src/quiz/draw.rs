//! Exam papers: which questions an attempt gets and in which order their options are
//! shown, drawn from the bank given a seed (never the clock or a global generator), so
//! the server stores only the seed's outcome and a paper can be re-derived in tests.
//! Also the answer-free view of a paper's questions the exam page shows, and the
//! question and key as displayed (options permuted) for grading.

use serde::{Deserialize, Serialize};

use super::model::{Answer, AnswerKey, Body, ExamSettings, Item, Question, Rule};
use super::view::{BodyView, body_view};

/// One drawn question: `item` indexes the quiz's items; `order[k]` is the original
/// index of the option shown k-th (empty when the question has no options).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperQuestion {
    pub item: usize,
    pub order: Vec<usize>,
}

/// A drawn paper: questions in the order they are shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Paper {
    pub questions: Vec<PaperQuestion>,
}

/// splitmix64: a small, fast, well-mixed generator; enough for shuffling a paper.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// Draws a paper of `settings.questions_per_attempt` questions (all of them if the bank
/// is smaller): first each topic's quota, then the rest at random; then shuffles the
/// paper and each choice question's options.
pub fn draw(items: &[Item], settings: &ExamSettings, seed: u64) -> Paper {
    let mut rng = Rng(seed);
    let mut pool: Vec<usize> = (0..items.len()).collect();
    rng.shuffle(&mut pool);
    let wanted = (settings.questions_per_attempt as usize).min(items.len());
    let mut chosen = Vec::with_capacity(wanted);
    for (topic, at_least) in &settings.topic_quotas {
        let of_topic = pool
            .iter()
            .copied()
            .filter(|&i| items[i].question.topic.as_deref() == Some(topic.as_str()))
            .filter(|i| !chosen.contains(i))
            .take(*at_least as usize)
            .collect::<Vec<_>>();
        chosen.extend(of_topic);
    }
    for i in pool {
        if chosen.len() >= wanted {
            break;
        }
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    rng.shuffle(&mut chosen);
    let questions = chosen
        .into_iter()
        .map(|item| {
            let mut order: Vec<usize> = (0..option_count(&items[item].question.body)).collect();
            rng.shuffle(&mut order);
            PaperQuestion { item, order }
        })
        .collect();
    Paper { questions }
}

fn option_count(body: &Body) -> usize {
    match body {
        Body::Single { options } | Body::Multiple { options } | Body::Scenario { options, .. } => {
            options.len()
        }
        _ => 0,
    }
}

fn permute<T: Clone>(list: &[T], order: &[usize]) -> Vec<T> {
    order.iter().filter_map(|&i| list.get(i).cloned()).collect()
}

/// The question and its key as the paper shows them (options in drawn order), so
/// answers — indices into the displayed options — grade with [`super::grade`].
pub fn displayed(item: &Item, paper: &PaperQuestion) -> (Question, AnswerKey) {
    let mut question = item.question.clone();
    let mut key = item.key.clone();
    if paper.order.is_empty() {
        return (question, key);
    }
    match &mut question.body {
        Body::Single { options } | Body::Multiple { options } | Body::Scenario { options, .. } => {
            *options = permute(options, &paper.order);
        }
        _ => {}
    }
    if let Rule::Choice {
        correct, feedback, ..
    } = &mut key.rule
    {
        *correct = permute(correct, &paper.order);
        if !feedback.is_empty() {
            *feedback = permute(feedback, &paper.order);
        }
    }
    (question, key)
}

/// One exam question for the browser: what the candidate sees, never the key (this
/// type has no field that could hold one).
#[derive(Debug, Clone, Serialize)]
pub struct ExamQuestionView {
    /// The question's position on the paper (from 0): how answers name it.
    pub index: usize,
    pub kind: &'static str,
    pub points: u32,
    pub prompt_html: String,
    pub topic: Option<String>,
    pub body: BodyView,
}

impl ExamQuestionView {
    pub fn new(index: usize, question: &Question, markdown: &dyn Fn(&str) -> String) -> Self {
        ExamQuestionView {
            index,
            kind: question.body.question_type().as_str(),
            points: question.points,
            prompt_html: markdown(&question.prompt),
            topic: question.topic.clone(),
            body: body_view(&question.body),
        }
    }
}

/// An answer as the exam page sends it (the practice form's JSON, see
/// [`super::view::answer_json`]); anything unreadable counts as blank.
pub fn answer_from_json(value: &serde_json::Value) -> Answer {
    let index = |v: &serde_json::Value| v.as_u64().map(|n| n as usize);
    let indices =
        |v: &serde_json::Value| -> Option<Vec<usize>> { v.as_array()?.iter().map(index).collect() };
    let Some(obj) = value.as_object() else {
        return Answer::Blank;
    };
    let answer = if let Some(v) = obj.get("choice") {
        index(v).map(Answer::Choice)
    } else if let Some(v) = obj.get("choices") {
        indices(v).map(Answer::Choices)
    } else if let Some(v) = obj.get("bool") {
        v.as_bool().map(Answer::Bool)
    } else if let Some(v) = obj.get("text") {
        v.as_str()
            .map(|t| Answer::Text(t.chars().take(5000).collect()))
    } else if let Some(v) = obj.get("order") {
        indices(v).map(Answer::Order)
    } else if let Some(v) = obj.get("matches") {
        v.as_array()
            .map(|a| Answer::Matches(a.iter().map(index).collect()))
    } else {
        None
    };
    answer.unwrap_or(Answer::Blank)
}

#[cfg(test)]
mod tests;
