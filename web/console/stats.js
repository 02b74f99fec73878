// The province's statistics (GET /api/v1/stats): figures (the escalated ones among them), bar charts
// with their tables, the applicants' satisfaction (overall and per unit), overdue list.
import { catalog, staffCall } from "../common/api.js";
import { barChart } from "../common/chart.js";
import { element, onSubmit } from "../common/forms.js";
import { channelName, formatDate, statusName } from "../common/format.js";
import { currentLanguage, localName, t } from "../common/i18n.js";
import { reportError, requireStaff, setUpPage } from "../common/layout.js";

const current = requireStaff("router", "unit", "admin");
const form = document.querySelector("#stats-form");
const state = { stats: null, kinds: {} };
const SCORES = ["1", "2", "3", "4", "5"];

function entries(counts, label) {
  return Object.entries(counts).map(([code, value]) => [label(code), value]);
}

// A mean score as people write it: "3,50" in Turkish, "3.50" in English.
function formatMean(mean) {
  if (mean === null || mean === undefined) return "—";
  return new Intl.NumberFormat(currentLanguage() === "en" ? "en-GB" : "tr-TR",
    { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(mean);
}

// How satisfied the applicants were with the answers: the mean and the number of ratings, the
// scores as bars (with their table), and a table of the units that were rated.
function renderSatisfaction(overall, units) {
  const rated = overall && overall.count > 0;
  document.querySelector("#satisfaction-summary").textContent = rated
    ? t("satisfaction_summary", { mean: formatMean(overall.mean), n: overall.count }) : t("satisfaction_none");
  document.querySelector("#satisfaction-chart").replaceChildren(rated
    ? barChart(t("score_distribution"), SCORES.map((score) => [t("score_" + score), overall.distribution[score] || 0]),
      [t("score"), t("ratings_count")])
    : "");
  document.querySelector("#satisfaction-units-box").hidden = !(units || []).length;
  const table = document.querySelector("#satisfaction-units");
  table.querySelector("thead").replaceChildren(element("tr", {},
    ...["unit", "ratings_count", "satisfaction_mean"].map((key) => element("th", { scope: "col", text: t(key) })),
    ...SCORES.map((score) => element("th", { scope: "col", class: "number", text: t("score_column", { n: score }) }))));
  table.querySelector("tbody").replaceChildren(...(units || []).map((unit) => element("tr", { "data-unit-id": unit.unit_id },
    element("th", { scope: "row", "data-label": t("unit"), text: unit.name }),
    element("td", { class: "number", "data-label": t("ratings_count"), text: String(unit.count) }),
    element("td", { class: "number", "data-label": t("satisfaction_mean"), text: formatMean(unit.mean) }),
    ...SCORES.map((score) => element("td", { class: "number", "data-label": t("score_column", { n: score }),
      text: String(unit.distribution[score] || 0) })))));
}

function render() {
  const stats = state.stats;
  if (!stats) return;
  const answered = stats.answered;
  const figures = [
    ["total", stats.total], ["status_answered", answered.count],
    ["answered_on_time", answered.on_time_share === null ? "—" : Math.round(answered.on_time_share * 100) + "%"],
    ["median_hours", answered.median_hours ?? "—"], ["p90_hours", answered.p90_hours ?? "—"],
    ["overdue", stats.overdue.count], ["escalated_count", stats.escalated ?? "—"],
  ];
  document.querySelector("#figures").replaceChildren(...figures.map(([key, value]) =>
    element("div", { "data-figure": key, class: key === "escalated_count" && value > 0 ? "alert" : null },
      element("strong", { text: String(value) }), " ", t(key))));
  const heading = (key) => [t(key), t("count")];
  document.querySelector("#charts").replaceChildren(
    element("h2", { text: t("by_status") }),
    barChart(t("by_status"), entries(stats.by_status, statusName), heading("status")),
    element("h2", { text: t("by_kind") }),
    barChart(t("by_kind"), entries(stats.by_kind, (code) => localName(state.kinds[code]) || code), heading("kind")),
    element("h2", { text: t("by_channel") }),
    barChart(t("by_channel"), entries(stats.by_channel, channelName), heading("channel")),
    element("h2", { text: t("by_unit") }),
    barChart(t("by_unit"), stats.by_unit.map((unit) => [unit.name, unit.total]), heading("unit")),
  );
  renderSatisfaction(stats.satisfaction, stats.satisfaction_by_unit);
  document.querySelector("#overdue tbody").replaceChildren(...stats.overdue.items.map((item) => element("tr", {},
    element("td", {}, element("a", { href: "/konsol/basvuru?no=" + encodeURIComponent(item.application_no), text: item.application_no })),
    element("td", { text: item.unit ? item.unit.name : "—" }),
    element("td", { text: formatDate(item.due_at) }),
    element("td", { text: String(Math.round(item.overdue_hours)) }))));
  form.from.value = stats.from;
  form.to.value = stats.to;
  document.querySelector("#stats").hidden = false;
}

async function load() {
  state.stats = await staffCall("GET", "/stats", { query: { from: form.from.value, to: form.to.value } });
  render();
}

if (current) {
  setUpPage("console", render);
  onSubmit(form, load);
  catalog().then((answer) => {
    for (const kind of answer.kinds) state.kinds[kind.code] = kind.name;
  }).catch(reportError).then(load).catch(reportError);
}
