// A room's page, live (progressive enhancement of templates/rooms/room.html, which works alone).
//
// Follows docs/rooms-protocol.md on the shared Socket.IO connection (window.residencyLive(),
// static/js/main.js): joins the room with the number of the last event the page shows, applies
// `room.event`s in order (a gap is filled by `room.replay` after a short wait), replays again
// after a reconnect or a `live.resync`, sends with a client id and re-sends what was not
// acknowledged (the server stores a message once per client id), shows presence and typing,
// and moves the read marker while the page is visible. Texts come translated from the template
// (data-labels on this script's tag); message HTML comes made safe from the server.
(function () {
  "use strict";

  var script = document.currentScript;
  var labels = {};
  try { labels = JSON.parse((script && script.getAttribute("data-labels")) || "{}"); } catch (e) { labels = {}; }
  var log = document.getElementById("room-log");
  if (!log || !log.dataset.last || !window.residencyLive) { return; }
  var socket = window.residencyLive();
  if (!socket) { return; }

  var roomId = parseInt(log.dataset.room, 10);
  var last = parseInt(log.dataset.last, 10) || 0;
  var ahead = {};            // events received past a gap, by number
  var gapTimer = null;
  var replaying = false;
  var pending = {};          // client id -> text, until acknowledged
  var here = {};             // user id -> name
  var form = document.getElementById("message-form");
  var status = document.getElementById("room-status");
  var typingLine = document.getElementById("room-typing");
  var presenceLine = document.getElementById("room-presence");
  var typingTimer = null;
  var lastTypingSent = 0;
  var readSent = 0;

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (m, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : m;
    });
  }

  function say(text) { if (status) { status.textContent = text || ""; } }

  function clientId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function render(message) {
    var item = element("li", "message" + (message.deleted ? " message-deleted" : ""));
    item.id = "m" + message.seq;
    item.dataset.seq = message.seq;
    item.dataset.message = message.id;
    var meta = element("p", "message-meta");
    meta.appendChild(element("strong", "", message.author ? message.author.name : labels.someone));
    meta.appendChild(document.createTextNode(" "));
    var time = element("time", "", new Date(message.created_at).toLocaleString(document.documentElement.lang || undefined));
    time.setAttribute("datetime", message.created_at);
    meta.appendChild(time);
    if (message.edited) { meta.appendChild(document.createTextNode(" ")); meta.appendChild(element("span", "message-edited", labels.edited)); }
    item.appendChild(meta);
    if (message.reply_to) {
      var reply = element("p", "message-reply");
      var link = element("a", "", fill(labels.in_reply, { name: message.reply_to.author ? message.reply_to.author.name : labels.someone }));
      link.href = "#m" + message.reply_to.seq;
      reply.appendChild(link);
      reply.appendChild(document.createTextNode(": " + message.reply_to.text));
      item.appendChild(reply);
    }
    if (message.deleted) {
      var gone = element("p");
      gone.appendChild(element("em", "", message.removed ? labels.removed : labels.deleted));
      item.appendChild(gone);
    } else {
      var text = element("div", "message-text");
      text.innerHTML = message.html;  // escaped and linked by the server (residency/rooms/render.py)
      item.appendChild(text);
    }
    return item;
  }

  function place(message) {
    var existing = log.querySelector('[data-message="' + message.id + '"]');
    var node = render(message);
    if (existing) {
      var actions = existing.querySelector(".message-actions");
      if (actions && !message.deleted) { node.appendChild(actions); }
      log.replaceChild(node, existing);
      return;
    }
    var empty = log.querySelector(".room-empty");
    if (empty) { empty.remove(); }
    var items = log.querySelectorAll("li[data-seq]");
    for (var i = items.length - 1; i >= 0; i--) {
      if (parseInt(items[i].dataset.seq, 10) < message.seq) { items[i].after(node); return; }
    }
    log.prepend(node);
  }

  function apply(event) {
    if (event.room !== roomId) { return; }
    if (event.seq <= last) {
      if (event.type === "change") { place(event.message); }
      return;
    }
    if (event.seq === last + 1) {
      place(event.message);
      last = event.seq;
      while (ahead[last + 1]) { place(ahead[last + 1].message); delete ahead[last + 1]; last += 1; }
      markRead();
    } else {
      ahead[event.seq] = event;
      place(event.message);
      if (!gapTimer) { gapTimer = setTimeout(function () { gapTimer = null; replay(); }, 1500); }
    }
  }

  function replay() {
    if (replaying) { return; }
    replaying = true;
    socket.timeout(15000).emit("room.replay", { room: roomId, after: last }, function (err, answer) {
      replaying = false;
      if (err || !answer || !answer.ok) { return; }
      answer.events.forEach(function (event) { if (event.seq > last) { place(event.message); } });
      last = Math.max(last, answer.last);
      Object.keys(ahead).forEach(function (seq) { if (parseInt(seq, 10) <= last) { delete ahead[seq]; } });
      if (answer.more) { replay(); } else { markRead(); }
    });
  }

  function showPresence() {
    if (!presenceLine) { return; }
    var names = Object.keys(here).map(function (id) { return here[id]; }).sort();
    presenceLine.hidden = names.length === 0;
    presenceLine.textContent = fill(labels.here, { names: names.join(", ") });
  }

  function join() {
    socket.timeout(15000).emit("room.join", { room: roomId, after: last }, function (err, answer) {
      if (err || !answer || !answer.ok) { say(answer && answer.message ? answer.message : labels.offline); return; }
      say("");
      here = {};
      answer.here.forEach(function (person) { here[person.id] = person.name; });
      showPresence();
      answer.events.forEach(function (event) { if (event.seq > last) { place(event.message); } });
      last = Math.max(last, answer.last);
      if (answer.more) { replay(); }
      resend();
      markRead();
    });
  }

  function markRead() {
    var now = Date.now();
    if (document.hidden || now - readSent < 2000) { return; }
    readSent = now;
    socket.emit("room.read", { room: roomId, seq: last }, function () {});
  }

  function send(id) {
    say(labels.sending);
    socket.timeout(10000).emit("message.send", pending[id], function (err, answer) {
      if (err) { return; }  // no answer: sent again after the reconnect
      delete pending[id];
      if (answer && answer.ok) { say(""); apply({ room: roomId, seq: answer.message.seq, type: "message", message: answer.message }); }
      else { say(fill(labels.failed, { reason: answer ? answer.message : "" })); }
    });
  }

  function resend() { Object.keys(pending).forEach(send); }

  socket.on("connect", join);
  socket.on("disconnect", function () { say(labels.offline); });
  socket.on("room.event", apply);
  socket.on("live.resync", replay);
  socket.on("presence", function (change) {
    if (change.room !== roomId) { return; }
    change.joined.forEach(function (person) { here[person.id] = person.name; });
    change.left.forEach(function (id) { delete here[id]; });
    showPresence();
  });
  socket.on("typing", function (event) {
    if (event.room !== roomId || !typingLine) { return; }
    typingLine.textContent = fill(labels.typing, { name: event.user.name });
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typingLine.textContent = ""; }, 4000);
  });
  socket.on("rooms.closed", function () { say(labels.closed); if (form) { form.hidden = true; } });
  document.addEventListener("visibilitychange", markRead);
  setInterval(function () {
    socket.timeout(10000).emit("presence.get", { room: roomId }, function (err, answer) {
      if (err || !answer || !answer.ok) { return; }
      here = {};
      answer.here.forEach(function (person) { here[person.id] = person.name; });
      showPresence();
    });
  }, 60000);

  if (form) {
    var textarea = form.querySelector("textarea");
    var replyField = form.querySelector('input[name="reply_to"]');
    form.addEventListener("submit", function (event) {
      if (!socket.connected) { return; }  // the plain form posts it
      event.preventDefault();
      var text = textarea.value.trim();
      if (!text) { textarea.focus(); return; }
      var id = clientId();
      pending[id] = { room: roomId, client_id: id, text: text };
      if (replyField && replyField.value) { pending[id].reply_to = parseInt(replyField.value, 10); }
      textarea.value = "";
      textarea.focus();
      send(id);
    });
    textarea.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTypingSent > 2500 && socket.connected) { lastTypingSent = now; socket.emit("typing", { room: roomId }); }
    });
  }
  if (socket.connected) { join(); }
})();
