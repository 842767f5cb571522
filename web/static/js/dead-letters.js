// Retry and discard buttons of the Dead letters page (operators).

import { api } from "./api.js";
import { refreshRegion } from "./refresh.js";
import { toast } from "./toast.js";

const DONE = {
  retry: (letter) =>
    letter.retry_run_id
      ? { message: "Retrying: the document runs through the pipeline again.", href: `/runs/${letter.retry_run_id}`, linkText: "Follow the run" }
      : { message: "Retrying: the record was sent again." },
  discard: () => ({ message: "Dead letter discarded." }),
};

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-letter-action]");
  if (!button || button.disabled) return;
  const action = button.dataset.letterAction;
  const row = button.closest("tr");
  row.querySelectorAll("button").forEach((b) => {
    b.disabled = true;
  });
  button.setAttribute("aria-busy", "true");
  try {
    const letter = await api(`/api/v1/dead-letters/${encodeURIComponent(button.dataset.letterId)}/${action}`, { method: "POST" });
    const { message, href = null, linkText } = DONE[action](letter);
    toast(message, { kind: "success", href, linkText });
  } catch (error) {
    toast(`Could not ${action} the dead letter: ${error.message}`, { kind: "error" });
  } finally {
    await refreshRegion("dead-letters");
    document.getElementById("dead-letters")?.focus();
  }
});
