// The tracking page: number + tracking code → status, timeline, due date, answer
// (GET /api/v1/applications/{no}); who looked at the applicant's personal data (GET …/access-log,
// online only); the answer printed as a reply letter (answer-letter.js) and its verification code
// (checked on /dogrula); the applicant's rating of each answer (POST …/feedback); an objection to the
// answer while one may be filed (POST …/objection), then the objection and the unit's answer to it;
// a lost code sent again by SMS (POST /api/v1/applications/{no}/tracking-code); offline, the last
// view this device saw of that number (last-view.js), marked as such.
import "./track-strings.js";
import "./app-shell.js";
import { ApiError, call, catalog } from "../common/api.js";
import { checkFields, definitionList, element, inOurLanguage, onSubmit, pageText, showErrors } from "../common/forms.js";
import { CatalogNames, formatDate, formatLongDate, outcomeName, statusName } from "../common/format.js";
import { currentLanguage, t, tIn } from "../common/i18n.js";
import { setUpPage } from "../common/layout.js";
import { fillLetter } from "./answer-letter.js";
import { keepLastView, lastView } from "./last-view.js";

const form = document.querySelector("#track-form");
const number = document.querySelector("#f-application_no");
const code = document.querySelector("#f-tracking_code");
const section = document.querySelector("#status");
const heading = document.querySelector("#status-heading");
const offlineNotice = document.querySelector("#offline-notice");
const viewNotice = document.querySelector("#view-notice");
const consideredWith = document.querySelector("#considered-with");
const answerBox = document.querySelector("#answer");
const objectionOffer = document.querySelector("#objection-offer");
const objectionForm = document.querySelector("#objection-form");
const objectionText = document.querySelector("#f-objection-text");
const objectionBox = document.querySelector("#objection");
const objectionAnswerBox = document.querySelector("#objection-answer");
const letter = document.querySelector("#letter");
const lostCode = document.querySelector("#lost-code");
const lostForm = document.querySelector("#lost-code-form");
const lostNumber = document.querySelector("#f-lost-application_no");
const nationalId = document.querySelector("#f-lost-national_id");
const lostResult = document.querySelector("#lost-code-result");
const accessLog = document.querySelector("#access-log");

const names = new CatalogNames();
// what the page shows: {view, savedAt (null: fresh from the server), reads (null: not fetched),
// asked: {applicationNo, trackingCode}}
let shown = null;
// the server's answer to the last lost-code request ("Türkçe / English"), shown in the page's language
let lostMessage = null;
// which answer the printed letter holds: "answer" or "objection" (null: the latest one)
let letterChoice = null;

number.value = lostNumber.value = new URLSearchParams(location.search).get("no") || "";

// An answer of the server said in the page's own words, both languages as the server writes its
// own ("Türkçe / English"): the form shows the reader's half, and the other after a switch.
function refusal(status, key) {
  return new ApiError(status, { error: { message: tIn("tr", key) + " / " + tIn("en", key) } });
}

// --- the view ------------------------------------------------------------------------------------

function render() {
  if (!shown) {
    section.hidden = true;
    fillLetter(letter, null, {});
    return;
  }
  const { view, savedAt } = shown;
  heading.textContent = t("application_no") + " " + view.application_no;
  offlineNotice.hidden = !savedAt;
  offlineNotice.textContent = savedAt ? t("offline_last_view", { time: formatDate(savedAt) }) : "";
  // part of an incident: how many applications on the same matter it was considered with (never which)
  consideredWith.hidden = !view.considered_with;
  consideredWith.textContent = view.considered_with ? view.considered_with.text : "";
  viewNotice.hidden = !view.notice;
  // the same notice went by e-mail: to which address, masked (a***@e***.com)
  viewNotice.textContent = !view.notice ? "" :
    view.notice_email ? view.notice + " " + t("track_notice_email", { email: view.notice_email }) : view.notice;
  section.querySelector(".facts").replaceWith(definitionList([
    ["status", statusName(view.status)],
    ["kind", names.kind(view.kind)],
    ["category", names.category(view.category)],
    ["province", view.province + " / " + view.district],
    ["unit", view.unit && view.unit.name],
    ["received_at", formatDate(view.received_at)],
    // after an objection the deadlines are the objection's own (the server's ``deadlines``)
    ["due_at", deadlineText(view.deadlines?.answer?.due_at || view.due_at, savedAt ? null : view.deadlines?.answer)],
    ["statutory_due_at", view.deadlines?.statutory &&
      deadlineText(view.deadlines.statutory.due_at, savedAt ? null : view.deadlines.statutory)],
    ["updated_at", formatDate(view.updated_at)],
  ]));
  const online = !savedAt;
  renderAnswer(answerBox, view.answer, { online, ratable: !view.objection });
  renderObjectionOffer(online ? view.objection_until : null);
  renderObjection(view.objection, { online });
  renderLetter();
  section.querySelector(".timeline").replaceChildren(...view.timeline.map((entry) =>
    element("li", {}, element("time", { datetime: entry.at, text: formatDate(entry.at) }), " — " + entry.text)));
  renderAccessLog(shown.reads);
  section.hidden = false;
}

// Each read: when, the role and unit (or the office), the purpose; the server names no officer.
function renderAccessLog(reads) {
  accessLog.hidden = !reads;
  if (!reads) return;
  accessLog.querySelector(".access-log-none").hidden = reads.length > 0;
  accessLog.querySelector(".access-log").replaceChildren(...reads.map((read) =>
    element("li", {}, element("time", { datetime: read.at, text: formatDate(read.at) }),
      " — " + read.role_text + ", " + read.unit + ": " + read.purpose)));
}

// A due date, and the days left to it as the server counted them today (not on the device's old
// copy, whose count would be stale; nor once answered, when the server sends none).
function deadlineText(dueAt, deadline) {
  const days = deadline ? deadline.days_left : null;
  if (days === null || days === undefined) return formatDate(dueAt);
  let left;
  if (days === 0) left = t("days_left_today");
  else if (days === 1) left = t("days_left_one");
  else if (days === -1) left = t("days_past_one");
  else left = t(days > 0 ? "days_left" : "days_past", { n: Math.abs(days) });
  return formatDate(dueAt) + " (" + left + ")";
}

// An answer (the application's, or the objection's) in ``box``: its text, outcome and date, its
// verification code with the way to check it, the print button, and the applicant's rating — the
// form while it may still be given (``ratable``: the server takes a rating of the latest answer
// only), what they gave once given. The answer's text only comes from the server: the device's copy
// has its outcome and date alone, and nothing to verify, print or rate.
function renderAnswer(box, answer, { online, ratable }) {
  box.hidden = !answer;
  if (!answer) return;
  const text = box.querySelector(".answer-text");
  text.textContent = answer.text || t("offline_answer_hidden");
  text.classList.toggle("withheld", !answer.text);
  box.querySelector(".facts").replaceWith(definitionList([
    ["outcome", outcomeName(answer.outcome)], ["answered_at", formatDate(answer.answered_at)]]));
  box.querySelector(".print-button").hidden = !answer.text;
  const verification = box.querySelector(".verification");
  const code = online ? answer.verification_code : null;
  verification.hidden = !code;
  if (code) {
    verification.querySelector(".verification-code").textContent = code;
    verification.querySelector(".verification-link").href = "/dogrula?kod=" + encodeURIComponent(code);
  }
  renderRating(box.querySelector(".rating"), online ? answer.feedback : null, online && answer.text && ratable);
}

// The rating form while ``feedback`` is null and a rating may be given; the rating once given.
function renderRating(container, feedback, ratable) {
  container.hidden = !feedback && !ratable;
  const heading = container.querySelector("h4, h5");
  heading.dataset.i18n = feedback ? "track_rating_thanks" : "track_rating_heading";
  heading.textContent = t(heading.dataset.i18n);
  container.querySelector(".rating-form").hidden = Boolean(feedback);
  const given = container.querySelector(".rating-given");
  given.hidden = !feedback;
  if (!feedback) return;
  given.querySelector(".rating-score").textContent = t("track_rating_given", { score: feedback.score });
  const comment = given.querySelector(".rating-comment");
  comment.hidden = !feedback.comment;
  comment.textContent = feedback.comment ? t("track_rating_comment_given", { comment: feedback.comment }) : "";
}

// The objection's form, while the server says one may still be filed (never on the device's copy).
function renderObjectionOffer(until) {
  objectionOffer.hidden = !until;
  if (until) objectionOffer.querySelector(".objection-until").textContent = t("track_objection_until",
    { date: formatLongDate(until) });
}

// The applicant's objection (their own words, and when), then the unit's answer to it once given.
function renderObjection(objection, { online }) {
  objectionBox.hidden = !objection;
  if (!objection) return;
  objectionBox.querySelector(".facts").replaceWith(definitionList([
    ["track_objection_filed_at", formatDate(objection.filed_at)]]));
  const text = objectionBox.querySelector(".objection-text");
  text.textContent = objection.text || "";
  text.hidden = !objection.text;
  objectionBox.querySelector(".objection-pending").hidden = Boolean(objection.answer);
  renderAnswer(objectionAnswerBox, objection.answer, { online, ratable: true });
}

// The letter holds the answer chosen to print (the latest one until a print button chooses).
function renderLetter() {
  const view = shown && shown.view;
  const latest = view && view.objection && view.objection.answer ? "objection" : "answer";
  fillLetter(letter, view, { kind: view && names.kind(view.kind), category: view && names.category(view.category),
    which: letterChoice || latest });
}

function printAnswer(which) {
  letterChoice = which;
  renderLetter();
  window.print();
}

// {view, savedAt, reads} from the server (the view kept on the device for later), or — when the
// server cannot be reached — the device's last view of that number; a refusal is thrown as the
// server said it. The access log is not kept on the device, and a page without it still tracks.
async function fetchView({ applicationNo, trackingCode }) {
  const path = "/applications/" + encodeURIComponent(applicationNo);
  const query = { tracking_code: trackingCode, language: currentLanguage() };
  try {
    const view = await call("GET", path, { query });
    keepLastView(view);
    const reads = await call("GET", path + "/access-log", { query }).then((log) => log.reads, () => null);
    return { view, savedAt: null, reads };
  } catch (error) {
    const kept = error instanceof ApiError && error.status === 0 ? lastView(applicationNo) : null;
    if (kept) return { view: kept.view, savedAt: kept.saved_at, reads: null };
    if (error instanceof ApiError && error.status === 404) throw refusal(404, "not_found");
    throw error;
  }
}

async function lookUp() {
  const asked = { applicationNo: number.value.trim(), trackingCode: code.value.trim() };
  letterChoice = null;
  try {
    shown = { ...(await fetchView(asked)), asked };
  } catch (error) {
    shown = null;
    render();
    throw error;
  }
  render();
  heading.focus();
}

// After a language switch: the timeline's texts come from the server in the chosen language.
function lookUpAgain() {
  if (!shown) return;
  const { asked } = shown;
  fetchView(asked).then((fresh) => {
    shown = { ...fresh, asked };
  }).catch(() => {}).finally(render);
}

// --- the applicant's rating and objection ---------------------------------------------------------

function applicationPath() {
  return "/applications/" + encodeURIComponent(shown.view.application_no);
}

// A score is chosen before anything is sent (radio buttons have no "required" that forms.js reads).
function scoreChosen(form) {
  if (form.querySelector("input[name=score]:checked")) return true;
  showErrors(form, { fields: { score: pageText("track_rating_score_required") } });
  return false;
}

// Rates the answer the form is under ("answer" or "objection"); the server takes one rating per
// answer. What was given replaces the form, and the reader is taken to it.
async function rate(form, which) {
  const body = { tracking_code: shown.asked.trackingCode,
    score: Number(form.querySelector("input[name=score]:checked").value) };
  const comment = form.querySelector("textarea[name=comment]").value.trim();
  if (comment) body.comment = comment;
  let feedback;
  try {
    feedback = await call("POST", applicationPath() + "/feedback", { body });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw refusal(404, "not_found");
    throw error;
  }
  const answer = which === "objection" ? shown.view.objection.answer : shown.view.answer;
  answer.feedback = feedback;
  form.reset();
  render();
  form.closest(".rating").querySelector(".rating-given").focus();
}

// The objection, once: the server answers with the whole view (status objected), drawn at once.
async function object() {
  let view;
  try {
    view = await call("POST", applicationPath() + "/objection", {
      query: { language: currentLanguage() },
      body: { tracking_code: shown.asked.trackingCode, text: objectionText.value.trim() },
    });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw refusal(404, "not_found");
    throw error;
  }
  keepLastView(view);
  objectionText.value = "";
  shown = { ...shown, view, savedAt: null };
  render();
  objectionBox.querySelector("#objection-heading").focus();
}

// --- a lost tracking code --------------------------------------------------------------------

// The same answer whatever the outcome (the page cannot tell, and must not); the national id goes
// with the one request and is gone from the page after it.
async function requestCode() {
  lostMessage = null;
  showLostMessage();
  try {
    const answer = await call("POST", "/applications/" + encodeURIComponent(lostNumber.value.trim()) + "/tracking-code",
      { body: { national_id: nationalId.value.trim() } });
    lostMessage = answer.message;
  } catch (error) {
    if (error instanceof ApiError && error.status === 429) throw refusal(429, "lost_code_too_many");
    throw error;
  } finally {
    nationalId.value = "";
  }
  showLostMessage();
  lostResult.focus();
}

function showLostMessage() {
  lostResult.hidden = !lostMessage;
  lostResult.textContent = lostMessage ? inOurLanguage(lostMessage) : "";
}

lostCode.addEventListener("toggle", () => {
  if (lostCode.open && !lostNumber.value.trim()) lostNumber.value = number.value.trim();
});

// --- wiring ------------------------------------------------------------------------------------

onSubmit(form, lookUp, { before: () => checkFields(form) });
onSubmit(lostForm, requestCode, { before: () => checkFields(lostForm) });
onSubmit(objectionForm, object, { before: () => checkFields(objectionForm) });
for (const [prefix, which] of [["answer", "answer"], ["objection-answer", "objection"]]) {
  const ratingForm = document.querySelector("#" + prefix + "-rating-form");
  onSubmit(ratingForm, () => rate(ratingForm, which), { before: () => scoreChosen(ratingForm) });
}
document.querySelector("#print-answer").addEventListener("click", () => printAnswer("answer"));
document.querySelector("#print-objection-answer").addEventListener("click", () => printAnswer("objection"));
catalog().then((answer) => {
  names.add(answer);
  render();
}).catch(() => {});
setUpPage("portal", () => {
  showLostMessage();
  lookUpAgain();
});
