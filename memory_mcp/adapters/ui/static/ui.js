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
  // times: the page writes them in UTC; shown here in this browser's timezone, named, and
  // the exact moment (local with seconds, and UTC) in the tooltip
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var iso = el.getAttribute("datetime");
    var at = new Date(iso);
    if (isNaN(at.getTime())) {
      return;
    }
    var two = function (n) { return String(n).padStart(2, "0"); };
    var zone = "";
    try {
      new Intl.DateTimeFormat(undefined, { timeZoneName: "short" }).formatToParts(at)
        .forEach(function (part) { if (part.type === "timeZoneName") { zone = part.value; } });
    } catch (e) {
      zone = "";
    }
    var day = String(at.getFullYear()).padStart(4, "0") + "-" + two(at.getMonth() + 1) + "-" +
      two(at.getDate());
    var minute = day + " " + two(at.getHours()) + ":" + two(at.getMinutes());
    var second = minute + ":" + two(at.getSeconds());
    el.textContent = (el.hasAttribute("data-exact") ? second : minute) + (zone ? " " + zone : "");
    el.title = second + (zone ? " " + zone : "") + " (" + iso + ")";
  });
  // dates typed in the filters are read in this browser's timezone, as times are shown:
  // its name goes with the search when a date does (find.py local_time)
  document.querySelectorAll("form[role=search]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var zone = form.elements.tz;
      var dated = ["since", "until"].some(function (name) {
        return form.elements[name] && form.elements[name].value.trim() !== "";
      });
      if (zone) {
        try {
          zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
        } catch (e) {
          zone.value = "";
        }
        zone.disabled = !dated || zone.value === "";
      }
    });
  });
  // a time typed in the edit form without an offset is this browser's local time too
  document.querySelectorAll("form.edit").forEach(function (form) {
    form.addEventListener("submit", function () {
      var zone = form.elements.tz;
      try {
        zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
      } catch (e) {
        zone.value = "";
      }
      zone.disabled = zone.value === "";
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
