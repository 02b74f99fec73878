// The answer as an official reply letter, for paper only (track.css prints it and nothing else):
// "T.C.", the organisation (site.name, from the page's template), the office, number, date and
// subject, the answer with its outcome, the answering unit as signatory, where to read it again, and
// its verification code with the address where anyone can check it against the signed original.
// Either answer prints: the application's, or the one to the applicant's objection.
// No name: the tracking view has none, and the letter is addressed to whoever holds the code.
import { element } from "../common/forms.js";
import { currentLanguage, t } from "../common/i18n.js";
import { outcomeName } from "../common/format.js";

const LONG_DAY = {
  tr: new Intl.DateTimeFormat("tr-TR", { timeZone: "Europe/Istanbul", day: "numeric", month: "long", year: "numeric" }),
  en: new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Istanbul", day: "numeric", month: "long", year: "numeric" }),
};

// "12 Aralık 2026" / "12 December 2026"
function longDay(iso) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return iso || "";
  return LONG_DAY[currentLanguage() === "en" ? "en" : "tr"].format(date);
}

function line(text, className) {
  return element("p", { class: className, text });
}

// ``text``'s {no} as the application number in one piece: "2026-000123" never splits at its hyphen.
function withNumber(text, applicationNo) {
  const parts = text.split("{no}");
  return parts.flatMap((part, index) => (index === 0 ? [part] : [element("span", { class: "nowrap", text: applicationNo }), part]));
}

function labelled(labelKey, value, className) {
  return element("p", { class: className }, element("span", { class: "letter-label", text: t(labelKey) + ": " }), value);
}

// Fills ``letter`` (the page's #letter, data-organisation from the template) from ``view`` with an
// answer; ``kind`` and ``category`` are names in the page's language; ``which`` the answer to print,
// "answer" (the application's, the default) or "objection" (the one to the objection). Empty
// without that answer.
export function fillLetter(letter, view, { kind, category, which = "answer" }) {
  const toObjection = which === "objection";
  const answer = view && (toObjection ? view.objection && view.objection.answer : view.answer);
  if (!answer || !answer.text) {
    letter.replaceChildren();
    letter.hidden = true;
    return;
  }
  const unit = (view.unit && view.unit.name) || letter.dataset.organisation;
  const trackingUrl = location.origin + "/takip?no=" + encodeURIComponent(view.application_no);
  const code = answer.verification_code;
  const verifyUrl = code && location.origin + "/dogrula?kod=" + encodeURIComponent(code);
  const opening = toObjection
    ? t("letter_opening_objection", { date: longDay(view.objection.filed_at), unit })
    : t("letter_opening", { date: longDay(view.received_at), kind, category, unit });
  letter.replaceChildren(
    element("header", { class: "letter-head" },
      line(t("letter_state"), "letter-state"),
      line(letter.dataset.organisation, "letter-organisation"),
      // a name that is the office already ("… Açık Kapı Bürosu") is not followed by it again
      letter.dataset.organisation.includes("Açık Kapı") ? null : line(t("letter_office"), "letter-office")),
    element("div", { class: "letter-refs" },
      labelled("letter_number", view.application_no, "letter-number"),
      labelled("letter_date", element("time", { datetime: answer.answered_at, text: longDay(answer.answered_at) }),
        "letter-date"),
      labelled("letter_subject", t(toObjection ? "letter_subject_objection" : "letter_subject_text"), "letter-subject"),
      code ? labelled("letter_verification_code", element("span", { class: "letter-code", text: code }), "letter-code-line")
        : null),
    line(t("letter_salutation"), "letter-salutation"),
    element("p", { class: "letter-opening" }, ...withNumber(opening, view.application_no)),
    line(answer.text, "letter-answer answer-text"),
    line(t("letter_outcome", { outcome: outcomeName(answer.outcome) }), "letter-outcome"),
    line(t("letter_closing"), "letter-closing"),
    element("div", { class: "letter-signature" }, line(unit, "letter-unit")),
    element("footer", { class: "letter-footer" }, line(t("letter_footer", { url: trackingUrl })),
      verifyUrl ? line(t("letter_verification", { url: verifyUrl }), "letter-verification") : null),
  );
  letter.hidden = false;
}
