// alpage console: small progressive enhancements. Every page works without
// this file; it only adds copy buttons, the mobile menu toggle and closing of
// open menus. htmx (htmx.min.js) does the rest through attributes.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // Controls that need JavaScript are rendered hidden and revealed here.
  function reveal(root) {
    if (!root.querySelectorAll) {
      return;
    }
    if (root.matches && root.matches("[data-copy],[data-nav-toggle]")) {
      root.hidden = false;
    }
    root.querySelectorAll("[data-copy],[data-nav-toggle]").forEach(function (el) {
      el.hidden = false;
    });
  }

  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (d !== except && !d.contains(except)) {
        d.open = false;
      }
    });
  }

  function copy(button) {
    var input = document.querySelector(button.getAttribute("data-copy"));
    if (!input) {
      return;
    }
    input.focus();
    input.select();
    var done = function () {
      var label = button.querySelector("[data-copy-label]");
      if (label) {
        label.textContent = button.getAttribute("data-copied");
      }
      button.classList.add("is-done");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  }

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (e) { reveal(e.target); });

  document.addEventListener("click", function (e) {
    var target = e.target instanceof Element ? e.target : null;
    if (!target) {
      return;
    }
    var copyButton = target.closest("[data-copy]");
    if (copyButton) {
      copy(copyButton);
    }
    var toggle = target.closest("[data-nav-toggle]");
    if (toggle) {
      var nav = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      if (nav) {
        nav.classList.toggle("is-open", open);
      }
    }
    closeMenus(target.closest("details.menu"));
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") {
      return;
    }
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      d.open = false;
      var summary = d.querySelector("summary");
      if (summary) {
        summary.focus();
      }
    });
  });
})();
