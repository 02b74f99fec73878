// The one way the pages reach the system: the public /api/v1 over fetch. Staff calls carry the
// bearer token from POST /api/v1/auth/token, kept in sessionStorage (gone with the tab), with who
// the officer is (GET /api/v1/auth/me) beside it.
const SESSION_KEY = "acikkapi.staff";
const ME_KEY = "acikkapi.me";
export const SIGN_IN_PAGE = "/konsol";

export class ApiError extends Error {
  // ``status`` 0: no answer at all (network down, server gone).
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || "HTTP " + status);
    this.status = status;
    this.code = error.code;
    this.fields = error.fields || {};
    this.body = body;
  }
}

export async function call(method, path, { body, token, query, headers: extra } = {}) {
  const url = new URL("/api/v1" + path, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const headers = { Accept: "application/json", ...extra };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = "Bearer " + token;
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, null);
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

export const catalog = () => call("GET", "/catalog");

// --- staff session ---------------------------------------------------------------------------

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY));
  } catch {
    return null;
  }
}

export async function login(username, password) {
  const answer = await call("POST", "/auth/token", { body: { username, password } });
  sessionStorage.removeItem(ME_KEY);
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({
    token: answer.access_token, role: answer.role, province: answer.province, unit_id: answer.unit_id,
    username, expires_at: Date.now() + answer.expires_in * 1000,
  }));
  return session();
}

export function clearSession() {
  sessionStorage.removeItem(SESSION_KEY);
  sessionStorage.removeItem(ME_KEY);
}

export function logout() {
  clearSession();
  location.assign(SIGN_IN_PAGE + "?signed_out=1");
}

// The sign-in page's address that comes back here afterwards (``reason``: why the officer is sent there).
export function signInAddress(reason) {
  const query = new URLSearchParams();
  if (location.pathname !== SIGN_IN_PAGE) query.set("next", location.pathname + location.search + location.hash);
  if (reason) query.set(reason, "1");
  const search = query.toString();
  return SIGN_IN_PAGE + (search ? "?" + search : "");
}

// Where the sign-in page may send the officer back to: a page of the console on this origin only
// (never another site, never the sign-in page itself); null otherwise.
export function safeNext(next) {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.includes("\\")) return null;
  let url;
  try {
    url = new URL(next, location.origin);
  } catch {
    return null;
  }
  if (url.origin !== location.origin || !url.pathname.startsWith(SIGN_IN_PAGE + "/")) return null;
  return url.pathname + url.search + url.hash;
}

// Listeners told when the session has run out, just before the page leaves for the sign-in page
// (layout.js shows the message); one departure however many calls fail at once.
const expiryListeners = [];
let leaving = false;
const EXPIRY_NOTICE_MS = 1500;

export function onSessionExpired(listener) {
  expiryListeners.push(listener);
}

// The token ran out or was refused: say so, then go to the sign-in page, which brings the officer
// back here. The promise never settles: nothing after a failed call should run on a leaving page.
export function sessionExpired() {
  if (!leaving) {
    leaving = true;
    const address = signInAddress("expired");
    clearSession();
    for (const listener of expiryListeners) listener();
    setTimeout(() => location.assign(address), expiryListeners.length ? EXPIRY_NOTICE_MS : 0);
  }
  return new Promise(() => {});
}

// A staff call; no session or an expired one goes to the sign-in page (and comes back after).
export async function staffCall(method, path, options = {}) {
  const current = session();
  if (!current) {
    location.assign(signInAddress());
    return new Promise(() => {});
  }
  if (current.expires_at < Date.now()) return sessionExpired();
  try {
    return await call(method, path, { ...options, token: current.token });
  } catch (error) {
    if (error.status === 401) return sessionExpired();
    throw error;
  }
}

// --- who is signed in ----------------------------------------------------------------------------

// The officer as the last GET /auth/me said ({username, display_name, role, province_name,
// unit_name, ...}), or null before the first answer.
export function cachedMe() {
  try {
    return JSON.parse(sessionStorage.getItem(ME_KEY));
  } catch {
    return null;
  }
}

export async function fetchMe() {
  const me = await staffCall("GET", "/auth/me");
  sessionStorage.setItem(ME_KEY, JSON.stringify(me));
  return me;
}
