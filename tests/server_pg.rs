//! The exam server's scenarios (see tests/server.rs) on a real PostgreSQL, started
//! from the system's binaries for this test. Without them the test says so plainly.

mod server_support;

use server_support::postgres::Postgres;
use server_support::{Harness, admin_scenarios, scenarios, shipped_site};
use shouce::store::Store;
use sqlx::AssertSqlSafe;

#[test]
fn every_scenario_on_postgresql() {
    let Some(pg) = Postgres::start() else {
        eprintln!(
            "PostgreSQL (initdb, pg_ctl) is not installed: the PostgreSQL half of the server tests was NOT run"
        );
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let admin = sqlx::AnyPool::connect(&pg.url("postgres")).await.unwrap();
        macro_rules! run {
            ($($name:ident),* $(,)?) => { run!(scenarios: $($name),*) };
            ($module:ident: $($name:ident),* $(,)?) => {$(
                let db = stringify!($name);
                sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {db}"))).execute(&admin).await.unwrap();
                let store = Store::connect(&pg.url(db)).await.unwrap();
                $module::$name(&Harness::on(store, None, shipped_site()).await).await;
            )*};
        }
        run!(
            an_agent_passes_and_is_certified,
            no_answer_reaches_a_browser,
            an_agent_cannot_touch_another_agents_attempt,
            policy_and_deadlines_hold,
            hostile_input_is_inert,
            sessions_csrf_and_login_limits,
            setup_links_work_once,
            a_changed_rule_needs_recertification,
        );
        run!(
            admin_scenarios:
            an_admin_resets_an_exam_and_revokes_a_certificate,
            only_admins_reach_the_admin_pages,
            the_audit_log_pages_and_escapes,
        );
    });
}
