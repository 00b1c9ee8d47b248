//! Practice quizzes in the built site: each has a page at `/quizzes/<id>/`, lessons
//! embed them with a ```` ```quiz ```` block, `quiz.js` loads only where a quiz is, and
//! embedding an unknown quiz or an exam is a located error.

mod common;

use common::{practice, unhash};

#[test]
fn a_practice_quiz_gets_its_own_page() {
    let site = practice::site();
    site.build().unwrap();
    let html = unhash(&site.read("public/quizzes/rules-practice/index.html"));
    insta::assert_snapshot!("practice_page", html);
}

#[test]
fn throwaway() {
    let site = practice::site();
    site.build().unwrap();
    let html = unhash(&site.read("public/quizzes/rules-practice/index.html"));
    println!(
        "{}",
        &html[..html.find("<ol class=\"quiz-questions\">").unwrap()]
    );
    let html = unhash(&site.read("public/print/index.html"));
    for l in html.lines().filter(|l| l.contains("quiz")) {
        println!("{l}");
    }
    println!("{}", site.read("public/sitemap.xml"));
}
