/* Shouce exam page (served by `shouce serve` at __shouce/exam.js; never in public/).
 *
 * The questions are practice mode's markup (templates/question.html), read and put
 * back by practice's form code, quiz-form.js (`window.shouceForm`, loaded first), in
 * the same JSON forms: {choice}, {choices}, {bool}, {text}, {order}, {matches}. This
 * file puts saved answers back on load, autosaves a moment after every change, counts
 * down to the server's deadline (announcing 5 and 1 minutes left, not every second),
 * and lists unanswered questions before submitting. Grading happens on the server
 * only: neither file has a grader (quiz.js is never loaded here) and the page has no
 * answers. Written in ES5, like app.js. */
(function () {
  "use strict";
  var doc = document;
  var form = doc.getElementById("exam-form");
  var shared = window.shouceForm;
  if (!form || !shared) return;
  var each = function (list, fn) { Array.prototype.forEach.call(list || [], fn); };
  var questions = form.querySelectorAll(".quiz-q");
  var status = doc.getElementById("exam-save-status");
  var announce = doc.getElementById("exam-announce");
  var typeOf = function (li) { return li.getAttribute("data-type"); };

  /* Every answered question's answer, by its index on the paper. */
  function collect() {
    var out = {};
    each(questions, function (li) {
      var a = shared.read(li, typeOf(li));
      if (!shared.isBlank(shared.shape(a))) out[li.getAttribute("data-q")] = a;
    });
    return out;
  }

  var saved = {};
  try {
    saved = JSON.parse(doc.getElementById("exam-answers").textContent || "{}") || {};
  } catch (e) { /* nothing saved */ }
  each(questions, function (li) {
    var a = saved[li.getAttribute("data-q")];
    if (a !== undefined) shared.write(li, typeOf(li), a);
    var list = li.querySelector(".quiz-order");
    if (list) shared.syncMoves(list);
    shared.count(li, typeOf(li));
  });

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
  form.addEventListener("input", function (e) {
    var li = e.target.closest ? e.target.closest(".quiz-q") : null;
    if (li) shared.count(li, typeOf(li));
    schedule(1500);
  });
  // Ordering: the up/down buttons move an item (a click is not a "change").
  form.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button[data-move]") : null;
    if (!b || !form.contains(b)) return;
    var said = shared.move(b);
    if (said) announce.textContent = said;
    schedule(600);
  });

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
