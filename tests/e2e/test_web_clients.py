"""The web clients in a real browser (Chromium, Playwright) against the running system: a citizen
applies on the portal and tracks with the code from the SMS; a router signs in to the console,
filters the queue, sees the suggested unit, records a contact and routes; the unit officer
answers; the citizen reads the answer. Invalid input shows the API's field error next to its
field; a desk officer takes an application; statistics draw their charts; the language switch
persists; the portal fits a 360 px phone. Every main page passes axe-core (no serious or critical
violations); screenshots go to test-artifacts/screenshots/."""
import re
import uuid
from datetime import timedelta

import pytest
from nameko.standalone.events import event_dispatcher

from common import clock
from tests.support.browser import browser, fill_application, open_tab, sign_in  # noqa: F401  (fixtures)
from tests.support.portal import look_up
from tests.support.processes import wait_until
from tests.support.samples import national_id, received_event
from tests.support.staff_client import StaffApi, ankara_health_body, submit

SUGGESTED = "Çankaya İlçe Sağlık Müdürlüğü"
ANSWER = "Randevunuz 12 Aralık saat 10:00 için Çankaya Sağlık Ocağında oluşturuldu."
CODE_IN_SMS = re.compile(r"(?:takip kodu|tracking code): ([A-Z2-9]{8})")


def receipt_value(page, label):
    return page.locator("#receipt dt", has_text=label).locator("xpath=following-sibling::dd[1]").inner_text()


def queue_row(page, number, status, **filters):
    """The queue's tab ``status`` (with ``filters`` in the query string), reloaded until the
    application's row is there (routing has it by event). Newest first unless asked otherwise: other
    tests of the same system fill more than a page."""
    query = "&".join("{}={}".format(name, value)
                     for name, value in dict({"sort": "received"}, **filters, status=status).items())

    def row():
        page.goto("/konsol/kuyruk?" + query)
        page.wait_for_selector("#queue tbody tr")
        page.wait_for_selector("#queue:not([aria-busy])")
        found = page.locator("tr[data-application-no='{}']".format(number))
        return found if found.count() else None

    return wait_until(row, timeout=10, interval=0.3, what="{} in the queue".format(number))


def test_apply_route_answer_and_the_citizen_reads_the_answer(open_tab, running_system):
    citizen = open_tab()
    page = citizen.page
    page.goto("/")
    fill_application(page)
    citizen.check("portal-apply")
    page.click("#application-form button[type=submit]")
    page.wait_for_selector("#receipt:not([hidden])")
    number = receipt_value(page, "Başvuru numarası")
    shown_code = receipt_value(page, "Takip kodu")
    assert re.fullmatch(r"\d{4}-\d{6}", number) and re.fullmatch(r"[A-Z2-9]{8}", shown_code)
    citizen.screenshot("portal-receipt")

    (sms,) = wait_until(lambda: running_system.sms_for(number), timeout=10, what="the received SMS")
    code = CODE_IN_SMS.search(sms["msg"]).group(1)
    assert code == shown_code
    look_up(page, number, code, "#status dd:text('Alındı')")
    assert page.locator("#status .timeline li").count() == 1
    citizen.check("portal-track")

    router = open_tab()
    router.page.goto("/konsol")
    router.check("console-login")
    sign_in(router, "ankara.router", "/konsol/kuyruk")
    row = queue_row(router.page, number, "unrouted")
    assert row.locator(".suggested").inner_text() == "Öneri: " + SUGGESTED
    router.check("console-queue")
    row.locator("a").click()
    router.page.wait_for_selector("#record:not([hidden])")
    assert "10000000146" in router.page.locator("#applicant-facts").inner_text()
    router.check("console-record")

    router.page.select_option("#contact-channel", "phone")
    router.page.fill("#contact-note", "Başvuru sahibi telefonla arandı.")
    router.page.click("#contact-form button[type=submit]")
    router.page.wait_for_selector("#contacts li:has-text('Başvuru sahibi telefonla arandı.')")
    assert router.page.locator("#route-unit").input_value() == "06-cankaya-health"  # the suggested unit
    router.page.fill("#route-note", "Sağlık ocağı")
    router.page.click("#route-form button[type=submit]")
    router.page.wait_for_selector("#application-facts dd:text('Birime yönlendirildi')")
    assert router.page.locator("#route-form").is_hidden()
    router.screenshot("console-record-routed")

    unit = open_tab()
    sign_in(unit, "ankara.health", "/konsol/kuyruk")
    queue_row(unit.page, number, "open").locator("a").click()
    unit.page.wait_for_selector("#answer-form:not([hidden])")
    unit.screenshot("console-unit-record")
    unit.page.click("#answer-form button[type=submit]")  # empty: named at the fields, nothing asked
    unit.page.wait_for_selector("#answer-text-error")
    assert unit.page.locator("dialog[open]").count() == 0
    unit.page.fill("#answer-text", ANSWER)
    unit.page.select_option("#answer-outcome", "positive")
    unit.page.click("#answer-form button[type=submit]")
    unit.page.click("#answer-dialog button.confirm")
    unit.page.wait_for_selector("#answer:not([hidden]) .answer-text:text('{}')".format(ANSWER))
    unit.screenshot("console-answered")

    look_up(page, number, code, "#answer:not([hidden])")
    assert page.locator("#answer .answer-text").inner_text() == ANSWER
    assert "Olumlu" in page.locator("#answer").inner_text()
    citizen.screenshot("portal-answer")

    router.page.goto("/konsol/istatistik")
    router.page.wait_for_selector("#stats:not([hidden]) svg.chart")
    assert router.page.locator("#charts svg.chart").count() == 4
    assert router.page.locator("#charts table").count() == 4  # each chart's numbers as a table
    router.check("console-stats")


def test_unit_officer_returns_a_misrouted_application(open_tab, running_system):
    staff = StaffApi(running_system.url)
    number = submit(running_system.url, ankara_health_body())["application_no"]
    staff.wait_in_queue("ankara.router", number)
    assert staff.route("ankara.router", number, "06-cankaya-health").status_code == 200
    tab = open_tab()
    sign_in(tab, "ankara.health", "/konsol/kuyruk")
    queue_row(tab.page, number, "open").locator("a").click()
    tab.page.fill("#return-reason", "Sağlık konusu değil; il milli eğitim müdürlüğünün görev alanında.")
    tab.page.click("#return-form button[type=submit]")

    tab.page.wait_for_selector("#application-facts dd:text('İade edildi')")
    assert tab.page.locator("#answer-form").is_hidden() and tab.page.locator("#return-form").is_hidden()
    tab.screenshot("console-returned")


def test_overdue_applications_are_highlighted_in_the_queue(open_tab, running_system):
    number = "2026-8{:05d}".format(uuid.uuid4().int % 10 ** 5)
    past = clock.now() - timedelta(days=10)
    dispatch = event_dispatcher({"AMQP_URI": running_system.amqp_uri, "serializer": "json"})
    dispatch("intake", "application_received", received_event(
        number, province="Ankara", province_code="06", district="Çankaya", category="health",
        received_at=clock.to_iso(past), due_at=clock.to_iso(past + timedelta(days=7))))
    tab = open_tab()
    sign_in(tab, "ankara.router", "/konsol/kuyruk")
    row = queue_row(tab.page, number, "unrouted", overdue="true")

    assert "overdue" in row.get_attribute("class")
    assert re.fullmatch(r"\d+ gün gecikti", row.locator(".due-overdue").inner_text())
    assert tab.page.locator("#f-overdue").is_checked()  # the filter read from the address
    assert all("overdue" in (tr.get_attribute("class") or "") for tr in tab.page.locator("#queue tbody tr").all())
    tab.screenshot("console-queue-overdue")


def test_invalid_input_shows_the_api_field_error_next_to_the_field(open_tab):
    tab = open_tab()
    page = tab.page
    page.goto("/")
    fill_application(page, national_id_value="12345678901")  # the check digits are wrong
    page.click("#application-form button[type=submit]")

    message = page.locator("#f-applicant-national_id-error")
    message.wait_for()
    assert "kimlik" in message.inner_text().lower()
    field = page.locator("#f-applicant-national_id")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.get_attribute("aria-describedby") == "f-applicant-national_id-error"
    assert page.evaluate("document.activeElement.id") == "f-applicant-national_id"
    assert page.locator("#receipt").is_hidden()
    tab.check("portal-apply-errors")


def _sent_keys(page, path):
    """The Idempotency-Key of every POST to ``path`` the page sends, in order."""
    keys = []
    page.on("request", lambda request: keys.append(request.headers.get("idempotency-key"))
            if request.method == "POST" and request.url.endswith(path) else None)
    return keys


def _submit_and_wait(page, shown):
    page.click("#application-form button[type=submit]")
    page.wait_for_selector(shown)


@pytest.mark.parametrize("role", ["citizen", "desk"])
def test_one_idempotency_key_per_application_kept_across_its_tries(open_tab, role):
    """Issue 16: a retry of the same form (after an error, or an answer that never came) cannot
    make a second application; after a receipt the next application has a key of its own."""
    tab = open_tab()
    page = tab.page
    if role == "desk":
        sign_in(tab, "ankara.desk", "/konsol/masa")
        keys = _sent_keys(page, "/api/v1/desk/applications")
    else:
        keys = _sent_keys(page, "/api/v1/applications")
        page.goto("/")
    fill_application(page, national_id_value="12345678901")  # refused: check digits
    _submit_and_wait(page, "#f-applicant-national_id-error")
    page.fill("#f-applicant-national_id", national_id("318274659"))
    _submit_and_wait(page, "#receipt:not([hidden])")
    first = receipt_value(page, "Başvuru numarası")
    # the form is put away behind the receipt (portal and desk) until a new application
    page.click("#new-application")
    fill_application(page, national_id_value=national_id("318274659"), subject="İkinci başvuru")
    page.click("#application-form button[type=submit]")
    wait_until(lambda: receipt_value(page, "Başvuru numarası") != first, timeout=10, what="the second receipt")

    assert len(keys) == 3 and all(keys), keys
    assert keys[0] == keys[1] != keys[2]
    assert re.fullmatch(r"[0-9a-f-]{32,36}", keys[0])


def test_desk_officer_takes_an_application_at_the_counter(open_tab):
    tab = open_tab()
    sign_in(tab, "ankara.desk", "/konsol/masa")
    fill_application(tab.page, national_id_value=national_id("284619375"))
    tab.page.click("#application-form button[type=submit]")
    tab.page.wait_for_selector("#receipt:not([hidden])")
    assert re.fullmatch(r"\d{4}-\d{6}", receipt_value(tab.page, "Başvuru numarası"))
    tab.check("console-desk")


def test_english_switch_is_kept_and_sets_the_language(open_tab):
    tab = open_tab()
    page = tab.page
    page.goto("/takip")
    assert page.locator("html").get_attribute("lang") == "tr"
    page.click("#language-switch")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Track your application"
    page.goto("/")
    assert page.locator("h1").inner_text() == "Make an application"
    assert page.locator("html").get_attribute("lang") == "en"
    page.wait_for_selector("#f-kind option:text('Complaint')", state="attached")
    tab.check("portal-apply-en")


@pytest.mark.parametrize("path", ["/", "/takip", "/konsol"])
def test_pages_fit_a_phone_screen(open_tab, path):
    tab = open_tab(width=360, height=740)
    tab.page.goto(path)
    tab.page.wait_for_selector("#language-switch")
    assert tab.page.evaluate("document.documentElement.scrollWidth") <= 360
    tab.screenshot("phone" + (path.replace("/", "-") if path != "/" else "-apply"))


def test_keyboard_reaches_the_form_and_focus_is_visible(open_tab):
    tab = open_tab()
    page = tab.page
    page.goto("/konsol")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "f-username":
            break
    assert page.evaluate("document.activeElement.id") == "f-username"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
