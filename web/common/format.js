// Values for people: every page shows dates, phone numbers, languages, roles, states and
// deadlines through these, so one change here changes them everywhere. Dates are Istanbul time
// whatever the browser's zone (deadlines are the administration's, not the reader's).
import { element } from "./forms.js";
import { currentLanguage, localName, t } from "./i18n.js";

const ZONE = "Europe/Istanbul";
const DAY_MS = 24 * 60 * 60 * 1000;
// Our own month and weekday names: the browser's ICU differs between versions ("Sep"/"Sept").
const MONTHS = {
  tr: ["Oca", "Şub", "Mar", "Nis", "May", "Haz", "Tem", "Ağu", "Eyl", "Eki", "Kas", "Ara"],
  en: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
};
const MONTHS_LONG = {
  tr: ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"],
  en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
};
const WEEKDAYS = {
  tr: ["Pazar", "Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi"],
  en: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
};
const WEEKDAY_INDEX = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const CLOCK = new Intl.DateTimeFormat("en-US", {
  timeZone: ZONE, year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit",
  hourCycle: "h23", weekday: "short",
});

function language() {
  return currentLanguage() === "en" ? "en" : "tr";
}

// {year, month (0–11), day, hour, minute, weekday (0 = Sunday)} of ``iso`` in Istanbul.
function partsOf(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  const parts = Object.fromEntries(CLOCK.formatToParts(date).map((part) => [part.type, part.value]));
  return {
    year: parts.year, month: Number(parts.month) - 1, day: Number(parts.day),
    hour: parts.hour, minute: parts.minute, weekday: WEEKDAY_INDEX[parts.weekday],
  };
}

// "2 Ara 2026 14:05" (English "2 Dec 2026 14:05"); "" for nothing, the text itself if unreadable.
export function formatDate(iso) {
  if (!iso) return "";
  const parts = partsOf(iso);
  if (!parts) return String(iso);
  return `${parts.day} ${MONTHS[language()][parts.month]} ${parts.year} ${parts.hour}:${parts.minute}`;
}

// "2 Ara 2026"
export function formatDay(iso) {
  if (!iso) return "";
  const parts = partsOf(iso);
  if (!parts) return String(iso);
  return `${parts.day} ${MONTHS[language()][parts.month]} ${parts.year}`;
}

// In words, for a citizen's receipt: "9 Aralık 2026 Çarşamba, saat 14:05" / "Wednesday 9 December 2026, 14:05".
export function formatLongDate(iso) {
  if (!iso) return "";
  const parts = partsOf(iso);
  if (!parts) return String(iso);
  const lang = language();
  const month = MONTHS_LONG[lang][parts.month];
  const weekday = WEEKDAYS[lang][parts.weekday];
  return lang === "en"
    ? `${weekday} ${parts.day} ${month} ${parts.year}, ${parts.hour}:${parts.minute}`
    : `${parts.day} ${month} ${parts.year} ${weekday}, saat ${parts.hour}:${parts.minute}`;
}

// A <time> element showing formatDate, the machine-readable instant in datetime.
export function timeElement(iso, format = formatDate) {
  return element("time", { datetime: iso, text: format(iso) });
}

// A Turkish mobile number as people write it: "+905321234567" → "0532 123 45 67".
export function formatPhone(value) {
  if (!value) return "";
  let digits = String(value).replace(/\D/g, "");
  if (digits.length === 12 && digits.startsWith("90")) digits = digits.slice(2);
  if (digits.length === 11 && digits.startsWith("0")) digits = digits.slice(1);
  if (digits.length !== 10) return String(value);
  return `0${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6, 8)} ${digits.slice(8)}`;
}

// A code looked up among the strings under ``prefix``; the code itself when there is no text for it.
function named(prefix, code) {
  if (code === null || code === undefined || code === "") return "";
  const key = prefix + code;
  const text = t(key);
  return text === key ? String(code) : text;
}

export const languageName = (code) => named("language_", code);
export const roleName = (role) => named("role_", role);
export const statusName = (status) => named("status_", status);
export const channelName = (channel) => named("channel_", channel);
export const contactChannelName = (channel) => named("contact_", channel);
export const outcomeName = (outcome) => named("outcome_", outcome);
export const smsTemplateName = (template) => named("sms_template_", template);
export const smsStateName = (state) => named("sms_state_", state);

// A unit ({name, name_en?} or a unit_id with ``units`` to look it up in) in the current language.
export function unitName(unit, units = []) {
  if (!unit) return "";
  const found = typeof unit === "string" ? units.find((entry) => entry.unit_id === unit) : unit;
  if (!found) return String(unit);
  return (language() === "en" && found.name_en) || found.name || found.unit_id;
}

// An officer by display name (the record's ``staff_names``), else the username.
export function staffName(username, names = {}) {
  if (!username) return "";
  return (names && names[username]) || username;
}

// The catalogue's names of kinds and categories ({tr, en}) by code.
export class CatalogNames {
  constructor(catalogue = null) {
    this.kinds = {};
    this.categories = {};
    if (catalogue) this.add(catalogue);
  }

  add(catalogue) {
    for (const kind of catalogue.kinds || []) this.kinds[kind.code] = kind.name;
    for (const category of catalogue.categories || []) this.categories[category.code] = category.name;
    return this;
  }

  kind(code) {
    return localName(this.kinds[code]) || code || "";
  }

  category(code) {
    return localName(this.categories[code]) || code || "";
  }
}

// --- deadlines ---------------------------------------------------------------------------------

const OPEN = ["unrouted", "routed", "returned", "received"];

// {state: overdue|due_soon|fine|closed, days: whole days left (negative: over)} of a queue entry or
// record: the server's due_state/days_left when it sent them, else worked out the same way.
export function deadline(item, now = Date.now()) {
  if (item.due_state) return { state: item.due_state, days: item.days_left };
  if (!OPEN.includes(item.status) || !item.due_at) return { state: "closed", days: null };
  const left = new Date(item.due_at).getTime() - now;
  const days = Math.floor(left / DAY_MS);
  if (left < 0) return { state: "overdue", days };
  return { state: left < DAY_MS ? "due_soon" : "fine", days };
}

// "3 gün gecikti", "1 günden az kaldı", "5 gün kaldı", "Kapandı".
export function deadlineText(item, now) {
  const { state, days } = deadline(item, now);
  if (state === "closed") return t("due_closed");
  if (state === "due_soon") return t("due_soon");
  if (state === "overdue") {
    const over = Math.abs(days || 0);
    if (over === 0) return t("due_overdue");
    return over === 1 ? t("due_overdue_one") : t("due_overdue_days", { n: over });
  }
  return days === 1 ? t("due_one_day_left") : t("due_days_left", { n: days });
}

// The coloured badge of a deadline: the words carry the meaning, the colour repeats it.
export function deadlineBadge(item, now) {
  const { state } = deadline(item, now);
  return element("span", { class: "due due-" + state.replace("_", "-"), "data-due-state": state,
    text: deadlineText(item, now) });
}
