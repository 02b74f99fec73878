"""The staff console's shell, queue, record and desk in a real browser (Debian's Chromium,
Playwright) against the running system (issue 18).

The header says who is signed in (display name, role, province, unit) and signs out; a session
that runs out (idle, or a call answered 401) says so and comes back to the page after signing in,
and the sign-in page returns only to console pages of this site. The queue: search by number, by
national ID (routers; a unit officer is refused at the search box) and by words whatever their
case and dotted or dotless i; tabs with the counts of the list answer; sort; the address keeps
the list (reload, back); the days-left badges in words and colour. The record: the SMS with their
states and times; an answer with its preview (in the applicant's language) and a confirmation
(cancel first, then confirm); a return without a reason refused at its field; a contact that keeps
its form; a warning and a question before routing to a unit nobody works in. The desk: a receipt
that prints alone and a double click that makes one application. Routing and answering done with
the keyboard alone. Every page passes axe-core and is saved at 1280 and 390 px
(test-artifacts/screenshots/console-<page>-<width>.png).
"""
import random
import re
import string
import uuid
from datetime import timedelta

import pytest
from nameko.standalone.events import event_dispatcher

from common import clock
from tests.support.browser import browser, fill_application, open_tab, sign_in  # noqa: F401  (fixtures)
from tests.support.console import queue_numbers, search_queue, wait_queue_loaded
from tests.support.processes import wait_until
from tests.support.samples import PASSWORD, national_id, received_event
from tests.support.sms import provider_status, report_key
from tests.support.staff_client import StaffApi, ankara_health_body, answered_application, submit

ROUTER, UNIT, DESK, ADMIN = "ankara.router", "ankara.health", "ankara.desk", "ankara.admin"
CANKAYA_HEALTH = "06-cankaya-health"
CANKAYA_HEALTH_NAME = "Çankaya İlçe Sağlık Müdürlüğü"
EDUCATION = "06-national_education"
RECEIVED_SMS = "application_received"


@pytest.fixture(scope="module")
def staff(running_system):
    return StaffApi(running_system.url)


def letters(count=8):
    """Random ASCII letters: a word no other application has."""
    return "".join(random.choice(string.ascii_lowercase) for _ in range(count))


def unique_national_id():
    return national_id(str(random.randint(100000000, 999999999)))


def application(staff, **overrides):
    """A citizen's Ankara application that routing has queued; its number."""
    applicant = overrides.pop("applicant", None)
    body = ankara_health_body(**overrides)
    if applicant:
        body["applicant"] = dict(body["applicant"], **applicant)
    number = submit(staff.url, body)["application_no"]
    staff.wait_visible(ROUTER, number)
    return number


def routed(staff, number, unit_id=CANKAYA_HEALTH):
    response = staff.route(ROUTER, number, unit_id)
    assert response.status_code == 200, response.text
    return number


def quiet_unit(staff):
    """An active Ankara unit with no officer (nobody's applications but this module's go there)."""
    units = staff.units(ROUTER).json()
    return sorted((unit for unit in units if unit["active"] and unit["active_officers"] == 0 and not unit["district"]),
                  key=lambda unit: unit["unit_id"])[-1]


def queue(tab, query):
    """The queue at ``/konsol/kuyruk?<query>``, loaded."""
    tab.page.goto("/konsol/kuyruk?" + query)
    wait_queue_loaded(tab.page)




def tab_counts(page):
    """{tab status: the count it shows}"""
    return {link.get_attribute("data-status"): int(link.locator(".count").inner_text())
            for link in page.locator("#status-tabs a").all()}


def open_record(tab, number, ready="#record:not([hidden])"):
    tab.page.goto("/konsol/basvuru?no=" + number)
    tab.page.wait_for_selector(ready)


def alert(page, saying):
    """The page's alert region once it says ``saying`` (it may say something else first)."""
    page.wait_for_function("text => (document.querySelector('#page-alert') || {}).textContent?.includes(text)",
                           arg=saying)
    return page.locator("#page-alert").inner_text()


def wait_for_address(page, address):
    """Waits until the page is at ``address`` (path and query string, exactly)."""
    page.wait_for_function("address => location.pathname + location.search === address", arg=address)


def press_tab_until(page, selector, limit=60, key="Tab"):
    """Tab (or ``key``) until the element ``selector`` has focus; fails after ``limit`` presses."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press(key)
    raise AssertionError("the keyboard never reached " + selector)


# --- the header and the session ------------------------------------------------------------------

def test_the_header_says_who_is_signed_in_and_signs_out(open_tab, staff):
    username = "zeynep." + letters(6)
    made = staff.request("POST", "/api/v1/admin/users", ADMIN, json={
        "username": username, "password": PASSWORD, "role": "unit", "province": "06", "unit_id": EDUCATION,
        "display_name": "Zeynep Kaya"})
    assert made.status_code == 201, made.text
    tab = open_tab()
    sign_in(tab, username, "/konsol/kuyruk")
    page = tab.page
    page.wait_for_selector("#who-unit")

    assert page.locator("#who-name").inner_text() == "Zeynep Kaya"
    assert page.locator("#who-role").inner_text() == "Birim görevlisi"
    assert page.locator("#who-province").inner_text() == "Ankara"
    assert page.locator("#who-unit").inner_text() == "Ankara İl Milli Eğitim Müdürlüğü"
    assert page.locator("nav.main-menu a").all_inner_texts() == ["Kuyruk", "İstatistik"]
    assert page.locator("#admin-menu").count() == 0
    page.click("#language-switch")
    assert page.locator("#who-role").inner_text() == "Unit officer"
    page.click("#language-switch")

    page.click("#logout")
    wait_for_address(page, "/konsol?signed_out=1")
    alert(page, "Oturumu kapattınız")
    assert page.evaluate("sessionStorage.length") == 0
    page.goto("/konsol/kuyruk")  # no session: the sign-in page, which would come back here
    wait_for_address(page, "/konsol?next=%2Fkonsol%2Fkuyruk")

    admin = open_tab()
    sign_in(admin, ADMIN, "/konsol/kuyruk")
    admin.page.wait_for_selector("#who-province")
    assert admin.page.locator("#who-role").inner_text() == "Yönetici"
    assert admin.page.locator("#who-unit").count() == 0
    links = admin.page.locator("#admin-menu a").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert links == [
        "/konsol/yonetim/kullanicilar", "/konsol/yonetim/birimler", "/konsol/yonetim/open311",
        "/konsol/yonetim/sms", "/konsol/yonetim/kvkk"]
    desk = open_tab()
    sign_in(desk, DESK, "/konsol/masa")
    assert desk.page.locator("nav.main-menu a").all_inner_texts() == ["Masa"]
    desk.page.goto("/konsol/kuyruk")  # not a desk officer's page: back to the desk
    wait_for_address(desk.page, "/konsol/masa")


def test_a_refused_token_says_so_and_comes_back_to_the_page_after_signing_in(open_tab, staff):
    number = application(staff)
    tab = open_tab()
    page = tab.page
    sign_in(tab, ROUTER, "/konsol/kuyruk")
    open_record(tab, number)
    page.evaluate("""() => {
        const session = JSON.parse(sessionStorage.getItem('acikkapi.staff'));
        sessionStorage.setItem('acikkapi.staff', JSON.stringify({...session, token: 'not-a-token'}));
    }""")
    page.select_option("#contact-channel", "phone")
    page.fill("#contact-note", "Aranacak.")
    page.click("#contact-form button[type=submit]")  # answered 401

    alert(page, "Oturumunuzun süresi doldu")
    page.wait_for_function("() => location.pathname === '/konsol' && location.search.includes('expired=1')")
    alert(page, "Oturumunuzun süresi doldu")  # the sign-in page says it too
    tab.screenshots("console-login-expired")
    page.fill("#f-username", ROUTER)
    page.fill("#f-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    wait_for_address(page, "/konsol/basvuru?no=" + number)
    page.wait_for_selector("#record:not([hidden])")


def test_an_idle_page_says_when_the_session_runs_out(open_tab):
    tab = open_tab()
    page = tab.page
    sign_in(tab, ROUTER, "/konsol/kuyruk")
    page.evaluate("""() => {
        const session = JSON.parse(sessionStorage.getItem('acikkapi.staff'));
        sessionStorage.setItem('acikkapi.staff', JSON.stringify({...session, expires_at: Date.now() + 2000}));
    }""")
    page.goto("/konsol/kuyruk?status=unrouted")
    wait_queue_loaded(page)

    alert(page, "Oturumunuzun süresi doldu")  # no call made: the page knew the time
    wait_for_address(page, "/konsol?next=%2Fkonsol%2Fkuyruk%3Fstatus%3Dunrouted&expired=1")


@pytest.mark.parametrize("next_page", ["https://example.org/konsol/kuyruk", "//example.org/konsol/kuyruk",
                                       "/takip", "/konsol/../takip"])
def test_the_sign_in_page_goes_back_only_to_console_pages_of_this_site(open_tab, next_page):
    tab = open_tab()
    page = tab.page
    page.goto("/konsol?next=" + next_page.replace("/", "%2F").replace(":", "%3A"))
    page.fill("#f-username", ROUTER)
    page.fill("#f-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/konsol/kuyruk.*"))


# --- the queue ---------------------------------------------------------------------------------

def test_the_queue_finds_by_number_national_id_and_turkish_words(open_tab, staff):
    word = letters()
    person = unique_national_id()
    lamp = application(staff, subject="Sokak lambası", applicant={"national_id": person},
                       description="Lamba bir haftadır ışık{} vermiyor, gece yürümek tehlikeli.".format(word))
    road = application(staff, subject="Yolda çukur",
                       description="izmir{} caddesindeki çukur araçlara zarar veriyor.".format(word))
    tab = open_tab()
    page = tab.page
    sign_in(tab, ROUTER, "/konsol/kuyruk")
    wait_queue_loaded(page)
    assert page.locator("#q-label").inner_text() == "Ara: başvuru no, T.C. kimlik no veya kelime"

    search_queue(page, lamp)
    assert queue_numbers(page) == [lamp]
    assert "başvuru numarasıyla" in page.locator("#search-summary").inner_text()
    # a search looks everywhere
    assert page.locator("#status-tabs a[aria-current]").get_attribute("data-status") == "all"
    assert page.locator("tr[data-application-no='{}'] td.subject".format(lamp)).inner_text() == "Sokak lambası"

    search_queue(page, person)
    assert queue_numbers(page) == [lamp]
    assert "T.C. kimlik numarasıyla" in page.locator("#search-summary").inner_text()

    search_queue(page, "IŞIK" + word.upper())  # dotless ı, upper case
    assert queue_numbers(page) == [lamp]
    assert "kelimelerle" in page.locator("#search-summary").inner_text()
    search_queue(page, "İZMİR" + word.upper())  # dotted İ, upper case
    assert queue_numbers(page) == [road]
    tab.screenshots("console-queue-search")

    page.click("#clear-search")
    wait_queue_loaded(page)
    assert page.locator("#f-q").input_value() == ""
    assert page.locator("#status-tabs a[aria-current]").get_attribute("data-status") == "open"

    page.fill("#f-q", "!")  # no word in it: refused, named at the box
    page.press("#f-q", "Enter")
    page.wait_for_selector("#f-q-error")
    assert page.locator("#f-q").get_attribute("aria-invalid") == "true"

    unit = open_tab()
    sign_in(unit, UNIT, "/konsol/kuyruk")
    wait_queue_loaded(unit.page)
    assert unit.page.locator("#q-label").inner_text() == "Ara: başvuru no veya kelime"
    unit.page.fill("#f-q", person)
    unit.page.press("#f-q", "Enter")
    refusal = unit.page.locator("#search-form .form-status")
    refusal.wait_for()
    wait_until(lambda: "T.C. kimlik" in refusal.inner_text(), timeout=5, what="the refusal at the search box")


def test_tabs_count_by_status_sort_and_the_address_keeps_the_list(open_tab, staff):
    word = letters()
    numbers = [application(staff, description="Mahallede {} sorunu var, çözüm bekliyoruz.".format(word))
               for _ in range(3)]
    routed(staff, numbers[1])
    tab = open_tab()
    page = tab.page
    sign_in(tab, ROUTER, "/konsol/kuyruk")
    wait_queue_loaded(page)
    assert page.locator("#status-tabs a[aria-current]").get_attribute("data-status") == "open"

    search_queue(page, word)
    api_counts = staff.queue(ROUTER, q=word).json()["counts"]
    assert api_counts == {"unrouted": 2, "routed": 1, "returned": 0, "answered": 0, "open": 3}
    assert tab_counts(page) == {"open": 3, "unrouted": 2, "routed": 1, "returned": 0, "answered": 0, "all": 3}
    assert [name.strip() for name in page.locator("#status-tabs a").evaluate_all(
        "links => links.map(link => link.firstChild.textContent)")] == [
        "Açık", "Yönlendirilmemiş", "Birimde", "İade edilen", "Cevaplanan", "Tümü"]

    page.click("#status-tabs a[data-status='unrouted']")
    page.wait_for_url("**status=unrouted**")
    wait_queue_loaded(page)
    assert sorted(queue_numbers(page)) == sorted([numbers[0], numbers[2]])
    assert tab_counts(page)["all"] == 3  # the counts do not follow the status tab

    page.click("#status-tabs a[data-status='all']")
    wait_queue_loaded(page)
    page.wait_for_function("() => document.querySelectorAll('#queue tbody tr[data-application-no]').length === 3")
    assert queue_numbers(page) == numbers  # due date, soonest first: in the order they came
    page.select_option("#f-sort", "received")
    page.click("#filter-form button[type=submit]")
    page.wait_for_url("**sort=received**")
    wait_queue_loaded(page)
    assert queue_numbers(page) == numbers[::-1]  # newest first
    page.select_option("#f-sort", "status")
    page.click("#filter-form button[type=submit]")
    page.wait_for_url("**sort=status**")
    wait_queue_loaded(page)
    statuses = page.locator("#queue tbody td[data-label='Durum']").all_inner_texts()
    assert statuses.count("Birime yönlendirildi") == 1 and len(set(statuses)) == 2
    assert statuses[0] == statuses[1] or statuses[1] == statuses[2]  # grouped by status

    page.reload()
    wait_queue_loaded(page)
    assert page.locator("#f-sort").input_value() == "status" and page.locator("#f-q").input_value() == word
    page.go_back()
    page.wait_for_url("**sort=received**")
    wait_queue_loaded(page)
    assert queue_numbers(page) == numbers[::-1]

    unit = open_tab()
    sign_in(unit, UNIT, "/konsol/kuyruk")
    wait_for_address(unit.page, "/konsol/kuyruk?status=open")
    wait_queue_loaded(unit.page)
    assert [link.get_attribute("data-status") for link in unit.page.locator("#status-tabs a").all()] == [
        "open", "answered", "all"]
    assert unit.page.locator("#unit-filter").is_hidden()


def test_days_left_are_words_with_a_colour(open_tab, staff, running_system):
    unit = quiet_unit(staff)
    now = clock.now()
    dispatch = event_dispatcher({"AMQP_URI": running_system.amqp_uri, "serializer": "json"})
    late, soon = ("2026-7{:05d}".format(uuid.uuid4().int % 10 ** 5) for _ in range(2))
    for number, due in ((late, now - timedelta(days=3, hours=2)), (soon, now + timedelta(hours=12))):
        dispatch("intake", "application_received", received_event(
            number, province="Ankara", province_code="06", district="Çankaya", category="health",
            received_at=clock.to_iso(now - timedelta(days=7)), due_at=clock.to_iso(due)))
    fine = application(staff)
    for number in (late, soon):
        staff.wait_in_queue(ROUTER, number, status="unrouted")
    for number in (late, soon, fine):
        routed(staff, number, unit["unit_id"])
    closed = answered_application(staff)["application_no"]
    tab = open_tab()
    page = tab.page
    sign_in(tab, ROUTER, "/konsol/kuyruk")
    queue(tab, "status=routed&unit_id=" + unit["unit_id"])

    def badge(number):
        return page.locator("tr[data-application-no='{}'] .due".format(number))

    assert badge(late).get_attribute("data-due-state") == "overdue"
    assert re.fullmatch(r"[34] gün gecikti", badge(late).inner_text())
    assert "overdue" in page.locator("tr[data-application-no='{}']".format(late)).get_attribute("class")
    assert badge(soon).get_attribute("data-due-state") == "due_soon"
    assert badge(soon).inner_text() == "1 günden az kaldı"
    assert badge(fine).get_attribute("data-due-state") == "fine"
    assert re.fullmatch(r"[67] gün kaldı", badge(fine).inner_text())
    colours = {number: badge(number).evaluate("node => getComputedStyle(node).backgroundColor")
               for number in (late, soon, fine)}
    assert len(set(colours.values())) == 3, colours
    assert page.locator("#f-unit_id").input_value() == unit["unit_id"]
    tab.screenshots("console-queue-deadlines")
    page.click("#language-switch")
    assert re.fullmatch(r"[67] days left", badge(fine).inner_text())
    assert badge(soon).inner_text() == "Less than a day left"
    page.click("#language-switch")

    queue(tab, "status=all")  # a search keeps the filters: leave the unit's
    search_queue(page, closed)
    assert badge(closed).get_attribute("data-due-state") == "closed"
    assert badge(closed).inner_text() == "Kapandı"


# --- the record --------------------------------------------------------------------------------

def test_the_record_lists_the_sms_with_their_states_and_times(open_tab, staff, running_system):
    number = application(staff, applicant={"phone": "+90 532 765 43 21"})
    wait_until(lambda: running_system.sms_for(number), timeout=10, what="the received SMS at the provider")

    def sms():
        items = staff.record(ADMIN, number).json()["sms"] or []
        return next((item for item in items if item["template"] == RECEIVED_SMS and item["state"] == "sent"), None)

    message = wait_until(sms, timeout=10, what="the SMS sent")
    delivered = provider_status(running_system, "delivered")
    assert running_system.sms_report(**report_key(running_system, message), status=delivered)
    wait_until(lambda: staff.record(ADMIN, number).json()["sms"][0]["state"] == "delivered", timeout=10,
               what="delivered")
    tab = open_tab()
    sign_in(tab, ROUTER, "/konsol/kuyruk")
    open_record(tab, number)
    page = tab.page

    row = page.locator("#sms-list tr[data-template='{}']".format(RECEIVED_SMS))
    assert row.locator("td[data-label='Mesaj']").inner_text() == "Başvuru alındı bildirimi"
    assert row.locator("td[data-label='Durum']").inner_text() == "İletildi"
    times = row.locator(".sms-times").inner_text()
    for label in ("Sıraya alındı: ", "Gönderildi: ", "İletildi: "):
        assert re.search(re.escape(label) + r"\d{1,2} \w{3} \d{4} \d{2}:\d{2}", times), times
    assert "0532 765 43 21" in page.locator("#applicant-facts").inner_text()  # a phone number as people write it
    assert "Türkçe" in page.locator("#application-facts").inner_text()  # the language, not its code


def test_an_answer_is_previewed_then_confirmed_as_final(open_tab, staff):
    text = "Your appointment is on 12 December at 10:00.\nPlease bring your ID."
    number = routed(staff, application(staff, language="en"))
    tab = open_tab()
    page = tab.page
    sign_in(tab, UNIT, "/konsol/kuyruk")
    open_record(tab, number, "#answer-form:not([hidden])")

    page.fill("#answer-text", text)
    page.select_option("#answer-outcome", "positive")
    preview = page.locator("#answer-preview")
    assert preview.locator(".answer-text").inner_text() == text
    assert preview.locator("h5").inner_text() == "Answer"  # as the English-speaking applicant will read it
    assert "Positive" in preview.inner_text()
    assert page.locator("#answer-text").evaluate("node => node.getBoundingClientRect().width") > 1000  # full width
    page.click("#review-answer")
    dialog = page.locator("#answer-dialog")
    dialog.wait_for()
    assert "kesindir" in dialog.inner_text() and "SMS" in dialog.inner_text()
    assert "Olumlu" in dialog.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('cancel')")  # the safe choice first
    tab.screenshots("console-answer-confirmation", full_page=False)
    dialog.locator("button.cancel").click()
    dialog.wait_for(state="detached")
    assert page.evaluate("document.activeElement.id") == "review-answer"  # focus back where it was
    assert staff.record(UNIT, number).json()["status"] == "routed"

    page.click("#review-answer")
    page.locator("#answer-dialog button.confirm").click()
    page.wait_for_selector("#answer:not([hidden])")
    assert page.locator("#answer .answer-text").inner_text() == text
    assert "Cevap gönderildi" in page.locator("#record-status").inner_text()
    assert page.locator("#answer-form").is_hidden()
    assert staff.record(UNIT, number).json()["status"] == "answered"


def test_a_return_without_a_reason_is_refused_at_its_field(open_tab, staff):
    number = routed(staff, application(staff))
    tab = open_tab()
    page = tab.page
    sign_in(tab, UNIT, "/konsol/kuyruk")
    open_record(tab, number, "#return-form:not([hidden])")
    assert "secondary" in page.locator("#return-form button[type=submit]").get_attribute("class")

    page.click("#return-form button[type=submit]")
    page.wait_for_selector("#return-reason-error")  # the API's 422, at the field
    assert page.locator("#return-reason").get_attribute("aria-invalid") == "true"
    assert "return-hint" in page.locator("#return-reason").get_attribute("aria-describedby")
    assert staff.record(UNIT, number).json()["status"] == "routed"
    tab.screenshots("console-return-refused")
    page.fill("#return-reason", "Bu başvuru il milli eğitim müdürlüğünün görev alanında.")
    page.click("#return-form button[type=submit]")
    page.wait_for_selector("#application-facts dd:text('İade edildi')")
    assert "iade edildi" in page.locator("#record-status").inner_text()


def test_a_recorded_contact_keeps_its_form_and_names_the_officer(open_tab, staff):
    username = "ali." + letters(6)
    made = staff.request("POST", "/api/v1/admin/users", ADMIN, json={
        "username": username, "password": PASSWORD, "role": "unit", "province": "06", "unit_id": EDUCATION,
        "display_name": "Ali Demir"})
    assert made.status_code == 201, made.text
    number = routed(staff, application(staff), EDUCATION)
    officer = open_tab()
    sign_in(officer, username, "/konsol/kuyruk")
    open_record(officer, number, "#contact-form:not([hidden])")
    page = officer.page

    page.select_option("#contact-channel", "in_person")
    page.fill("#contact-note", "Başvuru sahibiyle birimde görüşüldü.")
    page.click("#contact-form button[type=submit]")
    page.wait_for_selector("#contacts li:has-text('Başvuru sahibiyle birimde görüşüldü.')")
    assert page.locator("#contact-form").is_visible()
    assert page.locator("#contact-note").input_value() == ""
    assert page.locator("#contact-saved").inner_text() == "Görüşme kaydedildi."
    assert "Ali Demir" in page.locator("#contacts").inner_text()

    router = open_tab()
    sign_in(router, ROUTER, "/konsol/kuyruk")
    open_record(router, number)
    assert "Yüz yüze — Ali Demir" in router.page.locator("#contacts").inner_text()  # by display name
    assert "Ali Demir" in router.page.locator("#timeline").inner_text()


def test_routing_to_a_unit_with_no_officer_warns_and_asks_first(open_tab, staff):
    nobody = quiet_unit(staff)
    number = application(staff)
    tab = open_tab()
    page = tab.page
    sign_in(tab, ROUTER, "/konsol/kuyruk")
    open_record(tab, number, "#route-form:not([hidden])")
    assert page.locator("#route-unit").input_value() == CANKAYA_HEALTH  # the suggestion, preselected
    suggested = page.locator("#route-unit option[value='{}']".format(CANKAYA_HEALTH)).inner_text()
    assert re.fullmatch(re.escape(CANKAYA_HEALTH_NAME) + r" \(önerilen, \d+ görevli\)", suggested)
    assert page.locator("#route-warning").is_hidden()

    page.select_option("#route-unit", nobody["unit_id"])
    assert page.locator("#route-warning").inner_text() == "Bu birimde etkin görevli yok; başvuru kimsenin önüne düşmez."
    assert "görevli yok" in page.locator("#route-unit option[value='{}']".format(nobody["unit_id"])).inner_text()
    tab.screenshots("console-route-warning")
    page.click("#route-form button[type=submit]")
    page.locator("#route-dialog").wait_for()
    page.locator("#route-dialog button.cancel").click()
    assert staff.record(ROUTER, number).json()["status"] == "unrouted"

    page.click("#route-form button[type=submit]")
    page.locator("#route-dialog button.confirm").click()
    page.wait_for_selector("#application-facts dd:text('Birime yönlendirildi')")
    assert staff.record(ROUTER, number).json()["unit"]["unit_id"] == nobody["unit_id"]


# --- the desk ------------------------------------------------------------------------------------

def test_the_desk_prints_a_receipt_and_a_double_click_makes_one_application(open_tab, staff):
    person = unique_national_id()
    tab = open_tab()
    page = tab.page
    sign_in(tab, DESK, "/konsol/masa")
    posts = []
    page.on("request", lambda request: posts.append(request.headers.get("idempotency-key"))
            if request.method == "POST" and request.url.endswith("/api/v1/desk/applications") else None)
    page.wait_for_selector("#f-province option[value='06']", state="attached")
    assert page.locator("#f-province").input_value() == "06"  # the desk's own province
    tab.screenshots("console-desk")
    fill_application(page, national_id_value=person)
    page.dblclick("#application-form button[type=submit]")
    page.wait_for_selector("#receipt:not([hidden])")

    assert len(posts) == 1, posts
    found = wait_until(lambda: staff.queue(ROUTER, q=person).json()["items"] or None, timeout=10,
                       what="the application")
    assert len(found) == 1
    receipt = page.locator("#receipt").inner_text()
    assert found[0]["application_no"] in receipt
    assert re.search(r"Cevap en geç\s+\d{1,2} \w+ \d{4} \w+, saat \d{2}:\d{2}", receipt), receipt  # in words
    assert "/takip" in receipt and "SMS" in receipt
    assert page.locator("#application-form").is_hidden()
    assert page.evaluate("document.activeElement.id") == "receipt-heading"
    tab.screenshots("console-desk-receipt")

    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.click("#print-receipt")
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    assert page.locator("header.site").is_hidden() and page.locator("#print-receipt").is_hidden()
    assert page.locator("h1").is_hidden()
    assert page.locator("#receipt").is_visible() and page.locator(".receipt-title").is_visible()
    tab.screenshot("console-desk-receipt-print")
    page.emulate_media(media="screen")

    page.click("#new-application")
    assert page.locator("#receipt").is_hidden() and page.locator("#application-form").is_visible()
    assert page.locator("#f-applicant-national_id").input_value() == ""
    assert page.evaluate("document.activeElement.id") == "f-applicant-national_id"
    fill_application(page, national_id_value=unique_national_id())
    page.click("#application-form button[type=submit]")
    page.wait_for_selector("#receipt:not([hidden])")
    assert len(posts) == 2 and posts[0] != posts[1]  # the next application, a key of its own


# --- the keyboard alone --------------------------------------------------------------------------

def test_the_skip_link_shows_when_focused(open_tab):
    tab = open_tab()
    page = tab.page
    sign_in(tab, ROUTER, "/konsol/kuyruk")
    wait_queue_loaded(page)
    page.keyboard.press("Tab")
    skip = page.locator(".skip")
    assert page.evaluate("document.activeElement.className") == "skip"
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0
    colour, background = skip.evaluate("node => [getComputedStyle(node).color, getComputedStyle(node).backgroundColor]")
    assert colour != background and background == "rgb(255, 255, 255)", (colour, background)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def sign_in_by_keyboard(page, username, lands_on):
    page.goto("/konsol")
    press_tab_until(page, "#f-username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    wait_for_address(page, lands_on)


def test_routing_and_answering_with_the_keyboard_alone(open_tab, staff):
    number = application(staff)
    page = open_tab().page
    sign_in_by_keyboard(page, ROUTER, "/konsol/kuyruk?status=open")
    wait_queue_loaded(page)
    press_tab_until(page, "#f-q")
    page.keyboard.type(number)
    page.keyboard.press("Enter")
    wait_for_address(page, "/konsol/kuyruk?q={}&status=all".format(number))
    wait_queue_loaded(page)
    press_tab_until(page, "a[href='/konsol/basvuru?no={}']".format(number))
    page.keyboard.press("Enter")
    page.wait_for_selector("#route-form:not([hidden])")
    press_tab_until(page, "#route-unit")
    assert page.locator("#route-unit").input_value() == CANKAYA_HEALTH  # the suggestion, kept
    press_tab_until(page, "#route-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#application-facts dd:text('Birime yönlendirildi')")
    assert page.evaluate("document.activeElement.id") == "record-status"

    page = open_tab().page
    sign_in_by_keyboard(page, UNIT, "/konsol/kuyruk?status=open")
    wait_queue_loaded(page)
    press_tab_until(page, "a[href='/konsol/basvuru?no={}']".format(number), limit=200)
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer-form:not([hidden])")
    press_tab_until(page, "#answer-text")
    page.keyboard.type("Randevunuz oluşturuldu; 12 Aralık saat 10:00'da bekleniyorsunuz.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "answer-outcome"
    page.keyboard.press("ArrowDown")  # the first outcome: Olumlu
    assert page.locator("#answer-outcome").input_value() == "positive"
    press_tab_until(page, "#review-answer")
    page.keyboard.press("Enter")
    page.locator("#answer-dialog").wait_for()
    page.keyboard.press("Escape")  # closes it, nothing sent, focus back
    page.locator("#answer-dialog").wait_for(state="detached")
    assert page.evaluate("document.activeElement.id") == "review-answer"
    page.keyboard.press("Space")
    page.locator("#answer-dialog").wait_for()
    page.keyboard.press("Shift+Tab")  # from Cancel to Confirm
    assert page.evaluate("document.activeElement.classList.contains('confirm')")
    page.keyboard.press("Enter")
    page.wait_for_selector("#answer:not([hidden])")
    assert staff.record(UNIT, number).json()["status"] == "answered"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the status line that took focus shows it


# --- every page ----------------------------------------------------------------------------------

def test_every_console_page_passes_axe_and_is_saved_at_both_widths(open_tab, staff):
    number = routed(staff, application(staff))
    unrouted = application(staff)
    tab = open_tab()
    page = tab.page
    page.goto("/konsol")
    page.wait_for_selector("#language-switch")
    tab.screenshots("console-login")
    sign_in(tab, ROUTER, "/konsol/kuyruk")
    wait_queue_loaded(page)
    page.wait_for_selector("#who-province")
    tab.screenshots("console-queue")
    open_record(tab, unrouted)
    tab.screenshots("console-record")
    page.goto("/konsol/istatistik")
    page.wait_for_selector("#stats:not([hidden]) svg.chart")
    tab.screenshots("console-stats")
    page.goto("/konsol/kuyruk")
    wait_queue_loaded(page)
    page.click("#language-switch")
    page.wait_for_selector("#status-tabs a:text('Not routed')")
    assert page.locator("#queue th").all_inner_texts()[-1] == "Time left"
    tab.screenshots("console-queue-en")
    open_record(tab, unrouted)
    assert re.search(r"\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}",
                     page.locator("#application-facts").inner_text())
    tab.screenshots("console-record-en")
    page.click("#language-switch")

    unit = open_tab()
    sign_in(unit, UNIT, "/konsol/kuyruk")
    wait_queue_loaded(unit.page)
    unit.screenshots("console-queue-unit")
    open_record(unit, number, "#answer-form:not([hidden])")
    unit.screenshots("console-record-unit")

    admin = open_tab()
    sign_in(admin, ADMIN, "/konsol/kuyruk")
    wait_queue_loaded(admin.page)
    admin.page.wait_for_selector("#admin-menu")
    admin.screenshots("console-queue-admin")
