//! Quizzes: the domain of `quizzes/*.toml`.
//!
//! Owns the quiz [`model`] (questions kept apart from their [`AnswerKey`]s), the
//! [`parse`](parse()) of a quiz file into that model with every author's mistake as a
//! [`Diagnostic`](crate::error::Diagnostic), and the pure [`grade`](grade()) of one
//! answer, and the practice [`view`] (the only serializable form of a quiz, refused
//! for exams), and the exam [`draw`]: a paper drawn given a seed (never the clock) and
//! the answer-free view of its questions the exam server shows.
//!
//! Never touches HTTP, SQL, the filesystem or the clock: `build` and `server` call in.
//! The answer key has no `Serialize` impl (see [`AnswerKey`]); keep it that way.

pub mod analysis;
pub mod draw;
pub mod grade;
pub mod landing;
pub mod model;
pub mod parse;
pub mod simulate;
pub mod view;

pub use grade::{Grade, grade};
pub use model::{
    Answer, AnswerKey, Body, Certificate, DEFAULT_ALLOWED, DEFAULT_FORBIDDEN, Element,
    ExamSettings, Item, Kind, Link, Question, QuestionType, Quiz, Reveal, Rubric, Rule, Scoring,
};
pub use parse::{id_span, parse};
pub use view::{NotPractice, PracticeView};
