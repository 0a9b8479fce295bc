// Progressive enhancement: the call page shows the full date without this file. This adds a live
// countdown to elements with data-countdown="<ISO instant>", corrected for the device's clock
// being off (data-server-now is the server's time when the page was made).
(function () {
  "use strict";

  var UNITS = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];

  function formatter(lang, unit) {
    try {
      return new Intl.NumberFormat(lang, { style: "unit", unit: unit, unitDisplay: "long" });
    } catch (e) {
      return { format: function (n) { return n + " " + unit + (n === 1 ? "" : "s"); } };
    }
  }

  function describe(seconds, lang) {
    var parts = [];
    for (var i = 0; i < UNITS.length && parts.length < 3; i++) {
      var count = Math.floor(seconds / UNITS[i][1]);
      seconds -= count * UNITS[i][1];
      // Seconds only in the last hour: a ticking number is distracting for most of the wait.
      if ((count > 0 || parts.length) && (UNITS[i][0] !== "second" || parts.length < 2)) {
        parts.push(formatter(lang, UNITS[i][0]).format(count));
      }
    }
    if (!parts.length) { parts.push(formatter(lang, "second").format(0)); }
    try {
      return new Intl.ListFormat(lang, { style: "long", type: "unit" }).format(parts);
    } catch (e) {
      return parts.join(" ");
    }
  }

  function start(element) {
    var deadline = Date.parse(element.getAttribute("data-countdown"));
    var serverNow = Date.parse(element.getAttribute("data-server-now"));
    if (isNaN(deadline)) { return; }
    var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();
    var lang = document.documentElement.lang || undefined;
    var template = element.getAttribute("data-template") || "{time}";
    var timer = null;

    function update() {
      var left = Math.floor((deadline - (Date.now() + skew)) / 1000);
      if (left <= 0) {
        element.textContent = element.getAttribute("data-done") || "";
        if (timer) { window.clearInterval(timer); }
        return;
      }
      element.textContent = template.replace("{time}", describe(left, lang));
    }

    update();
    element.hidden = false;
    timer = window.setInterval(update, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var elements = document.querySelectorAll("[data-countdown]");
    for (var i = 0; i < elements.length; i++) { start(elements[i]); }
  });
})();
