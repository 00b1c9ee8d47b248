/* Onboarding progress for `shouce serve` (the handbook works the same without it).
 *
 * Every page open is remembered in localStorage ("shouce-progress:lessons"). When the
 * page is served over http(s) and the exam server's "shouce_signed_in" marker cookie
 * is set, it asks the server who is signed in (`__shouce/me`); on a static host or
 * from file:// no request is made at all. For a signed-in agent it sends, in one batch, the
 * lesson opens not yet sent and the practice progress quiz.js keeps under
 * "shouce-quiz:<id>" as {v: 1, answers, checked} (read, never written here), and
 * shows a notice while rule changes await the agent's acknowledgement.
 * The server checks every id; a batch it refuses is kept and tried again next time. */
(function () {
  "use strict";
  var LESSONS = "shouce-progress:lessons";
  var SENT = "shouce-progress:sent";
  var QUIZ = "shouce-quiz:";
  var MAX_LESSONS = 1000, MAX_PRACTICE = 200;

  function read(key) {
    try { var v = JSON.parse(window.localStorage.getItem(key) || "null"); return v && typeof v === "object" ? v : null; }
    catch (e) { return null; }
  }
  function write(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* unavailable or full */ }
  }

  var script = document.currentScript;
  var root = (script && script.getAttribute("data-root")) || "";

  /* This page's path below the site root, as the server names lessons. */
  function here() {
    var base = new URL(root || "./", window.location.href).pathname;
    var path = window.location.pathname.replace(/index\.html$/, "");
    return path.indexOf(base) === 0 ? path.slice(base.length) : null;
  }

  function recordOpen() {
    var path = here();
    if (path === null) return;
    var opens = read(LESSONS) || { v: 1, pages: {} };
    if (!opens.pages || typeof opens.pages !== "object") opens = { v: 1, pages: {} };
    opens.pages[path] = { at: Date.now(), sent: false };
    write(LESSONS, opens);
  }

  /* The practice quizzes quiz.js has kept progress for: {quiz, checked, correct}. */
  function practice(sent) {
    var out = [];
    try {
      for (var i = 0; i < window.localStorage.length && out.length < MAX_PRACTICE; i++) {
        var key = window.localStorage.key(i);
        if (!key || key.indexOf(QUIZ) !== 0) continue;
        var data = read(key);
        if (!data || data.v !== 1 || typeof data.checked !== "object" || !data.checked) continue;
        var id = key.slice(QUIZ.length), checked = [], correct = [];
        Object.keys(data.checked).forEach(function (q) {
          checked.push(q);
          if (data.checked[q] && data.checked[q].correct === true) correct.push(q);
        });
        var signature = checked.join(",") + "|" + correct.join(",");
        if (sent[id] !== signature) out.push({ quiz: id, checked: checked, correct: correct, signature: signature });
      }
    } catch (e) { /* storage unavailable */ }
    return out;
  }

  function notice(me) {
    if (!me.pending_changes || document.getElementById("rule-change-notice")) return;
    var main = document.getElementById("main") || document.body;
    var p = document.createElement("p");
    p.id = "rule-change-notice";
    p.className = "rule-change-notice";
    p.setAttribute("role", "status");
    var a = document.createElement("a");
    a.href = root + "changes/";
    a.textContent = "有 " + me.pending_changes + " 条规则更新等你阅读确认";
    p.appendChild(a);
    main.insertBefore(p, main.firstChild);
  }

  function sync() {
    var opens = read(LESSONS) || { pages: {} };
    var pages = opens.pages || {};
    var lessons = Object.keys(pages).filter(function (p) { return pages[p] && !pages[p].sent; })
      .slice(0, MAX_LESSONS)
      .map(function (p) { return { path: p, at: Number(pages[p].at) || 0 }; });
    var sent = read(SENT) || {};
    var quizzes = practice(sent);
    if (!lessons.length && !quizzes.length) return;
    var body = {
      lessons: lessons,
      practice: quizzes.map(function (q) { return { quiz: q.quiz, checked: q.checked, correct: q.correct }; })
    };
    fetch(root + "__shouce/progress", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      if (!res.ok) return;
      var now = read(LESSONS) || { v: 1, pages: {} };
      lessons.forEach(function (l) {
        var p = now.pages && now.pages[l.path];
        if (p && Number(p.at) === l.at) p.sent = true;
      });
      write(LESSONS, now);
      quizzes.forEach(function (q) { sent[q.quiz] = q.signature; });
      write(SENT, sent);
    }).catch(function () { /* offline: try again on the next page */ });
  }

  recordOpen();
  /* shouce serve sets this script-readable marker (no secret) at sign-in: without it
     there is no one to sync for, and on a static host no request is made at all. */
  if (!/^https?:$/.test(window.location.protocol) || !window.fetch) return;
  if (!/(^|;\s*)shouce_signed_in=1(;|$)/.test(document.cookie)) return;
  fetch(root + "__shouce/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (res) {
      var type = res.headers.get("Content-Type") || "";
      return res.ok && type.indexOf("application/json") === 0 ? res.json() : null;
    })
    .then(function (me) {
      if (!me || !me.signed_in) return;
      notice(me);
      if (me.sync) sync();
    })
    .catch(function () { /* no exam server here: the handbook works without it */ });
})();
