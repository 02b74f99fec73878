// The one way the pages reach the system: the public /api/v1 over fetch. Staff calls carry the
// bearer token from POST /api/v1/auth/token, kept in sessionStorage (gone with the tab).
const SESSION_KEY = "acikkapi.staff";

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || "HTTP " + status);
    this.status = status;
    this.code = error.code;
    this.fields = error.fields || {};
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
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
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
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({
    token: answer.access_token, role: answer.role, province: answer.province, unit_id: answer.unit_id,
    username, expires_at: Date.now() + answer.expires_in * 1000,
  }));
  return session();
}

export function logout() {
  sessionStorage.removeItem(SESSION_KEY);
  location.assign("/konsol");
}

// A staff call; no session, or the token refused, goes back to the sign-in page.
export async function staffCall(method, path, options = {}) {
  const current = session();
  if (!current || current.expires_at < Date.now()) return logout();
  try {
    return await call(method, path, { ...options, token: current.token });
  } catch (error) {
    if (error.status === 401) return logout();
    throw error;
  }
}
