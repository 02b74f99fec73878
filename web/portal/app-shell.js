// What every portal page shares as an installable app (docs/portal.md#app): it registers the
// service worker (/sw.js, scope /: the pages and files cached to open without a connection) and
// tells whether the page runs as the installed app. Imported by every portal page.
const INSTALLED_KEY = "acikkapi.installed-app";
// The manifest's start_url is /?kaynak=uygulama: the installed app opens there.
const START_PARAMETER = ["kaynak", "uygulama"];

// True in the installed app: its own window (display-mode standalone), or a session that began at
// the manifest's start_url (some browsers open an installed app in a tab) — remembered for the rest
// of that session, whichever portal page it goes to.
export function isInstalledApp() {
  if (window.matchMedia && matchMedia("(display-mode: standalone)").matches) return true;
  try {
    if (new URLSearchParams(location.search).get(START_PARAMETER[0]) === START_PARAMETER[1]) {
      sessionStorage.setItem(INSTALLED_KEY, "1");
      return true;
    }
    return sessionStorage.getItem(INSTALLED_KEY) === "1";
  } catch {
    return false;  // storage refused: the address alone decides
  }
}

// Never fatal: a browser without service workers, or a refused registration, is a portal that
// needs its connection.
export function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
}

isInstalledApp();
registerServiceWorker();
