/* storydiff report view: select a finding, scroll every column to its evidence, filter.
   Reads only data- attributes and never writes HTML (no innerHTML): article text stays text. */
(function () {
  "use strict";

  function ids(el, attr) {
    return (el.getAttribute(attr || "data-f") || "").split(" ").filter(Boolean);
  }

  function init(root) {
    if (!root || root.getAttribute("data-sd-ready")) return;
    root.setAttribute("data-sd-ready", "1");
    var cards = Array.prototype.slice.call(root.querySelectorAll(".sd-card"));
    var marks = Array.prototype.slice.call(root.querySelectorAll("mark.sd-ev"));
    var columns = Array.prototype.slice.call(root.querySelectorAll(".sd-doc"));
    var filters = Array.prototype.slice.call(root.querySelectorAll(".sd-filter"));
    var typeSelect = root.querySelector(".sd-type-filter");
    var active = null;

    function cardFor(id) {
      for (var i = 0; i < cards.length; i++) if (cards[i].getAttribute("data-f") === id) return cards[i];
      return null;
    }

    function scrollColumn(col, mark) {
      var top = mark.offsetTop - col.clientHeight / 3;
      if (col.scrollTo) col.scrollTo({ top: Math.max(0, top), behavior: "smooth" });
      else col.scrollTop = Math.max(0, top);
    }

    function select(id, revealCard) {
      active = id === active ? null : id;
      root.classList.toggle("has-active", active !== null);
      cards.forEach(function (c) {
        var on = c.getAttribute("data-f") === active;
        c.classList.toggle("is-active", on);
        c.setAttribute("aria-pressed", on ? "true" : "false");
      });
      marks.forEach(function (m) {
        m.classList.toggle("is-active", active !== null && ids(m).indexOf(active) >= 0);
        m.classList.toggle("is-value", active !== null && ids(m, "data-v").indexOf(active) >= 0);
      });
      columns.forEach(function (col) {
        var first = active === null ? null : col.querySelector("mark.sd-ev.is-active");
        var note = col.querySelector(".sd-absent-note");
        if (note) note.hidden = active === null || first !== null;
        if (first) scrollColumn(col, first);
      });
      var card = active === null ? null : cardFor(active);
      if (card && revealCard) card.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }

    function applyFilters() {
      var kinds = {};
      filters.forEach(function (b) { kinds[b.getAttribute("data-kind")] = b.getAttribute("aria-pressed") === "true"; });
      var type = typeSelect ? typeSelect.value : "";
      var shown = {};
      cards.forEach(function (c) {
        var on = kinds[c.getAttribute("data-kind")] !== false && (!type || c.getAttribute("data-type") === type);
        c.hidden = !on;
        if (on) shown[c.getAttribute("data-f")] = true;
      });
      Array.prototype.forEach.call(root.querySelectorAll(".sd-section"), function (s) {
        s.hidden = !s.querySelector(".sd-card:not([hidden])");
      });
      marks.forEach(function (m) { m.classList.toggle("is-off", !ids(m).some(function (i) { return shown[i]; })); });
      if (active !== null && !shown[active]) select(active, false);
      return shown;
    }

    cards.forEach(function (c) {
      c.addEventListener("click", function () { select(c.getAttribute("data-f"), false); });
      c.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(c.getAttribute("data-f"), false); }
      });
    });
    marks.forEach(function (m) {
      m.addEventListener("click", function () {
        if (m.classList.contains("is-off")) return;
        var shown = applyFilters();
        var own = ids(m).filter(function (i) { return shown[i]; });
        // clicking again cycles through the findings that share this piece of text
        var next = own[(own.indexOf(active) + 1) % own.length];
        if (next === active) return;
        select(next, true);
      });
    });
    filters.forEach(function (b) {
      b.addEventListener("click", function () {
        b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
        applyFilters();
      });
    });
    if (typeSelect) typeSelect.addEventListener("change", applyFilters);
  }

  function initAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".sd-report"), init);
  }

  window.storydiffReport = { init: init, initAll: initAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
