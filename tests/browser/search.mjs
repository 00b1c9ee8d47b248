// End-to-end checks of the search UI (header combobox, results page) in headless Chromium,
// over the shipped handbook as built by `shouce build`: once over http and once from file://.
// Env: SITE_DIR (the built site), CHROMIUM. Run by tests/browser.rs.
// The engine is the site's own search.js; one scenario swaps it for mock-search.js (same
// contract, answers on a timer) to check that a late answer to an old query is dropped.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { check, equal, until, watchPage, run, runScenarios } from "./lib.mjs";

const SITE_DIR = process.env.SITE_DIR;
if (!SITE_DIR || !fs.existsSync(path.join(SITE_DIR, "search", "index.html"))) {
  console.error(`search.mjs: SITE_DIR must be a built site with search/index.html (got ${SITE_DIR})`);
  process.exit(2);
}
const ENGINE = /\/static\/search\.[0-9a-f]{8}\.js$/;
if (!fs.readdirSync(path.join(SITE_DIR, "static")).some((f) => /^search\.[0-9a-f]{8}\.js$/.test(f))) {
  console.error("search.mjs: the site has no static/search.*.js (the search engine's runtime)");
  process.exit(2);
}
const MOCK = fs.readFileSync(new URL("./mock-search.js", import.meta.url), "utf8");

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

// the queries of the issue, and a page each must find near the top
const QUERIES = [
  { kind: "Chinese words", q: "七天无理由 运费", want: "rules/return-shipping/" },
  { kind: "pinyin", q: "tuikuan", want: /退款/ },
  { kind: "one-character typo", q: "小二介如", want: "rules/intervention/" },
];

/** Documents for the mock engine, read from the built pages (title, breadcrumbs, body text). */
function mockDocs(dir) {
  const out = [];
  const walk = (abs, rel) => {
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      if (e.isDirectory() && !["static", "search", "print"].includes(e.name)) walk(path.join(abs, e.name), `${rel}${e.name}/`);
      else if (e.name === "index.html" && rel) {
        const html = fs.readFileSync(path.join(abs, e.name), "utf8");
        const title = (html.match(/<h1[^>]*>([\s\S]*?)<\/h1>/) || [, ""])[1].replace(/<[^>]+>/g, "").trim();
        const crumbs = (html.match(/<nav class="breadcrumbs"[\s\S]*?<\/nav>/) || [""])[0];
        const section = [...crumbs.matchAll(/<a [^>]*>([^<]*)<\/a>/g)].map((m) => m[1]).filter((t) => t !== "首页");
        const body = (html.match(/<article class="content">([\s\S]*?)<\/article>/) || [, ""])[1];
        const text = body.replace(/<[^>]+>/g, " ").replace(/&[a-z#0-9]+;/g, " ").replace(/\s+/g, " ").trim();
        out.push({ path: rel.replace(/\/$/, ".md"), url: rel, title, section, text });
      }
    }
  };
  walk(dir, "");
  return out;
}
const MOCK_SETUP = `window.__mockDocs = ${JSON.stringify(mockDocs(SITE_DIR))};`;

const input = (page) => page.locator("#search-input");
const options = (page) => page.locator("#search-listbox [role='option']");
const hits = (page) => page.locator("#search-listbox [role='option']:not(.search-all)");

async function newPage(browser, problems, options = {}) {
  const { mock, ...rest } = options;
  const context = await browser.newContext({ viewport: DESKTOP, colorScheme: "light", ...rest });
  // the mock replaces search.js, and gets its documents before any script runs
  if (mock) await context.addInitScript({ content: MOCK_SETUP });
  const page = watchPage(await context.newPage(), problems);
  if (mock) await page.route(ENGINE, (r) => r.fulfill({ body: MOCK, contentType: "text/javascript" }));
  return { context, page };
}

function noProblems(problems, what) {
  check(problems.length === 0, `${what}: no JS errors, console errors or failed requests`, problems.join("\n    "));
  problems.length = 0;
}

/** What the dropdown shows: per option its id, URL, title, section path, snippet HTML, state. */
function dropdown(page) {
  return page.evaluate(() => ({
    expanded: document.getElementById("search-input").getAttribute("aria-expanded"),
    active: document.getElementById("search-input").getAttribute("aria-activedescendant"),
    hidden: document.getElementById("search-popup").hidden,
    status: document.getElementById("search-status").textContent,
    message: document.getElementById("search-message").hidden ? "" : document.getElementById("search-message").textContent,
    options: Array.from(document.querySelectorAll("#search-listbox [role='option']")).map((o) => ({
      id: o.id,
      all: o.classList.contains("search-all"),
      href: o.querySelector("a").getAttribute("href"),
      url: o.querySelector("a").href,
      title: (o.querySelector(".search-hit-title") || {}).textContent || "",
      section: (o.querySelector(".search-hit-section") || {}).textContent || "",
      snippet: (o.querySelector(".search-hit-snippet") || {}).innerHTML || "",
      selected: o.getAttribute("aria-selected"),
      shown: o.getBoundingClientRect().height > 0,
    })),
  }));
}

/** Types `q` into the focused box and waits for the dropdown to answer it. */
async function typeQuery(page, q) {
  await input(page).fill("");
  await page.keyboard.type(q, { delay: 15 });
  return until(async () => {
    const d = await dropdown(page);
    const all = d.options.find((o) => o.all);
    const answered = (all && decodeURIComponent(all.href).includes(`q=${q}`)) || (d.message && d.message.includes(q));
    return answered && d.status && d.status.trim() ? d : null;
  }, `the dropdown answers "${q}"`);
}

const matches = (want, hit) => (typeof want === "string" ? hit.href.endsWith(want) || hit.href.endsWith(`${want}index.html`) : want.test(hit.title));

async function checkQuery(page, { kind, q, want }, where) {
  const d = await typeQuery(page, q);
  const found = d.options.filter((o) => !o.all);
  check(found.length > 0, `${where}: ${kind} query "${q}" shows results`, d);
  equal(d.expanded, "true", `${where}: "${q}": the combobox is aria-expanded=true`);
  check(/^(前 )?\d+ 个结果/.test(d.status), `${where}: "${q}": the status region announces the count ("${d.status}")`, d.status);
  check(found.every((o) => o.title && o.shown), `${where}: "${q}": every result shows its title`, found);
  check(found.some((o) => o.section), `${where}: "${q}": results show their section path`, found.map((o) => o.section));
  const marked = found.filter((o) => /<mark>[^<]+<\/mark>/.test(o.snippet));
  check(marked.length > 0 && /<mark>[^<]+<\/mark>/.test(found[0].snippet), `${where}: "${q}": snippets highlight the matches in <mark> (${marked.length}/${found.length})`, found.map((o) => o.snippet));
  const rank = found.slice(0, 5).findIndex((o) => matches(want, o));
  check(rank >= 0, `${where}: "${q}": the expected page (${want}) is in the top 5 (at ${rank + 1})`, found.map((o) => o.href));
  check(d.options[d.options.length - 1].all, `${where}: "${q}": the last option is 查看全部结果`);
  // Eight results at most; "前 8" says there are more (counted without loading a ninth).
  check(found.length <= 8, `${where}: "${q}": at most 8 results in the dropdown (${found.length})`);
  check(!d.status.startsWith("前 ") || found.length === 8, `${where}: "${q}": "前 N" only when the dropdown is full ("${d.status}")`);
  return { d, found, rank };
}

// a. over http: the three kinds of query, keyboard, Enter, Esc, shortcuts, the results page
async function overHttp(browser, base, problems) {
  const { context, page } = await newPage(browser, problems);
  await page.goto(`${base}/scripts/greeting/`);
  const box = input(page);
  equal(await box.getAttribute("role"), "combobox", "the header search input is a combobox");
  equal(await box.getAttribute("aria-expanded"), "false", "the combobox starts collapsed");
  check(await box.isVisible(), "desktop: the search box is visible in the header");

  // "/" focuses the box from the page
  await page.locator("main h1").click();
  await page.keyboard.press("/");
  check(await box.evaluate((e) => e === document.activeElement), "'/' focuses the search box");
  equal(await box.inputValue(), "", "'/' is not typed into the box");

  for (const query of QUERIES) await checkQuery(page, query, "http");
  {
    // 退款 is on ~30 pages: the dropdown is full and says there are more.
    const { d, found } = await checkQuery(page, { kind: "broad", q: "退款", want: /退款/ }, "http");
    equal(found.length, 8, "a broad query fills the dropdown with 8 results");
    check(d.status.startsWith("前 8 个结果"), `a broad query says there are more ("${d.status}")`, d.status);
  }

  // keyboard: ↓ ↑ move the active option (aria-activedescendant + aria-selected), wrapping
  const { found } = await checkQuery(page, QUERIES[0], "http");
  await page.keyboard.press("ArrowDown");
  let d = await dropdown(page);
  equal(d.active, d.options[0].id, "↓ makes the first option active (aria-activedescendant)");
  equal(d.options[0].selected, "true", "the active option is aria-selected=true");
  await page.keyboard.press("ArrowDown");
  d = await dropdown(page);
  equal(d.active, d.options[1].id, "↓ again moves to the second option");
  check(d.options[0].selected !== "true", "the first option is no longer selected");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  d = await dropdown(page);
  equal(d.active, d.options[d.options.length - 1].id, "↑ from the first option wraps to the last (查看全部结果)");
  await page.keyboard.press("ArrowDown");
  d = await dropdown(page);
  equal(d.active, d.options[0].id, "↓ from the last option wraps to the first");
  check(await box.evaluate((e) => e === document.activeElement), "focus stays in the box while moving");

  // Esc closes, Esc again clears
  await page.keyboard.press("Escape");
  d = await dropdown(page);
  check(d.hidden && d.expanded === "false" && !d.active, "Esc closes the popup (aria-expanded=false, no active option)", d);
  equal(await box.inputValue(), QUERIES[0].q, "the query stays after the first Esc");
  await page.keyboard.press("Escape");
  equal(await box.inputValue(), "", "a second Esc clears the box");

  // Enter opens the active result
  await typeQuery(page, QUERIES[0].q);
  await page.keyboard.press("ArrowDown");
  const first = (await dropdown(page)).options[0];
  await Promise.all([page.waitForURL(first.url), page.keyboard.press("Enter")]);
  equal(page.url(), first.url, `Enter opens the active result (${new URL(first.url).pathname})`);
  equal((await page.locator("main h1").textContent()).trim(), found[0].title, "the opened page is the result's page (same title)");

  // Ctrl-K and Cmd-K focus the box; neither shortcut is taken from other fields
  await page.locator("main h1").click();
  await page.keyboard.press("Control+k");
  check(await box.evaluate((e) => e === document.activeElement), "Ctrl-K focuses the search box");
  await page.locator("main h1").click();
  await page.keyboard.press("Meta+k");
  check(await box.evaluate((e) => e === document.activeElement), "Cmd-K focuses the search box");
  await page.evaluate(() => {
    const t = document.createElement("textarea");
    t.id = "scratch";
    document.querySelector("main").appendChild(t);
    t.focus();
  });
  await page.keyboard.press("/");
  equal(await page.evaluate(() => document.activeElement.id), "scratch", "'/' typed in another text field stays there");
  equal(await page.locator("#scratch").inputValue(), "/", "… and types a slash");

  // a click on a result opens it
  await box.focus();
  await typeQuery(page, QUERIES[0].q);
  const second = (await dropdown(page)).options[1] || (await dropdown(page)).options[0];
  await Promise.all([page.waitForURL(second.url), page.locator(`#${second.id} a`).click()]);
  check(true, `a click on a result opens it (${new URL(second.url).pathname})`);

  // no results
  await page.keyboard.press("/");
  d = await typeQuery(page, "qqqzzzxxj");
  check(d.options.length === 0 && /没有找到/.test(d.message), "a query with no match shows 没有找到… and no options", d);
  equal(d.status, "没有结果", "… and announces 没有结果");
  equal(d.expanded, "false", "… with the combobox not expanded (no listbox options)");
  d = await typeQuery(page, "xiaoerjeiru");
  check(/没有找到/.test(d.message) && /你是不是要找：小二介入（xiaoerjieru）/.test(d.message),
    "a mistyped pinyin query with no match suggests the nearest word with its reading", d);
  const near = await page.locator("#search-message a.search-suggestion").first().getAttribute("href");
  check(/search\/(index\.html)?\?q=%E5%B0%8F%E4%BA%8C%E4%BB%8B%E5%85%A5$/.test(near), "… linking to its results", near);
  equal(d.status, "没有结果，有相近的词", "… and announces that there are near words");

  // Enter without an active option, and the 查看全部结果 option, open the results page
  const q = QUERIES[1].q;
  await typeQuery(page, q);
  await Promise.all([page.waitForURL(/\/search\/\?q=/), page.keyboard.press("Enter")]);
  equal(decodeURIComponent(new URL(page.url()).search), `?q=${q}`, "Enter with no active option opens the results page for the query");
  await resultsPage(page, q, "http");

  await page.goto(`${base}/rules/`);
  await page.keyboard.press("/");
  d = await typeQuery(page, QUERIES[0].q);
  await page.keyboard.press("ArrowUp");
  equal((await dropdown(page)).active, "search-opt-all", "↑ from the box goes to 查看全部结果");
  await Promise.all([page.waitForURL(/\/search\/\?q=/), page.keyboard.press("Enter")]);
  equal(new URL(page.url()).pathname, "/search/", "Enter on 查看全部结果 opens /search/");
  const listed = await resultsPage(page, QUERIES[0].q, "http");
  check(listed.length >= d.options.length - 1, `the results page lists at least as many results as the dropdown (${listed.length})`);

  // the results page suggests near words for a query that finds nothing
  await page.goto(`${base}/search/?q=tuikaun`);
  const suggested = await until(async () => {
    const p = page.locator("#search-page-suggestions");
    return !(await p.evaluate((e) => e.hidden)) && (await p.textContent());
  }, "suggestions on the results page");
  check(/退款（tuikuan）/.test(suggested), `the results page suggests 退款 for tuikaun ("${suggested}")`);
  check(/没有找到/.test(await page.locator("#search-page-status").textContent()), "… under a 没有找到 status");

  // typing on the results page searches again and updates the URL
  await page.keyboard.press("/");
  check(await page.locator("#search-page-input").evaluate((e) => e === document.activeElement), "on the results page '/' focuses its own box");
  await page.locator("#search-page-input").fill("");
  await page.keyboard.type("小二介入");
  await until(() => page.evaluate(() => decodeURIComponent(location.search) === "?q=小二介入"), "URL updated");
  check(true, "typing a new query on the results page updates the URL (history.replaceState)");
  await until(async () => (await page.locator("#search-page-status").textContent()).includes("小二介入"), "results for the new query");
  check(true, "… and lists its results");
  equal(await page.title(), `搜索：小二介入 · ${(await page.locator(".site-title").textContent()).trim()}`, "the results page title names the query");
  noProblems(problems, "http");
  await context.close();
}

/** Checks the results page for `q`; returns the listed results. */
async function resultsPage(page, q, where) {
  equal(await page.locator("#search-page-input").inputValue(), q, `${where}: the results page puts q from the URL into its box`);
  const status = await until(async () => {
    const t = await page.locator("#search-page-status").textContent();
    return /个结果|没有找到/.test(t) && t;
  }, "results page status");
  check(/个结果/.test(status), `${where}: the results page reports its results ("${status}")`, status);
  const listed = await page.locator("#search-page-results > li").evaluateAll((lis) => lis.map((li) => ({
    href: li.querySelector("a.search-result-title").getAttribute("href"),
    url: li.querySelector("a.search-result-title").href,
    title: li.querySelector("a.search-result-title").textContent,
    section: (li.querySelector(".search-result-section") || {}).textContent || "",
    snippet: (li.querySelector(".search-result-snippet") || {}).innerHTML || "",
  })));
  check(listed.length > 0 && listed.length <= 50, `${where}: the results page lists 1–50 results (${listed.length})`);
  check(listed.some((r) => /<mark>[^<]+<\/mark>/.test(r.snippet)), `${where}: results page snippets have <mark>`, listed.map((r) => r.snippet));
  return listed;
}

// b. a late answer to an old query never replaces the answer to the new one
async function staleAnswers(browser, base, problems) {
  const { context, page } = await newPage(browser, problems, { mock: true });
  await page.goto(`${base}/rules/intervention/`);
  equal(await page.evaluate(() => window.ShouceSearch.__root()), "../../", "the engine is configured with the page's root (data-root)");
  // "退" answers after 700 ms, "退款" at once
  await page.evaluate(() => { window.__mockDelay = (q) => (q === "退" ? 700 : 0); });
  await page.keyboard.press("/");
  await page.keyboard.type("退");
  await until(() => page.evaluate(() => window.ShouceSearch.__calls.includes("退")), "the first query was asked");
  await page.keyboard.type("款");
  await typeQuery(page, "退款").catch(() => null);
  const fresh = await dropdown(page);
  await page.waitForTimeout(900);
  const later = await dropdown(page);
  equal(JSON.stringify(later.options.map((o) => o.href)), JSON.stringify(fresh.options.map((o) => o.href)), "the slow answer to '退' arriving after '退款' is dropped");
  check(decodeURIComponent(later.options[later.options.length - 1].href).endsWith("q=退款"), "the dropdown still shows the answer to '退款'");
  // typing fast asks once per pause, not once per key
  const before = await page.evaluate(() => window.ShouceSearch.__calls.length);
  await page.keyboard.type("纠纷率", { delay: 20 });
  await typeQuery(page, "退款纠纷率").catch(() => null);
  const asked = (await page.evaluate(() => window.ShouceSearch.__calls.length)) - before;
  check(asked <= 2, `typing three characters quickly asks the engine at most twice (${asked})`, asked);
  noProblems(problems, "stale answers");
  await context.close();
}

// c. from file://: results, Enter, the results page, its links
async function fromFile(browser, problems) {
  const { context, page } = await newPage(browser, problems);
  const start = pathToFileURL(path.join(path.resolve(SITE_DIR), "scripts", "greeting", "index.html")).href;
  await page.goto(start);
  await page.keyboard.press("Control+k");
  check(await input(page).evaluate((e) => e === document.activeElement), "file://: Ctrl-K focuses the search box");
  for (const query of QUERIES) await checkQuery(page, query, "file://");
  const d = await typeQuery(page, QUERIES[0].q);
  check(d.options.every((o) => /index\.html(#|\?|$)/.test(o.href)), "file://: result links name index.html", d.options.map((o) => o.href));
  await page.keyboard.press("ArrowDown");
  const first = (await dropdown(page)).options[0];
  await Promise.all([page.waitForURL(first.url), page.keyboard.press("Enter")]);
  check(page.url().startsWith("file://") && page.url().endsWith("index.html"), `file://: Enter opens the result (${page.url().split("/").slice(-3).join("/")})`, page.url());
  equal((await page.locator("main h1").textContent()).trim(), first.title, "file://: the opened page is the result's page");

  const q = QUERIES[1].q;
  await page.keyboard.press("/");
  await typeQuery(page, q);
  await page.keyboard.press("ArrowUp");
  await Promise.all([page.waitForURL(/\/search\/index\.html\?q=/), page.keyboard.press("Enter")]);
  check(true, "file://: 查看全部结果 opens search/index.html?q=…");
  const listed = await resultsPage(page, q, "file://");
  check(listed.every((r) => /index\.html(#|$)/.test(r.href)), "file://: results page links name index.html", listed.map((r) => r.href));
  await page.locator("#search-page-input").fill("小二介入");
  await until(() => page.evaluate(() => decodeURIComponent(location.search) === "?q=小二介入"), "file:// URL updated");
  check(page.url().includes("/search/index.html?q="), "file://: a new query on the results page updates the URL", page.url());
  await until(async () => (await page.locator("#search-page-status").textContent()).includes("小二介入"), "file:// new results");
  await page.goBack();
  await page.goForward();
  const again = await resultsPage(page, "小二介入", "file:// after back/forward");
  listed.splice(0, listed.length, ...again);
  await Promise.all([page.waitForURL(listed[0].url), page.locator("#search-page-results a").first().click()]);
  equal((await page.locator("main h1").textContent()).trim(), listed[0].title, "file://: a result on the results page opens");
  noProblems(problems, "file://");
  await context.close();
}

// d. phone: the box collapses to a button that expands over the header
async function phone(browser, base, problems) {
  const { context, page } = await newPage(browser, problems, { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await page.goto(`${base}/rules/`);
  const opener = page.locator("#search-open");
  check(await opener.isVisible(), "phone: a search button is shown in the header");
  check(!(await input(page).isVisible()), "phone: the box itself is collapsed");
  equal(await opener.getAttribute("aria-expanded"), "false", "phone: the search button starts aria-expanded=false");
  await opener.tap();
  check(await input(page).isVisible(), "phone: tapping the button shows the box");
  check(await input(page).evaluate((e) => e === document.activeElement), "phone: … and focuses it");
  equal(await opener.getAttribute("aria-expanded"), "true", "phone: the button is aria-expanded=true");
  await typeQuery(page, QUERIES[0].q);
  const geo = await page.evaluate(() => {
    const r = document.getElementById("search-popup").getBoundingClientRect();
    return { left: r.left, right: r.right, iw: innerWidth, sw: document.scrollingElement.scrollWidth };
  });
  check(geo.left >= 0 && geo.right <= geo.iw && geo.sw <= geo.iw, "phone: the dropdown fits the screen (no horizontal scrolling)", geo);
  await page.keyboard.press("Escape");
  check(!(await page.locator("#search-popup").isVisible()), "phone: Esc closes the dropdown");
  await page.keyboard.press("Escape");
  check(!(await input(page).isVisible()), "phone: a second Esc collapses the box");
  check(await opener.evaluate((e) => e === document.activeElement), "phone: … and returns focus to the search button");
  await opener.tap();
  await page.locator("#search-close").tap();
  check(!(await input(page).isVisible()), "phone: 取消 collapses the box");
  noProblems(problems, "phone");
  await context.close();
}

// e. dark mode, and no JavaScript
async function looks(browser, base, problems) {
  const { context, page } = await newPage(browser, problems, { colorScheme: "dark" });
  await page.goto(`${base}/rules/`);
  await page.keyboard.press("/");
  await typeQuery(page, QUERIES[0].q);
  const lum = (rgb) => { const [r, g, b] = rgb.match(/\d+/g).map(Number); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const colours = await page.evaluate(() => {
    const cs = (sel) => getComputedStyle(document.querySelector(sel));
    return { popup: cs("#search-popup").backgroundColor, input: cs("#search-input").backgroundColor, title: cs(".search-hit-title").color };
  });
  check(lum(colours.popup) < 80 && lum(colours.input) < 80, "dark mode: the box and the dropdown are dark", colours);
  check(lum(colours.title) > 128, "dark mode: result titles are light", colours);
  noProblems(problems, "dark mode");
  await context.close();

  const off = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false });
  const p = await off.newPage();
  await p.goto(`${base}/rules/`);
  check(!(await p.locator("#search-input").isVisible()), "without JavaScript the header box is not shown");
  await p.goto(`${base}/search/?q=x`);
  const note = p.locator(".search-page-noscript");
  check(await note.isVisible() && (await note.textContent()).includes("搜索需要启用 JavaScript"), "without JavaScript the results page says search needs it");
  check(!(await p.locator("#search-page-form").isVisible()), "without JavaScript the results page hides its useless form");
  await off.close();
}

await run("search.mjs", 100_000, () => runScenarios(SITE_DIR, [
  ["a. http", overHttp],
  ["b. stale answers", staleAnswers],
  ["c. file://", (browser, _, problems) => fromFile(browser, problems)],
  ["d. phone", phone],
  ["e. dark mode, no JavaScript", looks],
]));
