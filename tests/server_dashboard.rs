//! The results views (`/dashboard/…`) over HTTP, on SQLite and (when its binaries are
//! installed) on a throwaway PostgreSQL: who may see what on every route, the
//! readiness table's standings and counts, an exam's statistics, and the CSV exports
//! matching the pages.

mod server_support;

use std::sync::OnceLock;

use axum::http::StatusCode;
use server_support::postgres::Postgres;
use server_support::{Harness, PASSWORD, shipped_site};
use shouce::server;
use shouce::store::{NewUser, Role, Store};
use sqlx::AssertSqlSafe;
use time::Duration;

const EXAM: &str = "aftersales-exam";
const HOME: &str = "售后一组";
const OTHER: &str = "售前二组";

async fn member(h: &Harness, login: &str, name: &str, team: &str, role: Role) -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    let hash = HASH.get_or_init(|| server::password::hash(PASSWORD).unwrap());
    let new = NewUser {
        login: login.into(),
        name: name.into(),
        team: team.into(),
        role,
        password_hash: Some(hash.clone()),
    };
    h.state.store.add_user(&new, 0).await.unwrap();
    h.sign_in(login).await
}

/// Sits the exam as `cookie`, all right (`pass`) or all blank.
async fn sit(h: &Harness, cookie: &str, pass: bool) {
    let id = h.start_ok(cookie, EXAM).await;
    let answers = if pass {
        h.right_answers(&id, EXAM).await.to_string()
    } else {
        String::new()
    };
    let r = h
        .post_form(
            &format!("/attempt/{id}/submit"),
            Some(cookie),
            &[("answers", &answers)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

struct People {
    agent: String,
    trainer: String,
    supervisor: String,
    admin: String,
}

/// Team HOME: 张三 passes, 李四 fails, 王五 never sits; team OTHER: an agent with a
/// hostile name passes.
async fn company(h: &Harness) -> People {
    let agent = member(h, "A001", "张三", HOME, Role::Agent).await;
    sit(h, &agent, true).await;
    let failing = member(h, "A002", "李四", HOME, Role::Agent).await;
    sit(h, &failing, false).await;
    member(h, "A003", "王五", HOME, Role::Agent).await;
    let other = member(h, "B001", "=HYPERLINK(\"x\")<script>", OTHER, Role::Agent).await;
    sit(h, &other, true).await;
    People {
        agent,
        trainer: member(h, "T001", "培训师", HOME, Role::Trainer).await,
        supervisor: member(h, "S001", "主管", HOME, Role::Supervisor).await,
        admin: member(h, "ADM", "管理员", "总部", Role::Admin).await,
    }
}

const ROUTES: [&str; 8] = [
    "/dashboard/",
    "/dashboard/exams/",
    "/dashboard/status.csv",
    "/dashboard/exams/aftersales-exam/",
    "/dashboard/exams/aftersales-exam/items.csv",
    "/dashboard/exams/aftersales-exam/results.csv",
    "/dashboard/lessons/",
    "/dashboard/lessons.csv",
];

/// Who may open each route: every boundary, on every route.
async fn access_is_role_gated_on_every_route(h: &Harness) {
    let p = company(h).await;
    for route in ROUTES {
        let anonymous = h.get(route, None).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{route}");
        assert!(anonymous.location.unwrap().contains("account/login"));
        let agent = h.get(route, Some(&p.agent)).await;
        assert_eq!(agent.status, StatusCode::FORBIDDEN, "agent on {route}");
        assert!(!agent.body.contains("张三"), "{route}");
        for (who, cookie) in [("supervisor", &p.supervisor), ("admin", &p.admin)] {
            let r = h.get(route, Some(cookie)).await;
            assert_eq!(r.status, StatusCode::OK, "{who} on {route}: {}", r.body);
        }
        let trainer = h.get(route, Some(&p.trainer)).await;
        let aggregate = (route.contains("/exams/") || route.contains("/lessons"))
            && !route.ends_with("results.csv");
        let expected = if aggregate {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(trainer.status, expected, "trainer on {route}");
        // Whatever a trainer may open names no agent.
        for name in ["张三", "李四", "A001", "A002", "HYPERLINK"] {
            assert!(
                !trainer.body.contains(name),
                "trainer sees {name} on {route}"
            );
        }
        // A supervisor sees their own team only, whatever the URL asks for.
        let asked = format!("{route}?team={}", urlencode(OTHER));
        let supervisor = h.get(&asked, Some(&p.supervisor)).await;
        assert_eq!(supervisor.status, StatusCode::OK, "{asked}");
        assert!(!supervisor.body.contains("B001"), "{asked}");
        assert!(!supervisor.body.contains("HYPERLINK"), "{asked}");
    }
}

/// An agent's record: the agent themselves, their team's supervisor and admins; nobody
/// else, and another team's record is "not found".
async fn agent_records_are_their_own(h: &Harness) {
    let p = company(h).await;
    let other_agent = h.sign_in("A002").await;
    let cases = [
        ("A001", &p.agent, StatusCode::OK),
        ("A001", &other_agent, StatusCode::NOT_FOUND),
        ("A001", &p.supervisor, StatusCode::OK),
        ("A001", &p.admin, StatusCode::OK),
        ("A001", &p.trainer, StatusCode::FORBIDDEN),
        ("B001", &p.supervisor, StatusCode::NOT_FOUND),
        ("B001", &p.agent, StatusCode::NOT_FOUND),
        ("B001", &p.admin, StatusCode::OK),
        ("S001", &p.admin, StatusCode::NOT_FOUND),
        ("nobody", &p.admin, StatusCode::NOT_FOUND),
    ];
    for (login, cookie, expected) in cases {
        let r = h
            .get(&format!("/dashboard/agents/{login}/"), Some(cookie))
            .await;
        assert_eq!(r.status, expected, "{login}: {}", r.body);
        if expected != StatusCode::OK {
            assert!(!r.body.contains("HYPERLINK") && !r.body.contains("张三"));
        }
    }
    // 张三 passed: a certificate and a passed attempt, nothing to revise.
    let passed = h.get("/dashboard/agents/A001/", Some(&p.admin)).await;
    assert!(
        passed.body.contains("售后规则认证") && passed.body.contains("有效"),
        "{}",
        passed.body
    );
    assert!(passed.body.contains("没有答错的题目"));
    // 李四 answered nothing: every topic at 0 %, and the paragraphs to revise link
    // to the lessons.
    let failed = h.get("/dashboard/agents/A002/", Some(&p.supervisor)).await;
    assert!(failed.body.contains("还没有证书"));
    let topics = table_rows(&failed.body, "topics");
    assert!(
        !topics.is_empty() && topics.iter().all(|t| t.contains("<td>0</td>")),
        "{topics:?}"
    );
    // Every paragraph behind a missed question is listed (100 % missed), named by its
    // lesson's title and heading, and links to it. (Tera writes `/` as `&#x2F;`.)
    let list = &failed.body[failed.body.find("missed-paragraphs").unwrap()..];
    let items: Vec<&str> = list[..list.find("</ul>").unwrap()]
        .split("<li>")
        .skip(1)
        .collect();
    assert!(!items.is_empty());
    for item in items {
        assert!(item.starts_with("<a href=\"&#x2F;"), "{item}");
        assert!(
            item.contains(" · ") && item.contains("（失分率 100%）"),
            "{item}"
        );
    }
}

/// `shouce demo seed`'s company: deterministic, and with agents in every standing.
async fn the_demo_company_has_every_standing(h: &Harness) {
    static HASH: OnceLock<String> = OnceLock::new();
    let hash = HASH.get_or_init(|| server::password::hash(PASSWORD).unwrap());
    let now = h.state.now_ms();
    let site = &h.state.site;
    let made = server::demo::seed(&h.state.store, site, hash, 100, 7, now)
        .await
        .unwrap();
    assert_eq!(made.agents, 100);
    assert!(made.attempts > 100 && made.certificates > 20, "{made:?}");
    // One rule change, acknowledged by some agents and awaiting the others.
    let changes = h.state.store.rule_changes().await.unwrap();
    assert_eq!(changes.len(), 1);
    assert!(changes[0].old_text.contains("旧版规则") && !changes[0].new_text.contains("旧版规则"));
    let acks = h.state.store.acknowledgements("").await.unwrap();
    let done: usize = acks.values().map(|users| users.len()).sum();
    assert_eq!(done, made.acknowledged);
    assert!(done > 30 && done < 90, "{done}");
    // Serving the same handbook finds nothing new.
    assert_eq!(server::publish_rule_changes(&h.state).await.unwrap(), 0);
    let admin = h.sign_in("admin").await;
    let csv = h.get("/dashboard/status.csv", Some(&admin)).await;
    assert_eq!(csv.body.trim_end().split("\r\n").count(), 1 + 100);
    for standing in [
        "已认证",
        "30 天内到期",
        "需重新认证",
        "已过期",
        "未通过",
        "未参加",
    ] {
        assert!(csv.body.contains(standing), "no agent is {standing}");
    }
    // Every agent was due to read the change; the list of all has each once.
    let acks = h
        .get("/dashboard/changes.csv?status=all", Some(&admin))
        .await;
    assert_eq!(acks.body.trim_end().split("\r\n").count(), 1 + 100);
    // Agents at every stage of onboarding, as many lesson opens as were seeded.
    let progress = h.get("/dashboard/progress.csv", Some(&admin)).await;
    let lines: Vec<&str> = progress.body.trim_end().split("\r\n").skip(1).collect();
    assert_eq!(lines.len(), 100);
    for stage in ["还没开始", "学习中", "每课都已打开"] {
        assert!(progress.body.contains(stage), "no agent is {stage}");
    }
    let opened: usize = lines
        .iter()
        .map(|l| l.split(',').nth(3).unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(opened, made.lessons_opened);
    // The same seed makes the same company.
    let again = Harness::sqlite().await;
    let remade = server::demo::seed(&again.state.store, site, hash, 100, 7, now)
        .await
        .unwrap();
    assert_eq!(remade, made);
    let csv_again = again
        .get("/dashboard/status.csv", Some(&again.sign_in("admin").await))
        .await;
    assert_eq!(csv_again.body, csv.body);
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("x", text)]).unwrap()[2..].to_string()
}

/// The readiness page: standings, counts, which teams are ready; the CSV matches.
async fn readiness_shows_each_agents_standing(h: &Harness) {
    let p = company(h).await;
    let page = h.get("/dashboard/", Some(&p.admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    let rows = table_rows(&page.body, "agents");
    let row = |login: &str| {
        rows.iter()
            .find(|r| r.contains(&format!("<td>{login}</td>")))
            .cloned()
            .unwrap_or_else(|| panic!("{login} not listed: {rows:?}"))
    };
    // Three exams in the handbook, the after-sales one second.
    assert!(row("A001").contains("已认证"), "{}", row("A001"));
    assert!(row("A002").contains("未通过"));
    assert!(row("A003").contains("未参加"));
    // The hostile name is escaped wherever it is shown.
    assert!(!page.body.contains("<script>"));
    assert!(page.body.contains("&lt;script&gt;"));
    // Filtered to the exam and to failures: one agent.
    let failed = h
        .get(
            &format!("/dashboard/?exam={EXAM}&status=failed"),
            Some(&p.admin),
        )
        .await;
    let failed_rows = table_rows(&failed.body, "agents");
    assert_eq!(failed_rows.len(), 1, "{failed_rows:?}");
    assert!(failed_rows[0].contains("李四"));
    // Team OTHER (one agent, certified) is ready for the exam; HOME is not.
    let ready = h
        .get(&format!("/dashboard/?exam={EXAM}"), Some(&p.admin))
        .await;
    assert!(ready.body.contains(&format!("<tr><th scope=\"row\">{OTHER}</th><td>1</td><td>1</td><td><span class=\"status status-certified\">是")));
    assert!(ready.body.contains(&format!("<tr><th scope=\"row\">{HOME}</th><td>3</td><td>1</td><td><span class=\"status status-failed\">否")));
    // The CSV has the same agents as the page, with a BOM and the formula defused.
    let csv = h
        .get(
            &format!("/dashboard/status.csv?exam={EXAM}"),
            Some(&p.admin),
        )
        .await;
    assert!(csv.body.starts_with('\u{feff}'));
    let lines: Vec<&str> = csv.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 1 + 4, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("A002,李四,售后一组,未通过"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"'=HYPERLINK(\"\"x\"\")<script>\"")),
        "{lines:?}"
    );
    // Expiry: 30 days before it the certificate is "expiring"; after it, expired.
    // (Sessions end after hours idle: sign in again after each jump.)
    h.clock.advance(Duration::days(365 - 29));
    let admin = h.sign_in("ADM").await;
    let soon = h
        .get(&format!("/dashboard/status.csv?exam={EXAM}"), Some(&admin))
        .await;
    assert!(
        soon.body.contains("A001,张三,售后一组,30 天内到期"),
        "{}",
        soon.body
    );
    h.clock.advance(Duration::days(30));
    let admin = h.sign_in("ADM").await;
    let late = h
        .get(&format!("/dashboard/status.csv?exam={EXAM}"), Some(&admin))
        .await;
    assert!(
        late.body.contains("A001,张三,售后一组,已过期"),
        "{}",
        late.body
    );
}

/// An exam's statistics: counts, item analysis, charts with tables; CSVs match.
async fn exam_statistics_match_the_attempts(h: &Harness) {
    let p = company(h).await;
    let page = h
        .get(&format!("/dashboard/exams/{EXAM}/"), Some(&p.admin))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    // Three graded attempts, two passed.
    assert!(
        page.body.contains("<dt>交卷次数</dt><dd>3</dd>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<dt>通过</dt><dd>2（66.7%）</dd>"));
    // Charts are SVG with an accessible name, and a table beside each.
    assert_eq!(page.body.matches("<svg ").count(), 3);
    assert!(
        page.body
            .contains("aria-labelledby=\"scores-title scores-desc\"")
    );
    // Every question drawn at least once has a row; the CSV has the same questions.
    let items = table_rows(&page.body, "items");
    assert!(!items.is_empty());
    let csv = h
        .get(
            &format!("/dashboard/exams/{EXAM}/items.csv"),
            Some(&p.admin),
        )
        .await;
    let questions: std::collections::BTreeSet<&str> = csv
        .body
        .trim_end()
        .split("\r\n")
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(questions.len(), items.len(), "{questions:?}");
    // The supervisor's view counts their team's attempts only.
    let mine = h
        .get(&format!("/dashboard/exams/{EXAM}/"), Some(&p.supervisor))
        .await;
    assert!(mine.body.contains("<dt>交卷次数</dt><dd>2</dd>"));
    // Results export: one line per graded attempt, streamed.
    let results = h
        .get(
            &format!("/dashboard/exams/{EXAM}/results.csv"),
            Some(&p.admin),
        )
        .await;
    let lines: Vec<&str> = results.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 1 + 3, "{lines:?}");
    assert!(lines[0].starts_with("\u{feff}工号,姓名"));
    // A date window with nothing in it: no attempts, and the page still renders.
    let empty = h
        .get(
            &format!("/dashboard/exams/{EXAM}/?from=2020-01-01&to=2020-01-31"),
            Some(&p.admin),
        )
        .await;
    assert!(empty.body.contains("<dt>交卷次数</dt><dd>0</dd>"));
    // Bad input: a malformed date is a 400, an injection string in a filter is inert.
    let bad = h
        .get(
            &format!("/dashboard/exams/{EXAM}/?from=yesterday"),
            Some(&p.admin),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let injected = h
        .get(
            &format!("/dashboard/?team={}", urlencode("' OR '1'='1")),
            Some(&p.admin),
        )
        .await;
    assert_eq!(injected.status, StatusCode::OK);
    assert!(table_rows(&injected.body, "agents").is_empty());
    let unknown = h
        .get("/dashboard/exams/no-such-exam/", Some(&p.admin))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

/// The `<tr>`s of the table with `id` (its body rows).
fn table_rows(html: &str, id: &str) -> Vec<String> {
    let Some(start) = html.find(&format!("id=\"{id}\"")) else {
        return Vec::new();
    };
    let table = &html[start..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr").skip(1).map(|r| r.to_string()).collect()
}

/// The new routes of rule changes and onboarding progress, for every role.
async fn changes_and_progress_routes_are_role_gated(h: &Harness) {
    let p = company(h).await;
    let staff_routes = [
        "/dashboard/changes/",
        "/dashboard/changes.csv",
        "/dashboard/progress/",
        "/dashboard/progress.csv",
    ];
    for route in staff_routes {
        let anonymous = h.get(route, None).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{route}");
        for (who, cookie) in [("agent", &p.agent), ("trainer", &p.trainer)] {
            let r = h.get(route, Some(cookie)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who} on {route}");
            assert!(!r.body.contains("李四"), "{who} on {route}");
        }
        for (who, cookie) in [("supervisor", &p.supervisor), ("admin", &p.admin)] {
            let r = h.get(route, Some(cookie)).await;
            assert_eq!(r.status, StatusCode::OK, "{who} on {route}: {}", r.body);
        }
        let asked = format!("{route}?team={}", urlencode(OTHER));
        let supervisor = h.get(&asked, Some(&p.supervisor)).await;
        assert_eq!(supervisor.status, StatusCode::OK, "{asked}");
        assert!(!supervisor.body.contains("B001"), "{asked}");
        assert!(!supervisor.body.contains("HYPERLINK"), "{asked}");
    }
    // Every signed-in user has their own pages; nobody else's.
    for route in ["/changes/", "/progress/"] {
        assert_eq!(h.get(route, None).await.status, StatusCode::SEE_OTHER);
        for cookie in [&p.agent, &p.trainer, &p.supervisor, &p.admin] {
            let r = h.get(route, Some(cookie)).await;
            assert_eq!(r.status, StatusCode::OK, "{route}: {}", r.body);
            assert!(!r.body.contains("李四"), "{route}");
        }
    }
    // Signing in also sets a marker scripts may read (no secret), so that progress.js
    // asks who is signed in only when someone may be; signing out clears it.
    let cookies = |res: &axum::response::Response| -> Vec<String> {
        res.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    };
    let login = axum::http::Request::post("/account/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!(
            "login=A001&password={}",
            urlencode(PASSWORD)
        )))
        .unwrap();
    let res = tower::ServiceExt::oneshot(h.app.clone(), login)
        .await
        .unwrap();
    let set = cookies(&res);
    assert!(
        set.iter()
            .any(|c| c.starts_with("shouce_session=") && c.contains("HttpOnly")),
        "{set:?}"
    );
    let marker = set
        .iter()
        .find(|c| c.starts_with("shouce_signed_in=1;"))
        .unwrap();
    assert!(!marker.contains("HttpOnly") && marker.contains("SameSite=Strict"));
    let spare = h.sign_in("ADM").await;
    let logout = axum::http::Request::post("/account/logout")
        .header("cookie", &spare)
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(h.app.clone(), logout)
        .await
        .unwrap();
    assert!(
        cookies(&res)
            .iter()
            .any(|c| c.starts_with("shouce_signed_in=1;") && c.contains("Max-Age=0"))
    );
    // Who is signed in: a quiet "no" for strangers, never cached.
    let me = h.get("/__shouce/me", None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(json(&me.body)["signed_in"], false);
    let me = h.get("/__shouce/me", Some(&p.agent)).await;
    assert_eq!(json(&me.body)["sync"], true);
    assert_eq!(
        json(&h.get("/__shouce/me", Some(&p.trainer)).await.body)["sync"],
        false
    );
    // Writing needs a session and the agent role.
    let batch = serde_json::json!({"lessons": [{"path": "rules/refund-rate/", "at": 1}]});
    let r = h.post_json("/__shouce/progress", None, &batch).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    for cookie in [&p.trainer, &p.supervisor, &p.admin] {
        let r = h
            .post_json("/__shouce/progress", Some(cookie), &batch)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    let r = h.post_form("/changes/nope/acknowledge", None, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location.unwrap().contains("account/login"));
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// The shipped handbook with a sentence added to a policy page's paragraph.
fn edited_site() -> shouce::site::Site {
    let mut site = shipped_site();
    let page = site
        .library
        .pages
        .iter_mut()
        .find(|p| p.source == "rules/refund-rate.md")
        .unwrap();
    let at = page.text.find("## 退款率\n").unwrap() + "## 退款率\n".len();
    page.text
        .insert_str(at, "\n新规：自 2027 年起按自然月统计。\n");
    site
}

async fn acknowledge(h: &Harness, cookie: &str, id: &str) -> server_support::Reply {
    h.post_form(&format!("/changes/{id}/acknowledge"), Some(cookie), &[])
        .await
}

/// An edited policy paragraph is a change with its old and new text; an unchanged
/// rebuild is none; agents acknowledge (idempotent, CSRF-checked); supervisors see
/// their own team's agents who have not.
async fn rule_changes_are_recorded_and_acknowledged(h: &Harness) {
    let p = company(h).await;
    // First start: the handbook as it is, no changes; a restart on the same one: none.
    assert_eq!(server::publish_rule_changes(&h.state).await.unwrap(), 0);
    assert_eq!(server::publish_rule_changes(&h.state).await.unwrap(), 0);
    let rebuilt = h.with_site(edited_site());
    assert_eq!(
        server::publish_rule_changes(&rebuilt.state).await.unwrap(),
        1
    );
    assert_eq!(
        server::publish_rule_changes(&rebuilt.state).await.unwrap(),
        0
    );
    let changes = rebuilt.state.store.rule_changes().await.unwrap();
    assert_eq!(changes.len(), 1);
    let change = &changes[0];
    assert_eq!(change.passage, "rules/refund-rate.md#退款率");
    assert!(!change.old_text.contains("新规") && change.new_text.contains("新规：自 2027 年起"));
    assert_eq!(
        change
            .new_text
            .replace("\n新规：自 2027 年起按自然月统计。\n", ""),
        change.old_text
    );
    // The agent sees it, old and new side by side, the addition marked.
    let page = rebuilt.get("/changes/", Some(&p.agent)).await;
    assert!(
        page.body.contains("有 1 条规则更新等你确认"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<ins>新规：自 2027 年起按自然月统计。"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("changes/{}/acknowledge", change.id))
    );
    let me = json(&rebuilt.get("/__shouce/me", Some(&p.agent)).await.body);
    assert_eq!(me["pending_changes"], 1);
    // A cross-site POST is refused and records nothing.
    let forged = rebuilt
        .send(
            axum::http::Request::post(format!("/changes/{}/acknowledge", change.id))
                .header("cookie", &p.agent)
                .header("sec-fetch-site", "cross-site")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        rebuilt
            .state
            .store
            .pending_changes(&agent_id(h, "A001").await)
            .await
            .unwrap()
            .len(),
        1
    );
    // Acknowledged twice: one record, at the first time.
    let first = acknowledge(&rebuilt, &p.agent, &change.id).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    h.clock.advance(Duration::minutes(5));
    let again = acknowledge(&rebuilt, &p.agent, &change.id).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let acks = rebuilt.state.store.acknowledgements("").await.unwrap();
    let a001 = agent_id(h, "A001").await;
    let mine: Vec<i64> = acks
        .values()
        .filter_map(|users| users.get(&a001).copied())
        .collect();
    assert_eq!(mine, [h.state.now_ms() - 5 * 60_000]);
    let page = rebuilt.get("/changes/", Some(&p.agent)).await;
    assert!(
        page.body.contains("没有等你确认的规则更新"),
        "{}",
        page.body
    );
    assert!(page.body.contains("你已于 2027-03-01 09:00 确认"));
    // Nobody else can acknowledge for the agent, or what does not exist.
    assert_eq!(
        acknowledge(&rebuilt, &p.supervisor, &change.id)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        acknowledge(&rebuilt, &p.agent, "no-such-change")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Someone who joined after the change is not asked to acknowledge it.
    let newcomer = NewUser {
        login: "A009".into(),
        name: "新人".into(),
        team: HOME.into(),
        role: Role::Agent,
        password_hash: None,
    };
    let newcomer = h
        .state
        .store
        .add_user(&newcomer, h.state.now_ms())
        .await
        .unwrap();
    assert!(
        rebuilt
            .state
            .store
            .pending_changes(&newcomer.id)
            .await
            .unwrap()
            .is_empty()
    );
    // The supervisor: their team's two who have not, not the one who has, not the
    // newcomer, not another team's.
    let board = rebuilt
        .get("/dashboard/changes/", Some(&p.supervisor))
        .await;
    let pending = table_rows(&board.body, "pending");
    assert_eq!(pending.len(), 2, "{pending:?}");
    assert!(pending[0].contains("李四") && pending[1].contains("王五"));
    assert!(!board.body.contains("A009") && !board.body.contains("HYPERLINK"));
    let counts = table_rows(&board.body, "changes");
    assert!(
        counts[0].contains("<td>3</td><td>1</td><td>2</td>"),
        "{counts:?}"
    );
    assert!(counts[0].contains(&format!("{HOME}：2 / 3")), "{counts:?}");
    let everyone = rebuilt
        .get("/dashboard/changes/?status=all", Some(&p.supervisor))
        .await;
    assert_eq!(table_rows(&everyone.body, "pending").len(), 3);
    // Admins see every team, and filter by team and change in the URL.
    let all = rebuilt.get("/dashboard/changes/", Some(&p.admin)).await;
    assert_eq!(table_rows(&all.body, "pending").len(), 3);
    let other = rebuilt
        .get(
            &format!(
                "/dashboard/changes/?team={}&change={}",
                urlencode(OTHER),
                change.id
            ),
            Some(&p.admin),
        )
        .await;
    let rows = table_rows(&other.body, "pending");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("&lt;script&gt;"));
    let none = rebuilt
        .get("/dashboard/changes/?change=nope", Some(&p.admin))
        .await;
    assert!(table_rows(&none.body, "pending").is_empty());
    // The CSV: BOM, the same people, the formula defused.
    let csv = rebuilt.get("/dashboard/changes.csv", Some(&p.admin)).await;
    assert!(csv.body.starts_with("\u{feff}规则更新,"));
    let lines: Vec<&str> = csv.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 1 + 3, "{lines:?}");
    assert!(lines.iter().any(|l| l.contains(",A002,李四,售后一组,")));
    assert!(lines.iter().any(|l| l.contains("\"'=HYPERLINK(")));
    let mine = rebuilt
        .get("/dashboard/changes.csv?status=all", Some(&p.supervisor))
        .await;
    let lines: Vec<&str> = mine.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 1 + 3, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains(",A001,张三,售后一组,2027-03-01 09:00"))
    );
    // Serving the old handbook again is a change back, to be read again.
    assert_eq!(server::publish_rule_changes(&h.state).await.unwrap(), 1);
    let back = h
        .state
        .store
        .pending_changes(&agent_id(h, "A001").await)
        .await
        .unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].old_text, change.new_text);
}

async fn agent_id(h: &Harness, login: &str) -> String {
    h.state
        .store
        .user_by_login(login)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Practice done and lessons opened reach the server in checked batches and show on
/// the agent's and the supervisor's pages.
async fn progress_syncs_validated_batches(h: &Harness) {
    let p = company(h).await;
    let quiz = &h.state.site.quiz("rules-practice").unwrap().quiz;
    let (q1, q2) = (&quiz.items[0].question.id, &quiz.items[1].question.id);
    let batch = serde_json::json!({
        "lessons": [
            {"path": "rules/refund-rate/", "at": 1_000},
            {"path": "/rules/intervention/", "at": 2_000},
            {"path": "no/such/page/", "at": 3_000},
        ],
        "practice": [
            {"quiz": "rules-practice", "checked": [q1, q2, "bogus"], "correct": [q1, "bogus"]},
            {"quiz": "aftersales-exam", "checked": [], "correct": []},
            {"quiz": "no-such-quiz", "checked": [], "correct": []},
        ],
    });
    let r = h
        .post_json("/__shouce/progress", Some(&p.agent), &batch)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        json(&r.body),
        serde_json::json!({"lessons": 2, "practice": 1, "ignored": 3})
    );
    // Sent again: the same state (idempotent).
    let r = h
        .post_json("/__shouce/progress", Some(&p.agent), &batch)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let id = agent_id(h, "A001").await;
    let opens = h.state.store.lesson_opens(&id).await.unwrap();
    let pages: Vec<&str> = opens.iter().map(|o| o.page.as_str()).collect();
    assert_eq!(pages, ["rules/intervention.md", "rules/refund-rate.md"]);
    let practice = h.state.store.practice_of(&id).await.unwrap();
    assert_eq!(practice.len(), 1);
    assert_eq!((practice[0].checked, practice[0].correct), (2, 1));
    assert_eq!(practice[0].total, quiz.items.len() as i64);
    // Bad input: refused whole, nothing lost or stored.
    let forged =
        serde_json::json!({"user": "A002", "lessons": [{"path": "rules/refund-rate/", "at": 1}]});
    let r = h
        .post_json("/__shouce/progress", Some(&p.agent), &forged)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("学习记录的格式不对"));
    let too_many: Vec<_> = (0..1001)
        .map(|i| serde_json::json!({"path": format!("p{i}/"), "at": 1}))
        .collect();
    let r = h
        .post_json(
            "/__shouce/progress",
            Some(&p.agent),
            &serde_json::json!({"lessons": too_many}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = h
        .post_json(
            "/__shouce/progress",
            Some(&p.agent),
            &serde_json::json!([1, 2]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(h.state.store.lesson_opens(&id).await.unwrap().len(), 2);
    // Nothing reached another agent.
    let other = agent_id(h, "A002").await;
    assert!(h.state.store.lesson_opens(&other).await.unwrap().is_empty());
    // The agent's own path, the supervisor's agent page and team view.
    let lib = &h.state.site.library;
    let total = lib
        .reading_order()
        .into_iter()
        .filter(|c| lib.page(*c).is_some())
        .count();
    let own = h.get("/progress/", Some(&p.agent)).await;
    assert!(
        own.body.contains(&format!("已打开 2 / {total} 课")),
        "{}",
        own.body
    );
    assert!(own.body.contains("下一课："));
    assert!(
        own.body
            .contains(&format!("：2 / {}，答对 1", quiz.items.len())),
        "{}",
        own.body
    );
    let record = h.get("/dashboard/agents/A001/", Some(&p.supervisor)).await;
    assert!(record.body.contains(&format!("已打开 2 / {total} 课")));
    let other_page = h.get("/dashboard/agents/A002/", Some(&p.supervisor)).await;
    assert!(other_page.body.contains(&format!("已打开 0 / {total} 课")));
    let team = h.get("/dashboard/progress/", Some(&p.supervisor)).await;
    let rows = table_rows(&team.body, "progress");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[0].contains("张三") && rows[0].contains(&format!("<td>2 / {total}</td>")));
    // Last active: the practice report, stamped when it arrived.
    assert!(rows[0].contains("<td>2027-03-01 09:00</td>"), "{}", rows[0]);
    assert!(rows[1].contains(&format!("<td>0 / {total}</td>")));
    assert!(rows[1].contains("<td>—</td>"));
    // The team's counts: two not started, one reading, nobody through.
    let summary = table_rows(&team.body, "progress-teams");
    assert_eq!(summary.len(), 1);
    assert!(
        summary[0].contains("<td>3</td><td>2</td><td>1</td><td>0</td><td>0</td>"),
        "{}",
        summary[0]
    );
    // Filters and sorts in the URL; the CSV has the same rows.
    let reading = h
        .get("/dashboard/progress/?status=reading", Some(&p.supervisor))
        .await;
    let rows = table_rows(&reading.body, "progress");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("张三"));
    let behind = h
        .get("/dashboard/progress/?sort=lessons", Some(&p.supervisor))
        .await;
    let rows = table_rows(&behind.body, "progress");
    assert!(rows[2].contains("张三"), "{rows:?}");
    let csv = h
        .get("/dashboard/progress.csv?status=none", Some(&p.supervisor))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 1 + 2, "{}", csv.body);
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.contains(",0,") && l.contains("还没开始"))
    );
    assert!(!csv.body.contains("张三"));
    // A later batch is counted at once.
    let more = serde_json::json!({"lessons": [{"path": "rules/", "at": 5_000}]});
    let r = h
        .post_json("/__shouce/progress", Some(&p.agent), &more)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let team = h.get("/dashboard/progress/", Some(&p.supervisor)).await;
    let rows = table_rows(&team.body, "progress");
    assert!(
        rows[0].contains(&format!("<td>3 / {total}</td>")),
        "{}",
        rows[0]
    );
}

/// Lessons that confuse: the paragraphs the exam cites, ranked by missed marks, the
/// same in the CSV; a team whose agents got everything right missed nothing.
async fn lessons_rank_the_paragraphs_people_miss(h: &Harness) {
    let p = company(h).await;
    let page = h.get("/dashboard/lessons/", Some(&p.trainer)).await;
    assert_eq!(page.status, StatusCode::OK);
    let rows = table_rows(&page.body, "lessons");
    assert!(!rows.is_empty(), "{}", page.body);
    // Each row ends with responses and miss rate; most missed first.
    let figures = |row: &str| -> (usize, f64) {
        let cells: Vec<&str> = row
            .split("<td>")
            .skip(1)
            .map(|c| c.split("</td>").next().unwrap())
            .collect();
        let n = cells.len();
        (cells[n - 2].parse().unwrap(), cells[n - 1].parse().unwrap())
    };
    let rates: Vec<f64> = rows.iter().map(|r| figures(r).1).collect();
    assert!(rates.windows(2).all(|w| w[0] >= w[1]), "{rates:?}");
    // 李四 left every answer blank, the others got all right: somebody missed something.
    assert!(rates[0] > 0.0);
    let csv = h.get("/dashboard/lessons.csv", Some(&p.trainer)).await;
    assert!(csv.body.starts_with('\u{feff}'));
    let lines: Vec<&str> = csv.body.trim_end().split("\r\n").skip(1).collect();
    assert_eq!(lines.len(), rows.len(), "{lines:?}");
    for (line, row) in lines.iter().zip(&rows) {
        let (responses, rate) = figures(row);
        assert!(
            line.ends_with(&format!(",{responses},{rate}")),
            "{line} vs {row}"
        );
    }
    // Team OTHER's one agent got everything right.
    let other = h
        .get(
            &format!("/dashboard/lessons/?team={}", urlencode(OTHER)),
            Some(&p.trainer),
        )
        .await;
    let other_rows = table_rows(&other.body, "lessons");
    assert!(!other_rows.is_empty());
    assert!(
        other_rows.iter().all(|r| figures(r).1 == 0.0),
        "{other_rows:?}"
    );
    // Nothing submitted in the window: no rows, and the page says so.
    let empty = h
        .get(
            "/dashboard/lessons/?from=2020-01-01&to=2020-01-02",
            Some(&p.admin),
        )
        .await;
    assert!(table_rows(&empty.body, "lessons").is_empty());
    assert!(empty.body.contains("还没有交卷记录"));
}

/// The exam page's count of graded attempts.
async fn graded_count(h: &Harness, admin: &str) -> usize {
    let page = h
        .get(&format!("/dashboard/exams/{EXAM}/"), Some(admin))
        .await;
    let at =
        page.body.find("<dt>交卷次数</dt><dd>").expect("the count") + "<dt>交卷次数</dt><dd>".len();
    let digits: String = page.body[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap()
}

/// The views keep up: a grade, a revocation and a disabled account after a page was
/// shown are in the next page (the results are mirrored in memory between requests).
async fn the_views_follow_every_change(h: &Harness) {
    let p = company(h).await;
    let standing = |body: &str, login: &str| {
        table_rows(body, "agents")
            .into_iter()
            .find(|r| r.contains(&format!("<td>{login}</td>")))
    };
    let before = h
        .get(&format!("/dashboard/?exam={EXAM}"), Some(&p.admin))
        .await;
    assert!(standing(&before.body, "A003").unwrap().contains("未参加"));
    assert_eq!(graded_count(h, &p.admin).await, 3);
    // 王五 sits and passes.
    let wang = h.sign_in("A003").await;
    sit(h, &wang, true).await;
    let after = h
        .get(&format!("/dashboard/?exam={EXAM}"), Some(&p.admin))
        .await;
    assert!(standing(&after.body, "A003").unwrap().contains("已认证"));
    assert_eq!(graded_count(h, &p.admin).await, 4);
    // 张三's certificate is revoked: a graded attempt and no certificate.
    let zhang = h.state.store.user_by_login("A001").await.unwrap().unwrap();
    let cert = h.state.store.certificates_of(&zhang.id).await.unwrap()[0]
        .id
        .clone();
    assert!(h.state.store.revoke_certificate(&cert, 1).await.unwrap());
    let revoked = h
        .get(&format!("/dashboard/?exam={EXAM}"), Some(&p.admin))
        .await;
    assert!(standing(&revoked.body, "A001").unwrap().contains("未通过"));
    // 李四 leaves: gone from the table, their attempt still in the statistics.
    let li = h.state.store.user_by_login("A002").await.unwrap().unwrap();
    h.state.store.set_disabled(&li.id, true).await.unwrap();
    let left = h
        .get(&format!("/dashboard/?exam={EXAM}"), Some(&p.admin))
        .await;
    assert!(standing(&left.body, "A002").is_none());
    assert_eq!(graded_count(h, &p.admin).await, 4);
}

/// PostgreSQL numbers a grade when it is inserted, not when it commits: a grade
/// numbered below one the views have read can become visible after it (here made by
/// renumbering). The next page still counts it, whether it is a few numbers back or
/// very many.
async fn late_commits_are_counted(h: &Harness, raw: &sqlx::AnyPool) {
    let p = company(h).await;
    assert_eq!(graded_count(h, &p.admin).await, 3);
    let renumber = |seq: i64| {
        sqlx::query(
            "UPDATE graded_attempts SET seq = $1 WHERE seq = (SELECT MAX(seq) FROM graded_attempts)",
        )
        .bind(seq)
        .execute(raw)
    };
    let wang = h.sign_in("A003").await;
    sit(h, &wang, true).await;
    renumber(0).await.unwrap();
    assert_eq!(graded_count(h, &p.admin).await, 4, "a few numbers back");
    let zhao = member(h, "A004", "赵六", HOME, Role::Agent).await;
    sit(h, &zhao, false).await;
    renumber(-1_000_000).await.unwrap();
    assert_eq!(graded_count(h, &p.admin).await, 5, "very many numbers back");
    let page = h
        .get(&format!("/dashboard/?exam={EXAM}"), Some(&p.admin))
        .await;
    assert!(page.body.contains("赵六"));
}

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(&Harness::sqlite().await).await;
                }
            )*
        }

        #[test]
        fn on_postgresql() {
            let Some(pg) = Postgres::start() else {
                eprintln!("PostgreSQL (initdb, pg_ctl) is not installed: the PostgreSQL half of the dashboard tests was NOT run");
                return;
            };
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async {
                sqlx::any::install_default_drivers();
                let admin = sqlx::AnyPool::connect(&pg.url("postgres")).await.unwrap();
                $(
                    let db = concat!("dash_", stringify!($name));
                    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {db}"))).execute(&admin).await.unwrap();
                    let store = Store::connect(&pg.url(db)).await.unwrap();
                    $name(&Harness::on(store, None, shipped_site()).await).await;
                )*
                sqlx::query("CREATE DATABASE dash_late_commits").execute(&admin).await.unwrap();
                let url = pg.url("dash_late_commits");
                let store = Store::connect(&url).await.unwrap();
                let h = Harness::on(store, None, shipped_site()).await;
                let raw = sqlx::AnyPool::connect(&url).await.unwrap();
                late_commits_are_counted(&h, &raw).await;
            });
        }
    };
}

#[tokio::test]
async fn the_demo_company_on_sqlite() {
    the_demo_company_has_every_standing(&Harness::sqlite().await).await;
}

scenarios!(
    access_is_role_gated_on_every_route,
    agent_records_are_their_own,
    readiness_shows_each_agents_standing,
    exam_statistics_match_the_attempts,
    changes_and_progress_routes_are_role_gated,
    rule_changes_are_recorded_and_acknowledged,
    progress_syncs_validated_batches,
    the_views_follow_every_change,
    lessons_rank_the_paragraphs_people_miss,
);
