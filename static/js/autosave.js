// Autosave of an application draft, and live word counters. Progressive enhancement only: without
// this file the "Save draft" button saves, and the word limit is written next to each text.
//
// Every few seconds the answers changed since the last save are sent as JSON to the form's
// data-endpoint (with the CSRF token from <meta name="csrf-token">). Typed text is never lost: a
// failed save keeps the changes marked as unsaved and tries again, waiting longer each time;
// leaving the page with unsaved changes asks for confirmation. The result is announced in the
// polite live region #autosave-status ("Saved at 14:05"). Every text comes from data-labels.
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.JSON) { return; }

  var INTERVAL = 5000;
  var RETRIES = [5, 10, 20, 30, 60];
  var labels = {};
  try { labels = JSON.parse(form.getAttribute("data-labels") || "{}"); } catch (e) { labels = {}; }
  var status = document.getElementById("autosave-status");
  var endpoint = form.getAttribute("data-endpoint");
  var PREFIX = "answer-";

  function t(key, values) {
    return String(labels[key] || "").replace(/\{(\w+)\}/g, function (match, name) {
      return values && name in values ? String(values[name]) : match;
    });
  }

  function say(message) { if (status) { status.textContent = message; } }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // -- word counting: the same rule as the server (residency/applications/validation.py) --------
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g;
  var WORD_CHAR = /\w/;
  try { WORD_CHAR = new RegExp("[\\p{L}\\p{N}_]", "u"); } catch (e) { /* old browser: ASCII words */ }

  function countWords(text) {
    var words = 0;
    (text || "").split(/\s+/).forEach(function (token) {
      if (!token) { return; }
      var ideographs = (token.match(CJK) || []).length;
      words += ideographs;
      token.replace(CJK, " ").split(" ").forEach(function (piece) {
        if (piece && WORD_CHAR.test(piece)) { words += 1; }
      });
    });
    return words;
  }

  function setUpCounter(area) {
    var limit = Number(area.getAttribute("data-word-limit"));
    var output = form.querySelector('[data-word-count="' + area.id + '"]');
    if (!limit || !output) { return; }
    output.hidden = false;
    var timer = null;
    function update() {
      var count = countWords(area.value);
      output.textContent = count > limit
        ? t("words_over", { count: count, over: count - limit, limit: limit })
        : t("words", { count: count, limit: limit });
      output.classList.toggle("error-message", count > limit);
    }
    update();
    // Updated after a pause in typing, so screen readers are not told every keystroke.
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 700);
    });
  }

  Array.prototype.forEach.call(form.querySelectorAll("textarea[data-word-limit]"), setUpCounter);

  // -- saving -------------------------------------------------------------------------------------
  var dirty = {};      // question id -> true while its latest value is not saved
  var invalid = {};    // question id -> true when the server refused its value (not sent again until changed)
  var sending = null;  // the answers in flight
  var attempt = 0;
  var nextTry = 0;
  var stopped = false;

  function questionId(element) {
    var name = element.name || "";
    return name.indexOf(PREFIX) === 0 ? name.slice(PREFIX.length) : null;
  }

  function valueOf(id) {
    var fields = form.querySelectorAll('[name="' + PREFIX + id.replace(/"/g, '\\"') + '"]');
    if (fields.length && fields[0].type === "checkbox") {
      return Array.prototype.filter.call(fields, function (f) { return f.checked; }).map(function (f) { return f.value; });
    }
    if (fields.length && fields[0].type === "radio") {
      var chosen = Array.prototype.filter.call(fields, function (f) { return f.checked; })[0];
      return chosen ? chosen.value : "";
    }
    return fields.length ? fields[0].value : "";
  }

  function markDirty(event) {
    var id = questionId(event.target);
    if (id !== null && !stopped) {
      dirty[id] = true;
      delete invalid[id];
    }
  }

  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);

  function labelOf(id) {
    var field = document.getElementById("q-" + id);
    if (!field) { return id; }
    var legend = field.tagName === "FIELDSET" ? field.querySelector("legend") : form.querySelector('label[for="q-' + id + '"]');
    var text = legend && (legend.querySelector("span") || legend);
    return text ? text.textContent.trim() : id;
  }

  function send() {
    var ids = Object.keys(dirty);
    if (sending || stopped || !ids.length || Date.now() < nextTry) { return; }
    var answers = {};
    var bases = {};
    ids.forEach(function (id) {
      answers[id] = valueOf(id);
      var base = baseField(id);
      if (base) { bases[id] = base.value; }
    });
    sending = answers;
    dirty = {};
    say(t("saving"));
    fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ answers: answers, bases: bases }),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (result) {
      sending = null;
      var body = result.body || {};
      if (result.status === 200 || result.status === 422) {
        attempt = 0;
        var errors = body.errors || {};
        var failing = Object.keys(errors);
        Object.keys(answers).forEach(function (id) { delete invalid[id]; });
        failing.forEach(function (id) { if (!dirty[id]) { invalid[id] = true; } });
        // What this page saved is its new starting point: "Save draft" leaves out the answers
        // still equal to it (read_answers in residency/applications/forms.py).
        Object.keys(answers).forEach(function (id) {
          var base = errors[id] ? null : baseField(id);
          if (base) { base.value = JSON.stringify(answers[id]); }
        });
        showReplaced(body.replaced || []);
        if (failing.length) {
          say(t("invalid", { fields: failing.map(function (id) { return labelOf(id) + " (" + errors[id].join(" ") + ")"; }).join("; ") }));
        } else {
          say(t("saved", { time: body.saved_at_text || "" }));
        }
        return;
      }
      if (result.status >= 500 || result.status === 408 || result.status === 429) { throw new Error("retry"); }
      // Refused for good (deadline passed, no longer allowed, expired session): keep the text in
      // the page, stop sending, say why. The "Save draft" button still posts the whole form.
      restore(answers);
      stopped = true;
      say(t("refused", { reason: (body.error && (body.error.message || body.error)) || result.status }));
    }).catch(function () {
      sending = null;
      restore(answers);
      var wait = RETRIES[Math.min(attempt, RETRIES.length - 1)];
      attempt += 1;
      nextTry = Date.now() + wait * 1000;
      say(t("failed", { seconds: wait }));
    });
  }

  function baseField(id) {
    return form.querySelector('input[name="base-' + id.replace(/"/g, '\\"') + '"]');
  }

  // Answers saved elsewhere (another window, a co-applicant) that this save replaced: shown above
  // the form, as text, so that the artist can take back what they need.
  function showReplaced(items) {
    if (!items.length) { return; }
    var box = document.getElementById("replaced-answers-live");
    if (!box) {
      box = document.createElement("section");
      box.id = "replaced-answers-live";
      box.className = "notice";
      box.setAttribute("role", "status");
      var title = document.createElement("h2");
      title.textContent = t("replaced_title");
      var intro = document.createElement("p");
      intro.textContent = t("replaced_intro");
      box.appendChild(title);
      box.appendChild(intro);
      box.appendChild(document.createElement("dl"));
      form.parentNode.insertBefore(box, form);
    }
    var list = box.querySelector("dl");
    items.forEach(function (item) {
      var term = document.createElement("dt");
      term.textContent = item.label;
      var detail = document.createElement("dd");
      var quote = document.createElement("blockquote");
      quote.className = "replaced-answer";
      quote.textContent = item.text;
      detail.appendChild(quote);
      list.appendChild(term);
      list.appendChild(detail);
    });
  }

  // Answers that were not saved are marked unsaved again (unless they are already).
  function restore(answers) {
    Object.keys(answers).forEach(function (id) { dirty[id] = true; });
  }

  function unsaved() {
    return Object.keys(dirty).length > 0 || Object.keys(invalid).length > 0 || sending !== null;
  }

  setInterval(send, INTERVAL);
  window.addEventListener("online", function () { nextTry = 0; send(); });
  window.addEventListener("beforeunload", function (event) {
    if (unsaved() && !form.dataset.submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  form.addEventListener("submit", function () { form.dataset.submitting = "1"; });
})();
