// Uploading PDFs from the Tasks page: drop them on the zone or pick them with the file input.
// Each file is posted to /api/v1/documents with its own progress bar (XMLHttpRequest reports
// upload progress, fetch does not), then links to the live-ingestion run it joined.

import { CSRF_HEADER, csrfToken, errorMessage, parseJson } from "./api.js";
import { announceRunsChanged } from "./actions.js";

const PARALLEL_UPLOADS = 2;

function isPdf(file) {
  return file.type === "application/pdf" || /\.pdf$/i.test(file.name);
}

function megabytes(bytes) {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** One line of the upload list: name, progress bar, state. */
function listItem(list, file) {
  const item = document.createElement("li");
  const name = document.createElement("span");
  name.className = "file-name";
  name.textContent = file.name;
  const bar = document.createElement("progress");
  bar.max = 100;
  bar.value = 0;
  bar.setAttribute("aria-label", `Upload of ${file.name}`);
  const state = document.createElement("span");
  state.className = "file-state";
  state.textContent = "waiting";
  item.append(name, bar, state);
  list.append(item);
  return { item, bar, state };
}

function fail(row, message) {
  row.state.textContent = message;
  row.state.classList.add("failed");
  row.item.dataset.state = "failed";
}

function succeed(row, accepted) {
  row.bar.value = 100;
  row.item.dataset.state = "uploaded";
  row.state.textContent = accepted.duplicate ? "already uploaded " : "uploaded ";
  if (accepted.run_id) {
    const link = document.createElement("a");
    link.href = `/runs/${accepted.run_id}`;
    link.textContent = "follow live ingestion";
    link.className = "run-link";
    row.state.append("— ", link);
  }
}

/** Post one file; resolves when it is answered (never rejects: failures are shown on its line). */
function uploadOne(file, row) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/v1/documents");
    request.setRequestHeader(CSRF_HEADER, csrfToken());
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.round((event.loaded * 100) / event.total);
      row.bar.value = Math.min(99, percent); // 100 once the server has stored it
      row.state.textContent = `uploading ${percent}%`;
    });
    request.addEventListener("load", () => {
      const body = parseJson(request.responseText);
      if (request.status === 202 && body) succeed(row, body);
      else if (request.status === 401) fail(row, "your session has ended: log in again");
      else fail(row, errorMessage(request.status, body));
      resolve();
    });
    request.addEventListener("error", () => {
      fail(row, "the upload did not reach the server");
      resolve();
    });
    const form = new FormData();
    form.append("file", file, file.name);
    row.state.textContent = "uploading";
    request.send(form);
  });
}

async function uploadAll(files, list, maxBytes) {
  const queue = [];
  for (const file of files) {
    const row = listItem(list, file);
    if (!isPdf(file)) fail(row, "not a PDF: only .pdf files are accepted");
    else if (maxBytes && file.size > maxBytes) fail(row, `too large: ${megabytes(file.size)}, the limit is ${megabytes(maxBytes)}`);
    else queue.push([file, row]);
  }
  const workers = Array.from({ length: PARALLEL_UPLOADS }, async () => {
    while (queue.length) {
      const [file, row] = queue.shift();
      await uploadOne(file, row);
    }
  });
  await Promise.all(workers);
  announceRunsChanged();
}

function start() {
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("upload-input");
  const list = document.getElementById("upload-list");
  if (!zone || !input || !list) return;
  const maxBytes = Number(zone.dataset.maxBytes) || 0;
  input.addEventListener("change", () => {
    const files = Array.from(input.files);
    input.value = "";
    uploadAll(files, list, maxBytes);
  });
  const hasFiles = (event) => event.dataTransfer && Array.from(event.dataTransfer.types).includes("Files");
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      zone.classList.add("dragging");
    });
  }
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove("dragging");
  });
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    uploadAll(Array.from(event.dataTransfer.files), list, maxBytes);
  });
  // A file dropped beside the zone must not make the browser leave the page to open it.
  for (const type of ["dragover", "drop"]) {
    document.addEventListener(type, (event) => {
      if (hasFiles(event) && !zone.contains(event.target)) event.preventDefault();
    });
  }
}

start();
