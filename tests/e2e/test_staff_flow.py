"""Officers at work over HTTP, against the real processes: a router routes, a unit contacts the
applicant and answers, the citizen gets the "concluded" SMS and reads the answer; a misrouted
application comes back and is routed again; a desk officer types an application in."""
import uuid
from datetime import timedelta

import pytest
from nameko.standalone.events import event_dispatcher

from common import clock
from tests.support.processes import wait_until
from tests.support.samples import PASSWORD, received_event
from tests.support.staff_client import ankara_health_body, settle, submit

CANKAYA_HEALTH = "06-cankaya-health"
CANKAYA_HEALTH_NAME = "Çankaya İlçe Sağlık Müdürlüğü"
EDUCATION = "06-national_education"
ANSWER_TEXT = "Randevunuz 12 Aralık saat 10:00 için Çankaya Sağlık Ocağında oluşturuldu."
RETURN_REASON = "Sağlık konusu; il milli eğitim müdürlüğünün görev alanında değil."


def _tracked(api, receipt, status):
    """The citizen's view once tracking shows ``status``."""
    def view():
        response = api.track(receipt["application_no"], receipt["tracking_code"])
        return response.json() if response.status_code == 200 and response.json()["status"] == status else None

    return wait_until(view, timeout=5, what="tracking shows {}".format(status))


def _concluded_sms(running_system, receipt):
    return [sms for sms in running_system.sms_for(receipt["application_no"])
            if receipt["tracking_code"] not in sms["msg"]]


def test_login_answers_who_the_officer_is(staff):
    response = staff.login("ankara.health")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["access_token"] and body["expires_in"] > 0
    assert (body["role"], body["province"], body["unit_id"]) == ("unit", "06", CANKAYA_HEALTH)


@pytest.mark.parametrize("username, password", [("ankara.router", "yanlış-parola-123"),
                                                ("nobody.here", PASSWORD)])
def test_wrong_password_and_unknown_officer_get_the_same_401(staff, username, password):
    response = staff.login(username, password)

    assert response.status_code == 401
    assert response.json() == staff.login("ankara.router", "başka-yanlış-parola").json()


def test_route_contact_answer_then_citizen_reads_the_answer(api, staff, running_system):
    receipt = submit(staff.url, ankara_health_body())
    number = receipt["application_no"]

    entry = staff.wait_in_queue("ankara.router", number)
    assert entry["status"] == "unrouted" and entry["unit"] is None
    assert entry["suggested_unit"] == {"unit_id": CANKAYA_HEALTH, "name": CANKAYA_HEALTH_NAME}
    assert (entry["days_left"], entry["due_state"]) == (6, "fine")
    assert entry["subject"] == ankara_health_body()["subject"]
    assert not {"applicant", "phone", "national_id"} & set(entry)

    routed = staff.route("ankara.router", number, entry["suggested_unit"]["unit_id"], note="Sağlık ocağı")
    assert routed.status_code == 200, routed.text
    assert routed.json()["status"] == "routed"
    assert routed.json()["unit"] == {"unit_id": CANKAYA_HEALTH, "name": CANKAYA_HEALTH_NAME}

    in_unit_queue = staff.wait_in_queue("ankara.health", number)
    assert in_unit_queue["status"] == "routed"

    contacted = staff.contact("ankara.health", number, "phone", "Randevu günü telefonla teyit edildi.")
    assert contacted.status_code == 200, contacted.text
    assert [(c["channel"], c["note"], c["by"]) for c in contacted.json()["contacts"]] == [
        ("phone", "Randevu günü telefonla teyit edildi.", "ankara.health")]
    assert contacted.json()["status"] == "routed"  # a contact is a log entry, not a state change

    answered = staff.answer("ankara.health", number, ANSWER_TEXT, "positive")
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "answered"
    assert answered.json()["answer"]["text"] == ANSWER_TEXT
    assert (answered.json()["days_left"], answered.json()["due_state"]) == (None, "closed")
    # The sample accounts have no display names: each officer is named by the username.
    assert answered.json()["staff_names"] == {"ankara.router": "ankara.router", "ankara.health": "ankara.health"}

    concluded = wait_until(lambda: _concluded_sms(running_system, receipt), timeout=5, what="concluded SMS")
    view = _tracked(api, receipt, "answered")
    settle(1)  # a second "concluded" SMS, if one were owed, would be sent well within this
    assert len(_concluded_sms(running_system, receipt)) == 1
    assert len(running_system.sms_for(number)) == 2  # received + concluded
    (sms,) = concluded
    assert number in sms["msg"] and sms["dest"] == "905321234567"
    assert ANSWER_TEXT not in sms["msg"] and "Randevunuz" not in sms["msg"]

    assert [step["status"] for step in view["timeline"]] == ["received", "routed", "answered"]
    assert view["unit"] == {"name": CANKAYA_HEALTH_NAME}
    assert view["answer"]["text"] == ANSWER_TEXT and view["answer"]["outcome"] == "positive"
    assert clock.from_iso(view["answer"]["answered_at"]).utcoffset() == timedelta(hours=3)
    assert not {"applicant", "phone", "national_id", "contacts"} & set(view)


def test_misrouted_application_is_returned_and_routed_again(api, staff, running_system):
    receipt = submit(staff.url, ankara_health_body())
    number = receipt["application_no"]
    staff.wait_in_queue("ankara.router", number)

    assert staff.route("ankara.router", number, EDUCATION).status_code == 200
    staff.wait_in_queue("ankara.education", number)
    returned = staff.return_("ankara.education", number, RETURN_REASON)
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned" and returned.json()["unit"] is None

    back = staff.wait_in_queue("ankara.router", number, status="returned")
    assert back["status"] == "returned"
    assert back["suggested_unit"]["unit_id"] == CANKAYA_HEALTH
    assert staff.record("ankara.education", number).status_code == 404  # no longer theirs
    assert number not in [item["application_no"] for item in staff.queue("ankara.education").json()["items"]]

    record = staff.record("ankara.router", number).json()
    (returned_step,) = [step for step in record["timeline"] if step["action"] == "returned"]
    assert returned_step["reason"] == RETURN_REASON
    assert returned_step["by"] == "ankara.education" and returned_step["unit_id"] == EDUCATION

    citizen_view = _tracked(api, receipt, "returned")
    assert RETURN_REASON not in str(citizen_view) and "reason" not in str(citizen_view)
    assert "unit" not in citizen_view

    assert staff.route("ankara.router", number, CANKAYA_HEALTH).status_code == 200
    answered = staff.answer("ankara.health", number, ANSWER_TEXT, "informational")
    assert answered.status_code == 200, answered.text

    view = _tracked(api, receipt, "answered")
    assert [step["status"] for step in view["timeline"]] == ["received", "routed", "returned", "routed", "answered"]
    assert view["unit"] == {"name": CANKAYA_HEALTH_NAME}
    assert view["answer"]["outcome"] == "informational"
    assert len(wait_until(lambda: _concluded_sms(running_system, receipt), timeout=5, what="concluded SMS")) == 1
    final = staff.record("ankara.router", number).json()
    assert [step["action"] for step in final["timeline"]] == [
        "received", "routed", "returned", "routed", "answered"]


def test_staff_record_has_the_applicant_and_the_routing_timeline(staff):
    receipt = submit(staff.url, ankara_health_body())
    number = receipt["application_no"]
    staff.wait_in_queue("ankara.router", number)
    staff.route("ankara.router", number, CANKAYA_HEALTH, note="Doğrudan ilçe sağlık müdürlüğüne")

    record = staff.record("ankara.health", number, reason="yanıt hazırlığı")

    assert record.status_code == 200, record.text
    body = record.json()
    assert body["application_no"] == number
    assert body["applicant"]["national_id"] == "10000000146"
    assert body["applicant"]["phone"] == "+905321234567"
    assert (body["applicant"]["first_name"], body["applicant"]["last_name"]) == ("Ayşe", "Yılmaz")
    assert body["subject"] == ankara_health_body()["subject"]
    assert body["channel"] == "web" and body["entered_by"] is None
    assert body["status"] == "routed"
    assert [(step["action"], step["by"]) for step in body["timeline"]] == [
        ("received", None), ("routed", "ankara.router")]
    assert body["timeline"][1]["unit_id"] == CANKAYA_HEALTH
    assert body["timeline"][1]["note"] == "Doğrudan ilçe sağlık müdürlüğüne"
    assert body["contacts"] == [] and body["answer"] is None
    assert body["staff_names"] == {"ankara.router": "ankara.router"}
    assert "tracking_code" not in body


def test_desk_officer_enters_an_application(staff, running_system):
    body = ankara_health_body(channel="desk")

    created = staff.desk_submit("ankara.desk", body)

    assert created.status_code == 201, created.text
    receipt = created.json()
    assert receipt["status"] == "received" and receipt["tracking_code"]
    (sms,) = wait_until(lambda: running_system.sms_for(receipt["application_no"]), timeout=5, what="SMS")
    assert receipt["tracking_code"] in sms["msg"]
    record = staff.wait_visible("ankara.router", receipt["application_no"])
    assert record["entered_by"] == "ankara.desk"
    assert record["channel"] == "desk"
    assert record["applicant"]["national_id"] == "10000000146"


def test_desk_officer_cannot_enter_another_provinces_application(staff):
    response = staff.desk_submit("ankara.desk", ankara_health_body(channel="desk", province="istanbul",
                                                                    district="kadıköy"))

    assert response.status_code == 422, response.text
    assert "province" in response.json()["error"]["fields"]


def test_desk_takes_only_the_desk_channel(staff):
    response = staff.desk_submit("ankara.desk", ankara_health_body(channel="web"))

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"channel"}


@pytest.mark.parametrize("body, fields", [
    ({"text": "kısa", "outcome": "positive"}, {"text"}),
    ({"text": "Başvurunuz incelendi ve gereği yapıldı.", "outcome": "maybe"}, {"outcome"}),
    ({"outcome": "negative"}, {"text"}),
    ({}, {"text", "outcome"}),
    ({"text": "Başvurunuz incelendi ve gereği yapıldı.", "outcome": "positive", "status": "answered"},
     {"status"}),
    ({"text": "x" * 5001, "outcome": "positive"}, {"text"}),
], ids=["short-text", "unknown-outcome", "missing-text", "empty", "server-owned-field", "long-text"])
def test_answer_validation_names_the_fields(staff, routed_to_health, body, fields):
    response = staff.request("POST", "/api/v1/staff/applications/{}/answer".format(routed_to_health),
                             "ankara.health", json=body)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == fields
    assert staff.record("ankara.health", routed_to_health).json()["status"] == "routed"


@pytest.fixture(scope="module")
def routed_to_health(staff):
    receipt = submit(staff.url, ankara_health_body())
    staff.wait_in_queue("ankara.router", receipt["application_no"])
    assert staff.route("ankara.router", receipt["application_no"], CANKAYA_HEALTH).status_code == 200
    return receipt["application_no"]


def test_queue_overdue_filter_and_pagination(staff, running_system):
    unit = staff.request("POST", "/api/v1/admin/units", "ankara.admin",
                         json={"name": "Sayfalama Deneme Birimi", "type": "governorship"})
    assert unit.status_code == 201, unit.text
    unit_id = unit.json()["unit_id"]
    past = clock.now() - timedelta(days=9)
    overdue_numbers = ["2026-7{:05d}".format(uuid.uuid4().int % 10 ** 5) for _ in range(2)]
    dispatch = event_dispatcher({"AMQP_URI": running_system.amqp_uri, "serializer": "json"})
    for hours, number in enumerate(overdue_numbers):
        dispatch("intake", "application_received", received_event(
            number, province="Ankara", province_code="06", district="Çankaya", category="health",
            received_at=clock.to_iso(past + timedelta(hours=hours)),
            due_at=clock.to_iso(past + timedelta(days=7, hours=hours))))
    on_time = submit(staff.url, ankara_health_body())["application_no"]
    for number in overdue_numbers + [on_time]:
        staff.wait_in_queue("ankara.router", number)
        assert staff.route("ankara.router", number, unit_id).status_code == 200

    everything = staff.queue("ankara.router", unit_id=unit_id).json()
    overdue = staff.queue("ankara.router", unit_id=unit_id, overdue="true").json()
    not_overdue = staff.queue("ankara.router", unit_id=unit_id, overdue="false").json()

    assert everything["total"] == 3
    assert sorted(item["application_no"] for item in overdue["items"]) == sorted(overdue_numbers)
    assert overdue["total"] == 2 and all(item["overdue"] for item in overdue["items"])
    assert [item["application_no"] for item in not_overdue["items"]] == [on_time]
    assert not_overdue["items"][0]["overdue"] is False

    pages = [staff.queue("ankara.router", unit_id=unit_id, sort="due", page_size=2, page=page).json()
             for page in (1, 2, 3)]
    assert [len(page["items"]) for page in pages] == [2, 1, 0]
    assert [page["total"] for page in pages] == [3, 3, 3]
    assert [(page["page"], page["page_size"]) for page in pages] == [(1, 2), (2, 2), (3, 2)]
    in_due_order = [item["application_no"] for page in pages for item in page["items"]]
    assert in_due_order == overdue_numbers + [on_time]

    for bad in ({"page_size": "0"}, {"page_size": "101"}, {"page": "-1"}, {"overdue": "maybe"},
                {"status": "lost"}, {"colour": "red"}):
        response = staff.queue("ankara.router", **bad)
        assert response.status_code == 422, (bad, response.text)
        assert set(response.json()["error"]["fields"]) == set(bad)


@pytest.mark.parametrize("province", ["narnia", "82"])
def test_units_of_an_unknown_province_is_a_client_error(staff, province):
    response = staff.units("ankara.router", province=province)

    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["fields"]) == {"province"}


def test_units_with_a_blank_province_are_the_officers_own(staff):
    response = staff.units("ankara.router", province="   ")

    assert response.status_code == 200, response.text
    assert response.json() == staff.units("ankara.router").json()
