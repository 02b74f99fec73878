"""The gateway's SMS delivery-report route (issue 5): ``POST /api/v1/sms/callbacks/<provider>/<token>``.

The token is compared in constant time with SMS_CALLBACK_TOKEN (unset or wrong: 403, no RPC);
what a provider sent is forwarded to ``notification.record_delivery_report``."""
import hmac

import pytest

from common.errors import NotAllowed, NotFound, ValidationFailed
from gateway import callbacks as callbacks_module
from gateway.rpc import RpcTimedOut, ServiceUnavailable
from tests.support.fake_rpc import FakeRpcPool
from tests.unit.gateway.test_gateway import MAX_BODY_BYTES, RETRY_AFTER, build_app, error_of

TOKEN = "Zq3-callback-token-9f1c"
OUTCOME = {"applied": 1, "ignored": 0}
VERIMOR_PUSH = [{"type": "outbound", "campaign_id": 20121, "message_custom_id": "m1", "status": "DELIVERED",
                 "dest": "905321234567", "gsm_error": "0"}]
TWILIO_FORM = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered", "To": "+905321234567"}


@pytest.fixture
def rpc():
    return FakeRpcPool(**{"notification.record_delivery_report": OUTCOME})


@pytest.fixture
def environment(monkeypatch):
    monkeypatch.setenv("SMS_CALLBACK_TOKEN", TOKEN)
    monkeypatch.delenv("SMS_CALLBACK_BASE_URL", raising=False)
    return monkeypatch


@pytest.fixture
def client(rpc, environment):
    return build_app(rpc, FakeRpcPool()).test_client()


def path(provider="verimor", token=TOKEN, query=""):
    return "/api/v1/sms/callbacks/{}/{}{}".format(provider, token, query)


def forwarded(rpc):
    [(service, method, args, kwargs)] = rpc.calls
    assert (service, method, kwargs) == ("notification", "record_delivery_report", {})
    provider, callback = args
    return provider, callback


# The token

def test_a_report_with_the_right_token_is_forwarded_and_answered_with_the_outcome(client, rpc):
    response = client.post(path(), json=VERIMOR_PUSH)

    assert response.status_code == 200
    assert response.get_json() == OUTCOME
    provider, callback = forwarded(rpc)
    assert provider == "verimor"
    assert callback == {"url": "http://localhost" + path(), "content_type": "application/json", "form": {},
                        "json": VERIMOR_PUSH, "signature": None}


@pytest.mark.parametrize("token", ["wrong", TOKEN[:-1], TOKEN + "x", TOKEN.upper(), "x" * len(TOKEN)])
def test_a_wrong_token_is_403_and_nothing_reaches_a_service(client, rpc, token):
    response = client.post(path(token=token), json=VERIMOR_PUSH)

    error_of(response, 403, "forbidden")
    assert rpc.calls == []
    assert TOKEN.encode() not in response.data


@pytest.mark.parametrize("configured", [None, ""])
def test_without_a_configured_token_every_report_is_403(rpc, environment, configured):
    if configured is None:
        environment.delenv("SMS_CALLBACK_TOKEN")
    else:
        environment.setenv("SMS_CALLBACK_TOKEN", configured)
    client = build_app(rpc, FakeRpcPool()).test_client()

    for token in (TOKEN, "None", "null", "-"):
        error_of(client.post(path(token=token), json=VERIMOR_PUSH), 403, "forbidden")
    assert rpc.calls == []


def test_the_token_is_compared_in_constant_time(client, rpc, monkeypatch):
    compared, constant_time = [], hmac.compare_digest

    def compare_digest(given, expected):
        compared.append((given, expected))
        return constant_time(given, expected)

    monkeypatch.setattr(callbacks_module.hmac, "compare_digest", compare_digest)

    client.post(path(token="wrong"), json=VERIMOR_PUSH)
    client.post(path(), json=VERIMOR_PUSH)

    assert compared == [(b"wrong", TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def test_a_non_ascii_token_is_compared_not_crashed_on(client, rpc):
    error_of(client.post(path(token="jeton-ğüş"), json=VERIMOR_PUSH), 403, "forbidden")
    assert rpc.calls == []


def test_no_bearer_token_is_needed_and_a_staff_one_opens_nothing(client, rpc):
    response = client.post(path(token="wrong"), json=VERIMOR_PUSH, headers={"Authorization": "Bearer whatever"})

    error_of(response, 403, "forbidden")
    assert rpc.calls == []


def test_reports_are_posted_not_read(client, rpc):
    response = client.get(path())

    error_of(response, 405, "method_not_allowed")
    assert rpc.calls == []


# What is forwarded

def test_a_twilio_form_post_forwards_the_form_the_signature_and_the_url_with_its_query(client, rpc):
    query = "?message_id=5d8e89124ddd482baea0899ed704a33e"

    client.post(path("twilio", query=query), data=TWILIO_FORM,
                headers={"X-Twilio-Signature": "c2lnbmF0dXJl"})

    provider, callback = forwarded(rpc)
    assert provider == "twilio"
    assert callback == {"url": "http://localhost" + path("twilio", query=query),
                        "content_type": "application/x-www-form-urlencoded", "form": TWILIO_FORM, "json": None,
                        "signature": "c2lnbmF0dXJl"}


def test_the_url_is_the_configured_base_when_behind_a_proxy(rpc, environment):
    environment.setenv("SMS_CALLBACK_BASE_URL", "https://acikkapi.example/")
    client = build_app(rpc, FakeRpcPool()).test_client()  # settings are read when the app is made
    query = "?message_id=m1"

    client.post(path("twilio", query=query), data=TWILIO_FORM, base_url="http://10.0.0.7:8000")

    _, callback = forwarded(rpc)
    assert callback["url"] == "https://acikkapi.example" + path("twilio", query=query)


def test_the_configured_base_without_a_query_adds_no_question_mark(rpc, environment):
    environment.setenv("SMS_CALLBACK_BASE_URL", "https://acikkapi.example")
    client = build_app(rpc, FakeRpcPool()).test_client()

    client.post(path(), json=VERIMOR_PUSH)

    assert forwarded(rpc)[1]["url"] == "https://acikkapi.example" + path()


def test_a_json_body_that_does_not_parse_is_forwarded_as_no_json(client, rpc):
    client.post(path(), data="[{not json", content_type="application/json")

    _, callback = forwarded(rpc)
    assert (callback["json"], callback["form"]) == (None, {})


def test_a_body_of_another_type_forwards_neither_form_nor_json(client, rpc):
    client.post(path(), data="status=DELIVERED", content_type="text/plain")

    _, callback = forwarded(rpc)
    assert (callback["content_type"], callback["form"], callback["json"]) == ("text/plain", {}, None)


def test_a_body_over_the_size_limit_is_413_without_a_call(client, rpc):
    response = client.post(path(), data="[" + " " * MAX_BODY_BYTES + "]", content_type="application/json")

    error_of(response, 413, "payload_too_large")
    assert rpc.calls == []


# What the service says

def test_a_report_notification_refuses_as_not_allowed_is_403(client, rpc):
    rpc.answer("notification.record_delivery_report", NotAllowed("callback"))

    error_of(client.post(path("twilio"), data=TWILIO_FORM), 403, "forbidden")


def test_an_unreadable_report_is_422_on_body(client, rpc):
    reasons = {"body": "okunamayan teslim raporu / unreadable delivery report"}
    rpc.answer("notification.record_delivery_report", ValidationFailed(reasons))

    assert error_of(client.post(path(), json={"not": "a report"}), 422, "validation_failed")["fields"] == reasons


def test_an_unknown_provider_is_404(client, rpc):
    rpc.answer("notification.record_delivery_report", NotFound("provider"))

    error_of(client.post(path("nexmo"), json=VERIMOR_PUSH), 404, "not_found")
    assert forwarded(rpc)[0] == "nexmo"


@pytest.mark.parametrize("failure, status, code", [
    (ServiceUnavailable("notification"), 503, "service_unavailable"),
    (RpcTimedOut("notification"), 504, "service_timeout"),
])
def test_a_service_that_cannot_answer_asks_the_provider_to_retry(client, rpc, failure, status, code):
    rpc.answer("notification.record_delivery_report", failure)

    response = client.post(path(), json=VERIMOR_PUSH)

    error_of(response, status, code)
    assert response.headers["Retry-After"] == RETRY_AFTER


# The URL forwarded is the one Twilio signed



@pytest.mark.parametrize("token", ["Zq3-callback_token.9f1c~", "abc+def=", "jeton-ğüş"])
@pytest.mark.parametrize("base_url", [None, "https://acikkapi.example"])
def test_a_twilio_status_callback_forwarded_by_the_gateway_passes_twilios_signature_check(
        rpc, environment, token, base_url):
    from urllib.parse import urlsplit

    from services.notification.providers import CallbackRequest, build_provider
    from services.notification.providers.twilio import signature_for

    environment.setenv("SMS_CALLBACK_TOKEN", token)
    if base_url:
        environment.setenv("SMS_CALLBACK_BASE_URL", base_url)
    twilio = build_provider({"SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "auth",
                             "TWILIO_FROM": "ACIKKAPI", "SMS_CALLBACK_BASE_URL": base_url or "http://localhost",
                             "SMS_CALLBACK_TOKEN": token})
    status_callback = twilio.status_callback_for("5d8e89124ddd482baea0899ed704a33e")  # what Twilio will call
    called = urlsplit(status_callback)
    client = build_app(rpc, FakeRpcPool()).test_client()

    response = client.post(called.path + "?" + called.query, data=TWILIO_FORM,
                           headers={"X-Twilio-Signature": signature_for(status_callback, TWILIO_FORM, "auth")})

    assert response.status_code == 200
    _, callback = forwarded(rpc)
    assert callback["url"] == status_callback
    [report] = twilio.parse_delivery_report(CallbackRequest.from_dict(callback))
    assert (report.message_id, report.state) == ("5d8e89124ddd482baea0899ed704a33e", "delivered")
