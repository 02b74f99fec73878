// One application in full (GET /api/v1/staff/applications/{no}: an audited read of the
// applicant's details) and what the officer may do with it: route (warned before a unit nobody
// works in), record contacts, answer (a preview of what the citizen will read, then a
// confirmation: the answer is final and an SMS goes out), return to the router with a reason.
// Both deadlines (Açık Kapı's and the law's, with the flag once the law's passed unanswered); an
// applicant's objection first, with the answer objected to under it; every answer's verification
// code, linked to the public page that checks it.
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
const state = { record: null, units: [], names: new CatalogNames(), staffNames: {} };

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
  const head = ["sms_template", "sms_state", "sms_times", "sms_attempts", "sms_provider", "sms_last_error"];
  box.replaceChildren(element("div", { class: "table-wrap" }, element("table", { class: "sms-list cards", id: "sms-list" },
    element("caption", { class: "visually-hidden", text: t("sms_heading") }),
    element("thead", {}, element("tr", {}, ...head.map((key) => element("th", { scope: "col", text: t(key) })))),
    element("tbody", {}, ...messages.map((message) => element("tr", { "data-template": message.template, "data-state": message.state },
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

function render() {
  const record = state.record;
  if (!record) return;
  renderFacts(record);
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
  const names = Promise.all([staffCall("GET", "/units"), catalog()]).then(([units, answer]) => {
    state.units = units || [];
    state.names.add(answer);
  });
  Promise.all([names, load()]).then(render).catch(reportError);
}
