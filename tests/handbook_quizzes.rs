//! The shipped quizzes (`quizzes/` at the repository root): they have the shape the
//! training plan asks for, and no exam text reaches the built handbook.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{copy_dir, repo, today};
use shouce::build::{self, BuildOptions};
use shouce::quiz::{Body, DEFAULT_ALLOWED, DEFAULT_FORBIDDEN, Item, Kind, QuestionType, Rule};
use shouce::site::QuizFile;

fn shipped() -> Vec<QuizFile> {
    let (quizzes, problems) = shouce::site::quizbank::load(&repo(), None);
    assert!(
        problems.is_empty(),
        "{}",
        shouce::error::render_all(&problems)
    );
    quizzes
}

#[test]
fn five_practice_quizzes_cover_the_five_parts() {
    let quizzes = shipped();
    let practice: Vec<&QuizFile> = quizzes.iter().filter(|q| !q.quiz.is_exam()).collect();
    let mut parts = BTreeSet::new();
    for file in &practice {
        let quiz = &file.quiz;
        assert!(
            quiz.items.len() >= 8,
            "{}: {} questions",
            quiz.id,
            quiz.items.len()
        );
        let lesson_parts: BTreeSet<&str> = quiz
            .lessons
            .iter()
            .filter_map(|l| l.target.split('/').next())
            .collect();
        assert_eq!(lesson_parts.len(), 1, "{} covers {lesson_parts:?}", quiz.id);
        parts.extend(lesson_parts);
        for item in &quiz.items {
            let q = &item.question.id;
            assert!(
                !item.key.explanation.trim().is_empty(),
                "{}/{q}: no explanation",
                quiz.id
            );
            match &item.key.rule {
                Rule::Choice { feedback, .. } => assert!(
                    feedback.iter().all(|f| !f.trim().is_empty()),
                    "{}/{q}: an option without feedback",
                    quiz.id
                ),
                Rule::TrueFalse {
                    feedback_true,
                    feedback_false,
                    ..
                } => assert!(
                    !feedback_true.trim().is_empty() && !feedback_false.trim().is_empty(),
                    "{}/{q}: true/false needs feedback on both answers",
                    quiz.id
                ),
                _ => {}
            }
        }
    }
    let expected: BTreeSet<&str> = ["metrics", "promotion", "rules", "scripts", "workflow"].into();
    assert_eq!(parts, expected);
    assert_eq!(practice.len(), 5);
}

#[test]
fn three_exams_with_banks_twice_their_papers() {
    let quizzes = shipped();
    let exams: BTreeMap<&str, &QuizFile> = quizzes
        .iter()
        .filter(|q| q.quiz.is_exam())
        .map(|q| (q.quiz.title.as_str(), q))
        .collect();
    let titles: Vec<&str> = exams.keys().copied().collect();
    assert_eq!(titles, ["双十二备战认证", "售前话术认证", "售后规则认证"]);
    for file in exams.values() {
        let Kind::Exam(settings) = &file.quiz.kind else {
            unreachable!()
        };
        let bank = file.quiz.items.len() as u32;
        assert!(
            bank >= 2 * settings.questions_per_attempt,
            "{}: a bank of {bank} for papers of {}",
            file.quiz.id,
            settings.questions_per_attempt
        );
        assert!(
            settings.certificate.is_some(),
            "{}: no certificate",
            file.quiz.id
        );
    }
}

#[test]
fn every_question_type_appears_and_every_question_cites_its_source() {
    let quizzes = shipped();
    let mut types = BTreeSet::new();
    let mut scorings = BTreeSet::new();
    for file in &quizzes {
        for item in &file.quiz.items {
            types.insert(item.question.body.question_type());
            if let (Body::Multiple { .. }, Rule::Choice { scoring, .. }) =
                (&item.question.body, &item.key.rule)
            {
                scorings.insert(format!("{scoring:?}"));
            }
            let source = item.question.source.as_ref();
            assert!(
                source.is_some_and(|s| s.target.contains('#')),
                "{}/{}: cite the paragraph (`../content/<page>.md#<heading>`)",
                file.quiz.id,
                item.question.id
            );
        }
    }
    use QuestionType::*;
    let all: BTreeSet<QuestionType> = [
        Single, Multiple, TrueFalse, Number, Text, Ordering, Matching, Scenario, Script,
    ]
    .into();
    assert_eq!(types, all);
    assert_eq!(
        scorings.len(),
        2,
        "both multiple-choice scorings: {scorings:?}"
    );
}

/// Every text of a question that a candidate must not see before the exam: the
/// question itself and its key.
fn secret_texts(item: &Item) -> Vec<String> {
    let q = &item.question;
    let mut texts = vec![q.prompt.clone(), item.key.explanation.clone()];
    match &q.body {
        Body::Single { options } | Body::Multiple { options } => texts.extend(options.clone()),
        Body::Scenario {
            buyer_message,
            options,
        } => {
            texts.push(buyer_message.clone());
            texts.extend(options.clone());
        }
        Body::Ordering { items } => texts.extend(items.clone()),
        Body::Matching { left, right } => {
            texts.extend(left.clone());
            texts.extend(right.clone());
        }
        Body::TrueFalse | Body::Number { .. } | Body::Text | Body::Script { .. } => {}
    }
    match &item.key.rule {
        Rule::Choice { feedback, .. } => texts.extend(feedback.clone()),
        Rule::TrueFalse {
            feedback_true,
            feedback_false,
            ..
        } => texts.extend([feedback_true.clone(), feedback_false.clone()]),
        Rule::Text { accepted } => texts.extend(accepted.clone()),
        // A bare number (`72`) is no text to search for; its prompt is.
        Rule::Number { .. } | Rule::Ordering { .. } | Rule::Matching { .. } => {}
        Rule::Script(rubric) => {
            for element in &rubric.required {
                texts.extend(element.any_of.clone());
            }
            let builtin = |p: &String| {
                DEFAULT_FORBIDDEN.contains(&p.as_str()) || DEFAULT_ALLOWED.contains(&p.as_str())
            };
            texts.extend(rubric.forbidden.iter().filter(|p| !builtin(p)).cloned());
            texts.extend(rubric.allowed.iter().filter(|p| !builtin(p)).cloned());
        }
    }
    // Markdown emphasis and code marks do not survive rendering; search for the words.
    texts
        .into_iter()
        .map(|t| t.replace(['*', '`', '_'], "").trim().to_string())
        .filter(|t| t.chars().count() >= 2)
        .collect()
}

/// Visible text of every file under `dir`, with what exam landing pages may show
/// (lesson titles, the exam's title, topics, certificate) blanked out.
fn texts(dir: &Path, allowed: &[String]) -> Vec<(String, String)> {
    let tag = regex::Regex::new(r"<[^>]*>").unwrap();
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let raw = String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned();
            let mut text = tag
                .replace_all(&raw, "")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            text.push('\u{0}');
            text.push_str(&raw);
            for a in allowed {
                text = text.replace(a.as_str(), "\u{0}");
            }
            (e.path().display().to_string(), text)
        })
        .collect()
}

fn count(files: &[(String, String)], needle: &str) -> (usize, Vec<String>) {
    let mut total = 0;
    let mut where_ = Vec::new();
    for (path, text) in files {
        let n = text.matches(needle).count();
        if n > 0 {
            total += n;
            where_.push(path.clone());
        }
    }
    (total, where_)
}

/// The leak test. Builds the handbook twice: as shipped, and without its exam files.
/// Any exam text that occurs more often in the first build than in the second was
/// written by the build because of the exams, i.e. leaked. (Comparing against a
/// build without exams keeps short answers such as `72` that lessons also contain
/// from failing the test, without weakening it: a leak adds an occurrence.)
#[test]
fn no_exam_text_reaches_public() {
    let quizzes = shipped();
    let exams: Vec<&QuizFile> = quizzes.iter().filter(|q| q.quiz.is_exam()).collect();
    assert_eq!(exams.len(), 3);

    let with = tempfile::tempdir().unwrap();
    let options = BuildOptions {
        out_dir: with.path().join("public"),
        today: today(),
        ..BuildOptions::new(repo())
    };
    build::build(&options).unwrap();

    let without = tempfile::tempdir().unwrap();
    for dir in ["content", "themes"] {
        copy_dir(&repo().join(dir), &without.path().join(dir));
    }
    std::fs::copy(
        repo().join("shouce.toml"),
        without.path().join("shouce.toml"),
    )
    .unwrap();
    for file in quizzes.iter().filter(|q| !q.quiz.is_exam()) {
        let to = without.path().join(&file.file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, &file.text).unwrap();
    }
    let options = BuildOptions {
        today: today(),
        ..BuildOptions::new(without.path())
    };
    build::build(&options).unwrap();

    // What every page shows (the site's title and description in the header and the
    // meta tags) occurs once more per landing page: not a leak.
    let config = shouce::config::Config::load(&repo()).unwrap().unwrap();
    let mut allowed: Vec<String> = vec![config.title, config.description];
    let lib_titles = walkdir::WalkDir::new(repo().join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            let line = text.lines().find(|l| l.starts_with("title"))?;
            Some(line.split('"').nth(1)?.to_string())
        });
    allowed.extend(lib_titles);
    for file in &exams {
        let quiz = &file.quiz;
        allowed.push(quiz.title.clone());
        allowed.extend(quiz.items.iter().filter_map(|i| i.question.topic.clone()));
        if let Kind::Exam(settings) = &quiz.kind
            && let Some(c) = &settings.certificate
        {
            allowed.push(c.name.clone());
        }
    }
    allowed.sort_by_key(|a| std::cmp::Reverse(a.len()));
    allowed.dedup();

    let shipped_site = texts(&with.path().join("public"), &allowed);
    let control = texts(&without.path().join("public"), &allowed);
    let mut leaks = Vec::new();
    let mut checked = 0;
    for file in &exams {
        for item in &file.quiz.items {
            for secret in secret_texts(item) {
                checked += 1;
                let (n, files) = count(&shipped_site, &secret);
                let (m, _) = count(&control, &secret);
                if n > m {
                    leaks.push(format!(
                        "{}/{}: `{secret}` in {files:?}",
                        file.quiz.id, item.question.id
                    ));
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} exam texts checked");
    assert!(
        leaks.is_empty(),
        "exam text in public/:\n{}",
        leaks.join("\n")
    );
}
