// The province's statistics (GET /api/v1/stats): figures, bar charts with their tables, overdue list.
import { catalog, staffCall } from "../common/api.js";
import { barChart } from "../common/chart.js";
import { element, onSubmit } from "../common/forms.js";
import { channelName, formatDate, statusName } from "../common/format.js";
import { localName, t } from "../common/i18n.js";
import { reportError, requireStaff, setUpPage } from "../common/layout.js";

const current = requireStaff("router", "unit", "admin");
const form = document.querySelector("#stats-form");
const state = { stats: null, kinds: {} };

function entries(counts, label) {
  return Object.entries(counts).map(([code, value]) => [label(code), value]);
}

function render() {
  const stats = state.stats;
  if (!stats) return;
  const answered = stats.answered;
  const figures = [
    ["total", stats.total], ["status_answered", answered.count],
    ["answered_on_time", answered.on_time_share === null ? "—" : Math.round(answered.on_time_share * 100) + "%"],
    ["median_hours", answered.median_hours ?? "—"], ["p90_hours", answered.p90_hours ?? "—"],
    ["overdue", stats.overdue.count],
  ];
  document.querySelector("#figures").replaceChildren(...figures.map(([key, value]) =>
    element("div", {}, element("strong", { text: String(value) }), " ", t(key))));
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
