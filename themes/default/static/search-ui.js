/* Shouce search UI: the header search box (an ARIA 1.2 combobox with a listbox popup)
 * and the results page (search/?q=…). The engine is window.ShouceSearch, defined by
 * search.js (loaded before this file); see the contract in themes/README.md.
 *
 * Plain ES5 like app.js, no fetch/XHR: works over http and from file://. Every feature
 * is guarded: a page without the search box, or without the engine, never throws. */
(function () {
  "use strict";

  var doc = document;
  var DROPDOWN_LIMIT = 8; // results shown in the dropdown
  var PAGE_LIMIT = 50; // results listed on the results page
  var DELAY = 120; // ms of typing pause before a search runs
  var SEARCH_PAGE = "search/";

  var $ = function (id) { return doc.getElementById(id); };

  /* ---- the engine ---- */

  var configured = null;
  /* The engine, configured once with `root`; null when search.js is missing. */
  function engine(root) {
    var s = window.ShouceSearch;
    if (!s || typeof s.search !== "function") return null;
    if (configured !== s) {
      if (typeof s.configure === "function") s.configure({ root: root });
      configured = s;
    }
    return s;
  }

  /* Runs searches, keeping only the answer to the latest one: an older query that
   * answers late (its index part was still loading) is dropped, not shown. */
  function Searcher(root, limit, show) {
    var latest = 0;
    var timer = null;
    this.cancel = function () {
      latest += 1;
      clearTimeout(timer);
    };
    this.run = function (query, delay) {
      this.cancel();
      var mine = latest;
      timer = setTimeout(function () {
        var s = engine(root);
        if (!s) { show(query, null, new Error("search.js is not loaded")); return; }
        var answer;
        try { answer = s.search(query, { limit: limit }); } catch (e) { answer = Promise.reject(e); }
        Promise.resolve(answer).then(function (hits) {
          if (mine === latest) show(query, hits || [], null);
        }, function (e) {
          if (mine === latest) show(query, null, e || new Error("search failed"));
        });
      }, delay || 0);
    };
  }

  /* ---- URLs ---- */

  /* A link to a site URL ("rules/refund/", maybe with #fragment) from this page. From
   * file:// a folder URL opens nothing, so its index.html is named (as app.js does). */
  function siteHref(root, url) {
    var href = root + (url || "");
    if (location.protocol !== "file:") return href || "./";
    var cut = href.search(/[?#]/);
    var path = cut < 0 ? href : href.slice(0, cut);
    var rest = cut < 0 ? "" : href.slice(cut);
    if (path === "" || path === "." || /\/\.\.?$/.test(path)) path += path ? "/" : "./";
    if (path.charAt(path.length - 1) === "/") path += "index.html";
    return path + rest;
  }

  function resultsHref(root, query) {
    return siteHref(root, SEARCH_PAGE) + (query ? "?q=" + encodeURIComponent(query) : "");
  }

  /* The `q` parameter of this page's URL ("" when absent). */
  function queryFromUrl() {
    var parts = location.search.replace(/^\?/, "").split("&");
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      var key = eq < 0 ? parts[i] : parts[i].slice(0, eq);
      if (key === "q") {
        try { return decodeURIComponent(parts[i].slice(eq + 1).replace(/\+/g, " ")); } catch (e) { return ""; }
      }
    }
    return "";
  }

  /* ---- one result's parts ---- */

  /* The snippet's HTML from the engine, reduced to text and <mark>: whatever else it
   * holds is dropped (parsed in an inert <template>, so nothing loads or runs). */
  function snippet(html) {
    var frag = doc.createDocumentFragment();
    var t = doc.createElement("template");
    t.innerHTML = html || "";
    (function copy(from, to) {
      for (var n = from.firstChild; n; n = n.nextSibling) {
        if (n.nodeType === 3) to.appendChild(doc.createTextNode(n.nodeValue));
        else if (n.nodeType === 1 && n.nodeName === "MARK") copy(n, to.appendChild(doc.createElement("mark")));
        else if (n.nodeType === 1) copy(n, to);
      }
    })(t.content || t, frag);
    return frag;
  }

  /* Appends "你是不是要找：" and a link to the results for each suggestion (the site's
   * words that read or are spelt nearly like a query that found nothing). */
  function suggestions(into, root, list) {
    if (!list || !list.length) return false;
    into.appendChild(doc.createTextNode("你是不是要找："));
    for (var i = 0; i < list.length; i++) {
      if (i) into.appendChild(doc.createTextNode("、"));
      var a = into.appendChild(el("a", "search-suggestion", list[i].text));
      a.href = resultsHref(root, list[i].text);
      if (list[i].reading) into.appendChild(el("span", "search-suggestion-reading", "（" + list[i].reading + "）"));
    }
    return true;
  }

  function sectionPath(hit) {
    var s = hit.section;
    return s && s.length ? s.join(" › ") : "";
  }

  function el(tag, className, text) {
    var e = doc.createElement(tag);
    if (className) e.className = className;
    if (text != null) e.textContent = text;
    return e;
  }

  /* ---- the header box ---- */

  function HeaderBox(box) {
    var root = box.getAttribute("data-root") || "";
    var form = $("search-form");
    var input = $("search-input");
    var popup = $("search-popup");
    var list = $("search-listbox");
    var message = $("search-message");
    var status = $("search-status");
    var opener = $("search-open");
    var closer = $("search-close");
    if (!form || !input || !popup || !list) return null;

    // narrow headers collapse the box to the opener button (see style.css)
    var narrow = window.matchMedia ? window.matchMedia("(max-width: 40rem)") : null;
    var shown = { query: null, count: 0 };
    var active = -1;
    var composing = false;

    var searcher = new Searcher(root, DROPDOWN_LIMIT, render);
    engine(root);

    function options() { return list.querySelectorAll("[role='option']"); }

    function setActive(i) {
      var opts = options();
      if (active >= 0 && opts[active]) {
        opts[active].removeAttribute("aria-selected");
        opts[active].classList.remove("is-active");
      }
      active = i >= 0 && i < opts.length ? i : -1;
      if (active < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      var o = opts[active];
      o.setAttribute("aria-selected", "true");
      o.classList.add("is-active");
      input.setAttribute("aria-activedescendant", o.id);
      if (o.scrollIntoView) o.scrollIntoView({ block: "nearest" });
    }

    function isOpen() { return !popup.hidden; }

    function open() {
      if (!list.firstChild && message.hidden) return;
      popup.hidden = false;
      input.setAttribute("aria-expanded", list.firstChild ? "true" : "false");
    }

    function close() {
      setActive(-1);
      popup.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function say(text) {
      if (!status) return;
      // re-set even an unchanged text so that it is announced again
      status.textContent = "";
      setTimeout(function () { status.textContent = text; }, 30);
    }

    function option(id, href, className) {
      var li = el("li", "search-option" + (className ? " " + className : ""));
      li.id = id;
      li.setAttribute("role", "option");
      var a = el("a", "search-option-link");
      a.href = href;
      a.tabIndex = -1;
      li.appendChild(a);
      return { li: li, a: a };
    }

    function render(query, hits, error) {
      setActive(-1);
      list.textContent = "";
      shown = { query: query, count: 0 };
      if (error) {
        if (window.console) console.warn("shouce: search", error);
        message.textContent = "搜索暂时不可用：索引未能加载。";
        message.hidden = false;
        say("搜索不可用");
        open();
        return;
      }
      var more = (hits.total || hits.length) > DROPDOWN_LIMIT;
      var near = hits.suggestions;
      hits = hits.slice(0, DROPDOWN_LIMIT);
      for (var i = 0; i < hits.length; i++) {
        var h = hits[i];
        var id = "search-opt-" + i;
        var o = option(id, siteHref(root, h.url));
        var title = o.a.appendChild(el("span", "search-hit-title", h.title || h.url));
        title.id = id + "-t";
        var labelled = title.id;
        var path = sectionPath(h);
        if (path) {
          var sec = o.a.appendChild(el("span", "search-hit-section", path));
          sec.id = id + "-s";
          labelled += " " + sec.id;
        }
        o.li.setAttribute("aria-labelledby", labelled);
        if (h.snippet) {
          var sn = o.a.appendChild(el("span", "search-hit-snippet"));
          sn.id = id + "-d";
          sn.appendChild(snippet(h.snippet));
          o.li.setAttribute("aria-describedby", sn.id);
        }
        list.appendChild(o.li);
      }
      shown.count = hits.length;
      if (hits.length) {
        var all = option("search-opt-all", resultsHref(root, query), "search-all");
        all.a.appendChild(el("span", "search-all-label", "查看全部结果"));
        all.a.appendChild(el("span", "search-all-query", "“" + query + "”"));
        list.appendChild(all.li);
        message.hidden = true;
        say(more ? "前 " + hits.length + " 个结果，按上下方向键选择" : hits.length + " 个结果，按上下方向键选择");
      } else {
        message.textContent = "没有找到与“" + query + "”相关的页面。";
        message.hidden = false;
        say(suggestions(message, root, near) ? "没有结果，有相近的词" : "没有结果");
      }
      if (doc.activeElement === input) open();
    }

    function query() { return input.value.replace(/^\s+|\s+$/g, ""); }

    function update(delay) {
      var q = query();
      if (!q) {
        searcher.cancel();
        list.textContent = "";
        message.hidden = true;
        shown = { query: null, count: 0 };
        close();
        return;
      }
      if (q === shown.query) { open(); return; }
      searcher.run(q, delay);
    }

    function go(href) { location.href = href; }

    function expand() {
      box.classList.add("is-open");
      if (opener) opener.setAttribute("aria-expanded", "true");
    }
    function collapse(returnFocus) {
      close();
      if (!box.classList.contains("is-open")) return;
      box.classList.remove("is-open");
      if (opener) opener.setAttribute("aria-expanded", "false");
      if (returnFocus && opener && narrow && narrow.matches) opener.focus();
    }

    input.addEventListener("input", function () {
      if (!composing) update(DELAY);
    });
    // an input method (pinyin) is composing: search once the characters are chosen
    input.addEventListener("compositionstart", function () { composing = true; });
    input.addEventListener("compositionend", function () { composing = false; update(DELAY); });
    input.addEventListener("focus", function () {
      if (query()) update(0);
    });

    input.addEventListener("keydown", function (e) {
      if (e.isComposing || composing || e.keyCode === 229) return;
      var n = options().length;
      switch (e.key) {
        case "ArrowDown":
        case "Down":
          e.preventDefault();
          if (!isOpen()) { update(0); if (isOpen() && n) setActive(0); return; }
          if (n) setActive(active + 1 >= n ? 0 : active + 1);
          return;
        case "ArrowUp":
        case "Up":
          e.preventDefault();
          if (!isOpen()) { update(0); if (isOpen() && n) setActive(n - 1); return; }
          if (n) setActive(active <= 0 ? n - 1 : active - 1);
          return;
        case "Enter":
          if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
          if (isOpen() && active >= 0) {
            e.preventDefault();
            var a = options()[active].querySelector("a");
            if (a) go(a.href);
          }
          return; // no option chosen: the form is submitted (below)
        case "Escape":
        case "Esc":
          e.preventDefault();
          if (isOpen()) close();
          else if (box.classList.contains("is-open") && narrow && narrow.matches) collapse(true);
          else if (input.value) { input.value = ""; update(0); }
          return;
        case "Tab":
          close();
          return;
      }
    });

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = query();
      if (q) go(resultsHref(root, q));
    });

    // a press in the popup must not blur the input (which would close the popup first)
    popup.addEventListener("mousedown", function (e) { e.preventDefault(); });
    popup.addEventListener("click", function (e) {
      var t = e.target;
      while (t && t !== popup && t.getAttribute && t.getAttribute("role") !== "option") t = t.parentNode;
      if (!t || t === popup || !t.getAttribute) return;
      var a = t.querySelector("a");
      // clicks on the link itself follow it (new tab with a modifier, too)
      if (a && !a.contains(e.target)) go(a.href);
    });

    box.addEventListener("focusout", function (e) {
      var to = e.relatedTarget;
      if (to && box.contains(to)) return;
      // focus left the widget (Tab, a click elsewhere); when the window itself lost
      // focus, the input is still the active element and the popup stays
      setTimeout(function () {
        if (box.contains(doc.activeElement)) return;
        collapse(false);
      }, 0);
    });

    if (opener) {
      opener.addEventListener("click", function () {
        expand();
        input.focus();
      });
    }
    if (closer) {
      closer.addEventListener("click", function () { collapse(true); });
    }
    if (narrow) {
      var onNarrow = function (e) { if (!e.matches) collapse(false); };
      if (narrow.addEventListener) narrow.addEventListener("change", onNarrow);
      else if (narrow.addListener) narrow.addListener(onNarrow);
    }
    if (location.protocol === "file:") form.setAttribute("action", siteHref(root, SEARCH_PAGE));
    // coming back to this page from the result it opened: start with the popup closed
    window.addEventListener("pageshow", function (e) { if (e.persisted) collapse(false); });

    return {
      focus: function () {
        expand();
        input.focus();
        input.select();
      },
      input: input
    };
  }

  /* ---- the results page ---- */

  function ResultsPage(box) {
    var form = $("search-page-form");
    var input = $("search-page-input");
    var status = $("search-page-status");
    var list = $("search-page-results");
    if (!form || !input || !list) return null;
    var root = (box && box.getAttribute("data-root")) || "../";
    var baseTitle = doc.title;

    var near = $("search-page-suggestions");

    function say(text) { if (status) status.textContent = text; }

    var searcher = new Searcher(root, PAGE_LIMIT, function (query, hits, error) {
      list.textContent = "";
      if (near) { near.textContent = ""; near.hidden = true; }
      if (error) {
        if (window.console) console.warn("shouce: search", error);
        say("搜索暂时不可用：索引未能加载。");
        return;
      }
      for (var i = 0; i < hits.length; i++) {
        var h = hits[i];
        var li = el("li", "search-result");
        var a = li.appendChild(el("a", "search-result-title", h.title || h.url));
        a.href = siteHref(root, h.url);
        var path = sectionPath(h);
        if (path) li.appendChild(el("p", "search-result-section", path));
        if (h.snippet) li.appendChild(el("p", "search-result-snippet")).appendChild(snippet(h.snippet));
        list.appendChild(li);
      }
      if (!hits.length && near && suggestions(near, root, hits.suggestions)) near.hidden = false;
      say(hits.length
        ? "“" + query + "”：" + (hits.length >= PAGE_LIMIT ? "前 " + hits.length : "共 " + hits.length) + " 个结果"
        : "没有找到与“" + query + "”相关的页面。" + (near && !near.hidden ? "" : "可以换个说法、用更短的词，或试试拼音。"));
    });

    function show(query, delay) {
      doc.title = query ? "搜索：" + query + " · " + baseTitle.replace(/^搜索 · /, "") : baseTitle;
      if (!query) {
        searcher.cancel();
        list.textContent = "";
        say("输入关键词开始搜索。");
        return;
      }
      searcher.run(query, delay);
    }

    function remember(query) {
      try {
        var url = location.pathname + (query ? "?q=" + encodeURIComponent(query) : "") + location.hash;
        history.replaceState(null, "", url);
      } catch (e) { /* some file:// setups forbid it: the results still show */ }
    }

    function current() { return input.value.replace(/^\s+|\s+$/g, ""); }

    var composing = false;
    input.addEventListener("compositionstart", function () { composing = true; });
    input.addEventListener("compositionend", function () {
      composing = false;
      remember(current());
      show(current(), DELAY);
    });
    input.addEventListener("input", function () {
      if (composing) return;
      remember(current());
      show(current(), DELAY);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      remember(current());
      show(current(), 0);
    });

    var q = queryFromUrl();
    input.value = q;
    show(q.replace(/^\s+|\s+$/g, ""), 0);
    if (!q) input.focus();
    return { input: input };
  }

  /* ---- "/" and Ctrl-K (Cmd-K) focus the search box ---- */

  function typingIn(t) {
    if (!t || t.nodeType !== 1) return false;
    var tag = t.nodeName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || !!t.isContentEditable;
  }

  function shortcuts(header, page) {
    doc.addEventListener("keydown", function (e) {
      if (e.defaultPrevented || e.isComposing || e.keyCode === 229) return;
      var slash = e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey;
      var k = (e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
      if (!slash && !k) return;
      var t = e.target;
      var ours = t === (header && header.input) || t === (page && page.input);
      if (ours) {
        if (k) { e.preventDefault(); t.select(); }
        return;
      }
      if (typingIn(t)) return;
      e.preventDefault();
      // the results page's own box, else the header's
      if (page) { page.input.focus(); page.input.select(); } else header.focus();
    });
  }

  function init() {
    var box = $("search");
    var header = null;
    var page = null;
    try { if (box) header = HeaderBox(box); } catch (e) { if (window.console) console.warn("shouce: search box", e); }
    try { page = ResultsPage(box); } catch (e) { if (window.console) console.warn("shouce: search page", e); }
    if (header || page) shortcuts(header, page);
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})();
