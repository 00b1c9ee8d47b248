// End-to-end check of `shouce dev` in headless Chromium: live reload after an edit,
// the build-error overlay while the last good site is still served, and recovery.
// Env: SHOUCE_BIN (the binary), REPO_ROOT (the shipped handbook), CHROMIUM.
// Prints one line per passed check; exits non-zero on the first failure.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { launch, check, equal, until, watchPage, run } from "./lib.mjs";

const { SHOUCE_BIN, REPO_ROOT } = process.env;
if (!SHOUCE_BIN || !fs.existsSync(SHOUCE_BIN) || !REPO_ROOT || !fs.existsSync(path.join(REPO_ROOT, "shouce.toml"))) {
  console.error(`dev.mjs: set SHOUCE_BIN to the shouce binary and REPO_ROOT to the repo (got ${SHOUCE_BIN}, ${REPO_ROOT})`);
  process.exit(2);
}

const PAGE_SRC = "content/scripts/greeting.md";
const PAGE_URL = "/scripts/greeting/";
const RELOAD_MS = 10_000; // generous: a rebuild takes well under a second, but CI machines are small

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

/** Marks the current document so that a reload (a new document) can be told from an in-place change. */
const tag = (page, value) => page.evaluate((v) => { window.__shouceTestDoc = v; }, value);
const docTag = (page) => page.evaluate(() => window.__shouceTestDoc ?? null).catch(() => "navigating");

let dev = null; // the dev server process
let site = null; // its temp site root
let log = "";
const builds = () => (log.match(/^(rebuilt in|build failed)/gm) || []).length;
const lastBuilds = () => log.split("\n").filter((l) => /^(rebuilt in|build failed)/.test(l)).slice(-5).join(" | ");
process.on("exit", () => {
  // last resort (time limit hit, uncaught error): never leave the server running
  if (dev && dev.exitCode === null && dev.signalCode === null) dev.kill("SIGKILL");
  if (site) fs.rmSync(site, { recursive: true, force: true });
});

async function stopDev() {
  if (!dev || dev.exitCode !== null || dev.signalCode !== null) return;
  const exited = new Promise((r) => dev.once("exit", r));
  dev.kill("SIGTERM");
  const timer = setTimeout(() => dev.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

await run("dev.mjs", 100_000, async () => {
  site = fs.mkdtempSync(path.join(os.tmpdir(), "shouce-dev-e2e-"));
  let browser = null;
  let ok = false;
  try {
    fs.copyFileSync(path.join(REPO_ROOT, "shouce.toml"), path.join(site, "shouce.toml"));
    for (const dir of ["content", "themes"]) {
      fs.cpSync(path.join(REPO_ROOT, dir), path.join(site, dir), { recursive: true });
    }
    const src = path.join(site, PAGE_SRC);
    const original = fs.readFileSync(src, "utf8");

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    dev = spawn(SHOUCE_BIN, ["-C", site, "dev", "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
    dev.stdout.on("data", (d) => { log += d; });
    dev.stderr.on("data", (d) => { log += d; });
    const died = new Promise((_, reject) => dev.once("exit", (code, sig) => reject(new Error(`shouce dev exited (${code ?? sig})`))));
    died.catch(() => {});
    await Promise.race([died, until(() => log.includes(`dev server on ${base}/`), "the 'dev server on' line", 15_000)]);
    await until(async () => (await fetch(`${base}${PAGE_URL}`)).status === 200, "the dev server to serve the page", 5000);
    check(true, `shouce dev serves ${base}${PAGE_URL}`);

    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // record when the live-reload socket of each document is open
    await context.addInitScript(() => {
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(...args) {
          super(...args);
          if (String(args[0]).includes("/__shouce/ws")) this.addEventListener("open", () => { window.__shouceWsOpen = true; });
        }
      };
    });
    const problems = [];
    const page = watchPage(await context.newPage(), problems);
    const socketOpen = async (p) => {
      // the server subscribes the socket before it answers the handshake: once the
      // page sees the socket open, no rebuild notice can be missed
      await until(() => p.evaluate(() => window.__shouceWsOpen === true), "the live-reload websocket to open", 5000);
    };

    await page.goto(`${base}${PAGE_URL}`);
    equal((await page.locator("main h1").textContent()).trim(), "打招呼", "the page opens in the browser");
    equal(await page.locator("script[src='/__shouce/live.js']").count(), 1, "the dev server injected /__shouce/live.js");
    await socketOpen(page);
    check(true, "the page connected to /__shouce/ws");
    await tag(page, "before-edit");

    // 1. edit the Markdown: the browser reloads by itself and shows the new text
    const marker = `LIVE-${process.pid}-${Date.now().toString(36)}`;
    const edited = `${original.trimEnd()}\n\n${marker} 这一段是自动测试加上的。\n`;
    let t = Date.now();
    const logAtEdit = log.length;
    fs.writeFileSync(src, edited);
    await until(async () => (await page.locator("article.content").textContent().catch(() => "")).includes(marker),
      "the marker to appear after the edit", RELOAD_MS);
    const reloadMs = Date.now() - t;
    check(true, `the page shows the edited text by itself (${reloadMs} ms after the save)`);
    check((await docTag(page)) === null, "it got there by reloading the page (a new document)");
    await socketOpen(page);
    await tag(page, "after-edit");
    // nothing changes now: no rebuild, no reload (a build must not trigger the next one)
    const before = builds();
    await page.waitForTimeout(1500);
    check(builds() === before, "with no further edits the dev server does not rebuild again (1.5 s)",
      `${builds() - before} more builds; last: ${lastBuilds()}`);
    equal(await docTag(page), "after-edit", "with no further edits the page is not reloaded again");
    const editBuilds = log.slice(logAtEdit).match(/^rebuilt in \d+ ms \(.*\).*$/gm) || [];
    check(editBuilds.length === 1 && editBuilds[0].includes(`(${PAGE_SRC})`),
      `the edit caused one rebuild, printed as 'rebuilt in N ms (${PAGE_SRC})'`, editBuilds);

    // 2. break the front matter: overlay with the diagnostics; the last good page stays
    const broken = edited.replace(/^\+\+\+\n/, "+++\nbogus_key = 1\n");
    check(broken !== edited, "the page source starts with a +++ front matter block");
    t = Date.now();
    fs.writeFileSync(src, broken);
    const overlay = page.locator("#shouce-error-overlay");
    await overlay.waitFor({ state: "visible", timeout: RELOAD_MS });
    check(true, `the error overlay #shouce-error-overlay appears (${Date.now() - t} ms after the save)`);
    equal(await overlay.getAttribute("role"), "alert", "the overlay has role=alert");
    const text = await overlay.innerText();
    check(text.includes(PAGE_SRC), `the overlay names the file (${PAGE_SRC})`, text);
    check(text.includes(`${PAGE_SRC}:2`), "the overlay points at the broken line (line 2)", text);
    check(text.includes("bogus_key"), "the overlay shows the diagnostic (unknown field bogus_key)", text);
    equal(await docTag(page), "after-edit", "the page was not reloaded on the failed build");
    check((await page.locator("article.content").textContent()).includes(marker), "the page under the overlay still shows the last good content");
    const served = await (await fetch(`${base}${PAGE_URL}`)).text();
    check(served.includes(marker) && !served.includes("bogus_key"), "the server still serves the last good page");
    check(/build failed/.test(log), "the dev server printed that the build failed", log);

    // a page opened while the build is broken shows the overlay too
    const late = watchPage(await context.newPage(), problems);
    await late.goto(`${base}/scripts/`);
    await late.locator("#shouce-error-overlay").waitFor({ state: "visible", timeout: 5000 });
    check((await late.locator("#shouce-error-overlay").innerText()).includes(PAGE_SRC), "a page opened while the build is broken shows the overlay too");
    await socketOpen(late);
    await tag(late, "late");

    // 3. fix it: both pages reload by themselves and the overlay is gone
    const fixedMarker = `${marker}-FIXED`;
    t = Date.now();
    fs.writeFileSync(src, edited.replace(marker, fixedMarker));
    await until(async () => (await page.locator("article.content").textContent().catch(() => "")).includes(fixedMarker),
      "the fixed page to load", RELOAD_MS);
    check(true, `after the fix the page reloads by itself (${Date.now() - t} ms after the save)`);
    check((await docTag(page)) === null, "the fix reloaded the page (a new document)");
    equal(await overlay.count(), 0, "the overlay is gone after the fix");
    await until(async () => (await docTag(late)) === null && (await late.locator("#shouce-error-overlay").count()) === 0,
      "the second page to reload without the overlay", RELOAD_MS);
    check(true, "the other open page reloaded too and has no overlay");

    // and it stays quiet
    await socketOpen(page);
    await tag(page, "settled");
    const settled = builds();
    await page.waitForTimeout(1000);
    check(builds() === settled, "after the fix the dev server stays idle (no rebuild in 1 s)", lastBuilds());
    equal(await docTag(page), "settled", "after the fix the page is not reloaded again");
    check(problems.length === 0, "no JS errors, console errors or failed requests", problems.join("\n    "));
    await context.close();
    ok = true;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stopDev();
    if (!ok) console.error(`--- shouce dev output ---\n${log}--- end ---`);
    fs.rmSync(site, { recursive: true, force: true });
    site = null;
  }
  check(dev.exitCode !== null || dev.signalCode !== null, "the dev server was stopped");
});
