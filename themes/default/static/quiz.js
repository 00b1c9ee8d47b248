/* Shouce practice quizzes — plain JavaScript, no framework, works from file://.
 *
 * 1. The grader: a faithful port of the Rust `quiz::grade()` (src/quiz/grade.rs and
 *    grade/text.rs). tests/quiz_parity.rs runs it in Node over every case of the Rust
 *    table tests (tests/quiz/grade_cases.json) and compares the results exactly, so
 *    change the two together.
 * 2. The page: every `.quiz[data-quiz]` form (markup from templates/quiz.html, the key
 *    from its inline JSON) gets instant feedback per question, a score, "retry the
 *    ones I missed", "start again" and progress kept in localStorage.
 *
 * Reading and restoring answers, their shape and the ordering buttons are the form
 * code in quiz-form.js, loaded first and shared with the exam page (which never loads
 * this file: it has no grader). Loadable in Node (`require`, which loads
 * quiz-form.js beside it): nothing touches the DOM until `init` runs in a page.
 * Written in ES5, like app.js. */
(function (global) {
  "use strict";

  /* ================= 1. Grader (port of src/quiz/grade.rs) ================= */

  var form = typeof module === "object" && module && module.exports
    ? require("./quiz-form.js")
    : global.shouceForm;
  var isWs = form.isWs, trim = form.trim, charCount = form.charCount, shape = form.shape;
  var isBlank = form.isBlank, isArray = form.isArray, isIndex = form.isIndex, len = form.len;

  var BLANK = "未作答。";
  var MALFORMED = "答案格式无效，无法评分。";

  function dropWs(s) {
    var out = "";
    for (var i = 0; i < s.length; i++) if (!isWs(s.charAt(i))) out += s.charAt(i);
    return out;
  }

  /* Full-width ASCII to half-width, the ideographic space to a space (text.rs). */
  function foldWidth(s) {
    var out = "";
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c === 0x3000) out += " ";
      else if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
      else out += s.charAt(i);
    }
    return out;
  }

  var TRAILING = "。.!?,、;…~";
  /* Width folded, lower case, no whitespace, no trailing sentence punctuation. */
  function normalize(s) {
    var t = dropWs(foldWidth(s).toLowerCase());
    var end = t.length;
    while (end > 0 && TRAILING.indexOf(t.charAt(end - 1)) >= 0) end--;
    return t.slice(0, end);
  }

  /* Width folded, lower case, no whitespace, punctuation kept. */
  function searchable(s) { return dropWs(foldWidth(s).toLowerCase()); }

  function digitsOk(s) { return /^[0-9]*$/.test(s); }

  /* A decimal with an optional sign; commas only as thousands separators. */
  function readDecimal(text) {
    var unsigned = text.charAt(0) === "-" || text.charAt(0) === "+" ? text.slice(1) : text;
    var dot = unsigned.indexOf(".");
    var whole = dot < 0 ? unsigned : unsigned.slice(0, dot);
    var fraction = dot < 0 ? "" : unsigned.slice(dot + 1);
    if (whole.indexOf(",") >= 0) {
      var groups = whole.split(",");
      if (groups[0].length < 1 || groups[0].length > 3) return null;
      for (var g = 1; g < groups.length; g++) if (groups[g].length !== 3) return null;
    }
    whole = whole.split(",").join("");
    if ((whole === "" && fraction === "") || !digitsOk(whole) || !digitsOk(fraction)) return null;
    var value = Number(text.split(",").join(""));
    return isFinite(value) ? value : null;
  }

  function readNumber(text) {
    var slash = text.indexOf("/");
    if (slash >= 0) {
      var top = readDecimal(text.slice(0, slash)), bottom = readDecimal(text.slice(slash + 1));
      if (top === null || bottom === null || bottom === 0) return null;
      return top / bottom;
    }
    return readDecimal(text);
  }

  /* parse_number: { value } or { problem: "empty" | "nan" | "unit", unit }. */
  function parseNumber(text, units) {
    var trimmed = trim(foldWidth(text));
    if (trimmed === "") return { problem: "empty" };
    var split = trimmed.search(/[^0-9.,\/+-]/);
    if (split < 0) split = trimmed.length;
    var unit = normalize(trimmed.slice(split));
    if (unit !== "" && !units.some(function (u) { return normalize(u) === unit; })) {
      return { problem: "unit", unit: unit };
    }
    var value = readNumber(trim(trimmed.slice(0, split)));
    return value === null ? { problem: "nan" } : { value: value };
  }

  /* An outcome: earned of possible shares, and feedback lines ({ text } or { html }). */
  function allOrNothing(right, feedback) { return { earned: right ? 1 : 0, possible: 1, feedback: feedback }; }
  function zero(message) { return allOrNothing(false, [{ text: message }]); }
  function said(html) { return typeof html === "string" && trim(html) !== "" ? [{ html: html }] : []; }

  function outcome(q, a) {
    var body = q.body || {}, rule = (q.key && q.key.rule) || {}, type = q.type;
    var nOptions = len(body.options);
    if ((type === "single" || type === "scenario") && rule.kind === "choice" && a.kind === "choice" &&
        a.value < nOptions && len(rule.correct) === nOptions) {
      return allOrNothing(rule.correct[a.value] === true, said((rule.feedback_html || [])[a.value]));
    }
    if (type === "multiple" && rule.kind === "choice" && a.kind === "choices" && len(rule.correct) === nOptions) {
      return chooseMany(rule.correct, rule.feedback_html || [], rule.scoring, a.value);
    }
    if (type === "true_false" && rule.kind === "true_false" && a.kind === "bool") {
      return allOrNothing(a.value === rule.answer, said(a.value ? rule.feedback_true_html : rule.feedback_false_html));
    }
    if (type === "number" && rule.kind === "number" && a.kind === "text") {
      return number(rule.value, rule.tolerance, rule.units || [], a.value);
    }
    if (type === "text" && rule.kind === "text" && a.kind === "text") {
      var given = normalize(a.value);
      return allOrNothing((rule.accepted || []).some(function (x) { return normalize(x) === given; }), []);
    }
    if (type === "ordering" && rule.kind === "ordering" && a.kind === "order") {
      return ordering(len(body.items), rule.order || [], a.value);
    }
    if (type === "matching" && rule.kind === "matching" && a.kind === "matches") {
      return matching(len(body.left), len(body.right), rule.right_of || [], a.value);
    }
    if (type === "script" && rule.kind === "script" && a.kind === "text") {
      return script(rule, body.min_chars, body.max_chars, a.value);
    }
    return zero(MALFORMED);
  }

  function chooseMany(correct, feedback, scoring, chosenList) {
    if (chosenList.some(function (i) { return i >= correct.length; })) return zero(MALFORMED);
    var chosen = [];
    chosenList.forEach(function (i) { if (chosen.indexOf(i) < 0) chosen.push(i); });
    chosen.sort(function (x, y) { return x - y; });
    var right = chosen.filter(function (i) { return correct[i] === true; }).length;
    var wrong = chosen.length - right;
    var total = correct.filter(function (c) { return c === true; }).length;
    var lines = [];
    chosen.forEach(function (i) { lines = lines.concat(said(feedback[i])); });
    if (right < total) lines.push({ text: "还有 " + (total - right) + " 个正确选项没有选。" });
    if (wrong > 0) lines.push({ text: "选了 " + wrong + " 个错误选项。" });
    if (scoring === "per_option") return { earned: Math.max(right - wrong, 0), possible: total, feedback: lines };
    return allOrNothing(right === total && wrong === 0, lines);
  }

  function number(value, tolerance, units, typed) {
    var r = parseNumber(typed, units);
    if (r.problem === "empty") return zero(BLANK);
    if (r.problem === "nan") return zero("“" + trim(typed) + "”不是一个数字。");
    if (r.problem === "unit") {
      return zero(units.length ? "单位“" + r.unit + "”不对，应以“" + units[0] + "”作答。" : "“" + trim(typed) + "”不是一个数字。");
    }
    var slack = 1e-9 * Math.max(Math.abs(value), 1);
    return allOrNothing(Math.abs(r.value - value) <= tolerance + slack, []);
  }

  function ordering(n, order, given) {
    var distinct = [];
    given.forEach(function (i) { if (distinct.indexOf(i) < 0) distinct.push(i); });
    var permutation = given.length === n && distinct.length === n && distinct.every(function (i) { return i < n; });
    if (!permutation || order.length !== n) return zero(MALFORMED);
    var position = [];
    given.forEach(function (item, pos) { position[item] = pos; });
    // Rust compares Option<usize>: an index outside the items is None, which sorts first.
    var before = function (x, y) {
      var px = x < n ? position[x] : -1, py = y < n ? position[y] : -1;
      return py >= 0 && px < py;
    };
    var pairs = n * Math.max(n - 1, 0) / 2, earned = 0;
    for (var k = 0; k < order.length; k++) {
      for (var m = k + 1; m < order.length; m++) if (before(order[k], order[m])) earned++;
    }
    var feedback = earned < pairs ? [{ text: pairs + " 组先后关系中排对了 " + earned + " 组。" }] : [];
    return { earned: earned, possible: pairs, feedback: feedback };
  }

  function matching(nLeft, nRight, rightOf, given) {
    var inRange = given.every(function (j) { return j === null || j < nRight; });
    if (given.length !== nLeft || rightOf.length !== nLeft || !inRange) return zero(MALFORMED);
    var earned = 0;
    given.forEach(function (j, i) { if (j !== null && j === rightOf[i]) earned++; });
    var feedback = earned < nLeft ? [{ text: nLeft + " 组中配对正确 " + earned + " 组。" }] : [];
    return { earned: earned, possible: nLeft, feedback: feedback };
  }

  function script(rule, min, max, reply) {
    var text = searchable(reply), feedback = [], found = 0;
    var required = rule.required || [];
    required.forEach(function (el) {
      var anyOf = el.any_of || [];
      var hit = anyOf.some(function (p) { return trim(p) !== "" && text.indexOf(searchable(p)) >= 0; });
      if (hit) found++;
      else feedback.push({ text: "缺少要点：" + el.name + "（例如：" + anyOf.join(" / ") + "）。" });
    });
    var masked = text;
    (rule.allowed || []).forEach(function (a) {
      var s = searchable(a);
      if (s !== "") masked = masked.split(s).join("\ufffc");
    });
    var penalties = 0;
    (rule.forbidden || []).forEach(function (phrase) {
      var p = searchable(phrase);
      if (p !== "" && masked.indexOf(p) >= 0) {
        penalties++;
        var law = (rule.advertising_law || []).indexOf(phrase) >= 0;
        feedback.push({ text: "使用了禁用词“" + phrase + "”" + (law ? "（《广告法》禁止绝对化用语）" : "") + "。" });
      }
    });
    var count = charCount(reply);
    if (typeof min === "number" && count < min) {
      penalties++;
      feedback.push({ text: "共 " + count + " 字，少于下限 " + min + " 字。" });
    }
    if (typeof max === "number" && count > max) {
      penalties++;
      feedback.push({ text: "共 " + count + " 字，超过上限 " + max + " 字。" });
    }
    return { earned: Math.max(found - penalties, 0), possible: required.length, feedback: feedback };
  }

  /* grade(question, answer): question as in the page's key JSON ({ type, points, body,
     key }); answer as above. Returns { points_awarded, max_points, correct, feedback,
     feedback_html } where feedback_html[i] tells whether feedback[i] is the author's
     HTML (from the key) rather than plain text. Never throws on bad input. */
  function grade(question, answer) {
    var q = question || {}, a = shape(answer);
    var o = isBlank(a) ? zero(BLANK) : outcome(q, a);
    var max = typeof q.points === "number" ? q.points : 0;
    return {
      points_awarded: o.possible === 0 ? 0 : max * o.earned / o.possible,
      max_points: max,
      correct: o.possible > 0 && o.earned === o.possible,
      feedback: o.feedback.map(function (f) { return f.html !== undefined ? f.html : f.text; }),
      feedback_html: o.feedback.map(function (f) { return f.html !== undefined; })
    };
  }

  var grader = {
    grade: grade,
    foldWidth: foldWidth,
    normalize: normalize,
    searchable: searchable,
    charCount: charCount,
    parseNumber: parseNumber,
    BLANK: BLANK,
    MALFORMED: MALFORMED
  };

  if (typeof module === "object" && module && module.exports) module.exports = grader;
  if (typeof document === "undefined") return;
  global.shouceQuiz = grader;

  /* ================= 2. The page ================= */

  var doc = document;
  var STORE = "shouce-quiz:";
  var each = function (list, fn) { Array.prototype.forEach.call(list || [], fn); };

  function warn(what, e) { if (global.console) console.warn("shouce: quiz " + what, e); }

  /* Points as people write them: 2, 1.5, 1.33. */
  function fmt(x) { return String(Math.round(x * 100) / 100); }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var storage = {
    load: function (id) {
      var raw;
      try { raw = global.localStorage.getItem(STORE + id); } catch (e) { return null; }
      if (!raw) return null;
      try {
        var data = JSON.parse(raw);
        if (data && data.v === 1 && typeof data.answers === "object" && typeof data.checked === "object") return data;
      } catch (e) { /* corrupt: start afresh */ }
      storage.clear(id);
      return null;
    },
    save: function (id, data) {
      try { global.localStorage.setItem(STORE + id, JSON.stringify(data)); } catch (e) { /* unavailable or full: not kept */ }
    },
    clear: function (id) {
      try { global.localStorage.removeItem(STORE + id); } catch (e) { /* unavailable */ }
    }
  };

  /* One quiz form on the page. */
  function Quiz(root, data) {
    this.root = root;
    this.id = data.quiz;
    this.questions = data.questions;
    this.byId = {};
    this.results = {};
    var self = this;
    this.questions.forEach(function (q) { self.byId[q.id] = q; });
    this.status = root.querySelector(".quiz-status");
    this.score = root.querySelector(".quiz-score");
    this.retryButton = root.querySelector("[data-action='retry']");
  }

  Quiz.prototype.el = function (q) { return doc.getElementById("quiz-" + this.id + "-" + q.id); };

  Quiz.prototype.announce = function (text) {
    var s = this.status;
    if (!s) return;
    s.textContent = "";
    setTimeout(function () { s.textContent = text; }, 50);
  };

  /* The answer the form holds for question q, in the grader's JSON form. */
  Quiz.prototype.read = function (q) { return form.read(this.el(q), q.type); };

  /* Puts a stored answer back into the form; ignores one that does not fit. */
  Quiz.prototype.write = function (q, answer) { form.write(this.el(q), q.type, answer); };

  /* Script questions: the live character count. */
  Quiz.prototype.count = function (q) { form.count(this.el(q), q.type); };

  Quiz.prototype.check = function (q) {
    var answer = this.read(q);
    var g = grade(q, answer);
    g.answer = JSON.stringify(answer);
    this.results[q.id] = g;
    this.show(q, g);
    this.update();
    return g;
  };

  /* Shows a grade under its question: verdict, feedback lines, explanation, source. */
  Quiz.prototype.show = function (q, g) {
    var el = this.el(q);
    var box = el.querySelector(".quiz-feedback");
    var state = g.correct ? "correct" : g.points_awarded > 0 ? "partial" : "wrong";
    el.classList.remove("is-correct", "is-partial", "is-wrong");
    el.classList.add("is-" + state);
    var html = "<p class=\"quiz-verdict\">" +
      { correct: "✓ 正确", partial: "◐ 部分正确", wrong: "✗ 错误" }[state] +
      "<span class=\"quiz-points\">得 " + fmt(g.points_awarded) + " / " + fmt(g.max_points) + " 分</span></p>";
    if (g.feedback.length) {
      html += "<ul class=\"quiz-notes\">" + g.feedback.map(function (f, i) {
        return "<li>" + (g.feedback_html[i] ? f : escapeHtml(f)) + "</li>";
      }).join("") + "</ul>";
    }
    var explanation = q.key && q.key.explanation_html;
    if (explanation) html += "<div class=\"quiz-explanation\"><p class=\"quiz-explanation-title\">解析</p>" + explanation + "</div>";
    box.innerHTML = html;
    var source = el.querySelector(".quiz-source");
    if (source) {
      box.appendChild(source);
      source.hidden = false;
    }
  };

  Quiz.prototype.clear = function (q) {
    var el = this.el(q);
    delete this.results[q.id];
    el.classList.remove("is-correct", "is-partial", "is-wrong");
    var box = el.querySelector(".quiz-feedback");
    var source = el.querySelector(".quiz-source");
    if (source) {
      source.hidden = true;
      el.querySelector(".quiz-actions").appendChild(source);
    }
    box.innerHTML = "";
  };

  /* The score line and the retry button; saves progress. */
  Quiz.prototype.update = function () {
    var self = this, done = 0, points = 0, max = 0, right = 0, missed = 0;
    this.questions.forEach(function (q) {
      max += q.points;
      var g = self.results[q.id];
      if (!g) return;
      done++;
      points += g.points_awarded;
      if (g.correct) right++; else missed++;
    });
    var all = done === this.questions.length;
    if (this.score) {
      this.score.textContent = all
        ? "全部完成：得分 " + fmt(points) + " / " + fmt(max) + "（" + Math.round(points * 100 / (max || 1)) + "%），答对 " + right + " / " + done + " 题。"
        : "已检查 " + done + " / " + this.questions.length + " 题，得分 " + fmt(points) + " / " + fmt(max) + "。";
    }
    this.root.classList.toggle("is-complete", all);
    if (this.retryButton) this.retryButton.disabled = missed === 0;
    this.save();
    return { done: done, points: points, max: max, right: right, missed: missed, all: all };
  };

  Quiz.prototype.save = function () {
    var self = this, answers = {}, checked = {};
    this.questions.forEach(function (q) {
      answers[q.id] = self.read(q);
      var g = self.results[q.id];
      if (g) checked[q.id] = { points_awarded: g.points_awarded, correct: g.correct };
    });
    storage.save(this.id, { v: 1, answers: answers, checked: checked });
  };

  /* Progress from localStorage: answers back into the form, checked ones regraded. */
  Quiz.prototype.restore = function () {
    var data = storage.load(this.id), self = this;
    if (!data) return false;
    this.questions.forEach(function (q) {
      if (Object.prototype.hasOwnProperty.call(data.answers, q.id)) {
        try { self.write(q, data.answers[q.id]); } catch (e) { warn("restore", e); }
      }
      if (Object.prototype.hasOwnProperty.call(data.checked, q.id)) self.check(q);
    });
    this.update();
    return true;
  };

  Quiz.prototype.firstControl = function (q) {
    return this.el(q).querySelector("input, textarea, select, .quiz-order button:not([disabled])");
  };

  Quiz.prototype.reset = function (which) {
    var self = this, list = which || this.questions;
    list.forEach(function (q) {
      self.clear(q);
      self.write(q, "blank");
    });
    this.update();
  };

  Quiz.prototype.retryMissed = function () {
    var self = this;
    var missed = this.questions.filter(function (q) { return self.results[q.id] && !self.results[q.id].correct; });
    if (!missed.length) return;
    this.reset(missed);
    var first = this.firstControl(missed[0]);
    if (first) first.focus();
    this.announce("已清空 " + missed.length + " 道没有全对的题，请重新作答。");
  };

  Quiz.prototype.restart = function () {
    this.reset();
    storage.clear(this.id);
    var first = this.firstControl(this.questions[0]);
    if (first) first.focus();
    this.announce("已重新开始，所有答案已清空。");
  };

  Quiz.prototype.checkAll = function () {
    var self = this;
    this.questions.forEach(function (q) { self.check(q); });
    var s = this.update();
    var summary = this.root.querySelector(".quiz-summary");
    if (summary) summary.focus();
    this.announce(this.score ? this.score.textContent : fmt(s.points));
  };

  Quiz.prototype.move = function (button) {
    var said = form.move(button);
    if (said) this.announce(said);
  };

  Quiz.prototype.questionOf = function (node) {
    var li = node.closest(".quiz-q");
    return li ? this.byId[li.getAttribute("data-q")] : null;
  };

  /* An answer may have changed: a shown grade of another answer no longer applies.
     (Leaving a text box fires "change" for an answer already checked.) */
  Quiz.prototype.changed = function (node) {
    var q = this.questionOf(node);
    if (!q) return;
    this.count(q);
    var g = this.results[q.id];
    if (g && g.answer !== JSON.stringify(this.read(q))) this.clear(q);
    this.update();
  };

  Quiz.prototype.bind = function () {
    var self = this, form = this.root.querySelector("form");
    this.root.addEventListener("click", function (e) {
      var t = e.target.closest ? e.target.closest("button") : null;
      if (!t || !self.root.contains(t)) return;
      var action = t.getAttribute("data-action");
      if (t.hasAttribute("data-move")) {
        self.move(t);
        self.changed(t);
      } else if (action === "check") {
        var q = self.questionOf(t);
        if (q) self.check(q);
      } else if (action === "retry") {
        self.retryMissed();
      } else if (action === "restart") {
        self.restart();
      }
    });
    this.root.addEventListener("input", function (e) { self.changed(e.target); });
    this.root.addEventListener("change", function (e) { self.changed(e.target); });
    // Enter in a one-line answer box checks that question only (rather than the
    // form's implicit submission, which would check them all).
    this.root.addEventListener("keydown", function (e) {
      var t = e.target;
      if (e.key !== "Enter" || e.isComposing || !t || t.tagName !== "INPUT" || t.type !== "text") return;
      var q = self.questionOf(t);
      if (!q) return;
      e.preventDefault();
      self.check(q);
    });
    // "全部检查" is the form's submit button; the page never reloads.
    if (form) {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        self.checkAll();
      });
    }
  };

  function start(root) {
    var script = root.querySelector("script.quiz-key");
    if (!script) return;
    var data = JSON.parse(script.textContent);
    var quiz = new Quiz(root, data);
    quiz.questions.forEach(function (q) {
      var el = quiz.el(q);
      if (!el) throw new Error("no markup for question " + q.id);
      var list = el.querySelector(".quiz-order");
      if (list) form.syncMoves(list);
      quiz.count(q);
    });
    quiz.bind();
    if (!quiz.restore()) quiz.update();
    root.classList.add("is-ready");
  }

  function init() {
    each(doc.querySelectorAll(".quiz[data-quiz]"), function (root) {
      try { start(root); } catch (e) { warn(root.getAttribute("data-quiz"), e); }
    });
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})(typeof window !== "undefined" ? window : this);
