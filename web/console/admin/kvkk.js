// KVKK (/konsol/yonetim/kvkk): an applicant's personal data in the admin's province — export
// (offered as a JSON file; nothing of it is kept by the page), erasure (reason required, and
// typed confirmation: the ID number again, or SİL / ERASE), and the trail of earlier requests.
// POST /api/v1/admin/personal-data/export, POST /api/v1/admin/personal-data/erase,
// GET /api/v1/admin/personal-data/requests.
import { staffCall } from "../../common/api.js";
import { formatDate, staffName, timeElement } from "../../common/format.js";
import { clearErrors, element, onSubmit, showErrors } from "../../common/forms.js";
import { t } from "../../common/i18n.js";
import { attempt, emptyRow, nameOr, problem, replaceRows, row, setUpAdminPage } from "./admin.js";

const CONFIRM_WORDS = ["sil", "erase"];
const state = { requests: null, exported: null, erased: null, download: null };
const exportForm = document.querySelector("#export-form");
const eraseForm = document.querySelector("#erase-form");
const eraseButton = document.querySelector("#erase-button");
const exportResult = document.querySelector("#export-result");
const eraseResult = document.querySelector("#erase-result");
const tbody = document.querySelector("#requests tbody");
const current = setUpAdminPage(render);

// "12345678946" → "123******46", as the API masks it in the trail
function masked(nationalId) {
  return nationalId.slice(0, 3) + "*".repeat(Math.max(nationalId.length - 5, 0)) + nationalId.slice(-2);
}

function numbersList(numbers) {
  return element("ul", { class: "numbers" }, ...numbers.map((number) => element("li", {},
    element("a", { href: "/konsol/basvuru?no=" + encodeURIComponent(number), text: number }))));
}

// --- export ---------------------------------------------------------------------------------

function renderExport() {
  const exported = state.exported;
  if (!exported) return;
  const { numbers, file } = exported;
  exportResult.replaceChildren(
    element("p", { class: "result-heading", tabindex: "-1", text: t("adm_export_done", { count: numbers.length }) }),
    element("p", {}, element("a", { href: state.download, download: file, class: "button download",
      text: t("adm_download_json", { file }) })),
    element("p", { text: t("adm_exported_applications") + ":" }),
    numbersList(numbers));
  exportResult.hidden = false;
}

onSubmit(exportForm, async () => {
  const exported = await staffCall("POST", "/admin/personal-data/export",
    { body: { national_id: exportForm.national_id.value.trim() } });
  if (state.download) URL.revokeObjectURL(state.download);
  state.download = URL.createObjectURL(new Blob([JSON.stringify(exported, null, 2)], { type: "application/json" }));
  // the page keeps the numbers and the file's name; the data itself only in the Blob
  state.exported = { numbers: exported.applications.map((application) => application.application_no),
    file: "kvkk-" + masked(exported.national_id) + ".json" };
  renderExport();
  exportForm.reset();
  exportResult.querySelector(".result-heading").focus();
  await attempt(loadRequests);
});

// --- erasure --------------------------------------------------------------------------------

function confirmed() {
  const typed = eraseForm.confirmation.value.trim();
  const nationalId = eraseForm.national_id.value.trim();
  if (!typed) return false;
  if (nationalId && typed === nationalId) return true;
  return CONFIRM_WORDS.includes(typed.toLocaleLowerCase("tr")) || CONFIRM_WORDS.includes(typed.toLowerCase());
}

function syncEraseButton() {
  eraseButton.disabled = !confirmed();
}

for (const input of [eraseForm.confirmation, eraseForm.national_id]) input.addEventListener("input", syncEraseButton);

function renderErasure() {
  const erased = state.erased;
  if (!erased) return;
  eraseResult.replaceChildren(
    element("p", { class: "result-heading", tabindex: "-1",
      text: t("adm_erase_done", { count: erased.erased.length, at: formatDate(erased.erased_at) }) }),
    element("p", { text: t("adm_erased_applications") + ":" }),
    numbersList(erased.erased));
  eraseResult.hidden = false;
}

// Not forms.js onSubmit: the button must stay disabled until the confirmation is typed again.
eraseForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!confirmed()) return;
  clearErrors(eraseForm);
  eraseButton.disabled = true;
  try {
    state.erased = await staffCall("POST", "/admin/personal-data/erase", { body: {
      national_id: eraseForm.national_id.value.trim(), reason: eraseForm.reason.value.trim() } });
    eraseForm.reset();
    renderErasure();
    eraseResult.querySelector(".result-heading").focus();
    await attempt(loadRequests);
  } catch (error) {
    showErrors(eraseForm, error);
  } finally {
    syncEraseButton();
  }
});

// --- the trail ------------------------------------------------------------------------------

function renderRequests() {
  if (!state.requests) return;
  if (!state.requests.length) return emptyRow(tbody, "adm_no_requests");
  replaceRows(tbody, state.requests.map((entry) => row({}, [
    ["adm_action", nameOr("adm_action_" + entry.action, entry.action)],
    ["adm_when", timeElement(entry.at)],
    ["adm_by", staffName(entry.by, { [entry.by]: entry.by_name })],
    ["adm_masked_id", element("span", { class: "masked", text: entry.national_id_masked })],
    ["adm_applications", String(entry.applications)],
    ["reason", entry.reason],
  ])));
}

async function loadRequests() {
  state.requests = (await staffCall("GET", "/admin/personal-data/requests")) || [];
  renderRequests();
}

function render() {
  renderExport();
  renderErasure();
  renderRequests();
}

if (current) loadRequests().catch(problem);
