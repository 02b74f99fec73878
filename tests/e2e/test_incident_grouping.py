"""One answer to many (issue 23, docs/api.md#incidents), over HTTP against the running system: forty
applications about one street light, from the web, the app and the desk, are found as likely
duplicates, grouped by a router, routed and answered once — and each applicant gets exactly one
"concluded" SMS, and reads that the application was considered with 39 others; a group that grows
while its answer goes out still gives every application exactly one answer and one SMS."""
import threading
import uuid

import requests

from tests.support.browser import browser, open_tab  # noqa: F401  (fixtures)
from tests.support.portal import look_up
from tests.support.processes import sms_text, wait_until
from tests.support.samples import application_body, national_id
from tests.support.staff_client import ankara_health_body, submit

UNIT = "06-cankaya-health"
TEXTS = [
    ("Sokak lambası yanmıyor", "{street} {door} numara önündeki sokak lambası üç gündür yanmıyor, gece çok karanlık."),
    ("SOKAK LAMBASI ARIZALI", "{street} {door} numaranın önündeki lamba yanmıyor, akşamları sokak karanlık kalıyor."),
    ("sokak lambasi yanmiyor", "{street} {door} onundeki sokak lambasi gunlerdir yanmiyor, gece karanlik."),
]
ANSWER = "Sokak lambası ekiplerimizce onarılmıştır; bildiriminiz için teşekkür ederiz."


def the_light(count, serial):
    """``count`` applications about one street light (a street of this test's own), spread over the
    web, the app and the desk; each by another applicant. Their numbers and tracking codes."""
    street, door = "Deneme{} Caddesi".format(serial), serial % 90 + 1
    receipts = []
    for position in range(count):
        subject, description = TEXTS[position % len(TEXTS)]
        body = application_body(
            province="ankara", district="çankaya", category="municipal", kind="complaint",
            subject=subject, description=description.format(street=street, door=door),
            channel=("web", "app", "desk")[position % 3])
        body["applicant"]["national_id"] = national_id("{:09d}".format(200000000 + serial * 100 + position))
        receipts.append(body)
    return receipts


def submitted(staff, bodies):
    receipts = []
    for body in bodies:
        if body["channel"] == "desk":
            answer = staff.desk_submit("ankara.desk", body)
            assert answer.status_code == 201, answer.text
            receipts.append(answer.json())
        else:
            receipts.append(submit(staff.url, body))
    for receipt in receipts:
        staff.wait_visible("ankara.router", receipt["application_no"])
    return receipts


def concluded(running_system, number):
    return [message for message in running_system.sms_for(number) if "sonuçlandı" in sms_text(message)]


def test_forty_applications_about_one_light_are_grouped_and_answered_once_each(staff, api, running_system):
    serial = uuid.uuid4().int % 10 ** 4
    receipts = submitted(staff, the_light(40, serial))
    numbers = [receipt["application_no"] for receipt in receipts]

    similar = staff.request("GET", "/api/v1/staff/applications/{}/similar".format(numbers[0]), "ankara.router")
    assert similar.status_code == 200, similar.text
    found = {entry["application_no"] for entry in similar.json()["similar"]}
    assert len(found) == 20 and found <= set(numbers[1:])  # at most 20 shown: all of this light
    assert all(entry["reasons"] == ["similar_text"] for entry in similar.json()["similar"])

    created = staff.request("POST", "/api/v1/staff/incidents", "ankara.router",
                            json={"title": "{} sokak lambası".format(serial), "application_nos": numbers})
    assert created.status_code == 201, created.text
    incident_id = created.json()["incident_id"]
    routed = staff.request("POST", "/api/v1/staff/incidents/{}/route".format(incident_id), "ankara.router",
                           json={"unit_id": UNIT})
    assert routed.status_code == 200, routed.text
    assert {entry["status"] for entry in routed.json()["applications"]} == {"routed"}
    answered = staff.request("POST", "/api/v1/staff/incidents/{}/answer".format(incident_id), "ankara.health",
                             json={"text": ANSWER, "outcome": "positive"})
    assert answered.status_code == 200, answered.text
    again = staff.request("POST", "/api/v1/staff/incidents/{}/answer".format(incident_id), "ankara.health",
                          json={"text": ANSWER, "outcome": "positive"})
    assert again.status_code == 409

    wait_until(lambda: all(concluded(running_system, number) for number in numbers), timeout=30,
               what="forty concluded SMS")
    assert {number: len(concluded(running_system, number)) for number in numbers} == dict.fromkeys(numbers, 1)
    view = wait_until(lambda: (lambda seen: seen if seen.get("considered_with") else None)(
        api.track(numbers[7], receipts[7]["tracking_code"]).json()), timeout=15, what="the group in the view")
    assert view["status"] == "answered" and view["answer"]["text"] == ANSWER
    assert view["considered_with"]["count"] == 39 and "39" in view["considered_with"]["text"]
    assert numbers[8] not in str(view)


def test_a_group_growing_while_the_answer_goes_out_answers_each_once(staff, running_system):
    serial = uuid.uuid4().int % 10 ** 4
    receipts = submitted(staff, the_light(12, serial))
    numbers = [receipt["application_no"] for receipt in receipts]
    incident_id = staff.request("POST", "/api/v1/staff/incidents", "ankara.router", json={
        "title": "{} lamba".format(serial), "application_nos": numbers[:6]}).json()["incident_id"]
    assert staff.request("POST", "/api/v1/staff/incidents/{}/route".format(incident_id), "ankara.router",
                         json={"unit_id": UNIT}).status_code == 200

    answers, additions = [], []
    answering = threading.Thread(target=lambda: answers.append(staff.request(
        "POST", "/api/v1/staff/incidents/{}/answer".format(incident_id), "ankara.health",
        json={"text": ANSWER, "outcome": "positive"})))
    answering.start()
    for number in numbers[6:]:  # one at a time, while the answer goes out
        additions.append(staff.request("POST", "/api/v1/staff/incidents/{}/applications".format(incident_id),
                                       "ankara.router", json={"application_nos": [number]}))
    answering.join(30)

    assert answers[0].status_code == 200 and all(addition.status_code == 200 for addition in additions)
    incident = staff.request("GET", "/api/v1/staff/incidents/" + incident_id, "ankara.router").json()
    assert incident["application_count"] == 12
    assert {entry["status"] for entry in incident["applications"]} == {"answered"}
    wait_until(lambda: all(concluded(running_system, number) for number in numbers), timeout=30,
               what="twelve concluded SMS")
    assert {number: len(concluded(running_system, number)) for number in numbers} == dict.fromkeys(numbers, 1)


def test_grouping_is_all_or_none_and_the_doors_are_the_roles(staff):
    serial = uuid.uuid4().int % 10 ** 4
    numbers = [receipt["application_no"] for receipt in submitted(staff, the_light(3, serial))]
    first = staff.request("POST", "/api/v1/staff/incidents", "ankara.router",
                          json={"title": "Birinci grup", "application_nos": numbers[:2]})
    assert first.status_code == 201

    overlapping = staff.request("POST", "/api/v1/staff/incidents", "ankara.router",
                                json={"title": "İkinci grup", "application_nos": numbers[1:]})
    by_unit = staff.request("POST", "/api/v1/staff/incidents", "ankara.health",
                            json={"title": "Birim grubu", "application_nos": numbers[2:]})
    bad = staff.request("POST", "/api/v1/staff/incidents", "ankara.router",
                        json={"title": "Kötü", "application_nos": ["2026-1"]})
    elsewhere = staff.request("GET", "/api/v1/staff/incidents/" + first.json()["incident_id"], "istanbul.router")

    assert overlapping.status_code == 409 and overlapping.json()["error"]["code"] == "in_another_incident"
    assert numbers[1] in overlapping.json()["error"]["message"]
    assert staff.record("ankara.router", numbers[2]).json()["incident_id"] is None  # none joined
    assert by_unit.status_code == 403
    assert bad.status_code == 422 and "application_nos" in bad.json()["error"]["fields"]
    assert elsewhere.status_code == 404
    assert requests.get(staff.url + "/api/v1/staff/incidents/" + first.json()["incident_id"],
                        timeout=15).status_code == 401


def test_the_same_applicant_twice_is_a_likely_duplicate(staff):
    body = ankara_health_body()
    body["applicant"]["national_id"] = national_id("{:09d}".format(300000000 + uuid.uuid4().int % 10 ** 6))
    first = submit(staff.url, body)
    second = submit(staff.url, dict(body, subject="Başka bir konu", description="Otobüs seferleri çok seyrek."))
    staff.wait_visible("ankara.router", second["application_no"])

    similar = staff.request("GET", "/api/v1/staff/applications/{}/similar".format(first["application_no"]),
                            "ankara.router").json()["similar"]

    [entry] = [entry for entry in similar if entry["application_no"] == second["application_no"]]
    assert "same_applicant" in entry["reasons"] and entry["queue_entry"]["status"] == "unrouted"
    assert "national_id" not in str(similar) and body["applicant"]["national_id"] not in str(similar)


def test_the_tracking_page_says_the_application_was_considered_with_others(staff, open_tab):
    serial = uuid.uuid4().int % 10 ** 4
    receipts = submitted(staff, the_light(3, serial))
    created = staff.request("POST", "/api/v1/staff/incidents", "ankara.router", json={
        "title": "{} lamba".format(serial), "application_nos": [receipt["application_no"] for receipt in receipts]})
    assert created.status_code == 201, created.text
    tab = open_tab()

    look_up(tab.page, receipts[0]["application_no"], receipts[0]["tracking_code"], "#considered-with")

    assert tab.page.locator("#considered-with").inner_text() == (
        "Bu başvuru, aynı konudaki 2 başvuruyla birlikte değerlendirildi.")
    assert receipts[1]["application_no"] not in tab.page.content()
    tab.screenshots("portal-track-considered-with")
