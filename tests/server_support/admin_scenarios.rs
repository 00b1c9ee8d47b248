//! The admins' pages and actions (exam reset, certificate revocation, the audit log),
//! each written once and run on SQLite (tests/server.rs) and PostgreSQL
//! (tests/server_pg.rs).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use shouce::store::{AuditEntry, Role};
use time::Duration;

use super::Harness;
use super::scenarios::EXAM;

async fn submit(h: &Harness, cookie: &str, id: &str, answers: &serde_json::Value) {
    let r = h
        .post_form(
            &format!("/attempt/{id}/submit"),
            Some(cookie),
            &[("answers", &answers.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

async fn audit_actions(h: &Harness) -> Vec<AuditEntry> {
    h.state.store.audit_log(1000).await.unwrap()
}

/// A POST as another site's page would send it (the browser says so).
async fn cross_site(h: &Harness, path: &str, cookie: &str, form: &str) -> StatusCode {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .header(header::COOKIE, cookie)
        .body(Body::from(form.to_string()))
        .unwrap();
    h.send(req).await.status
}

/// An agent fails, meets the retake wait; an admin resets the exam and the agent may
/// start at once; a reset voids an open attempt (kept, not graded, not counted; its
/// owner is told so, by its page and by an autosave); the agent passes; the admin revokes the certificate with a reason
/// and /verify says revoked. Every action is in the audit log, newest first.
pub async fn an_admin_resets_an_exam_and_revokes_a_certificate(h: &Harness) {
    let agent = h.user("R001", "周八", Role::Agent).await;
    h.user("root", "管理员", Role::Admin).await;
    let cookie = h.sign_in("R001").await;
    let admin = h.sign_in("root").await;
    let first = h.start_ok(&cookie, EXAM).await;
    submit(h, &cookie, &first, &serde_json::json!({})).await;
    assert_eq!(
        h.start(&cookie, EXAM).await.status,
        StatusCode::CONFLICT,
        "the retake wait holds before a reset"
    );

    let found = h.get("/admin/users/?q=R00", Some(&admin)).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert!(
        found.body.contains("周八") && found.body.contains("admin/users/R001/"),
        "{}",
        found.body
    );
    let reset_path = "/admin/users/R001/reset";
    let unconfirmed = h
        .post_form(
            reset_path,
            Some(&admin),
            &[("exam", EXAM), ("reason", "主管申请重考")],
        )
        .await;
    assert_eq!(unconfirmed.status, StatusCode::BAD_REQUEST);
    let no_reason = h
        .post_form(
            reset_path,
            Some(&admin),
            &[("exam", EXAM), ("reason", "  "), ("confirm", "yes")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let no_exam = h
        .post_form(
            reset_path,
            Some(&admin),
            &[("exam", "nope"), ("reason", "x"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(no_exam.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        cross_site(
            h,
            reset_path,
            &admin,
            "exam=aftersales-exam&reason=x&confirm=yes"
        )
        .await,
        StatusCode::FORBIDDEN
    );
    assert!(
        audit_actions(h).await.is_empty(),
        "refused requests write nothing"
    );
    let form = [
        ("exam", EXAM),
        ("reason", "主管申请重考"),
        ("confirm", "yes"),
    ];
    let done = h.post_form(reset_path, Some(&admin), &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some("/admin/users/R001/?done=reset")
    );
    let log = audit_actions(h).await;
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].actor.as_str(), log[0].action.as_str()),
        ("web:root", "exam.reset")
    );
    assert!(
        log[0].detail.contains("R001") && log[0].detail.contains("主管申请重考"),
        "{:?}",
        log[0]
    );

    h.clock.advance(Duration::minutes(1));
    let second = h.start_ok(&cookie, EXAM).await;
    assert_ne!(
        second, first,
        "the reset lets the agent start again at once"
    );
    // A save before the reset: the server now holds the attempt's head in memory.
    let before = h
        .post_json(
            &format!("/attempt/{second}/answers"),
            Some(&cookie),
            &serde_json::json!({ "answers": {} }),
        )
        .await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    h.clock.advance(Duration::minutes(1));
    assert_eq!(
        h.post_form(reset_path, Some(&admin), &form).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(audit_actions(h).await[0].detail.contains(&second));
    // Its owner is told why it is gone, from the autosave as from the page …
    let saved = h
        .post_json(
            &format!("/attempt/{second}/answers"),
            Some(&cookie),
            &serde_json::json!({ "answers": {} }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::CONFLICT, "{}", saved.body);
    assert!(saved.body.contains("已作废"), "{}", saved.body);
    for what in ["", "result"] {
        let page = h
            .get(&format!("/attempt/{second}/{what}"), Some(&cookie))
            .await;
        assert_eq!(page.status, StatusCode::CONFLICT, "{what}: {}", page.body);
        assert!(page.body.contains("重置") && page.body.contains("已作废"));
        assert!(
            !page.body.contains("site-header"),
            "a script's answer stays bare"
        );
    }
    // A browser's navigation gets the message in the site's layout, with a way back.
    let navigation = Request::get(format!("/attempt/{second}/"))
        .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let dressed = h.send(navigation).await;
    assert_eq!(dressed.status, StatusCode::CONFLICT);
    for part in [
        "site-header",
        "<h1>无法继续</h1>",
        "已作废",
        "回到手册首页",
        "周八",
        "退出登录",
    ] {
        assert!(dressed.body.contains(part), "{part}: {}", dressed.body);
    }
    let submitted = h
        .post_form(
            &format!("/attempt/{second}/submit"),
            Some(&cookie),
            &[("answers", "{}")],
        )
        .await;
    assert_eq!(submitted.status, StatusCode::CONFLICT, "{}", submitted.body);
    // … and to anyone else it is an attempt that is not theirs: not found.
    h.user("R002", "吴九", Role::Agent).await;
    let other = h.sign_in("R002").await;
    assert_eq!(
        h.get(&format!("/attempt/{second}/"), Some(&other))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "a voided attempt is not anyone else's"
    );
    h.clock.advance(Duration::hours(1));
    assert_eq!(
        shouce::server::grade_overdue_now(&h.state).await,
        0,
        "a voided attempt is never graded"
    );
    let history = h.state.store.attempt_history(&agent.id).await.unwrap();
    assert_eq!(history.len(), 2, "voided and graded attempts are both kept");
    assert_eq!(
        history
            .iter()
            .filter(|(a, _)| a.submitted_ms.is_some())
            .count(),
        1,
        "a voided attempt is not graded"
    );
    let page = h.get("/admin/users/R001/", Some(&admin)).await;
    assert!(page.body.contains("已作废") && page.body.contains("未通过"));

    let third = h.start_ok(&cookie, EXAM).await;
    let right = h.right_answers(&third, EXAM).await;
    submit(h, &cookie, &third, &right).await;
    let cert = &h.state.store.certificates_of(&agent.id).await.unwrap()[0];
    assert!(
        h.get(&format!("/verify/{}", cert.id), None)
            .await
            .body
            .contains("有效")
    );
    let revoke_path = format!("/admin/certificates/{}/revoke", cert.id);
    assert_eq!(
        cross_site(h, &revoke_path, &admin, "reason=x&confirm=yes").await,
        StatusCode::FORBIDDEN
    );
    let unconfirmed = h
        .post_form(&revoke_path, Some(&admin), &[("reason", "考试作弊")])
        .await;
    assert_eq!(unconfirmed.status, StatusCode::BAD_REQUEST);
    let revoke = [("reason", "考试作弊"), ("confirm", "yes")];
    let revoked = h.post_form(&revoke_path, Some(&admin), &revoke).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    let verify = h.get(&format!("/verify/{}", cert.id), None).await;
    assert!(verify.body.contains("已撤销"), "{}", verify.body);
    assert!(
        !verify.body.contains("考试作弊"),
        "the reason is not the public's"
    );
    let list = h.get("/certificates/", Some(&cookie)).await;
    assert!(list.body.contains("已撤销"), "{}", list.body);
    assert_eq!(
        h.post_form(&revoke_path, Some(&admin), &revoke)
            .await
            .status,
        StatusCode::CONFLICT,
        "a second revocation is refused"
    );
    let stored = h.state.store.certificate(&cert.id).await.unwrap().unwrap();
    assert_eq!(stored.revoked_reason.as_deref(), Some("考试作弊"));
    let page = h.get("/admin/users/R001/", Some(&admin)).await;
    assert!(page.body.contains("原因：考试作弊"), "{}", page.body);

    let log = audit_actions(h).await;
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["certificate.revoke", "exam.reset", "exam.reset"],
        "newest first"
    );
    let audit = h.get("/admin/audit/", Some(&admin)).await;
    assert_eq!(audit.status, StatusCode::OK);
    let (revoke_at, reset_at) = (
        audit.body.find("certificate.revoke").unwrap(),
        audit.body.find("exam.reset").unwrap(),
    );
    assert!(revoke_at < reset_at, "the page lists newest first");
}

/// Agents, trainers and supervisors can neither see nor act; signed-out visitors are
/// sent to sign in; nothing is written.
pub async fn only_admins_reach_the_admin_pages(h: &Harness) {
    let agent = h.user("S001", "吴九", Role::Agent).await;
    h.user("S002", "郑十", Role::Trainer).await;
    h.user("S003", "王主管", Role::Supervisor).await;
    let id = "0123456789abcdef";
    for login in ["S001", "S002", "S003"] {
        let cookie = h.sign_in(login).await;
        for path in ["/admin/users/?q=S", "/admin/users/S001/", "/admin/audit/"] {
            assert_eq!(
                h.get(path, Some(&cookie)).await.status,
                StatusCode::FORBIDDEN,
                "{login} GET {path}"
            );
        }
        let reset = h
            .post_form(
                "/admin/users/S001/reset",
                Some(&cookie),
                &[("exam", EXAM), ("reason", "x"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(reset.status, StatusCode::FORBIDDEN, "{login} reset");
        let revoke = h
            .post_form(
                &format!("/admin/certificates/{id}/revoke"),
                Some(&cookie),
                &[("reason", "x"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(revoke.status, StatusCode::FORBIDDEN, "{login} revoke");
    }
    let anonymous = h.get("/admin/audit/", None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location.unwrap().starts_with("/account/login"));
    let anonymous = h
        .post_form(
            "/admin/users/S001/reset",
            None,
            &[("exam", EXAM), ("reason", "x"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(audit_actions(h).await.is_empty());
    let history = h.state.store.attempt_history(&agent.id).await.unwrap();
    assert!(history.is_empty());
}

/// The audit log pages 50 at a time, newest first; names and details are escaped;
/// SQL-looking search text is inert; an unknown account or certificate is not found.
pub async fn the_audit_log_pages_and_escapes(h: &Harness) {
    h.user("root", "管理员", Role::Admin).await;
    h.user("X001", "<script>alert(1)</script>", Role::Agent)
        .await;
    let admin = h.sign_in("root").await;
    for i in 0..120 {
        let entry = AuditEntry {
            at_ms: 1_000 + i,
            actor: "cli:test".into(),
            action: "user.add".into(),
            detail: format!("entry-{i:03} <b>"),
        };
        h.state.store.audit(&entry).await.unwrap();
    }
    let first = h.get("/admin/audit/", Some(&admin)).await;
    assert!(first.body.contains("entry-119") && first.body.contains("entry-070"));
    assert!(!first.body.contains("entry-069"), "50 a page");
    assert!(first.body.contains("第 1 / 3 页") && first.body.contains("?page=2"));
    assert!(first.body.contains("&lt;b&gt;") && !first.body.contains("<b>"));
    let last = h.get("/admin/audit/?page=3", Some(&admin)).await;
    assert!(last.body.contains("entry-000") && !last.body.contains("entry-020"));
    let odd = h.get("/admin/audit/?page=abc", Some(&admin)).await;
    assert!(odd.body.contains("第 1 / 3 页"));
    let beyond = h.get("/admin/audit/?page=99", Some(&admin)).await;
    assert!(beyond.body.contains("第 3 / 3 页"));

    let found = h.get("/admin/users/?q=X00", Some(&admin)).await;
    assert!(found.body.contains("&lt;script&gt;") && !found.body.contains("<script>alert"));
    let page = h.get("/admin/users/X001/", Some(&admin)).await;
    assert!(page.body.contains("&lt;script&gt;") && !page.body.contains("<script>alert"));
    for q in ["' OR 1=1 --", "%", "_", "\\"] {
        let r = h
            .get(&format!("/admin/users/?q={}", urlencode(q)), Some(&admin))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.body.contains("X001"), "`{q}` matches nothing");
    }
    assert_eq!(
        h.get("/admin/users/nobody/", Some(&admin)).await.status,
        StatusCode::NOT_FOUND
    );
    let missing = h
        .post_form(
            "/admin/certificates/nope/revoke",
            Some(&admin),
            &[("reason", "x"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).unwrap()[1..].to_string()
}
