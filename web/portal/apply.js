// The apply page (POST /api/v1/applications; docs/portal.md): the form with its privacy notice, one
// Idempotency-Key per application, the receipt that replaces the form, and what was sent without a
// connection, kept on the device and sent when it returns. Opened as the installed app, its
// applications come with channel "app". Where the catalogue requires them, the birth field and the
// phone proven by an SMS code (applicant-checks.js).
import "./strings.js";
import { applicantChecks } from "./applicant-checks.js";
import { isInstalledApp } from "./app-shell.js";
import { call } from "../common/api.js";
import { setUpApplicationPage } from "../common/application-form.js";
import { confirmDialog } from "../common/dialog.js";
import { element } from "../common/forms.js";
import { formatDate } from "../common/format.js";
import { t } from "../common/i18n.js";
import { setUpPage } from "../common/layout.js";
import { OfflineQueue, canKeep } from "../common/offline-queue.js";

const RECEIPT_KEY = "acikkapi.portal.receipt";
const waiting = document.querySelector("#waiting");
const waitingStatus = document.querySelector("#waiting-status");
const connection = document.querySelector("#connection");

const post = (body, headers) => call("POST", "/applications", { body, headers });

const queue = new OfflineQueue({
  post,
  onAccepted: (answer) => page.showReceipt(answer),
  onRefused: (key, body, error) => page.restore(key, body, error),
  onChange: () => drawWaiting(),
});

const page = setUpApplicationPage({
  post,
  channel: isInstalledApp() ? "app" : "web",
  scope: "portal",
  receipt: "portal",
  remember: RECEIPT_KEY,
  extras: applicantChecks(),
  keepOffline: async (key, body) => {
    if (!(await queue.keep(key, body))) return false;
    page.hideForm();
    await drawWaiting();
    waitingStatus.textContent = t("waiting_kept");
    document.querySelector("#waiting-heading").focus();
    return true;
  },
});

// The list of kept submissions: subject, when, send now, discard.
async function drawWaiting() {
  const entries = await queue.entries().catch(() => []);
  waiting.hidden = entries.length === 0;
  if (entries.length === 0) waitingStatus.textContent = "";
  waiting.querySelector(".waiting-list").replaceChildren(...entries.map((entry) => {
    const subject = entry.subject || t("waiting_no_subject");
    const discard = element("button", { type: "button", class: "secondary",
      "aria-label": t("waiting_discard_label", { subject }), text: t("waiting_discard") });
    discard.addEventListener("click", () => discardEntry(entry.id));
    return element("li", { class: "waiting-entry" },
      element("p", { class: "waiting-subject", text: subject }),
      element("p", { class: "hint" }, t("waiting_saved_at") + ": ",
        element("time", { datetime: entry.savedAt, text: formatDate(entry.savedAt) })),
      discard);
  }));
  // nothing on show (the last one discarded, or refused into the form): the form comes back
  const form = document.querySelector("#application-form");
  const receipt = document.querySelector("#receipt");
  if (entries.length === 0 && form.hidden && receipt.hidden) page.showForm();
  document.querySelector("#waiting-new-application").hidden = !form.hidden || !receipt.hidden;
}

async function sendWaiting() {
  waitingStatus.textContent = t("sending");
  await queue.flush({ all: true }).catch(() => {});
  const left = await queue.entries().catch(() => []);
  waitingStatus.textContent = left.length ? t("waiting_still_offline") : "";
}

async function discardEntry(id) {
  const confirmed = await confirmDialog({ heading: t("waiting_discard_heading"), text: t("waiting_discard_text"),
    confirmLabel: t("waiting_discard_confirm") });
  if (!confirmed) return;
  await queue.discard(id);
  waitingStatus.textContent = t("waiting_discarded");
  document.querySelector("#waiting-heading").focus();
}

function drawConnection() {
  connection.hidden = navigator.onLine !== false;
  connection.textContent = connection.hidden ? "" : t(canKeep() ? "offline_can_keep" : "offline_cannot_keep");
}

document.querySelector("#waiting-send-now").addEventListener("click", sendWaiting);
document.querySelector("#waiting-new-application").addEventListener("click", () => {
  page.showForm();
  drawWaiting();
  document.querySelector("#application-form input").focus();
});
window.addEventListener("online", drawConnection);
window.addEventListener("offline", drawConnection);
drawConnection();
drawWaiting().then(() => queue.start()).catch(() => {});
setUpPage("portal", () => {
  page.redraw();
  drawWaiting();
  drawConnection();
});
