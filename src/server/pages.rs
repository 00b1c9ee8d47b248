//! The exam server's HTML: the default theme's `templates/server/*.html`, compiled
//! into the binary and rendered with Tera (which escapes every value in `.html`
//! templates; agent-entered text never goes into a script, an event attribute or an
//! unquoted attribute).

use serde::Serialize;
use tera::{Context, Tera};

use crate::store::User;

use super::error::ApiError;

const TEMPLATES: &[(&str, &str)] = &[
    (
        "question.html",
        include_str!("../../themes/default/templates/question.html"),
    ),
    (
        "server/layout.html",
        include_str!("../../themes/default/templates/server/layout.html"),
    ),
    (
        "server/message.html",
        include_str!("../../themes/default/templates/server/message.html"),
    ),
    (
        "server/login.html",
        include_str!("../../themes/default/templates/server/login.html"),
    ),
    (
        "server/setup.html",
        include_str!("../../themes/default/templates/server/setup.html"),
    ),
    (
        "server/attempt.html",
        include_str!("../../themes/default/templates/server/attempt.html"),
    ),
    (
        "server/result.html",
        include_str!("../../themes/default/templates/server/result.html"),
    ),
    (
        "server/certificates.html",
        include_str!("../../themes/default/templates/server/certificates.html"),
    ),
    (
        "server/certificate.html",
        include_str!("../../themes/default/templates/server/certificate.html"),
    ),
    (
        "server/verify.html",
        include_str!("../../themes/default/templates/server/verify.html"),
    ),
    (
        "server/dashboard.html",
        include_str!("../../themes/default/templates/server/dashboard.html"),
    ),
    (
        "server/dashboard_agent.html",
        include_str!("../../themes/default/templates/server/dashboard_agent.html"),
    ),
    (
        "server/dashboard_exams.html",
        include_str!("../../themes/default/templates/server/dashboard_exams.html"),
    ),
    (
        "server/dashboard_lessons.html",
        include_str!("../../themes/default/templates/server/dashboard_lessons.html"),
    ),
    (
        "server/dashboard_exam.html",
        include_str!("../../themes/default/templates/server/dashboard_exam.html"),
    ),
    (
        "server/admin_users.html",
        include_str!("../../themes/default/templates/server/admin_users.html"),
    ),
    (
        "server/admin_user.html",
        include_str!("../../themes/default/templates/server/admin_user.html"),
    ),
    (
        "server/admin_audit.html",
        include_str!("../../themes/default/templates/server/admin_audit.html"),
    ),
    (
        "server/dashboard_changes.html",
        include_str!("../../themes/default/templates/server/dashboard_changes.html"),
    ),
    (
        "server/team_filter.html",
        include_str!("../../themes/default/templates/server/team_filter.html"),
    ),
    (
        "server/progress_path.html",
        include_str!("../../themes/default/templates/server/progress_path.html"),
    ),
    (
        "server/progress.html",
        include_str!("../../themes/default/templates/server/progress.html"),
    ),
    (
        "server/dashboard_progress.html",
        include_str!("../../themes/default/templates/server/dashboard_progress.html"),
    ),
    (
        "server/rule_change.html",
        include_str!("../../themes/default/templates/server/rule_change.html"),
    ),
    (
        "server/changes.html",
        include_str!("../../themes/default/templates/server/changes.html"),
    ),
];

/// The exam page's script (autosave, countdown, unanswered list).
pub const EXAM_JS: &str = include_str!("../../themes/default/static/exam.js");

/// Practice mode's form code (read and restore answers), which the exam page shares;
/// the grader (`quiz.js`) is never served to it.
pub const QUIZ_FORM_JS: &str = include_str!("../../themes/default/static/quiz-form.js");

pub struct Pages {
    tera: Tera,
}

/// What every page's layout needs.
#[derive(Debug, Serialize)]
pub struct Frame<'a> {
    pub base: &'a str,
    pub stylesheet: Option<&'a str>,
    pub site_title: &'a str,
    pub user: Option<&'a User>,
}

impl Pages {
    pub fn new() -> Pages {
        let mut tera = Tera::default();
        // The templates are compiled in and covered by tests: a failure here is a bug
        // in this build of the program, found before any request.
        tera.add_raw_templates(TEMPLATES.iter().copied())
            .expect("the server's templates parse");
        tera.autoescape_on(vec![".html"]);
        Pages { tera }
    }

    /// Renders `name` with the frame's values and the page's own (`page`, an object).
    pub fn render(
        &self,
        name: &str,
        frame: &Frame<'_>,
        page: &impl Serialize,
    ) -> Result<String, ApiError> {
        let mut context = Context::from_serialize(frame)?;
        context.extend(Context::from_serialize(page)?);
        Ok(self.tera.render(name, &context)?)
    }
}

impl Default for Pages {
    fn default() -> Pages {
        Pages::new()
    }
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pages")
    }
}
