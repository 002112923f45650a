// /patrol without a reload: ask /api/findings for rows newer than the newest shown and put them on top.
// The page reads the same without this script; it builds rows with text nodes only (no HTML from the server).
(function () {
  "use strict";
  var table = document.getElementById("wdw-findings");
  if (!table || table.dataset.live !== "yes") return;
  var body = table.tBodies[0];
  var status = document.getElementById("wdw-live");
  var newest = parseInt(table.dataset.newest, 10) || 0;
  var every = Math.max(1000, parseInt(table.dataset.pollMs, 10) || 5000);
  var failures = 0;

  function say(text) { status.hidden = false; status.textContent = text; }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    if (cls) td.className = cls;
    if (text !== null && typeof text === "object") td.appendChild(text); else td.textContent = text || "";
    tr.appendChild(td);
    return td;
  }

  function link(href, text) {
    if (!href) return document.createTextNode(text || "");
    var a = document.createElement("a");
    a.href = href;  // built by the server for the wiki's own https pages or this app
    a.textContent = text;
    return a;
  }

  function row(f) {
    var tr = document.createElement("tr");
    tr.dataset.id = String(f.id);
    tr.className = "wdw-new";
    cell(tr, String(f.id), "num");
    cell(tr, f.timestamp);
    cell(tr, f.wiki);
    cell(tr, link(f.links.page, f.title));
    cell(tr, f.links.user ? link(f.links.user, f.user) : (f.user || "(hidden)"));
    cell(tr, f.severity, "wdw-sev " + (["error", "warning", "info"].indexOf(f.severity) >= 0 ? f.severity : ""));
    cell(tr, f.codes.join(", "));
    cell(tr, f.comment);
    var td = cell(tr, "");
    if (f.links.audit) { td.appendChild(link(f.links.audit, "audit")); td.appendChild(document.createTextNode(" ")); }
    if (f.links.diff) td.appendChild(link(f.links.diff, "diff"));
    return tr;
  }

  function query() {
    var params = new URLSearchParams();
    var shown = new URLSearchParams(window.location.search);  // the filters this page was made with
    ["wiki", "code", "severity"].forEach(function (name) {
      if (shown.get(name)) params.set(name, shown.get(name));
    });
    params.set("after_id", String(newest));
    params.set("limit", "200");
    return "/api/findings?" + params.toString();
  }

  function poll() {
    fetch(query(), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        failures = 0;
        var rows = data.findings || [];
        for (var i = rows.length - 1; i >= 0; i--) {
          body.insertBefore(row(rows[i]), body.firstChild);
          newest = Math.max(newest, rows[i].id);
        }
        if (rows.length) {
          var none = document.getElementById("wdw-none");
          if (none) none.remove();
        }
        say("Live: new findings appear at the top (checked " + new Date().toLocaleTimeString() + ").");
      })
      .catch(function (err) {
        failures += 1;
        say("Live updates paused (" + err.message + "); retrying.");
      })
      .then(function () { window.setTimeout(poll, every * Math.min(8, Math.pow(2, failures))); });
  }

  say("Live: new findings appear at the top.");
  window.setTimeout(poll, every);
})();
