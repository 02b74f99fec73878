// Users (/konsol/yonetim/kullanicilar): the province's staff accounts — list, create, change
// display name, role or unit, deactivate or reactivate (confirmed), reset a password (the new one
// shown once). GET/POST /api/v1/admin/users, PATCH /api/v1/admin/users/{username},
// POST /api/v1/admin/users/{username}/password; units from GET /api/v1/units.
import { staffCall } from "../../common/api.js";
import { fillSelect } from "../../common/application-form.js";
import { roleName, unitName } from "../../common/format.js";
import { clearErrors, element, onSubmit } from "../../common/forms.js";
import { t } from "../../common/i18n.js";
import {
  activeText, announce, attempt, confirmed, emptyRow, fillUnitSelect, loadUnits, openDialog, problem, replaceRows, row,
  rowButton, setUpAdminPage, showOnce,
} from "./admin.js";

const ROLES = ["desk", "router", "unit", "admin"];
const state = { users: null, units: [], editing: null };
const createForm = document.querySelector("#create-form");
const editDialog = document.querySelector("#edit-dialog");
const editForm = document.querySelector("#edit-form");
const tbody = document.querySelector("#users tbody");
const current = setUpAdminPage(render);
const userPath = (user) => "/admin/users/" + encodeURIComponent(user.username);

// The unit select is for unit officers only.
function wireRole(form, unitField) {
  const sync = () => {
    unitField.hidden = form.role.value !== "unit";
  };
  form.role.addEventListener("change", sync);
  return sync;
}

const syncCreateUnit = wireRole(createForm, document.querySelector("#create-unit-field"));
const syncEditUnit = wireRole(editForm, document.querySelector("#edit-unit-field"));

function fillForms() {
  for (const form of [createForm, editForm]) {
    fillSelect(form.role, ROLES.map((role) => [role, roleName(role)]));
    fillUnitSelect(form.unit_id, state.units.filter((unit) => unit.active));
  }
  if (state.editing) titleEdit();
}

function render() {
  fillForms();
  if (!state.users) return;
  if (!state.users.length) return emptyRow(tbody, "adm_no_users");
  replaceRows(tbody, state.users.map((user) => row({ "data-username": user.username, class: user.active ? null : "inactive" }, [
    ["username", element("span", { class: "username", text: user.username })],
    ["adm_display_name", user.display_name || user.username],
    ["adm_role", roleName(user.role)],
    ["unit", user.unit_id && unitName(user.unit_id, state.units)],
    ["adm_state", activeText(user.active)],
    ["actions", element("div", { class: "row-actions" },
      rowButton("adm_edit", user.username, "edit:" + user.username, () => startEdit(user)),
      rowButton(user.active ? "adm_deactivate" : "adm_reactivate", user.username, "toggle:" + user.username,
        () => toggleActive(user), { danger: user.active }),
      user.active ? rowButton("adm_reset_password", user.username, "reset:" + user.username, () => resetPassword(user)) : null)],
  ])));
}

async function load() {
  const [users, units] = await Promise.all([staffCall("GET", "/admin/users"), loadUnits()]);
  state.units = units;
  state.users = (users || []).sort((left, right) => left.username.localeCompare(right.username));
  render();
}

// --- create ---------------------------------------------------------------------------------

document.querySelector("#f-show-password").addEventListener("change", (event) => {
  createForm.password.type = event.target.checked ? "text" : "password";
});

onSubmit(createForm, async () => {
  const body = {
    username: createForm.username.value.trim(),
    password: createForm.password.value,
    role: createForm.role.value,
    province: current.province,
  };
  const display = createForm.display_name.value.trim();
  if (display) body.display_name = display;
  if (body.role === "unit") body.unit_id = createForm.unit_id.value;
  const created = await staffCall("POST", "/admin/users", { body });
  createForm.reset();
  createForm.password.type = "password";
  syncCreateUnit();
  announce(t("adm_user_created", { name: created.username }));
  await load();
});

// --- edit: display name, role, unit -----------------------------------------------------------

function titleEdit() {
  document.querySelector("#edit-heading").textContent = t("adm_edit_user_heading", { name: state.editing.username });
}

function startEdit(user) {
  state.editing = user;
  clearErrors(editForm);
  titleEdit();
  editForm.display_name.value = user.display_name || "";
  editForm.role.value = user.role;
  editForm.unit_id.value = user.unit_id || "";
  syncEditUnit();
  openDialog(editDialog, "#users");
  editForm.display_name.focus();
}

document.querySelector("#edit-cancel").addEventListener("click", () => editDialog.close());
editDialog.addEventListener("close", () => {
  state.editing = null;
});

// Only what changed is sent: a role other than unit drops the unit (the API does), so the unit
// goes along only for unit officers.
onSubmit(editForm, async () => {
  const user = state.editing;
  const changes = {};
  const display = editForm.display_name.value.trim();
  if (display && display !== (user.display_name || "")) changes.display_name = display;
  if (editForm.role.value !== user.role) changes.role = editForm.role.value;
  if (editForm.role.value === "unit" && (changes.role || editForm.unit_id.value !== (user.unit_id || ""))) {
    changes.unit_id = editForm.unit_id.value;
  }
  if (Object.keys(changes).length) {
    await staffCall("PATCH", userPath(user), { body: changes });
    announce(t("adm_user_updated", { name: user.username }));
  }
  editDialog.close();
  await load();
});

// --- deactivate / reactivate, reset password ----------------------------------------------------

async function toggleActive(user) {
  const deactivating = user.active;
  const sure = await confirmed(
    t(deactivating ? "adm_deactivate_user_title" : "adm_reactivate_user_title", { name: user.username }),
    t(deactivating ? "adm_deactivate_user_text" : "adm_reactivate_user_text"),
    t(deactivating ? "adm_deactivate" : "adm_reactivate"));
  if (!sure) return;
  const done = await attempt(() => staffCall("PATCH", userPath(user), { body: { active: !deactivating } }));
  if (!done) return;
  announce(t(deactivating ? "adm_user_deactivated" : "adm_user_reactivated", { name: user.username }));
  await attempt(load);
}

async function resetPassword(user) {
  const sure = await confirmed(t("adm_reset_title", { name: user.username }), t("adm_reset_text"), t("adm_reset_password"));
  if (!sure) return;
  let answer = null;
  if (!await attempt(async () => {
    answer = await staffCall("POST", userPath(user) + "/password");
  })) return;
  announce(t("adm_password_reset", { name: answer.username }));
  showOnce(document.querySelector("#secret"), { label: t("adm_new_password_for", { name: answer.username }),
    value: answer.password });
}

if (current) {
  fillForms();
  syncCreateUnit();
  load().catch(problem);
}
