// Shouce dev server: live reload and the build-error overlay. Injected by `shouce dev`
// only; never part of a built site.
(function () {
  "use strict";
  var overlay = null;
  function showError(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "shouce-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,20,.94);color:#f8f8f2;overflow:auto;padding:2rem;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace";
      document.body.appendChild(overlay);
    }
    overlay.innerHTML = "";
    var h = document.createElement("h2");
    h.textContent = "构建失败 — build failed (the last good version is still served)";
    h.style.cssText = "color:#ff8080;font:bold 18px/1.4 system-ui,sans-serif;margin:0 0 1rem";
    var pre = document.createElement("pre");
    pre.textContent = text;
    pre.style.cssText = "white-space:pre-wrap;margin:0";
    overlay.appendChild(h);
    overlay.appendChild(pre);
  }
  function connect(retries) {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(proto + location.host + "/__shouce/ws");
    var opened = false;
    ws.onopen = function () {
      opened = true;
      if (retries > 0) location.reload();
    };
    ws.onmessage = function (event) {
      var msg = JSON.parse(event.data);
      if (msg.kind === "reload") location.reload();
      else if (msg.kind === "error") showError(msg.text);
    };
    ws.onclose = function () {
      setTimeout(function () { connect(opened ? 1 : retries + 1); }, 1000);
    };
  }
  connect(0);
})();
