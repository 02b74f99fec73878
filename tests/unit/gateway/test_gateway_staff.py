"""The gateway's staff side: tokens, bearer handling, roles at the door, and what each route asks."""
import os
import re
import stat
from itertools import product

import itsdangerous.timed
import pytest

from common.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from gateway import auth
from gateway.app import create_app
from gateway.settings import Settings
from tests.support.fake_rpc import FakeRpcPool
from tests.support.samples import PASSWORD, staff_principal
from tests.unit.gateway.test_gateway import error_of

SECRET_KEY = "unit-test-signing-key"
NUMBER = "2026-000001"
ROLES = ("desk", "router", "unit", "admin")
PRINCIPALS = {
    "desk": staff_principal("ankara.desk"),
    "router": staff_principal("ankara.router"),
    "unit": staff_principal("ankara.health"),
    "admin": staff_principal("ankara.admin"),
}
RECORD = {"application_no": NUMBER, "status": "routed", "timeline": [], "contacts": [], "answer": None}
PERSONAL_PART = {"application_no": NUMBER, "applicant": {"first_name": "Ayşe"}, "subject": "Yoldaki çukur"}
SMS_VIEWS = [{"message_id": "5d8e89124ddd482baea0899ed704a33e", "application_no": NUMBER,
              "template": "application_received", "state": "delivered", "attempts": 1, "provider": "verimor",
              "last_error": None, "created_at": "2026-03-02T10:15:01+03:00",
              "updated_at": "2026-03-02T10:15:09+03:00"}]
FAILED_SMS = [dict(SMS_VIEWS[0], state="failed", last_error="EXPIRED")]
RECEIPT = {"application_no": NUMBER, "tracking_code": "K7M2PQ9X", "status": "received",
           "received_at": "2026-03-02T10:15:00+03:00", "due_at": "2026-03-09T10:15:00+03:00"}
STATISTICS = {"province_code": "06", "unit_id": None, "from": "2026-03-01", "to": "2026-03-30", "total": 0}
PROFILE = {"username": "ankara.health", "display_name": "Ayşe Demir", "role": "unit", "province_code": "06",
           "province_name": "Ankara", "unit_id": "06-cankaya-health", "unit_name": "Çankaya İlçe Sağlık Müdürlüğü"}

INCIDENT_ID = "5d8e89124ddd482baea0899ed704a33e"
# The door of every staff route, written out: a change to a decorator must change this table too.
ROUTE_ROLES = {
    "staff.me": ("GET", "/api/v1/auth/me", {"desk", "router", "unit", "admin"}),
    "staff.submit_at_desk": ("POST", "/api/v1/desk/applications", {"desk"}),
    "staff.queue": ("GET", "/api/v1/staff/applications", {"router", "unit", "admin"}),
    "staff.record": ("GET", "/api/v1/staff/applications/" + NUMBER, {"router", "unit", "admin"}),
    "staff.route": ("POST", "/api/v1/staff/applications/{}/route".format(NUMBER), {"router"}),
    "staff.contact": ("POST", "/api/v1/staff/applications/{}/contacts".format(NUMBER), {"router", "unit"}),
    "staff.return_to_router": ("POST", "/api/v1/staff/applications/{}/return".format(NUMBER), {"unit"}),
    "staff.answer": ("POST", "/api/v1/staff/applications/{}/answer".format(NUMBER), {"unit"}),
    "staff.units": ("GET", "/api/v1/units", {"desk", "router", "unit", "admin"}),
    "staff.create_unit": ("POST", "/api/v1/admin/units", {"admin"}),
    "staff.update_unit": ("PATCH", "/api/v1/admin/units/06-health", {"admin"}),
    "staff.list_users": ("GET", "/api/v1/admin/users", {"admin"}),
    "staff.create_user": ("POST", "/api/v1/admin/users", {"admin"}),
    "staff.update_user": ("PATCH", "/api/v1/admin/users/ankara.router", {"admin"}),
    "staff.failed_sms": ("GET", "/api/v1/admin/sms/failed", {"admin"}),
    "staff.resend_sms": ("POST", "/api/v1/admin/sms/5d8e89124ddd482baea0899ed704a33e/resend", {"admin"}),
    "staff.reset_password": ("POST", "/api/v1/admin/users/ankara.router/password", {"admin"}),
    "staff.statistics": ("GET", "/api/v1/stats", {"router", "unit", "admin"}),
    "admin_privacy.export_personal_data": ("POST", "/api/v1/admin/personal-data/export", {"admin"}),
    "admin_privacy.erase_personal_data": ("POST", "/api/v1/admin/personal-data/erase", {"admin"}),
    "admin_privacy.personal_data_requests": ("GET", "/api/v1/admin/personal-data/requests", {"admin"}),
    "open311.create_client": ("POST", "/api/v1/admin/open311-clients", {"admin"}),
    "open311.list_clients": ("GET", "/api/v1/admin/open311-clients", {"admin"}),
    "open311.update_client": ("PATCH", "/api/v1/admin/open311-clients/5e1f0c2a9b7d", {"admin"}),
    "incidents.similar_applications": ("GET", "/api/v1/staff/applications/{}/similar".format(NUMBER),
                                       {"router", "unit", "admin"}),
    "incidents.create_incident": ("POST", "/api/v1/staff/incidents", {"router"}),
    "incidents.get_incident": ("GET", "/api/v1/staff/incidents/" + INCIDENT_ID, {"router", "unit", "admin"}),
    "incidents.add_to_incident": ("POST", "/api/v1/staff/incidents/{}/applications".format(INCIDENT_ID), {"router"}),
    "incidents.route_incident": ("POST", "/api/v1/staff/incidents/{}/route".format(INCIDENT_ID), {"router"}),
    "incidents.answer_incident": ("POST", "/api/v1/staff/incidents/{}/answer".format(INCIDENT_ID), {"unit"}),
}


def settings(**overrides):
    values = dict(amqp_uri="amqp://guest:guest@127.0.0.1:1/", rpc_timeout_seconds=1.0,
                  readiness_timeout_seconds=1.0, max_body_bytes=4096, retry_after_seconds=7,
                  secret_key=SECRET_KEY)
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def rpc():
    answers = {"routing.{}".format(method): RECORD for method in (
        "get_application", "route_application", "record_contact", "return_application", "answer_application")}
    answers.update({
        "routing.authenticate": PRINCIPALS["unit"],
        "routing.list_applications": {"items": [], "total": 0, "page": 1, "page_size": 20},
        "routing.list_units": [], "routing.create_unit": {"unit_id": "06-custom-1"},
        "routing.update_unit": {"unit_id": "06-health"}, "routing.list_staff": [],
        "routing.create_staff": {"username": "yeni.kullanici"}, "routing.update_staff": {"username": "ankara.router"},
        "intake.submit_application": RECEIPT, "intake.get_application_record": PERSONAL_PART,
        "notification.list_messages": SMS_VIEWS, "notification.list_failed_messages": FAILED_SMS,
        "intake.export_personal_data": lambda principal, body: {"national_id": "10000000146", "applications": [
            dict(PERSONAL_PART)]},
        "notification.export_personal_data": {NUMBER: {"recipient": None, "erased_at": None, "messages": []}},
        "routing.export_personal_data": {NUMBER: {"contacts": [], "objection": None, "erased_at": None}},
        "tracking.export_personal_data": {NUMBER: {"ratings": []}},
        "intake.erase_personal_data": {"erased": [NUMBER], "erased_at": "2026-03-02T10:15:00+03:00"},
        "tracking.get_statistics": STATISTICS,
        "routing.create_open311_client": {"client_id": "5e1f0c2a9b7d", "api_key": "ak311_x"},
        "routing.list_open311_clients": [], "routing.update_open311_client": {"client_id": "5e1f0c2a9b7d"},
        "routing.staff_profile": lambda principal: dict(PROFILE, username=principal["username"]),
        "routing.reset_password": {"username": "ankara.router", "password": "abcd-efgh-ijkm-npqr"},
        "notification.resend_message": dict(SMS_VIEWS[0], state="queued"),
        "intake.list_personal_data_requests": [], "routing.staff_display_names": {},
        "intake.similar_applications": [], "routing.visible_among": {NUMBER: {}},
        **{"routing." + method: {"incident_id": INCIDENT_ID} for method in (
            "create_incident", "get_incident", "add_to_incident", "route_incident", "answer_incident")},
    })
    return FakeRpcPool(**answers)


def staff_app(rpc, generations=None, **overrides):
    """The gateway with ``rpc`` for its services and routing's token generations from the dict
    ``generations`` (0 for an officer it does not name); the RPC that feeds them in production is
    tested on its own (test_token_generations_are_asked_of_routing)."""
    app = create_app(settings(**overrides))
    app.extensions["rpc"] = rpc
    generations = {} if generations is None else generations
    app.extensions["token_generations"] = auth.TokenGenerations(
        30, fetch=lambda username: generations.get(username, 0))
    return app


@pytest.fixture
def app(rpc):
    return staff_app(rpc)


@pytest.fixture
def client(app):
    return app.test_client()


def token_for(app, role):
    return app.extensions["token_signer"].issue(PRINCIPALS[role])


def bearer(app, role):
    return {"Authorization": "Bearer " + token_for(app, role)}


def call(client, method, path, headers, body=None):
    options = {"headers": headers}
    if method in ("POST", "PATCH"):
        options["json"] = body if body is not None else {}
    return client.open(path, method=method, **options)


# --- POST /api/v1/auth/token ------------------------------------------------------------------

def test_token_is_issued_for_the_principal_routing_authenticates(app, client, rpc):
    response = client.post("/api/v1/auth/token", json={"username": "ankara.health", "password": PASSWORD})

    assert response.status_code in (200, 201)
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in", "role", "province", "unit_id"}
    assert (body["token_type"], body["expires_in"], body["role"], body["province"], body["unit_id"]) == (
        "Bearer", 3600, "unit", "06", "06-cankaya-health")
    assert app.extensions["token_signer"].principal(body["access_token"]) == PRINCIPALS["unit"]
    assert rpc.calls == [("routing", "authenticate", ("ankara.health", PASSWORD), {})]


def test_issued_token_opens_the_staff_routes(client, rpc):
    token = client.post("/api/v1/auth/token", json={"username": "u", "password": "p"}).get_json()["access_token"]

    response = client.get("/api/v1/staff/applications", headers={"Authorization": "Bearer " + token})

    assert response.status_code == 200
    assert rpc.calls[-1] == ("routing", "list_applications", (PRINCIPALS["unit"], {}), {})


def test_expires_in_follows_the_configured_lifetime(rpc):
    app = staff_app(rpc, token_lifetime_seconds=900)

    body = app.test_client().post("/api/v1/auth/token", json={"username": "u", "password": "p"}).get_json()

    assert body["expires_in"] == 900


@pytest.mark.parametrize("body, fields", [
    ({}, {"username", "password"}),
    ({"username": "ankara.health"}, {"password"}),
    ({"username": "", "password": PASSWORD}, {"username"}),
    ({"username": "ankara.health", "password": 12345678901234}, {"password"}),
    ({"username": ["ankara.health"], "password": PASSWORD}, {"username"}),
    (["ankara.health", PASSWORD], {"body"}),
])
def test_token_request_without_credentials_is_422(client, rpc, body, fields):
    error = error_of(client.post("/api/v1/auth/token", json=body), 422, "validation_failed")

    assert set(error["fields"]) == fields
    assert PASSWORD not in str(error)
    assert rpc.calls == []


def test_refused_login_is_401_with_a_bearer_challenge(client, rpc):
    rpc.answer("routing.authenticate", Unauthorized())

    response = client.post("/api/v1/auth/token", json={"username": "ankara.health", "password": "wrong-password"})

    error_of(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert b"wrong-password" not in response.data


# --- bearer handling ----------------------------------------------------------------------------

def tampered(token):
    """The same token with one character of its payload changed."""
    index = 3
    return token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1:]


def past_token(app, seconds_ago):
    """A token the app's signer issued ``seconds_ago`` (itsdangerous stamps it with time.time())."""
    with pytest.MonkeyPatch.context() as patch:
        moment = itsdangerous.timed.time.time() - seconds_ago
        patch.setattr(itsdangerous.timed.time, "time", lambda: moment)
        return token_for(app, "router")


@pytest.fixture
def short_lived_app(rpc):
    return staff_app(rpc, token_lifetime_seconds=60)


BAD_AUTHORIZATIONS = {
    "missing": lambda app: None,
    "empty": lambda app: "",
    "wrong-scheme": lambda app: "Basic " + token_for(app, "router"),
    "scheme-only": lambda app: "Bearer",
    "scheme-and-blank": lambda app: "Bearer    ",
    "garbage": lambda app: "Bearer not.a.token",
    "tampered": lambda app: "Bearer " + tampered(token_for(app, "router")),
    "other-key": lambda app: "Bearer " + auth.TokenSigner("another key", 60).issue(PRINCIPALS["router"]),
    "other-salt": lambda app: "Bearer " + itsdangerous.URLSafeTimedSerializer(SECRET_KEY).dumps(PRINCIPALS["router"]),
    "expired": lambda app: "Bearer " + past_token(app, 61),
}


@pytest.mark.parametrize("kind", sorted(BAD_AUTHORIZATIONS))
def test_every_bad_bearer_gets_the_same_401(short_lived_app, rpc, kind):
    client = short_lived_app.test_client()
    missing = client.get("/api/v1/staff/applications")
    header = BAD_AUTHORIZATIONS[kind](short_lived_app)

    response = client.get("/api/v1/staff/applications", headers={} if header is None else {"Authorization": header})

    error_of(response, 401, "unauthorized")
    assert response.data == missing.data
    assert response.headers["WWW-Authenticate"] == missing.headers["WWW-Authenticate"]
    assert rpc.calls == []


def test_token_within_its_lifetime_is_accepted(short_lived_app, rpc):
    response = short_lived_app.test_client().get(
        "/api/v1/staff/applications", headers={"Authorization": "bearer " + past_token(short_lived_app, 50)})

    assert response.status_code == 200
    assert len(rpc.calls) == 1


def test_bad_bearer_on_a_route_the_role_could_not_use_is_still_401_not_403(client, rpc):
    response = client.post("/api/v1/admin/units", json={}, headers={"Authorization": "Bearer garbage"})

    error_of(response, 401, "unauthorized")
    assert rpc.calls == []


# --- roles at the door ----------------------------------------------------------------------------

def test_role_table_is_what_the_decorators_allow(app):
    guarded = {endpoint: set(view.allowed_roles) for endpoint, view in app.view_functions.items()
               if hasattr(view, "allowed_roles")}

    assert guarded == {endpoint: roles for endpoint, (_, _, roles) in ROUTE_ROLES.items()}


def test_role_table_paths_reach_their_endpoints(app):
    adapter = app.url_map.bind("localhost")
    for endpoint, (method, path, _) in ROUTE_ROLES.items():
        assert adapter.match(path, method=method)[0] == endpoint


@pytest.mark.parametrize("endpoint, role", sorted(product(ROUTE_ROLES, ROLES)))
def test_allowed_roles_reach_the_service_and_others_get_403_without_a_call(app, client, rpc, endpoint, role):
    method, path, allowed = ROUTE_ROLES[endpoint]

    response = call(client, method, path, bearer(app, role))

    if role in allowed:
        assert response.status_code in (200, 201), response.get_json()
        assert rpc.calls and all(PRINCIPALS[role] in args or kwargs.get("officer") == PRINCIPALS[role]
                                 for _, _, args, kwargs in rpc.calls)
    else:
        error_of(response, 403, "forbidden")
        assert rpc.calls == []


# --- what each route asks -------------------------------------------------------------------------

def test_full_record_asks_routing_first_then_intake_with_the_reason_then_notification(app, client, rpc):
    response = client.get("/api/v1/staff/applications/{}?reason=telefonla%20arama".format(NUMBER),
                          headers=bearer(app, "router"))

    assert response.status_code == 200
    assert rpc.calls == [
        ("routing", "get_application", (PRINCIPALS["router"], NUMBER), {}),
        ("intake", "get_application_record", (PRINCIPALS["router"], NUMBER), {"purpose": "telefonla arama"}),
        ("notification", "list_messages", (PRINCIPALS["router"], NUMBER), {}),
    ]
    assert response.get_json() == dict(RECORD, **PERSONAL_PART, sms=SMS_VIEWS)


def test_full_record_without_a_reason_passes_none(app, client, rpc):
    client.get("/api/v1/staff/applications/" + NUMBER, headers=bearer(app, "unit"))

    [purpose_call] = [call for call in rpc.calls if call[:2] == ("intake", "get_application_record")]
    assert purpose_call[3] == {"purpose": None}


def test_full_record_of_an_application_without_sms_has_an_empty_list(app, client, rpc):
    rpc.answer("notification.list_messages", [])

    response = client.get("/api/v1/staff/applications/" + NUMBER, headers=bearer(app, "unit"))

    assert response.status_code == 200
    assert response.get_json()["sms"] == []


def test_admin_sees_the_failed_sms_of_the_province_from_notification(app, client, rpc):
    response = client.get("/api/v1/admin/sms/failed", headers=bearer(app, "admin"))

    assert response.status_code == 200
    assert response.get_json() == FAILED_SMS
    assert rpc.calls == [("notification", "list_failed_messages", (PRINCIPALS["admin"],), {})]


def test_full_record_never_asks_intake_when_routing_says_not_found(app, client, rpc):
    rpc.answer("routing.get_application", NotFound("application"))

    response = client.get("/api/v1/staff/applications/" + NUMBER, headers=bearer(app, "unit"))

    error_of(response, 404, "not_found")
    assert [(service, method) for service, method, _, _ in rpc.calls] == [("routing", "get_application")]
    assert b"Ay\xc5\x9fe" not in response.data
    assert b"verimor" not in response.data


def test_desk_application_is_entered_for_the_officer(app, client, rpc, application_body):
    body = application_body(channel="desk", province="ankara", district="çankaya")

    response = client.post("/api/v1/desk/applications", json=body,
                           headers=dict(bearer(app, "desk"), **{"Idempotency-Key": "desk-7"}))

    assert response.status_code == 201
    assert response.get_json() == RECEIPT
    assert rpc.calls == [("intake", "submit_application", (body,),
                          {"entry_point": "desk", "idempotency_key": "desk-7", "officer": PRINCIPALS["desk"]})]


@pytest.mark.parametrize("endpoint, method_name", [
    ("staff.route", "route_application"), ("staff.contact", "record_contact"),
    ("staff.return_to_router", "return_application"), ("staff.answer", "answer_application"),
])
def test_transitions_pass_the_officer_the_number_and_the_body(app, client, rpc, endpoint, method_name):
    method, path, allowed = ROUTE_ROLES[endpoint]
    role = sorted(allowed)[0]
    body = {"unit_id": "06-health", "note": "acil"}

    response = call(client, method, path, bearer(app, role), body)

    assert response.get_json() == RECORD
    assert rpc.calls == [("routing", method_name, (PRINCIPALS[role], NUMBER, body), {})]


def test_queue_passes_the_query_string(app, client, rpc):
    client.get("/api/v1/staff/applications?status=routed&overdue=true&page=2", headers=bearer(app, "router"))

    assert rpc.calls == [("routing", "list_applications", (PRINCIPALS["router"],
                                                            {"status": "routed", "overdue": "true", "page": "2"}), {})]


def test_statistics_pass_the_officer_and_the_query_string_to_tracking(app, client, rpc):
    response = client.get("/api/v1/stats?province=ankara&unit_id=06-health&from=2026-03-01&to=2026-03-30",
                          headers=bearer(app, "admin"))

    assert response.status_code == 200
    assert response.get_json() == STATISTICS
    assert rpc.calls == [("tracking", "get_statistics", (PRINCIPALS["admin"], {
        "province": "ankara", "unit_id": "06-health", "from": "2026-03-01", "to": "2026-03-30"}), {})]


@pytest.mark.parametrize("raised, status, code", [
    (NotFound("province"), 404, "not_found"),
    (ValidationFailed({"from": "YYYY-AA-GG / YYYY-MM-DD"}), 422, "validation_failed"),
])
def test_statistics_refusals_from_tracking(app, client, rpc, raised, status, code):
    rpc.answer("tracking.get_statistics", raised)

    response = client.get("/api/v1/stats?from=dün", headers=bearer(app, "router"))

    error = error_of(response, status, code)
    if status == 422:
        assert set(error["fields"]) == {"from"}


def test_units_pass_the_province_asked_for(app, client, rpc):
    client.get("/api/v1/units?province=ankara", headers=bearer(app, "desk"))
    client.get("/api/v1/units", headers=bearer(app, "desk"))

    assert [args for _, _, args, _ in rpc.calls] == [(PRINCIPALS["desk"], "ankara"), (PRINCIPALS["desk"], None)]


@pytest.mark.parametrize("endpoint, method_name, arguments", [
    ("staff.create_unit", "create_unit", ({"name": "Birim"},)),
    ("staff.update_unit", "update_unit", ("06-health", {"name": "Birim"})),
    ("staff.list_users", "list_staff", ()),
    ("staff.create_user", "create_staff", ({"name": "Birim"},)),
    ("staff.update_user", "update_staff", ("ankara.router", {"name": "Birim"})),
])
def test_admin_routes_pass_the_admin_and_the_request(app, client, rpc, endpoint, method_name, arguments):
    method, path, _ = ROUTE_ROLES[endpoint]

    response = call(client, method, path, bearer(app, "admin"), {"name": "Birim"})

    assert response.status_code == (201 if endpoint.startswith("staff.create") else 200)
    assert rpc.calls == [("routing", method_name, (PRINCIPALS["admin"],) + arguments, {})]


def test_conflict_from_a_service_is_409_with_its_code_and_message(app, client, rpc):
    message = "Başvuru zaten bir birime yönlendirilmiş. / The application is already routed."
    rpc.answer("routing.route_application", Conflict("invalid_transition", message))

    response = client.post("/api/v1/staff/applications/{}/route".format(NUMBER), json={"unit_id": "06-health"},
                           headers=bearer(app, "router"))

    assert error_of(response, 409, "invalid_transition")["message"] == message


def test_validation_failure_from_routing_is_422_naming_the_fields(app, client, rpc):
    reasons = {"reason": "5–1000 karakter olmalı / must be 5–1000 characters"}
    rpc.answer("routing.return_application", ValidationFailed(reasons))

    response = client.post("/api/v1/staff/applications/{}/return".format(NUMBER), json={"reason": "x"},
                           headers=bearer(app, "unit"))

    assert error_of(response, 422, "validation_failed")["fields"] == reasons


def test_staff_body_that_is_not_json_is_415_before_any_call(app, client, rpc):
    response = client.post("/api/v1/staff/applications/{}/answer".format(NUMBER), data="text=x",
                           content_type="application/x-www-form-urlencoded", headers=bearer(app, "unit"))

    error_of(response, 415, "unsupported_media_type")
    assert rpc.calls == []


# --- the signing key ------------------------------------------------------------------------------

@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return tmp_path / "var"


def test_secret_key_is_generated_into_data_dir_once_and_reused(data_dir):
    first = auth.secret_key()
    second = auth.secret_key()

    key_file = data_dir / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_apps_without_a_configured_key_share_the_generated_one(data_dir, rpc):
    first, second = (staff_app(rpc, secret_key=None) for _ in range(2))

    token = first.extensions["token_signer"].issue(PRINCIPALS["router"])
    response = second.test_client().get("/api/v1/staff/applications", headers={"Authorization": "Bearer " + token})

    assert response.status_code == 200


def test_configured_secret_key_is_used_and_nothing_is_written(data_dir, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")

    assert auth.secret_key() == "from-the-environment"
    assert not (data_dir / "secret_key").exists()


def test_tokens_of_one_key_are_refused_under_another(data_dir, rpc):
    issuer = create_app(settings(secret_key="first key"))
    checker = staff_app(rpc, secret_key="second key")

    token = issuer.extensions["token_signer"].issue(PRINCIPALS["router"])

    error_of(checker.test_client().get("/api/v1/staff/applications", headers={"Authorization": "Bearer " + token}),
             401, "unauthorized")
    assert rpc.calls == []
