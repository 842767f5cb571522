// Runs started from this browser, remembered in localStorage (shared by its tabs, kept across
// reloads), so the user hears when one of them completes or fails, on whatever page they are.

import { notify } from "./toast.js";

const KEY = "headwater.myRuns";
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;
const FINAL = new Set(["completed", "failed", "cancelled"]);

function load() {
  try {
    const runs = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(runs) ? runs.filter((run) => Date.now() - run.at < FORGET_AFTER_MS) : [];
  } catch {
    return [];
  }
}

function save(runs) {
  try {
    localStorage.setItem(KEY, JSON.stringify(runs.slice(-20)));
  } catch {
    // Storage full or disabled: notifications are a convenience, not a duty.
  }
}

/** Remember a run this user just started (a RunSnapshot from the API). */
export function rememberRun(run) {
  save([...load().filter((known) => known.id !== run.id), { id: run.id, task: run.task_name, at: Date.now() }]);
}

/** Stop following a run (e.g. this user just stopped it: no need to be told it was cancelled). */
export function forgetRun(id) {
  save(load().filter((known) => known.id !== id));
}

/** The ids of the runs started here that have not finished yet. */
export function myRunIds() {
  return load().map((run) => run.id);
}

/** If `run` is one of ours and it has finished: notify once and forget it. */
export function noticeRun(run) {
  if (!FINAL.has(run.status)) return;
  const runs = load();
  if (!runs.some((known) => known.id === run.id)) return;
  save(runs.filter((known) => known.id !== run.id));
  const kind = { completed: run.success === false ? "error" : "success", failed: "error" }[run.status] || "info";
  const outcome = {
    completed: run.success === false ? "completed with failures" : "completed",
    failed: "failed",
    cancelled: "was cancelled",
  }[run.status];
  notify(`${run.task_name} ${outcome}`, run.summary, { kind, href: `/runs/${run.id}` });
}

/** Check the remembered runs once (they may have finished while no page was open). */
export async function checkMyRuns() {
  for (const id of myRunIds()) {
    try {
      const response = await fetch(`/api/v1/runs/${id}?limit=1`, { credentials: "same-origin" });
      if (response.status === 404) save(load().filter((known) => known.id !== id));
      if (response.ok) noticeRun((await response.json()).run);
    } catch {
      return;
    }
  }
}
