//! What the static site may say about a quiz without giving anything away: the
//! exam landing page and the quiz index.
//!
//! These views are built field by field from a [`Quiz`]'s settings. None of them has a
//! field that could hold a prompt, an option, an answer or an explanation, so an exam's
//! landing page cannot leak its bank however a template is written. (Practice quizzes
//! reach the browser through their own view, with their keys, on purpose.)

use serde::Serialize;

use super::model::{Kind, Quiz, Reveal};

/// A lesson a quiz covers, resolved to a link by the build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LessonLink {
    pub title: String,
    /// Relative to the page the link is on.
    pub href: String,
}

/// The landing page of an exam: how it works and what to study, no questions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExamLanding {
    pub id: String,
    pub title: String,
    pub pass_mark_percent: u8,
    pub time_limit_minutes: u32,
    /// Questions on one paper (drawn from a larger bank).
    pub questions_per_attempt: u32,
    /// `None`: unlimited.
    pub max_attempts: Option<u32>,
    /// 0: a failed attempt may be retaken at once.
    pub retake_after_hours: u32,
    pub certificate: Option<CertificateView>,
    /// `"score"` or `"answers"`: what a candidate sees after submitting.
    pub reveal: &'static str,
    /// The topics every paper draws from, with the questions each contributes at least.
    pub topics: Vec<TopicView>,
    pub lessons: Vec<LessonLink>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateView {
    pub name: String,
    /// `None`: does not expire.
    pub valid_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicView {
    pub name: String,
    /// At least this many questions of the topic on every paper (0: no quota).
    pub at_least: u32,
}

impl ExamLanding {
    /// The landing view of `quiz`, or `None` for a practice quiz.
    pub fn new(quiz: &Quiz, lessons: Vec<LessonLink>) -> Option<ExamLanding> {
        let Kind::Exam(exam) = &quiz.kind else {
            return None;
        };
        // Topics in the order the bank first mentions them; a topic's name is a
        // heading the trainer chose, not question content.
        let mut topics: Vec<TopicView> = Vec::new();
        for topic in quiz.items.iter().filter_map(|i| i.question.topic.as_ref()) {
            if !topics.iter().any(|t| &t.name == topic) {
                topics.push(TopicView {
                    name: topic.clone(),
                    at_least: exam.topic_quotas.get(topic).copied().unwrap_or(0),
                });
            }
        }
        Some(ExamLanding {
            id: quiz.id.clone(),
            title: quiz.title.clone(),
            pass_mark_percent: exam.pass_mark_percent,
            time_limit_minutes: exam.time_limit_minutes,
            questions_per_attempt: exam.questions_per_attempt,
            max_attempts: exam.max_attempts,
            retake_after_hours: exam.retake_after_hours,
            certificate: exam.certificate.as_ref().map(|c| CertificateView {
                name: c.name.clone(),
                valid_days: c.valid_days,
            }),
            reveal: match exam.reveal {
                Reveal::Score => "score",
                Reveal::Answers => "answers",
            },
            topics,
            lessons,
        })
    }
}

/// One line of the quiz index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuizSummary {
    pub id: String,
    pub title: String,
    /// `"practice"` or `"exam"`.
    pub kind: &'static str,
    /// Practice: the questions in the quiz. Exam: the questions on one paper.
    pub questions: u32,
    /// Relative to the page the link is on.
    pub href: String,
    pub lessons: Vec<LessonLink>,
}

impl QuizSummary {
    pub fn new(quiz: &Quiz, href: String, lessons: Vec<LessonLink>) -> QuizSummary {
        let (kind, questions) = match &quiz.kind {
            Kind::Practice => ("practice", quiz.items.len() as u32),
            Kind::Exam(exam) => ("exam", exam.questions_per_attempt),
        };
        QuizSummary {
            id: quiz.id.clone(),
            title: quiz.title.clone(),
            kind,
            questions,
            href,
            lessons,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const EXAMPLE: &str = include_str!("example.toml");

    #[test]
    fn an_exam_landing_carries_settings_and_topics_only() {
        let quiz = crate::quiz::parse(Path::new("example.toml"), EXAMPLE).unwrap();
        let lessons = vec![LessonLink {
            title: "小二介入".into(),
            href: "../../rules/intervention/".into(),
        }];
        let landing = ExamLanding::new(&quiz, lessons).unwrap();
        assert_eq!(landing.pass_mark_percent, 80);
        assert_eq!(landing.questions_per_attempt, 6);
        assert_eq!(landing.max_attempts, Some(3));
        assert_eq!(landing.reveal, "score");
        let topics: Vec<(&str, u32)> = landing
            .topics
            .iter()
            .map(|t| (t.name.as_str(), t.at_least))
            .collect();
        assert_eq!(topics, [("退款", 2), ("发货", 0), ("大促", 0)]);
        let json = serde_json::to_string(&landing).unwrap();
        for item in &quiz.items {
            assert!(!json.contains(&item.question.prompt), "{json}");
            assert!(!json.contains(&item.key.explanation) || item.key.explanation.is_empty());
        }
        assert!(!json.contains("72 小时"), "{json}");
    }

    #[test]
    fn a_practice_quiz_has_no_exam_landing() {
        let text = EXAMPLE
            .replace("kind = \"exam\"", "kind = \"practice\"")
            .lines()
            .filter(|l| {
                ![
                    "pass_mark_percent",
                    "time_limit_minutes",
                    "questions_per_attempt",
                    "max_attempts",
                    "retake_after_hours",
                    "reveal",
                ]
                .iter()
                .any(|k| l.starts_with(k))
            })
            .collect::<Vec<_>>()
            .join("\n");
        let text = text.split("[topic_quotas]").next().unwrap().to_string()
            + "\n[[questions]]"
            + text.split_once("[[questions]]").unwrap().1;
        let quiz = crate::quiz::parse(Path::new("p.toml"), &text).unwrap();
        assert!(ExamLanding::new(&quiz, Vec::new()).is_none());
        let summary = QuizSummary::new(&quiz, "q/".into(), Vec::new());
        assert_eq!((summary.kind, summary.questions), ("practice", 9));
    }
}
