// The birth year (a foreigner's ID: the birth date) the population registry's check needs, on the
// apply page where the catalogue's ``requirements.identity_registry`` says so
// (docs/portal.md#applicant-checks; composed by applicant-checks.js).
import { element, fieldId } from "../common/forms.js";
import { t } from "../common/i18n.js";

const FOREIGNER_PREFIX = "99";  // a foreigner's ID (YKN): the registry checks the whole birth date
const FIRST_BIRTH_YEAR = 1900;

export class BirthField {
  constructor(form) {
    this.form = form;
    this.on = false;
    this.nationalId = form.querySelector("#" + fieldId("applicant.national_id"));
    const today = new Date().toISOString().slice(0, 10);
    this.year = this.#row("applicant.birth_year", "birth_year", "birth_year_hint", {
      type: "text", inputmode: "numeric", autocomplete: "bday-year", maxlength: "4", minlength: "4" });
    this.date = this.#row("applicant.birth_date", "birth_date", "birth_date_hint", {
      type: "date", autocomplete: "bday", min: FIRST_BIRTH_YEAR + "-01-01", max: today });
    const lastName = form.querySelector("#" + fieldId("applicant.last_name")).closest(".field");
    lastName.after(this.year.row, this.date.row);
    this.nationalId.addEventListener("input", () => this.update());
  }

  #row(path, label, hint, attrs) {
    const id = fieldId(path);
    const input = element("input", { id, name: path, required: true, disabled: true, "aria-describedby": id + "-hint",
      ...attrs });
    const row = element("div", { class: "field", hidden: true },
      element("label", { for: id, "data-i18n": label, text: t(label) }),
      input,
      element("p", { class: "hint", id: id + "-hint", "data-i18n": hint, text: t(hint) }));
    return { row, input };
  }

  require(on) {
    this.on = on;
    this.update();
  }

  // The year for a T.C. kimlik no, the date for a YKN (the ID typed so far decides).
  update() {
    const foreigner = this.nationalId.value.trim().startsWith(FOREIGNER_PREFIX);
    for (const [field, shown] of [[this.year, this.on && !foreigner], [this.date, this.on && foreigner]]) {
      field.row.hidden = !shown;
      field.input.disabled = !shown;
    }
  }

  addTo(body) {
    for (const [field, name] of [[this.year, "birth_year"], [this.date, "birth_date"]]) {
      const value = field.input.value.trim();
      if (!field.input.disabled && value) body.applicant[name] = value;
    }
  }

  fill(body) {
    const applicant = body.applicant || {};
    this.year.input.value = applicant.birth_year || "";
    this.date.input.value = applicant.birth_date || "";
    if (applicant.birth_year || applicant.birth_date) this.on = true;
    this.update();
  }
}
