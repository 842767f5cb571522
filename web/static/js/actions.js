// The play and stop buttons, wherever a page has them:
//   <button data-action="start" data-task="full-pipeline" data-name="Full Pipeline">
//   <button data-action="stop" data-run="<run id>" data-name="Full Pipeline">
// They call the JSON API and then announce `headwater:runs-changed` so live tables re-render.

import { api } from "./api.js";
import { forgetRun, rememberRun } from "./my-runs.js";
import { askNotificationPermission, toast } from "./toast.js";

export const RUNS_CHANGED = "headwater:runs-changed";
export const RUN_STARTED = "headwater:run-started";

/** Tell live parts of the page (htmx `hx-trigger="headwater:runs-changed from:body"`) to refresh. */
export function announceRunsChanged() {
  document.body.dispatchEvent(new CustomEvent(RUNS_CHANGED));
}

async function startRun(button) {
  const run = await api(`/api/v1/tasks/${encodeURIComponent(button.dataset.task)}/runs`, {
    method: "POST",
    json: { documents: button.dataset.documents || "all" },
  });
  rememberRun(run);
  document.body.dispatchEvent(new CustomEvent(RUN_STARTED, { detail: run }));
  toast(`${run.task_name} started.`, { kind: "success", href: `/runs/${run.id}`, linkText: "Follow it" });
}

async function stopRun(button) {
  forgetRun(button.dataset.run);
  const run = await api(`/api/v1/runs/${encodeURIComponent(button.dataset.run)}/cancel`, { method: "POST" });
  toast(`${run.task_name} stopped: ${run.summary}`, { href: `/runs/${run.id}`, linkText: "View run" });
}

/** Handle clicks on every `[data-action]` button of the page. */
export function installRunActions() {
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button || button.disabled) return;
    const action = { start: startRun, stop: stopRun }[button.dataset.action];
    if (!action) return;
    askNotificationPermission();
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      await action(button);
    } catch (error) {
      toast(`${button.dataset.name || "The run"}: ${error.message}`, { kind: "error" });
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      announceRunsChanged();
    }
  });
}
