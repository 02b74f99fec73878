// One application in full (GET /api/v1/staff/applications/{no}: an audited read of the
// applicant's details) and what the officer may do with it: route (warned before a unit nobody
// works in), record contacts, answer (a preview of what the citizen will read, then a
// confirmation: the answer is final and an SMS goes out), return to the router with a reason.
// Both deadlines (Açık Kapı's and the law's, with the flag once the law's passed unanswered); an
// applicant's objection first, with the answer objected to under it; every answer's verification
// code, linked to the public page that checks it. Under the application, its likely duplicates
// (GET …/similar, after the record): a router groups them with this one into an incident, or adds
// them to this one's; the record of an incident's application says so and links the incident.
import { cachedMe, catalog, staffCall } from "../common/api.js";
import { fillSelect } from "../common/application-form.js";
import { confirmDialog } from "../common/dialog.js";
import { checkFields, definitionList, element, onSubmit } from "../common/forms.js";
import {
  CatalogNames, channelName, contactChannelName, deadlineBadge, formatDate, formatPhone, languageName,
  outcomeName, smsStateName, smsTemplateName, staffName, statusName, timeElement, unitName,
} from "../common/format.js";
import { addStrings, t, tIn } from "../common/i18n.js";
import { reportError, requireStaff, setUpPage } from "../common/layout.js";

addStrings({
  privacy_notice_version: ["Aydınlatma metni sürümü", "Privacy notice version"],
  privacy_notice_not_recorded: ["— (kaydedilmemiş)", "— (not recorded)"],
  identity: ["Kimlik doğrulaması", "Identity check"],
  identity_population_registry: ["Nüfus kaydından doğrulandı (NVİ KPS)", "Verified with the population registry (NVİ KPS)"],
  identity_desk_officer: ["Kimlik kartını masada {officer} gördü", "Identity card seen at the desk by {officer}"],
  identity_not_checked: ["Doğrulanmadı", "Not checked"],
  phone_verified: ["Telefon", "Phone"],
  phone_verified_yes: ["SMS koduyla doğrulandı", "Proven by an SMS code"],
  phone_verified_no: ["Kodla doğrulanmadı", "Not proven by a code"],
});

const current = requireStaff("router", "unit", "admin");
const number = new URLSearchParams(location.search).get("no") || "";
const path = "/staff/applications/" + encodeURIComponent(number);
const forms = {
  route: document.querySelector("#route-form"),
  contact: document.querySelector("#contact-form"),
  answer: document.querySelector("#answer-form"),
  return: document.querySelector("#return-form"),
};
const statusLine = document.querySelector("#record-status");
const groupForm = document.querySelector("#group-form");
const state = { record: null, units: [], names: new CatalogNames(), staffNames: {} };
// The likely duplicates (null until they come, false when they could not be fetched), the
// incidents seen (id → the incident, or null when the officer may not read it), the rows ticked,
// and what the last grouping did (said again after a language switch).
const similar = { entries: null, incidents: {}, picked: new Set(), done: null };

// Which forms an officer of ``role`` sees for an application in ``status``.
function allowed(role, status) {
  if (role === "router") return { route: status === "unrouted" || status === "returned", contact: status !== "answered" };
  if (role === "unit") return { answer: status === "routed", return: status === "routed", contact: status === "routed" };
  return {};
}

const officer = (username) => staffName(username, state.staffNames);
const unitById = (unitId) => state.units.find((unit) => unit.unit_id === unitId);
const unitLabel = (unit) => unit && unitName(unitById(unit.unit_id) || unit);

// --- the record ------------------------------------------------------------------------------

const flag = (kind, key) => element("span", { class: "flag flag-" + kind, "data-flag": kind, text: t(key) });

// The law's limit in words and colour, from the days the server counted (none once answered).
function statutoryBadge(record) {
  const days = record.statutory_days_left;
  if (days === null || days === undefined) return null;
  const state = days < 0 ? "overdue" : days === 0 ? "due_soon" : "fine";
  return deadlineBadge({ due_state: state, days_left: days });
}

// ``key``'s text, marked with its key so that the language switch keeps it (translatePage).
function setText(node, key) {
  node.dataset.i18n = key;
  node.textContent = t(key);
}

// An answer's verification code, linked to the public page that checks it.
function verificationLink(code) {
  return code ? element("a", { class: "verification-code", href: "/dogrula?kod=" + encodeURIComponent(code), text: code }) : null;
}

function answerFacts(answer) {
  return definitionList([
    ["outcome", outcomeName(answer.outcome)], ["answered_at", formatDate(answer.answered_at)],
    ["answered_by", officer(answer.by)], ["verification_code", verificationLink(answer.verification_code)]]);
}

function renderFacts(record) {
  document.querySelector("#record-heading").textContent = t("record_of", { no: record.application_no });
  document.title = t("record_of", { no: record.application_no }) + " — Açık Kapı";
  document.querySelector("#record-badges").replaceChildren(
    ...[element("span", { class: "state", text: statusName(record.status) }), " ", deadlineBadge(record),
      record.escalated ? flag("escalated", "escalated") : null, record.objection ? flag("objection", "objection_flag") : null]
      .filter(Boolean));
  document.querySelector("#escalated-notice").hidden = !record.escalated;
  const due = element("span", {}, timeElement(record.due_at), " ", deadlineBadge(record));
  const statutory = record.statutory_due_at
    ? element("span", { id: "statutory-due" }, timeElement(record.statutory_due_at), " ", statutoryBadge(record),
      record.escalated ? flag("escalated", "escalated") : null)
    : null;
  const facts = definitionList([
    ["status", statusName(record.status)],
    ["kind", state.names.kind(record.kind)], ["category", state.names.category(record.category)],
    ["province", [record.province, record.district].filter(Boolean).join(" / ")],
    ["channel", channelName(record.channel)], ["language", languageName(record.language)],
    ["received_at", formatDate(record.received_at)], ["due_at", due], ["statutory_due_at", statutory],
    ["unit", unitLabel(record.unit)], ["suggested_unit", unitLabel(record.suggested_unit)],
    ["entered_by", officer(record.entered_by)],
    ["privacy_notice_version", record.privacy_notice_version || t("privacy_notice_not_recorded")],
    ["identity", identityText(record.identity)],
    ["phone_verified", t(record.phone_verified ? "phone_verified_yes" : "phone_verified_no")],
  ]);
  document.querySelector("#application-facts").replaceChildren(facts);
  // the applicant's own words, in their language (screen readers pronounce them so)
  for (const [selector, text] of [["#subject", record.subject], ["#description", record.description]]) {
    const node = document.querySelector(selector);
    node.textContent = text || "";
    node.hidden = !text; // erased under KVKK: no empty heading
    if (record.language) node.lang = record.language;
  }
  const applicant = record.applicant || {};
  document.querySelector("#applicant-facts").replaceChildren(record.personal_data_erased
    ? element("p", { text: t("erased") + " " + formatDate(record.personal_data_erased.at) })
    : definitionList([["national_id", applicant.national_id], ["first_name", applicant.first_name],
      ["last_name", applicant.last_name], ["phone", formatPhone(applicant.phone)], ["email", applicant.email]]));
}

// How the applicant was identified (docs/identity.md); none for applications older than the check.
function identityText(identity) {
  if (!identity) return null;
  if (identity.checked_by === "population_registry") return t("identity_population_registry");
  if (identity.checked_by === "desk_officer") return t("identity_desk_officer", { officer: officer(identity.officer) });
  return t("identity_not_checked");
}

function renderAnswer(record) {
  const answer = document.querySelector("#answer");
  answer.hidden = !record.answer;
  // after an objection the answer (when given) is the one to the objection
  setText(answer.querySelector("h2"), record.objection ? "objection_answer_heading" : "answer");
  setText(document.querySelector("#h-answer-form"), record.objection ? "answer_objection_heading" : "answer_heading");
  if (!record.answer) return;
  answer.querySelector(".answer-text").textContent = record.answer.text;
  answer.querySelector(".facts").replaceWith(answerFacts(record.answer));
}

// The applicant's objection, first on the page: when, their words (in their language; gone once
// their personal data is erased), and the answer they objected to.
function renderObjection(record) {
  const box = document.querySelector("#objection");
  const objection = record.objection;
  box.hidden = !objection;
  if (!objection) return;
  // the answer to the objection follows it (the page's other answer stays where an answer goes)
  if (box.nextElementSibling !== document.querySelector("#answer")) box.after(document.querySelector("#answer"));
  box.querySelector(":scope > .facts").replaceWith(definitionList([["objection_filed_at", timeElement(objection.filed_at)]]));
  const text = box.querySelector(".objection-text");
  text.classList.toggle("erased", objection.text === null || objection.text === undefined);
  if (text.classList.contains("erased")) {
    text.removeAttribute("lang");
    setText(text, "objection_text_erased");
  } else {
    delete text.dataset.i18n;
    text.textContent = objection.text;
    if (record.language) text.lang = record.language;
  }
  document.querySelector("#objection-pending").hidden = Boolean(record.answer);
  const first = box.querySelector(".first-answer");
  first.hidden = !record.first_answer;
  if (!record.first_answer) return;
  first.querySelector(".answer-text").textContent = record.first_answer.text;
  first.querySelector(".facts").replaceWith(answerFacts(record.first_answer));
}

function renderSms(messages) {
  const box = document.querySelector("#sms");
  if (messages === null || messages === undefined) {
    box.replaceChildren(element("p", { class: "notice warning", text: t("sms_unavailable") }));
    return;
  }
  if (!messages.length) {
    box.replaceChildren(element("p", { text: t("no_sms") }));
    return;
  }
  const times = (message) => element("ul", { class: "sms-times" },
    ...[["sms_created_at", message.created_at], ["sms_sent_at", message.sent_at],
      ["sms_delivered_at", message.delivered_at], ["sms_failed_at", message.failed_at]]
      .filter(([, at]) => at)
      .map(([key, at]) => element("li", {}, t(key) + ": ", timeElement(at))));
  const head = ["sms_channel", "sms_template", "sms_state", "sms_times", "sms_attempts", "sms_provider", "sms_last_error"];
  box.replaceChildren(element("div", { class: "table-wrap" }, element("table", { class: "sms-list cards", id: "sms-list" },
    element("caption", { class: "visually-hidden", text: t("sms_heading") }),
    element("thead", {}, element("tr", {}, ...head.map((key) => element("th", { scope: "col", text: t(key) })))),
    element("tbody", {}, ...messages.map((message) => element("tr", { "data-template": message.template, "data-state": message.state,
      "data-channel": message.channel || "sms" },
      // an e-mail is the same notice again, sent when its SMS failed: each row says its channel
      element("td", { "data-label": t("sms_channel"), text: t("channel_" + (message.channel || "sms")) }),
      element("td", { "data-label": t("sms_template"), text: smsTemplateName(message.template) }),
      element("td", { "data-label": t("sms_state") }, element("span", { class: "state state-" + message.state, text: smsStateName(message.state) })),
      element("td", { "data-label": t("sms_times") }, times(message)),
      element("td", { "data-label": t("sms_attempts"), text: String(message.attempts ?? "—") }),
      element("td", { "data-label": t("sms_provider"), text: message.provider || "—" }),
      element("td", { "data-label": t("sms_last_error"), text: message.last_error || "—" })))))));
}

function timelineText(entry) {
  if (entry.action === "objected") return t("timeline_objected");
  const details = [];
  if (entry.action === "routed" || entry.action === "returned") details.push(unitName(unitById(entry.unit_id) || entry.unit_id));
  if (entry.action === "answered" && entry.outcome) details.push(outcomeName(entry.outcome));
  if (entry.action === "contacted" && entry.channel) details.push(contactChannelName(entry.channel));
  return [statusName(entry.action), officer(entry.by), ...details, entry.note, entry.reason].filter(Boolean).join(" — ");
}

function renderLists(record) {
  const contacts = record.contacts.map((contact) => element("li", {}, timeElement(contact.at), " — " +
    [contactChannelName(contact.channel), officer(contact.by), contact.note].filter(Boolean).join(" — ")));
  if (!contacts.length) contacts.push(element("li", { class: "hint", text: t("no_contacts") }));
  document.querySelector("#contacts").replaceChildren(...contacts);
  document.querySelector("#timeline").replaceChildren(...record.timeline.map((entry) =>
    element("li", {}, timeElement(entry.at), " — " + timelineText(entry))));
}

// --- the forms -------------------------------------------------------------------------------

function officersText(unit) {
  const count = unit.active_officers;
  if (count === undefined || count === null) return "";
  if (count === 0) return t("officers_none");
  return count === 1 ? t("officers_one") : t("officers_many", { n: count });
}

function renderRouteForm(record) {
  const suggested = record.suggested_unit && record.suggested_unit.unit_id;
  const options = state.units.filter((unit) => unit.active !== false).map((unit) => {
    const notes = [unit.unit_id === suggested ? t("suggested_mark") : "", officersText(unit)].filter(Boolean);
    return [unit.unit_id, unitName(unit) + (notes.length ? " (" + notes.join(", ") + ")" : "")];
  });
  const select = forms.route.unit_id;
  fillSelect(select, options);
  if (!select.value && suggested && options.some(([value]) => value === suggested)) select.value = suggested;
  warnIfNobodyThere();
}

// A unit without an active officer: routing there puts the application in front of no one.
function nobodyThere() {
  const unit = unitById(forms.route.unit_id.value);
  return Boolean(unit) && unit.active_officers === 0;
}

function warnIfNobodyThere() {
  document.querySelector("#route-warning").hidden = !nobodyThere();
}

function renderAnswerPreview() {
  const record = state.record;
  const language = (record && record.language) || "tr";
  const text = forms.answer.text.value;
  const outcome = forms.answer.outcome.value;
  document.querySelector("#answer-count").textContent = t("answer_length", { n: text.length });
  // as the tracking page shows an answer, in the applicant's language
  document.querySelector("#answer-preview").replaceChildren(element("div", { class: "notice success", lang: language },
    element("h5", { text: tIn(language, "answer") }),
    text.trim()
      ? element("p", { class: "answer-text", text })
      : element("p", { class: "empty", lang: document.documentElement.lang, text: t("answer_preview_empty") }),
    outcome ? element("dl", { class: "facts" }, element("dt", { text: tIn(language, "outcome") }),
      element("dd", { text: tIn(language, "outcome_" + outcome) })) : null));
}

// --- likely duplicates and the incident ---------------------------------------------------------

const incidentAddress = (id) => "/konsol/olay?id=" + encodeURIComponent(id);
const incidentSize = (n) => (n === 1 ? t("incident_size_one") : t("incident_size", { n }));

// The incident's title linked to its page ("olayı aç" when the officer may not read the incident).
function incidentLink(id) {
  const incident = similar.incidents[id];
  return element("a", { href: incidentAddress(id), class: "incident-link", text: incident ? incident.title : t("incident_open_link") });
}

// "Bu başvuru bir olayın parçası: <title> (N başvuru)"
function renderIncidentLine(record) {
  const line = document.querySelector("#incident-line");
  line.hidden = !record.incident_id;
  if (!record.incident_id) return;
  const incident = similar.incidents[record.incident_id];
  line.replaceChildren(t("incident_part_of") + " ", incidentLink(record.incident_id),
    incident ? " (" + incidentSize(incident.application_count) + ")" : "");
}

// Reads each incident named (its title, its size) once; one the officer may not read stays null.
async function loadIncidents(ids) {
  await Promise.all([...new Set(ids.filter((id) => id && !(id in similar.incidents)))].map(async (id) => {
    similar.incidents[id] = null;
    try {
      similar.incidents[id] = await staffCall("GET", "/staff/incidents/" + encodeURIComponent(id));
    } catch (error) {
      if (error.status !== 404 && error.status !== 403) reportError(error);
    }
  }));
}

function reasonsText(entry) {
  return (entry.reasons || []).map((reason) => (reason === "similar_text"
    ? t("reason_similar_text", { n: Math.round((entry.score || 0) * 100) })
    : t("reason_" + reason))).join(", ");
}

const canGroup = () => current.role === "router";
// A row a router may tick: one in no incident (an application belongs to at most one).
const pickable = (entry) => !(entry.queue_entry || {}).incident_id;

function similarRow(entry) {
  const queued = entry.queue_entry || {};
  const number = entry.application_no;
  const cells = [];
  if (canGroup()) {
    const box = pickable(entry) ? element("input", { type: "checkbox", id: "pick-" + number, name: "pick", value: number,
      checked: similar.picked.has(number) }) : null;
    if (box) box.addEventListener("change", () => {
      if (box.checked) similar.picked.add(number);
      else similar.picked.delete(number);
      renderGroupForm();
    });
    cells.push(element("td", { class: "pick", "data-label": t("pick") }, box,
      box ? element("label", { for: box.id, class: "visually-hidden", text: t("pick_application", { no: number }) }) : null));
  }
  cells.push(
    element("td", { "data-label": t("application_no") }, element("a", { href: "/konsol/basvuru?no=" + encodeURIComponent(number), text: number })),
    element("td", { class: "subject", "data-label": t("subject"), text: entry.subject || "—" }),
    element("td", { "data-label": t("received_at") }, timeElement(entry.received_at)),
    element("td", { "data-label": t("similar_reasons"), text: reasonsText(entry) }),
    element("td", { "data-label": t("status"), text: statusName(queued.status) || "—" }),
    element("td", { "data-label": t("incident") }, queued.incident_id ? incidentLink(queued.incident_id) : "—"));
  return element("tr", { "data-application-no": number, "data-incident-id": queued.incident_id || null }, ...cells);
}

function renderSimilar() {
  const status = document.querySelector("#similar-status");
  const list = document.querySelector("#similar-list");
  const entries = similar.entries;
  status.textContent = entries === null ? t("similar_loading") : entries === false ? t("similar_unavailable")
    : entries.length ? "" : t("similar_none");
  if (!entries || !entries.length) {
    list.replaceChildren();
    renderGroupForm();
    return;
  }
  const head = [...(canGroup() ? ["pick"] : []), "application_no", "subject", "received_at", "similar_reasons", "status", "incident"];
  list.replaceChildren(element("div", { class: "table-wrap" }, element("table", { id: "similar-table", class: "cards similar-list" },
    element("caption", { class: "visually-hidden", text: t("similar_heading") }),
    element("thead", {}, element("tr", {}, ...head.map((key) => element("th", { scope: "col", text: t(key) })))),
    element("tbody", {}, ...entries.map(similarRow)))));
  renderGroupForm();
}

// The router's grouping: a new incident of this application and the ticked ones, or the ticked
// ones added to this application's incident.
function renderGroupForm() {
  const record = state.record;
  const entries = similar.entries || [];
  const adding = Boolean(record && record.incident_id);
  groupForm.hidden = !(record && canGroup() && (entries.some(pickable) || similar.done));
  document.querySelector("#group-hint").textContent = t(adding ? "group_hint_add" : "group_hint_new");
  document.querySelector("#group-button").textContent = t(adding ? "group_add_button" : "group_button");
  document.querySelector("#group-button").dataset.i18n = adding ? "group_add_button" : "group_button";
  const n = similar.picked.size;
  document.querySelector("#group-selection").textContent = n === 0 ? t("group_selected_none")
    : n === 1 ? t("group_selected_one") : t("group_selected", { n });
  const done = document.querySelector("#group-done");
  if (!similar.done) {
    done.replaceChildren();
    return;
  }
  const { id, added } = similar.done;
  const incident = similar.incidents[id];
  const said = added === undefined ? t("incident_created") : added === 1 ? t("incident_added_one") : t("incident_added", { n: added });
  done.replaceChildren(said + " ", incidentLink(id), incident ? " (" + incidentSize(incident.application_count) + ")" : "");
}

async function loadSimilar() {
  try {
    const answer = await staffCall("GET", path + "/similar");
    similar.entries = answer.similar || [];
  } catch (error) {
    similar.entries = false;
    renderSimilar();
    throw error;
  }
  await loadIncidents(similar.entries.map((entry) => (entry.queue_entry || {}).incident_id));
  renderSimilar();
}

// The incident's title, asked in a dialog (this application's subject to start with); null when
// the officer cancels. A title too short is asked again, saying why.
async function askTitle(initial) {
  let title = initial;
  let problem = null;
  for (;;) {
    const input = element("input", { id: "group-title", name: "title", value: title, required: true, maxlength: "200",
      autocomplete: "off", "aria-invalid": problem ? "true" : null, "aria-describedby": problem ? "group-title-error" : null });
    const field = element("div", { class: "field" }, element("label", { for: input.id, text: t("incident_title") }), input,
      problem ? element("p", { class: "field-error", id: "group-title-error", text: problem }) : null);
    const answer = confirmDialog({ id: "group-dialog", heading: t("group_dialog_heading"),
      text: t("group_dialog_text", { n: similar.picked.size }), confirmLabel: t("group_confirm"), body: [field] });
    // the question is the title: the officer starts there (Enter creates, Escape cancels)
    input.focus();
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      document.querySelector("#group-dialog button.confirm").click();
    });
    if (!(await answer)) return null;
    title = input.value.trim();
    if (title.length >= 3) return title;
    problem = title ? t("field_too_short", { n: 3 }) : t("field_required");
  }
}

// The incident as routing answered it: its applications' queue entries replace the duplicates'.
function grouped(incident, added) {
  similar.incidents[incident.incident_id] = incident;
  const entries = new Map(incident.applications.map((entry) => [entry.application_no, entry]));
  for (const entry of similar.entries || []) {
    if (entries.has(entry.application_no)) entry.queue_entry = entries.get(entry.application_no);
  }
  state.record = { ...state.record, incident_id: incident.incident_id };
  similar.picked.clear();
  similar.done = { id: incident.incident_id, added };
  render();
  const done = document.querySelector("#group-done");
  done.focus();
}

function wireGrouping() {
  let title = null;
  onSubmit(groupForm, async () => {
    const record = state.record;
    const numbers = [...similar.picked];
    if (record.incident_id) {
      const incident = await staffCall("POST", "/staff/incidents/" + encodeURIComponent(record.incident_id) + "/applications",
        { body: { application_nos: numbers } });
      grouped(incident, numbers.length);
    } else {
      const incident = await staffCall("POST", "/staff/incidents", { body: { title, application_nos: [record.application_no, ...numbers] } });
      grouped(incident);
    }
  }, { before: async () => {
    similar.done = null;
    renderGroupForm();
    if (!similar.picked.size) {
      const status = groupForm.querySelector(".form-status");
      status.textContent = t("group_pick_first");
      status.focus();
      return false;
    }
    if (state.record.incident_id) return true;
    title = await askTitle(state.record.subject || "");
    return title !== null;
  } });
}

function render() {
  const record = state.record;
  if (!record) return;
  renderFacts(record);
  renderIncidentLine(record);
  renderSimilar();
  renderObjection(record);
  renderAnswer(record);
  renderSms(record.sms);
  renderLists(record);
  const show = allowed(current.role, record.status);
  for (const [key, form] of Object.entries(forms)) form.hidden = !show[key];
  document.querySelector("#actions").hidden = !Object.values(show).some(Boolean);
  renderRouteForm(record);
  fillSelect(forms.contact.channel, ["phone", "in_person", "sms"].map((code) => [code, contactChannelName(code)]), { blank: null });
  fillSelect(forms.answer.outcome, ["positive", "negative", "informational"].map((code) => [code, outcomeName(code)]));
  renderAnswerPreview();
  document.querySelector("#record").hidden = false;
}

async function load() {
  const record = await staffCall("GET", path);
  state.record = record;
  Object.assign(state.staffNames, record.staff_names || {});
  render();
}

function bodyOf(form, fields) {
  const body = {};
  for (const field of fields) {
    const value = form[field].value.trim();
    if (value !== "") body[field] = value;
  }
  return body;
}

// Posts ``fields`` of a form to /staff/applications/{no}/<action>; the answer is routing's part of
// the record (the applicant's part is the one already read: one audited read per visit, and a
// returned application is no longer the unit's to read).
async function act(key, action, fields) {
  const answer = await staffCall("POST", path + "/" + action, { body: bodyOf(forms[key], fields) });
  const me = cachedMe();
  if (me && me.display_name) state.staffNames[me.username] = me.display_name;
  Object.assign(state.staffNames, answer.staff_names || {});
  state.record = { ...state.record, ...answer, staff_names: state.staffNames };
  forms[key].reset();
  render();
}

// The form is gone (the status moved on): the news, and focus, go to the status line.
function announce(key) {
  statusLine.textContent = t(key);
  statusLine.focus();
}

function wire() {
  forms.route.unit_id.addEventListener("change", warnIfNobodyThere);
  onSubmit(forms.route, async () => {
    await act("route", "route", ["unit_id", "note"]);
    announce("routed_ok");
  }, { before: async () => !nobodyThere() || confirmDialog({
    id: "route-dialog", heading: t("confirm_route_heading"), text: t("no_officer_warning"), confirmLabel: t("route_anyway") }) });

  onSubmit(forms.contact, async () => {
    await act("contact", "contacts", ["channel", "note"]);
    // the form stays for the next contact: emptied, with a note that this one was kept
    forms.contact.querySelector("#contact-saved").textContent = t("contact_saved");
    setTimeout(() => forms.contact.channel.focus());
  }, { before: () => {
    forms.contact.querySelector("#contact-saved").textContent = "";
    return true;
  } });

  forms.answer.text.addEventListener("input", renderAnswerPreview);
  forms.answer.outcome.addEventListener("change", renderAnswerPreview);
  onSubmit(forms.answer, async () => {
    await act("answer", "answer", ["text", "outcome"]);
    announce("answer_sent");
  }, { before: async () => checkFields(forms.answer) && confirmDialog({
    id: "answer-dialog", heading: t("confirm_answer_heading"), text: t("confirm_answer_text"), confirmLabel: t("confirm_send"),
    body: [definitionList([["outcome", outcomeName(forms.answer.outcome.value)]])] }) });

  // no check in the browser: the reason's rules are the server's, shown at the field
  onSubmit(forms.return, async () => {
    await act("return", "return", ["reason"]);
    announce("returned_ok");
  });
}

if (current) {
  setUpPage("console", render);
  wire();
  wireGrouping();
  const names = Promise.all([staffCall("GET", "/units"), catalog()]).then(([units, answer]) => {
    state.units = units || [];
    state.names.add(answer);
  });
  const record = load();
  Promise.all([names, record]).then(render).catch(reportError);
  // the record first (the audited read), then its likely duplicates and its incident
  // (a record that failed is said once, above)
  record.then(() => Promise.all([loadSimilar(), loadIncidents([state.record.incident_id]).then(render)]), () => null)
    .catch(reportError);
}
