// Live update of the admin's job-queue round trip.
(function () {
  "use strict";
  var script = document.currentScript;
  document.addEventListener("DOMContentLoaded", function () {
    var socket = window.residencyLive && window.residencyLive();
    if (!socket) { return; }
    var status = document.getElementById("probe-live");
    var label = script.dataset.doneLabel;
    socket.on("probe.completed", function (data) {
      var row = document.querySelector('tr[data-probe="' + data.id + '"]');
      if (row) {
        var when = new Date(data.completed_at);
        row.querySelector(".probe-done").textContent = when.toLocaleString();
        row.querySelector(".probe-worker").textContent = data.worker;
      }
      status.textContent = label.replace("%(id)s", data.id).replace("%(worker)s", data.worker);
    });
  });
})();
