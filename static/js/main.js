// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Tell the server the browser's timezone, so visitors see times in their own zone.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=") === -1) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* old browser: UTC it is */ }

  // Move focus to the error summary so keyboard and screen-reader users hear what went wrong.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) { summary.focus(); }
    // The language switcher submits on change; its button stays for users without JavaScript.
    var select = document.getElementById("language-select");
    if (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    }
  });

  // One shared live connection for pages that load the Socket.IO client.
  window.residencyLive = function () {
    if (!window.io || !document.body.dataset.live) { return null; }
    if (!window._residencySocket) {
      var socket = window.io({ transports: ["websocket", "polling"] });
      socket.on("session.ended", function () {
        socket.disconnect();
        window.location.reload();
      });
      window._residencySocket = socket;
    }
    return window._residencySocket;
  };
})();
