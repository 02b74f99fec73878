"""The admin screens of the staff console (/konsol/yonetim/...) in a real browser (Debian's
Chromium, Playwright) against the running system (issue 18): an admin creates a unit officer who
then signs in, deactivates another (who then cannot), resets a password (the old one stops
working, the one shown once works); creates, renames and deactivates a unit (refused while an
application is open there); issues an Open311 key that then works and revokes it (then 403);
resends a failed SMS where the number was not at fault (and sees why another cannot be); exports
an applicant's data as a JSON file and erases it behind a typed confirmation, both listed in the
trail. Every page passes axe-core (no serious or critical violation) and is saved as a
screenshot at 1280 and 390 px (test-artifacts/screenshots/admin-<page>-<width>.png); the main
actions are also done with the keyboard alone.

Accounts, units and keys made here have names of their own: the system is the session's, shared
with other test files, whose accounts (deploy/staff-accounts.example.json's) are left as they are.
"""
import json
import random
import uuid

import pytest
import requests

from tests.support.browser import browser, open_tab, sign_in  # noqa: F401  (fixtures)
from tests.support.processes import wait_until
from tests.support.samples import PASSWORD, national_id
from tests.support.staff_client import StaffApi, ankara_health_body, submit

ADMIN = "ankara.admin"
QUEUE = "/konsol/kuyruk"  # where admins, routers and unit officers land after signing in
PAGES = {
    "users": "/konsol/yonetim/kullanicilar",
    "units": "/konsol/yonetim/birimler",
    "open311": "/konsol/yonetim/open311",
    "sms": "/konsol/yonetim/sms",
    "kvkk": "/konsol/yonetim/kvkk",
}
CANKAYA_HEALTH = "06-cankaya-health"
CANKAYA_HEALTH_NAME = "Çankaya İlçe Sağlık Müdürlüğü"
NEW_PASSWORD = "yeni-parola-2026!"
# Refusals of the fake Verimor (the session's provider): the number's fault, and ours (no credit).
NUMBER_FAULT = {"status": 400, "body": "INVALID_DESTINATION_ADDRESS 905321234567"}
NOT_THE_NUMBERS_FAULT = {"status": 400, "body": "INSUFFICIENT_CREDITS"}


@pytest.fixture(scope="module")
def staff(running_system):
    return StaffApi(running_system.url)


@pytest.fixture
def admin_tab(open_tab):
    """A tab with ankara.admin signed in; ``tab.open(page)`` goes to one of PAGES and waits for it."""
    tab = open_tab()
    sign_in(tab, ADMIN, QUEUE)

    def open_page(name, ready):
        tab.page.goto(PAGES[name])
        tab.page.wait_for_selector(ready)

    tab.open = open_page
    return tab


def unique(prefix):
    return "{}{}".format(prefix, uuid.uuid4().hex[:8])


def check_both_widths(tab, name):
    """axe and a screenshot at 1280 and at 390 px (admin-<name>-<width>.png), nothing wider than the phone."""
    tab.screenshots("admin-" + name)


def wait_alert(page, text):
    """The page's alert region once it says ``text`` (it may still say what happened before)."""
    alert = page.locator("#page-alert")
    return wait_until(lambda: text in alert.inner_text() and alert.inner_text(), timeout=10,
                      what="the alert saying {!r}".format(text))


def confirm(page):
    """Confirms the open confirmation dialog (its safe choice, Cancel, has focus first)."""
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('cancel')")
    dialog.locator("button.confirm").click()
    dialog.wait_for(state="detached")


def turkish_half(message):
    return message.split(" / ")[0]


def login_status(staff, username, password):
    return staff.login(username, password).status_code


# --- users ------------------------------------------------------------------------------------

def create_user(page, username, role, display_name=None, unit_id=None, password=PASSWORD):
    page.fill("#f-username", username)
    if display_name:
        page.fill("#f-display_name", display_name)
    page.fill("#f-password", password)
    page.select_option("#f-role", role)
    if unit_id:
        page.select_option("#f-unit_id", unit_id)
    page.click("#create-form button[type=submit]")
    return page.locator("tr[data-username='{}']".format(username))


def test_admin_creates_a_unit_officer_who_then_signs_in(admin_tab, staff, open_tab):
    page = admin_tab.page
    admin_tab.open("users", "tr[data-username='{}']".format(ADMIN))
    assert page.locator("h1").inner_text() == "Kullanıcılar"
    assert page.locator("#create-unit-field").is_hidden()
    page.select_option("#f-role", "unit")
    assert page.locator("#create-unit-field").is_visible()

    # the API's refusal is shown at its field
    page.fill("#f-username", "X")
    page.fill("#f-password", "kısa")
    page.click("#create-form button[type=submit]")
    page.wait_for_selector("#f-username-error")
    assert page.locator("#f-username").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-username").get_attribute("aria-describedby") == "f-username-error"
    assert page.locator("#f-password-error").is_visible()
    page.fill("#f-username", unique("e2e.eksik."))  # the fields right, but no unit for a unit officer
    page.fill("#f-password", PASSWORD)
    page.click("#create-form button[type=submit]")
    page.wait_for_selector("#f-unit_id-error")
    assert page.evaluate("document.activeElement.id") == "f-unit_id"

    username = unique("e2e.saglik.")
    row = create_user(page, username, "unit", display_name="Zeynep Kaya", unit_id=CANKAYA_HEALTH)
    row.wait_for()
    assert "Zeynep Kaya" in row.inner_text() and "Birim görevlisi" in row.inner_text()
    assert CANKAYA_HEALTH_NAME in row.inner_text() and "Etkin" in row.inner_text()
    wait_alert(page, username)
    assert page.locator("#f-username").input_value() == ""  # the form is ready for the next one
    check_both_widths(admin_tab, "users")

    officer = open_tab()
    sign_in(officer, username, QUEUE)
    assert login_status(staff, username, PASSWORD) == 200


def test_admin_edits_deactivates_and_reactivates_an_account(admin_tab, staff):
    page = admin_tab.page
    admin_tab.open("users", "tr[data-username='{}']".format(ADMIN))
    username = unique("e2e.router.")
    row = create_user(page, username, "router")
    row.wait_for()
    assert login_status(staff, username, PASSWORD) == 200

    # display name, then role and unit, in the edit dialog
    row.locator("button", has_text="Düzenle").click()
    page.wait_for_selector("#edit-dialog[open]")
    assert page.evaluate("document.activeElement.id") == "e-display_name"
    page.fill("#e-display_name", "Murat Aydın")
    page.select_option("#e-role", "unit")
    page.select_option("#e-unit_id", CANKAYA_HEALTH)
    admin_tab.screenshots("admin-users-edit-dialog", full_page=False)
    page.click("#edit-form button[type=submit]")
    page.wait_for_selector("#edit-dialog:not([open])", state="attached")
    wait_until(lambda: "Murat Aydın" in row.inner_text() and CANKAYA_HEALTH_NAME in row.inner_text(), timeout=5,
               what="the edited row")
    listed = {user["username"]: user for user in staff.request("GET", "/api/v1/admin/users", ADMIN).json()}
    assert listed[username]["role"] == "unit" and listed[username]["unit_id"] == CANKAYA_HEALTH
    assert listed[username]["display_name"] == "Murat Aydın"

    # Escape cancels a deactivation; confirmed, the account cannot sign in any more
    row.locator("button", has_text="Devre dışı bırak").click()
    page.wait_for_selector("dialog[open]")
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog[open]", state="detached")
    assert "Etkin" in row.inner_text() and login_status(staff, username, PASSWORD) == 200
    row.locator("button", has_text="Devre dışı bırak").click()
    confirm(page)
    wait_until(lambda: "Devre dışı" in row.locator("td").nth(4).inner_text(), timeout=5, what="deactivated")
    assert login_status(staff, username, PASSWORD) == 401
    assert row.locator("button", has_text="Parolayı sıfırla").count() == 0

    row.locator("button", has_text="Etkinleştir").click()
    confirm(page)
    wait_until(lambda: row.locator("td").nth(4).inner_text() == "Etkin", timeout=5, what="reactivated")
    assert login_status(staff, username, PASSWORD) == 200


def test_a_reset_password_is_shown_once_and_replaces_the_old_one(admin_tab, staff):
    page = admin_tab.page
    admin_tab.open("users", "tr[data-username='{}']".format(ADMIN))
    username = unique("e2e.masa.")
    row = create_user(page, username, "desk")
    row.wait_for()
    assert login_status(staff, username, PASSWORD) == 200

    row.locator("button", has_text="Parolayı sıfırla").click()
    confirm(page)
    box = page.locator("#secret .shown-once")
    box.wait_for()
    new_password = box.locator("code.secret").inner_text()
    assert len(new_password) >= 12
    assert "bir daha gösterilmeyecek" in box.inner_text()
    assert page.evaluate("document.activeElement.tagName") == "H2"  # the box is where focus went
    box.locator("button.copy").click()
    page.wait_for_selector(".copy-status:not(:empty)")
    admin_tab.screenshots("admin-users-password")

    assert login_status(staff, username, PASSWORD) == 401
    assert login_status(staff, username, new_password) == 200
    page.reload()
    page.wait_for_selector("tr[data-username='{}']".format(username))
    assert new_password not in page.content()  # shown once: not after a reload


def test_keyboard_alone_deactivates_an_account_and_focus_comes_back(admin_tab, staff):
    page = admin_tab.page
    admin_tab.open("users", "tr[data-username='{}']".format(ADMIN))
    username = unique("e2e.klavye.")
    create_user(page, username, "router").wait_for()
    toggle = "tr[data-username='{}'] button[data-focus-key='toggle:{}']".format(username, username)

    page.focus(toggle)
    page.keyboard.press("Enter")
    page.wait_for_selector("dialog[open]")
    page.keyboard.press("Shift+Tab")  # from Cancel back to the confirmation before it
    assert page.evaluate("document.activeElement.classList.contains('confirm')")
    page.keyboard.press("Enter")

    wait_until(lambda: page.locator(toggle).inner_text().startswith("Etkinleştir"), timeout=5, what="redrawn")
    assert page.evaluate("document.activeElement.dataset.focusKey") == "toggle:" + username
    assert login_status(staff, username, PASSWORD) == 401


def test_the_admin_screens_are_for_admins_only(open_tab):
    tab = open_tab()
    sign_in(tab, "ankara.router", QUEUE)
    for path in PAGES.values():
        tab.page.goto(path)
        tab.page.wait_for_url(lambda url: QUEUE in url)


# --- units ------------------------------------------------------------------------------------

def find_unit_row(page, name):
    page.fill("#filter-text", name)
    row = page.locator("#units tbody tr", has_text=name)
    row.wait_for()
    return row


def test_admin_creates_renames_and_deactivates_a_unit(admin_tab, staff, running_system):
    page = admin_tab.page
    admin_tab.open("units", "tr[data-unit-id='{}']".format(CANKAYA_HEALTH))
    listed = staff.units(ADMIN).json()
    assert page.locator("#units tbody tr").count() == len(listed)
    health = page.locator("tr[data-unit-id='{}']".format(CANKAYA_HEALTH))
    officers = next(unit for unit in listed if unit["unit_id"] == CANKAYA_HEALTH)["active_officers"]
    assert officers >= 1 and str(officers) in health.locator("td").nth(4).inner_text()
    page.fill("#filter-text", "çankaya sağlık")  # Turkish-aware, every word; and a page short enough to picture
    assert health.is_visible() and page.locator("#units tbody tr").count() < len(listed)
    check_both_widths(admin_tab, "units")

    name = unique("E2E Sağlık Birimi ")
    page.fill("#f-name", name)
    page.fill("#f-name_en", name.replace("Sağlık Birimi", "Health Unit"))
    page.select_option("#f-type", "health")
    page.select_option("#f-district", "Çankaya")
    page.click("#create-form button[type=submit]")
    wait_alert(page, name)
    row = find_unit_row(page, name)
    unit_id = row.get_attribute("data-unit-id")
    assert "Çankaya" in row.inner_text() and "Sağlık" in row.inner_text() and "görevli yok" in row.inner_text()

    renamed = name + " (yeni)"
    row.locator("button", has_text="Yeniden adlandır").click()
    page.wait_for_selector("#rename-dialog[open]")
    page.fill("#r-name", renamed)
    page.click("#rename-form button[type=submit]")
    page.wait_for_selector("#rename-dialog:not([open])", state="attached")
    row = find_unit_row(page, renamed)
    assert {unit["unit_id"]: unit["name"] for unit in staff.units(ADMIN).json()}[unit_id] == renamed

    # an application routed there and open: the deactivation is refused with the API's words
    number = submit(running_system.url, ankara_health_body())["application_no"]
    staff.wait_in_queue("ankara.router", number)
    assert staff.route("ankara.router", number, unit_id).status_code == 200
    refused = staff.request("PATCH", "/api/v1/admin/units/" + unit_id, ADMIN, json={"active": False})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "unit_has_open_applications"
    row.locator("button", has_text="Devre dışı bırak").click()
    confirm(page)
    wait_alert(page, turkish_half(refused.json()["error"]["message"]))
    assert row.locator("td").nth(3).inner_text() == "Etkin"
    admin_tab.screenshot("admin-units-refused-1280")

    # one with nothing open is deactivated, then reactivated
    empty_name = unique("E2E Boş Birim ")
    page.fill("#f-name", empty_name)
    page.select_option("#f-type", "police")
    page.click("#create-form button[type=submit]")
    empty = find_unit_row(page, empty_name)
    empty.locator("button", has_text="Devre dışı bırak").click()
    page.wait_for_selector("dialog[open]")
    admin_tab.screenshots("admin-units-confirm", full_page=False)
    confirm(page)
    wait_until(lambda: empty.locator("td").nth(3).inner_text() == "Devre dışı", timeout=5, what="deactivated")
    page.select_option("#filter-state", "inactive")
    assert page.locator("#units tbody tr", has_text=empty_name).count() == 1
    assert page.locator("#units tbody tr", has_text=renamed).count() == 0
    page.select_option("#filter-state", "all")
    empty.locator("button", has_text="Etkinleştir").click()
    confirm(page)
    wait_until(lambda: empty.locator("td").nth(3).inner_text() == "Etkin", timeout=5, what="reactivated")


# --- Open311 keys -----------------------------------------------------------------------------

def open311_post(running_system, api_key):
    return requests.post(running_system.url + "/open311/v2/requests.json", timeout=15, data={
        "api_key": api_key, "jurisdiction_id": "ankara.gov.tr", "service_code": "health",
        "first_name": "Ayşe", "last_name": "Yılmaz", "phone": "0532 123 45 67",
        "description": "Sağlık ocağından iki haftadır randevu alamıyorum.",
        "attribute[kind]": "complaint", "attribute[district]": "Çankaya",
        "attribute[subject]": "Sağlık ocağı randevusu", "attribute[national_id]": "10000000146"})


def test_admin_issues_an_open311_key_that_works_and_revokes_it(admin_tab, running_system):
    page = admin_tab.page
    admin_tab.open("open311", "#clients tbody tr")
    app_name = unique("Şehrim E2E ")
    page.fill("#f-name", app_name)
    page.click("#create-form button[type=submit]")
    box = page.locator("#secret .shown-once")
    box.wait_for()
    api_key = box.locator("code.secret").inner_text()
    assert app_name in box.inner_text() and "bir daha gösterilmeyecek" in box.inner_text()
    row = page.locator("#clients tbody tr", has_text=app_name)
    row.wait_for()
    assert "Etkin" in row.inner_text() and ADMIN in row.inner_text()
    check_both_widths(admin_tab, "open311")

    accepted = open311_post(running_system, api_key)
    assert accepted.status_code == 201, accepted.text

    row.locator("button", has_text="İptal et").click()
    confirm(page)
    wait_until(lambda: "İptal edildi" in row.inner_text(), timeout=5, what="revoked")
    assert row.locator("button").count() == 0
    assert page.evaluate("document.activeElement.id") == "page-alert"  # its button is gone: focus on what happened
    refused = open311_post(running_system, api_key)
    assert refused.status_code == 403, refused.text
    page.reload()
    page.wait_for_selector("#clients tbody tr")
    assert api_key not in page.content()


# --- failed SMS -------------------------------------------------------------------------------

def received_sms_states(staff, number):
    """The states of the application's "received" SMS (the first and any resend), as staff see them."""
    record = staff.record(ADMIN, number)
    if record.status_code != 200:
        return []
    return [sms["state"] for sms in record.json().get("sms") or [] if sms["template"] == "application_received"]


def failed_application(running_system, staff, refusal):
    """An Ankara application whose "received" SMS the fake provider refused with ``refusal``.
    The script applies to the fake's next send, whoever's: should another test's late SMS take it,
    this application's is sent and another one is made."""
    for _ in range(3):
        running_system.sms_behaviour(steps=[refusal])
        try:
            number = submit(running_system.url, ankara_health_body())["application_no"]
            states = wait_until(lambda: [state for state in received_sms_states(staff, number)
                                         if state in ("failed", "sent", "delivered")],
                                timeout=10, what="the SMS sent or failed")
        finally:
            running_system.sms_behaviour(clear=True)
        if states == ["failed"]:
            return number
    raise AssertionError("the fake's refusal never met this test's SMS")


def sms_row(page, number):
    return page.locator("#failed-sms tbody tr", has=page.locator("a", has_text=number))


def test_admin_resends_a_failed_sms_and_sees_why_another_cannot_be(admin_tab, open_tab, staff, running_system):
    number_fault = failed_application(running_system, staff, NUMBER_FAULT)
    our_fault = failed_application(running_system, staff, NOT_THE_NUMBERS_FAULT)
    page = admin_tab.page
    admin_tab.open("sms", "#failed-sms tbody tr")
    stale = open_tab()  # a second admin page, open before the resend
    sign_in(stale, ADMIN, QUEUE)
    stale.page.goto(PAGES["sms"])
    sms_row(stale.page, our_fault).locator("button").wait_for()

    not_resendable = sms_row(page, number_fault)
    resendable = sms_row(page, our_fault)
    assert not_resendable.locator("button").count() == 0
    assert "Yeniden gönderilemez: Bu SMS numaradan ötürü gönderilemedi" in not_resendable.inner_text()
    assert "Başvuru alındı" in not_resendable.inner_text()
    failed = staff.request("GET", "/api/v1/admin/sms/failed", ADMIN).json()
    reasons = {item["application_no"]: item["reason"] for item in failed}
    assert reasons[number_fault]["tr"] in not_resendable.inner_text()
    assert reasons[our_fault]["tr"] in resendable.inner_text()
    assert not_resendable.locator("a").get_attribute("href") == "/konsol/basvuru?no=" + number_fault
    check_both_widths(admin_tab, "sms")

    resendable.locator("button", has_text="Yeniden gönder").click()
    wait_alert(page, our_fault)
    wait_until(lambda: running_system.sms_for(our_fault), timeout=10, what="the resent SMS at the provider")
    wait_until(lambda: resendable.locator("button").count() == 0, timeout=5, what="no second resend")

    # a page that still offers it: the API's refusal is shown
    stale_row = sms_row(stale.page, our_fault)
    stale_row.locator("button", has_text="Yeniden gönder").click()
    again = staff.request("POST", "/api/v1/admin/sms/{}/resend".format(
        next(item["message_id"] for item in failed if item["application_no"] == our_fault)), ADMIN)
    assert again.status_code == 409 and again.json()["error"]["code"] == "sms_not_resendable"
    wait_alert(stale.page, turkish_half(again.json()["error"]["message"]))
    assert len(running_system.sms_for(our_fault)) == 1
    wait_until(lambda: sorted(received_sms_states(staff, our_fault)) in (["failed", "sent"], ["delivered", "failed"]),
               timeout=10, what="the resent SMS sent beside the failed one")


# --- KVKK -------------------------------------------------------------------------------------

def test_admin_exports_then_erases_an_applicant_and_the_trail_lists_both(admin_tab, running_system):
    person = national_id(str(random.randint(100_000_000, 999_999_999)))
    numbers = sorted(submit(running_system.url, ankara_health_body(applicant={
        "national_id": person, "first_name": "Deniz", "last_name": "Şahin", "phone": "0533 111 22 33"}))[
        "application_no"] for _ in range(2))
    masked = person[:3] + "******" + person[-2:]
    page = admin_tab.page
    admin_tab.open("kvkk", "#requests tbody tr")

    page.fill("#x-national_id", person)
    with page.expect_download() as download_info:
        page.click("#export-form button[type=submit]")
        page.wait_for_selector("#export-result:not([hidden]) a.download")
        page.click("#export-result a.download")
    download = download_info.value
    file_name = "kvkk-{}.json".format(masked)
    assert page.locator("#export-result a.download").get_attribute("download") == file_name
    assert download.suggested_filename == file_name.replace("*", "_")  # Chromium's rule for file names
    exported = json.loads(open(download.path(), encoding="utf-8").read())
    assert sorted(application["application_no"] for application in exported["applications"]) == numbers
    assert "2 başvurunun" in page.locator("#export-result").inner_text()
    assert all(number in page.locator("#export-result").inner_text() for number in numbers)

    # the Erase button works only once the confirmation is typed
    page.fill("#d-national_id", person)
    page.fill("#d-reason", "abc")
    assert page.locator("#erase-button").is_disabled()
    page.fill("#d-confirm", "evet")
    assert page.locator("#erase-button").is_disabled()
    page.fill("#d-confirm", "SİL")
    assert page.locator("#erase-button").is_enabled()
    page.click("#erase-button")  # a reason too short: the API names it
    page.wait_for_selector("#d-reason-error")
    assert page.locator("#d-reason").get_attribute("aria-invalid") == "true"
    page.fill("#d-reason", "Başvuru sahibinin KVKK 11. madde kapsamındaki silme talebi.")
    page.fill("#d-confirm", person[:10])
    assert page.locator("#erase-button").is_disabled()
    page.fill("#d-confirm", person)
    page.click("#erase-button")
    page.wait_for_selector("#erase-result:not([hidden])")
    assert "2 başvurudaki" in page.locator("#erase-result").inner_text()
    assert page.locator("#erase-button").is_disabled() and page.locator("#d-national_id").input_value() == ""

    trail = page.locator("#requests tbody tr", has_text=masked)
    wait_until(lambda: trail.count() == 2, timeout=5, what="both requests in the trail")
    assert "Silme" in trail.nth(0).inner_text() and "KVKK 11. madde" in trail.nth(0).inner_text()
    assert "Dışa aktarma" in trail.nth(1).inner_text()
    assert all(row.locator("td").nth(4).inner_text() == "2" for row in trail.all())
    assert person not in page.locator("#requests").inner_text()
    check_both_widths(admin_tab, "kvkk")

    page.fill("#x-national_id", person)  # nothing is left to export
    page.click("#export-form button[type=submit]")
    page.wait_for_selector("#export-form .form-status:not(:empty)")


def test_keyboard_alone_erases_behind_the_typed_confirmation(admin_tab, running_system):
    person = national_id(str(random.randint(100_000_000, 999_999_999)))
    number = submit(running_system.url, ankara_health_body(applicant={
        "national_id": person, "first_name": "Ege", "last_name": "Demir", "phone": "0533 444 55 66"}))["application_no"]
    page = admin_tab.page
    admin_tab.open("kvkk", "#requests tbody tr")

    page.focus("#d-national_id")
    page.keyboard.type(person)
    page.keyboard.press("Tab")
    page.keyboard.type("Başvuru sahibinin yazılı silme talebi.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "d-confirm"
    page.keyboard.type("SİL")
    page.keyboard.press("Tab")  # the button, usable now, is next
    assert page.evaluate("document.activeElement.id") == "erase-button"
    page.keyboard.press("Enter")

    page.wait_for_selector("#erase-result:not([hidden])")
    assert number in page.locator("#erase-result").inner_text()
    assert page.evaluate("document.activeElement.classList.contains('result-heading')")


def test_the_pages_speak_english_too(admin_tab):
    page = admin_tab.page
    admin_tab.open("users", "tr[data-username='{}']".format(ADMIN))
    page.click("#language-switch")
    assert page.locator("h1").inner_text() == "Users"
    admin = page.locator("tr[data-username='{}']".format(ADMIN))
    assert "Administrator" in admin.inner_text() and "Active" in admin.inner_text()
    for name, heading in (("units", "Units"), ("open311", "Open311 client keys"), ("sms", "Failed SMS")):
        admin_tab.open(name, "main h1")
        assert page.locator("h1").inner_text() == heading
    admin_tab.open("kvkk", "#requests tbody tr")
    assert page.locator("label[for='d-confirm']").inner_text().startswith("Confirm")
    admin_tab.check("admin-kvkk-en-1280")
