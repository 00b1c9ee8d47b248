// End-to-end checks of a built Shouce site in headless Chromium.
// Env: SITE_DIR (the output of `shouce build` for the shipped handbook), CHROMIUM.
// Prints one line per passed check; exits non-zero on the first failure.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { check, equal, until, watchPage, run, runScenarios } from "./lib.mjs";

const SITE_DIR = process.env.SITE_DIR;
if (!SITE_DIR || !fs.existsSync(path.join(SITE_DIR, "index.html"))) {
  console.error(`site.mjs: SITE_DIR must be a built site (got ${SITE_DIR})`);
  process.exit(2);
}

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

/** Every page of the site, as a URL path ("/", "/scripts/", "/scripts/greeting/", ...). */
function allPages(dir) {
  const out = [];
  const walk = (abs, rel) => {
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== "static") walk(path.join(abs, e.name), `${rel}${e.name}/`);
      else if (e.name === "index.html") out.push(rel);
    }
  };
  walk(dir, "/");
  return out.sort();
}

const sidebar = (page) => page.locator("aside#sidebar nav.site-nav");
const current = (page) => sidebar(page).locator("a[aria-current='page']");
const pathOf = (page) => new URL(page.url()).pathname;

async function newPage(browser, problems, options = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, colorScheme: "light", ...options });
  const page = watchPage(await context.newPage(), problems);
  return { context, page };
}

function noProblems(problems, what) {
  check(problems.length === 0, `${what}: no JS errors, console errors or failed requests`, problems.join("\n    "));
  problems.length = 0;
}

// a. navigation over http: mouse and keyboard
async function navigation(browser, base, problems) {
  const { context, page } = await newPage(browser, problems);
  const res = await page.goto(`${base}/`);
  equal(res.status(), 200, "home page is served");
  const siteTitle = (await page.locator(".site-title").textContent()).trim();
  equal(await page.title(), siteTitle, "home page title is the site title");
  equal((await current(page).textContent()).trim(), "首页", "home: sidebar marks 首页 as the current page");

  await sidebar(page).getByRole("link", { name: "服务话术", exact: true }).click();
  await page.waitForURL(`${base}/scripts/`);
  equal(pathOf(page), "/scripts/", "clicking the 服务话术 sidebar link opens /scripts/");
  check((await page.title()).startsWith("服务话术"), "section page title starts with 服务话术", await page.title());
  equal(await current(page).count(), 1, "section page: exactly one sidebar link is aria-current");
  equal((await current(page).textContent()).trim(), "服务话术", "section page: the section's sidebar link is aria-current=page");
  const pageLink = sidebar(page).getByRole("link", { name: "打招呼", exact: true });
  check(await pageLink.isVisible(), "section page: the section's pages are listed in the sidebar");

  await pageLink.click();
  await page.waitForURL(`${base}/scripts/greeting/`);
  equal(pathOf(page), "/scripts/greeting/", "clicking 打招呼 in the sidebar opens /scripts/greeting/");
  equal(await page.title(), `打招呼 · ${siteTitle}`, "page title is '打招呼 · <site title>'");
  equal((await page.locator("main h1").textContent()).trim(), "打招呼", "page h1 is 打招呼");
  equal(await current(page).count(), 1, "page: exactly one sidebar link is aria-current");
  equal((await current(page).textContent()).trim(), "打招呼", "page: its own sidebar link is aria-current=page");

  // keyboard: skip link first, then into main
  await page.goto(`${base}/scripts/greeting/`);
  await page.keyboard.press("Tab");
  const skip = await page.evaluate(() => {
    const a = document.activeElement;
    const r = a.getBoundingClientRect();
    return { isSkip: a.classList.contains("skip-link"), href: a.getAttribute("href"), top: r.top, bottom: r.bottom };
  });
  check(skip.isSkip, "first Tab focuses the skip link", skip);
  equal(skip.href, "#main", "the skip link points to #main");
  check(skip.top >= 0 && skip.bottom <= DESKTOP.height, "the focused skip link is on screen", skip);
  await page.keyboard.press("Enter");
  await until(() => page.evaluate(() => document.activeElement && document.activeElement.id === "main"), "focus on #main");
  check(true, "Enter on the skip link moves focus to main#main");
  await page.keyboard.press("Tab");
  check(await page.evaluate(() => !!document.activeElement.closest("#main")), "the next Tab stays inside main (skips header and sidebar)");

  // keyboard: Tab through the header into the sidebar, Enter follows the link
  await page.goto(`${base}/`);
  const seen = [];
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press("Tab");
    const f = await page.evaluate(() => {
      const a = document.activeElement;
      const r = a.getBoundingClientRect();
      return {
        text: (a.textContent || a.getAttribute("aria-label") || "").trim(),
        tag: a.tagName,
        inNav: !!a.closest("nav.site-nav"),
        shown: r.width > 0 && r.height > 0,
      };
    });
    seen.push(f);
    reached = f.inNav && f.text === "平台规则（售后）";
  }
  check(reached, "Tab reaches the 平台规则（售后） sidebar link", seen.map((f) => f.text));
  const hidden = seen.filter((f) => !f.shown);
  check(hidden.length === 0, "every element reached by Tab is rendered (no invisible focus stops)", hidden);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/rules/`);
  equal(pathOf(page), "/rules/", "Enter on the focused sidebar link opens /rules/");
  equal((await current(page).textContent()).trim(), "平台规则（售后）", "rules section link is aria-current after keyboard navigation");
  noProblems(problems, "navigation");
  await context.close();
}

// b. dark mode: toggle, persisted across reloads and pages
async function darkMode(browser, base, problems) {
  const { context, page } = await newPage(browser, problems, { colorScheme: "light" });
  const html = page.locator("html");
  const toggle = page.locator("#theme-toggle");
  const bodyBg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/\d+/g).map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const stored = () => page.evaluate(() => localStorage.getItem("shouce-theme"));

  await page.goto(`${base}/scripts/greeting/`);
  equal(await html.getAttribute("data-theme"), "light", "light system preference: page starts light");
  equal(await toggle.getAttribute("aria-pressed"), "false", "theme toggle is not pressed in light mode");
  const lightBg = await bodyBg();
  check(luminance(lightBg) > 128, "light mode: the page background is light", lightBg);

  await toggle.click();
  equal(await html.getAttribute("data-theme"), "dark", "clicking #theme-toggle sets html[data-theme=dark]");
  equal(await toggle.getAttribute("aria-pressed"), "true", "theme toggle becomes aria-pressed=true");
  equal(await stored(), "dark", "the choice is stored in localStorage 'shouce-theme'");
  const darkBg = await until(async () => { const bg = await bodyBg(); return luminance(bg) < 80 && bg; }, "dark background");
  check(true, `dark mode: the page background turns dark (${darkBg})`);
  await until(async () => (await page.locator("#live").textContent()) === "已切换到深色模式", "live announcement");
  check(true, "the switch is announced in #live (已切换到深色模式)");

  await page.reload();
  equal(await html.getAttribute("data-theme"), "dark", "after reload the page is still dark");
  equal(await toggle.getAttribute("aria-pressed"), "true", "after reload the toggle is still pressed");
  check(luminance(await bodyBg()) < 80, "after reload the background is dark");

  await sidebar(page).getByRole("link", { name: "推荐商品", exact: true }).click();
  await page.waitForURL(`${base}/scripts/recommending/`);
  equal(await html.getAttribute("data-theme"), "dark", "another page opened afterwards is dark too");

  await toggle.click();
  equal(await html.getAttribute("data-theme"), "light", "toggling again sets data-theme=light");
  equal(await stored(), "light", "the light choice is stored");
  await page.reload();
  equal(await html.getAttribute("data-theme"), "light", "after reload the page stays light");
  check(luminance(await bodyBg()) > 128, "after reload the background is light again");
  noProblems(problems, "dark mode");
  await context.close();

  // with no stored choice the system preference decides; an explicit choice overrides it
  const dark = await newPage(browser, problems, { colorScheme: "dark" });
  await dark.page.goto(`${base}/`);
  equal(await dark.page.locator("html").getAttribute("data-theme"), "dark", "dark system preference and no stored choice: page starts dark");
  await dark.page.locator("#theme-toggle").click();
  await dark.page.reload();
  equal(await dark.page.locator("html").getAttribute("data-theme"), "light", "an explicit light choice beats the dark system preference after reload");
  noProblems(problems, "system preference");
  await dark.context.close();
}

// c. copy a dialogue line to the clipboard
async function copyLine(browser, base, problems) {
  const { context, page } = await newPage(browser, problems);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  await page.goto(`${base}/scripts/greeting/`);
  const buttons = page.locator(".msg-agent button.copy-line");
  check((await buttons.count()) >= 2, "the greeting page has agent lines with copy buttons", await buttons.count());
  const first = buttons.first();
  const want = await first.getAttribute("data-copy");
  const bubble = (await first.locator("xpath=..").locator(".bubble").innerText()).trim();
  check(want && want.length > 0, "the first copy button has a data-copy text");
  equal(want, bubble, "data-copy is exactly the text shown in the agent's bubble");
  const label = (await first.textContent()).trim();

  await first.click();
  await until(async () => (await first.textContent()).trim() === "已复制", "button label 已复制");
  check(true, "the clicked button shows 已复制");
  equal(await page.evaluate(() => navigator.clipboard.readText()), want, "the clipboard holds the agent line");
  await until(async () => (await page.locator("#live").textContent()) === "已复制", "live region 已复制");
  check(true, "#live announces 已复制");

  const second = buttons.nth(1);
  const want2 = await second.getAttribute("data-copy");
  await second.click();
  await until(async () => (await page.evaluate(() => navigator.clipboard.readText())) === want2, "second line in clipboard");
  check(want2 !== want, "copying another line replaces the clipboard text");
  await until(async () => (await first.textContent()).trim() === label, "first button label restored", 4000);
  check(true, `the button label returns to '${label}' after a moment`);
  noProblems(problems, "copy");
  await context.close();
}

// d. from file://: relative links are rewritten to index.html and work
async function fromFile(browser, problems) {
  const { context, page } = await newPage(browser, problems);
  const home = pathToFileURL(path.join(path.resolve(SITE_DIR), "index.html")).href;
  await page.goto(home);
  equal(await sidebar(page).getByRole("link", { name: "服务话术", exact: true }).getAttribute("href"), "scripts/index.html",
    "file://: the section link is rewritten to scripts/index.html");
  const dirLinks = () => page.evaluate(() => Array.from(document.querySelectorAll("a[href]"))
    .map((a) => a.getAttribute("href"))
    .filter((h) => !/^([a-z][a-z0-9+.-]*:|\/\/|#)/i.test(h) && /\/$/.test(h.split(/[?#]/)[0])));
  const left = await dirLinks();
  check(left.length === 0, "file://: no relative link on the home page still ends in '/'", left);

  await sidebar(page).getByRole("link", { name: "服务话术", exact: true }).click();
  await page.waitForURL(/\/scripts\/index\.html$/);
  check(page.url().startsWith("file://") && page.url().endsWith("/scripts/index.html"), "file://: clicking the sidebar link opens scripts/index.html", page.url());
  check((await page.title()).startsWith("服务话术"), "file://: the section page loaded (title 服务话术)", await page.title());
  equal(await page.evaluate(() => getComputedStyle(document.querySelector(".skip-link")).position), "absolute",
    "file://: the stylesheet is applied");

  await sidebar(page).getByRole("link", { name: "打招呼", exact: true }).click();
  await page.waitForURL(/\/scripts\/greeting\/index\.html$/);
  equal((await page.locator("main h1").textContent()).trim(), "打招呼", "file://: a page opens from the section's sidebar (h1 打招呼)");
  const left2 = await dirLinks();
  check(left2.length === 0, "file://: no relative link on a page (incl. #fragment links) still ends in '/'", left2);

  await page.locator(".breadcrumbs").getByRole("link", { name: "首页" }).click();
  await page.waitForURL(home);
  equal(page.url(), home, "file://: the breadcrumb 首页 link returns to index.html");
  noProblems(problems, "file://");
  await context.close();
}

// e. phone width: drawer navigation, no horizontal scrolling anywhere
async function phone(browser, base, problems) {
  const { context, page } = await newPage(browser, problems, { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const toggle = page.locator("#nav-toggle");
  const drawer = page.locator("aside#sidebar");
  const onScreen = () => drawer.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return getComputedStyle(el).visibility === "visible" && r.left >= -1 && r.right > 0 && r.right <= innerWidth + 1;
  });

  await page.goto(`${base}/scripts/greeting/`);
  check(await toggle.isVisible(), "phone: the 目录 button (#nav-toggle) is shown");
  equal(await toggle.getAttribute("aria-expanded"), "false", "phone: #nav-toggle starts aria-expanded=false");
  check(!(await drawer.isVisible()), "phone: the sidebar is hidden until the button is pressed");
  check(!(await sidebar(page).getByRole("link", { name: "推荐商品", exact: true }).isVisible()), "phone: sidebar links are not visible while closed");

  await toggle.click();
  equal(await toggle.getAttribute("aria-expanded"), "true", "phone: clicking #nav-toggle sets aria-expanded=true");
  await until(onScreen, "drawer slid in");
  check(true, "phone: the sidebar is visible and on screen");
  equal(await page.evaluate(() => document.activeElement.getAttribute("aria-current")), "page", "phone: focus moves to the current page's link in the drawer");
  await page.keyboard.press("Escape");
  equal(await toggle.getAttribute("aria-expanded"), "false", "phone: Escape closes the drawer (aria-expanded=false)");
  check(await page.evaluate(() => document.activeElement.id === "nav-toggle"), "phone: Escape returns focus to #nav-toggle");
  await until(async () => !(await drawer.isVisible()), "drawer hidden again");
  check(true, "phone: the sidebar is hidden again");

  await toggle.click();
  await until(onScreen, "drawer slid in again");
  await sidebar(page).getByRole("link", { name: "推荐商品", exact: true }).click();
  await page.waitForURL(`${base}/scripts/recommending/`);
  equal(pathOf(page), "/scripts/recommending/", "phone: a link in the drawer opens its page");
  equal(await toggle.getAttribute("aria-expanded"), "false", "phone: the new page starts with the drawer closed");
  await toggle.click();
  equal(await toggle.getAttribute("aria-expanded"), "true", "phone: button opens the drawer");
  await toggle.click();
  equal(await toggle.getAttribute("aria-expanded"), "false", "phone: clicking the button again closes it");

  // the pages just opened, as top-level documents
  for (const p of ["/scripts/recommending/", "/", "/rules/"]) {
    if (pathOf(page) !== p) await page.goto(`${base}${p}`);
    const m = await page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, iw: innerWidth }));
    check(m.sw <= m.iw, `phone: no horizontal scrolling on ${p} (scrollWidth ${m.sw} <= innerWidth ${m.iw})`, m);
  }
  // every page of the site, each in a 390px-wide frame (much faster than one navigation each)
  const pages = allPages(SITE_DIR);
  check(pages.length >= 40, `phone: found the site's pages (${pages.length})`, pages.length);
  await page.goto(`${base}/404.html`).catch(() => {});
  const frames = await page.evaluate((urls) => {
    document.body.replaceChildren();
    return Promise.all(urls.map((u) => new Promise((resolve) => {
      const f = document.createElement("iframe");
      f.style.cssText = "display:block;border:0;width:390px;height:844px";
      f.onload = () => resolve({
        u,
        path: f.contentWindow.location.pathname,
        sw: f.contentDocument.scrollingElement.scrollWidth,
        iw: f.contentWindow.innerWidth,
      });
      f.src = u;
      document.body.appendChild(f);
    })));
  }, pages);
  const missing = frames.filter((f) => f.path !== f.u);
  check(missing.length === 0, `phone: all ${pages.length} pages load in a frame`, missing);
  const wide = frames.filter((f) => f.sw > f.iw).map((f) => `${f.u} (${f.sw}px > ${f.iw}px)`);
  check(wide.length === 0, `phone: no horizontal scrolling on any of the ${pages.length} pages at 390px`, wide);
  noProblems(problems, "phone");
  await context.close();
}

await run("site.mjs", 100_000, () => runScenarios(SITE_DIR, [
  ["a. navigation", navigation],
  ["b. dark mode", darkMode],
  ["c. copy a dialogue line", copyLine],
  ["d. file://", (browser, _, problems) => fromFile(browser, problems)],
  ["e. phone width", phone],
]));
