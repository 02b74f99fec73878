"""The staff console's API for a whole working day (issue 18), over HTTP against the real processes:
who is logged in; the queue searched by number, national ID (routers and admins, audited) and
Turkish words, with its tabs' counts, days left and the three sorts; a unit that cannot be
deactivated while applications are open there, and its active officers; a password reset shown
once; a failed SMS sent again; the KVKK requests of the province, their national IDs masked.

The system is the session's, shared with other test files: accounts and units made here have names
of their own, and the sample accounts are left as they are.
"""
import random
import uuid
from datetime import timedelta

import pytest
import requests

from common import clock
from tests.support.processes import wait_until
from tests.support.samples import PASSWORD, national_id
from tests.support.staff_client import ankara_health_body, submit

ADMIN, ROUTER, HEALTH = "ankara.admin", "ankara.router", "ankara.health"
CANKAYA_HEALTH = "06-cankaya-health"
ORDER = ("unrouted", "routed", "returned", "answered")
# Refusals of the fake Verimor (the session's provider): the number's fault, and ours (no credit).
NUMBER_FAULT = {"status": 400, "body": "INVALID_DESTINATION_ADDRESS 905321234567"}
NOT_THE_NUMBERS_FAULT = {"status": 400, "body": "INSUFFICIENT_CREDITS"}


def unique_word():
    """Ten ASCII letters no other application's text holds."""
    return "".join(chr(ord("a") + int(digit, 16) % 26) for digit in uuid.uuid4().hex[:10])


def someone():
    """A national ID of nobody else in this session."""
    return national_id(str(random.randrange(100000000, 1000000000)))


def applicant(national):
    return {"national_id": national, "first_name": "Ayşe", "last_name": "Yılmaz", "phone": "0532 123 45 67"}


def numbers_of(page):
    return [item["application_no"] for item in page["items"]]


def me(staff, username):
    response = staff.request("GET", "/api/v1/auth/me", username)
    assert response.status_code == 200, response.text
    return response.json()


# --- who is logged in -----------------------------------------------------------------------------

@pytest.mark.parametrize("username, role, unit_name", [
    ("ankara.desk", "desk", None), (ROUTER, "router", None), (HEALTH, "unit", "Çankaya İlçe Sağlık Müdürlüğü"),
    (ADMIN, "admin", None)])
def test_me_says_who_is_logged_in_and_until_when(staff, username, role, unit_name):
    staff.token(username)  # logged in now, if not before
    profile = me(staff, username)

    assert (profile["username"], profile["role"], profile["province_code"], profile["province_name"]) == (
        username, role, "06", "Ankara")
    assert profile["unit_name"] == unit_name and profile["display_name"]
    expires_in = clock.from_iso(profile["expires_at"]) - clock.now()
    assert timedelta(0) < expires_in <= timedelta(hours=1)


def test_me_without_a_token_is_401(staff):
    assert staff.request("GET", "/api/v1/auth/me", None).status_code == 401


# --- the queue: search, tabs, days left, sorts ----------------------------------------------------

@pytest.fixture(scope="module")
def searchable(staff):
    """An Ankara application whose subject shouts in Turkish capitals, with a word of its own and an
    applicant of its own."""
    word, national = unique_word(), someone()
    body = ankara_health_body(applicant=applicant(national), subject="IŞIK direği eğildi {}".format(word),
                              description="İzmir yolundaki sokak lambası iki gündür yanmıyor.")
    receipt = submit(staff.url, body)
    staff.wait_in_queue(ROUTER, receipt["application_no"])
    return {"number": receipt["application_no"], "word": word, "national_id": national, "subject": body["subject"]}


def test_search_by_application_number_finds_exactly_it(staff, searchable):
    page = staff.queue(ROUTER, q=" {} ".format(searchable["number"])).json()

    assert numbers_of(page) == [searchable["number"]]
    assert page["search"] == {"q": searchable["number"], "matched_by": "number"}
    assert page["items"][0]["subject"] == searchable["subject"]
    assert page["counts"] == {"unrouted": 1, "routed": 0, "returned": 0, "answered": 0, "open": 1}


@pytest.mark.parametrize("words", ["ışık {word}", "{WORD} Işık", "izmir {word} lambası", "İZMİR SOKAK {word}"])
def test_search_by_words_ignores_case_and_dotted_or_dotless_i(staff, searchable, words):
    q = words.format(word=searchable["word"], WORD=searchable["word"].upper())

    page = staff.queue(ROUTER, q=q).json()

    assert numbers_of(page) == [searchable["number"]]
    assert page["search"]["matched_by"] == "words"


def test_every_word_must_be_found(staff, searchable):
    page = staff.queue(ROUTER, q="ışık {} çamur{}".format(searchable["word"], unique_word())).json()

    assert (page["items"], page["total"]) == ([], 0)
    assert set(page["counts"].values()) == {0}


@pytest.mark.parametrize("username", [ROUTER, ADMIN])
def test_routers_and_admins_search_by_national_id(staff, searchable, username):
    page = staff.queue(username, q=searchable["national_id"]).json()

    assert numbers_of(page) == [searchable["number"]]
    assert page["search"]["matched_by"] == "national_id"


def test_a_unit_officer_may_not_search_by_national_id(staff, searchable):
    response = staff.queue(HEALTH, q=searchable["national_id"])

    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "national_id_search_forbidden"
    assert " / " in response.json()["error"]["message"]


def test_a_unit_officer_finds_only_what_is_with_their_unit(staff, searchable):
    assert staff.queue(HEALTH, q=searchable["number"]).json()["items"] == []


@pytest.mark.parametrize("q", ["a" * 101, "x"])
def test_a_bad_search_is_422_naming_q(staff, q):
    response = staff.queue(ROUTER, q=q)

    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["fields"]) == {"q"}


def test_tabs_count_the_queue_and_the_open_tab_is_sorted_by_status_then_due(staff, searchable):
    page = staff.queue(ROUTER, status="open", sort="status", page_size=100).json()
    totals = {status: staff.queue(ROUTER, status=status).json()["total"] for status in ORDER}

    assert page["counts"] == dict(totals, open=totals["unrouted"] + totals["routed"] + totals["returned"])
    assert page["total"] == page["counts"]["open"]
    ranks = [(ORDER.index(item["status"]), clock.from_iso(item["due_at"])) for item in page["items"]]
    assert ranks == sorted(ranks) and {status for status, _ in ranks} <= {0, 1, 2}
    [entry] = staff.queue(ROUTER, q=searchable["number"]).json()["items"]
    assert (entry["days_left"], entry["due_state"], entry["overdue"]) == (6, "fine", False)


def test_a_unit_officers_open_tab_holds_only_routed_applications(staff):
    receipt = submit(staff.url, ankara_health_body())
    staff.wait_in_queue(ROUTER, receipt["application_no"])
    assert staff.route(ROUTER, receipt["application_no"], CANKAYA_HEALTH).status_code == 200

    page = staff.queue(HEALTH, status="open", page_size=100).json()

    assert receipt["application_no"] in numbers_of(page)
    assert {item["status"] for item in page["items"]} == {"routed"}
    assert (page["counts"]["unrouted"], page["counts"]["returned"]) == (0, 0)


@pytest.mark.parametrize("sort, key, newest_first", [("due", "due_at", False), ("received", "received_at", True),
                                                     ("newest", "received_at", True)])
def test_the_queue_sorts_by_due_or_received_time(staff, searchable, sort, key, newest_first):
    times = [clock.from_iso(item[key]) for item in staff.queue(ROUTER, sort=sort, page_size=50).json()["items"]]

    assert times == sorted(times, reverse=newest_first)


# --- units and their officers ---------------------------------------------------------------------

def admin_call(staff, method, path, body=None):
    response = staff.request(method, path, ADMIN, json=body)
    assert response.status_code < 300, response.text
    return response.json()


def test_a_unit_with_an_open_application_cannot_be_deactivated_until_it_is_answered(staff):
    word = unique_word()
    unit = admin_call(staff, "POST", "/api/v1/admin/units", {"name": "Deneme Birimi {}".format(word),
                                                            "type": "police"})
    officer = "birim.{}".format(word)
    admin_call(staff, "POST", "/api/v1/admin/users", {"username": officer, "password": PASSWORD, "role": "unit",
                                                      "province": "06", "unit_id": unit["unit_id"],
                                                      "display_name": "Kemal Öztürk"})
    listed = {listed["unit_id"]: listed for listed in staff.units(ROUTER).json()}
    assert listed[unit["unit_id"]]["active_officers"] == 1
    assert listed[CANKAYA_HEALTH]["active_officers"] >= 1
    receipt = submit(staff.url, ankara_health_body())
    staff.wait_in_queue(ROUTER, receipt["application_no"])
    assert staff.route(ROUTER, receipt["application_no"], unit["unit_id"]).status_code == 200

    refused = staff.request("PATCH", "/api/v1/admin/units/" + unit["unit_id"], ADMIN, json={"active": False})

    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "unit_has_open_applications"
    assert "1" in refused.json()["error"]["message"]
    answered = staff.answer(officer, receipt["application_no"])
    assert answered.status_code == 200, answered.text
    assert answered.json()["staff_names"] == {ROUTER: me(staff, ROUTER)["display_name"], officer: "Kemal Öztürk"}
    assert admin_call(staff, "PATCH", "/api/v1/admin/units/" + unit["unit_id"], {"active": False})["active"] is False


# --- accounts: display names and a password reset -------------------------------------------------

def test_admin_resets_a_password_that_is_shown_once(staff):
    username = "konsol.{}".format(unique_word())
    created = admin_call(staff, "POST", "/api/v1/admin/users", {"username": username, "password": PASSWORD,
                                                                "role": "router", "province": "ankara",
                                                                "display_name": "Deniz Kılıç"})
    assert created["display_name"] == "Deniz Kılıç"
    old_headers = staff.headers(username)  # a token from before the reset, not used yet

    reset = staff.request("POST", "/api/v1/admin/users/{}/password".format(username), ADMIN)

    assert reset.status_code == 200, reset.text
    assert reset.headers["Cache-Control"] == "no-store"
    new_password = reset.json()["password"]
    assert reset.json()["username"] == username and len(new_password) >= 12
    assert staff.request("GET", "/api/v1/auth/me", old_headers).status_code == 401
    assert staff.login(username, PASSWORD).status_code == 401
    logged_in = staff.login(username, new_password)
    assert logged_in.status_code == 200, logged_in.text
    headers = {"Authorization": "Bearer " + logged_in.json()["access_token"]}
    assert staff.request("GET", "/api/v1/auth/me", headers).json()["display_name"] == "Deniz Kılıç"
    users = {user["username"]: user for user in admin_call(staff, "GET", "/api/v1/admin/users")}
    assert users[username]["display_name"] == "Deniz Kılıç"
    assert new_password not in str(users)


def test_password_reset_of_another_provinces_officer_is_404(staff):
    assert staff.request("POST", "/api/v1/admin/users/istanbul.router/password", ADMIN).status_code == 404
    assert staff.request("POST", "/api/v1/admin/users/istanbul.router/password", ROUTER).status_code == 403


# --- failed SMS -------------------------------------------------------------------------------------

def received_sms(staff, number):
    record = staff.record(ADMIN, number)
    if record.status_code != 200:
        return []
    return [sms for sms in record.json().get("sms") or [] if sms["template"] == "application_received"]


def failed_application(running_system, staff, refusal):
    """An Ankara application whose "received" SMS the fake provider refused with ``refusal``."""
    running_system.sms_behaviour(steps=[refusal])
    try:
        number = submit(running_system.url, ankara_health_body())["application_no"]
        wait_until(lambda: [sms["state"] for sms in received_sms(staff, number)] == ["failed"], timeout=10,
                   what="the SMS failed")
    finally:
        running_system.sms_behaviour(clear=True)
    return number


def failed_item(staff, number):
    listed = staff.request("GET", "/api/v1/admin/sms/failed", ADMIN)
    assert listed.status_code == 200, listed.text
    return next(item for item in listed.json() if item["application_no"] == number)


def test_an_sms_that_failed_not_for_the_numbers_fault_is_sent_again_once(running_system, staff):
    number = failed_application(running_system, staff, NOT_THE_NUMBERS_FAULT)
    failed = failed_item(staff, number)
    assert failed["resendable"] is True and failed["reason"]["tr"] and failed["reason"]["en"]
    assert staff.request("POST", "/api/v1/admin/sms/{}/resend".format(failed["message_id"]), ROUTER
                         ).status_code == 403

    resent = staff.request("POST", "/api/v1/admin/sms/{}/resend".format(failed["message_id"]), ADMIN)

    assert resent.status_code == 201, resent.text
    assert (resent.json()["application_no"], resent.json()["template"]) == (number, failed["template"])
    assert resent.json()["message_id"] != failed["message_id"]
    def both_sent_once():
        messages = {sms["message_id"]: sms for sms in received_sms(staff, number)}
        resent_one = messages.get(resent.json()["message_id"])
        return messages if resent_one and resent_one["sent_at"] else None

    messages = wait_until(both_sent_once, timeout=10, what="the resent SMS sent")
    assert messages[failed["message_id"]]["state"] == "failed" and len(messages) == 2
    again = staff.request("POST", "/api/v1/admin/sms/{}/resend".format(failed["message_id"]), ADMIN)
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "sms_not_resendable"


def test_an_sms_that_failed_for_the_numbers_fault_is_not_sent_again(running_system, staff):
    number = failed_application(running_system, staff, NUMBER_FAULT)
    failed = failed_item(staff, number)
    assert failed["resendable"] is False

    refused = staff.request("POST", "/api/v1/admin/sms/{}/resend".format(failed["message_id"]), ADMIN)

    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "sms_not_resendable"
    assert len(received_sms(staff, number)) == 1


def test_resending_an_unknown_message_is_404(staff):
    assert staff.request("POST", "/api/v1/admin/sms/{}/resend".format(uuid.uuid4().hex), ADMIN).status_code == 404


# --- KVKK requests ------------------------------------------------------------------------------------

def test_kvkk_requests_list_exports_and_erasures_newest_first_the_id_masked(staff):
    national = someone()
    receipt = submit(staff.url, ankara_health_body(applicant=applicant(national)))
    staff.wait_visible(ROUTER, receipt["application_no"])
    exported = staff.request("POST", "/api/v1/admin/personal-data/export", ADMIN, json={"national_id": national})
    assert exported.status_code == 200, exported.text
    erased = staff.request("POST", "/api/v1/admin/personal-data/erase", ADMIN,
                           json={"national_id": national, "reason": "KVKK silme başvurusu (dilekçe)"})
    assert erased.status_code == 200, erased.text

    response = staff.request("GET", "/api/v1/admin/personal-data/requests", ADMIN)

    assert response.status_code == 200, response.text
    masked = national[:3] + "******" + national[-2:]
    mine = [request for request in response.json() if request["national_id_masked"] == masked]
    assert [request["action"] for request in mine] == ["kvkk_erasure", "kvkk_export"]
    assert [request["reason"] for request in mine] == ["KVKK silme başvurusu (dilekçe)", None]
    assert all(request["applications"] == 1 and request["by"] == ADMIN for request in mine)
    assert all(request["by_name"] == me(staff, ADMIN)["display_name"] for request in mine)
    assert national not in response.text
    assert staff.request("GET", "/api/v1/admin/personal-data/requests", ROUTER).status_code == 403


def test_the_new_routes_are_in_the_openapi_document(running_system):
    paths = requests.get(running_system.url + "/api/v1/openapi.json", timeout=15).json()["paths"]

    assert "get" in paths["/api/v1/auth/me"]
    assert "post" in paths["/api/v1/admin/users/{username}/password"]
    assert "post" in paths["/api/v1/admin/sms/{message_id}/resend"]
    assert "get" in paths["/api/v1/admin/personal-data/requests"]
    queue = paths["/api/v1/staff/applications"]["get"]
    assert "q" in {parameter["name"] for parameter in queue["parameters"]}
