// Live processing state on the work and asset pages (progressive enhancement: without it the
// pages show the state of the moment they were loaded).
//
// Listens to `media.state` {asset, state, failed_step, reason, retryable, derivatives:{profile:
// {state, progress}}} and `media.progress` {asset, profile, progress} on the shared Socket.IO
// connection (window.residencyLive(), static/js/main.js), updates the `[data-asset-state]`
// badges and the `tr[data-derivative="<asset>-<profile>"]` rows, and announces changes of an
// asset's state in a polite live region. Visible texts come translated from the template
// (data-labels on this script's tag).
(function () {
  "use strict";

  var script = document.currentScript;
  var labels = {};
  try { labels = JSON.parse((script && script.getAttribute("data-labels")) || "{}"); } catch (e) { labels = {}; }
  var states = labels.states || {};
  var steps = labels.steps || {};
  var KEEP = 6;

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function percent(fraction) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined, { style: "percent", maximumFractionDigits: 0 }).format(fraction);
    } catch (e) {
      return Math.round(fraction * 100) + "%";
    }
  }

  var live = null;
  function announce(message) {
    if (!message) { return; }
    if (!live) {
      live = document.createElement("div");
      live.className = "visually-hidden";
      live.setAttribute("aria-live", "polite");
      live.setAttribute("data-media-live", "");
      (document.querySelector("main") || document.body).appendChild(live);
    }
    var line = document.createElement("p");
    line.textContent = message;
    live.appendChild(line);
    while (live.childElementCount > KEEP) { live.removeChild(live.firstElementChild); }
  }

  // The file's name as the page shows it: its row in a work's table, or the asset page's heading.
  function assetName(badge) {
    var row = badge.closest("tr");
    var link = row && row.querySelector("th a");
    if (link) { return link.textContent.trim(); }
    var heading = document.querySelector("main h1");
    return heading ? heading.textContent.trim() : "";
  }

  function setProgress(row, fraction) {
    var cell = row.querySelector(".derivative-state");
    if (!cell) { return; }
    var bar = row.querySelector("progress");
    if (!bar) {
      bar = document.createElement("progress");
      bar.max = 1;
      var heading = row.querySelector("th");
      if (heading) { bar.setAttribute("aria-label", heading.textContent.trim()); }
      cell.parentNode.insertBefore(bar, cell.nextSibling);
      cell.parentNode.insertBefore(document.createTextNode(" "), bar);
    }
    var value = Math.max(0, Math.min(1, Number(fraction) || 0));
    bar.value = value;
    bar.textContent = percent(value);
  }

  function updateDerivative(assetId, profile, info) {
    var row = document.querySelector('tr[data-derivative="' + assetId + "-" + profile + '"]');
    if (!row || !info) { return; }
    var cell = row.querySelector(".derivative-state");
    if (cell && info.state) {
      cell.textContent = steps[info.state] || info.state;
      row.setAttribute("data-state", info.state);
    }
    if (info.state === "running") {
      setProgress(row, info.progress);
    } else {
      var bar = row.querySelector("progress");
      if (bar) { bar.parentNode.removeChild(bar); }
    }
  }

  function showReason(badge, reason) {
    var holder = badge.parentNode;
    var note = holder.querySelector(".live-failure");
    if (!reason) {
      if (note) { holder.removeChild(note); }
      return;
    }
    if (!note) {
      note = document.createElement("span");
      note.className = "error-message live-failure";
      holder.appendChild(note);
    }
    note.textContent = reason;
  }

  function onState(data) {
    if (!data || data.asset == null) { return; }
    var badges = document.querySelectorAll('[data-asset-state="' + data.asset + '"]');
    var announced = false;
    for (var i = 0; i < badges.length; i++) {
      var badge = badges[i];
      var label = states[data.state] || data.state;
      var changed = badge.className.indexOf("state-" + data.state) === -1;
      badge.textContent = label;
      badge.className = "state state-" + data.state;
      if (data.state === "failed") {
        // The table of a work already shows the reason under the badge; the asset page in its alert.
        if (!badge.parentNode.querySelector(".error-message") || badge.parentNode.querySelector(".live-failure")) {
          showReason(badge, data.reason);
        }
      } else {
        showReason(badge, "");
      }
      if (changed && !announced) {
        announced = true;
        var name = assetName(badge);
        if (data.state === "failed" && data.reason) {
          announce(fill(labels.failed, { name: name, reason: data.reason }));
        } else {
          announce(name ? fill(labels.changed, { name: name, state: label }) : fill(labels.changed_unnamed, { state: label }));
        }
      }
    }
    var derivatives = data.derivatives || {};
    for (var profile in derivatives) {
      if (Object.prototype.hasOwnProperty.call(derivatives, profile)) {
        updateDerivative(data.asset, profile, derivatives[profile]);
      }
    }
  }

  function onProgress(data) {
    if (!data || data.asset == null || !data.profile) { return; }
    var row = document.querySelector('tr[data-derivative="' + data.asset + "-" + data.profile + '"]');
    if (!row) { return; }
    var cell = row.querySelector(".derivative-state");
    if (cell && row.getAttribute("data-state") !== "running") {
      cell.textContent = steps.running || cell.textContent;
      row.setAttribute("data-state", "running");
    }
    setProgress(row, data.progress);
  }

  // The rows are rendered with the state's code (pending, running…): show its label instead.
  function labelRows() {
    var cells = document.querySelectorAll("tr[data-derivative] .derivative-state");
    for (var i = 0; i < cells.length; i++) {
      var code = cells[i].textContent.trim();
      if (Object.prototype.hasOwnProperty.call(steps, code)) {
        cells[i].textContent = steps[code];
        cells[i].closest("tr").setAttribute("data-state", code);
      }
    }
  }

  function connect() {
    labelRows();
    var socket = window.residencyLive && window.residencyLive();
    if (!socket) { return; }
    socket.on("media.state", onState);
    socket.on("media.progress", onProgress);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
