// The Admin pages' forms and buttons: each calls the JSON API, says how it went, and re-reads the
// table it changed.
//   <form data-api-form data-method="POST" data-url="/api/v1/users" data-done="..." data-refresh="users">
//     Field values become a JSON body: empty fields are left out, checkboxes are booleans (left out
//     when unchecked unless `data-always`), `data-type="int"` numbers, `data-type="lines"` lists.
//     A field with `data-path-field` fills `{name}` in the URL instead. `data-secret="<id>"` shows the
//     answer's `token` once in that box; `data-run-link` links the toast to the run it started.
//   <button data-api data-method="DELETE" data-url="..." data-body='{"active": false}' data-confirm="...">

import { api } from "./api.js";
import { refreshRegion } from "./refresh.js";
import { toast } from "./toast.js";

function fieldValue(field) {
  if (field.type === "checkbox") return field.checked || "data-always" in field.dataset ? field.checked : undefined;
  const raw = field.value.trim();
  if (raw === "") return undefined;
  if (field.dataset.type === "int") return Number.parseInt(raw, 10);
  if (field.dataset.type === "lines") return raw.split(/\s*\n\s*/).filter(Boolean);
  return raw;
}

function formRequest(form) {
  let url = form.dataset.url;
  const body = {};
  for (const field of form.querySelectorAll("input[name], select[name], textarea[name]")) {
    const value = fieldValue(field);
    if ("pathField" in field.dataset) url = url.replace(`{${field.name}}`, encodeURIComponent(value || ""));
    else if (value !== undefined) body[field.name] = value;
  }
  return { url, body };
}

async function settle(element, answer) {
  const runLink = "runLink" in element.dataset && answer && answer.id ? { href: `/runs/${answer.id}`, linkText: "Follow the run" } : {};
  toast(element.dataset.done || "Done.", { kind: "success", ...runLink });
  const secretBox = element.dataset.secret && document.getElementById(element.dataset.secret);
  if (secretBox && answer && answer.token) {
    secretBox.querySelector("[data-secret-value]").textContent = answer.token;
    secretBox.hidden = false;
    secretBox.focus();
  }
  if (element.dataset.refresh) await refreshRegion(element.dataset.refresh);
}

async function busy(element, work) {
  const controls = element.matches("form") ? element.querySelectorAll("button, input, select, textarea") : [element];
  controls.forEach((control) => {
    control.disabled = true;
  });
  element.setAttribute("aria-busy", "true");
  try {
    await work();
  } catch (error) {
    toast(error.message, { kind: "error" });
  } finally {
    controls.forEach((control) => {
      control.disabled = false;
    });
    element.removeAttribute("aria-busy");
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-api-form]");
  if (!form) return;
  event.preventDefault();
  const { url, body } = formRequest(form);
  busy(form, async () => {
    const answer = await api(url, { method: form.dataset.method || "POST", json: body });
    if ("reset" in form.dataset) form.reset();
    await settle(form, answer);
  });
});

document.addEventListener("click", (event) => {
  const copy = event.target.closest("button[data-copy-secret]");
  if (copy) {
    const value = copy.parentElement.querySelector("[data-secret-value]").textContent;
    navigator.clipboard?.writeText(value).then(
      () => toast("Copied.", { kind: "success" }),
      () => toast("Select the token and copy it by hand.", { kind: "error" }),
    );
    return;
  }
  const button = event.target.closest("button[data-api]");
  if (!button || button.disabled) return;
  if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
  const json = button.dataset.body ? JSON.parse(button.dataset.body) : undefined;
  const region = button.dataset.refresh && document.getElementById(button.dataset.refresh);
  busy(button, async () => {
    const answer = await api(button.dataset.url, { method: button.dataset.method || "POST", json });
    await settle(button, answer);
    region?.focus();
  });
});
