// The header every page shares: skip link, name, menu, language switch.
import { logout, session } from "./api.js";
import { element } from "./forms.js";
import { setUpLanguage, t } from "./i18n.js";

const MENUS = {
  portal: () => [["/", "nav_apply"], ["/takip", "nav_track"]],
  console: () => {
    const role = (session() || {}).role;
    const links = [];
    if (role === "desk") links.push(["/konsol/masa", "nav_desk"]);
    if (role && role !== "desk") links.push(["/konsol/kuyruk", "nav_queue"], ["/konsol/istatistik", "nav_stats"]);
    return links;
  },
};

export function setUpPage(area, onLanguage) {
  const header = document.querySelector("header.site");
  const title = area === "portal" ? "portal_title" : "console_title";
  const menu = element("ul");
  for (const [href, key] of MENUS[area]()) {
    const link = element("a", { href, "data-i18n": key, text: t(key) });
    if (location.pathname === href) link.setAttribute("aria-current", "page");
    menu.append(element("li", {}, link));
  }
  if (area === "console" && session()) {
    const button = element("button", { type: "button", class: "link", "data-i18n": "logout", text: t("logout") });
    button.addEventListener("click", logout);
    menu.append(element("li", {}, button));
  }
  header.replaceChildren(
    element("a", { class: "skip", href: "#main", "data-i18n": "skip", text: t("skip") }),
    element("p", { class: "brand", "data-i18n": title, text: t(title) }),
    element("nav", { "data-i18n-attr": "aria-label:nav_main" }, menu),
    element("button", { type: "button", id: "language-switch", class: "language", "data-i18n": "switch_language",
      "data-i18n-attr": "aria-label:switch_language_label" }),
  );
  setUpLanguage(onLanguage);
}

// The console's pages need a session of one of ``roles``; else back to the sign-in page.
export function requireStaff(...roles) {
  const current = session();
  if (!current || (roles.length && !roles.includes(current.role))) {
    location.replace("/konsol");
    return null;
  }
  return current;
}
