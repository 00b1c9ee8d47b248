//! What the exam server must do, each written once and run on SQLite (tests/server.rs)
//! and on PostgreSQL (tests/server_pg.rs).

use axum::http::StatusCode;
use shouce::quiz::{Kind, Rule};
use shouce::store::Role;
use time::Duration;

use super::Harness;

pub const EXAM: &str = "aftersales-exam";

/// Signs in an agent and takes the exam with every answer right.
async fn pass(h: &Harness, login: &str, name: &str) -> (String, String) {
    h.user(login, name, Role::Agent).await;
    let cookie = h.sign_in(login).await;
    let id = h.start_ok(&cookie, EXAM).await;
    let answers = h.right_answers(&id, EXAM).await;
    let r = h
        .post_form(
            &format!("/attempt/{id}/submit"),
            Some(&cookie),
            &[("answers", &answers.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    (cookie, id)
}

/// Sign in, start, see the questions, autosave, reload, submit, pass, certificate,
/// verification; a second submit changes nothing.
pub async fn an_agent_passes_and_is_certified(h: &Harness) {
    h.user("A001", "张三", Role::Agent).await;
    let cookie = h.sign_in("A001").await;
    let id = h.start_ok(&cookie, EXAM).await;
    let page = h.get(&format!("/attempt/{id}/"), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("class=\"quiz-q ").count(),
        12,
        "12 questions drawn"
    );
    assert!(
        page.body.contains("__shouce/quiz-form.js") && !page.body.contains("quiz.js"),
        "the exam page loads practice's form code and not its grader"
    );
    let form_js = h.get("/__shouce/quiz-form.js", None).await;
    assert_eq!(form_js.status, StatusCode::OK);
    assert!(
        form_js.body.contains("shouceForm") && !form_js.body.contains("function grade("),
        "the form code has no grader"
    );
    assert_eq!(
        h.start_ok(&cookie, EXAM).await,
        id,
        "a second start resumes"
    );
    let answers = h.right_answers(&id, EXAM).await;
    let saved = h
        .post_json(
            &format!("/attempt/{id}/answers"),
            Some(&cookie),
            &serde_json::json!({ "answers": answers }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("\"saved\":true"));
    let reloaded = h.get(&format!("/attempt/{id}/"), Some(&cookie)).await;
    let first = answers["0"].to_string();
    assert!(
        reloaded.body.contains(&first),
        "the saved answers come back on reload"
    );
    let r = h
        .post_form(&format!("/attempt/{id}/submit"), Some(&cookie), &[])
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some(format!("/attempt/{id}/result").as_str())
    );
    let result = h.get(&format!("/attempt/{id}/result"), Some(&cookie)).await;
    assert!(
        result.body.contains("通过") && !result.body.contains("未通过"),
        "{}",
        result.body
    );
    let again = h
        .post_form(
            &format!("/attempt/{id}/submit"),
            Some(&cookie),
            &[("answers", "{}")],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let stored = h.state.store.attempt(&id).await.unwrap().unwrap();
    assert_eq!(
        stored.passed,
        Some(true),
        "a repeated submit changes nothing"
    );
    let certs = h
        .state
        .store
        .certificates_of(&stored.user_id)
        .await
        .unwrap();
    assert_eq!(certs.len(), 1);
    let list = h.get("/certificates/", Some(&cookie)).await;
    assert!(list.body.contains("售后规则认证") && list.body.contains("有效"));
    let printable = h
        .get(&format!("/certificates/{}/", certs[0].id), Some(&cookie))
        .await;
    assert!(
        printable.body.contains("张三") && printable.body.contains("2028-02-29"),
        "expires after 365 days (2028 is a leap year)"
    );
    let verify = h.get(&format!("/verify/{}", certs[0].id), None).await;
    assert!(verify.body.contains("张三：有效"), "{}", verify.body);
    assert!(
        !verify.body.contains("售后一组"),
        "the verification page shows the name and nothing else"
    );
    assert_eq!(
        h.start(&cookie, EXAM).await.status,
        StatusCode::CONFLICT,
        "already certified"
    );
    h.clock.advance(Duration::days(366));
    let expired = h.get(&format!("/verify/{}", certs[0].id), None).await;
    assert!(expired.body.contains("已过期"));
}

/// Whole exams, every response scanned for every answer-only text of the exam.
pub async fn no_answer_reaches_a_browser(h: &Harness) {
    let quiz = &h.state.site.quiz(EXAM).unwrap().quiz;
    let mut secrets: Vec<String> = Vec::new();
    for item in &quiz.items {
        secrets.push(item.key.explanation.clone());
        match &item.key.rule {
            Rule::Choice { feedback, .. } => secrets.extend(feedback.iter().cloned()),
            Rule::TrueFalse {
                feedback_true,
                feedback_false,
                ..
            } => {
                secrets.push(feedback_true.clone());
                secrets.push(feedback_false.clone());
            }
            Rule::Text { accepted } => secrets.extend(accepted.iter().cloned()),
            _ => {}
        }
    }
    secrets.retain(|s| s.chars().count() >= 6);
    assert!(
        secrets.len() > 20,
        "the exam has explanations and feedback to hide"
    );
    let Kind::Exam(settings) = &quiz.kind else {
        unreachable!()
    };
    assert_eq!(settings.reveal, shouce::quiz::Reveal::Score);
    h.user("B001", "李四", Role::Agent).await;
    let mut bodies = Vec::new();
    for _ in 0..3 {
        let cookie = h.sign_in("B001").await;
        let id = h.start_ok(&cookie, EXAM).await;
        bodies.push(h.get(&format!("/attempt/{id}/"), Some(&cookie)).await.body);
        let wrong =
            serde_json::json!({ "answers": { "0": { "choice": 0 }, "1": { "bool": true } } });
        bodies.push(
            h.post_json(&format!("/attempt/{id}/answers"), Some(&cookie), &wrong)
                .await
                .body,
        );
        bodies.push(
            h.post_form(&format!("/attempt/{id}/submit"), Some(&cookie), &[])
                .await
                .body,
        );
        let result = h.get(&format!("/attempt/{id}/result"), Some(&cookie)).await;
        assert!(result.body.contains("未通过"), "graded: {}", result.body);
        bodies.push(result.body);
        bodies.push(h.get("/certificates/", Some(&cookie)).await.body);
        bodies.push(h.get("/__shouce/exam.js", None).await.body);
        bodies.push(h.get("/__shouce/quiz-form.js", None).await.body);
        h.clock.advance(Duration::hours(25));
    }
    for body in &bodies {
        for s in &secrets {
            assert!(
                !body.contains(s.as_str()),
                "an answer text reached a response: {s}"
            );
        }
    }
}

/// Every id-bearing route answers "not found" for someone else's attempt and
/// certificate, and nothing changes.
pub async fn an_agent_cannot_touch_another_agents_attempt(h: &Harness) {
    let (_, theirs) = pass(h, "C001", "王五").await;
    let before = h.state.store.attempt(&theirs).await.unwrap().unwrap();
    let cert = h
        .state
        .store
        .certificate_of_attempt(&theirs)
        .await
        .unwrap()
        .unwrap();
    h.user("C002", "赵六", Role::Agent).await;
    let me = h.sign_in("C002").await;
    let open = h.start_ok(&me, EXAM).await;
    let _ = open;
    for path in [
        format!("/attempt/{theirs}/"),
        format!("/attempt/{theirs}/result"),
        format!("/certificates/{}/", cert.id),
    ] {
        assert_eq!(
            h.get(&path, Some(&me)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let json = serde_json::json!({ "answers": {} });
    assert_eq!(
        h.post_json(&format!("/attempt/{theirs}/answers"), Some(&me), &json)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.post_form(&format!("/attempt/{theirs}/submit"), Some(&me), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let after = h.state.store.attempt(&theirs).await.unwrap().unwrap();
    assert_eq!(
        (before.answers, before.points),
        (after.answers, after.points)
    );
    assert_eq!(
        h.get(&format!("/attempt/{theirs}/"), None).await.status,
        StatusCode::SEE_OTHER,
        "signed out: sign in first"
    );
}

/// A failed attempt waits for the retake; the attempt limit holds; a late submit is
/// refused and the saved answers are graded.
pub async fn policy_and_deadlines_hold(h: &Harness) {
    h.user("D001", "孙七", Role::Agent).await;
    let cookie = h.sign_in("D001").await;
    let id = h.start_ok(&cookie, EXAM).await;
    h.clock.advance(Duration::minutes(31));
    let late = h
        .post_form(
            &format!("/attempt/{id}/submit"),
            Some(&cookie),
            &[("answers", &h.right_answers(&id, EXAM).await.to_string())],
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    let graded = h.state.store.attempt(&id).await.unwrap().unwrap();
    assert_eq!(
        graded.passed,
        Some(false),
        "the late answers were not taken"
    );
    let other = h.user("D002", "钱一", Role::Agent).await;
    let other_cookie = h.sign_in("D002").await;
    let abandoned = h.start_ok(&other_cookie, EXAM).await;
    let right = serde_json::json!({ "answers": h.right_answers(&abandoned, EXAM).await });
    h.post_json(
        &format!("/attempt/{abandoned}/answers"),
        Some(&other_cookie),
        &right,
    )
    .await;
    assert_eq!(
        shouce::server::grade_overdue_now(&h.state).await,
        0,
        "not overdue yet"
    );
    h.clock.advance(Duration::minutes(31));
    assert_eq!(
        shouce::server::grade_overdue_now(&h.state).await,
        1,
        "a closed browser is graded at the deadline"
    );
    let closed = h.state.store.attempt(&abandoned).await.unwrap().unwrap();
    assert_eq!(
        closed.passed,
        Some(true),
        "with the answers saved before the deadline"
    );
    assert_eq!(
        h.state
            .store
            .certificates_of(&other.id)
            .await
            .unwrap()
            .len(),
        1
    );
    let wait = h.start(&cookie, EXAM).await;
    assert_eq!(wait.status, StatusCode::CONFLICT);
    assert!(wait.body.contains("24 小时"), "{}", wait.body);
    for _ in 0..2 {
        h.clock.advance(Duration::hours(24));
        // (a day idle ends the session: sign in again)
        let cookie = h.sign_in("D001").await;
        let id = h.start_ok(&cookie, EXAM).await;
        h.post_form(&format!("/attempt/{id}/submit"), Some(&cookie), &[])
            .await;
    }
    h.clock.advance(Duration::hours(24));
    let cookie = h.sign_in("D001").await;
    let spent = h.start(&cookie, EXAM).await;
    assert_eq!(spent.status, StatusCode::CONFLICT);
    assert!(spent.body.contains("最多 3 次"), "{}", spent.body);
}

/// Injection strings in every field are inert; a `<script>` name is escaped.
pub async fn hostile_input_is_inert(h: &Harness) {
    let evil = "x' OR '1'='1'; DROP TABLE users; --";
    let r = h
        .post_form(
            "/account/login",
            None,
            &[
                ("login", evil),
                ("password", evil),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    h.user("E001", "<script>alert(1)</script>", Role::Agent)
        .await;
    let cookie = h.sign_in("E001").await;
    let id = h.start_ok(&cookie, EXAM).await;
    let answers = serde_json::json!({ "answers": { "0": { "text": evil }, "1'; DROP TABLE attempts; --": { "choice": 1 } } });
    assert_eq!(
        h.post_json(&format!("/attempt/{id}/answers"), Some(&cookie), &answers)
            .await
            .status,
        StatusCode::OK
    );
    let page = h.get(&format!("/attempt/{id}/"), Some(&cookie)).await;
    assert!(
        !page.body.contains("<script>alert(1)"),
        "the name is escaped"
    );
    assert!(
        page.body
            .contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    let encoded = percent_encoding::utf8_percent_encode(evil, percent_encoding::NON_ALPHANUMERIC);
    assert_eq!(
        h.get(&format!("/attempt/{encoded}/"), Some(&cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        h.state.store.user_by_login("E001").await.unwrap().is_some(),
        "the tables are all there"
    );
    let next = h
        .post_form(
            "/account/login",
            None,
            &[
                ("login", "E001"),
                ("password", super::PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(
        next.location.as_deref(),
        Some("/"),
        "no redirect to another host"
    );
}

/// Logout ends the session on the server; cross-site posts are refused; the login
/// limit locks an account out after 5 failures, even for the right password.
pub async fn sessions_csrf_and_login_limits(h: &Harness) {
    let anonymous = h.post_form("/exam/aftersales-exam/start", None, &[]).await;
    assert_eq!(
        anonymous.location.as_deref(),
        Some("/account/login?next=%2Fexams%2Faftersales%2Dexam%2F"),
        "signing in leads back to the exam's landing page"
    );
    h.user("F001", "周八", Role::Agent).await;
    let cookie = h.sign_in("F001").await;
    assert_eq!(
        h.get("/certificates/", Some(&cookie)).await.status,
        StatusCode::OK
    );
    let evil = axum::http::Request::post("/account/logout")
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .header("host", "kb.example")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(h.send(evil).await.status, StatusCode::FORBIDDEN);
    let cross = axum::http::Request::post("/exam/aftersales-exam/start")
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(h.send(cross).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        h.get("/certificates/", Some(&cookie)).await.status,
        StatusCode::OK,
        "still signed in"
    );
    let out = h.post_form("/account/logout", Some(&cookie), &[]).await;
    assert!(out.set_cookie.unwrap().contains("Max-Age=0"));
    assert_eq!(
        h.get("/certificates/", Some(&cookie)).await.status,
        StatusCode::SEE_OTHER,
        "the old cookie is dead"
    );
    h.user("F002", "吴九", Role::Agent).await;
    for _ in 0..5 {
        let r = h
            .post_form(
                "/account/login",
                None,
                &[("login", "F002"), ("password", "wrong password")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let locked = h
        .post_form(
            "/account/login",
            None,
            &[("login", "F002"), ("password", super::PASSWORD)],
        )
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    h.clock.advance(Duration::minutes(16));
    h.sign_in("F002").await;
    let idle = h.sign_in("F001").await;
    h.clock.advance(Duration::hours(3));
    assert_eq!(
        h.get("/certificates/", Some(&idle)).await.status,
        StatusCode::SEE_OTHER,
        "idle sessions end"
    );
}

/// A setup link sets a password once.
pub async fn setup_links_work_once(h: &Harness) {
    let user = h
        .state
        .store
        .add_user(
            &shouce::store::NewUser {
                login: "admin".into(),
                name: "管理员".into(),
                team: String::new(),
                role: Role::Admin,
                password_hash: None,
            },
            0,
        )
        .await
        .unwrap();
    assert!(!h.state.store.has_admin().await.unwrap());
    let token = h
        .state
        .store
        .create_setup_link(&user.id, h.state.now_ms() + 3_600_000)
        .await
        .unwrap();
    assert_eq!(
        h.get(&format!("/account/setup/{token}"), None).await.status,
        StatusCode::OK
    );
    let short = h
        .post_form(
            &format!("/account/setup/{token}"),
            None,
            &[("password", "short")],
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    let set = h
        .post_form(
            &format!("/account/setup/{token}"),
            None,
            &[("password", "a long enough secret")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    assert!(h.state.store.has_admin().await.unwrap());
    let again = h
        .post_form(
            &format!("/account/setup/{token}"),
            None,
            &[("password", "another long secret")],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(h.get("/healthz", None).await.status, StatusCode::OK);
}

/// A rebuilt handbook that changes a cited paragraph marks the certificate, and the
/// agent sees the old and new text.
pub async fn a_changed_rule_needs_recertification(h: &Harness) {
    let (cookie, id) = pass(h, "G001", "郑十").await;
    let cert = h
        .state
        .store
        .certificate_of_attempt(&id)
        .await
        .unwrap()
        .unwrap();
    let mut site = super::shipped_site();
    let quiz = site.quiz(EXAM).unwrap().quiz.clone();
    let link = quiz
        .items
        .iter()
        .find_map(|i| i.question.source.clone())
        .unwrap();
    let old = shouce::site::LessonIndex::cited_text(&site.library, &link).unwrap();
    let heading_end = old.find('\n').unwrap();
    let page = site
        .library
        .pages
        .iter_mut()
        .find(|p| p.text.contains(&old))
        .unwrap();
    let at = page.text.find(&old).unwrap() + heading_end;
    page.text
        .insert_str(at, "\n\n新规：自 2027 年起，时限改为 48 小时。\n");
    let rebuilt = h.with_site(site);
    let printable = rebuilt
        .get(&format!("/certificates/{}/", cert.id), Some(&cookie))
        .await;
    assert!(
        printable.body.contains("需要重新认证"),
        "{}",
        printable.body
    );
    assert!(printable.body.contains("新规：自 2027 年起"));
    let list = rebuilt.get("/certificates/", Some(&cookie)).await;
    assert!(list.body.contains("需要重新认证"));
    let unchanged = h
        .get(&format!("/certificates/{}/", cert.id), Some(&cookie))
        .await;
    assert!(!unchanged.body.contains("需要重新认证"));
}
