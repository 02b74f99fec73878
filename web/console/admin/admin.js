// What the admin screens (/konsol/yonetim/...) share: the admin-only page set-up, what happened
// said in the page's alert region, form dialogs that give focus back, confirmations, the "shown
// once" box for new passwords and keys, and table rows that stay readable on a phone.
import { staffCall } from "../../common/api.js";
import { confirmDialog } from "../../common/dialog.js";
import { unitName } from "../../common/format.js";
import { element } from "../../common/forms.js";
import { addStrings, currentLanguage, t } from "../../common/i18n.js";
import { pageAlert, reportError, requireStaff, setUpPage, showAlert } from "../../common/layout.js";
import { ADMIN_STRINGS } from "./strings.js";

addStrings(ADMIN_STRINGS);

// The admin's session (null, after sending anyone else away) and the console's header, whose
// admin menu leads to every admin page. ``redraw`` runs after a language switch.
export function setUpAdminPage(redraw = () => {}) {
  const current = requireStaff("admin");
  if (!current) return null;
  setUpPage("console", () => {
    clearSecrets();
    redraw();
  });
  return current;
}

// --- what happened ----------------------------------------------------------------------------

export function announce(text) {
  showAlert(text, { kind: "success" });
}

// A failure in the page's alert region, which gets focus (it is at the top of the page: a
// keyboard or magnifier user is taken to it).
export function problem(error) {
  reportError(error);
  pageAlert().focus();
}

// Runs ``action`` (a call made from a table's button), saying its failure; true if it worked.
export async function attempt(action) {
  try {
    await action();
    return true;
  } catch (error) {
    problem(error);
    return false;
  }
}

// --- dialogs ----------------------------------------------------------------------------------

// Opens ``dialog`` (a <dialog> of the page holding a form) modally; when it closes, focus goes
// back to where it was (the button that opened it), or to ``fallback`` if that button is gone.
export function openDialog(dialog, fallback) {
  const opener = document.activeElement;
  dialog.addEventListener("close", () => {
    const target = opener && opener.isConnected ? opener : fallback && document.querySelector(fallback);
    if (target) target.focus();
  }, { once: true });
  dialog.showModal();
}

// Asks before something that changes an account, a unit or a key: true if confirmed.
export function confirmed(heading, text, confirmLabel) {
  return confirmDialog({ heading, text, confirmLabel, id: "confirm-dialog" });
}

// --- a secret shown once (a new password, an API key) ------------------------------------------

export function showOnce(container, { label, value }) {
  const valueId = "secret-" + Math.random().toString(36).slice(2);
  const heading = element("h2", { id: valueId + "-heading", tabindex: "-1", text: t("adm_shown_once") });
  const copied = element("p", { class: "copy-status", role: "status" });
  const copy = element("button", { type: "button", class: "secondary copy", text: t("adm_copy") });
  copy.addEventListener("click", async () => {
    copied.textContent = (await copyText(value, document.getElementById(valueId))) ? t("adm_copied") : t("adm_copy_failed");
  });
  container.replaceChildren(element("section", { class: "shown-once", "aria-labelledby": heading.id },
    heading,
    element("p", { class: "secret-label", id: valueId + "-label", text: label }),
    element("p", { class: "secret-row" },
      element("code", { class: "secret", id: valueId, "aria-labelledby": valueId + "-label", text: value }), copy),
    copied,
    element("p", { class: "secret-warning", text: t("adm_not_shown_again") })));
  container.hidden = false;
  heading.focus();
}

// A language switch redraws the page: the secret's texts would stay in the old language, and it
// has been read by then anyway.
function clearSecrets() {
  for (const box of document.querySelectorAll("#secret")) {
    box.replaceChildren();
    box.hidden = true;
  }
}

async function copyText(value, node) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(value);
      return true;
    }
  } catch {
    // refused (no permission): select the text for the admin instead
  }
  const range = document.createRange();
  range.selectNodeContents(node);
  const selection = getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

// --- tables -----------------------------------------------------------------------------------

// A row whose cells are [column heading key, content]: on a narrow screen each cell says what it
// is (data-label, shown by admin.css when the table stacks into cards).
export function row(attributes, cells) {
  return element("tr", attributes, ...cells.map(([key, content]) =>
    element("td", { "data-label": t(key) }, ...[].concat(content).map(textOrNode))));
}

function textOrNode(value) {
  return value === null || value === undefined || value === "" ? t("none") : value;
}

// Replaces the rows of ``tbody``; a control that had focus in the old rows (marked with
// data-focus-key) has it again in the new ones, so a keyboard user stays where they were. If it
// is gone (a revoked key has no Revoke), focus goes to the alert region saying what happened.
export function replaceRows(tbody, rows) {
  const active = document.activeElement;
  const key = active && tbody.contains(active) ? active.dataset.focusKey : null;
  tbody.replaceChildren(...rows);
  if (key) (tbody.querySelector("[data-focus-key='" + CSS.escape(key) + "']") || pageAlert()).focus();
}

export function emptyRow(tbody, key) {
  const columns = tbody.closest("table").querySelectorAll("thead th").length;
  replaceRows(tbody, [element("tr", {}, element("td", { colspan: String(columns), class: "empty", text: t(key) }))]);
}

// A button of a table row: its visible text, and the row's name for screen readers (every row
// has an "Edit"; each says whose).
export function rowButton(key, name, focusKey, onClick, { danger = false } = {}) {
  const button = element("button", { type: "button", class: "secondary small" + (danger ? " danger-outline" : ""),
    "data-focus-key": focusKey }, t(key), element("span", { class: "visually-hidden", text: " — " + name }));
  button.addEventListener("click", onClick);
  return button;
}

export function activeText(active) {
  return t(active ? "adm_active" : "adm_inactive");
}

// --- names --------------------------------------------------------------------------------------

// The text of ``prefix + code``, or the code itself when there is none.
export function nameOr(key, code) {
  const text = t(key);
  return text === key ? code : text;
}

export function localCompare(left, right) {
  return String(left).localeCompare(String(right), currentLanguage());
}

// The province's units (each with active_officers), for tables, selects and names.
export async function loadUnits() {
  return (await staffCall("GET", "/units")) || [];
}

// Fills ``select`` with ``units`` grouped by district (the province-wide ones first), by name.
export function fillUnitSelect(select, units, { blank = "choose" } = {}) {
  const chosen = select.value;
  const groups = new Map();
  for (const unit of [...units].sort((left, right) => localCompare(unitName(left), unitName(right)))) {
    const district = unit.district || "";
    if (!groups.has(district)) groups.set(district, []);
    groups.get(district).push(unit);
  }
  const districts = [...groups.keys()].sort((left, right) => (left === "" ? -1 : right === "" ? 1 : localCompare(left, right)));
  select.replaceChildren();
  if (blank) select.append(element("option", { value: "", text: t(blank) }));
  for (const district of districts) {
    const group = element("optgroup", { label: district || t("adm_province_wide") });
    for (const unit of groups.get(district)) group.append(element("option", { value: unit.unit_id, text: unitName(unit) }));
    select.append(group);
  }
  if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
}
