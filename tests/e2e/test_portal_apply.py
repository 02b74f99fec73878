"""The citizen portal's apply page in a real browser (issue 19, docs/portal.md): one click is one
application — a double click, a lost answer followed by a reload and the same form sent again, give
one application and one SMS; the receipt replaces the form, survives a reload and prints alone;
"Yeni başvuru" is another application with a key of its own. The privacy notice must be
acknowledged (nothing is sent without it) and its version reaches the staff record, from the desk
too. Lists in Turkish alphabetical order. Errors in the page's language only. Offline, a submission
is kept on the device (encrypted: no national ID in IndexedDB), shown as waiting, and sent once when
the connection returns — from two tabs at once too — with channel "app" when opened as the installed
app; a kept submission the server refuses comes back into the form, and one discarded is never
sent. axe and screenshots at 1280 and 390 px of the form, the receipt and the waiting state.

Playwright on Debian's Chromium against the session's running system (tests/support/browser.py)."""
import re

import pytest

from tests.support.browser import browser, open_tab, sign_in  # noqa: F401  (fixtures)
from tests.support.portal import (
    ACKNOWLEDGED,
    RECEIPT,
    ROUTER,
    SUBMIT,
    WAITING,
    applications_of,
    fill_and_acknowledge,
    kept_on_device,
    posts_to,
    receipt_value,
    someone,
    wait_for_service_worker,
)
from tests.support.processes import wait_until
from tests.support.staff_client import settle

NUMBER = re.compile(r"\d{4}-\d{6}")
UNANSWERED_NOTE = "acikkapi.unanswered.portal"


def one_sms(running_system, number):
    """The one "received" SMS of ``number``, and a moment later still only that one."""
    wait_until(lambda: running_system.sms_for(number), timeout=10, what="the received SMS")
    settle(1)
    assert len(running_system.sms_for(number)) == 1, running_system.sms_for(number)


# --- one click is one application ----------------------------------------------------------------

@pytest.mark.parametrize("how", ["two clicks", "double click"])
def test_clicking_twice_makes_one_application_and_one_sms(open_tab, staff, running_system, how):
    tab = open_tab()
    page = tab.page
    person = someone()
    page.goto("/")
    keys = posts_to(page)
    fill_and_acknowledge(page, person)
    if how == "double click":
        page.dblclick(SUBMIT)
    else:  # two separate clicks as fast as the mouse goes, the second while the first is on its way
        box = page.locator(SUBMIT).bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.click(x, y)
        page.mouse.click(x, y)
    page.wait_for_selector(RECEIPT)

    assert len(keys) == 1, keys
    (entry,) = applications_of(staff, person)
    assert receipt_value(page, "Başvuru numarası") == entry["application_no"]
    one_sms(running_system, entry["application_no"])
    settle(0.5)
    assert len(applications_of(staff, person)) == 1


def test_a_lost_answer_then_reload_and_the_same_form_again_is_the_same_application(
        open_tab, staff, running_system):
    """The request reaches the system but its answer never reaches the page: the page keeps the
    key with the body's digest (never the body), and after a reload the same form filled again goes
    with that key, so the system answers with the application it made."""
    tab = open_tab()
    page = tab.page
    person = someone()
    page.goto("/")
    made = []

    def answer_lost(route):
        made.append(route.fetch().json())
        route.abort()

    page.route("**/api/v1/applications", answer_lost)
    keys = posts_to(page)
    fill_and_acknowledge(page, person, subject="Kaybolan cevap")
    page.click(SUBMIT)
    page.wait_for_selector("#application-form .form-status:not(:empty)")
    assert len(made) == 1 and NUMBER.fullmatch(made[0]["application_no"])
    assert "Sunucuya ulaşılamadı" in page.locator("#application-form .form-status").inner_text()
    note = page.evaluate("name => JSON.parse(sessionStorage.getItem(name))", UNANSWERED_NOTE)
    assert note["key"] == keys[0] and re.fullmatch(r"[0-9a-f]{64}", note["digest"])
    assert person not in page.evaluate("() => JSON.stringify(sessionStorage)")  # a digest, not the body

    page.unroute("**/api/v1/applications")
    page.reload()
    fill_and_acknowledge(page, person, subject="Kaybolan cevap")
    page.click(SUBMIT)
    page.wait_for_selector(RECEIPT)

    number = made[0]["application_no"]
    assert keys == [keys[0], keys[0]]
    assert receipt_value(page, "Başvuru numarası") == number
    assert receipt_value(page, "Takip kodu") == made[0]["tracking_code"]
    assert len(applications_of(staff, person)) == 1
    one_sms(running_system, number)
    assert page.evaluate("name => sessionStorage.getItem(name)", UNANSWERED_NOTE) is None

    # the receipt replaces the form, and stays through a reload of the tab
    assert page.locator("#application-form").is_hidden()
    receipt = page.locator("#receipt").inner_text()
    assert re.search(r"Cevap en geç\s+\d{1,2} (Aralık|Ocak) \d{4} \w+, saat \d{2}:\d{2}", receipt), receipt
    assert "Bundan sonra ne olacak?" in receipt and "7 gün" in receipt
    assert page.locator("#track-link").get_attribute("href") == "/takip?no=" + number
    assert page.evaluate("document.activeElement.id") == "receipt-heading"
    tab.screenshots("portal-apply-receipt")
    page.reload()
    page.wait_for_selector(RECEIPT)
    assert receipt_value(page, "Başvuru numarası") == number
    assert page.locator("#application-form").is_hidden()

    # on paper: the receipt alone
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.click("#print-receipt")
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    assert page.locator("header.site").is_hidden() and page.locator("footer.site").is_hidden()
    assert page.locator("h1").is_hidden() and page.locator("#print-receipt").is_hidden()
    assert page.locator("#receipt").is_visible() and page.locator(".receipt-title").is_visible()
    tab.screenshot("portal-apply-receipt-print")
    page.emulate_media(media="screen")

    # "Yeni başvuru": an empty form, a key of its own, another application
    page.click("#new-application")
    assert page.locator("#receipt").is_hidden() and page.locator("#application-form").is_visible()
    assert page.locator("#f-applicant-national_id").input_value() == ""
    assert not page.locator(ACKNOWLEDGED).is_checked()
    fill_and_acknowledge(page, person, subject="İkinci başvuru")
    page.click(SUBMIT)
    page.wait_for_function("number => !document.querySelector('#receipt').hidden && "
                           "!document.querySelector('#receipt').textContent.includes(number)", arg=number)
    second = receipt_value(page, "Başvuru numarası")
    assert second != number and len(keys) == 3 and keys[2] != keys[0]
    assert {entry["application_no"] for entry in applications_of(staff, person, expected=2)} == {number, second}
    page.reload()
    page.wait_for_selector(RECEIPT)
    assert receipt_value(page, "Başvuru numarası") == second


# --- the privacy notice --------------------------------------------------------------------------

def test_the_privacy_notice_must_be_acknowledged_and_its_version_reaches_the_staff_record(open_tab, staff):
    tab = open_tab()
    page = tab.page
    person = someone()
    page.goto("/")
    keys = posts_to(page)
    version = page.locator("meta[name='privacy-notice-version']").get_attribute("content")
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,32}", version)
    link = page.locator(".privacy-notice a[href='/kvkk']")
    assert link.get_attribute("target") == "_blank"  # the form stays as it is in this tab
    tab.screenshots("portal-apply-form")

    fill_and_acknowledge(page, person)
    page.uncheck(ACKNOWLEDGED)
    page.click(SUBMIT)
    error = page.locator("#f-privacy_notice_acknowledged-error")
    error.wait_for()
    assert error.inner_text() == "Başvurunuzu göndermek için aydınlatma metnini okuduğunuzu onaylayın."
    box = page.locator(ACKNOWLEDGED)
    assert box.get_attribute("aria-invalid") == "true"
    assert box.get_attribute("aria-describedby").split() == [
        "f-privacy_notice_acknowledged-error", "f-privacy_notice_acknowledged-hint"]
    assert page.evaluate("document.activeElement.id") == "f-privacy_notice_acknowledged"
    settle(0.5)
    assert keys == []  # nothing sent
    tab.screenshots("portal-apply-privacy-required")

    page.check(ACKNOWLEDGED)
    page.click(SUBMIT)
    page.wait_for_selector(RECEIPT)
    number = receipt_value(page, "Başvuru numarası")
    record = staff.wait_visible(ROUTER, number)
    assert record["privacy_notice_version"] == version
    assert record["channel"] == "web"


def test_the_desk_confirms_the_notice_was_given_and_sends_its_version(open_tab, staff):
    tab = open_tab()
    page = tab.page
    person = someone()
    sign_in(tab, "ankara.desk", "/konsol/masa")
    keys = posts_to(page, "/api/v1/desk/applications")
    version = page.locator("meta[name='privacy-notice-version']").get_attribute("content")
    fill_and_acknowledge(page, person)
    assert page.locator("label[for='f-privacy_notice_acknowledged']").inner_text() == \
        "Başvuru sahibine aydınlatma metni sunuldu."
    page.uncheck(ACKNOWLEDGED)
    page.click(SUBMIT)
    page.locator("#f-privacy_notice_acknowledged-error").wait_for()
    assert page.locator("#f-privacy_notice_acknowledged-error").inner_text() == \
        "Başvuru sahibine aydınlatma metninin sunulduğunu onaylayın."
    assert keys == []

    page.check(ACKNOWLEDGED)
    page.click(SUBMIT)
    page.wait_for_selector(RECEIPT)
    record = staff.wait_visible(ROUTER, receipt_value(page, "Başvuru numarası"))
    assert record["privacy_notice_version"] == version and record["channel"] == "desk"


# --- the lists and the language ------------------------------------------------------------------

def options(page, select):
    return page.eval_on_selector_all(select + " option", "options => options.slice(1).map((o) => o.textContent)")


def test_the_lists_are_in_turkish_alphabetical_order(open_tab):
    page = open_tab().page
    page.goto("/")
    page.wait_for_selector("#f-province option[value='06']", state="attached")
    page.select_option("#f-province", "06")
    districts = options(page, "#f-district")
    assert districts.index("Bala") < districts.index("Çankaya") < districts.index("Elmadağ")
    assert districts.index("Yenimahalle") == len(districts) - 1  # Ş comes before Y, not after it
    assert districts.index("Sincan") < districts.index("Şereflikoçhisar")
    provinces = options(page, "#f-province")
    assert provinces.index("Isparta") < provinces.index("İstanbul") < provinces.index("İzmir") < provinces.index("Kars")
    assert provinces.index("Bursa") < provinces.index("Çanakkale") < provinces.index("Denizli")
    assert options(page, "#f-kind") == ["Öneri", "Şikâyet", "Talep"]
    categories = options(page, "#f-category")
    assert categories == sorted(categories, key=turkish_order)

    page.click("#language-switch")
    page.wait_for_selector("#f-kind option:text('Complaint')", state="attached")
    assert options(page, "#f-kind") == ["Complaint", "Request", "Suggestion"]
    categories = options(page, "#f-category")
    assert categories[0] == "Agriculture and forestry" and categories == sorted(categories)
    page.select_option("#f-province", "06")
    assert options(page, "#f-district") == districts  # place names keep their Turkish order


TURKISH_ALPHABET = "abcçdefgğhıijklmnoöprsştuüvyz"


def turkish_order(text):
    lowered = text.replace("I", "ı").replace("İ", "i").lower()
    return [TURKISH_ALPHABET.index(char) if char in TURKISH_ALPHABET else ord(char) for char in lowered]


def test_errors_are_in_the_page_language_only(open_tab):
    """The server says every reason "Türkçe / English": the page shows its own language's half,
    and writes the errors on show again when the language is switched."""
    tab = open_tab()
    page = tab.page
    page.goto("/")
    page.wait_for_selector("#f-province option[value='06']", state="attached")

    page.click(SUBMIT)  # empty: the page's own checks
    page.locator("#f-applicant-national_id-error").wait_for()
    shown = page.locator(".field-error").all_inner_texts()
    assert set(shown) == {"Bu alan gerekli.", "Başvurunuzu göndermek için aydınlatma metnini okuduğunuzu onaylayın."}
    assert page.locator("#application-form .form-status").inner_text() == "Formda düzeltilmesi gereken alanlar var."
    page.click("#language-switch")
    assert set(page.locator(".field-error").all_inner_texts()) == {
        "This field is required.", "Confirm that you have read the privacy notice to send your application."}
    assert page.locator("#application-form .form-status").inner_text() == "Some fields need correcting."
    page.click("#language-switch")

    fill_and_acknowledge(page, "12345678901")  # the check digits are wrong
    page.fill("#f-applicant-phone", "12")
    with page.expect_response(lambda response: response.url.endswith("/api/v1/applications")) as answer:
        page.click(SUBMIT)
    reasons = answer.value.json()["error"]["fields"]
    assert set(reasons) == {"applicant.national_id", "applicant.phone"}
    page.locator("#f-applicant-phone-error").wait_for()
    for path, reason in reasons.items():
        turkish, english = reason.split(" / ")
        assert page.locator("#f-" + path.replace(".", "-") + "-error").inner_text() == turkish
    tab.screenshots("portal-apply-errors-tr")
    page.click("#language-switch")
    for path, reason in reasons.items():
        turkish, english = reason.split(" / ")
        assert page.locator("#f-" + path.replace(".", "-") + "-error").inner_text() == english
    assert " / " not in page.locator("#application-form").inner_text()

    page.reload()  # the English page from the start
    page.wait_for_selector("#f-kind option:text('Complaint')", state="attached")
    fill_and_acknowledge(page, "12345678901")
    page.click(SUBMIT)
    page.locator("#f-applicant-national_id-error").wait_for()
    turkish, english = reasons["applicant.national_id"].split(" / ")
    assert page.locator("#f-applicant-national_id-error").inner_text() == english
    assert page.locator("#application-form .form-status").inner_text() == "Some fields need correcting."


# --- offline: kept on the device, sent once ------------------------------------------------------

def test_offline_the_application_waits_encrypted_and_goes_once_as_the_app(open_tab, staff, running_system):
    """Opened from the installed app's start address; the connection drops before sending."""
    tab = open_tab(service_workers="allow")
    page = tab.page
    person = someone()
    page.goto("/?kaynak=uygulama")
    wait_for_service_worker(page)
    page.wait_for_selector("#f-province option[value='06']", state="attached")
    tab.context.set_offline(True)
    page.locator("#connection").wait_for()
    assert "Bağlantınız yok" in page.locator("#connection").inner_text()
    fill_and_acknowledge(page, person, subject="Bağlantısız gönderilen başvuru")
    page.click(SUBMIT)
    page.wait_for_selector(WAITING)

    entry = page.locator(".waiting-entry")
    assert entry.count() == 1
    assert "Bağlantısız gönderilen başvuru" in entry.inner_text()
    assert re.search(r"Saklandığı zaman: \d{1,2} \w+ \d{4} \d{2}:\d{2}", entry.inner_text())
    assert page.locator("#application-form").is_hidden()
    assert page.evaluate("document.activeElement.id") == "waiting-heading"
    kept = kept_on_device(page)
    stored = str(kept["submissions"])
    assert len(kept["submissions"]) == 1
    # the phone as typed and as digits: "532" alone also turns up in the entry's timestamp
    for plain in (person, "Ayşe", "Yılmaz", "Bağlantısız", "0532 123 45 67", "5321234567"):
        assert plain not in stored, plain
    assert kept["keys"] == [{"type": "secret", "extractable": False, "usages": ["encrypt", "decrypt"]}]
    assert kept["exported"] is False
    tab.screenshots("portal-apply-waiting")

    page.reload()  # still offline: the page comes from the service worker, the entry from IndexedDB
    page.wait_for_selector(WAITING)
    assert "Bağlantısız gönderilen başvuru" in page.locator(".waiting-entry").inner_text()

    tab.context.set_offline(False)
    page.wait_for_selector(RECEIPT, timeout=20000)
    number = receipt_value(page, "Başvuru numarası")
    page.wait_for_selector("#waiting", state="hidden")  # the page hides it after the receipt shows
    (application,) = applications_of(staff, person)
    assert application["application_no"] == number
    record = staff.wait_visible(ROUTER, number)
    assert record["channel"] == "app" and record["privacy_notice_version"]
    one_sms(running_system, number)
    assert kept_on_device(page)["submissions"] == []


def test_a_kept_application_goes_once_however_many_tabs_try(open_tab, staff, running_system):
    tab = open_tab(service_workers="allow")
    first = tab.page
    person = someone()
    first.goto("/")
    wait_for_service_worker(first)
    second = tab.context.new_page()
    second.goto("/")
    second.wait_for_selector("#f-province option[value='06']", state="attached")
    first.wait_for_selector("#f-province option[value='06']", state="attached")
    sent = []
    for page in (first, second):
        page.on("request", lambda request: sent.append(request.headers.get("idempotency-key"))
                if request.method == "POST" and request.url.endswith("/api/v1/applications") else None)
    tab.context.set_offline(True)
    fill_and_acknowledge(first, person, subject="İki sekmeden biri")
    first.click(SUBMIT)
    first.wait_for_selector(WAITING)
    second.reload()
    second.wait_for_selector(WAITING)  # the other tab sees it waiting too

    tab.context.set_offline(False)  # both tabs hear "online" and try
    wait_until(lambda: first.locator(RECEIPT).count() or second.locator(RECEIPT).count(), timeout=20,
               what="a receipt in one of the tabs")
    (application,) = applications_of(staff, person)
    one_sms(running_system, application["application_no"])
    assert sent and len(set(sent)) == 1, sent  # every try, from either tab, with the one key
    assert len(applications_of(staff, person)) == 1
    second.close()


def test_a_kept_application_the_server_refuses_comes_back_into_the_form(open_tab, staff):
    tab = open_tab(service_workers="allow")
    page = tab.page
    page.goto("/")
    wait_for_service_worker(page)
    page.wait_for_selector("#f-province option[value='06']", state="attached")
    tab.context.set_offline(True)
    fill_and_acknowledge(page, "12345678901", subject="Düzeltilecek başvuru")  # check digits wrong
    page.click(SUBMIT)
    page.wait_for_selector(WAITING)
    keys = posts_to(page)

    tab.context.set_offline(False)
    page.locator("#f-applicant-national_id-error").wait_for(timeout=20000)
    # The error, the form and the hidden waiting list come in separate steps of the page.
    page.wait_for_selector("#application-form", state="visible")
    page.wait_for_selector("#waiting", state="hidden")
    assert page.locator("#f-applicant-national_id").input_value() == "12345678901"
    assert page.locator("#f-subject").input_value() == "Düzeltilecek başvuru"
    assert page.locator("#f-district").input_value() == "Çankaya"
    assert page.locator(ACKNOWLEDGED).is_checked()
    assert "kimlik" in page.locator("#f-applicant-national_id-error").inner_text().lower()
    assert kept_on_device(page)["submissions"] == []

    person = someone()
    page.fill("#f-applicant-national_id", person)
    page.click(SUBMIT)
    page.wait_for_selector(RECEIPT)
    assert len(keys) == 2 and keys[0] == keys[1]  # refused, nothing made: the same key corrected
    assert applications_of(staff, person)[0]["application_no"] == receipt_value(page, "Başvuru numarası")


def test_a_kept_application_discarded_is_gone_and_never_sent(open_tab, staff):
    tab = open_tab(service_workers="allow")
    page = tab.page
    person = someone()
    page.goto("/")
    wait_for_service_worker(page)
    page.wait_for_selector("#f-province option[value='06']", state="attached")
    tab.context.set_offline(True)
    fill_and_acknowledge(page, person, subject="Vazgeçilen başvuru")
    page.click(SUBMIT)
    page.wait_for_selector(WAITING)
    keys = posts_to(page)

    page.click(".waiting-entry button")
    page.click("dialog .cancel")  # asked first: cancelled, it stays
    assert page.locator(".waiting-entry").count() == 1
    page.click(".waiting-entry button")
    page.click("dialog .confirm")
    page.wait_for_selector("#waiting", state="hidden")
    assert page.locator("#application-form").is_visible()
    assert kept_on_device(page)["submissions"] == []

    tab.context.set_offline(False)
    settle(1)
    assert keys == []
    assert staff.queue(ROUTER, q=person).json()["items"] == []
