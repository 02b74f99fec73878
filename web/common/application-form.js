// The application form of POST /api/v1/applications (and the desk's POST /api/v1/desk/applications):
// its inputs, the catalogue's kinds, categories, provinces and districts, and the body it makes.
import { catalog } from "./api.js";
import { clearErrors, definitionList, element, fieldId, onSubmit, setPath, showErrors } from "./forms.js";
import { formatDate, formatLongDate } from "./format.js";
import { currentLanguage, localName, t } from "./i18n.js";

const FIELDS = [
  { group: "applicant", path: "applicant.national_id", label: "national_id", attrs: { inputmode: "numeric", autocomplete: "off", maxlength: "11" } },
  { group: "applicant", path: "applicant.first_name", label: "first_name", attrs: { autocomplete: "given-name" } },
  { group: "applicant", path: "applicant.last_name", label: "last_name", attrs: { autocomplete: "family-name" } },
  { group: "applicant", path: "applicant.phone", label: "phone", attrs: { type: "tel", autocomplete: "tel" } },
  { group: "applicant", path: "applicant.email", label: "email", optional: true, attrs: { type: "email", autocomplete: "email" } },
  { group: "application", path: "kind", label: "kind", select: "kinds" },
  { group: "application", path: "category", label: "category", select: "categories" },
  { group: "application", path: "province", label: "province", select: "provinces" },
  { group: "application", path: "district", label: "district", select: "districts" },
  { group: "application", path: "subject", label: "subject", attrs: { maxlength: "200" } },
  { group: "application", path: "description", label: "description", textarea: true },
];

export class ApplicationForm {
  constructor(form) {
    this.form = form;
    this.catalogue = null;
    const groups = {};
    for (const field of FIELDS) {
      if (!groups[field.group]) {
        groups[field.group] = element("fieldset", {}, element("legend", { "data-i18n": field.group, text: t(field.group) }));
        form.querySelector(".fields").append(groups[field.group]);
      }
      groups[field.group].append(this.#fieldRow(field));
    }
    this.select("province").addEventListener("change", () => this.#fillDistricts());
  }

  #fieldRow(field) {
    const id = fieldId(field.path);
    const label = element("label", { for: id, "data-i18n": field.label, text: t(field.label) });
    let input;
    if (field.select) input = element("select", { id, name: field.path, required: true });
    else if (field.textarea) input = element("textarea", { id, name: field.path, rows: "5", required: true, maxlength: "5000" });
    else input = element("input", { id, name: field.path, type: "text", required: !field.optional, ...field.attrs });
    return element("div", { class: "field" }, label, input);
  }

  select(path) {
    return this.form.querySelector("#" + fieldId(path));
  }

  async load() {
    this.catalogue = await catalog();
    this.render();
  }

  // (Re)fills the lists in the current language, keeping what was chosen.
  render() {
    if (!this.catalogue) return;
    fillSelect(this.select("kind"), this.catalogue.kinds.map((kind) => [kind.code, localName(kind.name)]));
    fillSelect(this.select("category"), this.catalogue.categories.map((category) => [category.code, localName(category.name)]));
    fillSelect(this.select("province"), this.catalogue.provinces.map((province) => [province.code, province.name]));
    this.#fillDistricts();
  }

  #fillDistricts() {
    const province = this.catalogue.provinces.find((entry) => entry.code === this.select("province").value);
    fillSelect(this.select("district"), (province ? province.districts : []).map((name) => [name, name]));
  }

  body() {
    const body = { language: currentLanguage() };
    for (const field of FIELDS) {
      const value = this.form.querySelector("#" + fieldId(field.path)).value.trim();
      if (field.optional && value === "") continue;
      setPath(body, field.path, value);
    }
    return body;
  }
}

export function fillSelect(select, options, { blank = "choose" } = {}) {
  const chosen = select.value;
  select.replaceChildren();
  if (blank) select.append(element("option", { value: "", text: t(blank) }));
  for (const [value, text] of options) select.append(element("option", { value, text }));
  if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
}

// The whole page around the form (the portal's apply page, the console's desk page): ``send``
// posts the body and answers the receipt, shown with the number, the tracking code and the due date.
// ``printable`` (the desk): the receipt is a page for the citizen to take away — the due date in
// words, how to track, Print and "new application" — and the form is emptied and put away until
// the next application, which gets a key of its own (``send.renew``).
// ``province``: the plate code chosen at the start (a desk serves its own province).
export function setUpApplicationPage(send, { trackLink = false, printable = false, province = null } = {}) {
  const submit = element("button", { type: "submit", "data-i18n": "submit", text: t("submit") });
  const form = element("form", { id: "application-form", novalidate: true },
    element("div", { class: "fields" }),
    element("p", { class: "form-status", role: "alert", tabindex: "-1" }),
    submit);
  const heading = element("h2", { "data-i18n": "received_heading", tabindex: "-1", text: t("received_heading") });
  const receipt = element("section", { id: "receipt", class: "notice success" + (printable ? " receipt" : ""), hidden: true,
    "aria-labelledby": "receipt-heading" },
    printable ? element("p", { class: "print-only receipt-title", "data-i18n": "receipt_title", text: t("receipt_title") }) : null,
    heading,
    element("dl", { class: "facts" }),
    trackLink ? element("p", { "data-i18n": "keep_these", text: t("keep_these") }) : null,
    trackLink ? element("p", {}, element("a", { href: "/takip", "data-i18n": "nav_track", text: t("nav_track") })) : null,
    printable ? element("div", { class: "how-to-track" },
      element("h3", { "data-i18n": "how_to_track_heading", text: t("how_to_track_heading") }),
      element("p", { class: "how-to-track-web" }),
      element("p", { "data-i18n": "how_to_track_sms", text: t("how_to_track_sms") })) : null,
    printable ? element("div", { class: "button-row no-print" },
      element("button", { type: "button", id: "print-receipt", "data-i18n": "print", text: t("print") }),
      element("button", { type: "button", id: "new-application", class: "secondary", "data-i18n": "new_application",
        text: t("new_application") })) : null);
  heading.id = "receipt-heading";
  document.querySelector("#application").replaceChildren(form, receipt);
  const applicationForm = new ApplicationForm(form);
  const startAfresh = () => {
    form.reset();
    if (province) applicationForm.select("province").value = province;
    applicationForm.render();
  };
  let lastReceipt = null;
  const trackingAddress = location.origin + "/takip";
  const showReceipt = () => {
    if (!lastReceipt) return;
    const due = printable ? formatLongDate(lastReceipt.due_at) : formatDate(lastReceipt.due_at);
    receipt.querySelector(".facts").replaceWith(definitionList([
      ["application_no", lastReceipt.application_no], ["tracking_code", lastReceipt.tracking_code],
      [printable ? "receipt_due_words" : "due_at", due]]));
    const link = receipt.querySelector("a");
    if (link) link.href = "/takip?no=" + encodeURIComponent(lastReceipt.application_no);
    const web = receipt.querySelector(".how-to-track-web");
    if (web) web.textContent = t("how_to_track", { url: trackingAddress });
    receipt.hidden = false;
  };
  onSubmit(form, async () => {
    lastReceipt = await send(applicationForm.body());
    if (printable) {
      startAfresh();
      form.hidden = true;
      document.body.classList.add("has-receipt");
    }
    showReceipt();
    heading.focus();
  });
  if (printable) {
    receipt.querySelector("#print-receipt").addEventListener("click", () => window.print());
    receipt.querySelector("#new-application").addEventListener("click", () => {
      lastReceipt = null;
      receipt.hidden = true;
      document.body.classList.remove("has-receipt");
      startAfresh();
      clearErrors(form);
      if (send.renew) send.renew();
      form.hidden = false;
      form.querySelector("input, select, textarea").focus();
    });
  }
  applicationForm.load().then(() => {
    if (province) startAfresh();
  }).catch((error) => showErrors(form, error));
  return () => {
    applicationForm.render();
    showReceipt();
  };
}
