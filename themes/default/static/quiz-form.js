/* Shouce question forms — the code practice quizzes (quiz.js) and the exam page
 * (exam.js, served by `shouce serve`) share: reading a question's answer from its
 * controls (markup from templates/question.html), putting one back, an answer's
 * shape, the live character count of script questions, and the ordering buttons.
 *
 * It has no grader and sees no key: the exam page loads this file and never quiz.js.
 * Answers are the grader's JSON forms: "blank", { choice }, { choices }, { bool },
 * { text }, { order }, { matches }. Loadable in Node (`require`); in a page it is
 * `window.shouceForm`. Written in ES5, like app.js. */
(function (global) {
  "use strict";

  /* Rust's char::is_whitespace: the Unicode White_Space property (JavaScript's \s
     also matches U+FEFF and misses U+0085, so it is spelled out). */
  var WS = "\t\n\u000b\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006" +
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
  function isWs(c) { return WS.indexOf(c) >= 0; }

  /* Rust's str::trim. */
  function trim(s) {
    var a = 0, b = s.length;
    while (a < b && isWs(s.charAt(a))) a++;
    while (b > a && isWs(s.charAt(b - 1))) b--;
    return s.slice(a, b);
  }

  /* Characters (code points, as Rust counts chars), whitespace not counted. */
  function charCount(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        var d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { n++; i++; continue; }
      }
      if (!isWs(s.charAt(i))) n++;
    }
    return n;
  }

  function isArray(v) { return Object.prototype.toString.call(v) === "[object Array]"; }
  function isIndex(i) { return typeof i === "number" && i >= 0 && i % 1 === 0; }
  function indexList(v) { return isArray(v) && v.every(isIndex); }
  function len(list) { return isArray(list) ? list.length : 0; }

  /* The answer's shape: { kind: "blank" }, { kind, value } for the forms above, or
     { kind: "bad" } for anything else. */
  function shape(answer) {
    if (answer === "blank" || answer === null || answer === undefined) return { kind: "blank" };
    if (typeof answer !== "object" || isArray(answer)) return { kind: "bad" };
    var keys = Object.keys(answer);
    if (keys.length !== 1) return { kind: "bad" };
    var kind = keys[0], v = answer[kind];
    var ok = (kind === "choice" && isIndex(v)) ||
      ((kind === "choices" || kind === "order") && indexList(v)) ||
      (kind === "bool" && typeof v === "boolean") ||
      (kind === "text" && typeof v === "string") ||
      (kind === "matches" && isArray(v) && v.every(function (m) { return m === null || isIndex(m); }));
    return ok ? { kind: kind, value: v } : { kind: "bad" };
  }

  /* Whether a shaped answer says nothing. */
  function isBlank(a) {
    switch (a.kind) {
      case "blank": return true;
      case "text": return trim(a.value) === "";
      case "choices": case "order": return a.value.length === 0;
      case "matches": return a.value.every(function (m) { return m === null; });
      default: return false;
    }
  }

  var each = function (list, fn) { Array.prototype.forEach.call(list || [], fn); };
  var all = function (el, sel) { return Array.prototype.slice.call(el.querySelectorAll(sel)); };

  /* The answer the controls of question element `el` (of type `type`) hold. */
  function read(el, type) {
    switch (type) {
      case "single": case "scenario": {
        var r = all(el, "input[type=radio]:checked")[0];
        return r ? { choice: Number(r.value) } : "blank";
      }
      case "multiple":
        return { choices: all(el, "input[type=checkbox]:checked").map(function (c) { return Number(c.value); }) };
      case "true_false": {
        var b = all(el, "input[type=radio]:checked")[0];
        return b ? { bool: b.value === "true" } : "blank";
      }
      case "number": case "text": case "script": {
        var box = el.querySelector("input[type=text], textarea");
        return { text: box ? box.value : "" };
      }
      case "ordering":
        return { order: all(el, ".quiz-order > li").map(function (li) { return Number(li.getAttribute("data-item")); }) };
      case "matching":
        return { matches: all(el, "select").map(function (s) { return s.value === "" ? null : Number(s.value); }) };
      default:
        return "blank";
    }
  }

  /* Script questions: the live character count. */
  function count(el, type) {
    if (type !== "script") return;
    var box = el.querySelector("textarea"), out = el.querySelector(".quiz-count-n");
    if (box && out) out.textContent = String(charCount(box.value));
  }

  /* Ordering: disable "up" on the first item and "down" on the last; number them. */
  function syncMoves(list) {
    var items = list.children;
    each(items, function (li, i) {
      var up = li.querySelector("[data-move='up']"), down = li.querySelector("[data-move='down']");
      if (up) up.disabled = i === 0;
      if (down) down.disabled = i === items.length - 1;
      var pos = li.querySelector(".quiz-order-pos");
      if (pos) pos.textContent = String(i + 1);
    });
  }

  /* Puts an answer back into the controls; one that does not fit them clears them. */
  function write(el, type, answer) {
    var a = shape(answer);
    switch (type) {
      case "single": case "scenario": case "multiple": {
        var picked = a.kind === "choice" ? [a.value] : a.kind === "choices" ? a.value : [];
        each(el.querySelectorAll("input[type=radio], input[type=checkbox]"), function (c) {
          c.checked = picked.indexOf(Number(c.value)) >= 0;
        });
        break;
      }
      case "true_false":
        each(el.querySelectorAll("input[type=radio]"), function (c) {
          c.checked = a.kind === "bool" && (c.value === "true") === a.value;
        });
        break;
      case "number": case "text": case "script": {
        var box = el.querySelector("input[type=text], textarea");
        if (box) box.value = a.kind === "text" ? a.value : "";
        count(el, type);
        break;
      }
      case "ordering": {
        var list = el.querySelector(".quiz-order");
        var items = Array.prototype.slice.call(list.children);
        var order = a.kind === "order" ? a.value : [];
        var valid = order.length === items.length && order.every(function (i, k) {
          return i < items.length && order.indexOf(i) === k;
        });
        if (!valid) order = items.map(function (li) { return Number(li.getAttribute("data-item")); }).sort(function (x, y) { return x - y; });
        order.forEach(function (i) {
          var li = list.querySelector("li[data-item='" + i + "']");
          if (li) list.appendChild(li);
        });
        syncMoves(list);
        break;
      }
      case "matching": {
        var selects = el.querySelectorAll("select");
        var m = a.kind === "matches" && a.value.length === selects.length ? a.value : [];
        each(selects, function (s, i) {
          var v = m[i];
          // An index beyond the options leaves the select empty.
          s.value = v === null || v === undefined || v >= s.options.length - 1 ? "" : String(v);
        });
        break;
      }
    }
  }

  /* An ordering button was pressed: moves its item, keeps focus on it, and returns
     the sentence to announce (or null when it cannot move). */
  function move(button) {
    var li = button.closest("li"), list = li.parentNode, up = button.getAttribute("data-move") === "up";
    var other = up ? li.previousElementSibling : li.nextElementSibling;
    if (!other) return null;
    if (up) list.insertBefore(li, other); else list.insertBefore(other, li);
    syncMoves(list);
    // keep focus on the moved item: on its same button, or the other one at an end
    var same = li.querySelector("[data-move='" + (up ? "up" : "down") + "']");
    var opposite = li.querySelector("[data-move='" + (up ? "down" : "up") + "']");
    (same && !same.disabled ? same : opposite).focus();
    var pos = Array.prototype.indexOf.call(list.children, li) + 1;
    var text = li.querySelector(".quiz-order-text");
    return "“" + (text ? text.textContent : "") + "”移到第 " + pos + " 位，共 " + list.children.length + " 位。";
  }

  var form = {
    isWs: isWs,
    trim: trim,
    charCount: charCount,
    isArray: isArray,
    isIndex: isIndex,
    indexList: indexList,
    len: len,
    shape: shape,
    isBlank: isBlank,
    read: read,
    write: write,
    count: count,
    syncMoves: syncMoves,
    move: move
  };

  if (typeof module === "object" && module && module.exports) module.exports = form;
  else global.shouceForm = form;
})(typeof window !== "undefined" ? window : this);
