/* Evidence browser search: loads one data file per operation with <script src> (works from
   file://, no server), then filters by operation, quadrant, market, kind and words. */
(function () {
  "use strict";
  var LIMIT = 200;
  var shards = window.OCB_SHARDS || [];
  var loaded = {};
  window.OCB_DATA = window.OCB_DATA || {};
  function $(id) { return document.getElementById(id); }
  function load(names, done) {
    var todo = names.filter(function (n) { return !loaded[n]; });
    var left = todo.length;
    if (!left) { done(); return; }
    todo.forEach(function (n) {
      var shard = shards.filter(function (s) { return s.name === n; })[0];
      var tag = document.createElement("script");
      tag.src = shard.file;
      tag.onload = tag.onerror = function () {
        loaded[n] = true; left -= 1; if (!left) { done(); }
      };
      document.head.appendChild(tag);
    });
  }
  function escapeHtml(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }
  function snippet(t, w) {
    var i = w ? t.toLowerCase().indexOf(w) : -1;
    if (i < 0) { return escapeHtml(t.length > 300 ? t.slice(0, 300) + "…" : t); }
    var from = Math.max(0, i - 120), to = Math.min(t.length, i + w.length + 180);
    return (from > 0 ? "…" : "") + escapeHtml(t.slice(from, i)) + "<mark>" +
      escapeHtml(t.slice(i, i + w.length)) + "</mark>" + escapeHtml(t.slice(i + w.length, to)) +
      (to < t.length ? "…" : "");
  }
  function run() {
    var op = $("s-op").value, q = $("s-q").value, m = $("s-m").value, k = $("s-k").value;
    var w = $("s-text").value.trim().toLowerCase();
    var names = op ? [op] : shards.map(function (s) { return s.name; });
    $("s-count").textContent = "Searching…";
    load(names, function () {
      var hits = [], seen = {};
      names.forEach(function (n) {
        (window.OCB_DATA[n] || []).forEach(function (p) {
          if (q && p.q.indexOf(q) < 0) { return; }
          if (m && p.m.indexOf(m) < 0) { return; }
          if (k && p.k !== k) { return; }
          if (w && (p.t + " " + p.s + " " + p.id).toLowerCase().indexOf(w) < 0) { return; }
          if (!op && seen[p.id]) { return; }
          seen[p.id] = true;
          hits.push(p);
        });
      });
      var list = $("s-results");
      list.innerHTML = "";
      hits.slice(0, LIMIT).forEach(function (p) {
        var li = document.createElement("li");
        li.className = "hit";
        li.setAttribute("data-para-id", p.id);
        li.innerHTML = '<a href="' + escapeHtml(p.h) + '">' + escapeHtml(p.id) + "</a> " +
          escapeHtml(p.s) + " · " + escapeHtml(p.d) + " · page " + p.pg +
          (p.r ? ' · <strong class="notcounted">NOT COUNTED: ' + escapeHtml(p.r) + "</strong>"
               : "") + "<br>" + snippet(p.t, w);
        list.appendChild(li);
      });
      $("s-count").textContent = hits.length + " paragraphs match" +
        (hits.length > LIMIT ? " (first " + LIMIT + " shown)" : "");
    });
  }
  var form = $("search");
  if (form) {
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) { $("s-text").value = params.get("q"); run(); }
  }
})();
