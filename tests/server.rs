//! The exam server over HTTP (`router(state)` + `oneshot`, a hand-set clock) on
//! SQLite. The same scenarios run on PostgreSQL in tests/server_pg.rs.

mod server_support;

use server_support::{Harness, admin_scenarios, scenarios};

macro_rules! on_sqlite {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            scenarios::$name(&Harness::sqlite().await).await;
        }
    )*};
}

on_sqlite!(
    an_agent_passes_and_is_certified,
    no_answer_reaches_a_browser,
    an_agent_cannot_touch_another_agents_attempt,
    policy_and_deadlines_hold,
    hostile_input_is_inert,
    sessions_csrf_and_login_limits,
    setup_links_work_once,
    a_changed_rule_needs_recertification,
);

macro_rules! admin_on_sqlite {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            admin_scenarios::$name(&Harness::sqlite().await).await;
        }
    )*};
}

admin_on_sqlite!(
    an_admin_resets_an_exam_and_revokes_a_certificate,
    only_admins_reach_the_admin_pages,
    the_audit_log_pages_and_escapes,
);
