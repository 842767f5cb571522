// Following runs live over /ws/progress: reconnects with backoff, drops stale revisions.
// The server sends the current state first on every connection, so a reconnect catches up.

import { loginUrl } from "./api.js";

const RUN_NOT_FOUND = 4404;
const UNAUTHORIZED = 4401;
const FORBIDDEN = 4403;
const MAX_DELAY_MS = 30000;

/** The socket's address for one run (or every run). */
export function progressUrl(runId = null) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = runId ? `?run_id=${encodeURIComponent(runId)}` : "";
  return `${scheme}//${location.host}/ws/progress${query}`;
}

/** Delay before reconnect attempt `attempt` (0, 1, ...): 1 s, 2 s, 4 s ... up to 30 s, jittered. */
export function backoffDelay(attempt) {
  const base = Math.min(MAX_DELAY_MS, 1000 * 2 ** attempt);
  return Math.round(base * (0.75 + Math.random() * 0.25));
}

/**
 * Call `onRun(run)` with each new RunSnapshot (never an older revision than one already seen) and
 * `onState(state, info)` when the connection changes: "connecting", "live", "retrying" (info: delay
 * in ms), "gone" (the run does not exist) or "forbidden". Returns `{close()}`.
 */
export function followProgress({ runId = null, onRun, onState = () => {} }) {
  const revisions = new Map();
  let socket = null;
  let attempt = 0;
  let timer = null;
  let stopped = false;

  async function sessionEnded() {
    try {
      const response = await fetch("/api/v1/session", { credentials: "same-origin" });
      return response.status === 401;
    } catch {
      return false; // the server is down: keep retrying
    }
  }

  function connect() {
    onState(attempt === 0 ? "connecting" : "reconnecting");
    socket = new WebSocket(progressUrl(runId));
    socket.addEventListener("open", () => {
      onState("live", { reconnected: attempt > 0 });
      attempt = 0;
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      const run = message && message.run;
      if (!run || typeof run.revision !== "number") return;
      const seen = revisions.get(run.id);
      if (seen !== undefined && run.revision <= seen) return;
      revisions.set(run.id, run.revision);
      onRun(run);
    });
    socket.addEventListener("close", async (event) => {
      if (stopped) return;
      if (event.code === RUN_NOT_FOUND) return onState("gone");
      if (event.code === FORBIDDEN) return onState("forbidden");
      // A refused handshake reaches the browser as 1006, so ask whether the session is over.
      if (event.code === UNAUTHORIZED || (attempt >= 1 && (await sessionEnded()))) {
        location.assign(loginUrl());
        return;
      }
      const delay = backoffDelay(attempt);
      attempt += 1;
      onState("retrying", { delay });
      timer = setTimeout(connect, delay);
    });
  }

  connect();
  return {
    close() {
      stopped = true;
      clearTimeout(timer);
      if (socket) socket.close();
    },
  };
}

/** Call `fn` at most once per `interval` ms, always after the last call (trailing edge). */
export function throttle(fn, interval) {
  let timer = null;
  let last = 0;
  return () => {
    if (timer) return;
    const wait = Math.max(0, last + interval - Date.now());
    timer = setTimeout(() => {
      timer = null;
      last = Date.now();
      fn();
    }, wait);
  };
}
