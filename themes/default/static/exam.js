/* Shouce exam page (served by `shouce serve` at __shouce/exam.js; never in public/).
 *
 * Reads the answers from the form (the same JSON forms as practice mode: {choice},
 * {choices}, {bool}, {text}, {order}, {matches}), puts saved ones back on load,
 * autosaves a moment after every change, counts down to the server's deadline
 * (announcing 5 and 1 minutes left, not every second), and lists unanswered
 * questions before submitting. Grading happens on the server only: this file has no
 * grader and the page no answers. Written in ES5, like app.js. */
(function () {
  "use strict";
  var doc = document;
  var form = doc.getElementById("exam-form");
  if (!form) return;
  var each = function (list, fn) { Array.prototype.forEach.call(list || [], fn); };
  var questions = form.querySelectorAll(".quiz-q");
  var status = doc.getElementById("exam-save-status");
  var announce = doc.getElementById("exam-announce");

  function read(li) {
    var type = li.getAttribute("data-type");
    var picked = function (sel) { return Array.prototype.slice.call(li.querySelectorAll(sel)); };
    switch (type) {
      case "single": case "scenario": {
        var r = picked("input[type=radio]:checked")[0];
        return r ? { choice: Number(r.value) } : null;
      }
      case "multiple": {
        var c = picked("input[type=checkbox]:checked").map(function (x) { return Number(x.value); });
        return c.length ? { choices: c } : null;
      }
      case "true_false": {
        var b = picked("input[type=radio]:checked")[0];
        return b ? { bool: b.value === "true" } : null;
      }
      case "number": case "text": case "script": {
        var box = li.querySelector("input[type=text], textarea");
        return box && box.value.trim() !== "" ? { text: box.value } : null;
      }
      case "ordering": {
        var ranks = picked(".exam-rank");
        if (ranks.some(function (x) { return x.value === ""; })) return null;
        var order = ranks.slice().sort(function (a, b) { return Number(a.value) - Number(b.value); });
        return { order: order.map(function (x) { return Number(x.getAttribute("data-item")); }) };
      }
      case "matching": {
        var m = picked("select").map(function (s) { return s.value === "" ? null : Number(s.value); });
        return m.some(function (x) { return x !== null; }) ? { matches: m } : null;
      }
    }
    return null;
  }

  function write(li, a) {
    if (!a || typeof a !== "object") return;
    var type = li.getAttribute("data-type");
    if (a.choice !== undefined || a.choices) {
      var chosen = a.choices || [a.choice];
      each(li.querySelectorAll("input[type=radio], input[type=checkbox]"), function (x) { x.checked = chosen.indexOf(Number(x.value)) >= 0; });
    } else if (a.bool !== undefined) {
      each(li.querySelectorAll("input[type=radio]"), function (x) { x.checked = (x.value === "true") === a.bool; });
    } else if (a.text !== undefined) {
      var box = li.querySelector("input[type=text], textarea");
      if (box) box.value = a.text;
    } else if (a.order && type === "ordering") {
      a.order.forEach(function (item, pos) {
        var input = li.querySelector(".exam-rank[data-item='" + Number(item) + "']");
        if (input) input.value = pos + 1;
      });
    } else if (a.matches) {
      each(li.querySelectorAll("select"), function (s, i) { s.value = a.matches[i] === null || a.matches[i] === undefined ? "" : String(a.matches[i]); });
    }
  }

  function collect() {
    var out = {};
    each(questions, function (li) {
      var a = read(li);
      if (a) out[li.getAttribute("data-q")] = a;
    });
    return out;
  }

  try {
    var saved = JSON.parse(doc.getElementById("exam-answers").textContent || "{}");
    each(questions, function (li) { write(li, saved[li.getAttribute("data-q")]); });
  } catch (e) { /* nothing saved */ }

  var timer = null, pending = false, submitting = false;
  function save() {
    timer = null;
    if (submitting) return;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("data-save"));
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.onload = function () {
      pending = false;
      status.textContent = xhr.status === 200 ? "已自动保存" : "保存失败：" + xhr.responseText.replace(/<[^>]*>/g, "");
    };
    xhr.onerror = function () { status.textContent = "网络中断，答案稍后再保存"; schedule(5000); };
    xhr.send(JSON.stringify({ answers: collect() }));
  }
  function schedule(ms) {
    pending = true;
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, ms);
  }
  form.addEventListener("change", function () { schedule(600); });
  form.addEventListener("input", function () { schedule(1500); });

  var clock = doc.getElementById("exam-remaining");
  var deadline = Number(clock.getAttribute("data-deadline"));
  var skew = Number(clock.getAttribute("data-now")) - Date.now();
  var said = {};
  function tick() {
    var left = Math.max(0, deadline - (Date.now() + skew));
    var m = Math.floor(left / 60000), s = Math.floor(left / 1000) % 60;
    clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    [5, 1].forEach(function (mark) {
      if (m < mark && !said[mark] && left > 0) { said[mark] = true; announce.textContent = "还剩 " + mark + " 分钟"; }
    });
    if (left <= 0) { announce.textContent = "时间到，正在交卷"; submitNow(); return; }
    setTimeout(tick, 1000 - (Date.now() % 1000));
  }

  // The submission carries every answer: once it is on its way, a pending autosave
  // (say, from leaving the page) would only race it and be refused.
  function stopSaving() {
    submitting = true;
    pending = false;
    if (timer) { clearTimeout(timer); timer = null; }
  }

  function submitNow() {
    stopSaving();
    doc.getElementById("exam-answers-field").value = JSON.stringify(collect());
    HTMLFormElement.prototype.submit.call(form);
  }

  var confirmed = false;
  form.addEventListener("submit", function (e) {
    var answers = collect(), missing = [];
    each(questions, function (li, i) { if (!answers[li.getAttribute("data-q")]) missing.push(i + 1); });
    doc.getElementById("exam-answers-field").value = JSON.stringify(answers);
    if (missing.length && !confirmed) {
      e.preventDefault();
      confirmed = true;
      var box = doc.getElementById("exam-unanswered");
      box.hidden = false;
      box.textContent = "还有 " + missing.length + " 题未作答：第 " + missing.join("、") + " 题。再按一次“交卷”确认交卷。";
      box.focus();
      return;
    }
    stopSaving();
  });
  window.addEventListener("beforeunload", function () { if (pending) save(); });
  tick();
})();
