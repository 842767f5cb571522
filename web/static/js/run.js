// The run page: its progress bar, sentence, counts and status follow /ws/progress?run_id=...;
// the documents table (htmx) re-renders when the counts change.

import { followProgress, throttle } from "./progress.js";

const FINAL = new Set(["completed", "failed", "cancelled"]);
const COUNTS_CHANGED = "headwater:counts-changed";
const CONNECTION_TEXT = {
  connecting: "connecting…",
  reconnecting: "reconnecting…",
  live: "live",
  retrying: "connection lost, retrying…",
  gone: "this run no longer exists",
  forbidden: "not allowed to follow this run",
};

/** Percentage of the run's documents in a final state (a finished empty run is 100%). */
export function percentOf(run) {
  const { total, done, failed, skipped } = run.counts;
  if (total === 0) return FINAL.has(run.status) ? 100 : 0;
  return Math.min(100, Math.round(((done + failed + skipped) * 100) / total));
}

function setText(element, text) {
  if (element && element.textContent !== text) element.textContent = text;
}

function renderRun(section, run) {
  const percent = percentOf(run);
  const bar = document.getElementById("run-progress");
  bar.value = percent;
  bar.setAttribute("aria-valuenow", String(percent));
  bar.dataset.status = run.status;
  setText(bar, `${percent}%`);
  setText(document.getElementById("run-summary"), run.summary); // the live region: read out on change
  const badge = document.querySelector("#run-status .badge");
  badge.className = `badge badge-${run.status}`;
  setText(badge, run.status);
  const counts = { ...run.counts, pending: Math.max(0, run.counts.total - run.counts.done - run.counts.failed - run.counts.skipped) };
  for (const [name, value] of Object.entries(counts)) {
    setText(section.querySelector(`[data-count="${name}"]`), String(value));
  }
  const rate = run.rate_per_minute ? `${run.rate_per_minute.toFixed(1)}/min` : "—";
  setText(document.getElementById("run-rate"), rate);
  const stop = document.getElementById("run-stop");
  if (stop) stop.hidden = !(run.status === "queued" || run.status === "running");
  section.dataset.status = run.status;
  section.dataset.revision = String(run.revision);
}

function start() {
  const section = document.getElementById("run");
  if (!section) return;
  const connection = document.getElementById("connection");
  let revision = Number(section.dataset.revision);
  let counts = `${section.dataset.counts},${section.dataset.status}`; // as the page was rendered
  const refreshDocuments = throttle(() => document.body.dispatchEvent(new CustomEvent(COUNTS_CHANGED)), 1000);
  followProgress({
    runId: section.dataset.runId,
    onRun(run) {
      if (run.revision < revision) return;
      revision = run.revision;
      renderRun(section, run);
      const { total, done, failed, skipped } = run.counts;
      const key = `${total},${done},${failed},${skipped},${run.status}`;
      if (key !== counts) refreshDocuments();
      counts = key;
    },
    onState(state, info) {
      connection.dataset.state = state;
      setText(connection, CONNECTION_TEXT[state] || state);
      if (state === "live" && info && info.reconnected) refreshDocuments();
    },
  });
}

start();
