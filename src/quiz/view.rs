//! Practice views: the only serializable form of a quiz, and only of a practice quiz.
//!
//! A practice quiz is graded in the reader's browser, so its page must carry the
//! answer key. [`PracticeView`] is that page's data, copied field by field out of a
//! [`Quiz`] so that every piece of a key that reaches a browser is named here, in
//! review. [`PracticeView::new`] refuses exams ([`NotPractice`]): an exam's key never
//! leaves the server.
//!
//! The caller renders Markdown (sanitized) and resolves links: a question's `source`
//! and the covered lessons become hrefs from the page that shows the quiz (its own
//! page, or a lesson that embeds it), so a view is built per page it appears on.
//!
//! The browser grader (`themes/default/static/quiz.js`) reads [`PracticeView::key_json`]:
//! per question its type, points, [`BodyView`] and [`KeyView`], the same data the
//! parity test (`tests/quiz_parity.rs`) feeds it, so the view is exactly what the
//! port of [`grade`](super::grade()) needs.

use serde::Serialize;

use super::landing::LessonLink;
use super::model::{Answer, Body, Element, Kind, Link, Question, Quiz, Rule, Scoring};

/// A practice quiz as its page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PracticeView {
    pub id: String,
    pub title: String,
    /// The pages the quiz covers, linked from the page showing it.
    pub lessons: Vec<LessonLink>,
    pub questions: Vec<QuestionView>,
    pub total_points: u32,
    /// `{"quiz": id, "questions": [{id, type, points, body, key}, …]}` as JSON that is
    /// safe inside `<script type="application/json">` (`<`, `>`, `&` escaped).
    pub key_json: String,
}

/// One question: what the form shows, and its key for the browser grader.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionView {
    pub id: String,
    /// `single`, `multiple`, … (see [`QuestionType::as_str`](super::QuestionType::as_str)).
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub points: u32,
    pub prompt_html: String,
    pub topic: Option<String>,
    /// The href of the paragraph that teaches it, from the page showing the quiz
    /// (`../../rules/refund/#赔付上限`).
    pub source: Option<String>,
    pub body: BodyView,
    pub key: KeyView,
}

/// What the candidate is shown besides the prompt. Fields a type does not use are
/// empty or `None`, so templates can test them without knowing every type.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct BodyView {
    /// Single, multiple and scenario options, as plain text.
    pub options: Vec<String>,
    /// Ordering items in display order.
    pub items: Vec<String>,
    /// Matching: the left column, and the right column in display order.
    pub left: Vec<String>,
    pub right: Vec<String>,
    /// Scenario: the buyer's chat message.
    pub buyer_message: Option<String>,
    /// Number: the unit shown after the box.
    pub unit: Option<String>,
    /// Script: length limits in characters, whitespace not counted.
    pub min_chars: Option<u32>,
    pub max_chars: Option<u32>,
}

/// The answer key as the browser grader reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyView {
    pub explanation_html: String,
    pub rule: RuleView,
}

/// [`Rule`] for the browser: feedback as HTML, the rest as it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleView {
    Choice {
        correct: Vec<bool>,
        /// One per option; empty when the author wrote none.
        feedback_html: Vec<String>,
        scoring: &'static str,
    },
    TrueFalse {
        answer: bool,
        feedback_true_html: String,
        feedback_false_html: String,
    },
    Number {
        value: f64,
        tolerance: f64,
        units: Vec<String>,
    },
    Text {
        accepted: Vec<String>,
    },
    Ordering {
        order: Vec<usize>,
    },
    Matching {
        right_of: Vec<usize>,
    },
    Script {
        required: Vec<ElementView>,
        forbidden: Vec<String>,
        /// The forbidden phrases that are the Advertising Law's absolute claims (the
        /// feedback says so), as opposed to the site's or the question's own.
        advertising_law: Vec<String>,
        allowed: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElementView {
    pub name: String,
    pub any_of: Vec<String>,
}

/// [`PracticeView::new`] was given an exam.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotPractice {
    pub id: String,
}

impl std::fmt::Display for NotPractice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is an exam; exams are graded on the server only",
            self.id
        )
    }
}

impl std::error::Error for NotPractice {}

/// How the caller turns the quiz's text into page content.
pub struct Renderers<'a> {
    /// Markdown (prompts, explanations, feedback) → HTML, sanitized.
    pub markdown: &'a dyn Fn(&str) -> String,
    /// A question's `source` link → its href from the page showing the quiz, when it
    /// resolves.
    pub source: &'a dyn Fn(&Link) -> Option<String>,
}

impl PracticeView {
    /// The view of a practice quiz; `lessons` are the covered pages, already resolved.
    pub fn new(
        quiz: &Quiz,
        lessons: Vec<LessonLink>,
        render: &Renderers<'_>,
    ) -> Result<PracticeView, NotPractice> {
        if !matches!(quiz.kind, Kind::Practice) {
            return Err(NotPractice {
                id: quiz.id.clone(),
            });
        }
        let questions: Vec<QuestionView> = quiz
            .items
            .iter()
            .map(|item| QuestionView::new(&item.question, key_view(&item.key, render), render))
            .collect();
        let key_json = key_json(&quiz.id, &questions);
        Ok(PracticeView {
            id: quiz.id.clone(),
            title: quiz.title.clone(),
            lessons,
            total_points: questions.iter().map(|q| q.points).sum(),
            questions,
            key_json,
        })
    }
}

impl QuestionView {
    /// One question's view. Public for the parity cases, which build views of bare
    /// questions; pages go through [`PracticeView::new`].
    pub fn new(question: &Question, key: KeyView, render: &Renderers<'_>) -> QuestionView {
        QuestionView {
            id: question.id.clone(),
            kind: question.body.question_type().as_str(),
            points: question.points,
            prompt_html: (render.markdown)(&question.prompt),
            topic: question.topic.clone(),
            source: question.source.as_ref().and_then(|l| (render.source)(l)),
            body: body_view(&question.body),
            key,
        }
    }
}

pub(crate) fn body_view(body: &Body) -> BodyView {
    let mut view = BodyView::default();
    match body {
        Body::Single { options } | Body::Multiple { options } => {
            view.options.clone_from(options);
        }
        Body::TrueFalse | Body::Text => {}
        Body::Number { unit } => view.unit.clone_from(unit),
        Body::Ordering { items } => view.items.clone_from(items),
        Body::Matching { left, right } => {
            view.left.clone_from(left);
            view.right.clone_from(right);
        }
        Body::Scenario {
            buyer_message,
            options,
        } => {
            view.buyer_message = Some(buyer_message.clone());
            view.options.clone_from(options);
        }
        Body::Script {
            min_chars,
            max_chars,
        } => {
            view.min_chars = *min_chars;
            view.max_chars = *max_chars;
        }
    }
    view
}

/// The key of one question for the browser. Takes the key by reference and copies
/// each field, so what is published is spelled out here.
pub fn key_view(key: &super::AnswerKey, render: &Renderers<'_>) -> KeyView {
    let md = |s: &str| {
        if s.trim().is_empty() {
            String::new()
        } else {
            (render.markdown)(s)
        }
    };
    let rule = match &key.rule {
        Rule::Choice {
            correct,
            feedback,
            scoring,
        } => RuleView::Choice {
            correct: correct.clone(),
            feedback_html: feedback.iter().map(|f| md(f)).collect(),
            scoring: match scoring {
                Scoring::AllOrNothing => "all_or_nothing",
                Scoring::PerOption => "per_option",
            },
        },
        Rule::TrueFalse {
            answer,
            feedback_true,
            feedback_false,
        } => RuleView::TrueFalse {
            answer: *answer,
            feedback_true_html: md(feedback_true),
            feedback_false_html: md(feedback_false),
        },
        Rule::Number {
            value,
            tolerance,
            units,
        } => RuleView::Number {
            value: *value,
            tolerance: *tolerance,
            units: units.clone(),
        },
        Rule::Text { accepted } => RuleView::Text {
            accepted: accepted.clone(),
        },
        Rule::Ordering { order } => RuleView::Ordering {
            order: order.clone(),
        },
        Rule::Matching { right_of } => RuleView::Matching {
            right_of: right_of.clone(),
        },
        Rule::Script(rubric) => RuleView::Script {
            required: rubric
                .required
                .iter()
                .map(|Element { name, any_of }| ElementView {
                    name: name.clone(),
                    any_of: any_of.clone(),
                })
                .collect(),
            forbidden: rubric.forbidden.clone(),
            advertising_law: rubric
                .forbidden
                .iter()
                .filter(|p| super::grade::is_advertising_law(p))
                .cloned()
                .collect(),
            allowed: rubric.allowed.clone(),
        },
    };
    KeyView {
        explanation_html: md(&key.explanation),
        rule,
    }
}

/// What the browser grader needs of one question (no prompt: the page shows it).
#[derive(Serialize)]
pub struct GraderQuestion<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub points: u32,
    pub body: &'a BodyView,
    pub key: &'a KeyView,
}

impl<'a> From<&'a QuestionView> for GraderQuestion<'a> {
    fn from(q: &'a QuestionView) -> Self {
        GraderQuestion {
            id: &q.id,
            kind: q.kind,
            points: q.points,
            body: &q.body,
            key: &q.key,
        }
    }
}

fn key_json(quiz: &str, questions: &[QuestionView]) -> String {
    #[derive(Serialize)]
    struct Data<'a> {
        quiz: &'a str,
        questions: Vec<GraderQuestion<'a>>,
    }
    let data = Data {
        quiz,
        questions: questions.iter().map(GraderQuestion::from).collect(),
    };
    let json = serde_json::to_string(&data).expect("plain data serializes");
    script_safe(&json)
}

/// JSON that cannot end or confuse an inline `<script>`: `<`, `>` and `&` (which only
/// occur inside strings) become `\u003c`, `\u003e`, `\u0026`; so do the line
/// separators U+2028/U+2029, for older script parsers.
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// An [`Answer`] as the browser stores and the parity cases write it: `"blank"`,
/// `{"choice": 1}`, `{"choices": [0, 2]}`, `{"bool": true}`, `{"text": "72 小时"}`,
/// `{"order": [1, 0]}`, `{"matches": [1, null]}`.
pub fn answer_json(answer: &Answer) -> serde_json::Value {
    use serde_json::json;
    match answer {
        Answer::Blank => json!("blank"),
        Answer::Choice(i) => json!({ "choice": i }),
        Answer::Choices(v) => json!({ "choices": v }),
        Answer::Bool(b) => json!({ "bool": b }),
        Answer::Text(t) => json!({ "text": t }),
        Answer::Order(v) => json!({ "order": v }),
        Answer::Matches(v) => json!({ "matches": v }),
    }
}

#[cfg(test)]
mod tests;
