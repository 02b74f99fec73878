// One Idempotency-Key per application being filled in (docs/portal.md#safe-submission): every try
// of a form sends the same key, so a try the system did finish (its answer lost, or late) is
// answered with the application it made instead of making a second one; once it was accepted, the
// next application gets a new key.
//
// A try whose outcome is unknown (no answer, a timeout, a 5xx) leaves a note in sessionStorage: the
// key and a SHA-256 digest of the body, never the body. After a reload the form is a new one with
// a new key, but a body with the note's digest is the same application sent again: it goes with
// the note's key. A different body is another application: it gets a key of its own (the note's
// key may already stand for the other body).
const NOTE_PREFIX = "acikkapi.unanswered.";

export class SubmissionKey {
  // ``scope`` names the route (keys are the server's per entry point): "portal", "desk".
  constructor(scope) {
    this.noteName = NOTE_PREFIX + scope;
    this.key = newKey();
  }

  // The key a try of ``body`` goes with.
  async keyFor(body) {
    const note = this.#note();
    if (!note) return this.key;
    const fingerprint = await digest(body);
    if (fingerprint && note.digest === fingerprint) return note.key;
    if (note.key === this.key) this.key = newKey();
    return this.key;
  }

  // Posts ``body`` with its key: ``post(body, headers)`` answers or throws an ApiError.
  async send(body, post) {
    let key = await this.keyFor(body);
    try {
      let answer;
      try {
        answer = await post(body, { "Idempotency-Key": key });
      } catch (error) {
        // the key already stands for another body whose note was lost (storage refused it): this
        // body is another application
        if (error.status !== 409 || error.code !== "idempotency_key_reused") throw error;
        this.renew();
        key = this.key;
        answer = await post(body, { "Idempotency-Key": key });
      }
      this.accepted();
      return answer;
    } catch (error) {
      if (unknownOutcome(error)) await this.unanswered(key, body);
      throw error;
    }
  }

  // A try of ``body`` under ``key`` got no answer to rely on: the note for the next try.
  async unanswered(key, body) {
    this.key = key;
    try {
      sessionStorage.setItem(this.noteName, JSON.stringify({ key, digest: await digest(body) }));
    } catch {
      // storage refused (full, disabled): this page still retries with its key
    }
  }

  // The application was made: the next one is another.
  accepted() {
    sessionStorage.removeItem(this.noteName);
    this.key = newKey();
  }

  // A form started afresh by hand ("new application"); a note stays for its own body.
  renew() {
    this.key = newKey();
  }

  // Continue under ``key`` (a kept submission handed back to the form to correct).
  adopt(key) {
    this.key = key;
  }

  #note() {
    try {
      const note = JSON.parse(sessionStorage.getItem(this.noteName));
      return note && typeof note.key === "string" && typeof note.digest === "string" ? note : null;
    } catch {
      return null;
    }
  }
}

// No answer (status 0), a timeout or a server fault: the system may or may not have made it.
export function unknownOutcome(error) {
  return Boolean(error) && typeof error.status === "number" && (error.status === 0 || error.status >= 500);
}

// crypto.randomUUID exists only in secure contexts (HTTPS, localhost); getRandomValues everywhere.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// SHA-256 of the body as JSON with its keys in order, hex; "" where there is no SubtleCrypto
// (not a secure context): no note then matches, so a reloaded form gets a new key.
async function digest(body) {
  if (!(crypto.subtle && crypto.subtle.digest)) return "";
  const bytes = new TextEncoder().encode(canonicalJson(body));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function canonicalJson(value) {
  if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
  if (value && typeof value === "object") {
    return "{" + Object.keys(value).sort().map((name) => JSON.stringify(name) + ":" + canonicalJson(value[name])).join(",") + "}";
  }
  return JSON.stringify(value);
}
