// The application form of POST /api/v1/applications (and the desk's POST /api/v1/desk/applications):
// its inputs, the catalogue's kinds, categories, provinces and districts in alphabetical order, the
// privacy notice acknowledged, the body it makes, and the receipt that replaces it once accepted
// (docs/portal.md#safe-submission, docs/web.md#pages).
import { catalog } from "./api.js";
import { checkFields, clearErrors, definitionList, element, fieldId, onSubmit, pageText, setPath, showErrors } from "./forms.js";
import { formatLongDate } from "./format.js";
import { addStrings, currentLanguage, localName, t } from "./i18n.js";
import { SubmissionKey } from "./idempotency.js";

// The form's own texts: the acknowledgement in the citizen's words and in the desk's; the portal's
// receipt (the desk's is in i18n.js).
addStrings({
  privacy_ack_citizen: ["Aydınlatma metnini okudum ve anladım.", "I have read and understood the privacy notice."],
  privacy_ack_desk: ["Başvuru sahibine aydınlatma metni sunuldu.", "The applicant was given the privacy notice."],
  privacy_ack_required_citizen: ["Başvurunuzu göndermek için aydınlatma metnini okuduğunuzu onaylayın.",
    "Confirm that you have read the privacy notice to send your application."],
  privacy_ack_required_desk: ["Başvuru sahibine aydınlatma metninin sunulduğunu onaylayın.",
    "Confirm that the applicant was given the privacy notice."],
  privacy_notice_hint_citizen: ["Kişisel verilerinizin nasıl işlendiğini ve haklarınızı aydınlatma metni anlatır.",
    "The privacy notice says how your personal data is processed and what your rights are."],
  privacy_notice_hint_desk: ["Aydınlatma metni, başvuru sahibinin kişisel verilerinin nasıl işlendiğini ve haklarını anlatır; başvuruyu almadan önce sunun.",
    "The privacy notice says how the applicant's personal data is processed and what their rights are; give it to them before taking the application."],
  privacy_notice_link: ["Aydınlatma metni (yeni sekmede açılır)", "Privacy notice (opens in a new tab)"],
  privacy: ["Kişisel verilerin korunması", "Personal data protection"],
  next_heading: ["Bundan sonra ne olacak?", "What happens next"],
  next_recorded: ["Başvurunuz kaydedildi; numarası ve takip kodu cep telefonunuza SMS ile de gönderilir.",
    "Your application is recorded; its number and tracking code also come to your mobile phone by SMS."],
  next_routed: ["Bir Açık Kapı görevlisi başvurunuzu sorunu çözebilecek birime yönlendirir; bilgi almak için sizi arayabilir.",
    "An Açık Kapı officer routes it to the unit that can solve it, and may call you for details."],
  next_answered: ["Birim başvurunuzu 7 gün içinde, yukarıdaki tarihe kadar cevaplar.",
    "The unit answers within 7 days, by the date above."],
  next_sms: ["Başvurunuz sonuçlandığında SMS ile haber verilir.", "A text message tells you when it is concluded."],
  next_read: ["Cevabı takip sayfasında, mobil uygulamada veya bir Açık Kapı masasında, başvuru numarası ve takip kodunuzla okuyabilirsiniz.",
    "Read the answer on the tracking page, in the app or at an Açık Kapı desk, with the application number and the tracking code."],
  track_this: ["Başvurunuzu takip edin", "Track this application"],
});

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

// The checkbox's name: the acknowledgement itself is not sent, the notice's version is.
const ACKNOWLEDGED = "privacy_notice_acknowledged";

// Names people read in a list, in the order of their language (Çankaya after Bala, İzmir after
// Isparta); place names are Turkish whatever the page's language.
const COLLATORS = { tr: new Intl.Collator("tr"), en: new Intl.Collator("en") };

function alphabetical(options, language) {
  const collator = COLLATORS[language] || COLLATORS.tr;
  return [...options].sort((left, right) => collator.compare(left[1], right[1]));
}

// The version of the privacy notice the page was rendered with (gateway setting PRIVACY_NOTICE_VERSION).
export function privacyNoticeVersion() {
  const meta = document.querySelector("meta[name='privacy-notice-version']");
  return (meta && meta.content) || null;
}

export class ApplicationForm {
  // ``acknowledgement``: "citizen" (the applicant ticks it) or "desk" (the officer confirms the
  // applicant was given the notice); either way the box is required and the version is sent.
  constructor(form, { acknowledgement = "citizen" } = {}) {
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
    form.querySelector(".fields").append(this.#acknowledgementRow(acknowledgement));
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

  #acknowledgementRow(who) {
    const id = fieldId(ACKNOWLEDGED);
    const hint = element("p", { class: "hint", id: id + "-hint" },
      element("span", { "data-i18n": "privacy_notice_hint_" + who, text: t("privacy_notice_hint_" + who) }), " ",
      element("a", { href: "/kvkk", target: "_blank", rel: "noopener", "data-i18n": "privacy_notice_link",
        text: t("privacy_notice_link") }));
    const box = element("input", { id, name: ACKNOWLEDGED, type: "checkbox", required: true, "aria-describedby": hint.id,
      "data-required-text": "privacy_ack_required_" + who });
    const label = element("label", { for: id, "data-i18n": "privacy_ack_" + who, text: t("privacy_ack_" + who) });
    return element("fieldset", { class: "privacy-notice" },
      element("legend", { "data-i18n": "privacy", text: t("privacy") }),
      hint, element("div", { class: "field check" }, box, label));
  }

  select(path) {
    return this.form.querySelector("#" + fieldId(path));
  }

  async load() {
    this.catalogue = await catalog();
    this.render();
  }

  // (Re)fills the lists in the current language and its alphabetical order, keeping what was chosen.
  render() {
    if (!this.catalogue) return;
    const language = currentLanguage();
    fillSelect(this.select("kind"), alphabetical(this.catalogue.kinds.map((kind) => [kind.code, localName(kind.name)]), language));
    fillSelect(this.select("category"), alphabetical(
      this.catalogue.categories.map((category) => [category.code, localName(category.name)]), language));
    fillSelect(this.select("province"), alphabetical(this.catalogue.provinces.map((province) => [province.code, province.name]), "tr"));
    this.#fillDistricts();
  }

  #fillDistricts() {
    const province = this.catalogue && this.catalogue.provinces.find((entry) => entry.code === this.select("province").value);
    fillSelect(this.select("district"), alphabetical((province ? province.districts : []).map((name) => [name, name]), "tr"));
  }

  // What POST /applications takes (without ``channel``: the route's to say).
  body() {
    const body = { language: currentLanguage() };
    for (const field of FIELDS) {
      const value = this.form.querySelector("#" + fieldId(field.path)).value.trim();
      if (field.optional && value === "") continue;
      setPath(body, field.path, value);
    }
    const version = privacyNoticeVersion();
    if (version && this.form.querySelector("#" + fieldId(ACKNOWLEDGED)).checked) body.privacy_notice_version = version;
    return body;
  }

  // Puts a body back into the inputs (a kept submission the server refused, to correct).
  fill(body) {
    for (const field of FIELDS) {
      const value = field.path.split(".").reduce((part, name) => (part ? part[name] : undefined), body);
      const input = this.form.querySelector("#" + fieldId(field.path));
      if (field.path === "district") this.#fillDistricts();
      input.value = value === undefined || value === null ? "" : value;
    }
    this.form.querySelector("#" + fieldId(ACKNOWLEDGED)).checked = Boolean(body.privacy_notice_version);
  }
}

export function fillSelect(select, options, { blank = "choose" } = {}) {
  const chosen = select.value;
  select.replaceChildren();
  if (blank) select.append(element("option", { value: "", text: t(blank) }));
  for (const [value, text] of options) select.append(element("option", { value, text }));
  if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
}

// The receipt that replaces the form: what was made, by when it is answered, what happens next.
// ``kind`` "portal": the citizen's own (what happens next, the tracking page with the number in
// it); "desk": the page the officer prints for the citizen at the counter (how to track).
function receiptSection(kind) {
  const heading = element("h2", { id: "receipt-heading", "data-i18n": "received_heading", tabindex: "-1",
    text: t("received_heading") });
  const portal = kind === "portal";
  return element("section", { id: "receipt", class: "notice success receipt", hidden: true, "aria-labelledby": heading.id },
    element("p", { class: "print-only receipt-title", "data-i18n": "receipt_title", text: t("receipt_title") }),
    heading,
    element("dl", { class: "facts" }),
    portal ? element("p", { "data-i18n": "keep_these", text: t("keep_these") }) : null,
    portal ? element("p", { class: "print-only how-to-track-web" }) : null,
    portal ? element("div", { class: "next-steps" },
      element("h3", { "data-i18n": "next_heading", text: t("next_heading") }),
      element("ol", {}, ...["next_recorded", "next_routed", "next_answered", "next_sms", "next_read"].map(
        (key) => element("li", { "data-i18n": key, text: t(key) })))) : null,
    portal ? null : element("div", { class: "how-to-track" },
      element("h3", { "data-i18n": "how_to_track_heading", text: t("how_to_track_heading") }),
      element("p", { class: "how-to-track-web" }),
      element("p", { "data-i18n": "how_to_track_sms", text: t("how_to_track_sms") })),
    element("div", { class: "button-row no-print" },
      element("button", { type: "button", id: "print-receipt", "data-i18n": "print", text: t("print") }),
      portal ? element("a", { id: "track-link", class: "button secondary", href: "/takip", "data-i18n": "track_this",
        text: t("track_this") }) : null,
      element("button", { type: "button", id: "new-application", class: "secondary", "data-i18n": "new_application",
        text: t("new_application") })));
}

// The whole page around the form (the portal's apply page, the console's desk page).
//   ``post(body, headers)``: sends a body to its route (answers the receipt or throws an ApiError);
//   ``channel``: the body's channel ("web", "app", "desk"); ``scope``: the key's scope ("portal", "desk");
//   ``receipt``: "portal" or "desk" (see receiptSection); ``province``: the plate code chosen at the
//   start (a desk serves its own province); ``remember``: a sessionStorage name that keeps the
//   receipt across a reload of the tab until "new application";
//   ``keepOffline(key, body)``: the device is offline — keep the submission to send later; true when
//   kept (the page then shows it waiting), false when it cannot be kept;
//   ``extras``: what a citizen's form asks beyond the fields (the portal's birth field and phone
//   code, web/portal/applicant-checks.js), an object with any of: ``attach(applicationForm)`` once
//   the inputs exist; ``catalogue(catalogue)`` once it is loaded; ``problems()`` before sending,
//   {path: why} the browser found (shown with the form's own checks, nothing sent); ``body(body)``
//   adds to the body; ``fill(body, error)`` a refused kept submission back in the form;
//   ``refused(error)`` an error before it is shown (may move or add field errors); ``reset()`` the
//   form emptied (accepted, kept offline, started afresh); ``redraw()`` after a language switch.
// Answers the page's controls: ``redraw()`` after a language switch, ``showReceipt(receipt)``,
// ``restore(key, body, error)`` (a kept submission refused: back into the form to correct) and
// ``showForm()`` / ``hideForm()``.
export function setUpApplicationPage({ post, channel, scope, receipt: receiptKind = "portal", province = null,
  remember = null, keepOffline = null, extras = null }) {
  const submit = element("button", { type: "submit", "data-i18n": "submit", text: t("submit") });
  const form = element("form", { id: "application-form", novalidate: true },
    element("div", { class: "fields" }),
    element("p", { class: "form-status", role: "alert", tabindex: "-1" }),
    submit);
  const receipt = receiptSection(receiptKind);
  document.querySelector("#application").replaceChildren(form, receipt);
  const applicationForm = new ApplicationForm(form, { acknowledgement: receiptKind === "desk" ? "desk" : "citizen" });
  const keys = new SubmissionKey(scope);
  let lastReceipt = remembered(remember);
  const extra = (name, ...args) => (extras && extras[name] ? extras[name](...args) : undefined);
  extra("attach", applicationForm);
  const load = () => applicationForm.load().then(() => extra("catalogue", applicationForm.catalogue));
  const refused = (error) => extra("refused", error) || error;

  const startAfresh = () => {
    form.reset();
    clearErrors(form);
    if (province) applicationForm.select("province").value = province;
    applicationForm.render();
    extra("reset");
  };
  const showForm = () => {
    receipt.hidden = true;
    document.body.classList.remove("has-receipt");
    form.hidden = false;
  };
  const drawReceipt = () => {
    if (!lastReceipt) return;
    receipt.querySelector(".facts").replaceWith(definitionList([
      ["application_no", lastReceipt.application_no], ["tracking_code", lastReceipt.tracking_code],
      ["receipt_due_words", formatLongDate(lastReceipt.due_at)]]));
    const link = receipt.querySelector("#track-link");
    if (link) link.href = "/takip?no=" + encodeURIComponent(lastReceipt.application_no);
    const web = receipt.querySelector(".how-to-track-web");
    if (web) web.textContent = t("how_to_track", { url: location.origin + "/takip" });
    form.hidden = true;
    receipt.hidden = false;
    document.body.classList.add("has-receipt");
  };
  const showReceipt = (answer) => {
    lastReceipt = { application_no: answer.application_no, tracking_code: answer.tracking_code, due_at: answer.due_at };
    if (remember) sessionStorage.setItem(remember, JSON.stringify(lastReceipt));
    startAfresh();  // the applicant's details leave the page with the form
    drawReceipt();
    receipt.querySelector("#receipt-heading").focus();
  };
  const keep = async (body) => {
    const key = await keys.keyFor(body);
    if (!(await keepOffline(key, body))) return false;
    keys.renew();
    startAfresh();
    form.hidden = true;
    return true;
  };

  onSubmit(form, async () => {
    const body = { ...applicationForm.body(), channel };
    extra("body", body);
    if (keepOffline && navigator.onLine === false && (await keep(body))) return;
    let answer;
    try {
      answer = await keys.send(body, post);
    } catch (error) {
      // no answer while the device says it is offline: kept to send when the connection returns
      if (keepOffline && error.status === 0 && navigator.onLine === false && (await keep(body))) return;
      throw refused(error);
    }
    showReceipt(answer);
  }, { before: () => checkWith(form, extra("problems")) });

  receipt.querySelector("#print-receipt").addEventListener("click", () => window.print());
  receipt.querySelector("#new-application").addEventListener("click", () => {
    lastReceipt = null;
    if (remember) sessionStorage.removeItem(remember);
    keys.renew();
    startAfresh();
    showForm();
    form.querySelector("input, select, textarea").focus();
  });
  if (lastReceipt) drawReceipt();
  load().then(() => {
    if (province) startAfresh();
  }).catch((error) => showErrors(form, error));

  return {
    form,
    redraw() {
      applicationForm.render();
      drawReceipt();
      extra("redraw");
    },
    showReceipt,
    showForm,
    hideForm() {
      form.hidden = true;
    },
    hasReceipt: () => Boolean(lastReceipt),
    restore(key, body, error) {
      lastReceipt = null;
      if (remember) sessionStorage.removeItem(remember);
      keys.adopt(key);
      const refill = () => {
        applicationForm.fill(body);
        extra("fill", body, error);
        showForm();
        showErrors(form, refused(error));
      };
      if (applicationForm.catalogue) refill();
      else load().then(refill).catch((failure) => showErrors(form, failure));
    },
  };
}

function remembered(name) {
  if (!name) return null;
  try {
    const receipt = JSON.parse(sessionStorage.getItem(name));
    return receipt && receipt.application_no ? receipt : null;
  } catch {
    return null;
  }
}

// The browser's checks of ``form`` (forms.js ``checkFields``) together with ``own`` ({path: why},
// from the page's extras), all shown at once: true when there is nothing to say. Without ``own``
// this is checkFields itself; with it, the same checks are made here, because checkFields shows
// what it finds without answering it, and a second round of errors after the first is corrected
// would be one too many.
function checkWith(form, own) {
  if (!own || Object.keys(own).length === 0) return checkFields(form);
  const fields = {};
  for (const input of form.querySelectorAll("input, select, textarea")) {
    if (!input.name || input.disabled || input.name in fields) continue;
    const value = input.value.trim();
    if (input.type === "checkbox") {
      if (input.required && !input.checked) fields[input.name] = pageText(input.dataset.requiredText || "field_required");
    } else if (input.required && value === "") {
      fields[input.name] = pageText("field_required");
    } else if (input.minLength > 0 && value !== "" && value.length < input.minLength) {
      fields[input.name] = pageText("field_too_short", { n: input.minLength });
    }
    // the page's own reason where the browser has none, in the inputs' order (focus goes to the first)
    if (!(input.name in fields) && own[input.name]) fields[input.name] = own[input.name];
  }
  for (const [path, why] of Object.entries(own)) if (!(path in fields)) fields[path] = why;
  showErrors(form, { fields });
  return false;
}
