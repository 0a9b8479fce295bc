// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Tell the server the browser's timezone, so visitors see times in their own zone.
  // IANA names ("America/Argentina/Buenos_Aires", "Etc/GMT+5") are valid cookie values as they
  // are; percent-encoding them ("Europe%2FParis") would make the server ignore the cookie.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var saved = (document.cookie.match(/(?:^|;\s*)tz=([^;]*)/) || [])[1];
    if (zone && /^[A-Za-z0-9_+\-\/]+$/.test(zone) && saved !== zone) {
      document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* old browser: UTC it is */ }

  // Move focus to what went wrong (the form's error summary first, else an error message at the
  // top of the page) so keyboard and screen-reader users learn about it at once.
  // The language switcher does not submit itself when its value changes: changing a select box
  // must not load another page (WCAG 3.2.2); its button does that.
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector(".error-summary[data-focus-on-load]") ||
      document.querySelector("[data-focus-on-load]");
    if (target) { target.focus(); }
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
