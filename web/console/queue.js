// The officer's queue (GET /api/v1/staff/applications): a router's or admin's province, a unit
// officer's inbox. Search (number, national ID for routers and admins, words), a tab per status
// with its count, unit, overdue and escalated (past the statutory limit) filters, sort, pages;
// the query string follows every change, so a reload or the back button shows the same list.
import { catalog, staffCall } from "../common/api.js";
import { fillSelect } from "../common/application-form.js";
import { clearErrors, element, onSubmit, showErrors } from "../common/forms.js";
import { CatalogNames, deadlineBadge, formatDay, statusName, unitName } from "../common/format.js";
import { t } from "../common/i18n.js";
import { reportError, requireStaff, setUpPage } from "../common/layout.js";

const PAGE_SIZE = 20;
const STATUSES = ["unrouted", "routed", "returned", "answered"];
const SORTS = ["due", "received", "status"];
const SORT_ALIASES = { newest: "received" };
const current = requireStaff("router", "unit", "admin");
const isUnit = current && current.role === "unit";
// A unit officer's inbox holds only what is routed to (or answered by) the unit.
const TABS = isUnit ? ["open", "answered", "all"] : ["open", "unrouted", "routed", "returned", "answered", "all"];
const searchForm = document.querySelector("#search-form");
const filterForm = document.querySelector("#filter-form");
const table = document.querySelector("#queue");
const state = { q: "", status: "open", unit_id: "", overdue: false, escalated: false, sort: "due", page: 1 };
const data = { answer: null, units: [], names: new CatalogNames() };
let asked = 0; // the latest request: an older answer arriving late is dropped

// --- the query string ----------------------------------------------------------------------

function readAddress() {
  const params = new URLSearchParams(location.search);
  const status = params.get("status");
  const sort = SORT_ALIASES[params.get("sort")] || params.get("sort");
  state.q = (params.get("q") || "").slice(0, 100);
  state.status = TABS.includes(status) ? status : "open";
  state.unit_id = isUnit ? "" : params.get("unit_id") || "";
  state.overdue = params.get("overdue") === "true";
  state.escalated = params.get("escalated") === "true";
  state.sort = SORTS.includes(sort) ? sort : "due";
  state.page = Math.max(1, Number.parseInt(params.get("page"), 10) || 1);
}

function address(changes = {}) {
  const next = { ...state, ...changes };
  const params = new URLSearchParams();
  if (next.q) params.set("q", next.q);
  params.set("status", next.status);
  if (next.unit_id) params.set("unit_id", next.unit_id);
  if (next.overdue) params.set("overdue", "true");
  if (next.escalated) params.set("escalated", "true");
  if (next.sort !== "due") params.set("sort", next.sort);
  if (next.page > 1) params.set("page", String(next.page));
  return location.pathname + "?" + params;
}

// Applies ``changes``, records them in the history (a new entry: back undoes them) and loads.
function go(changes) {
  Object.assign(state, changes);
  history.pushState(null, "", address());
  return load();
}

// --- drawing -------------------------------------------------------------------------------

function fillControls() {
  searchForm.q.value = state.q;
  fillSelect(filterForm.unit_id, data.units.filter((unit) => unit.active !== false)
    .map((unit) => [unit.unit_id, unitName(unit)]), { blank: "all" });
  filterForm.unit_id.value = state.unit_id;
  fillSelect(filterForm.sort, SORTS.map((sort) => [sort, t("sort_" + sort)]), { blank: null });
  filterForm.sort.value = state.sort;
  filterForm.overdue.checked = state.overdue;
  filterForm.escalated.checked = state.escalated;
}

function countOf(counts, tab) {
  if (!counts) return null;
  if (tab === "all") return STATUSES.reduce((sum, status) => sum + (counts[status] || 0), 0);
  return counts[tab] ?? null;
}

function renderTabs() {
  const counts = data.answer && data.answer.counts;
  const items = TABS.map((tab) => {
    const count = countOf(counts, tab);
    const link = element("a", { href: address({ status: tab, page: 1 }), "data-status": tab,
      "aria-current": tab === state.status ? "page" : null },
    t("tab_" + tab), count === null ? null : element("span", { class: "count", text: String(count) }));
    link.addEventListener("click", (event) => {
      event.preventDefault();
      go({ status: tab, page: 1 }).catch(showFailure);
    });
    return element("li", {}, link);
  });
  document.querySelector("#status-tabs ul").replaceChildren(...items);
}

function renderSummary() {
  const box = document.querySelector("#search-summary");
  const search = data.answer && data.answer.search;
  if (!search || !state.q) {
    box.replaceChildren();
    return;
  }
  const clear = element("button", { type: "button", class: "secondary", id: "clear-search", text: t("clear_search") });
  clear.addEventListener("click", () => {
    go({ q: "", status: "open", page: 1 }).catch(showFailure);
    searchForm.q.focus();
  });
  box.replaceChildren(element("p", { text: t("search_summary", {
    q: search.q, n: data.answer.total, how: t("matched_by_" + search.matched_by) }) }), clear);
}

function cell(labelKey, ...content) {
  return element("td", { "data-label": t(labelKey) }, ...content);
}

function unitCell(entry) {
  const known = (unit) => data.units.find((candidate) => candidate.unit_id === unit.unit_id) || unit;
  if (entry.unit) return cell("unit", unitName(known(entry.unit)));
  if (entry.suggested_unit) {
    return cell("unit", element("span", { class: "suggested" }, t("suggested_prefix") + " " + unitName(known(entry.suggested_unit))));
  }
  return cell("unit", "—");
}

// Açık Kapı's target as a badge; under it the law's limit while it runs, and the flags an officer
// must not miss: past the statutory limit, an objection to the answer. The date does not break
// across lines.
function deadlineCell(entry) {
  const flags = [];
  if (entry.escalated) flags.push(element("span", { class: "flag flag-escalated", text: t("escalated") }));
  if (entry.objected) flags.push(element("span", { class: "flag flag-objection", text: t("objection_flag") }));
  const statutory = entry.statutory_due_at && entry.status !== "answered"
    ? element("small", { class: "statutory-due", text: t("statutory_due", { date: formatDay(entry.statutory_due_at).replace(/ /g, "\u00a0") }) })
    : null;
  // one box: on a phone the cell is a grid of its label and one value
  return cell("days_left", element("div", { class: "deadline-cell" }, deadlineBadge(entry), statutory, ...flags));
}

function render() {
  fillControls();
  renderTabs();
  document.querySelector("#q-label").textContent = t(isUnit ? "search_label_unit" : "search_label");
  const answer = data.answer;
  if (!answer) return;
  renderSummary();
  document.querySelector("#queue-caption").textContent = t("queue_caption", { status: t("tab_" + state.status) });
  document.querySelector("#queue-total").textContent = t("results_count", { n: answer.total });
  const rows = answer.items.map((entry) => element("tr", {
    class: entry.overdue ? "overdue" : null, "data-application-no": entry.application_no },
  cell("application_no", element("a", { href: "/konsol/basvuru?no=" + encodeURIComponent(entry.application_no),
    text: entry.application_no })),
  element("td", { class: "subject", "data-label": t("subject"), text: entry.subject || "—" }),
  cell("kind", data.names.kind(entry.kind)),
  cell("category", data.names.category(entry.category)),
  cell("district", entry.district || "—"),
  unitCell(entry),
  cell("status", statusName(entry.status)),
  deadlineCell(entry)));
  if (!rows.length) {
    rows.push(element("tr", {}, element("td", { class: "empty", colspan: "8",
      text: t(state.q ? "no_search_results" : "no_applications") })));
  }
  table.querySelector("tbody").replaceChildren(...rows);
  const pages = Math.max(1, Math.ceil(answer.total / PAGE_SIZE));
  document.querySelector("#page-number").textContent = t("page_of", { page: state.page, pages });
  document.querySelector("#previous").disabled = state.page <= 1;
  document.querySelector("#next").disabled = state.page >= pages;
}

// --- loading -------------------------------------------------------------------------------

async function load() {
  const mine = ++asked;
  table.setAttribute("aria-busy", "true");
  try {
    const answer = await staffCall("GET", "/staff/applications", { query: {
      q: state.q, status: state.status === "all" ? "" : state.status, unit_id: state.unit_id,
      overdue: state.overdue ? "true" : "", escalated: state.escalated ? "true" : "", sort: state.sort, page: state.page, page_size: PAGE_SIZE } });
    if (mine !== asked) return;
    data.answer = answer;
    render();
  } finally {
    if (mine === asked) table.removeAttribute("aria-busy");
  }
}

// A refused query: the search box's own problem at the search box, a filter's at the filters,
// anything else in the page's alert region.
function showFailure(error) {
  const fields = Object.keys(error.fields || {});
  if (fields.includes("q") || error.code === "national_id_search_forbidden") showErrors(searchForm, error);
  else if (fields.some((name) => filterForm.querySelector("[name='" + CSS.escape(name) + "']"))) showErrors(filterForm, error);
  else reportError(error);
}

if (current) {
  readAddress();
  history.replaceState(null, "", address());
  setUpPage("console", render);
  document.querySelector("#unit-filter").hidden = isUnit;
  render();
  onSubmit(searchForm, () => {
    clearErrors(filterForm);
    const q = searchForm.q.value.trim();
    // a search looks everywhere (the tabs then count where the matches are); clearing it goes
    // back to the open applications
    return go({ q, status: q ? "all" : "open", page: 1 });
  });
  onSubmit(filterForm, () => {
    clearErrors(searchForm);
    return go({ unit_id: isUnit ? "" : filterForm.unit_id.value, overdue: filterForm.overdue.checked,
      escalated: filterForm.escalated.checked,
      sort: filterForm.sort.value, page: 1 });
  });
  document.querySelector("#previous").addEventListener("click", () => go({ page: state.page - 1 }).catch(showFailure));
  document.querySelector("#next").addEventListener("click", () => go({ page: state.page + 1 }).catch(showFailure));
  window.addEventListener("popstate", () => {
    readAddress();
    render();
    load().catch(showFailure);
  });
  Promise.all([staffCall("GET", "/units"), catalog()]).then(([units, answer]) => {
    data.units = units || [];
    data.names.add(answer);
    render();
  }).catch(reportError);
  load().catch(showFailure);
}
