// End-to-end check of the results views in headless Chromium, against `shouce serve
// --demo` itself: the sign-in page is laid out as one column, a supervisor signs in, sees only their team, filters the table by a
// standing, opens an agent, opens an exam's item analysis, and downloads the CSV, whose
// rows match the page. Then the demo's rule change: the supervisor lists who has not
// acknowledged it, one of them signs in, sees the notice on a handbook page, reads the
// change and acknowledges it; and practice done signed out on a fresh device is synced
// once that agent signs in and shows on the supervisor's agent page.
// Env: SHOUCE_BIN, REPO_ROOT, CHROMIUM.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { launch, check, until, watchPage, run } from "./lib.mjs";

const { SHOUCE_BIN, REPO_ROOT } = process.env;

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
let state = null;
process.on("exit", () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  if (state) fs.rmSync(state, { recursive: true, force: true });
});

/** The cells of every body row of the table with `id`, as text. */
const rows = (page, id) =>
  page.$$eval(`#${id} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll("th,td")].map((c) => c.textContent.trim())));

await run("dashboard.mjs", 120_000, async () => {
  state = fs.mkdtempSync(path.join(os.tmpdir(), "shouce-dashboard-e2e-"));
  const seeded = execFileSync(SHOUCE_BIN, ["-C", REPO_ROOT, "demo", "seed", "--agents", "60", "--state", state], { encoding: "utf8" });
  check(/60 agents in 5 teams/.test(seeded), "demo seed made a company", seeded);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "shouce-dashboard-site-"));
  let log = "";
  // A site copy, so the test never writes the repository's public/.
  fs.copyFileSync(path.join(REPO_ROOT, "shouce.toml"), path.join(out, "shouce.toml"));
  for (const dir of ["content", "themes", "quizzes"]) fs.cpSync(path.join(REPO_ROOT, dir), path.join(out, dir), { recursive: true });
  // The handbook's pages too, for progress.js and the rule-change notice.
  execFileSync(SHOUCE_BIN, ["-C", out, "build"], { encoding: "utf8" });
  server = spawn(SHOUCE_BIN, ["-C", out, "serve", "--demo", "--port", String(port), "--state", state], { stdio: ["ignore", "pipe", "pipe"] });
  server.stdout.on("data", (d) => { log += d; });
  server.stderr.on("data", (d) => { log += d; });
  await until(() => /serving /.test(log), "the server to start", 60_000);
  const browser = await launch();
  const problems = [];
  try {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = watchPage(await context.newPage(), problems);
    await page.goto(`${url}/dashboard/`);
    check(page.url().includes("/account/login"), "the dashboard asks to sign in first", page.url());
    // The server's pages are one column at any width (not the handbook's grid with a
    // column for a table of contents): the form sits under the heading.
    const [h1Box, formBox] = [await page.locator("main h1").boundingBox(), await page.locator("form.account-form").boundingBox()];
    check(page.viewportSize().width >= 1200 && Math.abs(h1Box.x - formBox.x) < 1 && formBox.y > h1Box.y,
      "the sign-in form is under its heading", { h1Box, formBox });
    await page.fill("input[name=login]", "sup3");
    await page.fill("input[name=password]", "shouce-demo");
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    check(page.url() === `${url}/dashboard/`, "signing in leads back to the dashboard", page.url());
    const team = (await page.textContent(".dashboard-filters p")).trim();
    check(team === "团队：售后一组", "a supervisor's dashboard is fixed to their team", team);
    const agents = await rows(page, "agents");
    check(agents.length === 12 && agents.every((r) => r[2] === "售后一组"), "12 agents, all of the supervisor's team", agents.length);

    // Filter by exam and standing: the URL keeps the filters; every row has that standing.
    await page.selectOption("select[name=exam]", "aftersales-exam");
    await page.selectOption("select[name=status]", "failed");
    await Promise.all([page.waitForNavigation(), page.click(".dashboard-filters button")]);
    check(/exam=aftersales-exam/.test(page.url()) && /status=failed/.test(page.url()), "the filters are kept in the URL", page.url());
    const failed = await rows(page, "agents");
    check(failed.length > 0 && failed.every((r) => r[3] === "未通过"), "the filtered table lists only agents who failed", failed);

    // The CSV of this view has the same rows.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("a:has-text('下载 CSV')")]);
    const csv = fs.readFileSync(await download.path(), "utf8");
    check(csv.startsWith("\ufeff工号,姓名,团队,售后规则认证"), "the CSV starts with a BOM and the page's columns", csv.slice(0, 40));
    const lines = csv.trim().split("\r\n").slice(1).map((l) => l.split(","));
    check(lines.length === failed.length && lines.every((l, i) => l[0] === failed[i][0] && l[1] === failed[i][1] && l[3] === failed[i][3]),
      "the CSV's rows match the table", { lines, failed });

    // An agent's record.
    const [login, name] = failed[0];
    await Promise.all([page.waitForNavigation(), page.click(`#agents a:has-text('${name}')`)]);
    check((await page.textContent("h1")).includes(login), "the agent's page opens", await page.textContent("h1"));
    check((await rows(page, "attempts")).some((r) => r[0] === "售后规则认证" && r[4] === "未通过"), "it lists the failed attempt");
    check((await page.$$(".missed-paragraphs a")).length > 0, "and the paragraphs to revise, as links");

    // An exam's item analysis.
    await page.goto(`${url}/dashboard/exams/aftersales-exam/`);
    check((await page.$$("svg.chart[role=img]")).length === 3, "three charts, each an image with a name");
    const items = await rows(page, "items");
    check(items.length > 10 && items.every((r) => /^\d(\.\d+)?$/.test(r[3])), "item analysis rows with a facility index", items.length);

    // The demo's rule change: who on the team has not acknowledged it.
    await page.goto(`${url}/dashboard/changes/`);
    const changes = await rows(page, "changes");
    check(changes.length === 1 && Number(changes[0][4]) > 0 && Number(changes[0][3]) > 0,
      "one rule change, acknowledged by some agents and not by others", changes);
    const pending = await rows(page, "pending");
    check(pending.length === Number(changes[0][4]) && pending.every((r) => r[2] === "售后一组" && r[4] === "未确认"),
      "the list of those who have not, all of the supervisor's team", pending);
    const [late, lateName] = pending[0];

    // That agent, on a fresh device: practice first, signed out.
    const device = await browser.newContext();
    const agent = watchPage(await device.newPage(), problems);
    await agent.goto(`${url}/quizzes/rules-practice/`);
    const first = agent.locator("#quiz-rules-practice-case-type-after-success");
    await first.getByLabel("申请售后", { exact: true }).check();
    await first.getByRole("button", { name: "检查", exact: true }).click();
    check((await first.textContent()).includes("✓ 正确"), "practice works signed out");
    // Signing in, then any handbook page: the notice of the change, and the sync.
    await agent.goto(`${url}/account/login?next=/rules/refund-rate/`);
    await agent.fill("input[name=login]", late);
    await agent.fill("input[name=password]", "shouce-demo");
    await Promise.all([agent.waitForNavigation(), agent.click("button[type=submit]")]);
    check(agent.url() === `${url}/rules/refund-rate/`, "signing in leads back to the lesson", agent.url());
    const notice = agent.locator("#rule-change-notice a");
    await notice.waitFor({ timeout: 10_000 });
    check((await notice.textContent()).includes("1 条规则更新"), "the lesson page shows the change awaiting acknowledgement");
    await Promise.all([agent.waitForNavigation(), notice.click()]);
    check((await agent.$$(".rule-change-sides del, .rule-change-sides ins")).length > 0, "the change shows old and new text, the difference marked");
    await Promise.all([agent.waitForNavigation(), agent.click(".rule-change form button")]);
    check((await agent.textContent("main")).includes("没有等你确认的规则更新"), "acknowledged: nothing left to confirm");

    // The supervisor: the agent is no longer listed, and their practice is on their page.
    await page.goto(`${url}/dashboard/changes/`);
    check(!(await rows(page, "pending")).some((r) => r[0] === late), "the acknowledgement shows on the supervisor's list");
    await until(async () => {
      await page.goto(`${url}/dashboard/agents/${late}/`);
      const path = await rows(page, "path");
      return path.some((r) => r[2].includes("平台规则练习：1 /") && r[2].includes("答对 1"));
    }, "the practice done signed out to show on the agent's page", 15_000);
    check((await page.textContent("h1")).includes(lateName), "on the supervisor's page of that agent");
    await device.close();
    check(problems.length === 0, "no page errors", problems);
  } finally {
    await browser.close();
    server.kill("SIGTERM");
    await until(() => server.exitCode !== null || server.signalCode !== null, "the server to stop", 10_000);
    fs.rmSync(out, { recursive: true, force: true });
  }
});
