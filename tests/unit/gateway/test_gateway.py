import json

import pytest

from common.errors import Conflict, NotFound, ValidationFailed
from gateway.app import create_app
from gateway.rpc import RpcTimedOut, ServiceUnavailable
from gateway.settings import Settings
from tests.support.fake_rpc import FakeRpcPool

MAX_BODY_BYTES = 4096
RETRY_AFTER = "7"
NUMBER = "2026-000001"
RECEIPT = {
    "application_no": NUMBER, "tracking_code": "K7M2PQ9X", "status": "received",
    "received_at": "2026-03-02T10:15:00+03:00", "due_at": "2026-03-09T10:15:00+03:00",
}
STATUS_VIEW = {
    "application_no": NUMBER, "status": "received", "kind": "complaint", "category": "general",
    "province": "İstanbul", "district": "Kadıköy", "received_at": "2026-03-02T10:15:00+03:00",
    "due_at": "2026-03-09T10:15:00+03:00", "updated_at": "2026-03-02T10:15:00+03:00",
    "timeline": [{"at": "2026-03-02T10:15:00+03:00", "status": "received",
                  "text": "Başvurunuz alındı ve kayda geçti."}],
}
CATALOGUE = {"kinds": [{"code": "complaint", "name": {"tr": "Şikâyet", "en": "Complaint"}}],
             "categories": [], "provinces": []}


CITIZEN_ANSWERS = {
    "intake.submit_application": RECEIPT,
    "intake.get_catalog": CATALOGUE,
    "tracking.get_application_status": STATUS_VIEW,
}


@pytest.fixture
def rpc():
    return FakeRpcPool(**CITIZEN_ANSWERS)


def build_app(rpc, readiness, **settings):
    app = create_app(Settings(
        amqp_uri="amqp://guest:guest@127.0.0.1:1/", rpc_timeout_seconds=1.0,
        readiness_timeout_seconds=1.0, max_body_bytes=MAX_BODY_BYTES,
        retry_after_seconds=int(RETRY_AFTER), **settings,
    ))
    app.extensions["rpc"] = rpc
    app.extensions["readiness_rpc"] = readiness
    return app


@pytest.fixture
def client(rpc, readiness):
    return build_app(rpc, readiness).test_client()


def error_of(response, status, code):
    """The error body, after checking the one shape every error has."""
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    expected_keys = {"code", "message", "fields"} if status == 422 else {"code", "message"}
    assert set(error) == expected_keys
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    return error


def post_application(client, body=None, **kwargs):
    return client.post("/api/v1/applications", json=body if body is not None else {"kind": "complaint"},
                       **kwargs)


# Submitting

def test_submission_answers_201_with_the_receipt_and_its_location(client, rpc, application_body):
    body = application_body()

    response = post_application(client, body, headers={"Idempotency-Key": "retry-77"})

    assert response.status_code == 201
    assert response.get_json() == RECEIPT
    assert response.headers["Location"].endswith("/api/v1/applications/" + NUMBER)
    assert rpc.calls == [("intake", "submit_application", (body,),
                          {"entry_point": "citizen", "idempotency_key": "retry-77"})]


def test_submission_without_a_key_passes_none(client, rpc):
    post_application(client)

    [(_, _, _, kwargs)] = rpc.calls
    assert kwargs["idempotency_key"] is None


def test_body_that_is_not_json_is_415(client, rpc):
    response = client.post("/api/v1/applications", data="kind=complaint",
                           content_type="application/x-www-form-urlencoded")

    error_of(response, 415, "unsupported_media_type")
    assert rpc.calls == []


@pytest.mark.parametrize("raw", ['{"kind": "complaint"', '{"kind": NaN}', '{"n": Infinity}', "\xff"],
                         ids=["truncated", "nan", "infinity", "not-utf8"])
def test_malformed_json_is_400(client, rpc, raw):
    response = client.post("/api/v1/applications", data=raw.encode("latin-1"), content_type="application/json")

    error_of(response, 400, "malformed_request")
    assert rpc.calls == []


def test_json_nested_too_deep_is_400(client, rpc):
    response = client.post("/api/v1/applications", data=b"[" * 2000 + b"]" * 2000,
                           content_type="application/json")

    error_of(response, 400, "malformed_request")
    assert rpc.calls == []


def test_body_over_the_size_limit_is_413(client, rpc):
    response = post_application(client, {"description": "x" * MAX_BODY_BYTES})

    error_of(response, 413, "payload_too_large")
    assert rpc.calls == []


def test_validation_failure_is_422_naming_the_fields(client, rpc):
    reasons = {"applicant.phone": "geçersiz telefon numarası / invalid phone number"}
    rpc.answer("intake.submit_application", ValidationFailed(reasons))

    error = error_of(post_application(client), 422, "validation_failed")

    assert error["fields"] == reasons


def test_reused_idempotency_key_is_409(client, rpc):
    rpc.answer("intake.submit_application", Conflict("idempotency_key_reused", "reused / reused"))

    error_of(post_application(client, headers={"Idempotency-Key": "k"}), 409, "idempotency_key_reused")


def test_unavailable_service_is_503_with_retry_after(client, rpc):
    rpc.answer("intake.submit_application", ServiceUnavailable("intake"))

    response = post_application(client)

    error_of(response, 503, "service_unavailable")
    assert response.headers["Retry-After"] == RETRY_AFTER


def test_timed_out_service_is_504_with_retry_after(client, rpc):
    rpc.answer("intake.submit_application", RpcTimedOut("intake"))

    response = post_application(client)

    error_of(response, 504, "service_timeout")
    assert response.headers["Retry-After"] == RETRY_AFTER


def test_unexpected_service_failure_is_500_in_the_shape_without_details(client, rpc):
    rpc.answer("intake.submit_application", RuntimeError("10000000146 broke the store"))

    response = post_application(client)

    error_of(response, 500, "internal_error")
    assert b"10000000146" not in response.data
    assert "Retry-After" not in response.headers


# Tracking

def test_tracking_passes_number_code_and_language(client, rpc):
    response = client.get("/api/v1/applications/{}?tracking_code=K7M2PQ9X&language=en".format(NUMBER))

    assert response.status_code == 200
    assert response.get_json() == STATUS_VIEW
    assert rpc.calls == [("tracking", "get_application_status", (NUMBER, "K7M2PQ9X"), {"language": "en"})]


@pytest.mark.parametrize("query", ["", "?tracking_code=", "?tracking_code=%20%20"])
def test_tracking_without_a_code_is_422_naming_tracking_code(client, rpc, query):
    error = error_of(client.get("/api/v1/applications/{}{}".format(NUMBER, query)), 422, "validation_failed")

    assert list(error["fields"]) == ["tracking_code"]
    assert rpc.calls == []


@pytest.mark.parametrize("path", [
    "/api/v1/applications/2026-12?tracking_code=K7M2PQ9X",
    "/api/v1/applications/not-a-number?tracking_code=K7M2PQ9X",
    "/api/v1/applications/{}?tracking_code={}".format(NUMBER, "K" * 33),
], ids=["short-number", "not-a-number", "code-too-long"])
def test_malformed_lookup_is_the_same_404_as_an_unknown_application(client, rpc, path):
    rpc.answer("tracking.get_application_status", NotFound("application"))
    unknown = client.get("/api/v1/applications/2026-999999?tracking_code=K7M2PQ9X")
    calls_for_unknown = len(rpc.calls)

    malformed = client.get(path)

    error_of(malformed, 404, "not_found")
    assert malformed.data == unknown.data
    assert malformed.status_code == unknown.status_code
    assert len(rpc.calls) == calls_for_unknown  # refused without asking tracking


# Routing errors

def test_unknown_route_is_404_in_the_error_shape(client):
    error_of(client.get("/api/v1/nowhere"), 404, "not_found")


def test_wrong_method_is_405_in_the_error_shape(client):
    error_of(client.delete("/api/v1/applications"), 405, "method_not_allowed")


def test_wrong_method_names_the_allowed_methods(client):
    response = client.delete("/api/v1/applications")

    assert "POST" in response.headers.get("Allow", "")


# Monitoring

def test_healthz_answers_without_asking_anyone(client, rpc, readiness):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert rpc.calls == readiness.calls == []


def test_the_benchmark_echo_route_does_not_exist_unless_switched_on(client, rpc):
    assert client.get("/bench/rpc-echo").status_code == 404
    assert rpc.calls == []


def test_the_benchmark_echo_route_is_one_rpc_round_trip(readiness):
    rpc = FakeRpcPool(**{"intake.ping": {"service": "intake", "ok": True}})
    client = build_app(rpc, readiness, bench_probe=True).test_client()

    response = client.get("/bench/rpc-echo")

    assert response.status_code == 200
    assert response.get_json() == {"service": "intake", "ok": True}
    assert rpc.calls == [("intake", "ping", (), {})]


def test_readyz_is_200_when_every_service_answers(client, rpc, readiness):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {
        "intake": "ok", "routing": "ok", "notification": "ok", "tracking": "ok"}}
    assert rpc.calls == []


def test_readyz_is_503_naming_the_service_that_does_not_answer(client, readiness):
    readiness.answer("notification.ping", ServiceUnavailable("notification"))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == RETRY_AFTER
    assert response.get_json()["checks"]["notification"] == "unavailable"
    assert response.get_json()["checks"]["tracking"] == "ok"


def test_readyz_is_503_naming_a_service_that_times_out(client, readiness):
    readiness.answer("tracking.ping", RpcTimedOut("tracking"))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["checks"]["tracking"] == "timeout"


def test_readyz_is_503_naming_the_broker_and_stops_asking(client, readiness):
    readiness.answer("intake.ping", ServiceUnavailable("broker"))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == RETRY_AFTER
    assert response.get_json() == {"status": "unavailable", "checks": {"broker": "unavailable"}}
    assert len(readiness.calls) == 1


# Catalogue

def test_catalogue_is_fetched_once_for_two_requests(client, rpc):
    first = client.get("/api/v1/catalog")
    second = client.get("/api/v1/catalog")

    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json() == CATALOGUE
    assert json.loads(first.data)["kinds"][0]["name"]["tr"] == "Şikâyet"
    assert [call[:2] for call in rpc.calls] == [("intake", "get_catalog")]


def test_catalogue_not_cached_when_intake_is_unavailable(client, rpc):
    rpc.answer("intake.get_catalog", ServiceUnavailable("intake"))
    error_of(client.get("/api/v1/catalog"), 503, "service_unavailable")
    rpc.answer("intake.get_catalog", CATALOGUE)

    assert client.get("/api/v1/catalog").get_json() == CATALOGUE


def test_each_app_asks_its_own_pool_for_the_catalogue(readiness):
    first_pool, second_pool = FakeRpcPool(**{"intake.get_catalog": CATALOGUE}), FakeRpcPool(
        **{"intake.get_catalog": dict(CATALOGUE, kinds=[])})
    build_app(first_pool, readiness).test_client().get("/api/v1/catalog")

    answer = build_app(second_pool, readiness).test_client().get("/api/v1/catalog")

    assert answer.get_json()["kinds"] == []
