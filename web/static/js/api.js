// Calling Headwater's JSON API from a page: the session cookie rides along, and every
// state-changing request carries the CSRF token (double submit: the cookie's value as a header).

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
export const CSRF_HEADER = "X-CSRF-Token";

/** The CSRF token: the `headwater_csrf` cookie, or the page's <meta name="csrf-token">. */
export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)headwater_csrf=([^;]*)/);
  if (match) return decodeURIComponent(match[1]);
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

/** The login page, coming back to this page afterwards. */
export function loginUrl() {
  return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
  }
}

/** A readable message from an error answer (`{"status_code", "detail", "extra"}`). */
export function errorMessage(status, body) {
  if (status === 413) return "The file is larger than this server accepts.";
  let detail = body && typeof body.detail === "string" ? body.detail : "";
  if (body && Array.isArray(body.extra) && body.extra.length && body.extra[0].message) {
    detail = `${detail}: ${body.extra.map((item) => item.message).join("; ")}`;
  }
  if (status === 403 && !detail) return "You are not allowed to do this.";
  return detail || `The server answered ${status}.`;
}

/** Parse a response body as JSON when it is JSON, else null. */
export function parseJson(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Call the API: `await api("/api/v1/tasks/full-pipeline/runs", {method: "POST", json: {documents: "all"}})`.
 * Resolves with the parsed JSON; rejects with an ApiError carrying a readable message.
 * An expired session sends the browser to the login page.
 */
export async function api(path, { method = "GET", json, body, headers = {} } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (!SAFE_METHODS.has(method)) init.headers[CSRF_HEADER] = csrfToken();
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  const response = await fetch(path, init);
  const data = parseJson(await response.text());
  if (response.status === 401) {
    location.assign(loginUrl());
    throw new ApiError(401, "Your session has ended: log in again.", data);
  }
  if (!response.ok) throw new ApiError(response.status, errorMessage(response.status, data), data);
  return data;
}
