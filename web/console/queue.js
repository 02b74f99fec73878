// The officer's queue (GET /api/v1/staff/applications): a router's province, a unit officer's
// inbox; filters by status, unit and overdue; overdue rows highlighted.
import { catalog, staffCall } from "../common/api.js";
import { fillSelect } from "../common/application-form.js";
import { element, onSubmit } from "../common/forms.js";
import { formatDate, localName, t } from "../common/i18n.js";
import { requireStaff, setUpPage } from "../common/layout.js";

const STATUSES = ["unrouted", "routed", "returned", "answered"];
const PAGE_SIZE = 20;
const current = requireStaff("router", "unit", "admin");
const form = document.querySelector("#filter-form");
const state = { page: 1, answer: null, units: [], categories: {} };

function renderFilters() {
  fillSelect(form.status, STATUSES.map((status) => [status, t("status_" + status)]), { blank: "all" });
  fillSelect(form.unit_id, state.units.map((unit) => [unit.unit_id, unit.name]), { blank: "all" });
}

function unitCell(unit) {
  return unit ? unit.name : "—";
}

function render() {
  renderFilters();
  const answer = state.answer;
  if (!answer) return;
  document.querySelector("#queue-total").textContent = t("total") + ": " + answer.total;
  const rows = answer.items.map((entry) => {
    const due = element("td", {}, element("time", { datetime: entry.due_at, text: formatDate(entry.due_at) }));
    if (entry.overdue) due.append(" ", element("span", { class: "badge-overdue", text: t("overdue") }));
    return element("tr", { class: entry.overdue ? "overdue" : null, "data-application-no": entry.application_no },
      element("td", {}, element("a", { href: "/konsol/basvuru?no=" + encodeURIComponent(entry.application_no), text: entry.application_no })),
      element("td", { text: t("status_" + entry.status) }),
      element("td", { text: localName(state.categories[entry.category]) || entry.category }),
      element("td", { text: entry.district }),
      element("td", { text: unitCell(entry.unit) }),
      element("td", { class: "suggested", text: unitCell(entry.suggested_unit) }),
      due);
  });
  if (!rows.length) rows.push(element("tr", {}, element("td", { colspan: "7", text: t("no_applications") })));
  document.querySelector("#queue tbody").replaceChildren(...rows);
  const pages = Math.max(1, Math.ceil(answer.total / PAGE_SIZE));
  document.querySelector("#page-number").textContent = t("page") + " " + state.page + " / " + pages;
  document.querySelector("#previous").disabled = state.page <= 1;
  document.querySelector("#next").disabled = state.page >= pages;
}

async function load() {
  state.answer = await staffCall("GET", "/staff/applications", { query: {
    status: form.status.value, unit_id: form.unit_id.value, overdue: form.overdue.checked ? "true" : "",
    page: state.page, page_size: PAGE_SIZE } });
  render();
}

if (current) {
  setUpPage("console", render);
  form.querySelector("#f-unit_id").closest(".field").hidden = current.role === "unit";
  renderFilters();
  onSubmit(form, () => {
    state.page = 1;
    return load();
  });
  document.querySelector("#previous").addEventListener("click", () => { state.page -= 1; load(); });
  document.querySelector("#next").addEventListener("click", () => { state.page += 1; load(); });
  Promise.all([
    current.role === "unit" ? [] : staffCall("GET", "/units"),
    catalog(),
  ]).then(([units, answer]) => {
    state.units = units || [];
    for (const category of answer.categories) state.categories[category.code] = category.name;
    return load();
  }).catch((error) => form.querySelector(".form-status").textContent = error.message);
}
