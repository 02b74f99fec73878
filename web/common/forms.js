// Field errors from the API (422 ``fields``: "applicant.phone" → why) shown next to their inputs:
// the input (named by the field's path) gets aria-invalid and aria-describedby pointing at the message.
import { t } from "./i18n.js";

export function fieldId(path) {
  return "f-" + path.replaceAll(".", "-");
}

export function clearErrors(form) {
  for (const message of form.querySelectorAll(".field-error")) message.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
  const summary = form.querySelector(".form-status");
  if (summary) summary.textContent = "";
}

// Shows ``error`` (an ApiError or any error) on ``form``; the first invalid input gets focus.
export function showErrors(form, error) {
  clearErrors(form);
  const summary = form.querySelector(".form-status");
  const unplaced = [];
  let first = null;
  for (const [path, why] of Object.entries(error.fields || {})) {
    const input = form.querySelector("[name='" + CSS.escape(path) + "']");
    if (!input) {
      unplaced.push(path + ": " + why);
      continue;
    }
    const message = document.createElement("p");
    message.className = "field-error";
    message.id = input.id + "-error";
    message.textContent = why;
    input.insertAdjacentElement("afterend", message);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", message.id);
    first = first || input;
  }
  if (summary) {
    const fields = Object.keys(error.fields || {}).length > 0;
    summary.textContent = [fields ? t("form_has_errors") : messageFor(error), ...unplaced].join(" ");
  }
  if (first) first.focus();
  else if (summary) summary.focus();
}

export function messageFor(error) {
  if (error.status === 503 || error.status === 504) return t("error_unavailable");
  return error.message || t("error_generic");
}

// "a.b" → value in a nested body
export function setPath(body, path, value) {
  const parts = path.split(".");
  let target = body;
  for (const part of parts.slice(0, -1)) target = target[part] = target[part] || {};
  target[parts[parts.length - 1]] = value;
}

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// A <dl> of [label key, value] pairs, the empty ones left out.
export function definitionList(pairs) {
  const list = element("dl", { class: "facts" });
  for (const [key, value] of pairs) {
    if (value === undefined || value === null || value === "") continue;
    list.append(element("dt", { text: t(key) }), element("dd", { text: value }));
  }
  return list;
}

// Runs ``action`` when ``form`` is submitted: the button disabled meanwhile, errors shown after.
export function onSubmit(form, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    clearErrors(form);
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      showErrors(form, error);
    } finally {
      button.disabled = false;
    }
  });
}
