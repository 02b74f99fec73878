// The verification page (/dogrula): anyone holding an answer's verification code sees whose answer
// it is (number, unit, date), its text's SHA-256 digest, whether its Ed25519 signature holds and
// whether the application's history chain is intact (GET /api/v1/verify/{code}), and whether a
// text they paste is the signed one (POST /api/v1/verify/{code}). Nothing personal: the API has none.
// ?kod= fills the code (the tracking page and the printed letter link it) and checks it at once.
import "./verify-strings.js";
import "./app-shell.js";
import { ApiError, call } from "../common/api.js";
import { checkFields, definitionList, element, onSubmit } from "../common/forms.js";
import { formatDate } from "../common/format.js";
import { t, tIn } from "../common/i18n.js";
import { setUpPage } from "../common/layout.js";

const form = document.querySelector("#verify-form");
const codeInput = document.querySelector("#f-code");
const section = document.querySelector("#result");
const heading = document.querySelector("#result-heading");
const compareForm = document.querySelector("#compare-form");
const textInput = document.querySelector("#f-text");
const compareResult = document.querySelector("#compare-result");

// what the page shows: the last verification (GET's answer), and the last comparison (true/false, null: none)
let result = null;
let matches = null;

const HISTORY = { intact: "ok", broken: "bad", partial: "neutral", unchained: "neutral" };
const MARKS = { ok: "✓", bad: "✗", neutral: "–" };

codeInput.value = new URLSearchParams(location.search).get("kod") || "";

// The page's own refusal, in both languages as the server writes its own ("Türkçe / English"),
// so that the form shows the reader's half and the other one after a switch.
function refusal(status, key) {
  return new ApiError(status, { error: { message: tIn("tr", key) + " / " + tIn("en", key) } });
}

function path(code) {
  return "/verify/" + encodeURIComponent(code);
}

// A result line: a mark and words (never colour alone), its kind ("ok", "bad", "neutral") as a class.
function check(node, kind, text) {
  node.className = "check check-" + kind;
  node.replaceChildren(element("span", { class: "mark", "aria-hidden": "true", text: MARKS[kind] }),
    element("span", { text }));
}

function render() {
  section.hidden = !result;
  if (!result) return;
  check(document.querySelector("#signature-check"), result.signature_valid ? "ok" : "bad",
    t(result.signature_valid ? "verify_signature_valid" : "verify_signature_invalid"));
  check(document.querySelector("#history-check"), HISTORY[result.history] || "neutral",
    t("verify_history_" + (result.history in HISTORY ? result.history : "unchained")));
  section.querySelector(".facts").replaceWith(definitionList([
    ["verify_code", element("span", { class: "code", translate: "no", text: result.verification_code })],
    ["verify_application_no", result.application_no],
    ["verify_unit", result.unit],
    ["verify_answered_at", formatDate(result.answered_at)],
    ["verify_answer_to", t(result.answer_to === "objection" ? "verify_answer_to_objection" : "verify_answer_to_application")],
    ["verify_text_sha256", element("code", { class: "digest", text: result.text_sha256 })],
    ["verify_algorithm", result.algorithm],
    ["verify_key_id", element("code", { text: result.key_id })],
    ["verify_signature", element("code", { class: "digest", text: result.signature })],
  ]));
  compareResult.hidden = matches === null;
  if (matches !== null) check(compareResult, matches ? "ok" : "bad", t(matches ? "verify_text_matches" : "verify_text_differs"));
}

async function verify() {
  result = null;
  matches = null;
  render();
  const typed = codeInput.value.trim();
  try {
    result = await call("GET", path(typed));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw refusal(404, "verify_not_found");
    throw error;
  }
  codeInput.value = result.verification_code;  // as it is printed, whatever was typed
  // the address names the code checked: a reload or a shared link shows the same
  history.replaceState(null, "", "/dogrula?kod=" + encodeURIComponent(result.verification_code));
  render();
  heading.focus();
}

async function compare() {
  matches = null;
  render();
  let answer;
  try {
    answer = await call("POST", path(result.verification_code), { body: { text: textInput.value } });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw refusal(404, "verify_not_found");
    throw error;
  }
  result = { ...answer, text_matches: null };
  matches = answer.text_matches;
  render();
  compareResult.focus();
}

onSubmit(form, verify, { before: () => checkFields(form) });
onSubmit(compareForm, compare, { before: () => checkFields(compareForm) });
setUpPage("portal", render);
if (codeInput.value.trim()) form.requestSubmit();
