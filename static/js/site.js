/* The menu collapses behind a button on narrow screens (issue 14). Without this script the menu stays open. */
(function () {
  "use strict";
  function setup() {
    var button = document.querySelector(".nav-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!button || !menu) { return; }
    document.documentElement.classList.add("js-nav");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }
  /* A form that came back with errors: focus its error summary, so a screen reader reads it and the keyboard
     starts there (WCAG 3.3.1). Only the first summary, and only once per page load. */
  function focusErrors() {
    var summary = document.querySelector(".error-summary");
    if (!summary) { return; }
    if (!summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
    summary.focus();
  }
  function start() { setup(); focusErrors(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
