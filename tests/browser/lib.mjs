// Shared helpers for the browser tests (site.mjs, dev.mjs). Run by tests/browser.rs.
// Uses Debian's Chromium through playwright-core; never downloads a browser.
import { chromium } from "playwright-core";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/** Launches the system Chromium. */
export async function launch() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

let passed = 0;
/** Prints one line per passed check; throws (failing the script) otherwise. */
export function check(cond, what, detail) {
  if (!cond) {
    const extra = detail === undefined ? "" : `\n    got: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`;
    throw new Error(`check failed: ${what}${extra}`);
  }
  passed += 1;
  console.log(`ok ${String(passed).padStart(2)} - ${what}`);
}
export function equal(actual, expected, what) {
  check(actual === expected, `${what}`, { actual, expected });
}
export const passedCount = () => passed;

/** Polls `fn` (async allowed) until it returns a truthy value; returns it, or throws after `ms`. */
export async function until(fn, what, ms = 5000, every = 50) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for: ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Fails the page's test if the page throws, logs an error or a `shouce:` warning, or gets an HTTP error. */
export function watchPage(page, problems) {
  page.on("pageerror", (e) => problems.push(`uncaught exception on ${page.url()}: ${e.message}`));
  page.on("console", (m) => {
    const t = m.type();
    if (t === "error" || (t === "warning" && m.text().startsWith("shouce"))) {
      problems.push(`console ${t} on ${page.url()}: ${m.text()}`);
    }
  });
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()} (from ${page.url()})`);
  });
  page.on("requestfailed", (r) => {
    // a navigation away aborts pending requests; that is no error
    if (!/ERR_ABORTED/.test(r.failure()?.errorText || "")) {
      problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
    }
  });
  return page;
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
  ".json": "application/json",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Serves `dir` on 127.0.0.1 (a free port), mapping /x/ to /x/index.html. Resolves to { url, close }. */
export function serveDir(dir) {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file = path.join(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    let stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat && stat.isDirectory()) {
      if (!rel.endsWith("/")) {
        res.writeHead(301, { Location: rel + "/" }).end();
        return;
      }
      file = path.join(file, "index.html");
      stat = fs.statSync(file, { throwIfNoEntry: false });
    }
    if (!stat || !stat.isFile()) {
      const notFound = path.join(root, "404.html");
      res.writeHead(404, { "Content-Type": TYPES[".html"] });
      res.end(fs.existsSync(notFound) ? fs.readFileSync(notFound) : "not found");
      return;
    }
    res.writeHead(200, {
      "Content-Type": TYPES[path.extname(file).toLowerCase()] || "application/octet-stream",
      "Cache-Control": "no-store",
    });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}

/** Runs `main` with a hard time limit; prints the failure and sets a non-zero exit code. */
export async function run(name, limitMs, main) {
  const started = Date.now();
  const timer = setTimeout(() => {
    console.error(`${name}: FAILED: took longer than ${limitMs} ms`);
    process.exit(2);
  }, limitMs);
  try {
    await main();
    console.log(`${name}: all ${passedCount()} checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    console.error(`${name}: FAILED after ${passedCount()} passed checks: ${e && e.stack ? e.stack : e}`);
    process.exitCode = 1;
  } finally {
    clearTimeout(timer);
  }
}

/** Serves `dir` over http, launches Chromium, and runs `scenarios` in order, each a
 * [name, (browser, baseUrl, problems) => Promise] pair, printing how long each took;
 * closes the browser and the server whatever happens. */
export async function runScenarios(dir, scenarios) {
  const server = await serveDir(dir);
  const browser = await launch();
  const problems = [];
  try {
    for (const [name, scenario] of scenarios) {
      const t = Date.now();
      console.log(`# ${name}`);
      await scenario(browser, server.url, problems);
      console.log(`# ${name}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}
