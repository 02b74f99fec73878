// The application form of POST /api/v1/applications (and the desk's POST /api/v1/desk/applications):
// its inputs, the catalogue's kinds, categories, provinces and districts, and the body it makes.
import { catalog } from "./api.js";
import { definitionList, element, fieldId, onSubmit, setPath, showErrors } from "./forms.js";
import { currentLanguage, formatDate, localName, t } from "./i18n.js";

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
export function setUpApplicationPage(send, { trackLink = false } = {}) {
  const form = element("form", { id: "application-form", novalidate: true },
    element("div", { class: "fields" }),
    element("p", { class: "form-status", role: "alert", tabindex: "-1" }),
    element("button", { type: "submit", "data-i18n": "submit", text: t("submit") }));
  const receipt = element("section", { id: "receipt", class: "notice success", hidden: true },
    element("h2", { "data-i18n": "received_heading", tabindex: "-1", text: t("received_heading") }),
    element("dl", { class: "facts" }),
    trackLink ? element("p", { "data-i18n": "keep_these", text: t("keep_these") }) : null,
    trackLink ? element("p", {}, element("a", { href: "/takip", "data-i18n": "nav_track", text: t("nav_track") })) : null);
  document.querySelector("#application").replaceChildren(form, receipt);
  const applicationForm = new ApplicationForm(form);
  let lastReceipt = null;
  const showReceipt = () => {
    if (!lastReceipt) return;
    receipt.querySelector(".facts").replaceWith(definitionList([
      ["application_no", lastReceipt.application_no], ["tracking_code", lastReceipt.tracking_code],
      ["due_at", formatDate(lastReceipt.due_at)]]));
    const link = receipt.querySelector("a");
    if (link) link.href = "/takip?no=" + encodeURIComponent(lastReceipt.application_no);
    receipt.hidden = false;
  };
  onSubmit(form, async () => {
    lastReceipt = await send(applicationForm.body());
    showReceipt();
    receipt.querySelector("h2").focus();
  });
  applicationForm.load().catch((error) => showErrors(form, error));
  return () => {
    applicationForm.render();
    showReceipt();
  };
}
