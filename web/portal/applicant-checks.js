// What the apply page asks beyond the form's fields where the catalogue's ``requirements`` say so
// (docs/portal.md#applicant-checks): the birth year or date for the population registry's check
// (birth-field.js) and the mobile phone proven by a one-time code (phone-code.js). Plugged into the
// form as its ``extras`` (web/common/application-form.js setUpApplicationPage).
import { tIn } from "../common/i18n.js";
import { BirthField } from "./birth-field.js";
import { PROOF_FIELDS, PhoneCode } from "./phone-code.js";

export function applicantChecks() {
  return new ApplicantChecks();
}

class ApplicantChecks {
  constructor() {
    this.requirements = {};
    this.birth = null;
    this.phone = null;
  }

  attach(applicationForm) {
    this.birth = new BirthField(applicationForm.form);
    this.phone = new PhoneCode(applicationForm.form);
  }

  catalogue(catalogue) {
    this.requirements = (catalogue && catalogue.requirements) || {};
    this.birth.require(Boolean(this.requirements.identity_registry));
    this.phone.require(Boolean(this.requirements.phone_verification), this.requirements);
  }

  problems() {
    return this.phone.problems();
  }

  body(body) {
    this.birth.addTo(body);
    this.phone.addTo(body);
  }

  fill(body, error) {
    this.birth.fill(body);
    this.phone.fill(body, error);
  }

  // A refusal naming a field this page has not shown (a catalogue kept from before the check was
  // turned on) turns the field on; the proof's refusals are said at the phone, where it is asked
  // for again; the registry out of reach gets the page's own words.
  refused(error) {
    const fields = error && error.fields ? error.fields : {};
    if ("applicant.birth_year" in fields || "applicant.birth_date" in fields) this.birth.require(true);
    const proof = PROOF_FIELDS.filter((path) => path in fields);
    if (proof.length) {
      this.phone.require(true, this.requirements);
      this.phone.forget();
      const moved = { ...fields };
      for (const path of proof) delete moved[path];
      if (!("applicant.phone" in moved)) moved["applicant.phone"] = fields[proof[0]];
      error.fields = moved;
    }
    if (error && error.code === "identity_registry_unavailable") {
      // shown as forms.js shows a server's message (its half of "Türkçe / English"): no status, so
      // it is not taken for the generic "the service is not answering"
      return { code: error.code, fields: {}, message: tIn("tr", "identity_unavailable") + " / " +
        tIn("en", "identity_unavailable") };
    }
    return error;
  }

  reset() {
    this.birth.update();
    this.phone.forget();
  }

  redraw() {
    this.phone.redraw();
  }
}
