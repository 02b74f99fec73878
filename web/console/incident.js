// An incident (GET /api/v1/staff/incidents/{id}): applications of one province about one matter —
// the same broken street light from many neighbours — grouped by a router, routed and answered as
// one. Its title, who grouped it and when, the unit, the answer, and its applications (number,
// district, status, unit, days left). A router routes it (every application not yet routed goes to
// the unit) and adds applications by number; the officer of the unit it is routed to answers it
// once, with the record's editor, preview and confirmation: the answer is final and each
// application is answered with it, each applicant getting their own SMS.
import { cachedMe, staffCall } from "../common/api.js";
import { fillSelect } from "../common/application-form.js";
import { confirmDialog } from "../common/dialog.js";
import { checkFields, definitionList, element, onSubmit, pageText, showErrors } from "../common/forms.js";
import { deadlineBadge, formatDate, outcomeName, statusName, timeElement, unitName } from "../common/format.js";
import { t } from "../common/i18n.js";
import { reportError, requireStaff, setUpPage, showAlert } from "../common/layout.js";

const current = requireStaff("router", "unit", "admin");
const incidentId = new URLSearchParams(location.search).get("id") || "";
const path = "/staff/incidents/" + encodeURIComponent(incidentId);
const forms = {
  route: document.querySelector("#incident-route-form"),
  add: document.querySelector("#add-form"),
  answer: document.querySelector("#incident-answer-form"),
};
const statusLine = document.querySelector("#incident-status");
const state = { incident: null, units: [] };
const ROUTABLE = ["unrouted", "returned"];

const unitById = (unitId) => state.units.find((unit) => unit.unit_id === unitId);
const unitLabel = (unit) => (unit ? unitName(unitById(unit.unit_id) || unit) : "");

// An officer by display name when it is the one signed in (the incident names usernames only).
function officer(username) {
  const me = cachedMe();
  return me && me.username === username && me.display_name ? me.display_name : username;
}

// The applications the answer goes to: those routed to the incident's unit and still open.
function answerable(incident) {
  const unitId = incident.unit && incident.unit.unit_id;
  return incident.applications.filter((entry) => entry.status === "routed" && entry.unit && entry.unit.unit_id === unitId);
}

// Which forms the officer sees for the incident as it is now.
function allowed(incident) {
  if (current.role === "router") {
    return {
      route: !incident.answer && (!incident.unit || incident.applications.some((entry) => ROUTABLE.includes(entry.status))),
      add: true,
    };
  }
  if (current.role === "unit") {
    return { answer: !incident.answer && Boolean(incident.unit) && incident.unit.unit_id === current.unit_id };
  }
  return {};
}

// --- drawing ---------------------------------------------------------------------------------

function incidentState(incident) {
  if (incident.answer) return "answered";
  return incident.unit ? "routed" : "unrouted";
}

function renderHead(incident) {
  const heading = t("incident_of", { title: incident.title });
  document.querySelector("#incident-heading").textContent = heading;
  document.title = heading + " — Açık Kapı";
  document.querySelector("#incident-badges").replaceChildren(
    element("span", { class: "state", text: statusName(incidentState(incident)) }));
  const size = incident.application_count === 1 ? t("incident_size_one") : t("incident_size", { n: incident.application_count });
  document.querySelector("#incident-facts").replaceChildren(definitionList([
    ["incident_title", incident.title],
    ["created_by", officer(incident.created_by)],
    ["created_at", timeElement(incident.created_at)],
    ["unit", incident.unit ? unitLabel(incident.unit) : t("incident_unit_none")],
    ["application_count", size],
  ]));
}

function renderAnswer(incident) {
  const box = document.querySelector("#incident-answer");
  box.hidden = !incident.answer;
  if (!incident.answer) return;
  box.querySelector(".answer-text").textContent = incident.answer.text;
  box.querySelector(".facts").replaceWith(definitionList([
    ["outcome", outcomeName(incident.answer.outcome)], ["answered_at", formatDate(incident.answer.answered_at)],
    ["answered_by", officer(incident.answer.by)]]));
}

function cell(labelKey, ...content) {
  return element("td", { "data-label": t(labelKey) }, ...content);
}

function renderMembers(incident) {
  const rows = incident.applications.map((entry) => element("tr", {
    class: entry.overdue ? "overdue" : null, "data-application-no": entry.application_no, "data-status": entry.status },
  cell("application_no", element("a", { href: "/konsol/basvuru?no=" + encodeURIComponent(entry.application_no), text: entry.application_no })),
  cell("district", entry.district || "—"),
  cell("status", statusName(entry.status)),
  cell("unit", unitLabel(entry.unit) || "—"),
  cell("days_left", deadlineBadge(entry))));
  if (!rows.length) rows.push(element("tr", {}, element("td", { class: "empty", colspan: "5", text: t("incident_no_applications") })));
  document.querySelector("#members tbody").replaceChildren(...rows);
}

// --- the forms -------------------------------------------------------------------------------

function officersText(unit) {
  const count = unit.active_officers;
  if (count === undefined || count === null) return "";
  if (count === 0) return t("officers_none");
  return count === 1 ? t("officers_one") : t("officers_many", { n: count });
}

// The unit most of the applications were suggested for (routing's suggestion per application).
function suggestedUnit(incident) {
  const counts = new Map();
  for (const entry of incident.applications) {
    const unitId = entry.suggested_unit && entry.suggested_unit.unit_id;
    if (unitId) counts.set(unitId, (counts.get(unitId) || 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] || null;
}

function renderRouteForm(incident) {
  const suggested = suggestedUnit(incident);
  const options = state.units.filter((unit) => unit.active !== false).map((unit) => {
    const notes = [unit.unit_id === suggested ? t("suggested_mark") : "", officersText(unit)].filter(Boolean);
    return [unit.unit_id, unitName(unit) + (notes.length ? " (" + notes.join(", ") + ")" : "")];
  });
  const select = forms.route.unit_id;
  fillSelect(select, options);
  const preferred = (incident.unit && incident.unit.unit_id) || suggested;
  if (!select.value && preferred && options.some(([value]) => value === preferred)) select.value = preferred;
  warnIfNobodyThere();
}

function nobodyThere() {
  const unit = unitById(forms.route.unit_id.value);
  return Boolean(unit) && unit.active_officers === 0;
}

function warnIfNobodyThere() {
  document.querySelector("#incident-route-warning").hidden = !nobodyThere();
}

function renderAnswerForm(incident) {
  const n = answerable(incident).length;
  document.querySelector("#incident-answer-hint").textContent = n === 1 ? t("incident_answer_hint_one") : t("incident_answer_hint", { n });
  const chosen = forms.answer.outcome.value;
  fillSelect(forms.answer.outcome, ["positive", "negative", "informational"].map((code) => [code, outcomeName(code)]));
  forms.answer.outcome.value = chosen;
  renderAnswerPreview();
}

// What each applicant will read on the tracking page (as the record's preview shows it).
function renderAnswerPreview() {
  const text = forms.answer.text.value;
  const outcome = forms.answer.outcome.value;
  document.querySelector("#incident-answer-count").textContent = t("answer_length", { n: text.length });
  document.querySelector("#incident-answer-preview").replaceChildren(element("div", { class: "notice success" },
    element("h5", { text: t("answer") }),
    text.trim() ? element("p", { class: "answer-text", text }) : element("p", { class: "empty", text: t("answer_preview_empty") }),
    outcome ? element("dl", { class: "facts" }, element("dt", { text: t("outcome") }), element("dd", { text: outcomeName(outcome) })) : null));
}

function render() {
  const incident = state.incident;
  if (!incident) return;
  renderHead(incident);
  renderAnswer(incident);
  renderMembers(incident);
  const show = allowed(incident);
  for (const [key, form] of Object.entries(forms)) form.hidden = !show[key];
  document.querySelector("#incident-actions").hidden = !Object.values(show).some(Boolean);
  renderRouteForm(incident);
  const addNote = document.querySelector("#add-note");
  const noteKey = incident.answer ? "add_note_answered" : incident.unit ? "add_note_routed" : null;
  addNote.hidden = !noteKey;
  addNote.textContent = noteKey ? t(noteKey) : "";
  renderAnswerForm(incident);
  document.querySelector("#incident").hidden = false;
}

async function load() {
  state.incident = await staffCall("GET", path);
  render();
}

// The form is gone (the incident moved on): the news, and focus, go to the status line.
function announce(text) {
  statusLine.textContent = text;
  statusLine.focus();
}

// "2026-000123, 2026-000124 2026-000125" → the numbers, each once.
function numbersIn(text) {
  return [...new Set(text.split(/[\s,;]+/).map((part) => part.trim()).filter(Boolean))];
}

function wire() {
  forms.route.unit_id.addEventListener("change", warnIfNobodyThere);
  onSubmit(forms.route, async () => {
    state.incident = await staffCall("POST", path + "/route", { body: { unit_id: forms.route.unit_id.value } });
    render();
    announce(t("incident_routed_ok", { unit: unitLabel(state.incident.unit) }));
  }, { before: async () => checkFields(forms.route) && (!nobodyThere() || confirmDialog({
    id: "incident-route-dialog", heading: t("confirm_route_heading"), text: t("no_officer_warning"), confirmLabel: t("route_anyway") })) });

  onSubmit(forms.add, async () => {
    const numbers = numbersIn(forms.add.application_nos.value);
    state.incident = await staffCall("POST", path + "/applications", { body: { application_nos: numbers } });
    forms.add.reset();
    render();
    // the form stays for more: emptied, with a note of what was added
    document.querySelector("#add-saved").textContent = numbers.length === 1 ? t("added_ok_one") : t("added_ok", { n: numbers.length });
    setTimeout(() => forms.add.application_nos.focus());
  }, { before: () => {
    document.querySelector("#add-saved").textContent = "";
    if (!checkFields(forms.add)) return false;
    if (numbersIn(forms.add.application_nos.value).length) return true;
    showErrors(forms.add, { fields: { application_nos: pageText("field_required") } });
    return false;
  } });

  forms.answer.text.addEventListener("input", renderAnswerPreview);
  forms.answer.outcome.addEventListener("change", renderAnswerPreview);
  let count = 0;
  onSubmit(forms.answer, async () => {
    state.incident = await staffCall("POST", path + "/answer", {
      body: { text: forms.answer.text.value.trim(), outcome: forms.answer.outcome.value } });
    forms.answer.reset();
    render();
    announce(t("incident_answer_sent", { n: count }));
  }, { before: async () => {
    if (!checkFields(forms.answer)) return false;
    count = answerable(state.incident).length;
    return confirmDialog({
      id: "incident-answer-dialog", heading: t("confirm_incident_answer_heading"),
      text: count === 1 ? t("confirm_incident_answer_text_one") : t("confirm_incident_answer_text", { n: count }),
      confirmLabel: t("confirm_send"), body: [definitionList([["outcome", outcomeName(forms.answer.outcome.value)]])] });
  } });
}

if (current) {
  setUpPage("console", render);
  wire();
  if (!/^[0-9a-f]{32}$/.test(incidentId)) {
    showAlert(t("incident_missing"));
  } else {
    const units = staffCall("GET", "/units").then((answer) => {
      state.units = answer || [];
    });
    Promise.all([units, load()]).then(render).catch(reportError);
  }
}
