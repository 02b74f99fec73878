// Units (/konsol/yonetim/birimler): the province's units with their active officers — create,
// rename, deactivate (refused by the API while applications are open there: its message is
// shown), reactivate. GET /api/v1/units, POST /api/v1/admin/units, PATCH /api/v1/admin/units/{id}.
import { catalog, staffCall } from "../../common/api.js";
import { fillSelect } from "../../common/application-form.js";
import { unitName } from "../../common/format.js";
import { clearErrors, element, onSubmit } from "../../common/forms.js";
import { currentLanguage, t } from "../../common/i18n.js";
import {
  activeText, announce, attempt, confirmed, emptyRow, loadUnits, localCompare, nameOr, openDialog, problem, replaceRows,
  row, rowButton, setUpAdminPage,
} from "./admin.js";

// contracts/routing/unit_types.py UNIT_TYPE_CODES (tests/unit/gateway/test_web_pages.py keeps them in step)
const UNIT_TYPES = ["governorship", "district_governorship", "national_education", "health", "police", "gendarmerie",
  "family_social_services", "agriculture_forestry", "environment_urbanisation", "social_security", "employment",
  "revenue", "land_registry", "municipality"];
const STATE_FILTERS = [["all", "all"], ["active", "adm_active"], ["inactive", "adm_inactive"]];
const state = { units: null, districts: [], renaming: null };
const createForm = document.querySelector("#create-form");
const renameDialog = document.querySelector("#rename-dialog");
const renameForm = document.querySelector("#rename-form");
const filterText = document.querySelector("#filter-text");
const filterState = document.querySelector("#filter-state");
const tbody = document.querySelector("#units tbody");
const current = setUpAdminPage(render);

function typeName(code) {
  return nameOr("adm_type_" + code, code);
}

function fold(text) {
  return (text || "").toLocaleLowerCase("tr");
}

function shown(unit) {
  const wanted = filterState.value;
  if (wanted === "active" && !unit.active) return false;
  if (wanted === "inactive" && unit.active) return false;
  const words = fold(filterText.value).split(/\s+/).filter(Boolean);
  const haystack = fold([unit.name, unit.name_en, unit.district, typeName(unit.type)].join(" "));
  return words.every((word) => haystack.includes(word));
}

function officersCell(unit) {
  const count = unit.active_officers;
  if (count === undefined || count === null) return null;
  if (count > 0 || !unit.active) return String(count);
  return [String(count) + " ", element("span", { class: "badge-warning", text: t("adm_no_officer") })];
}

// The name in the page's language, and the other language's below it where it differs.
function nameCell(unit) {
  const other = currentLanguage() === "en" ? unit.name : unit.name_en;
  const cell = [element("span", { class: "unit-name", text: unitName(unit) })];
  if (other && other !== unitName(unit)) {
    cell.push(element("span", { class: "other-name", lang: currentLanguage() === "en" ? "tr" : "en", text: other }));
  }
  return cell;
}

function fillForms() {
  fillSelect(createForm.type, UNIT_TYPES.map((code) => [code, typeName(code)]).sort((left, right) => localCompare(left[1], right[1])));
  fillSelect(createForm.district, state.districts.map((district) => [district, district]), { blank: "adm_province_wide" });
  fillSelect(filterState, STATE_FILTERS.map(([value, key]) => [value, t(key)]), { blank: null });
}

function render() {
  fillForms();
  if (!state.units) return;
  const units = state.units.filter(shown);
  document.querySelector("#units-count").textContent = t("adm_showing") + ": " + units.length + " / " + state.units.length;
  if (!units.length) return emptyRow(tbody, "adm_no_units");
  replaceRows(tbody, units.map((unit) => row({ "data-unit-id": unit.unit_id, class: unit.active ? null : "inactive" }, [
    ["adm_name", nameCell(unit)],
    ["district", unit.district || t("adm_province_wide")],
    ["adm_unit_type", typeName(unit.type)],
    ["adm_state", activeText(unit.active)],
    ["adm_active_officers", officersCell(unit)],
    ["actions", element("div", { class: "row-actions" },
      rowButton("adm_rename", unitName(unit), "rename:" + unit.unit_id, () => startRename(unit)),
      rowButton(unit.active ? "adm_deactivate" : "adm_reactivate", unitName(unit), "toggle:" + unit.unit_id,
        () => toggleActive(unit), { danger: unit.active }))],
  ])));
}

async function load() {
  const [units, answer] = await Promise.all([loadUnits(), state.districts.length ? null : catalog()]);
  if (answer) {
    const province = answer.provinces.find((entry) => entry.code === current.province);
    state.districts = province ? province.districts : [];
  }
  state.units = units.sort((left, right) => localCompare(unitName(left), unitName(right)));
  render();
}

filterText.addEventListener("input", render);
filterState.addEventListener("change", render);
document.querySelector("#filter-form").addEventListener("submit", (event) => event.preventDefault());

// --- create ---------------------------------------------------------------------------------

onSubmit(createForm, async () => {
  const body = { name: createForm.name.value.trim(), type: createForm.type.value };
  if (createForm.name_en.value.trim()) body.name_en = createForm.name_en.value.trim();
  if (createForm.district.value) body.district = createForm.district.value;
  const unit = await staffCall("POST", "/admin/units", { body });
  createForm.reset();
  announce(t("adm_unit_created", { name: unitName(unit) }));
  await load();
});

// --- rename -----------------------------------------------------------------------------------

function startRename(unit) {
  state.renaming = unit;
  clearErrors(renameForm);
  renameForm.name.value = unit.name;
  renameForm.name_en.value = unit.name_en || "";
  openDialog(renameDialog, "#units");
  renameForm.name.focus();
}

document.querySelector("#rename-cancel").addEventListener("click", () => renameDialog.close());

onSubmit(renameForm, async () => {
  const unit = state.renaming;
  const changes = {};
  for (const name of ["name", "name_en"]) {
    const value = renameForm[name].value.trim();
    if (name === "name_en" && !value) continue;  // optional: an empty box leaves the English name as it is
    if (value !== (unit[name] || "")) changes[name] = value;
  }
  if (Object.keys(changes).length) {
    const renamed = await staffCall("PATCH", "/admin/units/" + encodeURIComponent(unit.unit_id), { body: changes });
    announce(t("adm_unit_renamed", { name: unitName(renamed) }));
  }
  renameDialog.close();
  await load();
});

// --- deactivate / reactivate ------------------------------------------------------------------

// Refused while applications are open at the unit (409 unit_has_open_applications): the API's
// message, which says how many, is shown in the page's alert region.
async function toggleActive(unit) {
  const deactivating = unit.active;
  const sure = await confirmed(
    t(deactivating ? "adm_deactivate_unit_title" : "adm_reactivate_unit_title", { name: unitName(unit) }),
    t(deactivating ? "adm_deactivate_unit_text" : "adm_reactivate_unit_text"),
    t(deactivating ? "adm_deactivate" : "adm_reactivate"));
  if (!sure) return;
  const done = await attempt(() => staffCall("PATCH", "/admin/units/" + encodeURIComponent(unit.unit_id),
    { body: { active: !deactivating } }));
  if (!done) return;
  announce(t(deactivating ? "adm_unit_deactivated" : "adm_unit_reactivated", { name: unitName(unit) }));
  await attempt(load);
}

if (current) {
  fillForms();
  load().catch(problem);
}
