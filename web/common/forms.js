// Field errors from the API (422 ``fields``: "applicant.phone" → why) shown next to their inputs:
// the input (named by the field's path) gets aria-invalid and aria-describedby pointing at the message.
// Every text is shown in the page's language only: the server's "Türkçe / English" is cut to the
// reader's half, the page's own by its key; and the errors on show are written again when the
// language changes (<html lang> follows the switch), so a page never mixes the two.
import { currentLanguage, t } from "./i18n.js";

// The error each form shows now, to write again in the other language.
const shown = new Map();
new MutationObserver(() => {
  for (const [form, error] of shown) {
    if (form.isConnected) renderErrors(form, error, { focus: false });
    else shown.delete(form);
  }
}).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });

// A message of the page's own, kept as its key so that it can be written in either language.
export function pageText(key, params) {
  return { key, params };
}

export function fieldId(path) {
  return "f-" + path.replaceAll(".", "-");
}

export function clearErrors(form) {
  shown.delete(form);
  removeErrors(form);
}

function removeErrors(form) {
  for (const message of form.querySelectorAll(".field-error")) message.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    // the error's id goes; a hint the input was described by stays
    const rest = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== input.id + "-error");
    if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
    else input.removeAttribute("aria-describedby");
  }
  const summary = form.querySelector(".form-status");
  if (summary) summary.textContent = "";
}

// Shows ``error`` (an ApiError, any error, or ``{fields: {path: why}}`` where ``why`` is the
// server's text or a ``pageText``) on ``form``; the first invalid input gets focus.
export function showErrors(form, error) {
  shown.set(form, error);
  renderErrors(form, error, { focus: true });
}

function renderErrors(form, error, { focus }) {
  removeErrors(form);
  const summary = form.querySelector(".form-status");
  const unplaced = [];
  let first = null;
  for (const [path, why] of Object.entries(error.fields || {})) {
    const input = form.querySelector("[name='" + CSS.escape(path) + "']");
    if (!input) {
      // a field the form has no input for, named by its label where the page has one
      const name = path.split(".").pop();
      unplaced.push((t(name) !== name ? t(name) : path) + ": " + localText(why));
      continue;
    }
    const message = document.createElement("p");
    message.className = "field-error";
    message.id = input.id + "-error";
    message.textContent = localText(why);
    // a checkbox's message goes under the box and its words, not between them
    const row = input.type === "checkbox" && input.closest(".field");
    (row || input).insertAdjacentElement("afterend", message);
    input.setAttribute("aria-invalid", "true");
    const hints = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== message.id);
    input.setAttribute("aria-describedby", [message.id, ...hints].join(" "));
    first = first || input;
  }
  if (summary) {
    const fields = Object.keys(error.fields || {}).length > 0;
    summary.textContent = [fields ? t("form_has_errors") : messageFor(error), ...unplaced].join(" ");
  }
  if (!focus) return;
  if (first) first.focus();
  else if (summary) summary.focus();
}

// A field's message in the page's language: a ``pageText`` by its key, a server text by its half.
function localText(why) {
  if (why && typeof why === "object" && why.key) return t(why.key, why.params);
  return inOurLanguage(why);
}

export function messageFor(error) {
  // a fault of the page itself (a TypeError…) has nothing to tell an officer
  if (!error || (error instanceof Error && typeof error.status !== "number")) return t("error_generic");
  if (error.status === 0) return t("error_network");
  if (error.status === 503 || error.status === 504) return t("error_unavailable");
  return inOurLanguage(error.message) || t("error_generic");
}

// The server writes every message "Türkçe / English" (messages.bilingual): the reader's half of it.
// A text that joins several such messages has as many separators on each side: cut in the middle.
export function inOurLanguage(text) {
  if (typeof text !== "string") return text;
  const parts = text.split(" / ");
  if (parts.length < 2 || parts.length % 2 !== 0) return text;
  const middle = parts.length / 2;
  return (currentLanguage() === "en" ? parts.slice(middle) : parts.slice(0, middle)).join(" / ");
}

// The browser's own checks of ``form`` (required, minlength, a box to tick) as field errors,
// before asking the server: true when there is nothing to say. The server checks everything again.
export function checkFields(form) {
  const fields = {};
  for (const input of form.querySelectorAll("input, select, textarea")) {
    if (!input.name || input.disabled) continue;
    if (input.type === "checkbox") {
      if (input.required && !input.checked) fields[input.name] = pageText(input.dataset.requiredText || "field_required");
      continue;
    }
    const value = input.value.trim();
    if (input.required && value === "") fields[input.name] = pageText("field_required");
    else if (input.minLength > 0 && value !== "" && value.length < input.minLength) {
      fields[input.name] = pageText("field_too_short", { n: input.minLength });
    }
  }
  if (Object.keys(fields).length === 0) return true;
  showErrors(form, { fields });
  return false;
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

// A <dl> of [label key, value] pairs, the empty ones left out; a value may be text or a node.
export function definitionList(pairs) {
  const list = element("dl", { class: "facts" });
  for (const [key, value] of pairs) {
    if (value === undefined || value === null || value === "") continue;
    const description = element("dd", {});
    description.append(value);
    list.append(element("dt", { text: t(key) }), description);
  }
  return list;
}

// Runs ``action`` when ``form`` is submitted: once at a time (a double click or a second Enter
// while it runs does nothing), the submit button disabled meanwhile, errors shown after.
// ``before`` (optional, may be async) runs first with the button still usable — a question to the
// officer, a check in the browser — and stops the submission by answering false.
export function onSubmit(form, action, { before } = {}) {
  let running = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (running) return;
    running = true;
    const button = form.querySelector("button[type=submit]");
    let disabled = false;
    clearErrors(form);
    try {
      if (before && !(await before(event))) return;
      if (button) {
        button.disabled = disabled = true;
        button.setAttribute("aria-busy", "true");
      }
      await action(event);
    } catch (error) {
      showErrors(form, error);
    } finally {
      running = false;
      if (disabled) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      }
    }
  });
}
