// A stand-in for the search engine's runtime (themes/default/static/search.js), used
// by search.mjs to test the UI on its own: it keeps the contract of
// window.ShouceSearch (configure, search → Promise of ranked results) but searches a
// small list of documents given in window.__mockDocs by plain substring matching, and
// can answer slowly on purpose (window.__mockDelay(query) → ms) to test that the UI
// drops stale answers. Never shipped.
(function () {
  "use strict";
  var root = null;
  var calls = [];
  function esc(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function snippet(text, terms) {
    var at = -1;
    for (var i = 0; i < terms.length && at < 0; i++) at = text.indexOf(terms[i]);
    var start = Math.max(0, at - 20);
    var part = text.slice(start, start + 80);
    var html = esc(part);
    terms.forEach(function (t) {
      html = html.split(esc(t)).join("<mark>" + esc(t) + "</mark>");
    });
    return (start > 0 ? "…" : "") + html + "…";
  }
  window.ShouceSearch = {
    configure: function (options) { root = options.root; },
    search: function (query, options) {
      calls.push(query);
      if (root === null) return Promise.reject(new Error("configure() was not called"));
      var limit = (options && options.limit) || 10;
      var terms = query.split(/\s+/).filter(Boolean);
      var hits = (window.__mockDocs || [])
        .filter(function (d) {
          return terms.every(function (t) { return (d.title + d.text).indexOf(t) >= 0; });
        })
        .map(function (d) {
          var score = terms.reduce(function (s, t) { return s + (d.title.indexOf(t) >= 0 ? 10 : 1); }, 0);
          return { path: d.path, url: d.url, title: d.title, section: d.section, snippet: snippet(d.text, terms), score: score };
        })
        .sort(function (a, b) { return b.score - a.score || (a.url < b.url ? -1 : 1); })
        .slice(0, limit);
      var delay = window.__mockDelay ? window.__mockDelay(query) : 0;
      return new Promise(function (resolve) { setTimeout(function () { resolve(hits); }, delay); });
    },
    // for the test: what was asked, in order, and the configured root
    __calls: calls,
    __root: function () { return root; },
  };
})();
