"""The gateway's routes for the staff console's working day (issue 18): who is logged in, the queue's
search and subjects, password resets, SMS resends and the KVKK request list — what each asks of
which service, in which order, and how their refusals come out."""
from datetime import datetime, timedelta

import itsdangerous.timed
import pytest

from common import clock
from common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gateway.rpc import RpcTimedOut, ServiceUnavailable
from tests.unit.gateway.test_gateway_staff import (  # noqa: F401  (app, client, rpc: fixtures)
    PRINCIPALS,
    PROFILE,
    app,
    bearer,
    client,
    error_of,
    rpc,
    token_for,
)

QUEUE = "/api/v1/staff/applications"
ENTRY = {"application_no": "2026-000007", "status": "unrouted", "days_left": 2, "due_state": "fine"}
OTHER_ENTRY = dict(ENTRY, application_no="2026-000003")
COUNTS = {"unrouted": 2, "routed": 0, "returned": 0, "answered": 0, "open": 2}
PAGE = {"items": [ENTRY, OTHER_ENTRY], "total": 2, "page": 1, "page_size": 20, "counts": COUNTS}
EMPTY_PAGE = {"items": [], "total": 0, "page": 1, "page_size": 20, "counts": dict.fromkeys(COUNTS, 0)}


# --- GET /api/v1/auth/me --------------------------------------------------------------------------

def test_me_is_routings_profile_and_when_the_token_expires(app, client, rpc):
    signed_at = datetime(2026, 12, 2, 11, 5, 0).timestamp()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(itsdangerous.timed.time, "time", lambda: signed_at)
        token = token_for(app, "unit")
        response = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer " + token})

    assert response.status_code == 200
    expires_at = datetime.fromtimestamp(signed_at).astimezone() + timedelta(seconds=3600)
    assert response.get_json() == dict(PROFILE, expires_at=clock.to_iso(expires_at))
    assert rpc.calls == [("routing", "staff_profile", (PRINCIPALS["unit"],), {})]


def test_me_without_a_token_is_401_and_asks_nobody(client, rpc):
    error_of(client.get("/api/v1/auth/me"), 401, "unauthorized")

    assert rpc.calls == []


# --- the queue and its search ---------------------------------------------------------------------

def test_queue_without_q_is_routings_page_with_the_subjects_from_intake(app, client, rpc):
    rpc.answer("routing.list_applications", PAGE)
    rpc.answer("intake.application_subjects", {"2026-000007": "Yoldaki çukur", "2026-000003": None})

    response = client.get(QUEUE + "?status=open&sort=due", headers=bearer(app, "router"))

    assert response.status_code == 200
    assert response.get_json() == dict(PAGE, items=[dict(ENTRY, subject="Yoldaki çukur"),
                                                    dict(OTHER_ENTRY, subject=None)], search=None)
    assert rpc.calls == [
        ("routing", "list_applications", (PRINCIPALS["router"], {"status": "open", "sort": "due"}), {}),
        ("intake", "application_subjects", (PRINCIPALS["router"], ["2026-000007", "2026-000003"]), {}),
    ]


@pytest.mark.parametrize("q", ["", "   "])
def test_blank_q_is_no_search(app, client, rpc, q):
    response = client.get(QUEUE + "?q=" + q, headers=bearer(app, "router"))

    assert response.get_json()["search"] is None
    assert rpc.calls == [("routing", "list_applications", (PRINCIPALS["router"], {}), {})]


def test_q_is_searched_in_intake_then_routing_lists_only_what_was_found(app, client, rpc):
    rpc.answer("intake.find_applications", {"matched_by": "words", "application_nos": ["2026-000007", "2026-000003"]})
    rpc.answer("routing.list_applications", PAGE)
    rpc.answer("intake.application_subjects", {"2026-000007": "Yoldaki çukur", "2026-000003": "Çukur"})

    response = client.get(QUEUE + "?q=%20%C3%A7ukur%20&page=1", headers=bearer(app, "unit"))

    assert response.status_code == 200
    body = response.get_json()
    assert body["search"] == {"q": "çukur", "matched_by": "words"}
    assert [item["subject"] for item in body["items"]] == ["Yoldaki çukur", "Çukur"]
    assert body["counts"] == COUNTS
    assert rpc.calls == [
        ("intake", "find_applications", (PRINCIPALS["unit"], " çukur "), {}),
        ("routing", "list_applications", (PRINCIPALS["unit"], {"page": "1"}, ["2026-000007", "2026-000003"]), {}),
        ("intake", "application_subjects", (PRINCIPALS["unit"], ["2026-000007", "2026-000003"]), {}),
    ]


def test_a_search_that_finds_nothing_is_an_empty_page_with_zero_counts(app, client, rpc):
    rpc.answer("intake.find_applications", {"matched_by": "national_id", "application_nos": []})
    rpc.answer("routing.list_applications", EMPTY_PAGE)

    response = client.get(QUEUE + "?q=10000000146", headers=bearer(app, "admin"))

    assert response.get_json() == dict(EMPTY_PAGE, search={"q": "10000000146", "matched_by": "national_id"})
    assert [call[:2] for call in rpc.calls] == [("intake", "find_applications"), ("routing", "list_applications")]
    assert rpc.calls[1][2][2] == []


def test_unit_officer_searching_by_national_id_is_403_with_intakes_code(app, client, rpc):
    message = "T.C. kimlik numarasıyla yalnızca yönlendirme görevlileri arayabilir. / Only routers may search by it."
    rpc.answer("intake.find_applications", Forbidden("national_id_search_forbidden", message))

    response = client.get(QUEUE + "?q=10000000146", headers=bearer(app, "unit"))

    assert error_of(response, 403, "national_id_search_forbidden")["message"] == message
    assert [call[:2] for call in rpc.calls] == [("intake", "find_applications")]


def test_bad_q_is_422_naming_q(app, client, rpc):
    reasons = {"q": "1–100 karakter olmalı / must be 1–100 characters"}
    rpc.answer("intake.find_applications", ValidationFailed(reasons))

    response = client.get(QUEUE + "?q=" + "a" * 101, headers=bearer(app, "router"))

    assert error_of(response, 422, "validation_failed")["fields"] == reasons


@pytest.mark.parametrize("failure", [ServiceUnavailable(), RpcTimedOut()])
def test_queue_without_intakes_subjects_is_still_the_page(app, client, rpc, failure):
    rpc.answer("routing.list_applications", PAGE)
    rpc.answer("intake.application_subjects", failure)

    response = client.get(QUEUE, headers=bearer(app, "router"))

    assert response.status_code == 200
    assert [item["subject"] for item in response.get_json()["items"]] == [None, None]


def test_queue_is_503_when_routing_is_away(app, client, rpc):
    rpc.answer("routing.list_applications", ServiceUnavailable())

    error_of(client.get(QUEUE, headers=bearer(app, "router")), 503, "service_unavailable")


# --- password reset ---------------------------------------------------------------------------------

def test_password_reset_is_routings_new_password_shown_once(app, client, rpc):
    response = client.post("/api/v1/admin/users/ankara.router/password", headers=bearer(app, "admin"))

    assert response.status_code == 200
    assert response.get_json() == {"username": "ankara.router", "password": "abcd-efgh-ijkm-npqr"}
    assert response.headers["Cache-Control"] == "no-store"
    assert rpc.calls == [("routing", "reset_password", (PRINCIPALS["admin"], "ankara.router"), {})]


def test_password_reset_of_someone_unknown_or_elsewhere_is_404(app, client, rpc):
    rpc.answer("routing.reset_password", NotFound("staff"))

    error_of(client.post("/api/v1/admin/users/istanbul.router/password", headers=bearer(app, "admin")),
             404, "not_found")


# --- SMS resend --------------------------------------------------------------------------------------

MESSAGE_ID = "5d8e89124ddd482baea0899ed704a33e"


def test_resend_is_notifications_new_message_created(app, client, rpc):
    response = client.post("/api/v1/admin/sms/{}/resend".format(MESSAGE_ID), headers=bearer(app, "admin"))

    assert response.status_code == 201
    assert response.get_json()["state"] == "queued"
    assert rpc.calls == [("notification", "resend_message", (PRINCIPALS["admin"], MESSAGE_ID), {})]


@pytest.mark.parametrize("raised, status, code", [
    (Conflict("sms_not_resendable", "Bu SMS zaten yeniden gönderildi. / This SMS has been resent already."),
     409, "sms_not_resendable"),
    (NotFound("message"), 404, "not_found"),
])
def test_resend_refusals_from_notification(app, client, rpc, raised, status, code):
    rpc.answer("notification.resend_message", raised)

    response = client.post("/api/v1/admin/sms/{}/resend".format(MESSAGE_ID), headers=bearer(app, "admin"))

    error_of(response, status, code)


# --- KVKK requests ----------------------------------------------------------------------------------

KVKK_REQUESTS = [
    {"action": "kvkk_erasure", "at": "2026-03-02T10:15:00+03:00", "by": "ankara.admin",
     "national_id_masked": "100******46", "applications": 2, "reason": "KVKK silme başvurusu"},
    {"action": "kvkk_export", "at": "2026-03-01T09:00:00+03:00", "by": "eski.admin",
     "national_id_masked": "123******46", "applications": 1, "reason": None},
]


def test_kvkk_requests_are_intakes_with_the_admins_names_from_routing(app, client, rpc):
    rpc.answer("intake.list_personal_data_requests", KVKK_REQUESTS)
    rpc.answer("routing.staff_display_names", {"ankara.admin": "Mehmet Kaya"})

    response = client.get("/api/v1/admin/personal-data/requests", headers=bearer(app, "admin"))

    assert response.status_code == 200
    assert response.get_json() == [dict(KVKK_REQUESTS[0], by_name="Mehmet Kaya"),
                                   dict(KVKK_REQUESTS[1], by_name="eski.admin")]
    assert rpc.calls == [
        ("intake", "list_personal_data_requests", (PRINCIPALS["admin"],), {}),
        ("routing", "staff_display_names", (PRINCIPALS["admin"], ["ankara.admin", "eski.admin"]), {}),
    ]


def test_kvkk_requests_without_routing_keep_the_usernames(app, client, rpc):
    rpc.answer("intake.list_personal_data_requests", KVKK_REQUESTS)
    rpc.answer("routing.staff_display_names", RpcTimedOut())

    response = client.get("/api/v1/admin/personal-data/requests", headers=bearer(app, "admin"))

    assert [request["by_name"] for request in response.get_json()] == ["ankara.admin", "eski.admin"]


def test_no_kvkk_requests_asks_routing_nothing(app, client, rpc):
    response = client.get("/api/v1/admin/personal-data/requests", headers=bearer(app, "admin"))

    assert response.get_json() == []
    assert [call[:2] for call in rpc.calls] == [("intake", "list_personal_data_requests")]
