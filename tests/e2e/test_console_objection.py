"""The staff console and issue 22 in a real browser (Debian's Chromium, Playwright) against the
running system: the applicant's objection, the law's limit, and the applicants' ratings.

An answered application the applicant objects to is back in the answering unit officer's queue,
flagged, with the law's date under its badge; its record shows the objection first (when, the
applicant's words, or that KVKK erased them) with the answer objected to under it and its
verification code linked to the public check; the unit answers the objection on the record, and
both answers keep their codes. An application past Law 3071's limit unanswered (routing's deadline
watcher escalates it within seconds) carries its flag in the queue, is the only one of its unit
under "past the statutory limit only"; a record past the limit says so beside both deadlines (an
application made by an event alone has no record at intake, so a real record's answer is altered in
the browser for that). The
statistics page counts the escalated and shows the ratings: the mean, the scores as bars and a
table, and a row per rated unit. Each unit here is made for its test, so what it holds is the
test's alone on a system other tests share. Every page passes axe-core and is saved at 1280 and
390 px (test-artifacts/screenshots/console-*-objection*, -escalated*, -satisfaction*).
"""
import random
import re
import uuid
from datetime import timedelta

import requests
from nameko.standalone.events import event_dispatcher

from common import clock
from tests.support.browser import browser, open_tab, sign_in  # noqa: F401  (fixtures)
from tests.support.console import queue_numbers, wait_queue_loaded
from tests.support.processes import wait_until
from tests.support.samples import PASSWORD, national_id, received_event
from tests.support.staff_client import ankara_health_body, submit

ROUTER, ADMIN = "ankara.router", "ankara.admin"
FIRST_ANSWER = "Randevunuz 12 Aralık'ta saat 10:00'da Çankaya Sağlık Ocağı'ndadır."
OBJECTION = "Verilen randevu tarihinde sağlık ocağı kapalıydı; sorunum çözülmedi.\nYeniden bakılmasını istiyorum."
SECOND_ANSWER = "İtirazınız incelendi: 19 Aralık saat 09:30 için yeni randevunuz oluşturuldu."
VERIFY_LINK = re.compile(r"^/dogrula\?kod=[0-9A-Z]{5}-[0-9A-Z]{5}$")


# --- the system's side -----------------------------------------------------------------------------

def unit_with_officer(staff, name, display_name):
    """(unit_id, username): a new Ankara unit and a unit officer of it, both for one test."""
    unit = staff.request("POST", "/api/v1/admin/units", ADMIN,
                         json={"name": "{} {}".format(name, uuid.uuid4().hex[:4].upper()), "type": "governorship"})
    assert unit.status_code == 201, unit.text
    unit_id = unit.json()["unit_id"]
    username = "itiraz." + uuid.uuid4().hex[:8]
    account = staff.request("POST", "/api/v1/admin/users", ADMIN, json={
        "username": username, "password": PASSWORD, "role": "unit", "province": "06", "unit_id": unit_id,
        "display_name": display_name})
    assert account.status_code == 201, account.text
    return unit_id, username


def routed_to(staff, unit_id, applicant=None):
    """A citizen's application routed to ``unit_id``; its receipt (number, tracking code)."""
    body = ankara_health_body()
    if applicant:
        body["applicant"] = dict(body["applicant"], **applicant)
    receipt = submit(staff.url, body)
    staff.wait_visible(ROUTER, receipt["application_no"])
    response = staff.route(ROUTER, receipt["application_no"], unit_id)
    assert response.status_code == 200, response.text
    return receipt


def answered_by(staff, unit_id, officer, text=FIRST_ANSWER, applicant=None):
    receipt = routed_to(staff, unit_id, applicant)
    response = staff.answer(officer, receipt["application_no"], text=text)
    assert response.status_code == 200, response.text
    return receipt


def citizen_post(staff, receipt, what, **body):
    """The applicant's objection or rating, once tracking has the answer (it comes by event: until
    then the answer is 409 ``not_answered``)."""
    url = "{}/api/v1/applications/{}/{}".format(staff.url, receipt["application_no"], what)

    def posted():
        response = requests.post(url, json=dict(body, tracking_code=receipt["tracking_code"]), timeout=15)
        if response.status_code == 409 and response.json()["error"]["code"] == "not_answered":
            return None
        assert response.status_code == 201, response.text
        return response

    return wait_until(posted, 15, interval=0.2, what="the {} of {}".format(what, receipt["application_no"]))


def objected(staff, receipt, officer, text=OBJECTION):
    """Objects to the answer and waits until routing has put the application back with the unit."""
    citizen_post(staff, receipt, "objection", text=text)
    return wait_until(lambda: (lambda record: record if record.get("objected") and record["status"] == "routed"
                               else None)(staff.record(officer, receipt["application_no"]).json()),
                      15, interval=0.2, what="the objection in routing's record")


def escalated(staff, running_system, unit_id):
    """An Ankara application past the law's limit unanswered, routed to ``unit_id``; its number.
    Received ten days ago, Açık Kapı's due date three days ago, the statutory limit an hour ago:
    routing's deadline watcher (every second in the test system) escalates it."""
    now = clock.now()
    number = "2026-6{:05d}".format(uuid.uuid4().int % 10 ** 5)
    dispatch = event_dispatcher({"AMQP_URI": running_system.amqp_uri, "serializer": "json"})
    dispatch("intake", "application_received", received_event(
        number, province="Ankara", province_code="06", district="Çankaya", category="health",
        received_at=clock.to_iso(now - timedelta(days=10)), due_at=clock.to_iso(now - timedelta(days=3)),
        statutory_due_at=clock.to_iso(now - timedelta(hours=1))))
    staff.wait_in_queue(ROUTER, number, timeout=20, escalated="true", status="unrouted")
    response = staff.route(ROUTER, number, unit_id)
    assert response.status_code == 200, response.text
    return number


def statistics(staff, who):
    response = staff.request("GET", "/api/v1/stats", who)
    assert response.status_code == 200, response.text
    return response.json()


# --- the browser's side ----------------------------------------------------------------------------

def queue_row(page, number):
    return page.locator("#queue tbody tr[data-application-no='{}']".format(number))


def open_record(tab, number, ready="#record:not([hidden])"):
    tab.page.goto("/konsol/basvuru?no=" + number)
    tab.page.wait_for_selector(ready)


def fact(page, container, label):
    """The value beside ``label`` (its text exactly) in a facts list under ``container``."""
    return page.locator(container + " dt", has_text=re.compile("^{}$".format(re.escape(label)))).locator(
        "xpath=following-sibling::dd[1]")


def switch_language(page, to_see):
    page.click("#language-switch")
    page.wait_for_function("text => document.body.innerText.includes(text)", arg=to_see)


# --- the objection -----------------------------------------------------------------------------------

def test_an_objection_is_flagged_in_the_unit_queue_shown_first_on_the_record_and_answered_there(open_tab, staff):
    unit_id, officer = unit_with_officer(staff, "İtiraz Deneme Birimi", "Selin Aydın")
    receipt = answered_by(staff, unit_id, officer)
    number = receipt["application_no"]
    record = objected(staff, receipt, officer)
    first_code = record["first_answer"]["verification_code"]
    assert record["answer"] is None

    tab = open_tab()
    page = tab.page
    sign_in(tab, officer, "/konsol/kuyruk")
    wait_queue_loaded(page)
    assert queue_numbers(page) == [number]  # back in the unit's open applications
    row = queue_row(page, number)
    assert row.locator(".flag-objection").inner_text() == "İtiraz"
    assert row.locator(".flag-escalated").count() == 0
    assert row.locator("td[data-label='Durum']").inner_text() == "Birime yönlendirildi"
    assert re.fullmatch(r"Kanuni son tarih: \d{1,2}\s\w{3}\s\d{4}", row.locator(".statutory-due").inner_text())
    assert row.locator(".due").inner_text() in ("7 gün kaldı", "6 gün kaldı")  # the objection's seven days
    tab.screenshots("console-queue-objection")

    row.locator("a").click()
    page.wait_for_selector("#objection:not([hidden])")
    objection = page.locator("#objection")
    # the objection comes first, before the application itself
    assert page.evaluate("document.querySelector('#record section').id") == "objection"
    assert objection.locator("h2").inner_text() == "Başvuru sahibi yanıta itiraz etti"
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4} \d{2}:\d{2}", fact(page, "#objection", "İtiraz tarihi").inner_text())
    assert objection.locator(".objection-text").inner_text() == OBJECTION
    assert objection.locator(".objection-text").get_attribute("lang") == "tr"
    assert page.locator("#objection-pending").is_visible()
    first = objection.locator(".first-answer")
    assert first.locator("h3").inner_text() == "İtiraz edilen yanıt"
    assert first.locator(".answer-text").inner_text() == FIRST_ANSWER
    assert "Olumlu" in first.inner_text() and "Selin Aydın" in first.inner_text()
    link = fact(page, "#objection .first-answer", "Doğrulama kodu").locator("a")
    assert link.inner_text() == first_code
    assert link.get_attribute("href") == "/dogrula?kod=" + first_code and VERIFY_LINK.match(link.get_attribute("href"))
    assert page.locator("#answer").is_hidden()  # no answer to the objection yet
    assert page.locator("#record-badges .flag-objection").inner_text() == "İtiraz"
    assert page.locator("#record-badges .flag-escalated").count() == 0
    assert page.locator("#escalated-notice").is_hidden()
    statutory = fact(page, "#application-facts", "Kanuni son tarih").inner_text()
    # the objection's own thirty days
    assert re.match(r"\d{1,2} \w{3} \d{4} \d{2}:\d{2} (29|30) gün kaldı$", statutory), statutory
    assert fact(page, "#application-facts", "Cevap için son tarih").is_visible()
    assert "Başvuru sahibi cevaba itiraz etti" in page.locator("#timeline").inner_text()
    assert page.locator("#h-answer-form").inner_text() == "İtiraza cevap ver"
    tab.screenshots("console-record-objection")

    switch_language(page, "The answer objected to")
    assert objection.locator("h2").inner_text() == "The applicant objected to the answer"
    assert page.locator("#h-answer-form").inner_text() == "Answer the objection"
    assert fact(page, "#objection .first-answer", "Verification code").locator("a").inner_text() == first_code
    assert "The applicant objected to the answer" in page.locator("#timeline").inner_text()
    tab.screenshots("console-record-objection-en")
    switch_language(page, "İtiraz edilen yanıt")

    # The unit answers the objection with the usual form: preview, confirmation, final.
    page.fill("#answer-text", SECOND_ANSWER)
    page.select_option("#answer-outcome", "positive")
    page.click("#review-answer")
    page.locator("#answer-dialog button.confirm").click()
    page.wait_for_selector("#answer:not([hidden])")
    answer = page.locator("#answer")
    assert answer.locator("h2").inner_text() == "İtiraza cevap"
    assert page.evaluate("document.querySelector('#objection').nextElementSibling.id") == "answer"  # right under it
    assert answer.locator(".answer-text").inner_text() == SECOND_ANSWER
    assert "Cevap gönderildi" in page.locator("#record-status").inner_text()
    assert page.locator("#answer-form").is_hidden() and page.locator("#objection-pending").is_hidden()
    after = staff.record(officer, number).json()
    second_code = after["answer"]["verification_code"]
    assert after["status"] == "answered" and second_code != first_code
    assert fact(page, "#answer", "Doğrulama kodu").locator("a").get_attribute("href") == "/dogrula?kod=" + second_code
    # the objection and the answer objected to stay on the record, with the first code
    assert objection.locator(".objection-text").inner_text() == OBJECTION
    assert fact(page, "#objection .first-answer", "Doğrulama kodu").locator("a").inner_text() == first_code
    assert page.locator("#statutory-due").count() == 1 and page.locator("#statutory-due .due").count() == 0
    tab.screenshots("console-record-objection-answered")


def test_an_objection_erased_under_kvkk_says_so(open_tab, staff):
    unit_id, officer = unit_with_officer(staff, "KVKK İtiraz Birimi", "Mert Çelik")
    applicant_id = national_id(str(random.randint(100000000, 999999999)))
    receipt = answered_by(staff, unit_id, officer, applicant={"national_id": applicant_id})
    number = receipt["application_no"]
    objected(staff, receipt, officer)
    erased = staff.request("POST", "/api/v1/admin/personal-data/erase", ADMIN, json={
        "national_id": applicant_id, "reason": "KVKK md. 11 silme talebi; kimlik masada doğrulandı."})
    assert erased.status_code == 200, erased.text
    wait_until(lambda: staff.record(officer, number).json()["objection"]["text"] is None, 15, interval=0.2,
               what="the objection's text erased in routing")

    tab = open_tab()
    page = tab.page
    sign_in(tab, officer, "/konsol/kuyruk")
    open_record(tab, number, "#objection:not([hidden])")
    text = page.locator("#objection .objection-text")
    assert text.inner_text() == "Metin KVKK kapsamında silindi."
    assert text.get_attribute("lang") is None  # the console's words now, not the applicant's
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4} \d{2}:\d{2}", fact(page, "#objection", "İtiraz tarihi").inner_text())
    assert page.locator("#objection .first-answer .answer-text").inner_text() == FIRST_ANSWER
    tab.screenshots("console-record-objection-erased")


# --- the law's limit ---------------------------------------------------------------------------------

def test_an_application_past_the_statutory_limit_is_flagged_and_filtered(open_tab, staff, running_system):
    unit_id, officer = unit_with_officer(staff, "Kanuni Süre Deneme Birimi", "Burak Şahin")
    late = escalated(staff, running_system, unit_id)
    on_time = routed_to(staff, unit_id)["application_no"]

    tab = open_tab()
    page = tab.page
    sign_in(tab, ROUTER, "/konsol/kuyruk")
    page.goto("/konsol/kuyruk?status=all&unit_id=" + unit_id)
    wait_queue_loaded(page)
    assert sorted(queue_numbers(page)) == sorted([late, on_time])
    assert queue_row(page, late).locator(".flag-escalated").inner_text() == "Kanuni süre aşıldı"
    assert queue_row(page, on_time).locator(".flag").count() == 0
    statutory = queue_row(page, late).locator(".statutory-due").inner_text()
    assert re.fullmatch(r"Kanuni son tarih: \d{1,2}\s\w{3}\s\d{4}", statutory), statutory
    page.check("#f-escalated")
    page.click("#filter-form button[type=submit]")
    page.wait_for_function("() => new URLSearchParams(location.search).get('escalated') === 'true'")
    page.wait_for_function("n => document.querySelectorAll('#queue tbody tr[data-application-no]').length === n", arg=1)
    wait_queue_loaded(page)
    assert queue_numbers(page) == [late]
    assert page.locator("#queue-total").inner_text() == "1 başvuru"
    assert page.locator("#f-escalated").is_checked()
    tab.screenshots("console-queue-escalated")
    page.reload()  # the address keeps the filter
    wait_queue_loaded(page)
    assert queue_numbers(page) == [late] and page.locator("#f-escalated").is_checked()

    # The record: intake never saw an application made by an event alone, so the gateway has no
    # record of it (404); the record page's view of one past the limit is checked on a real record
    # whose answer the browser alters to what routing says of an escalated one.
    limit = clock.now() - timedelta(hours=1)

    def escalated_record(route):
        response = route.fetch()
        route.fulfill(response=response, json=dict(
            response.json(), escalated=True, statutory_due_at=clock.to_iso(limit), statutory_days_left=-1))

    page.route(re.compile(r".*/api/v1/staff/applications/{}(\?.*)?$".format(re.escape(on_time))), escalated_record)
    open_record(tab, on_time)
    assert page.locator("#escalated-notice").is_visible()
    assert "3071" in page.locator("#escalated-notice").inner_text()
    assert page.locator("#record-badges .flag-escalated").inner_text() == "Kanuni süre aşıldı"
    statutory = fact(page, "#application-facts", "Kanuni son tarih")
    assert statutory.locator(".due").inner_text() == "1 gün gecikti"
    assert statutory.locator(".due").get_attribute("data-due-state") == "overdue"
    assert statutory.locator(".flag-escalated").is_visible()
    due = fact(page, "#application-facts", "Cevap için son tarih").locator(".due").inner_text()
    assert due in ("7 gün kaldı", "6 gün kaldı")
    tab.screenshots("console-record-escalated")

    unit = open_tab()
    sign_in(unit, officer, "/konsol/kuyruk")
    wait_queue_loaded(unit.page)
    assert sorted(queue_numbers(unit.page)) == sorted([late, on_time])
    assert queue_row(unit.page, late).locator(".flag-escalated").is_visible()
    unit.screenshots("console-queue-unit-escalated")


# --- statistics --------------------------------------------------------------------------------------

def test_the_statistics_show_the_escalated_count_and_the_applicants_satisfaction(open_tab, staff, running_system):
    unit_id, officer = unit_with_officer(staff, "Memnuniyet Deneme Birimi", "Deniz Arslan")
    unit_name = next(unit["name"] for unit in staff.units(ADMIN).json() if unit["unit_id"] == unit_id)
    for score in (5, 2):
        citizen_post(staff, answered_by(staff, unit_id, officer), "feedback", score=score, comment="Teşekkürler.")
    escalated(staff, running_system, unit_id)
    wait_until(lambda: (lambda seen: seen["satisfaction"]["count"] == 2 and seen["escalated"] == 1)(
        statistics(staff, officer)), 15, interval=0.2, what="the unit's ratings and escalation in the statistics")

    tab = open_tab()
    page = tab.page
    sign_in(tab, officer, "/konsol/kuyruk")
    page.goto("/konsol/istatistik")
    page.wait_for_selector("#stats:not([hidden]) svg.chart")
    assert page.locator("[data-figure='escalated_count']").inner_text() == "1 Kanuni süresi aşılan"
    assert "alert" in page.locator("[data-figure='escalated_count']").get_attribute("class")
    satisfaction = page.locator("#satisfaction")
    assert satisfaction.locator("h2").inner_text() == "Başvuru sahiplerinin memnuniyeti"
    assert page.locator("#satisfaction-summary").inner_text() == "Ortalama 3,50 / 5 (2 değerlendirme)"
    chart = satisfaction.locator("figure.stat-chart")
    assert chart.locator("svg[role='img'] title").text_content() == "Puanların dağılımı"
    rows = chart.locator("tbody tr").evaluate_all(
        "rows => rows.map(row => [row.cells[0].textContent, row.cells[1].textContent])")
    assert rows == [["1 · Hiç memnun değil", "0"], ["2 · Memnun değil", "1"], ["3 · Kararsız", "0"],
                    ["4 · Memnun", "0"], ["5 · Çok memnun", "1"]]
    table = page.locator("#satisfaction-units")
    assert table.locator("caption").inner_text() == "Birimlere göre memnuniyet"
    assert table.locator("thead th").all_inner_texts() == [
        "Birim", "Değerlendirme", "Ortalama puan", "1 puan", "2 puan", "3 puan", "4 puan", "5 puan"]
    assert table.locator("thead th[scope='col']").count() == 8
    row = table.locator("tbody tr[data-unit-id='{}']".format(unit_id))
    assert row.locator("th[scope='row']").inner_text() == unit_name
    assert row.locator("td").all_inner_texts() == ["2", "3,50", "0", "1", "0", "0", "1"]
    assert table.locator("tbody tr").count() == 1  # a unit officer's statistics are their unit's
    assert "İtiraz edildi" in page.locator("#charts").inner_text()  # the status of statistics has its name
    tab.screenshots("console-stats-satisfaction")

    switch_language(page, "Applicants' satisfaction")
    assert page.locator("#satisfaction-summary").inner_text() == "Mean 3.50 out of 5 (2 ratings)"
    assert row.locator("td").all_inner_texts()[1] == "3.50"
    assert page.locator("[data-figure='escalated_count']").inner_text() == "1 Past the statutory limit"
    switch_language(page, "Başvuru sahiplerinin memnuniyeti")

    # The province's statistics (a router's): the unit among the rated ones, the escalated counted.
    router = open_tab()
    sign_in(router, ROUTER, "/konsol/kuyruk")
    router.page.goto("/konsol/istatistik")
    router.page.wait_for_selector("#stats:not([hidden]) svg.chart")
    province = statistics(staff, ROUTER)
    assert province["escalated"] >= 1
    figure = router.page.locator("[data-figure='escalated_count'] strong").inner_text()
    assert int(figure) >= 1
    mine = router.page.locator("#satisfaction-units tbody tr[data-unit-id='{}']".format(unit_id))
    assert mine.locator("td").all_inner_texts()[:2] == ["2", "3,50"]
    router.screenshots("console-stats-satisfaction-province")
