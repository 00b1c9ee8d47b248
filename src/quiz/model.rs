//! The checked quiz model: what [`parse`](super::parse()) builds and
//! [`grade`](super::grade()) reads.
//!
//! Every question is split in two, on purpose:
//!
//! * [`Question`] is what goes on the paper: the prompt, the options, the items to
//!   order, the length limits of a reply. A candidate may see all of it while
//!   answering, so a future exam server can send a view of it to the browser.
//! * [`AnswerKey`] is what the examiner holds: which options are right, the accepted
//!   texts, the correct order, the rubric, and everything written *about* the answer
//!   (per-option feedback, the explanation), because "对，72 小时是……" gives the
//!   answer away as surely as `correct = true` does.
//!
//! The two travel together as an [`Item`]. Neither `AnswerKey` nor anything that
//! contains it (`Item`, `Quiz`) implements `Serialize`; see [`AnswerKey`] for why.
//!
//! Lists that would reveal the answer by their order (the items of an ordering
//! question, the right-hand column of a matching one) are stored in a neutral
//! display order, and the key refers to them by index.

use std::collections::BTreeMap;
use std::ops::Range;

/// One quiz file, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Quiz {
    pub id: String,
    pub title: String,
    pub kind: Kind,
    /// The pages the quiz covers, as written (checked against the library later).
    pub lessons: Vec<Link>,
    pub items: Vec<Item>,
}

/// Practice quizzes are graded in the browser; exams only on the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Practice,
    Exam(ExamSettings),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExamSettings {
    /// 0–100: the share of the paper's points needed to pass.
    pub pass_mark_percent: u8,
    pub time_limit_minutes: u32,
    /// How many questions one sitting draws from the bank.
    pub questions_per_attempt: u32,
    /// Topic → how many questions of that topic every paper contains.
    pub topic_quotas: BTreeMap<String, u32>,
    /// `None`: unlimited.
    pub max_attempts: Option<u32>,
    pub retake_after_hours: u32,
    pub certificate: Option<Certificate>,
    pub reveal: Reveal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub name: String,
    /// `None`: the certificate does not expire.
    pub valid_days: Option<u32>,
}

/// What a candidate sees after submitting an exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reveal {
    /// The score and pass/fail only.
    Score,
    /// The score, and each question with the right answer and explanation.
    Answers,
}

/// A link as an author wrote it, with its byte span in the quiz file so a later
/// check (unknown lesson, missing anchor) can point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub target: String,
    pub span: Range<usize>,
}

/// A question and its key. Contains the key, so it is never `Serialize`.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub question: Question,
    pub key: AnswerKey,
}

/// The candidate-facing part of a question (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Stable within its quiz: results and progress refer to it.
    pub id: String,
    /// Markdown.
    pub prompt: String,
    pub points: u32,
    pub topic: Option<String>,
    /// The lesson paragraph that teaches this, e.g. `../content/rules/intervention.md#小二介入`.
    pub source: Option<Link>,
    pub body: Body,
}

/// What the candidate is shown besides the prompt, per question type.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Single {
        options: Vec<String>,
    },
    Multiple {
        options: Vec<String>,
    },
    TrueFalse,
    Number {
        /// The unit shown after the input box, e.g. `小时`.
        unit: Option<String>,
    },
    Text,
    /// Items in display order (never the correct order).
    Ordering {
        items: Vec<String>,
    },
    /// `right` is in display order (never aligned with `left`).
    Matching {
        left: Vec<String>,
        right: Vec<String>,
    },
    /// A buyer's message shown as a chat bubble; choose the best reply.
    Scenario {
        buyer_message: String,
        options: Vec<String>,
    },
    /// The agent writes a reply.
    Script {
        min_chars: Option<u32>,
        max_chars: Option<u32>,
    },
}

/// The `type = "…"` of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    Single,
    Multiple,
    TrueFalse,
    Number,
    Text,
    Ordering,
    Matching,
    Scenario,
    Script,
}

impl QuestionType {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionType::Single => "single",
            QuestionType::Multiple => "multiple",
            QuestionType::TrueFalse => "true_false",
            QuestionType::Number => "number",
            QuestionType::Text => "text",
            QuestionType::Ordering => "ordering",
            QuestionType::Matching => "matching",
            QuestionType::Scenario => "scenario",
            QuestionType::Script => "script",
        }
    }
}

impl Body {
    pub fn question_type(&self) -> QuestionType {
        match self {
            Body::Single { .. } => QuestionType::Single,
            Body::Multiple { .. } => QuestionType::Multiple,
            Body::TrueFalse => QuestionType::TrueFalse,
            Body::Number { .. } => QuestionType::Number,
            Body::Text => QuestionType::Text,
            Body::Ordering { .. } => QuestionType::Ordering,
            Body::Matching { .. } => QuestionType::Matching,
            Body::Scenario { .. } => QuestionType::Scenario,
            Body::Script { .. } => QuestionType::Script,
        }
    }
}

/// Everything that reveals or decides a question's answer.
///
/// **This type must never implement `Serialize`, and neither may any type that
/// contains it** ([`Item`], [`Quiz`]). Exam keys live only on the server; the build
/// writes `public/` from serializable view types. If the key could be serialized, one
/// `#[derive(Serialize)]` added for convenience, or a whole `Quiz` handed to a
/// template context, would publish every exam's answers. Without the impl that
/// mistake does not compile. Practice quizzes, which are graded in the browser, get
/// their keys into a page through an explicit practice view type, built field by
/// field, so that choice is visible in review. (No test can assert the absence of an
/// impl without extra crates; the leak test over `public/` is the runtime guard.)
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerKey {
    /// Markdown, shown after answering (practice) or when an exam reveals answers.
    pub explanation: String,
    pub rule: Rule,
}

/// How a question's answer is decided, per question type.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Single, multiple and scenario questions. One entry per option, in order.
    Choice {
        correct: Vec<bool>,
        /// Shown when that option is chosen; empty when the author wrote none.
        feedback: Vec<String>,
        scoring: Scoring,
    },
    TrueFalse {
        answer: bool,
        feedback_true: String,
        feedback_false: String,
    },
    Number {
        value: f64,
        /// Accepted when `|answer − value| ≤ tolerance`.
        tolerance: f64,
        /// Units a candidate may write after the number (the shown unit first).
        units: Vec<String>,
    },
    Text {
        accepted: Vec<String>,
    },
    /// `order[k]` is the index (into the displayed items) of the k-th item.
    Ordering {
        order: Vec<usize>,
    },
    /// `right_of[i]` is the index (into the displayed right column) matching `left[i]`.
    Matching {
        right_of: Vec<usize>,
    },
    Script(Rubric),
}

/// How a multiple-choice question gives credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// Full points for exactly the right set, else none.
    #[default]
    AllOrNothing,
    /// (right options chosen − wrong options chosen) ÷ right options, at least 0.
    PerOption,
}

/// The rubric of a script-writing question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rubric {
    pub required: Vec<Element>,
    /// The site's defaults ([`DEFAULT_FORBIDDEN`]) plus the question's own.
    pub forbidden: Vec<String>,
    /// Phrases that contain a forbidden one but are fine (`第一时间`); they are
    /// masked before forbidden phrases are searched.
    pub allowed: Vec<String>,
}

/// One thing a good reply must contain, in any of several phrasings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Named in feedback when missing, e.g. `道歉`.
    pub name: String,
    pub any_of: Vec<String>,
}

/// Absolute claims banned by the Advertising Law (广告法 第九条: 国家级、最高级、
/// 最佳 …), forbidden in every script reply. A site extends the list with
/// [`Quiz::add_site_phrases`]; a question with `[questions.rubric] forbidden = […]`.
pub const DEFAULT_FORBIDDEN: &[&str] = &[
    "最",
    "第一",
    "国家级",
    "世界级",
    "绝对",
    "顶级",
    "极品",
    "唯一",
    "首选",
    "独一无二",
    "万能",
    "史无前例",
    "全网",
    "100%",
];

/// Everyday service phrases that contain a banned word but claim nothing:
/// "我们会第一时间处理", "最晚明天发货".
pub const DEFAULT_ALLOWED: &[&str] = &["第一时间", "第一次", "最近", "最后", "最晚", "最早"];

impl Quiz {
    /// Adds the site's own phrases (`[quizzes]` in `shouce.toml`) to every script
    /// question's rubric: `forbidden` ones no reply may contain, `allowed` ones that
    /// contain a forbidden phrase but are fine to say.
    pub fn add_site_phrases(&mut self, forbidden: &[String], allowed: &[String]) {
        for item in &mut self.items {
            if let Rule::Script(rubric) = &mut item.key.rule {
                for (list, phrases) in [
                    (&mut rubric.forbidden, forbidden),
                    (&mut rubric.allowed, allowed),
                ] {
                    for phrase in phrases {
                        if !list.contains(phrase) {
                            list.push(phrase.clone());
                        }
                    }
                }
            }
        }
    }

    pub fn is_exam(&self) -> bool {
        matches!(self.kind, Kind::Exam(_))
    }
}

/// A candidate's answer to one question, as the browser or the exam server
/// received it. Indices refer to the lists of the [`Question`] as displayed.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Nothing submitted.
    Blank,
    /// Single choice, scenario.
    Choice(usize),
    /// Multiple choice.
    Choices(Vec<usize>),
    /// True/false.
    Bool(bool),
    /// Number (as typed, e.g. `７２ 小时`), short text, script.
    Text(String),
    /// Ordering: displayed item indices, first to last.
    Order(Vec<usize>),
    /// Matching: for each left entry, the chosen right index (or none).
    Matches(Vec<Option<usize>>),
}

#[cfg(test)]
mod tests {
    use super::*;

    // The compiler enforces what the docs above promise: nothing that holds an answer
    // key can be serialised, so no key can reach a browser or `public/` by accident.
    static_assertions::assert_not_impl_any!(AnswerKey: serde::Serialize);
    static_assertions::assert_not_impl_any!(Item: serde::Serialize);
    static_assertions::assert_not_impl_any!(Quiz: serde::Serialize);
}
