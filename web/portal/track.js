// Number + tracking code → status, timeline, due date, answer (GET /api/v1/applications/{no}).
import { ApiError, call, catalog } from "../common/api.js";
import { definitionList, element, onSubmit } from "../common/forms.js";
import { currentLanguage, formatDate, localName, t } from "../common/i18n.js";
import { setUpPage } from "../common/layout.js";

const form = document.querySelector("#track-form");
const section = document.querySelector("#status");
const number = document.querySelector("#f-application_no");
const code = document.querySelector("#f-tracking_code");
let names = { kinds: {}, categories: {} };
let view = null;

number.value = new URLSearchParams(location.search).get("no") || "";

function render() {
  if (!view) return;
  section.querySelector("#status-heading").textContent = t("application_no") + " " + view.application_no;
  section.querySelector(".facts").replaceWith(definitionList([
    ["status", t("status_" + view.status)],
    ["kind", localName(names.kinds[view.kind]) || view.kind],
    ["category", localName(names.categories[view.category]) || view.category],
    ["province", view.province + " / " + view.district],
    ["unit", view.unit && view.unit.name],
    ["received_at", formatDate(view.received_at)],
    ["due_at", formatDate(view.due_at)],
    ["updated_at", formatDate(view.updated_at)],
  ]));
  const answer = section.querySelector("#answer");
  answer.hidden = !view.answer;
  if (view.answer) {
    answer.querySelector(".answer-text").textContent = view.answer.text;
    answer.querySelector(".facts").replaceWith(definitionList([
      ["outcome", t("outcome_" + view.answer.outcome)], ["answered_at", formatDate(view.answer.answered_at)]]));
  }
  section.querySelector(".timeline").replaceChildren(...view.timeline.map((entry) =>
    element("li", {}, element("time", { datetime: entry.at, text: formatDate(entry.at) }), " — " + entry.text)));
  section.hidden = false;
}

async function lookUp() {
  try {
    view = await call("GET", "/applications/" + encodeURIComponent(number.value.trim()),
      { query: { tracking_code: code.value.trim(), language: currentLanguage() } });
  } catch (error) {
    view = null;
    section.hidden = true;
    if (error instanceof ApiError && error.status === 404) throw new ApiError(404, { error: { message: t("not_found") } });
    throw error;
  }
  render();
  section.querySelector("#status-heading").focus();
}

onSubmit(form, lookUp);
catalog().then((answer) => {
  for (const kind of answer.kinds) names.kinds[kind.code] = kind.name;
  for (const category of answer.categories) names.categories[category.code] = category.name;
  render();
}).catch(() => {});
setUpPage("portal", () => (view ? lookUp().catch(() => {}) : null));
