// Staff sign-in (POST /api/v1/auth/token). Comes back to the page that sent the officer here
// (``next``: a console page of this origin only), else the role's first page; says why the
// officer is here when a session ran out or was closed.
import { ApiError, clearSession, login, safeNext } from "../common/api.js";
import { onSubmit } from "../common/forms.js";
import { t } from "../common/i18n.js";
import { HOME, setUpPage, showAlert } from "../common/layout.js";

const form = document.querySelector("#login-form");
const query = new URLSearchParams(location.search);
const next = safeNext(query.get("next"));

function sayWhy() {
  if (query.has("expired")) showAlert(t("session_expired"), { kind: "warning" });
  else if (query.has("signed_out")) showAlert(t("signed_out"), { kind: "success" });
  else if (next) showAlert(t("sign_in_to_continue"), { kind: "info" });
}

onSubmit(form, async () => {
  try {
    const current = await login(form.username.value.trim(), form.password.value);
    location.assign(next || HOME[current.role] || "/konsol/kuyruk");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw new ApiError(401, { error: { message: t("login_failed") } });
    throw error;
  }
});
// Opening the sign-in page starts a new sign-in: an earlier session in this tab would otherwise
// still name its officer in the header, even after a refused attempt.
clearSession();
setUpPage("console", sayWhy);
sayWhy();
