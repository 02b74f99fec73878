// Open311 client keys (/konsol/yonetim/open311): issue a key for a client app (shown once),
// list the apps, revoke a key (confirmed). Keys are national. GET/POST
// /api/v1/admin/open311-clients, PATCH /api/v1/admin/open311-clients/{client_id} {"active": false}.
import { staffCall } from "../../common/api.js";
import { staffName, timeElement } from "../../common/format.js";
import { onSubmit } from "../../common/forms.js";
import { t } from "../../common/i18n.js";
import {
  announce, attempt, confirmed, emptyRow, problem, replaceRows, row, rowButton, setUpAdminPage, showOnce,
} from "./admin.js";

const state = { clients: null };
const createForm = document.querySelector("#create-form");
const tbody = document.querySelector("#clients tbody");
const current = setUpAdminPage(render);

function render() {
  if (!state.clients) return;
  if (!state.clients.length) return emptyRow(tbody, "adm_no_clients");
  replaceRows(tbody, state.clients.map((client) => row({ "data-client-id": client.client_id, class: client.active ? null : "inactive" }, [
    ["adm_name", client.name],
    ["adm_created_at", timeElement(client.created_at)],
    ["adm_created_by", staffName(client.created_by, { [client.created_by]: client.created_by_name })],
    ["adm_state", t(client.active ? "adm_active" : "adm_revoked")],
    ["actions", client.active
      ? rowButton("adm_revoke", client.name, "revoke:" + client.client_id, () => revoke(client), { danger: true })
      : null],
  ])));
}

async function load() {
  const clients = (await staffCall("GET", "/admin/open311-clients")) || [];
  // the active ones first, each group newest first
  state.clients = clients.sort((left, right) => (right.active - left.active) ||
    String(right.created_at).localeCompare(String(left.created_at)));
  render();
}

onSubmit(createForm, async () => {
  const client = await staffCall("POST", "/admin/open311-clients", { body: { name: createForm.name.value.trim() } });
  createForm.reset();
  announce(t("adm_client_created", { name: client.name }));
  showOnce(document.querySelector("#secret"), { label: t("adm_api_key_for", { name: client.name }), value: client.api_key });
  state.shownKeyOf = client.client_id;
  await load();
});

async function revoke(client) {
  const sure = await confirmed(t("adm_revoke_title", { name: client.name }), t("adm_revoke_text"), t("adm_revoke"));
  if (!sure) return;
  const done = await attempt(() => staffCall("PATCH", "/admin/open311-clients/" + encodeURIComponent(client.client_id),
    { body: { active: false } }));
  if (!done) return;
  announce(t("adm_client_revoked", { name: client.name }));
  if (state.shownKeyOf === client.client_id) hideRevokedKey();
  await attempt(load);
}

// A key still on screen after its revocation would read as one that works.
function hideRevokedKey() {
  const box = document.querySelector("#secret");
  box.replaceChildren();
  box.hidden = true;
  state.shownKeyOf = null;
}

if (current) load().catch(problem);
