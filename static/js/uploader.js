// The resumable uploader of a work's page (bundled by scripts/build-assets.mjs into
// static/vendor/uploader.bundle.js).
//
// Uppy's S3 multipart mode against our own five endpoints (residency/media/api.py): the file is
// cut into parts of at least 8 MiB, each part is sent to a signed URL (S3 itself, or the app on
// the embedded default), failed parts are retried, and an upload survives a dropped connection,
// a pause, an error ("Try again" sends only the missing parts) and a page reload (Golden
// Retriever keeps the upload's state; a large file must be chosen again, the parts already
// stored are not sent twice).
//
// Our own small interface, no Uppy Dashboard: a button, one row per file with a real <progress>,
// bytes sent and time left, pause/resume and cancel, and a polite live region that announces
// the start, every 10 %, completion, errors and retries. Every visible text comes from the
// template (data-labels, translated there); without JavaScript the plain form stays.
import AwsS3 from "@uppy/aws-s3";
import Uppy from "@uppy/core";
import GoldenRetriever from "@uppy/golden-retriever";

const MiB = 1024 * 1024;
const PART_SIZE = 8 * MiB;
// Retries of one part before the file is marked failed; "Try again" resumes it from there.
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000, 60000, 120000];
// An upload without any progress for this long has a dead connection: restart its open parts.
const STALL_MS = 120 * 1000;
const KEEP_ANNOUNCEMENTS = 6;

const locale = document.documentElement.lang || undefined;

function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}

function formatUnit(value, unit, digits, display) {
  try {
    return new Intl.NumberFormat(locale, {
      style: "unit", unit, unitDisplay: display || "short", maximumFractionDigits: digits,
    }).format(value);
  } catch (e) { // a browser without unit formatting
    return `${value.toFixed(digits)}\u00a0${{ gigabyte: "GB", megabyte: "MB", kilobyte: "kB", byte: "B" }[unit] || ""}`;
  }
}

// Decimal units, like the server's human_size(); `scale` (a file's total) keeps "0 MB of 12.1 MB"
// in one unit.
function formatBytes(bytes, scale) {
  const reference = scale === undefined ? bytes : scale;
  for (const [unit, size] of [["gigabyte", 1e9], ["megabyte", 1e6], ["kilobyte", 1e3]]) {
    if (reference >= size) { return formatUnit(bytes / size, unit, 1); }
  }
  return formatUnit(bytes, "byte", 0, "long");
}

function formatDuration(seconds) {
  if (seconds >= 3600) { return formatUnit(seconds / 3600, "hour", 1, "long"); }
  if (seconds >= 60) { return formatUnit(Math.round(seconds / 60), "minute", 0, "long"); }
  return formatUnit(Math.max(5, Math.ceil(seconds / 5) * 5), "second", 0, "long");
}

function formatPercent(fraction) {
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 }).format(fraction);
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === false || value == null) { continue; }
    if (name === "class") { node.className = value; } else { node.setAttribute(name, value === true ? "" : value); }
  }
  node.append(...children);
  return node;
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// A JSON call to our API; a refusal carries the server's (translated) message as `userMessage`.
async function api(method, url, body, signal) {
  const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
  if (body !== undefined) { headers["Content-Type"] = "application/json"; }
  const response = await fetch(url, {
    method, headers, signal, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    let message = "";
    try { message = (await response.json()).error || ""; } catch (e) { /* not JSON */ }
    const error = new Error(message || `HTTP ${response.status}`);
    error.userMessage = message;
    error.source = { status: response.status };
    throw error;
  }
  return response.status === 204 ? null : response.json();
}

function start(root) {
  const labels = JSON.parse(root.dataset.labels || "{}");
  const t = (key, values) => fill(labels[key] || "", values || {});
  const endpoint = root.dataset.endpoint.replace(/\/+$/, "");
  const slot = root.dataset.slot;
  const resumeHours = Number(root.dataset.resumeHours) || 24;
  let sequence = 0;
  let restoring = false; // files came back after a reload and wait to be resumed

  // -- the interface --------------------------------------------------------------------------
  const input = el("input", { type: "file", multiple: true, hidden: true, tabindex: "-1" });
  const pick = el("button", { type: "button", class: "uploader-pick" }, t("choose"));
  const notice = el("p", { class: "uploader-notice", hidden: true });
  const list = el("ul", { class: "upload-list", "aria-label": t("list"), hidden: true });
  const live = el("div", { class: "visually-hidden", "aria-live": "polite", "data-uploader-live": true });
  root.classList.add("uploader");
  root.replaceChildren(el("div", { class: "uploader-bar" }, pick, input), notice, list, live);
  const plain = root.parentElement && root.parentElement.querySelector("form[data-plain-upload]");
  if (plain) { plain.hidden = true; }

  function announce(message) {
    if (!message) { return; }
    live.append(el("p", {}, message));
    while (live.childElementCount > KEEP_ANNOUNCEMENTS) { live.firstElementChild.remove(); }
  }

  function showNotice(message) {
    notice.textContent = message || "";
    notice.hidden = !message;
  }

  const items = new Map(); // file id -> row

  function item(file) {
    let row = items.get(file.id);
    if (row) { return row; }
    const n = ++sequence;
    const name = el("p", { class: "upload-name", id: `upload-name-${n}` }, file.name);
    const progress = el("progress", { max: String(file.size || 1), value: "0", "aria-labelledby": `upload-name-${n}` });
    const status = el("p", { class: "upload-status" });
    const message = el("p", { class: "upload-message", hidden: true });
    const pause = el("button", { type: "button", class: "button-secondary", "aria-describedby": `upload-name-${n}` }, t("pause"));
    const retry = el("button", { type: "button", class: "button-secondary", "aria-describedby": `upload-name-${n}`, hidden: true }, t("retry"));
    const cancel = el("button", { type: "button", class: "button-secondary upload-cancel", "aria-describedby": `upload-name-${n}` }, t("cancel"));
    const li = el("li", { class: "upload-item", "data-state": "waiting" }, name, progress, status, message,
      el("div", { class: "upload-actions" }, pause, retry, cancel));
    row = {
      id: file.id, name: file.name, li, progress, status, message, pause, retry, cancel,
      decile: 0, samples: [], lastProgressAt: Date.now(), state: "waiting",
    };
    pause.addEventListener("click", () => togglePause(row.id));
    retry.addEventListener("click", () => retryFile(row.id));
    cancel.addEventListener("click", () => cancelFile(row.id));
    items.set(file.id, row);
    list.append(li);
    list.hidden = false;
    return row;
  }

  function setState(row, state) {
    row.state = state;
    row.li.dataset.state = state;
    const active = state === "uploading" || state === "paused";
    row.pause.hidden = !active;
    row.pause.textContent = state === "paused" ? t("resume") : t("pause");
    row.retry.hidden = state !== "failed";
    row.cancel.hidden = state === "done";
  }

  function setMessage(row, content, kind) {
    row.message.replaceChildren(...(content ? [content] : []));
    row.message.className = `upload-message${kind ? ` upload-message-${kind}` : ""}`;
    row.message.hidden = !content;
  }

  function showProgress(row, sent, total) {
    row.progress.max = total || 1;
    row.progress.value = Math.min(sent, total || 1);
    const parts = [t("sent", { sent: formatBytes(sent, total), total: formatBytes(total) })];
    if (row.state === "paused") {
      parts.push(t("paused_status"));
    } else if (row.state === "uploading") {
      const now = Date.now();
      const samples = row.samples;
      if (samples.length && sent < samples[samples.length - 1].bytes) { samples.length = 0; }
      samples.push({ at: now, bytes: sent });
      while (samples.length > 2 && now - samples[0].at > 30000) { samples.shift(); }
      const first = samples[0];
      const seconds = (now - first.at) / 1000;
      if (seconds >= 2 && sent > first.bytes && sent < total) {
        const rate = (sent - first.bytes) / seconds;
        parts.push(t("remaining", { time: formatDuration((total - sent) / rate) }));
      }
    }
    row.status.textContent = parts.join(" · ");
  }

  // -- Uppy -----------------------------------------------------------------------------------
  const uppy = new Uppy({
    id: `residency-${slot}`.replace(/[^A-Za-z0-9_-]/g, "-"),
    autoProceed: false,
    allowMultipleUploadBatches: true,
  });
  const partFiles = new Map(); // signed part URL -> file id, to say which file a failed part belongs to

  function partSize(file) {
    return Math.max(PART_SIZE, Math.ceil(file.size / 10000));
  }

  function expectedPartSize(file, number) {
    const size = partSize(file);
    const count = Math.ceil(file.size / size);
    if (number < count) { return size; }
    return number === count ? file.size - size * (count - 1) : -1;
  }

  function remember(fileId, uploadId, key) {
    if (uppy.getFile(fileId)) { uppy.setFileMeta(fileId, { uploadId, uploadKey: key }); }
  }

  uppy.use(AwsS3, {
    shouldUseMultipart: () => true,
    limit: 3,
    retryDelays: RETRY_DELAYS,
    getChunkSize: partSize,
    async createMultipartUpload(file) {
      const data = await api("POST", endpoint, { slot, filename: file.name, size: file.size, type: file.type || "" });
      remember(file.id, data.uploadId, data.key);
      return { uploadId: data.uploadId, key: data.key };
    },
    async signPart(file, { uploadId, partNumber, signal }) {
      const data = await api("GET", `${endpoint}/${encodeURIComponent(uploadId)}/parts/${partNumber}`, undefined, signal);
      partFiles.set(data.url, file.id);
      return { method: "PUT", url: data.url, headers: data.headers || {} };
    },
    async listParts(file, { uploadId, signal }) {
      const data = await api("GET", `${endpoint}/${encodeURIComponent(uploadId)}/parts`, undefined, signal);
      // A part cut short by a reload or a dropped connection may have been kept by the server:
      // only parts of the expected size count as sent; the others are sent again.
      return data.parts.filter((part) => part.Size == null || part.Size === expectedPartSize(file, part.PartNumber));
    },
    async completeMultipartUpload(file, { uploadId, parts, signal }) {
      const sorted = parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })).sort((a, b) => a.PartNumber - b.PartNumber);
      return api("POST", `${endpoint}/${encodeURIComponent(uploadId)}/complete`, { parts: sorted }, signal);
    },
    // Uppy aborts the whole multipart upload when a file fails; we keep its parts so that
    // "Try again" (or a reload) resumes it. Cancel deletes it; the server expires forgotten ones.
    abortMultipartUpload() {},
    uploadPartBytes(options) {
      return AwsS3.uploadPartBytes(options).then((result) => {
        partFiles.delete(options.signature.url);
        return result;
      }, (error) => {
        if (!error || error.name !== "AbortError") { partFailed(options.signature.url); }
        throw error;
      });
    },
  });
  uppy.use(GoldenRetriever, { expires: resumeHours * 3600 * 1000 });

  function partFailed(url) {
    const row = items.get(partFiles.get(url));
    if (!row) { return; }
    const now = Date.now();
    if (!row.lastRetryNotice || now - row.lastRetryNotice > 10000) {
      row.lastRetryNotice = now;
      announce(t("retrying", { name: row.name }));
    }
  }

  function ghosts() {
    return uppy.getFiles().filter((file) => file.isGhost);
  }

  // A file that failed after its upload was created resumes that upload (only missing parts).
  function prepareResume(fileId) {
    const file = uppy.getFile(fileId);
    if (!file || !file.meta.uploadId) { return; }
    if (!file.s3Multipart || !file.s3Multipart.uploadId) {
      uppy.setFileState(fileId, { s3Multipart: { ...(file.s3Multipart || {}), uploadId: file.meta.uploadId, key: file.meta.uploadKey } });
    }
  }

  function startWaiting() {
    if (ghosts().length) { return; } // new files wait until the reload is sorted out
    const files = uppy.getFiles();
    if (!files.some((file) => !file.progress.uploadStarted && !file.error)) { return; }
    // Uppy's upload() also retries the files that failed: from where they stopped.
    files.filter((file) => file.error).forEach((file) => prepareResume(file.id));
    uppy.upload().catch(() => { /* reported per file */ });
  }

  function addFiles(fileList) {
    const before = new Set(ghosts().map((file) => file.id));
    let revived = false;
    for (const data of fileList) { // File objects
      try {
        const id = uppy.addFile(data);
        if (before.has(id)) { revived = true; }
      } catch (error) {
        showNotice(error && error.isRestriction ? t("duplicate", { name: data.name }) : t("not_added", { name: data.name }));
      }
    }
    if (revived) { resumeRestored(); } else { startWaiting(); }
  }

  pick.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    showNotice("");
    addFiles(Array.from(input.files || []));
    input.value = "";
  });

  uppy.on("file-added", (file) => {
    const row = item(file);
    if (!file.progress.uploadStarted) {
      setState(row, "waiting");
      showProgress(row, 0, file.size);
      setMessage(row, null);
    }
  });

  uppy.on("upload-start", (files) => {
    for (const file of files) {
      const row = item(file);
      setState(row, "uploading");
      setMessage(row, null);
      row.samples = [];
      row.lastProgressAt = Date.now();
      announce(t("started", { name: file.name }));
    }
  });

  uppy.on("upload-progress", (file, progress) => {
    const row = file && items.get(file.id);
    if (!row || row.state === "done") { return; }
    if (row.state !== "paused") { setState(row, "uploading"); }
    const total = progress.bytesTotal || file.size || 0;
    const sent = progress.bytesUploaded || 0;
    row.lastProgressAt = Date.now();
    showProgress(row, sent, total);
    const decile = total ? Math.floor((sent / total) * 10) : 0;
    if (decile > row.decile && decile < 10) {
      row.decile = decile;
      announce(t("progress", { name: file.name, percent: formatPercent(decile / 10) }));
    } else if (decile > row.decile) {
      row.decile = decile;
    }
  });

  uppy.on("upload-success", (file, response) => {
    const row = file && items.get(file.id);
    if (!row) { return; }
    const body = (response && response.body) || {};
    const total = file.size || Number(row.progress.max);
    setState(row, "done");
    showProgress(row, total, total);
    row.progress.value = row.progress.max;
    row.status.textContent = t("sent", { sent: formatBytes(total, total), total: formatBytes(total) });
    const location = body.location || (response && response.uploadURL);
    setMessage(row, location
      ? el("span", {}, t("done"), " ", el("a", { href: location }, t("open", { name: file.name })))
      : el("span", {}, t("done")), "done");
    announce(t("complete", { name: file.name }));
    refreshFileTable();
    // Forget it in Uppy (and in the browser's restore data); the row stays on the page.
    setTimeout(() => { if (uppy.getFile(file.id)) { uppy.removeFile(file.id); } }, 0);
  });

  uppy.on("upload-error", (file, error) => {
    const row = file && items.get(file.id);
    if (!row) { return; }
    const reason = (error && error.userMessage) || t("connection_failed");
    setState(row, "failed");
    setMessage(row, el("span", {}, t("failed", { name: file.name, reason })), "error");
    announce(t("failed", { name: file.name, reason }));
  });

  uppy.on("upload-pause", (file, isPaused) => {
    const row = file && items.get(file.id);
    if (!row) { return; }
    setState(row, isPaused ? "paused" : "uploading");
    row.samples = [];
    row.lastProgressAt = Date.now();
    showProgress(row, file.progress.bytesUploaded || 0, file.size || 0);
    if (!row.restarting) { announce(t(isPaused ? "paused" : "resumed", { name: file.name })); }
  });

  uppy.on("file-removed", (file) => {
    const row = items.get(file.id);
    if (row && row.state !== "done") {
      items.delete(file.id);
      row.li.remove();
      list.hidden = items.size === 0;
    }
    if (ghosts().length === 0 && restoring) { resumeRestored(); }
  });

  uppy.on("is-offline", () => announce(t("offline")));
  uppy.on("back-online", () => announce(t("online")));

  // -- actions ----------------------------------------------------------------------------------
  function togglePause(fileId) {
    const row = items.get(fileId);
    if (!row || uppy.pauseResume(fileId) === undefined) { return; }
    row.pause.focus();
  }

  function retryFile(fileId) {
    const row = items.get(fileId);
    if (!row) { return; }
    if (uppy.getFile(fileId).isGhost) { pick.focus(); return; }
    prepareResume(fileId);
    setState(row, "uploading");
    setMessage(row, null);
    row.pause.focus();
    uppy.retryUpload(fileId).catch(() => { /* reported per file */ });
  }

  function cancelFile(fileId) {
    const row = items.get(fileId);
    const file = uppy.getFile(fileId);
    const uploadId = file && (file.meta.uploadId || (file.s3Multipart && file.s3Multipart.uploadId));
    if (row) { announce(t("cancelled", { name: row.name })); }
    if (file) { uppy.removeFile(fileId); }
    if (uploadId) {
      api("DELETE", `${endpoint}/${encodeURIComponent(uploadId)}`).catch(() => { /* expires on the server */ });
    }
    pick.focus();
  }

  // -- after a reload ----------------------------------------------------------------------------
  function resumeRestored() {
    if (!restoring || ghosts().length) { return; }
    restoring = false;
    showNotice("");
    const files = uppy.getFiles().filter((file) => !file.progress.uploadComplete);
    for (const file of files) {
      prepareResume(file.id);
      const row = item(file);
      if (file.progress.uploadStarted) {
        setState(row, "uploading");
        setMessage(row, null);
        row.samples = [];
        row.lastProgressAt = Date.now();
        announce(t("resuming", { name: file.name }));
      }
    }
    uppy.emit("restore-confirmed"); // Golden Retriever resumes the interrupted uploads
    setTimeout(startWaiting, 0);
  }

  uppy.on("restored", () => {
    const files = uppy.getFiles();
    if (!files.length) { return; }
    restoring = true;
    for (const file of files) {
      const row = item(file);
      const total = file.size || 0;
      const sent = file.progress.uploadComplete ? total : (file.progress.bytesUploaded || 0);
      row.decile = total ? Math.floor((sent / total) * 10) : 0;
      if (file.progress.uploadComplete) {
        setState(row, "done");
        showProgress(row, total, total);
        const location = file.response && file.response.body && file.response.body.location;
        setMessage(row, location ? el("a", { href: location }, t("open", { name: file.name })) : null, "done");
        continue;
      }
      setState(row, file.isGhost ? "ghost" : (file.error ? "failed" : "paused"));
      showProgress(row, sent, total);
      if (file.isGhost) {
        setMessage(row, el("span", {}, t("choose_again", { name: file.name })), "notice");
        announce(t("choose_again", { name: file.name }));
      }
    }
    if (ghosts().length) { showNotice(t("choose_again_all")); }
    resumeRestored();
  });

  // A connection that died without an error (no progress for minutes): restart its open parts.
  setInterval(() => {
    const now = Date.now();
    for (const row of items.values()) {
      const file = uppy.getFile(row.id);
      if (!file || row.state !== "uploading" || now - row.lastProgressAt < STALL_MS) { continue; }
      if ((file.progress.bytesUploaded || 0) >= (file.size || 0)) { continue; } // completing
      row.lastProgressAt = now;
      announce(t("retrying", { name: row.name }));
      row.restarting = true;
      uppy.pauseResume(row.id); // aborts the open parts…
      uppy.pauseResume(row.id); // …and starts again from the parts the server has
      row.restarting = false;
    }
  }, 15000);

  // -- the page's list of files -------------------------------------------------------------------
  async function refreshFileTable() {
    const title = document.getElementById("files-title");
    if (!title || !root.dataset.workUrl) { return; }
    try {
      const response = await fetch(root.dataset.workUrl, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) { return; }
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("files-title");
      const current = title.nextElementSibling;
      const replacement = fresh && fresh.nextElementSibling;
      if (current && replacement && replacement.tagName !== "SECTION") {
        current.replaceWith(document.importNode(replacement, true));
      }
    } catch (e) { /* the list refreshes on the next visit */ }
  }

  return uppy;
}

const root = document.querySelector("[data-uploader]");
if (root && window.fetch && window.Blob && window.Intl) {
  try {
    start(root);
  } catch (error) {
    // The plain form stays usable.
    const plain = root.parentElement && root.parentElement.querySelector("form[data-plain-upload]");
    if (plain) { plain.hidden = false; }
    root.replaceChildren();
    throw error;
  }
}
