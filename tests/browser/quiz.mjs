// Practice quizzes in headless Chromium: a learner takes the fixture quiz (every
// question type) over http and from file:// — right and wrong answers, the feedback,
// the score, a reload that keeps progress, retry-missed, start again, a script reply
// graded against its rubric, keyboard-only ordering, two quizzes on one lesson, and
// storage that is corrupt or unavailable.
// Env: SITE_DIR (the fixture site of tests/common/practice.rs, built), CHROMIUM.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { check, equal, until, watchPage, run, runScenarios } from "./lib.mjs";

const SITE_DIR = process.env.SITE_DIR;
if (!SITE_DIR || !fs.existsSync(path.join(SITE_DIR, "quizzes", "rules-practice", "index.html"))) {
  console.error(`quiz.mjs: SITE_DIR must be the built practice fixture (got ${SITE_DIR})`);
  process.exit(2);
}

const QUIZ = "rules-practice";
const STORE = `shouce-quiz:${QUIZ}`;
const q = (page, id, quiz = QUIZ) => page.locator(`#quiz-${quiz}-${id}`);
const feedback = (page, id, quiz = QUIZ) => page.locator(`#quiz-${quiz}-${id}-feedback`);
const score = (page, quiz = QUIZ) => page.locator(`#quiz-${quiz} .quiz-score`);
const text = async (loc) => ((await loc.textContent()) || "").replace(/\s+/g, " ").trim();
const checkButton = (page, id) => q(page, id).getByRole("button", { name: "检查", exact: true });

async function open(context, url, problems) {
  const page = watchPage(await context.newPage(), problems);
  await page.goto(url);
  await page.locator(`#quiz-${QUIZ}.is-ready`).waitFor({ timeout: 5000 });
  return page;
}

function noProblems(problems, what) {
  check(problems.length === 0, `${what}: no JS errors, console errors or failed requests`, problems.join("\n    "));
  problems.length = 0;
}

/** Relative luminance contrast of two computed CSS colours. */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m);
  return (x + 0.05) / (y + 0.05);
}

async function orderTexts(page) {
  return page.locator(`#quiz-${QUIZ}-steps .quiz-order-text`).allTextContents();
}

// a. the whole quiz over http: feedback, score, keyboard, reload, retry, restart
async function takeQuiz(browser, base, problems) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
  const url = `${base}/quizzes/${QUIZ}/`;
  let page = await open(context, url, problems);
  equal(await page.title(), "售后规则练习 · 测试手册", "the practice page has the quiz's title");
  equal(await page.locator("script[src*='quiz.']").count(), 1, "the practice page loads quiz.js once");
  equal(await text(score(page)), "已检查 0 / 9 题，得分 0 / 13。", "the score starts at 0 of 13");
  equal(await page.locator(`#quiz-${QUIZ} fieldset legend`).count(), 9, "every question is a fieldset with a legend");
  equal(await feedback(page, "hours").getAttribute("aria-live"), "polite", "each question's feedback is a polite live region");

  // single choice, wrong then right
  await q(page, "hours").getByLabel("24 小时").check();
  await checkButton(page, "hours").click();
  const wrong = await text(feedback(page, "hours"));
  check(wrong.includes("✗ 错误") && wrong.includes("得 0 / 2 分"), "a wrong answer: ✗ 错误, 0 of 2 points", wrong);
  check(wrong.includes("太早了"), "a wrong answer shows the chosen option's feedback", wrong);
  check(wrong.includes("解析") && wrong.includes("72 小时后可以要求小二介入"), "the explanation is shown after checking", wrong);
  const source = feedback(page, "hours").getByRole("link", { name: "回到课文看出处" });
  check(await source.isVisible(), "a link to the source paragraph is shown with the feedback");
  equal(await source.getAttribute("href"), "../../rules/refund/#小二介入", "the source link points at the lesson's heading");
  check(await q(page, "hours").evaluate((el) => el.classList.contains("is-wrong")), "the question is marked wrong");
  equal(await text(score(page)), "已检查 1 / 9 题，得分 0 / 13。", "the score counts the checked question");

  await q(page, "hours").getByLabel("72 小时").check();
  equal(await text(feedback(page, "hours")), "", "changing the answer clears the old verdict");
  await checkButton(page, "hours").click();
  const right = await text(feedback(page, "hours"));
  check(right.includes("✓ 正确") && right.includes("得 2 / 2 分") && right.includes("对，72 小时"), "the right answer: ✓ 正确, 2 of 2, its feedback", right);

  // multiple choice, per option: half marks
  await q(page, "reasons").getByLabel("卖家缺货").check();
  await checkButton(page, "reasons").click();
  const partial = await text(feedback(page, "reasons"));
  check(partial.includes("部分正确") && partial.includes("得 0.5 / 1 分") && partial.includes("还有 1 个正确选项没有选"), "multiple choice gives partial credit and says what is missing", partial);

  // number, typed full width with a unit alias; Enter checks this question only
  await q(page, "cap").getByLabel("答案").fill("５００ 块");
  await q(page, "cap").getByLabel("答案").press("Enter");
  check((await text(feedback(page, "cap"))).includes("✓ 正确"), "Enter in the number box checks it: ５００ 块 is right", await text(feedback(page, "cap")));
  equal(await text(score(page)), "已检查 3 / 9 题，得分 3.5 / 13。", "Enter checked that question only, not the whole quiz");
  equal(page.url(), url, "submitting the form does not navigate");

  // ordering, by keyboard only
  const up = q(page, "steps").getByRole("button", { name: "上移“查看订单状态”" });
  await up.focus();
  await page.keyboard.press("Enter");
  await until(async () => (await text(page.locator(`#quiz-${QUIZ} .quiz-status`))).includes("移到第 2 位"), "move announced");
  check(true, "moving an item is announced (移到第 2 位)");
  await page.keyboard.press("Enter");
  equal(JSON.stringify(await orderTexts(page)), JSON.stringify(["查看订单状态", "核对退款原因", "与买家协商"]), "two presses of 上移 move the item to the top");
  check(await up.isDisabled(), "at the top, 上移 is disabled");
  equal(await page.evaluate(() => document.activeElement.getAttribute("aria-label")), "下移“查看订单状态”", "focus stays on the moved item (its 下移 button)");
  await checkButton(page, "steps").click();
  check((await text(feedback(page, "steps"))).includes("✓ 正确"), "the ordering is graded right", await text(feedback(page, "steps")));

  // script writing: a missing element and a forbidden phrase, both named
  const reply = q(page, "apology").getByLabel("你的回复");
  await reply.fill("我们马上处理，是最快的，请放心等待哦。");
  equal(await text(q(page, "apology").locator(".quiz-count-n")), "19", "the reply's character count is live");
  await checkButton(page, "apology").click();
  const script = await text(feedback(page, "apology"));
  check(script.includes("缺少要点：道歉"), "the rubric names the missing element (道歉)", script);
  check(script.includes("禁用词“最”"), "the rubric names the forbidden phrase (最)", script);
  check(script.includes("得 0 / 4 分") && script.includes("✗ 错误"), "one element found minus one forbidden phrase: 0 of 4", script);
  const before = await text(score(page));
  equal(before, "已检查 5 / 9 题，得分 4.5 / 13。", "the score after five questions");
  check(await q(page, "apology").locator(".quiz-source").isVisible(), "the script question links its source too");

  // reload: progress comes back
  const saved = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)), STORE);
  check(saved && saved.answers && saved.answers.cap && saved.answers.cap.text === "５００ 块", "answers are saved in localStorage per quiz", saved);
  await page.reload();
  await page.locator(`#quiz-${QUIZ}.is-ready`).waitFor();
  equal(await text(score(page)), before, "after a reload the score is the same");
  check(await q(page, "hours").getByLabel("72 小时").isChecked(), "after a reload the chosen option is still chosen");
  equal(await q(page, "cap").getByLabel("答案").inputValue(), "５００ 块", "after a reload the typed number is back");
  equal(await q(page, "apology").getByLabel("你的回复").inputValue(), "我们马上处理，是最快的，请放心等待哦。", "after a reload the script reply is back");
  equal(JSON.stringify(await orderTexts(page)), JSON.stringify(["查看订单状态", "核对退款原因", "与买家协商"]), "after a reload the ordering is kept");
  check((await text(feedback(page, "apology"))).includes("禁用词“最”"), "after a reload the checked questions show their feedback again");

  // retry the ones I missed
  const retry = page.getByRole("button", { name: "只重做答错的题" });
  check(await retry.isEnabled(), "只重做答错的题 is enabled when something was missed");
  await retry.click();
  check(!(await q(page, "reasons").getByLabel("卖家缺货").isChecked()), "retry clears a partly right answer");
  equal(await q(page, "apology").getByLabel("你的回复").inputValue(), "", "retry clears the wrong script reply");
  equal(await text(feedback(page, "apology")), "", "retry clears the missed questions' feedback");
  check((await text(feedback(page, "hours"))).includes("✓ 正确"), "retry keeps the right answers and their verdicts");
  equal(await page.evaluate(() => document.activeElement.id), `quiz-${QUIZ}-reasons-o0`, "retry moves focus to the first question to redo");
  await until(async () => (await text(page.locator(`#quiz-${QUIZ} .quiz-status`))).includes("已清空 2 道"), "retry announced");
  check(true, "retry is announced (已清空 2 道)");
  check(await retry.isDisabled(), "nothing left to retry: the button is disabled");

  // finish everything right and check all
  await q(page, "reasons").getByLabel("卖家缺货").check();
  await q(page, "reasons").getByLabel("未按约定时间发货").check();
  await q(page, "courier").getByLabel("对", { exact: true }).check();
  await q(page, "who").getByLabel("答案").fill("淘宝 小二");
  await q(page, "ratios").getByLabel("售后").selectOption({ label: "售前 × 1/4" });
  await q(page, "ratios").getByLabel("催付").selectOption({ label: "售前 × 1/6" });
  await q(page, "late").getByLabel("亲，非常抱歉，我马上帮您查询，今天给您答复。").check();
  await q(page, "apology").getByLabel("你的回复").fill("亲，非常抱歉让您久等了，我马上帮您查询，今天一定发出。");
  await page.getByRole("button", { name: "全部检查" }).click();
  equal(await text(score(page)), "全部完成：得分 13 / 13（100%），答对 9 / 9 题。", "全部检查: the final score is 13 of 13");
  check(await page.evaluate(() => document.activeElement.classList.contains("quiz-summary")), "全部检查 moves focus to the score summary");
  check((await text(feedback(page, "apology"))).includes("✓ 正确"), "a good script reply gets full marks");

  // start again
  await page.getByRole("button", { name: "重新开始" }).click();
  equal(await text(score(page)), "已检查 0 / 9 题，得分 0 / 13。", "重新开始 resets the score");
  check(!(await q(page, "hours").getByLabel("72 小时").isChecked()), "重新开始 clears the answers");
  equal(await page.evaluate(() => document.activeElement.id), `quiz-${QUIZ}-hours-o0`, "重新开始 moves focus to the first question");
  equal(await page.evaluate((k) => localStorage.getItem(k), STORE), null, "重新开始 forgets the stored progress");
  await page.reload();
  await page.locator(`#quiz-${QUIZ}.is-ready`).waitFor();
  equal(await text(score(page)), "已检查 0 / 9 题，得分 0 / 13。", "after 重新开始 and a reload nothing comes back");

  // corrupt storage is ignored
  for (const junk of ["{oops", "[]", JSON.stringify({ v: 1, answers: { hours: { choice: 99 }, steps: { order: [0, 0, 0] }, ratios: { matches: ["x", 7] }, cap: 5 }, checked: { hours: {}, nope: {} } })]) {
    await page.evaluate(([k, v]) => localStorage.setItem(k, v), [STORE, junk]);
    await page.reload();
    await page.locator(`#quiz-${QUIZ}.is-ready`).waitFor();
    check(!(await q(page, "hours").locator("input:checked").count()), `corrupt progress ${junk.slice(0, 20)}… restores nothing it cannot use`);
  }
  equal(JSON.stringify(await orderTexts(page).then((t) => t.length)), "3", "a bad stored order leaves the items in place");
  await page.getByRole("button", { name: "重新开始" }).click();
  noProblems(problems, "taking the quiz over http");

  // a lesson with two quizzes; a lesson with none
  page = watchPage(await context.newPage(), problems);
  await page.goto(`${base}/scripts/apology/`);
  await page.locator("#quiz-short-practice.is-ready").waitFor();
  const ids = await page.evaluate(() => {
    const all = Array.from(document.querySelectorAll("[id]")).map((e) => e.id);
    return all.filter((id, i) => all.indexOf(id) !== i);
  });
  equal(ids.length, 0, "two quizzes on one lesson: every id is unique");
  equal(await page.locator("script[src*='quiz.']").count(), 1, "a lesson with two quizzes loads quiz.js once");
  await q(page, "hours", "short-practice").getByLabel("对", { exact: true }).check();
  await q(page, "hours", "short-practice").getByRole("button", { name: "检查" }).click();
  check((await text(feedback(page, "hours", "short-practice"))).includes("✓ 正确"), "the second quiz on the lesson works");
  equal(await text(score(page)), "已检查 0 / 9 题，得分 0 / 13。", "…and leaves the first quiz's score alone");
  check(await page.locator(`#quiz-${QUIZ}`).getByRole("heading", { name: /售后规则练习/ }).isVisible(), "an embedded quiz has a heading with its title");
  await page.goto(`${base}/rules/refund/`);
  equal(await page.locator("script[src*='quiz.']").count(), 0, "a lesson without a quiz does not load quiz.js");
  noProblems(problems, "lessons with and without quizzes");
  await context.close();
}

// b. storage that throws (private mode, blocked cookies): the quiz still works
async function noStorage(browser, base, problems) {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    Object.defineProperty(window, "localStorage", { get() { throw new Error("denied"); } });
  });
  const page = await open(context, `${base}/quizzes/${QUIZ}/`, problems);
  await q(page, "courier").getByLabel("错", { exact: true }).check();
  await checkButton(page, "courier").click();
  const fb = await text(feedback(page, "courier"));
  check(fb.includes("✗ 错误") && fb.includes("以揽收记录为准"), "without localStorage the quiz still grades", fb);
  noProblems(problems, "without localStorage");
  await context.close();
}

// c. dark mode: the verdicts keep AA contrast
async function dark(browser, base, problems) {
  const context = await browser.newContext({ colorScheme: "dark" });
  const page = await open(context, `${base}/quizzes/${QUIZ}/`, problems);
  equal(await page.evaluate(() => document.documentElement.getAttribute("data-theme")), "dark", "dark: the theme is dark");
  await q(page, "hours").getByLabel("24 小时").check();
  await checkButton(page, "hours").click();
  await q(page, "reasons").getByLabel("卖家缺货").check();
  await checkButton(page, "reasons").click();
  await q(page, "courier").getByLabel("对", { exact: true }).check();
  await checkButton(page, "courier").click();
  for (const id of ["hours", "reasons", "courier"]) {
    const [fg, bg, body] = await feedback(page, id).evaluate((el) => [
      getComputedStyle(el.querySelector(".quiz-verdict")).color,
      getComputedStyle(el).backgroundColor,
      getComputedStyle(el).color,
    ]);
    const c = contrast(fg, bg);
    check(c >= 4.5, `dark: the ${id} verdict has AA contrast (${c.toFixed(1)}:1)`, { fg, bg });
    check(contrast(body, bg) >= 4.5, `dark: the ${id} feedback text has AA contrast`, { body, bg });
  }
  await page.evaluate(() => window.shouceTheme.apply("light"));
  for (const id of ["hours", "reasons", "courier"]) {
    const [fg, bg] = await feedback(page, id).evaluate((el) => [
      getComputedStyle(el.querySelector(".quiz-verdict")).color,
      getComputedStyle(el).backgroundColor,
    ]);
    check(contrast(fg, bg) >= 4.5, `light: the ${id} verdict has AA contrast (${contrast(fg, bg).toFixed(1)}:1)`, { fg, bg });
  }
  await page.getByRole("button", { name: "重新开始" }).click();
  noProblems(problems, "dark mode");
  await context.close();
}

// d. from file://: grading, source links, progress
async function fromFile(browser, problems) {
  const context = await browser.newContext();
  const url = pathToFileURL(path.join(path.resolve(SITE_DIR), "quizzes", QUIZ, "index.html")).href;
  let page = await open(context, url, problems);
  await q(page, "who").getByLabel("答案").fill("ＸＩＡＯ二");
  await checkButton(page, "who").click();
  check((await text(feedback(page, "who"))).includes("✗ 错误"), "file://: a wrong text answer is graded");
  await q(page, "who").getByLabel("答案").fill(" 小 二。");
  await checkButton(page, "who").click();
  check((await text(feedback(page, "who"))).includes("✓ 正确"), "file://: ' 小 二。' is normalised and right");
  const href = await feedback(page, "who").getByRole("link", { name: "回到课文看出处" }).getAttribute("href");
  check(href.endsWith("rules/refund/index.html#小二介入"), "file://: the source link opens index.html", href);
  await page.reload();
  await page.locator(`#quiz-${QUIZ}.is-ready`).waitFor();
  equal(await q(page, "who").getByLabel("答案").inputValue(), " 小 二。", "file://: progress survives a reload");
  check((await text(feedback(page, "who"))).includes("✓ 正确"), "file://: the verdict is restored");
  await feedback(page, "who").getByRole("link", { name: "回到课文看出处" }).click();
  await page.waitForURL(/rules\/refund\/index\.html#/);
  check(await page.locator("h2#小二介入").isVisible(), "file://: the source link opens the lesson at its heading");
  const lesson = pathToFileURL(path.join(path.resolve(SITE_DIR), "scripts", "apology", "index.html")).href;
  page = watchPage(await context.newPage(), problems);
  await page.goto(lesson);
  await page.locator(`#quiz-${QUIZ}.is-ready`).waitFor();
  equal(await q(page, "who").getByLabel("答案").inputValue(), " 小 二。", "file://: the lesson's embed shares the quiz's progress");
  noProblems(problems, "file://");
  await context.close();
}

await run("quiz.mjs", 60000, () => runScenarios(SITE_DIR, [
  ["a. take the quiz", takeQuiz],
  ["b. no storage", noStorage],
  ["c. dark mode", dark],
  ["d. file://", (browser, _, problems) => fromFile(browser, problems)],
]));
