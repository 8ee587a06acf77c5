/* storydiff web app: the little the pages need beyond the report view's own script.
   Never writes HTML from data (no innerHTML); works from data- attributes only. */
(function () {
  "use strict";

  // compare form: one more article textarea per click; show progress while the server compares
  var add = document.getElementById("add-text");
  var texts = document.getElementById("texts");
  if (add && texts) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var labels = texts.querySelectorAll("label.article");
      var copy = labels[labels.length - 1].cloneNode(true);
      copy.firstChild.textContent = "Article " + (labels.length + 1) + " ";
      copy.querySelector("textarea").value = "";
      texts.appendChild(copy);
      copy.querySelector("textarea").focus();
    });
  }
  var form = document.querySelector("form.compare");
  if (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      button.textContent = "Comparing\u2026";
    });
    // coming back to the form (history) must not leave it disabled
    window.addEventListener("pageshow", function () {
      var button = form.querySelector("button[type=submit]");
      button.disabled = false;
      button.textContent = "Compare";
    });
  }

  // coverage matrix: clicking a fact selects its finding in the side-by-side view
  Array.prototype.forEach.call(document.querySelectorAll("svg.coverage .m-row"), function (row) {
    row.addEventListener("click", function () {
      var card = document.querySelector('.sd-card[data-f="' + row.getAttribute("data-finding") + '"]');
      if (!card) return;
      Array.prototype.forEach.call(document.querySelectorAll("svg.coverage .m-row.is-active"), function (r) {
        r.classList.remove("is-active");
      });
      row.classList.add("is-active");
      document.getElementById("side-by-side").scrollIntoView({ behavior: "smooth" });
      if (card.getAttribute("aria-pressed") !== "true") card.click();
      card.scrollIntoView({ block: "nearest" });
    });
  });
})();
