// IronCage dashboard: the live format check of the key form, confirmations, and live rotation updates (server-sent
// events). No dependencies; the page works without it (forms post, pages reload).
(function () {
  "use strict";

  function formats() {
    var element = document.getElementById("key-formats");
    if (!element) { return null; }
    try { return JSON.parse(element.textContent || "{}"); } catch (e) { return null; }
  }

  function matches(format, value) {
    try { return new RegExp("^(?:" + format.pattern + ")$").test(value); }
    catch (e) { return format.prefix ? value.indexOf(format.prefix) === 0 : false; }
  }

  function setupFormatCheck() {
    var catalog = formats();
    var key = document.getElementById("key");
    var provider = document.getElementById("provider");
    var kind = document.getElementById("kind");
    var out = document.getElementById("key-format");
    if (!catalog || !key || !provider || !out) { return; }

    function check() {
      var value = key.value.trim();
      out.className = "check";
      if (value.length === 0) { out.textContent = "Format: paste a key to check it against the provider's format."; return; }
      var entry = catalog[provider.value];
      var wanted = kind && kind.value === "admin" ? "admin" : "inference";
      var own = entry ? entry.formats.filter(function (f) { return f.kind === wanted; }) : [];
      if (own.length === 0) { out.textContent = "Format: " + (entry ? entry.name : provider.value) + " has no fixed key format; the provider verify decides."; return; }
      if (own.some(function (f) { return matches(f, value); })) {
        out.className = "check good";
        out.textContent = "Format: matches " + entry.name + "'s " + (wanted === "admin" ? "admin key" : "API key") + " format.";
        return;
      }
      var other = null;
      Object.keys(catalog).some(function (id) {
        if (id === provider.value) { return false; }
        var hit = catalog[id].formats.filter(function (f) { return matches(f, value); })[0];
        if (hit) { other = { id: id, name: catalog[id].name, kind: hit.kind }; return true; }
        return false;
      });
      out.className = "check bad";
      var text = "Format: does not match " + entry.name + "'s format (expected " + own.map(function (f) { return f.description; }).join(" or ") + ").";
      if (other) { text += " It looks like " + (other.kind === "admin" ? "an admin key of " : "a key of ") + other.name + " (" + other.id + ")."; }
      out.textContent = text;
    }

    key.addEventListener("input", check);
    provider.addEventListener("change", check);
    if (kind) { kind.addEventListener("change", check); }
  }

  function setupConfirm() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var message = form && form.getAttribute && form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) { event.preventDefault(); }
    });
  }

  function setupLive() {
    if (!window.EventSource) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-live]"), function (region) {
      var state = region.querySelector(".live-state");
      var source = new EventSource(region.getAttribute("data-live"));
      source.onmessage = function (event) {
        var fragments;
        try { fragments = JSON.parse(event.data); } catch (e) { return; }
        Object.keys(fragments).forEach(function (id) {
          var target = document.getElementById(id);
          if (target && target.innerHTML !== fragments[id]) { target.innerHTML = fragments[id]; }
        });
        if (state) { state.textContent = "Live: updated " + new Date().toLocaleTimeString() + "."; }
        region.setAttribute("data-live-updates", String(Number(region.getAttribute("data-live-updates") || "0") + 1));
      };
      source.onerror = function () { if (state) { state.textContent = "Live: reconnecting…"; } };
      window.addEventListener("pagehide", function () { source.close(); });
    });
  }

  setupFormatCheck();
  setupConfirm();
  setupLive();
})();
