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
  // the edit form remembers which version its text was typed on (see memory.py _fix_forms)
  document.querySelectorAll("form.edit").forEach(function (form) {
    form.addEventListener("input", function () {
      if (form.elements.base && !form.elements.base.value) {
        form.elements.base.value = form.elements.version.value;
      }
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
