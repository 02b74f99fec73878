"""Likely duplicates and incidents in the staff console (issue 23), in a real browser (Debian's
Chromium, Playwright) against the running system.

Five citizens write about one street light in nearly the same words (one of them twice, the second
time in other words' order); another router has already put one of the applications into an
incident of its own. A router opens the first application's record: under it the likely
duplicates, each with its number, subject, received date, why it is alike in words ("Aynı başvuru
sahibi", "Benzer metin (%87)"), status and incident; a box to tick on every row that is in no
incident. Grouping without a tick is refused in words; two rows are ticked and grouped with one
click, the title asked in a dialog (this application's subject to start with; an empty one asked
again, saying why; Enter creates); the page links the new incident and the record says it is part
of it. On the incident's page the router adds an application by number (a malformed number refused
at the field, one of another incident refused naming it), routes the incident to Çankaya's health
directorate, and every application is routed. The directorate's officer opens the incident,
previews the answer, reads in the confirmation that it is final and goes to each of the four
applications — four SMS —, cancels once, then confirms: every application is answered and each
applicant gets exactly one "concluded" SMS. A member's record, for the router and for the unit
officer, names the incident with its size. Every page passes axe-core and is saved at 1280 and
390 px (test-artifacts/screenshots/console-record-similar*, console-group-dialog*,
console-incident*).
"""
import random
import re
import string
import uuid

from tests.support.browser import browser, open_tab, sign_in  # noqa: F401  (fixtures)
from tests.support.processes import sms_text, wait_until
from tests.support.samples import application_body, national_id
from tests.support.staff_client import submit

ROUTER, UNIT, ADMIN = "ankara.router", "ankara.health", "ankara.admin"
CANKAYA_HEALTH = "06-cankaya-health"
CANKAYA_HEALTH_NAME = "Çankaya İlçe Sağlık Müdürlüğü"
TEXTS = [
    ("Sokak lambası yanmıyor", "{street} {door} numara önündeki sokak lambası üç gündür yanmıyor, gece çok karanlık."),
    ("SOKAK LAMBASI ARIZALI", "{street} {door} numaranın önündeki lamba yanmıyor, akşamları sokak karanlık kalıyor."),
    ("sokak lambasi yanmiyor", "{street} {door} onundeki sokak lambasi gunlerdir yanmiyor, gece karanlik."),
]
ANSWER = "Sokak lambası ekiplerimizce onarılmıştır; bildiriminiz için teşekkür ederiz."
DATE = re.compile(r"^\d{1,2} \w{3} \d{4} \d{2}:\d{2}$")


# --- the system's side -----------------------------------------------------------------------------

def unique_national_id():
    return national_id(str(random.randint(100000000, 999999999)))


def the_light(count, street, door):
    """``count`` bodies about one street light of a street of the test's own (its name made up, so
    that no other application is alike), each by another applicant, in Çankaya, category health."""
    bodies = []
    for position in range(count):
        subject, description = TEXTS[position % len(TEXTS)]
        body = application_body(province="ankara", district="çankaya", category="health", kind="complaint",
                                 subject=subject, description=description.format(street=street, door=door))
        body["applicant"]["national_id"] = unique_national_id()
        bodies.append(body)
    return bodies


def submitted(staff, bodies):
    """Their numbers, once routing holds each (the similar list shows only what routing holds)."""
    numbers = [submit(staff.url, body)["application_no"] for body in bodies]
    for number in numbers:
        staff.wait_visible(ROUTER, number)
    return numbers


def concluded(running_system, number):
    return [message for message in running_system.sms_for(number) if "sonuçlandı" in sms_text(message)]


# --- the browser's side ----------------------------------------------------------------------------

def open_record(tab, number, ready="#record:not([hidden])"):
    tab.page.goto("/konsol/basvuru?no=" + number)
    tab.page.wait_for_selector(ready)


def similar_row(page, number):
    return page.locator("#similar-table tbody tr[data-application-no='{}']".format(number))


def similar_numbers(page):
    return {row.get_attribute("data-application-no") for row in page.locator("#similar-table tbody tr").all()}


def cell(row, label):
    return row.locator("td[data-label='{}']".format(label))


def member(page, number):
    return page.locator("#members tbody tr[data-application-no='{}']".format(number))


def member_statuses(page):
    return {row.get_attribute("data-application-no"): row.locator("td:nth-child(3)").inner_text()  # Durum / Status
            for row in page.locator("#members tbody tr[data-application-no]").all()}


def fact(page, container, label):
    return page.locator(container + " dt", has_text=re.compile("^{}$".format(re.escape(label)))).locator(
        "xpath=following-sibling::dd[1]")


def open_incident(tab, incident_id):
    tab.page.goto("/konsol/olay?id=" + incident_id)
    tab.page.wait_for_selector("#incident:not([hidden])")


# --- the test --------------------------------------------------------------------------------------

def test_a_router_groups_likely_duplicates_routes_the_incident_and_the_unit_answers_it_once(
        open_tab, staff, running_system):
    street = "".join(random.choice(string.ascii_uppercase) for _ in range(8)).capitalize() + " Caddesi"
    door = random.randint(1, 90)
    bodies = the_light(5, street, door)
    # the first applicant writes again, in the words of another
    again = the_light(2, street, door)[1]
    again["applicant"] = dict(bodies[0]["applicant"])
    first, second, third, fourth, elsewhere, twice = submitted(staff, bodies + [again])
    other = staff.request("POST", "/api/v1/staff/incidents", ROUTER,
                          json={"title": "Başka bir olay " + uuid.uuid4().hex[:6], "application_nos": [elsewhere]})
    assert other.status_code == 201, other.text
    other = other.json()

    tab = open_tab()
    page = tab.page
    sign_in(tab, ROUTER, "/konsol/kuyruk")
    open_record(tab, first, "#similar-table tbody tr")

    # The likely duplicates: the same applicant first, each in words, with its status and incident.
    assert page.locator("#h-similar").inner_text() == "Benzer başvurular"
    assert similar_numbers(page) == {second, third, fourth, elsewhere, twice}
    assert page.locator("#similar-table tbody tr").first.get_attribute("data-application-no") == twice
    assert page.locator("#similar-table thead th").all_inner_texts() == [
        "Seç", "Başvuru numarası", "Başlık", "Başvuru tarihi", "Neden benzer", "Durum", "Olay"]
    assert cell(similar_row(page, twice), "Neden benzer").inner_text().startswith("Aynı başvuru sahibi")
    for number, subject in ((second, TEXTS[1][0]), (third, TEXTS[2][0]), (fourth, TEXTS[0][0])):
        row = similar_row(page, number)
        assert re.fullmatch(r"Benzer metin \(%\d{2,3}\)", cell(row, "Neden benzer").inner_text())
        assert cell(row, "Başlık").inner_text() == subject
        assert DATE.match(cell(row, "Başvuru tarihi").inner_text())
        assert cell(row, "Durum").inner_text() == "Yönlendirilmedi"
        assert cell(row, "Olay").inner_text() == "—"
        assert row.locator("input[type=checkbox]").count() == 1
        assert row.locator("a").first.get_attribute("href") == "/konsol/basvuru?no=" + number
    # one already in another incident: named and linked, and no box to tick
    taken = similar_row(page, elsewhere)
    assert taken.locator("input[type=checkbox]").count() == 0
    assert cell(taken, "Olay").locator("a").inner_text() == other["title"]
    assert cell(taken, "Olay").locator("a").get_attribute("href") == "/konsol/olay?id=" + other["incident_id"]
    assert page.locator("#incident-line").is_hidden()
    assert page.locator("#group-button").inner_text() == "Grupla"
    assert page.locator("#group-selection").inner_text() == "Henüz başvuru seçilmedi."
    tab.screenshots("console-record-similar")

    # Nothing ticked: said in the form, nothing sent.
    page.click("#group-button")
    page.wait_for_function("() => document.querySelector('#group-form .form-status').textContent !== ''")
    assert page.locator("#group-form .form-status").inner_text() == "Önce tablodan en az bir başvuru seçin."
    assert page.locator("#group-dialog").count() == 0

    # Two ticked, grouped with one click; the title is asked, this application's subject first.
    page.check("#pick-" + second)
    page.check("#pick-" + third)
    assert page.locator("#group-selection").inner_text() == "2 başvuru seçildi."
    page.click("#group-button")
    dialog = page.locator("#group-dialog")
    dialog.wait_for()
    assert page.locator("#group-title").input_value() == TEXTS[0][0]
    assert page.evaluate("document.activeElement.id") == "group-title"  # the question is the title
    assert "seçtiğiniz 2 başvuru" in dialog.inner_text()
    tab.screenshots("console-group-dialog", full_page=False)
    # an empty title is asked again, saying why
    page.fill("#group-title", "")
    page.keyboard.press("Enter")
    page.wait_for_selector("#group-dialog .field-error")
    assert page.locator("#group-dialog .field-error").inner_text() == "Bu alan gerekli."
    assert page.locator("#group-title").get_attribute("aria-invalid") == "true"
    title = "{} {} sokak lambası".format(street, door)
    page.fill("#group-title", title)
    page.keyboard.press("Enter")  # Enter creates
    page.wait_for_selector("#group-done a")
    done = page.locator("#group-done")
    assert done.inner_text() == "Olay oluşturuldu: {} (3 başvuru)".format(title)
    assert page.evaluate("document.activeElement.id") == "group-done"
    incident_href = done.locator("a").get_attribute("href")
    incident_id = incident_href.split("=", 1)[1]
    assert re.fullmatch(r"/konsol/olay\?id=[0-9a-f]{32}", incident_href)
    line = page.locator("#incident-line")
    assert line.inner_text() == "Bu başvuru bir olayın parçası: {} (3 başvuru)".format(title)
    assert line.locator("a").get_attribute("href") == incident_href
    for number in (second, third):  # in this incident now: linked, no box
        assert cell(similar_row(page, number), "Olay").inner_text() == title
        assert similar_row(page, number).locator("input[type=checkbox]").count() == 0
    assert similar_row(page, fourth).locator("input[type=checkbox]").count() == 1
    assert page.locator("#group-button").inner_text() == "Olaya ekle"  # from now on, to this incident
    assert {staff.record(ROUTER, number).json()["incident_id"] for number in (first, second, third)} == {incident_id}
    assert staff.record(ROUTER, fourth).json()["incident_id"] is None
    tab.screenshots("console-record-grouped")

    # The incident's page: its title, who grouped it and when, its applications.
    done.locator("a").click()
    page.wait_for_selector("#incident:not([hidden])")
    assert page.locator("#incident-heading").inner_text() == "Olay: " + title
    router_name = staff.request("GET", "/api/v1/auth/me", ROUTER).json()["display_name"]
    assert fact(page, "#incident-facts", "Oluşturan").inner_text() == router_name
    assert DATE.match(fact(page, "#incident-facts", "Oluşturulma tarihi").inner_text())
    assert fact(page, "#incident-facts", "Birim").inner_text() == "Henüz bir birime yönlendirilmedi"
    assert fact(page, "#incident-facts", "Başvuru sayısı").inner_text() == "3 başvuru"
    assert page.locator("#members thead th").all_inner_texts() == [
        "Başvuru numarası", "İlçe", "Durum", "Birim", "Kalan süre"]
    assert member_statuses(page) == dict.fromkeys([first, second, third], "Yönlendirilmedi")
    row = member(page, second)
    assert row.locator("a").get_attribute("href") == "/konsol/basvuru?no=" + second
    assert row.locator("td[data-label='İlçe']").inner_text() == "Çankaya"
    assert row.locator(".due").inner_text() in ("7 gün kaldı", "6 gün kaldı")
    assert page.locator("#incident-route-form").is_visible() and page.locator("#add-form").is_visible()
    assert page.locator("#add-note").is_hidden()
    assert page.locator("#incident-answer-form").is_hidden() and page.locator("#incident-answer").is_hidden()
    tab.screenshots("console-incident")

    # Applications added by number: a malformed one refused at the field, one of another incident
    # refused naming it, then one added.
    page.fill("#add-numbers", "{} abc".format(fourth))
    page.click("#add-form button[type=submit]")
    page.wait_for_selector("#add-numbers-error")
    assert page.locator("#add-numbers").get_attribute("aria-invalid") == "true"
    assert "add-numbers-hint" in page.locator("#add-numbers").get_attribute("aria-describedby")
    page.fill("#add-numbers", "{}, {}".format(fourth, elsewhere))
    page.click("#add-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#add-form .form-status').textContent.includes('başka bir olaya')")
    assert elsewhere in page.locator("#add-form .form-status").inner_text()
    assert staff.record(ROUTER, fourth).json()["incident_id"] is None  # all or none
    page.fill("#add-numbers", fourth + " ")
    page.click("#add-form button[type=submit]")
    page.wait_for_function("() => document.querySelector('#add-saved').textContent !== ''")
    assert page.locator("#add-saved").inner_text() == "1 başvuru olaya eklendi."
    assert page.locator("#add-numbers").input_value() == ""
    assert page.locator("#add-form .form-status").inner_text() == ""
    assert set(member_statuses(page)) == {first, second, third, fourth}
    assert fact(page, "#incident-facts", "Başvuru sayısı").inner_text() == "4 başvuru"

    # Routed to Çankaya's health directorate: every application goes there.
    page.select_option("#incident-route-unit", CANKAYA_HEALTH)
    page.click("#incident-route-form button[type=submit]")
    page.wait_for_function("() => document.querySelector('#incident-status').textContent !== ''")
    assert page.locator("#incident-status").inner_text() == "Olay yönlendirildi: {}.".format(CANKAYA_HEALTH_NAME)
    assert page.evaluate("document.activeElement.id") == "incident-status"
    assert member_statuses(page) == dict.fromkeys([first, second, third, fourth], "Birime yönlendirildi")
    assert member(page, fourth).locator("td[data-label='Birim']").inner_text() == CANKAYA_HEALTH_NAME
    assert fact(page, "#incident-facts", "Birim").inner_text() == CANKAYA_HEALTH_NAME
    assert page.locator("#incident-badges").inner_text() == "Birime yönlendirildi"
    assert page.locator("#incident-route-form").is_hidden()  # nothing left to route
    assert page.locator("#add-note").inner_text() == "Eklenen başvurular hemen olayın birimine yönlendirilir."
    assert {staff.record(ROUTER, number).json()["status"] for number in (first, second, third, fourth)} == {"routed"}
    tab.screenshots("console-incident-routed")

    # The unit's officer answers it once: preview, a confirmation that says how many, cancel, confirm.
    unit = open_tab()
    upage = unit.page
    sign_in(unit, UNIT, "/konsol/kuyruk")
    open_incident(unit, incident_id)
    assert upage.locator("#incident-answer-form").is_visible()
    assert upage.locator("#incident-route-form").is_hidden() and upage.locator("#add-form").is_hidden()
    assert "4 başvurusunun her birine" in upage.locator("#incident-answer-hint").inner_text()
    upage.fill("#incident-answer-text", ANSWER)
    upage.select_option("#incident-answer-outcome", "positive")
    preview = upage.locator("#incident-answer-preview")
    assert preview.locator(".answer-text").inner_text() == ANSWER and "Olumlu" in preview.inner_text()
    unit.screenshots("console-incident-unit")
    upage.click("#review-incident-answer")
    dialog = upage.locator("#incident-answer-dialog")
    dialog.wait_for()
    said = dialog.inner_text()
    assert "kesindir" in said and "4 başvurunun her biri" in said and "toplam 4 SMS" in said and "Olumlu" in said
    assert upage.evaluate("document.activeElement.classList.contains('cancel')")  # the safe choice first
    unit.screenshots("console-incident-answer-confirmation", full_page=False)
    dialog.locator("button.cancel").click()
    dialog.wait_for(state="detached")
    assert upage.evaluate("document.activeElement.id") == "review-incident-answer"
    assert staff.record(UNIT, first).json()["status"] == "routed"

    upage.click("#review-incident-answer")
    upage.locator("#incident-answer-dialog button.confirm").click()
    upage.wait_for_selector("#incident-answer:not([hidden])")
    assert upage.locator("#incident-status").inner_text() == "Olay cevaplandı; 4 başvuru sahibine SMS gidecek."
    assert upage.locator("#incident-answer .answer-text").inner_text() == ANSWER
    assert fact(upage, "#incident-answer", "Sonuç").inner_text() == "Olumlu"
    assert member_statuses(upage) == dict.fromkeys([first, second, third, fourth], "Cevaplandı")
    assert upage.locator("#incident-answer-form").is_hidden()  # once only
    assert upage.locator("#incident-badges").inner_text() == "Cevaplandı"
    unit.screenshots("console-incident-answered")
    for number in (first, second, third, fourth):
        record = staff.record(UNIT, number).json()
        assert record["status"] == "answered" and record["answer"]["text"] == ANSWER
    wait_until(lambda: all(concluded(running_system, number) for number in (first, second, third, fourth)),
               timeout=30, what="a concluded SMS to each applicant")
    assert [len(concluded(running_system, number)) for number in (first, second, third, fourth)] == [1, 1, 1, 1]

    # The router's page, reloaded, says the same; in English too.
    page.reload()
    page.wait_for_selector("#incident-answer:not([hidden])")
    assert member_statuses(page) == dict.fromkeys([first, second, third, fourth], "Cevaplandı")
    page.click("#language-switch")
    page.wait_for_function("title => document.querySelector('#incident-heading').textContent === 'Incident: ' + title",
                           arg=title)
    assert fact(page, "#incident-facts", "Applications").inner_text() == "4 applications"
    assert member_statuses(page) == dict.fromkeys([first, second, third, fourth], "Answered")
    tab.screenshots("console-incident-en")
    page.click("#language-switch")
    page.wait_for_function("() => document.documentElement.lang === 'tr'")

    # A member's record names its incident: for the router and for the unit's officer.
    open_record(tab, fourth, "#incident-line:not([hidden]) a.incident-link")
    page.wait_for_function("() => document.querySelector('#incident-line').textContent.includes('(4 başvuru)')")
    line = page.locator("#incident-line")
    assert line.inner_text() == "Bu başvuru bir olayın parçası: {} (4 başvuru)".format(title)
    assert line.locator("a").get_attribute("href") == incident_href
    page.wait_for_selector("#similar-table tbody tr")
    # only the first applicant's second application is in no incident: it may still join this one
    boxes = page.locator("#similar-table input[type=checkbox]")
    assert boxes.evaluate_all("boxes => boxes.map(box => box.value)") == [twice]
    assert page.locator("#group-button").inner_text() == "Olaya ekle"
    tab.screenshots("console-record-incident")

    open_record(unit, second, "#incident-line:not([hidden])")
    upage.wait_for_function("() => document.querySelector('#incident-line').textContent.includes('(4 başvuru)')")
    assert upage.locator("#incident-line a").inner_text() == title
    upage.wait_for_selector("#similar-table tbody tr")
    assert upage.locator("#similar-table input[type=checkbox]").count() == 0  # a unit officer does not group
    assert upage.locator("#group-form").is_hidden()
    unit.screenshots("console-record-incident-unit")


def test_an_incident_page_without_an_incident_says_so(open_tab):
    tab = open_tab()
    sign_in(tab, ADMIN, "/konsol/kuyruk")
    tab.page.goto("/konsol/olay?id=nothing")
    tab.page.wait_for_function("() => (document.querySelector('#page-alert') || {}).textContent")
    assert tab.page.locator("#page-alert").inner_text() == "Adreste bir olay belirtilmemiş."
    tab.page.goto("/konsol/olay?id=" + uuid.uuid4().hex)
    tab.page.wait_for_function("() => (document.querySelector('#page-alert') || {}).textContent")
    assert tab.page.locator("#incident").is_hidden()
