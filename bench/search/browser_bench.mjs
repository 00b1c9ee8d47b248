// Query time and downloads of the search runtime in headless Chromium.
//
//   node bench/search/browser_bench.mjs SITE_OUT_DIR QUERIES_JSON [WARM_RUNS]
//
// Opens SITE_OUT_DIR/index.html from file:// and runs each query of QUERIES_JSON (a
// JSON array of strings) through window.ShouceSearch.search: first once each, loading
// the index files the query needs (cold), then WARM_RUNS (default 5) more times with
// everything loaded (warm: the ranking alone). Prints JSON: per query { q, cold_ms,
// warm_ms (median), results, files } where files are the index files (paths below the
// site root, search.js included) the query loaded for the first time (the manifest,
// which configure() starts loading, is counted with the first query), and script_ms,
// the time one <script> load takes here (ten unused readings files, one by one):
// { rows: [...], script_ms }. Uses Debian's
// Chromium (CHROMIUM to override) through tests/browser's playwright-core.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../tests/browser/package.json"));
const { chromium } = require("playwright-core");
const fs = require("node:fs");

const [site, queriesFile, warmRuns = "5"] = process.argv.slice(2);
const queries = JSON.parse(fs.readFileSync(queriesFile, "utf8"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage();
  const root = pathToFileURL(path.resolve(site)).href + "/";
  const requested = [];
  page.on("request", (r) => {
    const rel = decodeURI(r.url().split("?")[0]).replace(decodeURI(root), "");
    if (rel.startsWith("search/idx/") || /^static\/search\.[0-9a-f]+\.js$/.test(rel)) requested.push(rel);
  });
  await page.goto(root + "index.html");
  await page.waitForFunction(() => window.ShouceSearch);
  await page.evaluate(() => ShouceSearch.configure({ root: "" }));
  const rows = [];
  let mark = 0;
  for (const q of queries) {
    const r = await page.evaluate(async (q) => {
      const t0 = performance.now();
      const results = await ShouceSearch.search(q, { limit: 10 });
      return { ms: performance.now() - t0, n: results.length };
    }, q);
    rows.push({ q, cold_ms: r.ms, results: r.n, files: requested.slice(mark) });
    mark = requested.length;
  }
  for (const row of rows) {
    const times = await page.evaluate(async ({ q, runs }) => {
      const out = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await ShouceSearch.search(q, { limit: 10 });
        out.push(performance.now() - t0);
      }
      return out.sort((a, b) => a - b);
    }, { q: row.q, runs: Number(warmRuns) });
    row.warm_ms = times[Math.floor(times.length / 2)];
  }
  // What one <script> load costs here, index or not: ten readings files that no query
  // above needed, loaded one after another with a plain loader.
  const unused = [];
  for (let i = 0; unused.length < 10 && fs.existsSync(path.join(site, `search/idx/r/${i}.js`)); i++) {
    if (!requested.includes(`search/idx/r/${i}.js`)) unused.push(`search/idx/r/${i}.js`);
  }
  const scriptMs = await page.evaluate(async (files) => {
    const load = (u) => new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = u;
      s.onload = () => { s.remove(); resolve(); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
    const t0 = performance.now();
    for (const f of files) await load(f);
    return files.length ? (performance.now() - t0) / files.length : null;
  }, unused);
  process.stdout.write(JSON.stringify({ rows, script_ms: scriptMs }));
} finally {
  await browser.close();
}
