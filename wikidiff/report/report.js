// Optional enhancements of a wikidiff report: the page reads the same without them.
(function () {
  "use strict";
  var root = document.querySelector(".wikidiff-report");
  if (!root) return;
  root.classList.add("wd-js");

  function reveal(target) {
    for (var el = target; el && el !== root; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
  }

  function show(id, focus) {
    var target = id ? document.getElementById(id) : null;
    if (!target || !root.contains(target)) return;
    reveal(target);
    target.scrollIntoView({block: "center"});
    target.classList.add("wd-flash");
    window.setTimeout(function () { target.classList.remove("wd-flash"); }, 1600);
    if (focus && target.focus) target.focus({preventScroll: true});
  }

  function fromHash() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (id) show(id, false);
  }

  // open the collapsed parts around an in-page link's target before the browser scrolls to it
  root.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a[href^='#']") : null;
    if (!a) return;
    var target = document.getElementById(a.getAttribute("href").slice(1));
    if (target) reveal(target);
  });
  window.addEventListener("hashchange", fromHash);

  // j/k step through the flags in the order the Flags section lists them (errors, then warnings, then info):
  // to a flag's pin in a diff where one shows it, else to the flag's own entry
  var stops = Array.prototype.map.call(root.querySelectorAll("li.wd-flag"), function (li) {
    var pin = document.getElementById(li.id.replace(/-flag-(\d+)$/, "-spot-$1"));
    return pin && root.contains(pin) ? pin.id : li.id;
  });
  var at = -1;
  function step(delta) {
    if (!stops.length) return;
    at = (at + delta + stops.length) % stops.length;
    show(stops[at], true);
  }

  function setAll(selector, open) {
    root.querySelectorAll(selector).forEach(function (d) { d.open = open; });
  }

  var tools = root.querySelector(".wd-tools");
  if (tools) {
    [["Expand all", function () { setAll("details", true); }],
     ["Collapse unchanged", function () { setAll("details.wd-fold", false); }],
     ["Previous flag (k)", function () { step(-1); }],
     ["Next flag (j)", function () { step(1); }]].forEach(function (spec) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = spec[0];
      b.addEventListener("click", spec[1]);
      tools.appendChild(b);
    });
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (ev.key === "j") step(1);
    else if (ev.key === "k") step(-1);
  });

  if (window.location.hash) fromHash();
})();
