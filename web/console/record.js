// One application in full (GET /api/v1/staff/applications/{no}: an audited read of the
// applicant's details) and what the officer may do with it: route, contact, answer, return.
import { catalog, staffCall } from "../common/api.js";
import { fillSelect } from "../common/application-form.js";
import { definitionList, element, messageFor, onSubmit } from "../common/forms.js";
import { formatDate, localName, t } from "../common/i18n.js";
import { requireStaff, setUpPage } from "../common/layout.js";

const current = requireStaff("router", "unit", "admin");
const number = new URLSearchParams(location.search).get("no") || "";
const path = "/staff/applications/" + encodeURIComponent(number);
const forms = {
  route: document.querySelector("#route-form"),
  contact: document.querySelector("#contact-form"),
  answer: document.querySelector("#answer-form"),
  return: document.querySelector("#return-form"),
};
const state = { record: null, units: [], names: {} };

// Which forms an officer of ``role`` sees for an application in ``status``.
function allowed(role, status) {
  if (role === "router") return { route: status === "unrouted" || status === "returned", contact: status !== "answered" };
  if (role === "unit") return { answer: status === "routed", return: status === "routed", contact: status === "routed" };
  return {};
}

function name(code) {
  return localName(state.names[code]) || code;
}

function render() {
  const record = state.record;
  if (!record) return;
  document.querySelector("#record-heading").textContent = t("record_heading") + " " + record.application_no;
  document.querySelector("#application-facts").replaceChildren(definitionList([
    ["status", t("status_" + record.status) + (record.overdue ? " — " + t("overdue") : "")],
    ["kind", name(record.kind)], ["category", name(record.category)],
    ["province", record.province + " / " + record.district],
    ["channel", t("channel_" + record.channel)], ["language", record.language],
    ["received_at", formatDate(record.received_at)], ["due_at", formatDate(record.due_at)],
    ["unit", record.unit && record.unit.name], ["suggested_unit", record.suggested_unit && record.suggested_unit.name],
    ["entered_by", record.entered_by],
  ]));
  document.querySelector("#subject").textContent = record.subject || "";
  document.querySelector("#description").textContent = record.description || "";
  const applicant = record.applicant || {};
  document.querySelector("#applicant-facts").replaceChildren(record.personal_data_erased
    ? element("p", { text: t("erased") + " " + formatDate(record.personal_data_erased.at) })
    : definitionList([["national_id", applicant.national_id], ["first_name", applicant.first_name],
      ["last_name", applicant.last_name], ["phone", applicant.phone], ["email", applicant.email]]));
  const answer = document.querySelector("#answer");
  answer.hidden = !record.answer;
  if (record.answer) {
    answer.querySelector(".answer-text").textContent = record.answer.text;
    answer.querySelector(".facts").replaceWith(definitionList([["outcome", t("outcome_" + record.answer.outcome)]]));
  }
  document.querySelector("#contacts").replaceChildren(...record.contacts.map((contact) => element("li", {
    text: [formatDate(contact.at), t("contact_" + contact.channel), contact.by, contact.note].filter(Boolean).join(" — ") })));
  document.querySelector("#timeline").replaceChildren(...record.timeline.map((entry) => element("li", {
    text: [formatDate(entry.at), t("status_" + entry.action), entry.by, entry.unit_id, entry.note, entry.reason]
      .filter(Boolean).join(" — ") })));
  const show = allowed(current.role, record.status);
  for (const [key, form] of Object.entries(forms)) form.hidden = !show[key];
  fillSelect(forms.route.unit_id, state.units.filter((unit) => unit.active).map((unit) => [unit.unit_id, unit.name]));
  if (!forms.route.unit_id.value && record.suggested_unit) forms.route.unit_id.value = record.suggested_unit.unit_id;
  fillSelect(forms.contact.channel, ["phone", "in_person", "sms"].map((code) => [code, t("contact_" + code)]), { blank: null });
  fillSelect(forms.answer.outcome, ["positive", "negative", "informational"].map((code) => [code, t("outcome_" + code)]));
  document.querySelector("#record").hidden = false;
}

async function load() {
  state.record = await staffCall("GET", path);
  render();
}

// Each action form posts its fields to /staff/applications/{no}/<action>.
function wire(key, action, fields) {
  onSubmit(forms[key], async () => {
    const body = {};
    for (const field of fields) {
      const value = forms[key][field].value.trim();
      if (value !== "") body[field] = value;
    }
    // routing's record after the action; the applicant's part is the one already read (one audited
    // read per visit, and a returned application is no longer the unit's to read)
    const answer = await staffCall("POST", path + "/" + action, { body });
    forms[key].reset();
    state.record = { ...state.record, ...answer };
    render();
    forms[key].querySelector(".form-status").textContent = "";
    document.querySelector("#record-status").textContent = t("saved");
  });
}

if (current) {
  setUpPage("console", render);
  wire("route", "route", ["unit_id", "note"]);
  wire("contact", "contacts", ["channel", "note"]);
  wire("answer", "answer", ["text", "outcome"]);
  wire("return", "return", ["reason"]);
  Promise.all([current.role === "router" ? staffCall("GET", "/units") : [], catalog()]).then(([units, answer]) => {
    state.units = units || [];
    for (const entry of [...answer.kinds, ...answer.categories]) state.names[entry.code] = entry.name;
    return load();
  }).catch((error) => { document.querySelector("#record-status").textContent = messageFor(error); });
}
