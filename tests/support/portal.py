"""Steps the citizen portal's browser tests share (tests/e2e/test_portal_*.py, test_web_clients.py): the form filled
and its privacy notice acknowledged, what the page keeps on the device (IndexedDB, read from the
page itself), how many applications and SMS one applicant has, and the one-time code an SMS brings."""
import random
import re

from tests.support.browser import fill_application
from tests.support.processes import sms_text, wait_until
from tests.support.samples import national_id

ROUTER = "ankara.router"  # fill_application applies in Ankara
SUBMIT = "#application-form button[type=submit]"
ACKNOWLEDGED = "#f-privacy_notice_acknowledged"
RECEIPT = "#receipt:not([hidden])"
WAITING = "#waiting:not([hidden])"
APPLICATIONS = "/api/v1/applications"


def someone():
    """A national ID no other test uses: the applicant's applications are found by it."""
    return national_id(str(random.randint(100000000, 999999999)))


def fill_and_acknowledge(page, person, subject="Sağlık ocağı randevusu", **fields):
    fill_application(page, national_id_value=person, subject=subject, **fields)
    page.check(ACKNOWLEDGED)


def receipt_value(page, label):
    return page.locator("#receipt dt", has_text=label).locator("xpath=following-sibling::dd[1]").inner_text()


def posts_to(page, path=APPLICATIONS):
    """The Idempotency-Key of every POST to ``path`` the page sends from now on, in order."""
    keys = []
    page.on("request", lambda request: keys.append(request.headers.get("idempotency-key"))
            if request.method == "POST" and request.url.endswith(path) else None)
    return keys


def applications_of(staff, person, expected=1, timeout=10):
    """The router's queue entries of ``person`` once ``expected`` of them are there (routing has
    them by event)."""
    def found():
        items = staff.queue(ROUTER, q=person).json()["items"]
        return items if len(items) >= expected else None

    return wait_until(found, timeout, interval=0.2, what="{} application(s) in the queue".format(expected))


def wait_for_service_worker(page):
    """The portal's service worker controls the page (it claims the page once installed)."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)


# Every kept submission and the queue's key as the page's own script sees them: the stored bytes as
# Latin-1 text (so that any plain text in them shows), the CryptoKey as its properties, and
# whether the key can be exported (it must not).
KEPT_ON_DEVICE = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("acikkapi-offline");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const all = (name) => new Promise((resolve) => {
    const request = db.transaction(name).objectStore(name).getAll();
    request.onsuccess = () => resolve(request.result);
  });
  const readable = (value) => {
    if (value instanceof CryptoKey) return { type: value.type, extractable: value.extractable, usages: value.usages };
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return new TextDecoder("latin1").decode(value);
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, readable(inner)]));
    }
    return value;
  };
  const keys = await all("keys");
  let exported = false;
  for (const key of keys) {
    try { await crypto.subtle.exportKey("raw", key); exported = true; } catch (refused) { /* as it must */ }
  }
  const submissions = await all("submissions");
  db.close();
  return { submissions: submissions.map(readable), keys: keys.map(readable), exported };
}"""


def kept_on_device(page):
    return page.evaluate(KEPT_ON_DEVICE)


def look_up(page, number, code, until):
    """Looks the application up on the tracking page until ``until`` (a selector) shows: tracking
    catches up by events."""
    page.goto("/takip?no=" + number)
    page.fill("#f-tracking_code", code)

    def shown():
        page.click("#track-form button[type=submit]")
        page.wait_for_selector("#status:not([hidden]), #track-form .form-status:not(:empty)")
        return page.locator(until).is_visible()

    wait_until(shown, timeout=10, interval=0.3, what=until)


# The code that proves a phone (issue 24) as the SMS says it, in each language.
CODE_IN_SMS = {"tr": re.compile(r"doğrulama kodunuz: (\d{6})"), "en": re.compile(r"verification code: (\d{6})")}


def phone_code(system, phone, language="tr", seen=0):
    """The code of the (``seen``+1)-th code SMS the fake provider got for ``phone``, once it is there."""
    digits = re.sub(r"\D", "", phone)[-10:]

    def arrived():
        found = [CODE_IN_SMS[language].search(sms_text(message)) for message in system.sms_messages()
                 if str(message.get("dest", "")).endswith(digits)]
        codes = [match.group(1) for match in found if match]
        return codes[seen] if len(codes) > seen else None

    return wait_until(arrived, timeout=10, interval=0.1, what="the code SMS")
