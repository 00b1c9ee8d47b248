// Runs themes/default/static/search.js in Node (no browser) over a built site.
//
//   node tests/search/node_search.mjs SITE_OUT_DIR SEARCH_JS QUERIES_JSON LIMIT
//
// QUERIES_JSON is a JSON array of query strings. Prints a JSON array with, for each
// query, { results: [...], suggestions: [...], ms } where results is what
// ShouceSearch.search resolved to (and suggestions its `suggestions`, for no hits).
// Index files are loaded by a small script-loader shim that reads them from disk and
// runs them in the same VM context, as <script> tags would in a browser.
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";

const [site, script, queriesFile, limit] = process.argv.slice(2);
const context = vm.createContext({ console });
context.window = context;
vm.runInContext(fs.readFileSync(script, "utf8"), context, { filename: script });

let bytes = 0;
const load = (url) =>
  new Promise((resolve, reject) => {
    const file = path.join(site, url.split("?")[0]);
    fs.readFile(file, "utf8", (err, text) => {
      if (err) return reject(new Error("cannot load the search index (" + url + ")"));
      bytes += Buffer.byteLength(text);
      try {
        vm.runInContext(text, context, { filename: file });
        resolve();
      } catch (e) {
        reject(e);
      }
    });
  });
context.ShouceSearch.configure({ root: "", load });

const queries = JSON.parse(fs.readFileSync(queriesFile, "utf8"));
const out = [];
for (const q of queries) {
  const t0 = performance.now();
  const results = await context.ShouceSearch.search(q, { limit: Number(limit) });
  out.push({
    results: JSON.parse(JSON.stringify(results)),
    suggestions: results.suggestions || [],
    ms: performance.now() - t0,
  });
}
process.stdout.write(JSON.stringify(out));
