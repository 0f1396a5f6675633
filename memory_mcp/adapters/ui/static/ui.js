// memory-mcp web UI: small conveniences only; every page works without this file.
// It never builds markup from memory text (no innerHTML anywhere).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // "select all shown" ticks every row's checkbox
  document.querySelectorAll("input.pick-all").forEach(function (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input.pick").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
  // "/" jumps to the search box, as on many sites (not while typing in a field)
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
      target.tagName === "SELECT" || target.isContentEditable);
    var search = document.getElementById("f-q");
    if (event.key === "/" && !typing && search) {
      event.preventDefault();
      search.focus();
    }
  });
});
