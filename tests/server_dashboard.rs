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

const ROUTES: [&str; 6] = [
    "/dashboard/",
    "/dashboard/exams/",
    "/dashboard/status.csv",
    "/dashboard/exams/aftersales-exam/",
    "/dashboard/exams/aftersales-exam/items.csv",
    "/dashboard/exams/aftersales-exam/results.csv",
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
        let aggregate = route.contains("/exams/") && !route.ends_with("results.csv");
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
);
