import { ApiError, login } from "../common/api.js";
import { onSubmit } from "../common/forms.js";
import { t } from "../common/i18n.js";
import { setUpPage } from "../common/layout.js";

const form = document.querySelector("#login-form");
onSubmit(form, async () => {
  try {
    const current = await login(form.username.value.trim(), form.password.value);
    location.assign(current.role === "desk" ? "/konsol/masa" : "/konsol/kuyruk");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw new ApiError(401, { error: { message: t("login_failed") } });
    throw error;
  }
});
setUpPage("console");
