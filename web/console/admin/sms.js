// Failed SMS (/konsol/yonetim/sms): the province's messages that were not delivered, why (in the
// page's language), and a resend where the number was not at fault. GET /api/v1/admin/sms/failed,
// POST /api/v1/admin/sms/{message_id}/resend (409 sms_not_resendable: its message is shown).
import { staffCall } from "../../common/api.js";
import { smsTemplateName, timeElement } from "../../common/format.js";
import { element } from "../../common/forms.js";
import { currentLanguage, localName, t } from "../../common/i18n.js";
import { announce, attempt, emptyRow, problem, replaceRows, row, rowButton, setUpAdminPage } from "./admin.js";

const state = { messages: null };
const tbody = document.querySelector("#failed-sms tbody");
const current = setUpAdminPage(render);

function reasonText(message) {
  const reason = message.reason;
  if (reason && typeof reason === "object") return reason[currentLanguage()] || reason.tr;
  return reason || message.last_error;
}

function actionCell(message) {
  if (message.resendable) {
    return rowButton("adm_resend", message.application_no, "resend:" + message.message_id,
      (event) => resend(message, event.currentTarget));
  }
  const why = message.resend_refusal && localName(message.resend_refusal);
  return element("span", { class: "not-resendable", text: why ? t("adm_cannot_resend", { why }) : t("adm_not_resendable") });
}

function render() {
  if (!state.messages) return;
  if (!state.messages.length) return emptyRow(tbody, "adm_no_failed_sms");
  replaceRows(tbody, state.messages.map((message) => row({ "data-message-id": message.message_id }, [
    ["application_no", element("a", { href: "/konsol/basvuru?no=" + encodeURIComponent(message.application_no),
      text: message.application_no })],
    ["adm_template", smsTemplateName(message.template)],
    ["adm_attempts", String(message.attempts)],
    ["adm_failed_at", timeElement(message.failed_at || message.updated_at)],
    ["adm_reason", reasonText(message)],
    ["actions", actionCell(message)],
  ])));
}

async function load() {
  state.messages = (await staffCall("GET", "/admin/sms/failed")) || [];
  render();
}

async function resend(message, button) {
  button.disabled = true;  // one click, one message
  const done = await attempt(() => staffCall("POST", "/admin/sms/" + encodeURIComponent(message.message_id) + "/resend"));
  if (!done) {
    button.disabled = false;
    return;
  }
  announce(t("adm_resent", { no: message.application_no }));
  await attempt(load);
}

if (current) load().catch(problem);
