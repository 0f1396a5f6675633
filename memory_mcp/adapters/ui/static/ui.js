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
  // the bulk actions above and below a list are one choice: what is set in one shows in
  // the other (so Enter in either field, or either Apply, does what both say)
  ["select.bulk-action", "input.bulk-to"].forEach(function (selector) {
    var twins = document.querySelectorAll(selector);
    twins.forEach(function (one) {
      ["input", "change"].forEach(function (kind) {
        one.addEventListener(kind, function () {
          twins.forEach(function (other) {
            if (other !== one) {
              other.value = one.value;
            }
          });
        });
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
  // this browser's timezone, named to the server in a cookie on every page: a date typed in
  // Find, or in a link without `tz`, is read there (clock.py page_zone)
  var browserZone = "";
  try {
    browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    browserZone = "";
  }
  if (/^[A-Za-z0-9_+\-\/]+$/.test(browserZone)) {  // an IANA name: safe as a cookie value
    // named by this server's port, as the login cookie (clock.py zone_cookie): cookies go to
    // every port of a host, and another UI there would set this one's
    var port = window.location.port || window.location.protocol.replace(":", "");
    document.cookie = "memory_mcp_tz_" + port + "=" + browserZone +
      "; path=/; max-age=31536000; SameSite=Strict";
  }
  // a date filter read in another timezone than this browser's (a link opened before the
  // cookie existed): read it again here, naming the zone in the address
  var used = document.querySelector("p.zone[data-zone]");
  var params = new URLSearchParams(window.location.search);
  if (used && browserZone && !params.has("tz") && used.getAttribute("data-zone") !== browserZone) {
    params.set("tz", browserZone);
    window.location.replace(window.location.pathname + "?" + params.toString());
    return;
  }
  // times: the page writes them in UTC; shown here in this browser's timezone, named, and
  // the exact moment (local with seconds, and UTC) in the tooltip; an exact one (a memory's
  // page, or Exact times in a list) shows its UTC moment on the page too
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
    var utc = iso.slice(0, 19).replace("T", " ") + " UTC";
    var local = second + (zone ? " " + zone : "");
    var exact = el.hasAttribute("data-exact");
    var inUtc = at.getTimezoneOffset() === 0;
    el.textContent = exact ? local + (inUtc ? "" : " (" + utc + ")") :
      minute + (zone ? " " + zone : "");
    el.title = local + " (" + iso + ")";
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
  // a phone-wide screen folds the filters (their summary says how many are set): the
  // results come first, not a screen and a half of fields
  var refused = document.querySelector("main .error");  // then the fields are what to fix
  if (!refused && window.matchMedia && window.matchMedia("(max-width: 40rem)").matches) {
    document.querySelectorAll("details.filters-box").forEach(function (box) {
      box.open = false;
    });
  }
  // a field takes the focus only where typing in it is plainly next: the search box on Find
  // opened afresh (no search, filter, page or notice in its address), the login's token; on
  // a wide screen with a mouse only, never on a phone, where focus opens the keyboard over
  // the page
  var search = document.getElementById("f-q");
  var roomy = window.matchMedia &&
    window.matchMedia("(min-width: 40rem) and (hover: hover) and (pointer: fine)").matches;
  var fresh = window.location.search === "" && window.location.hash === "";
  var next = document.querySelector("[data-focus]") || (fresh ? search : null);
  if (next && roomy) {
    next.focus();
  }
  // "/" jumps to the search box, as on many sites (not while typing in a field)
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
      target.tagName === "SELECT" || target.isContentEditable);
    if (event.key === "/" && !typing && search) {
      event.preventDefault();
      search.focus();
    }
  });
});
