// Loaded by every page (base.html): the play/stop buttons, live refresh of tables marked
// `data-live-refresh`, and notifications for runs started from this browser.

import { RUN_STARTED, announceRunsChanged, installRunActions } from "./actions.js";
import { checkMyRuns, myRunIds, noticeRun } from "./my-runs.js";
import { followProgress, throttle } from "./progress.js";

const REFRESH_INTERVAL_MS = 1000;

function start() {
  // Module scripts run before htmx's own start (DOMContentLoaded): process the page now, so the
  // hx-trigger listeners exist before the first progress message can fire their events.
  if (window.htmx) window.htmx.process(document.body);
  installRunActions();
  const live = document.querySelector("[data-live-refresh]") !== null;
  const refresh = throttle(announceRunsChanged, REFRESH_INTERVAL_MS);
  let following = null;
  const follow = () => {
    following = following || followAllRuns(live, refresh);
  };
  document.body.addEventListener(RUN_STARTED, follow);
  if (live || myRunIds().length > 0) follow();
  checkMyRuns();
}

function followAllRuns(live, refresh) {
  return followProgress({
    onRun(run) {
      noticeRun(run);
      if (live) refresh();
    },
    onState(state, info) {
      // Whatever finished while we were disconnected is in the database: re-read it.
      if (state === "live" && info && info.reconnected) {
        if (live) refresh();
        checkMyRuns();
      }
    },
  });
}

start();
