// Re-read the current page and swap in the new content of one region (by id): tables change
// after an action without a full reload, and without a fragment route per table.

/** Replace the content of the element with id `regionId` by its content in a fresh copy of this page. */
export async function refreshRegion(regionId) {
  const response = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById(regionId);
  const current = document.getElementById(regionId);
  if (fresh && current) current.replaceChildren(...fresh.childNodes);
}
