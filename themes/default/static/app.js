/* Shouce default theme — small, dependency-free, works from file://.
 * Every feature is guarded: a missing element never throws.
 * Written in ES5 so that older Chromium-based browsers still run it. */
(function () {
  "use strict";

  var doc = document;
  var root = doc.documentElement;
  var each = function (list, fn) { Array.prototype.forEach.call(list || [], fn); };
  var $ = function (sel, ctx) { return (ctx || doc).querySelector(sel); };
  var $$ = function (sel, ctx) { return (ctx || doc).querySelectorAll(sel); };

  function safe(name, fn) {
    try { fn(); } catch (e) { if (window.console) console.warn("shouce: " + name, e); }
  }

  /* Screen-reader announcements through the #live status region. */
  function announce(text) {
    var live = $("#live");
    if (!live) return;
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 50);
  }

  /* ---- 1. file:// — make pretty URLs ("rules/refund/") open index.html ---- */
  function fixFileLinks(scope) {
    if (location.protocol !== "file:") return;
    each($$("a[href]", scope), function (a) {
      var href = a.getAttribute("href");
      // skip empty, fragments, absolute URLs (scheme: or //) other than file: ones
      if (!href || href.charAt(0) === "#" || (/^([a-z][a-z0-9+.-]*:|\/\/)/i.test(href) && !/^file:/i.test(href))) return;
      var cut = href.search(/[?#]/);
      var path = cut < 0 ? href : href.slice(0, cut);
      var rest = cut < 0 ? "" : href.slice(cut);
      if (path === "." || path === ".." || /\/\.\.?$/.test(path)) path += "/";
      if (path.charAt(path.length - 1) === "/") a.setAttribute("href", path + "index.html" + rest);
    });
  }

  /* ---- 2. colour theme toggle (state applied early by the inline <head> script) ---- */
  function initTheme() {
    var st = window.shouceTheme || {
      key: "shouce-theme",
      mq: window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null,
      apply: function (t) { root.setAttribute("data-theme", t); }
    };
    var buttons = $$(".theme-toggle");
    function current() { return root.getAttribute("data-theme") === "dark" ? "dark" : "light"; }
    function sync() {
      each(buttons, function (b) { b.setAttribute("aria-pressed", current() === "dark" ? "true" : "false"); });
    }
    function stored() {
      try { return localStorage.getItem(st.key); } catch (e) { return null; }
    }
    each(buttons, function (b) {
      b.addEventListener("click", function () {
        var next = current() === "dark" ? "light" : "dark";
        st.apply(next);
        try { localStorage.setItem(st.key, next); } catch (e) { /* private mode: not persisted */ }
        sync();
        announce(next === "dark" ? "已切换到深色模式" : "已切换到浅色模式");
      });
    });
    // follow the system while the reader has not chosen explicitly
    if (st.mq) {
      var onChange = function (e) {
        var s = stored();
        if (s !== "dark" && s !== "light") { st.apply(e.matches ? "dark" : "light"); sync(); }
      };
      if (st.mq.addEventListener) st.mq.addEventListener("change", onChange);
      else if (st.mq.addListener) st.mq.addListener(onChange);
    }
    // another tab changed the preference
    window.addEventListener("storage", function (e) {
      if (e.key === st.key && (e.newValue === "dark" || e.newValue === "light")) { st.apply(e.newValue); sync(); }
    });
    sync();
  }

  /* ---- 3. phone navigation drawer ---- */
  function initDrawer() {
    var btn = $("#nav-toggle");
    var nav = $("#sidebar");
    if (!btn || !nav) return;
    var backdrop = null;
    var wide = window.matchMedia ? window.matchMedia("(min-width: 56.0625rem)") : null;
    var others = [$(".layout-main")];

    function isOpen() { return btn.getAttribute("aria-expanded") === "true"; }
    function setInert(on) {
      each(others, function (el) {
        if (!el) return;
        if ("inert" in el) el.inert = on;
        if (on) el.setAttribute("aria-hidden", "true"); else el.removeAttribute("aria-hidden");
      });
    }
    function open() {
      btn.setAttribute("aria-expanded", "true");
      nav.classList.add("is-open");
      doc.body.classList.add("nav-open");
      if (!backdrop) {
        backdrop = doc.createElement("div");
        backdrop.className = "nav-backdrop";
        backdrop.addEventListener("click", function () { close(false); });
        nav.parentNode.insertBefore(backdrop, nav.nextSibling);
      }
      backdrop.hidden = false;
      setInert(true);
      var target = $("a[aria-current='page']", nav) || $("a", nav);
      if (target) {
        try { target.focus({ preventScroll: true }); } catch (e) { target.focus(); }
        scrollNavTo(target);
      }
    }
    function close(returnFocus) {
      if (!isOpen()) return;
      btn.setAttribute("aria-expanded", "false");
      nav.classList.remove("is-open");
      doc.body.classList.remove("nav-open");
      if (backdrop) backdrop.hidden = true;
      setInert(false);
      if (returnFocus) btn.focus();
    }
    btn.addEventListener("click", function () { if (isOpen()) close(false); else open(); });
    doc.addEventListener("keydown", function (e) {
      if ((e.key === "Escape" || e.key === "Esc") && isOpen()) { close(true); }
    });
    // following a link (including same-page #anchors) closes the drawer
    nav.addEventListener("click", function (e) {
      var t = e.target;
      while (t && t !== nav && t.tagName !== "A") t = t.parentNode;
      if (t && t.tagName === "A") close(false);
    });
    // growing into the desktop layout: the drawer state no longer applies
    if (wide) {
      var onWide = function (e) { if (e.matches) close(false); };
      if (wide.addEventListener) wide.addEventListener("change", onWide);
      else if (wide.addListener) wide.addListener(onWide);
    }
  }

  /* keep the current sidebar item visible without scrolling the page */
  function scrollNavTo(link) {
    var box = $("#sidebar");
    if (!box || !link) return;
    var top = link.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - 40) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }

  /* ---- 4. copy to clipboard: agent lines, code blocks ---- */
  function copyText(text, done) {
    function fallback() {
      var ta = doc.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed";
      ta.style.top = "0";
      ta.style.left = "-9999px";
      ta.style.opacity = "0";
      doc.body.appendChild(ta);
      var active = doc.activeElement;
      ta.select();
      try { ta.setSelectionRange(0, text.length); } catch (e) { /* old browsers */ }
      var ok = false;
      try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
      doc.body.removeChild(ta);
      if (active && active.focus) active.focus();
      done(ok);
    }
    if (navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext !== false) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }

  function flash(btn, ok) {
    var label = btn.getAttribute("data-label") || btn.textContent;
    btn.setAttribute("data-label", label);
    clearTimeout(btn._shouceTimer);
    if (ok) {
      btn.classList.add("is-copied");
      btn.textContent = "已复制";
      announce("已复制");
    } else {
      announce("复制失败，请手动选择文字复制");
    }
    btn._shouceTimer = setTimeout(function () {
      btn.classList.remove("is-copied");
      btn.textContent = label;
    }, 2000);
  }

  function initCopy() {
    // code blocks get their own button
    each($$(".content pre"), function (pre) {
      if (pre.parentNode.classList.contains("code-wrap")) return;
      var wrap = doc.createElement("div");
      wrap.className = "code-wrap";
      pre.parentNode.insertBefore(wrap, pre);
      wrap.appendChild(pre);
      var b = doc.createElement("button");
      b.type = "button";
      b.className = "copy-code";
      b.textContent = "复制";
      b.setAttribute("aria-label", "复制代码");
      wrap.appendChild(b);
    });
    doc.addEventListener("click", function (e) {
      var t = e.target;
      while (t && t !== doc && !(t.classList && (t.classList.contains("copy-line") || t.classList.contains("copy-code")))) t = t.parentNode;
      if (!t || t === doc) return;
      var text;
      if (t.classList.contains("copy-line")) {
        text = t.getAttribute("data-copy");
        if (text == null) {
          var bubble = t.parentNode && $(".bubble", t.parentNode);
          text = bubble ? (bubble.innerText || bubble.textContent) : "";
        }
      } else {
        var pre = t.parentNode && $("pre", t.parentNode);
        text = pre ? (pre.innerText || pre.textContent).replace(/\n$/, "") : "";
      }
      copyText(text, function (ok) { flash(t, ok); });
    });
  }

  /* 平台规则 callouts show a "平台规则" tag unless that already is their title */
  function initRules() {
    each($$(".callout-rule > .callout-title"), function (t) {
      if ((t.textContent || "").replace(/\s+/g, "") === "平台规则") t.parentNode.classList.add("is-default-title");
    });
  }

  /* ---- 5. hover/focus anchor links on content headings ---- */
  function initAnchors() {
    each($$(".content h2[id], .content h3[id], .content h4[id], .content h5[id], .content h6[id]"), function (h) {
      if ($(".heading-anchor", h)) return;
      var a = doc.createElement("a");
      a.className = "heading-anchor";
      a.href = "#" + h.id;
      a.setAttribute("aria-label", "链接到“" + (h.textContent || "").trim() + "”");
      a.textContent = "#";
      h.appendChild(a);
    });
  }

  /* ---- 6. in-page TOC: expanded on wide screens, current section highlighted ---- */
  function initToc() {
    var details = $("#toc");
    if (!details) return;
    var wide = window.matchMedia ? window.matchMedia("(min-width: 75rem)") : null;
    var userOpen = false;
    var summary = $("summary", details);
    function layout() {
      var isWide = !!(wide && wide.matches);
      details.open = isWide ? true : userOpen;
      // the always-open column needs no toggle in the tab order
      if (summary) summary.tabIndex = isWide ? -1 : 0;
    }
    details.addEventListener("toggle", function () {
      if (!wide || !wide.matches) userOpen = details.open;
    });
    // on a phone, jumping to a heading folds the TOC away again
    details.addEventListener("click", function (e) {
      if (e.target.tagName === "A" && wide && !wide.matches) { userOpen = false; details.open = false; }
    });
    // keep the wide TOC open (the summary is not clickable there, but Enter/Space could toggle it)
    if (summary) summary.addEventListener("click", function (e) {
      if (wide && wide.matches) e.preventDefault();
    });
    if (wide) {
      if (wide.addEventListener) wide.addEventListener("change", layout);
      else if (wide.addListener) wide.addListener(layout);
    }
    layout();

    if (!("IntersectionObserver" in window)) return;
    var links = {};
    var heads = [];
    each($$("a[href^='#']", details), function (a) {
      var id = decodeURIComponent(a.getAttribute("href").slice(1));
      var h = doc.getElementById(id);
      if (h) { links[id] = a; heads.push(h); }
    });
    if (!heads.length) return;
    var visible = {};
    var active = null;
    function setActive(id) {
      if (active === id) return;
      if (active && links[active]) links[active].classList.remove("is-active");
      active = id;
      if (id && links[id]) links[id].classList.add("is-active");
    }
    var io = new IntersectionObserver(function (entries) {
      each(entries, function (en) { visible[en.target.id] = en.isIntersecting; });
      // first heading in document order that is on screen; else the last one above the viewport
      for (var i = 0; i < heads.length; i++) {
        if (visible[heads[i].id]) { setActive(heads[i].id); return; }
      }
      var above = null;
      for (var j = 0; j < heads.length; j++) {
        if (heads[j].getBoundingClientRect().top < 80) above = heads[j].id;
      }
      setActive(above);
    }, { rootMargin: "-56px 0px -55% 0px" });
    each(heads, function (h) { io.observe(h); });
  }

  /* ---- 7. wide tables scroll inside themselves: make them keyboard-scrollable ---- */
  function initTables() {
    var tables = $$(".content table");
    if (!tables.length) return;
    function check() {
      each(tables, function (t) {
        if (t.scrollWidth > t.clientWidth + 1) {
          t.setAttribute("tabindex", "0");
          if (!t.getAttribute("aria-label")) t.setAttribute("aria-label", "表格（可左右滚动）");
        } else if (t.getAttribute("tabindex") === "0") {
          t.removeAttribute("tabindex");
          if (t.getAttribute("aria-label") === "表格（可左右滚动）") t.removeAttribute("aria-label");
        }
      });
    }
    var timer;
    window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(check, 150); });
    check();
  }

  /* ---- 8. print view: print button, and links between pages become in-page jumps ---- */
  function initPrint() {
    each($$("[data-print]"), function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
    var entries = $$(".print-entry[data-href]");
    if (!entries.length || !window.URL) return;
    var strip = function (u) { return u.split("#")[0].replace(/index\.html$/, ""); };
    var byUrl = {};
    each(entries, function (art) {
      try { byUrl[strip(new URL(art.getAttribute("data-href"), location.href).href)] = art.id; } catch (e) { /* bad URL */ }
    });
    each(entries, function (art) {
      var base;
      try { base = new URL(art.getAttribute("data-href"), location.href); } catch (e) { return; }
      each($$(".content a[href]", art), function (a) {
        var href = a.getAttribute("href");
        if (!href || href.charAt(0) === "#" || /^[a-z][a-z0-9+.-]*:/i.test(href)) return;
        var target;
        try { target = new URL(href, base); } catch (e) { return; }
        var id = byUrl[strip(target.href)];
        // another page of the book: jump within this document; else resolve against the original page
        a.setAttribute("href", id ? "#" + id : target.href);
      });
    });
  }

  function init() {
    safe("print", initPrint);
    safe("links", function () { fixFileLinks(doc); });
    safe("theme", initTheme);
    safe("drawer", initDrawer);
    safe("copy", initCopy);
    safe("anchors", initAnchors);
    safe("rules", initRules);
    safe("toc", initToc);
    safe("tables", initTables);
    safe("sidebar", function () { scrollNavTo($("#sidebar a[aria-current='page']")); });
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})();
