// End-to-end check of `shouce serve` as the exam server, in headless Chromium: an
// agent sets a password from a one-time link, starts an exam from its landing page,
// answers, reloads mid-way (the saved answers come back), submits, passes, opens the
// certificate and its public verification page; a second agent fails and meets the
// retake wait. The exam is a small fixture written here, so the script knows its answers.
// The exam page renders questions with practice's markup and form code (quiz-form.js)
// and never loads the grader (quiz.js): an ordering question is answered with
// practice's move buttons and its order survives a reload.
// Env: SHOUCE_BIN, REPO_ROOT, CHROMIUM.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { launch, check, until, watchPage, run } from "./lib.mjs";

const { SHOUCE_BIN, REPO_ROOT } = process.env;
const EXAM = `id = "e2e-exam"
title = "端到端测试认证"
kind = "exam"
pass_mark_percent = 60
time_limit_minutes = 10
questions_per_attempt = 4
max_attempts = 3
retake_after_hours = 24
reveal = "score"

[certificate]
name = "端到端测试证书"
valid_days = 30

[[questions]]
id = "q1"
type = "single"
prompt = "第一题：选择“甲正确”。"
explanation = "解析一：甲。"
options = [{ text = "甲正确", correct = true }, { text = "乙错误" }, { text = "丙错误" }]

[[questions]]
id = "q2"
type = "true_false"
prompt = "第二题：这句话是对的。"
explanation = "解析二：对。"
answer = true

[[questions]]
id = "q3"
type = "multiple"
prompt = "第三题：选择两个“正确”的选项。"
explanation = "解析三：丁与戊。"
options = [{ text = "丁正确", correct = true }, { text = "戊正确", correct = true }, { text = "己错误" }]

[[questions]]
id = "q4"
type = "ordering"
prompt = "第四题：按先后排好。"
explanation = "解析四：一、二、三。"
items = ["一先", "二中", "三后"]
`;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let server = null;
let site = null;
process.on("exit", () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  if (site) fs.rmSync(site, { recursive: true, force: true });
});

function shouce(...args) {
  return execFileSync(SHOUCE_BIN, ["-C", site, ...args], { encoding: "utf8" });
}

/** Opens a one-time link in a fresh context and sets the password; returns the page. */
async function newAgent(browser, url, login, name, problems) {
  const out = shouce("user", "add", login, "--name", name, "--url", url + "/", "--state", path.join(site, ".state"));
  const link = out.match(/(http:\S+\/account\/setup\/[0-9a-f]+)/)[1];
  const page = watchPage(await (await browser.newContext()).newPage(), problems);
  await page.goto(link);
  await page.fill("#password", "a long enough secret");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  check(page.url() === url + "/", `${name} set a password and is signed in`, page.url());
  return page;
}

async function answer(page, right) {
  const items = await page.$$(".quiz-q");
  for (const li of items) {
    const prompt = await li.$eval(".quiz-prompt", (e) => e.textContent);
    const labels = await li.$$("label.quiz-option");
    for (const label of labels) {
      const text = await label.textContent();
      const want = prompt.includes("第二题") ? (right ? text.trim() === "对" : text.trim() === "错") : right === /正确/.test(text);
      if (want && prompt.includes("第一题") && !right && !/乙/.test(text)) continue;
      if (want) await label.click();
    }
  }
}

const ORDER = ["一先", "二中", "三后"];

/** Puts the ordering question's items in the right order with its "up" buttons;
 * how many presses that took. */
async function orderRight(page) {
  const q = page.locator(".quiz-q:has-text('第四题')");
  let presses = 0;
  for (const [want, text] of ORDER.entries()) {
    for (let guard = 0; guard < ORDER.length; guard++) {
      const texts = await q.locator(".quiz-order-text").allTextContents();
      if (texts.indexOf(text) <= want) break;
      await q.locator(`.quiz-order li:has-text('${text}') [data-move='up']`).click();
      presses++;
    }
  }
  return presses;
}

await run("exam.mjs", 90_000, async () => {
  site = fs.mkdtempSync(path.join(os.tmpdir(), "shouce-exam-e2e-"));
  fs.copyFileSync(path.join(REPO_ROOT, "shouce.toml"), path.join(site, "shouce.toml"));
  for (const dir of ["content", "themes"]) fs.cpSync(path.join(REPO_ROOT, dir), path.join(site, dir), { recursive: true });
  fs.mkdirSync(path.join(site, "quizzes"));
  fs.writeFileSync(path.join(site, "quizzes", "e2e-exam.toml"), EXAM);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = "";
  server = spawn(SHOUCE_BIN, ["-C", site, "serve", "--port", String(port), "--state", path.join(site, ".state")], { stdio: ["ignore", "pipe", "pipe"] });
  server.stdout.on("data", (d) => { log += d; });
  server.stderr.on("data", (d) => { log += d; });
  await until(() => /serving /.test(log), "the server to start", 60_000);
  check(/first start: set the admin's password .*\/account\/setup\/[0-9a-f]{64}/.test(log), "first start prints the admin's setup link");
  const browser = await launch();
  const problems = [];
  try {
    const a = await newAgent(browser, url, "A001", "张三", problems);
    await a.goto(`${url}/exams/e2e-exam/`);
    await Promise.all([a.waitForNavigation(), a.click("form.exam-start button")]);
    check(/\/attempt\/[0-9a-f]{32}\/$/.test(a.url()), "Start opens the attempt", a.url());
    check((await a.$$(".quiz-q")).length === 4, "the paper has 4 questions");
    check(await a.evaluate(() => typeof window.shouceForm === "object" && typeof window.shouceQuiz === "undefined"),
      "the exam page has practice's form code and not its grader");
    const scripts = await a.$$eval("script[src]", (list) => list.map((s) => s.getAttribute("src")));
    check(scripts.some((src) => src.endsWith("/quiz-form.js")) && !scripts.some((src) => /\/quiz\.[^/]*js$/.test(src)),
      "quiz-form.js is loaded and quiz.js is not", scripts);
    check(!(await a.content()).includes("解析"), "no explanation reached the page");
    const first = await a.$(".quiz-q:has-text('第一题') label:has-text('甲正确')");
    await first.click();
    await until(async () => (await a.textContent("#exam-save-status")).includes("已自动保存"), "the autosave");
    await a.reload();
    check(await a.isChecked(".quiz-q:has-text('第一题') label:has-text('甲正确') input"), "a reload resumes with the saved answer");
    await a.evaluate(() => { document.getElementById("exam-save-status").textContent = ""; });
    if (await orderRight(a)) {
      await until(async () => (await a.textContent("#exam-save-status")).includes("已自动保存"), "the autosave after moving items");
    }
    await a.reload();
    const order = await a.locator(".quiz-q:has-text('第四题') .quiz-order-text").allTextContents();
    check(JSON.stringify(order) === JSON.stringify(ORDER), "the moved order comes back on reload", order);
    const clock = await a.textContent("#exam-remaining");
    check(/^(9|10):\d\d$/.test(clock), "the countdown shows the server's deadline", clock);
    await answer(a, true);
    await Promise.all([a.waitForNavigation(), a.click("#exam-submit")]);
    check(/\/result$/.test(a.url()) && (await a.textContent("h1")).includes("通过"), "the agent passes", await a.textContent("h1"));
    await Promise.all([a.waitForNavigation(), a.click("a:has-text('查看证书')")]);
    check((await a.textContent(".certificate")).includes("张三"), "the certificate names the agent");
    const verifyHref = await a.getAttribute(".certificate a[href*='verify']", "href");
    const v = watchPage(await (await browser.newContext()).newPage(), problems);
    await v.goto(url + verifyHref);
    check((await v.textContent(".verify-result")).includes("张三：有效"), "the public verification page says valid");

    const b = await newAgent(browser, url, "B001", "李四", problems);
    await b.goto(`${url}/exams/e2e-exam/`);
    await Promise.all([b.waitForNavigation(), b.click("form.exam-start button")]);
    await answer(b, false);
    await Promise.all([b.waitForNavigation(), b.click("#exam-submit")]);
    check((await b.textContent("h1")).includes("未通过"), "the second agent fails");
    const waitProblems = [];
    b.removeAllListeners("response");
    b.on("response", (r) => waitProblems.push(r.status()));
    await b.goto(`${url}/exams/e2e-exam/`);
    await Promise.all([b.waitForNavigation(), b.click("form.exam-start button")]);
    check(waitProblems.includes(409) && (await b.content()).includes("24 小时"), "a retake must wait 24 hours");
    const unexpected = problems.filter((p) => !/\/exam\/e2e-exam\/start: .*409/.test(p));
    check(unexpected.length === 0, "no page errors (besides the refused retake)", unexpected);
  } finally {
    await browser.close();
    server.kill("SIGTERM");
    await until(() => server.exitCode !== null || server.signalCode !== null, "the server to stop on SIGTERM", 10_000);
    check(server.exitCode === 0, "SIGTERM stops the server cleanly", server.exitCode);
  }
});
