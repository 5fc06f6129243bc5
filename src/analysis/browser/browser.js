/* Evidence browser: the filters of operation and round pages (no network, no library). */
(function () {
  "use strict";
  function text(el) { return (el.textContent || "").toLowerCase(); }
  document.querySelectorAll("form.filters").forEach(function (form) {
    var kind = form.querySelector('[data-filter="kind"]');
    var reason = form.querySelector('[data-filter="reason"]');
    var words = form.querySelector('[data-filter="text"]');
    var dis = form.querySelector('[data-filter="disagree"]');
    var shown = form.querySelector(".shown");
    function apply() {
      if (dis) {
        document.body.classList.toggle("only-dis", dis.checked);
        var n = document.querySelectorAll('section.rpara[data-disagree="yes"]').length;
        var all = document.querySelectorAll("section.rpara").length;
        if (shown) { shown.textContent = (dis.checked ? n : all) + " paragraphs shown"; }
        return;
      }
      var k = kind ? kind.value : "", r = reason ? reason.value : "";
      var w = words ? words.value.trim().toLowerCase() : "";
      var count = 0;
      document.querySelectorAll("article.para").forEach(function (a) {
        var ok = (!k || a.dataset.kind === k) && (!r || a.dataset.reason === r) &&
                 (!w || text(a).indexOf(w) >= 0);
        a.classList.toggle("hidden", !ok);
        if (ok) { count += 1; }
      });
      document.querySelectorAll("section.kindsec").forEach(function (s) {
        s.classList.toggle("hidden", !s.querySelector("article.para:not(.hidden)"));
      });
      if (shown) { shown.textContent = count + " paragraphs shown on this page"; }
    }
    [kind, reason, words, dis].forEach(function (el) {
      if (el) { el.addEventListener("input", apply); el.addEventListener("change", apply); }
    });
  });
})();
