// The header every page shares: skip link, name (with the organisation's, which the page template
// puts on <body data-organisation>), menu, language switch; on the console also who is signed in
// (GET /api/v1/auth/me) with a sign-out button, and the page's alert region where every failed
// call says what went wrong. The footer is the template's (web/common/page.html); its words are here.
import { ApiError, cachedMe, clearSession, fetchMe, logout, onSessionExpired, session, sessionExpired, signInAddress } from "./api.js";
import { element, messageFor } from "./forms.js";
import { roleName } from "./format.js";
import { addStrings, setUpLanguage, t } from "./i18n.js";

addStrings({
  nav_help: ["Yardım", "Help"],
  footer_menu: ["Site bilgileri", "About this site"],
  footer_help: ["Yardım", "Help"],
  footer_privacy: ["Kişisel verilerin korunması (KVKK aydınlatma metni)", "Personal data protection (privacy notice)"],
  footer_phone: ["Telefon", "Phone"],
  footer_email: ["E-posta", "E-mail"],
  footer_kep: ["KEP adresi", "Registered e-mail (KEP)"],
  footer_website: ["İnternet sitesi", "Website"],
});

// Each role's first page after signing in (and where a page of another role sends it).
export const HOME = { desk: "/konsol/masa", router: "/konsol/kuyruk", unit: "/konsol/kuyruk", admin: "/konsol/kuyruk" };

export const ADMIN_PAGES = [
  ["/konsol/yonetim/kullanicilar", "nav_admin_users"],
  ["/konsol/yonetim/birimler", "nav_admin_units"],
  ["/konsol/yonetim/open311", "nav_admin_open311"],
  ["/konsol/yonetim/sms", "nav_admin_sms"],
  ["/konsol/yonetim/kvkk", "nav_admin_kvkk"],
];

const MENUS = {
  portal: () => [["/", "nav_apply"], ["/takip", "nav_track"], ["/yardim", "nav_help"]],
  console: (signedIn) => {
    const role = signedIn && signedIn.role;
    if (role === "desk") return [["/konsol/masa", "nav_desk"]];
    if (role) return [["/konsol/kuyruk", "nav_queue"], ["/konsol/istatistik", "nav_stats"]];
    return [];
  },
};

function menuList(links) {
  const menu = element("ul");
  for (const [href, key] of links) {
    const link = element("a", { href, "data-i18n": key, text: t(key) });
    if (location.pathname === href) link.setAttribute("aria-current", "page");
    menu.append(element("li", {}, link));
  }
  return menu;
}

// "Ayşe Demir — Yönlendirme görevlisi · Ankara · Çankaya İlçe Sağlık Müdürlüğü"
function whoIsSignedIn(box) {
  const current = session();
  if (!current) return;
  const me = cachedMe() || {};
  const parts = [
    element("span", { id: "who-name", class: "who-name", text: me.display_name || me.username || current.username }),
    element("span", { id: "who-role", text: roleName(me.role || current.role) }),
  ];
  if (me.province_name) parts.push(element("span", { id: "who-province", text: me.province_name }));
  if (me.unit_name) parts.push(element("span", { id: "who-unit", text: me.unit_name }));
  box.replaceChildren(element("span", { class: "visually-hidden", text: t("signed_in_as") + ": " }), ...parts);
}

// ``area``: "portal" or "console"; ``onLanguage`` redraws what the page built from data after a
// language switch.
export function setUpPage(area, onLanguage = () => {}) {
  const header = document.querySelector("header.site");
  const title = area === "portal" ? "portal_title" : "console_title";
  const current = session();
  const signedIn = area === "console" && current && current.expires_at > Date.now() ? current : null;
  const brand = element("p", { class: "brand" }, element("span", { class: "brand-name", "data-i18n": title, text: t(title) }));
  const organisation = document.body.dataset.organisation;
  if (organisation) brand.append(element("span", { class: "brand-organisation", text: organisation }));
  const bar = element("div", { class: "bar" }, brand,
    element("nav", { class: "main-menu", "data-i18n-attr": "aria-label:nav_main" }, menuList(MENUS[area](signedIn))));
  const rows = [element("a", { class: "skip", href: "#main", "data-i18n": "skip", text: t("skip") }), bar];
  let who = null;
  if (signedIn) {
    who = element("p", { class: "who", id: "who" });
    const button = element("button", { type: "button", id: "logout", class: "link", "data-i18n": "logout", text: t("logout") });
    button.addEventListener("click", logout);
    bar.append(element("div", { class: "session" }, who, button));
    whoIsSignedIn(who);
    if (signedIn.role === "admin") {
      rows.push(element("nav", { class: "admin-menu", id: "admin-menu", "data-i18n-attr": "aria-label:nav_admin" },
        element("span", { class: "menu-label", "data-i18n": "nav_admin", text: t("nav_admin") }),
        menuList(ADMIN_PAGES)));
    }
  }
  bar.append(element("button", { type: "button", id: "language-switch", class: "language", "data-i18n": "switch_language",
    "data-i18n-attr": "aria-label:switch_language_label" }));
  header.replaceChildren(...rows);
  pageAlert();
  setUpLanguage(() => {
    if (who) whoIsSignedIn(who);
    onLanguage();
  });
  if (signedIn) watchSession(signedIn, who);
}

// The token's end: the page says so when it comes (an idle page too), and who is signed in is
// asked again at every page load (an admin may have renamed or moved the officer).
function watchSession(current, who) {
  onSessionExpired(() => showAlert(t("session_expired")));
  const left = current.expires_at - Date.now();
  if (left < 2 ** 31) setTimeout(sessionExpired, Math.max(0, left));
  fetchMe().then(() => whoIsSignedIn(who)).catch(reportError);
  // no failure goes unsaid: a promise nobody caught is shown like any failed call (a bug in the
  // page, not an answer of the API, is still logged for whoever looks at the console)
  window.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    if (!(event.reason instanceof ApiError)) console.error(event.reason);
    reportError(event.reason);
  });
}

// --- the page's alert region -----------------------------------------------------------------

// The role=alert region at the top of <main> (made on first use).
export function pageAlert() {
  let region = document.querySelector("#page-alert");
  if (!region) {
    region = element("div", { id: "page-alert", class: "page-alert", role: "alert", tabindex: "-1" });
    const main = document.querySelector("main");
    if (main) main.prepend(region);
    else document.body.prepend(region);
  }
  return region;
}

export function showAlert(text, { kind = "error" } = {}) {
  const region = pageAlert();
  region.className = "page-alert notice " + kind;
  region.replaceChildren(element("p", { text }));
}

export function clearAlert() {
  const region = pageAlert();
  region.className = "page-alert";
  region.replaceChildren();
}

// A failed call's message in the page's alert region.
export function reportError(error) {
  showAlert(messageFor(error));
}

// --- access ----------------------------------------------------------------------------------

// The console's pages need a session of one of ``roles``: none goes to the sign-in page (which
// comes back here), an expired one says so first, another role goes to its own first page.
export function requireStaff(...roles) {
  const current = session();
  if (!current) {
    location.replace(signInAddress());
    return null;
  }
  if (current.expires_at < Date.now()) {
    const address = signInAddress("expired");
    clearSession();
    location.replace(address);
    return null;
  }
  if (roles.length && !roles.includes(current.role)) {
    location.replace(HOME[current.role] || "/konsol");
    return null;
  }
  return current;
}
