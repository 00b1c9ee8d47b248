//! A small handbook with two practice quizzes (every question type between them) and
//! an exam, for the practice-page snapshot and the browser test. It does not depend on
//! the shipped handbook's quizzes.

use super::Site;

/// Every question type; answers are chosen so the browser test can answer right or
/// wrong on purpose.
pub const ALL_TYPES: &str = r#"id = "rules-practice"
title = "售后规则练习"
kind = "practice"
lessons = ["rules/refund.md", "scripts/apology.md"]

[[questions]]
id = "hours"
type = "single"
points = 2
prompt = "买家申请退款后，最早多久可以申请**小二介入**？"
source = "../content/rules/refund.md#小二介入"
explanation = "退款申请 **72 小时**后可以要求小二介入。"
options = [
  { text = "24 小时", feedback = "太早了。" },
  { text = "72 小时", correct = true, feedback = "对，72 小时。" },
  { text = "7 天", feedback = "7 天是聚划算的发货时限。" },
]

[[questions]]
id = "reasons"
type = "multiple"
scoring = "per_option"
prompt = "哪些退款原因需要卖家赔付？"
source = "../content/rules/refund.md#赔付上限"
options = [
  { text = "卖家缺货", correct = true, feedback = "缺货按 30% 赔付。" },
  { text = "未按约定时间发货", correct = true },
  { text = "拍错了", feedback = "买家自己的原因。" },
]

[[questions]]
id = "courier"
type = "true_false"
prompt = "发货时间以快递公司系统中的揽收记录为准。"
answer = true
feedback_false = "不对：以揽收记录为准。"
source = "../content/rules/refund.md#小二介入"

[[questions]]
id = "cap"
type = "number"
prompt = "缺货赔付最高不超过多少元？"
answer = 500
unit = "元"
unit_aliases = ["块"]
source = "../content/rules/refund.md#赔付上限"
explanation = "30%，最高 500 元。"

[[questions]]
id = "who"
type = "text"
prompt = "协商不成时由哪种工作人员介入？"
accepted = ["小二", "淘宝小二"]
source = "../content/rules/refund.md#小二介入"

[[questions]]
id = "steps"
type = "ordering"
prompt = "把处理退款的步骤按先后排好。"
items = ["查看订单状态", "核对退款原因", "与买家协商"]
source = "../content/rules/refund.md#小二介入"

[[questions]]
id = "ratios"
type = "matching"
prompt = "把岗位和人数配起来。"
pairs = [
  { left = "售后", right = "售前 × 1/4" },
  { left = "催付", right = "售前 × 1/6" },
]

[[questions]]
id = "late"
type = "scenario"
buyer_message = "都三天了还不发货？"
prompt = "哪一句回复最合适？"
options = [
  { text = "亲，我们是全网最快的。", feedback = "“全网最快”是绝对化用语。" },
  { text = "亲，非常抱歉，我马上帮您查询，今天给您答复。", correct = true },
]
source = "../content/scripts/apology.md#先道歉"

[[questions]]
id = "apology"
type = "script"
points = 4
prompt = "买家说：“说好今天发货，怎么还没发？”请写一段回复。"
source = "../content/scripts/apology.md#先道歉"
explanation = "先道歉，再给出处理时间。"

[questions.rubric]
min_chars = 10
max_chars = 80

[[questions.rubric.required]]
name = "道歉"
any_of = ["抱歉", "对不起"]

[[questions.rubric.required]]
name = "处理时间"
any_of = ["今天", "马上"]
"#;

/// A second practice quiz, embedded on the same lesson as the first.
pub const SHORT: &str = r#"id = "short-practice"
title = "小测验"
kind = "practice"
lessons = ["scripts/apology.md"]

[[questions]]
id = "hours"
type = "true_false"
prompt = "退款申请 72 小时后可以要求小二介入。"
answer = true
source = "../content/rules/refund.md#小二介入"
"#;

pub const EXAM: &str = r#"id = "rules-exam"
title = "售后规则认证"
kind = "exam"
pass_mark_percent = 80
time_limit_minutes = 10
questions_per_attempt = 1

[[questions]]
id = "q1"
type = "text"
prompt = "考试题干"
accepted = ["考试答案"]
"#;

/// Two lessons quizzes can point at; `apology_extra` is appended to the second.
pub fn lessons(apology_extra: &str) -> Site {
    let site = Site::new();
    site.page("_index.md", "title = \"首页\"", "欢迎。\n")
        .page(
            "rules/refund.md",
            "title = \"退款与小二介入\"",
            "## 小二介入\n\n买家申请退款 72 小时后可以要求小二介入。\n\n## 赔付上限\n\n缺货按 30% 赔付，最多 500 元。\n",
        )
        .page(
            "scripts/apology.md",
            "title = \"道歉话术\"",
            &format!("## 先道歉\n\n先道歉，再给处理时间。\n{apology_extra}"),
        );
    site
}

/// The handbook: two lessons, the second embedding both practice quizzes.
pub fn site() -> Site {
    let site =
        lessons("\n```quiz\nrules-practice\n```\n\n## 小测验\n\n```quiz\nshort-practice\n```\n");
    site.file("quizzes/rules.toml", ALL_TYPES)
        .file("quizzes/short.toml", SHORT)
        .file("quizzes/exam.toml", EXAM);
    site
}
