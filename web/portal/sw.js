// The portal's service worker (docs/portal.md#service-worker): served at /sw.js (scope /) by the
// gateway, which renders this file with the version of the web files (their tree hash) and the
// URLs to precache. It keeps the portal's shell so that the pages open without a connection:
// page navigations network first (the cached copy when there is no network), the fingerprinted
// files (/web/v/<hash>/…, never changed under their name) cache first, the catalogue
// stale-while-revalidate. Every other request — the API, the console, any POST — goes to the
// network untouched: nothing is ever sent or replayed from here (the apply page keeps its own
// queue of submissions, web/common/offline-queue.js: one place decides what is sent).
const VERSION = {{ version | tojson }};
const PRECACHE = {{ precache | tojson }};
const CACHE_PREFIX = "acikkapi-portal-";
const CACHE = CACHE_PREFIX + VERSION;
const PAGES = new Set(["/", "/takip", "/yardim", "/kvkk", "/manifest.webmanifest"]);
const CATALOGUE = "/api/v1/catalog";
const FINGERPRINTED = "/web/v/";

// Each URL on its own: one that fails (a file gone in this version) does not leave the others uncached.
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE)
    .then((cache) => Promise.all(PRECACHE.map((url) => cache.add(new Request(url, { cache: "reload" })).catch(() => null))))
    .then(() => self.skipWaiting()));
});

// The old versions' caches go; the pages already open are served from now on.
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PAGES.has(url.pathname) && (request.mode === "navigate" || url.pathname === "/manifest.webmanifest")) {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (url.pathname.startsWith(FINGERPRINTED)) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname === CATALOGUE) {
    event.respondWith(staleWhileRevalidate(event, request));
  }
});

// A page: the network's answer (kept for next time, under its path: /?kaynak=uygulama and /
// are one page), else the kept copy.
async function networkFirst(request, path) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(path, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(path);
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

// The kept catalogue at once, a fresh one fetched behind it for next time.
async function staleWhileRevalidate(event, request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreVary: true });
  const fresh = fetch(request).then(async (response) => {
    if (response.ok) await cache.put(request, response.clone());
    return response;
  });
  if (!kept) return fresh;
  event.waitUntil(fresh.catch(() => null));
  return kept;
}
