// In-page notifications (a polite live region, so screen readers hear them too) and,
// when the user allowed it, the browser's own notifications.

const DEFAULT_TIMEOUT_MS = 8000;

/**
 * Show a message at the bottom right: kind "info", "success" or "error", an optional link. It goes
 * away after `timeout` ms; errors stay until dismissed unless a timeout is given.
 */
export function toast(message, { kind = "info", href = null, linkText = "Open", timeout } = {}) {
  if (timeout === undefined) timeout = kind === "error" ? 0 : DEFAULT_TIMEOUT_MS;
  const region = document.getElementById("toasts");
  if (!region) return;
  const item = document.createElement("div");
  item.className = `toast toast-${kind}`;
  const text = document.createElement("span");
  text.textContent = message;
  item.append(text);
  if (href) {
    const link = document.createElement("a");
    link.href = href;
    link.textContent = linkText;
    item.append(link);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "toast-close";
  close.setAttribute("aria-label", "Dismiss");
  close.textContent = "×";
  close.addEventListener("click", () => item.remove());
  item.append(close);
  region.append(item);
  if (timeout) setTimeout(() => item.remove(), timeout);
}

/** Ask for permission to show browser notifications (only from a click: browsers require a gesture). */
export function askNotificationPermission() {
  if ("Notification" in window && Notification.permission === "default") {
    Notification.requestPermission().catch(() => {});
  }
}

/** A toast, plus a browser notification when permission was granted. */
export function notify(title, body, { kind = "info", href = null } = {}) {
  toast(`${title}: ${body}`, { kind, href, linkText: "View run", timeout: 15000 });
  if ("Notification" in window && Notification.permission === "granted") {
    try {
      const notification = new Notification(title, { body, tag: href || title });
      if (href) notification.addEventListener("click", () => window.focus());
    } catch {
      // Some browsers only allow notifications from a service worker; the toast is enough.
    }
  }
}
