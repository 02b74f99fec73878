"""A day at an Açık Kapı office on the staff console alone (issue 18), in a real browser (Debian's
Chromium, Playwright) against the running system; the tests run in order and hand the day's
application on from one officer to the next.

1. The desk officer takes a citizen's application at the counter; a double click on Send makes
   one application; the printable receipt shows its number, tracking code and due date.
2. The router finds it in the queue by its number, by the applicant's national ID (an audited
   search) and by words of its subject typed in another case, dotless ı and dotted İ included;
   opens it, finds the suggested unit preselected and routes it there.
3. The unit officer's inbox opens on the open applications and shows it with its days-left
   badge; the officer writes the answer, reads the preview, cancels the confirmation once, then
   confirms; the record lists the SMS with their states (the "received" one delivered, the
   "answer ready" one refused by the provider).
4. The admin creates a unit officer (who then signs in), deactivates another officer (who then
   cannot), issues an Open311 key and revokes it, resends the failed SMS, exports the applicant's
   data (the JSON file holds the application) and erases it behind a typed confirmation; the
   KVKK trail lists both.
5. With the keyboard alone: a desk intake, and an Open311 key issued and revoked. (Routing and
   answering by keyboard are tests/e2e/test_console_pages.py's.)

The states the other console modules do not picture are saved at 1280 and 390 px with axe-core
(test-artifacts/screenshots/): console-record-answered, console-login-refused, admin-sms-resent,
admin-open311-revoked.
"""
import json
import random
import re
import string
import uuid

import pytest
import requests

from tests.support.browser import browser, fill_application, open_tab, sign_in  # noqa: F401  (fixtures)
from tests.support.console import (
    choose_with_keyboard,
    focused,
    open311_request,
    press_tab_until,
    queue_numbers,
    receipt_value,
    search_queue,
    sign_in_with_keyboard,
    stored_documents,
    tab_counts,
    wait_for_address,
    wait_queue_loaded,
)
from tests.support.processes import wait_until
from tests.support.samples import PASSWORD, national_id
from tests.support.sms import provider_status, report_key
from tests.support.staff_client import StaffApi

DESK, ROUTER, ADMIN = "ankara.desk", "ankara.router", "ankara.admin"
QUEUE = "/konsol/kuyruk"
RECEIVED, CONCLUDED = "application_received", "application_answered"
# A street light on İzmir Yolu in Keçiören: the municipality's, whose first officer this module makes
# (no other test has one there), so the suggestion reaches that officer and their inbox is this day's.
SUBJECT = "Işık direği İzmir yolunda"
# The subject's words are not in the description: the search below finds them only in the subject.
DESCRIPTION = "Direk üç gündür yanmıyor; {} durağının önü karanlık."
DISTRICT = "Keçiören"
CATEGORY = "municipal"
ANSWER = "Arıza ekibimiz direği onardı; İzmir yolundaki ışıklar bu akşamdan itibaren yanıyor."
# The fake Verimor's refusal that is not the number's fault: the message can be sent again.
NO_CREDIT = {"status": 400, "body": "INSUFFICIENT_CREDITS"}


def letters(count=8):
    """Random ASCII letters: a word no other application has."""
    return "".join(random.choice(string.ascii_lowercase) for _ in range(count))


def unique(prefix):
    return prefix + uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def staff(running_system):
    return StaffApi(running_system.url)


@pytest.fixture(scope="module")
def day(staff):
    """What the officers hand on to each other. Made first: the municipality's officer (Elif
    Aksoy), so that new Keçiören municipal applications are suggested to her unit, and a router
    (Murat Şen) who leaves today."""
    units = staff.units(ADMIN).json()
    unit = next(unit for unit in units
                if unit["district"] == DISTRICT and unit["type"] == "municipality" and unit["active"])
    people = {"unit_officer": unique("elif."), "leaver": unique("murat.")}
    for username, body in ((people["unit_officer"], {"role": "unit", "unit_id": unit["unit_id"],
                                                     "display_name": "Elif Aksoy"}),
                           (people["leaver"], {"role": "router", "display_name": "Murat Şen"})):
        made = staff.request("POST", "/api/v1/admin/users", ADMIN,
                             json=dict(body, username=username, password=PASSWORD, province="06"))
        assert made.status_code == 201, made.text
    return dict(people, unit=unit, person=national_id(str(random.randint(100_000_000, 999_999_999))),
                word=letters())


def needs(day, *keys):
    """The day's earlier steps must have left ``keys``: a later step cannot run without them."""
    missing = [key for key in keys if key not in day]
    if missing:
        pytest.skip("an earlier step of the day failed (no {})".format(", ".join(missing)))


def alert_says(page, text):
    """The page's alert region, once it says ``text``."""
    alert = page.locator("#page-alert")
    return wait_until(lambda: text in alert.inner_text() and alert.inner_text(), timeout=10,
                      what="the alert saying {!r}".format(text))


def sms_states(staff, number, template):
    """The states of the application's SMS of ``template`` (a resend adds one), as staff see them."""
    return [sms["state"] for sms in staff.record(ADMIN, number).json().get("sms") or [] if sms["template"] == template]


def open_admin_page(page, path):
    """Follows the admin menu's link to ``path`` and waits until the page's script runs (the tables'
    static "loading" row is there before it, and a form sent before it would be the browser's)."""
    page.click("#admin-menu a[href='{}']".format(path))
    page.wait_for_url("**" + path)
    page.wait_for_load_state("load")


def confirm_dialog(page):
    """Confirms the open confirmation dialog, whose safe choice (Cancel) has focus first."""
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('cancel')")
    dialog.locator("button.confirm").click()
    dialog.wait_for(state="detached")


# --- 1. the desk -------------------------------------------------------------------------------

def test_1_the_desk_takes_the_application_once_and_prints_the_receipt(open_tab, staff, running_system, day):
    tab = open_tab()
    page = tab.page
    sign_in(tab, DESK, "/konsol/masa")
    keys = []
    page.on("request", lambda request: keys.append(request.headers.get("idempotency-key"))
            if request.method == "POST" and request.url.endswith("/api/v1/desk/applications") else None)
    fill_application(page, national_id_value=day["person"], subject=SUBJECT,
                     description=DESCRIPTION.format(day["word"]))
    page.select_option("#f-category", CATEGORY)
    page.select_option("#f-district", DISTRICT)
    page.dblclick("#application-form button[type=submit]")
    page.wait_for_selector("#receipt:not([hidden])")

    number = receipt_value(page, "Başvuru numarası")
    code = receipt_value(page, "Takip kodu")
    assert re.fullmatch(r"\d{4}-\d{6}", number) and re.fullmatch(r"[A-Z2-9]{8}", code)
    assert re.fullmatch(r"\d{1,2} \w+ \d{4} \w+, saat \d{2}:\d{2}", receipt_value(page, "Cevap en geç"))
    assert "/takip" in page.locator("#receipt .how-to-track").inner_text()
    assert keys and len(set(keys)) == 1, keys  # however many requests the double click made: one key
    found = wait_until(lambda: staff.queue(ROUTER, q=day["person"]).json()["items"] or None, timeout=10,
                       what="the application in the router's queue")
    assert [item["application_no"] for item in found] == [number]  # one application, not two
    tracked = requests.get("{}/api/v1/applications/{}".format(running_system.url, number),
                           params={"tracking_code": code}, timeout=15)
    assert tracked.status_code == 200, tracked.text  # what the receipt says works on /takip

    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.click("#print-receipt")
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    assert page.locator("#receipt").is_visible() and page.locator("header.site").is_hidden()
    assert number in page.locator("#receipt").inner_text() and code in page.locator("#receipt").inner_text()
    page.emulate_media(media="screen")
    day.update(number=number, code=code)


# --- 2. the router -----------------------------------------------------------------------------

def test_2_the_router_finds_it_three_ways_and_routes_it_to_the_suggested_unit(open_tab, staff, running_system, day):
    needs(day, "number")
    number, unit = day["number"], day["unit"]
    tab = open_tab()
    page = tab.page
    sign_in(tab, ROUTER, QUEUE)
    wait_queue_loaded(page)

    search_queue(page, number)
    assert queue_numbers(page) == [number]
    assert "başvuru numarasıyla" in page.locator("#search-summary").inner_text()
    search_queue(page, day["person"])
    assert queue_numbers(page) == [number]
    assert "T.C. kimlik numarasıyla" in page.locator("#search-summary").inner_text()
    audit = stored_documents(running_system.data_dir, "intake", "audit_log", number)
    assert any(entry["reader"] == ROUTER and entry["purpose"] == "search" for entry in audit), audit
    # "Işık" and "İzmir" typed as "ışık" and "IZMIR" (the dotless capital): the same words
    search_queue(page, "ışık IZMIR " + day["word"])
    assert queue_numbers(page) == [number]
    assert "kelimelerle" in page.locator("#search-summary").inner_text()
    row = page.locator("tr[data-application-no='{}']".format(number))
    assert row.locator("td.subject").inner_text() == SUBJECT
    assert row.locator(".suggested").inner_text() == "Öneri: " + unit["name"]

    row.locator("a").click()
    page.wait_for_selector("#route-form:not([hidden])")
    assert page.locator("#route-unit").input_value() == unit["unit_id"]  # the suggestion, preselected
    option = page.locator("#route-unit option[value='{}']".format(unit["unit_id"])).inner_text()
    assert option == unit["name"] + " (önerilen, 1 görevli)", option
    assert page.locator("#route-warning").is_hidden()
    page.fill("#route-note", "Belediyenin elektrik ekibi bakacak.")
    page.click("#route-form button[type=submit]")
    page.wait_for_selector("#application-facts dd:text('Birime yönlendirildi')")
    assert page.locator("#record-status").inner_text() == "Başvuru birime yönlendirildi."
    assert staff.record(ROUTER, number).json()["unit"]["unit_id"] == unit["unit_id"]


# --- 3. the unit officer -----------------------------------------------------------------------

def wait_sms(staff, number, template, states, what):
    return wait_until(lambda: next((sms for sms in staff.record(ADMIN, number).json().get("sms") or []
                                    if sms["template"] == template and sms["state"] in states), None),
                      timeout=15, what=what)


def test_3_the_unit_officer_answers_after_a_preview_and_a_confirmation(open_tab, staff, running_system, day):
    needs(day, "number")
    number = day["number"]
    received = wait_sms(staff, number, RECEIVED, ("sent", "delivered"), "the received SMS sent")
    if received["state"] == "sent":  # the provider reports the handset got it
        assert running_system.sms_report(**report_key(running_system, received),
                                         status=provider_status(running_system, "delivered"))
    tab = open_tab()
    page = tab.page
    sign_in(tab, day["unit_officer"], QUEUE)
    wait_for_address(page, QUEUE + "?status=open")  # the inbox opens on what is still to do
    wait_queue_loaded(page)
    assert page.locator("#who-name").inner_text() == "Elif Aksoy"
    assert page.locator("#status-tabs a[aria-current]").get_attribute("data-status") == "open"
    assert queue_numbers(page) == [number]
    assert tab_counts(page) == {"open": 1, "answered": 0, "all": 1}
    badge = page.locator("tr[data-application-no='{}'] .due".format(number))
    assert badge.get_attribute("data-due-state") == "fine"
    assert re.fullmatch(r"[67] gün kaldı", badge.inner_text()), badge.inner_text()

    page.locator("tr[data-application-no='{}'] a".format(number)).click()
    page.wait_for_selector("#answer-form:not([hidden])")
    page.fill("#answer-text", ANSWER)
    page.select_option("#answer-outcome", "positive")
    preview = page.locator("#answer-preview")
    assert preview.locator(".answer-text").inner_text() == ANSWER
    assert "Olumlu" in preview.inner_text()

    page.click("#review-answer")
    dialog = page.locator("#answer-dialog")
    dialog.wait_for()
    assert "kesindir" in dialog.inner_text() and "SMS" in dialog.inner_text()
    dialog.locator("button.cancel").click()
    dialog.wait_for(state="detached")
    assert staff.record(ROUTER, number).json()["status"] == "routed"  # cancelled: nothing sent

    # the provider refuses the next message, the "answer ready" SMS: the admin resends it later
    running_system.sms_behaviour(steps=[NO_CREDIT])
    try:
        page.click("#review-answer")
        dialog.locator("button.confirm").click()
        page.wait_for_selector("#answer:not([hidden])")
        concluded = wait_sms(staff, number, CONCLUDED, ("failed", "sent", "delivered"), "the answer's SMS tried")
    finally:
        running_system.sms_behaviour(clear=True)
    assert concluded["state"] == "failed", "another SMS took the provider's scripted refusal: {}".format(concluded)
    assert page.locator("#answer .answer-text").inner_text() == ANSWER
    assert "Cevap gönderildi" in page.locator("#record-status").inner_text()
    assert staff.record(ROUTER, number).json()["status"] == "answered"

    page.reload()
    page.wait_for_selector("#sms-list tr[data-template='{}']".format(CONCLUDED))
    received_row = page.locator("#sms-list tr[data-template='{}']".format(RECEIVED))
    assert received_row.locator("td[data-label='Durum']").inner_text() == "İletildi"
    times = received_row.locator(".sms-times").inner_text()
    for label in ("Sıraya alındı: ", "Gönderildi: ", "İletildi: "):
        assert re.search(re.escape(label) + r"\d{1,2} \w{3} \d{4} \d{2}:\d{2}", times), times
    concluded_row = page.locator("#sms-list tr[data-template='{}']".format(CONCLUDED))
    assert concluded_row.locator("td[data-label='Mesaj']").inner_text() == "Cevap hazır bildirimi"
    assert concluded_row.locator("td[data-label='Durum']").inner_text() == "Başarısız"
    assert "Başarısız oldu: " in concluded_row.locator(".sms-times").inner_text()
    assert "Elif Aksoy" in page.locator("#answer").inner_text()  # the officer by name
    tab.screenshots("console-record-answered")
    day["answered"] = True


# --- 4. the admin ------------------------------------------------------------------------------

def user_row(page, username):
    return page.locator("tr[data-username='{}']".format(username))


def login_refused(tab, username):
    """Tries ``username``'s sign-in on the page; the message the page shows."""
    page = tab.page
    page.goto("/konsol")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    status = page.locator("#login-form .form-status")
    return wait_until(lambda: status.inner_text(), timeout=10, what="the sign-in page's answer")


def test_4a_the_admin_creates_an_officer_and_deactivates_another(open_tab, staff, day):
    unit = day["unit"]
    leaver = open_tab()
    sign_in(leaver, day["leaver"], QUEUE)  # this morning, Murat could sign in
    admin = open_tab()
    page = admin.page
    sign_in(admin, ADMIN, QUEUE)
    open_admin_page(page, "/konsol/yonetim/kullanicilar")
    page.wait_for_selector("tr[data-username='{}']".format(ADMIN))

    newcomer = unique("deniz.")
    page.fill("#f-username", newcomer)
    page.fill("#f-display_name", "Deniz Korkmaz")
    page.fill("#f-password", PASSWORD)
    page.select_option("#f-role", "unit")
    page.select_option("#f-unit_id", unit["unit_id"])
    page.click("#create-form button[type=submit]")
    created = user_row(page, newcomer)
    created.wait_for()
    alert_says(page, newcomer)
    assert "Deniz Korkmaz" in created.inner_text() and unit["name"] in created.inner_text()
    officer = open_tab()
    sign_in(officer, newcomer, QUEUE)
    officer.page.wait_for_selector("#who-unit")
    assert officer.page.locator("#who-name").inner_text() == "Deniz Korkmaz"
    assert officer.page.locator("#who-unit").inner_text() == unit["name"]

    leaving = user_row(page, day["leaver"])
    assert "Murat Şen" in leaving.inner_text()
    leaving.locator("button", has_text="Devre dışı bırak").click()
    confirm_dialog(page)
    wait_until(lambda: "Devre dışı" in leaving.inner_text(), timeout=5, what="the account deactivated")
    alert_says(page, day["leaver"])
    refused = open_tab()  # the next morning: a new browser session
    assert login_refused(refused, day["leaver"]) == "Kullanıcı adı veya parola hatalı."
    refused.screenshots("console-login-refused")


def test_4b_the_admin_issues_an_open311_key_and_revokes_it(open_tab, running_system):
    tab = open_tab()
    page = tab.page
    sign_in(tab, ADMIN, QUEUE)
    open_admin_page(page, "/konsol/yonetim/open311")
    name = unique("Keçiören Mahalle Uygulaması ")
    page.fill("#f-name", name)
    page.click("#create-form button[type=submit]")
    box = page.locator("#secret .shown-once")
    box.wait_for()
    api_key = box.locator("code.secret").inner_text()
    assert name in box.inner_text()
    assert open311_request(running_system.url, api_key).status_code == 201

    row = page.locator("#clients tbody tr", has_text=name)
    row.locator("button", has_text="İptal et").click()
    confirm_dialog(page)
    wait_until(lambda: "İptal edildi" in row.inner_text(), timeout=5, what="the key revoked")
    assert open311_request(running_system.url, api_key).status_code == 403
    tab.screenshots("admin-open311-revoked")


def test_4c_the_admin_resends_the_failed_sms(open_tab, staff, running_system, day):
    needs(day, "number", "answered")
    number = day["number"]
    tab = open_tab()
    page = tab.page
    sign_in(tab, ADMIN, QUEUE)
    open_admin_page(page, "/konsol/yonetim/sms")
    row = page.locator("#failed-sms tbody tr", has=page.locator("a", has_text=number))
    row.wait_for()
    assert "Cevap hazır bildirimi" in row.inner_text()
    failed = next(item for item in staff.request("GET", "/api/v1/admin/sms/failed", ADMIN).json()
                  if item["application_no"] == number)
    assert failed["resendable"] and failed["reason"]["tr"] in row.inner_text()
    sent_before = len(running_system.sms_for(number))

    row.locator("button", has_text="Yeniden gönder").click()
    alert_says(page, number)
    wait_until(lambda: row.locator("button").count() == 0, timeout=5, what="no second resend offered")
    wait_until(lambda: len(running_system.sms_for(number)) == sent_before + 1, timeout=10,
               what="the resent SMS at the provider")
    wait_until(lambda: sorted(sms_states(staff, number, CONCLUDED)) in (["failed", "sent"], ["delivered", "failed"]),
               timeout=10, what="the resent SMS sent beside the failed one")
    tab.screenshots("admin-sms-resent")


def test_4d_the_admin_exports_then_erases_the_applicant(open_tab, staff, day):
    needs(day, "number")
    number, person = day["number"], day["person"]
    masked = person[:3] + "******" + person[-2:]
    tab = open_tab()
    page = tab.page
    sign_in(tab, ADMIN, QUEUE)
    open_admin_page(page, "/konsol/yonetim/kvkk")

    page.fill("#x-national_id", person)
    with page.expect_download() as download_info:
        page.click("#export-form button[type=submit]")
        page.wait_for_selector("#export-result:not([hidden]) a.download")
        page.click("#export-result a.download")
    with open(download_info.value.path(), encoding="utf-8") as exported_file:
        exported = json.load(exported_file)
    (application,) = exported["applications"]
    assert application["application_no"] == number and application["subject"] == SUBJECT
    assert application["applicant"]["national_id"] == person
    assert {message["template"] for message in application["sms"]["messages"]} == {RECEIVED, CONCLUDED}

    page.fill("#d-national_id", person)
    page.fill("#d-reason", "Başvuru sahibinin KVKK 11. madde kapsamındaki yazılı silme talebi.")
    assert page.locator("#erase-button").is_disabled()  # not until the confirmation is typed
    page.fill("#d-confirm", person)
    page.click("#erase-button")
    page.wait_for_selector("#erase-result:not([hidden])")
    assert number in page.locator("#erase-result").inner_text()
    wait_until(lambda: staff.record(ADMIN, number).json().get("personal_data_erased"), timeout=10,
               what="the record erased")

    rows = page.locator("#requests tbody tr")
    wait_until(lambda: masked in rows.nth(1).inner_text(), timeout=5, what="both requests in the trail")
    erasure, export = rows.nth(0).inner_text(), rows.nth(1).inner_text()  # newest first
    assert "Silme" in erasure and masked in erasure and "KVKK 11. madde" in erasure
    assert "Dışa aktarma" in export and masked in export
    assert person not in page.locator("#requests").inner_text()


# --- 5. the keyboard alone ---------------------------------------------------------------------

def test_5a_a_desk_intake_with_the_keyboard_alone(open_tab, staff):
    person = national_id(str(random.randint(100_000_000, 999_999_999)))
    page = open_tab().page
    sign_in_with_keyboard(page, DESK, "/konsol/masa")
    # the form is set for the desk's province once the catalogue is in (typing before would be lost)
    page.wait_for_function("() => document.querySelector('#f-province').value === '06'")
    press_tab_until(page, "#f-applicant-national_id")
    page.keyboard.type(person)
    for text in ("Ayşe", "Yılmaz", "0532 123 45 67"):
        page.keyboard.press("Tab")
        page.keyboard.type(text)
    page.keyboard.press("Tab")  # the e-mail address is optional
    assert focused(page, "#f-applicant-email")
    for select, value in (("#f-kind", "complaint"), ("#f-category", "health")):
        page.keyboard.press("Tab")
        assert focused(page, select)
        choose_with_keyboard(page, value)
    page.keyboard.press("Tab")
    assert focused(page, "#f-province") and page.locator("#f-province").input_value() == "06"  # the desk's
    page.keyboard.press("Tab")
    choose_with_keyboard(page, "Çankaya")
    page.keyboard.press("Tab")
    page.keyboard.type("Sağlık ocağı randevusu")
    page.keyboard.press("Tab")
    page.keyboard.type("Sağlık ocağından iki haftadır randevu alamıyorum.")
    press_tab_until(page, "#f-privacy_notice_acknowledged")
    page.keyboard.press("Space")  # the applicant was given the privacy notice
    assert page.locator("#f-privacy_notice_acknowledged").is_checked()
    press_tab_until(page, "#application-form button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_selector("#receipt:not([hidden])")
    assert focused(page, "#receipt-heading")  # the receipt is where focus went
    number = receipt_value(page, "Başvuru numarası")
    found = wait_until(lambda: staff.queue(ROUTER, q=person).json()["items"] or None, timeout=10,
                       what="the application in the queue")
    assert [(item["application_no"], item["category"], item["district"]) for item in found] == [
        (number, "health", "Çankaya")]
    press_tab_until(page, "#new-application")
    page.keyboard.press("Enter")  # the next citizen
    assert focused(page, "#f-applicant-national_id") and page.locator("#f-applicant-national_id").input_value() == ""


def test_5b_an_open311_key_issued_and_revoked_with_the_keyboard_alone(open_tab, running_system):
    page = open_tab().page
    sign_in_with_keyboard(page, ADMIN, QUEUE + "?status=open")
    press_tab_until(page, "#admin-menu a[href='/konsol/yonetim/open311']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/konsol/yonetim/open311")
    page.wait_for_load_state("load")
    press_tab_until(page, "#f-name")
    name = unique("Klavye Uygulaması ")
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    box = page.locator("#secret .shown-once")
    box.wait_for()
    assert focused(page, "#secret .shown-once h2")  # the key, shown once, is where focus went
    api_key = box.locator("code.secret").inner_text()

    row = page.locator("#clients tbody tr", has_text=name)
    row.wait_for()
    revoke = "tr[data-client-id='{}'] button".format(row.get_attribute("data-client-id"))
    press_tab_until(page, revoke)
    page.keyboard.press("Enter")
    page.locator("dialog[open]").wait_for()
    assert focused(page, "dialog[open] button.cancel")
    page.keyboard.press("Shift+Tab")  # from Cancel to Revoke
    assert focused(page, "dialog[open] button.confirm")
    page.keyboard.press("Space")
    wait_until(lambda: "İptal edildi" in row.inner_text(), timeout=5, what="the key revoked")
    assert focused(page, "#page-alert")  # its button is gone: focus on what happened
    assert open311_request(running_system.url, api_key).status_code == 403
