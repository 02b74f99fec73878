// Submissions made without a connection, kept on the device until the server takes them
// (docs/portal.md#offline). Each one keeps the Idempotency-Key it was made with, so however often
// it is tried, from however many tabs, it makes one application.
//
// Storage: IndexedDB. The body (the national ID among it) is encrypted with AES-GCM under a key
// made here as non-extractable: IndexedDB keeps the CryptoKey object itself, which this origin's
// scripts can encrypt and decrypt with but never read out (exportKey refuses). What is stored in
// the clear is only the key of the request, when it was kept and when to try it next. The subject
// shown in the "waiting to send" list is a second, separate ciphertext, so listing never decrypts
// the national ID. An entry is deleted as soon as the server accepts it, or when the citizen
// discards it, or when the server refuses it (the values then go back into the form).
const DATABASE = "acikkapi-offline";
const KEYS = "keys";
const SUBMISSIONS = "submissions";
const QUEUE_KEY = "submissions";
const LOCK = "acikkapi-offline-queue";
// The first retry after 5 s, doubling to at most 5 minutes.
const FIRST_RETRY_MS = 5000;
const LAST_RETRY_MS = 5 * 60 * 1000;

// Whether anything can be kept: WebCrypto needs a secure context (HTTPS, localhost).
export function canKeep() {
  return Boolean(window.isSecureContext && window.crypto && crypto.subtle && window.indexedDB);
}

export class OfflineQueue {
  // ``post(body, headers)`` sends a kept body (answers the receipt or throws an ApiError);
  // ``onAccepted(answer)`` — the server made it; ``onRefused(key, body, error)`` — the server
  // refused it (a 4xx): the body to correct; ``onChange()`` — the list changed.
  constructor({ post, onAccepted, onRefused, onChange }) {
    this.post = post;
    this.onAccepted = onAccepted;
    this.onRefused = onRefused;
    this.onChange = onChange;
    this.timer = null;
  }

  // Keeps ``body`` to send under ``key``; false when it cannot be kept.
  async keep(key, body) {
    if (!canKeep()) return false;
    try {
      const db = await openDatabase();
      const secret = await queueKey(db);
      const entry = {
        id: key, savedAt: new Date().toISOString(), attempts: 0, nextTryAt: Date.now() + FIRST_RETRY_MS,
        body: await seal(secret, key, body), summary: await seal(secret, key + "#summary", { subject: body.subject }),
      };
      await transaction(db, SUBMISSIONS, "readwrite", (store) => store.put(entry));
    } catch (error) {
      console.error(error);
      return false;
    }
    this.onChange();
    this.#schedule();
    return true;
  }

  // [{id, savedAt, subject}], oldest first.
  async entries() {
    if (!canKeep()) return [];
    const db = await openDatabase();
    const secret = await queueKey(db);
    const stored = await transaction(db, SUBMISSIONS, "readonly", (store) => store.getAll());
    const shown = [];
    for (const entry of stored.sort((left, right) => left.savedAt.localeCompare(right.savedAt))) {
      let subject = "";
      try {
        subject = (await unseal(secret, entry.id + "#summary", entry.summary)).subject;
      } catch {
        // kept under a key this browser no longer has: still listed, so it can be discarded
      }
      shown.push({ id: entry.id, savedAt: entry.savedAt, subject });
    }
    return shown;
  }

  async discard(id) {
    const db = await openDatabase();
    await transaction(db, SUBMISSIONS, "readwrite", (store) => store.delete(id));
    this.onChange();
  }

  // Tries now: on page load, when the connection returns, when the citizen asks.
  start() {
    window.addEventListener("online", () => this.flush({ all: true }).catch(() => {}));
    return this.flush({ all: true });
  }

  // Sends the entries whose time has come (``all``: every one), one tab at a time: a tab waits for
  // the other's round and then finds what that one sent gone.
  async flush({ all = false } = {}) {
    // offline, the online event starts the next round
    if (!canKeep() || navigator.onLine === false) return;
    const round = () => this.#round(all);
    if (navigator.locks) await navigator.locks.request(LOCK, round);
    else await round();
    this.#schedule();
  }

  async #round(all) {
    const db = await openDatabase();
    const secret = await queueKey(db);
    const stored = await transaction(db, SUBMISSIONS, "readonly", (store) => store.getAll());
    for (const entry of stored) {
      if (navigator.onLine === false) return;
      if (!all && entry.nextTryAt > Date.now()) continue;
      let body;
      try {
        body = await unseal(secret, entry.id, entry.body);
      } catch {
        continue;  // not readable here; the citizen may discard it
      }
      let answer;
      try {
        answer = await this.post(body, { "Idempotency-Key": entry.id });
      } catch (error) {
        if (triedAgainLater(error)) {
          const attempts = entry.attempts + 1;
          const wait = Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), LAST_RETRY_MS);
          await transaction(db, SUBMISSIONS, "readwrite",
            (store) => store.put({ ...entry, attempts, nextTryAt: Date.now() + wait }));
          continue;
        }
        await transaction(db, SUBMISSIONS, "readwrite", (store) => store.delete(entry.id));
        this.onRefused(entry.id, body, error);
        this.onChange();
        continue;
      }
      await transaction(db, SUBMISSIONS, "readwrite", (store) => store.delete(entry.id));
      this.onAccepted(answer);
      this.onChange();
    }
  }

  // The next try when the earliest entry is due (the online event comes sooner when it can).
  #schedule() {
    clearTimeout(this.timer);
    openDatabase()
      .then((db) => transaction(db, SUBMISSIONS, "readonly", (store) => store.getAll()))
      .then((stored) => {
        if (stored.length === 0) return;
        const next = Math.min(...stored.map((entry) => entry.nextTryAt));
        this.timer = setTimeout(() => this.flush().catch(() => {}), Math.max(0, next - Date.now()) + 50);
      })
      .catch(() => {});
  }
}

// No answer, a server fault, too many requests: the same body goes again later. Anything else
// (422, 409…) is the server's last word on it.
function triedAgainLater(error) {
  const status = error && typeof error.status === "number" ? error.status : 0;
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

// --- IndexedDB -------------------------------------------------------------------------------

let opened = null;

function openDatabase() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(KEYS);
        request.result.createObjectStore(SUBMISSIONS, { keyPath: "id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    opened.catch(() => {
      opened = null;
    });
  }
  return opened;
}

// Runs ``work(store)`` in a transaction; resolves with its request's result once committed.
function transaction(db, name, mode, work) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(name, mode);
    const request = work(tx.objectStore(name));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

// The queue's AES-GCM key, made once per browser profile and origin; ``add`` (not ``put``) so that
// two tabs making one at the same moment end up with the same.
async function queueKey(db) {
  const existing = await transaction(db, KEYS, "readonly", (store) => store.get(QUEUE_KEY));
  if (existing) return existing;
  const made = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  try {
    await transaction(db, KEYS, "readwrite", (store) => store.add(made, QUEUE_KEY));
    return made;
  } catch {
    return transaction(db, KEYS, "readonly", (store) => store.get(QUEUE_KEY));
  }
}

// {iv, data}: ``value`` as JSON, encrypted; ``label`` is bound to it (an entry's ciphertext cannot
// be passed off as another's).
async function seal(secret, label, value) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(label) },
    secret, new TextEncoder().encode(JSON.stringify(value)));
  return { iv, data };
}

async function unseal(secret, label, sealed) {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv, additionalData: new TextEncoder().encode(label) },
    secret, sealed.data);
  return JSON.parse(new TextDecoder().decode(plain));
}
