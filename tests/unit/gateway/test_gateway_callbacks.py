"""The gateway's SMS delivery-report route (issue 5): ``POST /api/v1/sms/callbacks/<provider>/<token>``.

The token is compared in constant time with SMS_CALLBACK_TOKEN (unset or wrong: 403, nothing
published); what a provider sent is published as the event ``sms_report_received`` (issue 20) and
answered 200 once the broker confirmed it, 503 if it could not be published. No RPC."""
import hmac

import pytest

from contracts.events import EVENT_VERSION
from gateway import callbacks as callbacks_module
from tests.support.fake_rpc import FakeRpcPool
from tests.unit.gateway.test_gateway import MAX_BODY_BYTES, RETRY_AFTER, build_app, error_of

TOKEN = "Zq3-callback-token-9f1c"
VERIMOR_PUSH = [{"type": "outbound", "campaign_id": 20121, "message_custom_id": "m1", "status": "DELIVERED",
                 "dest": "905321234567", "gsm_error": "0"}]
TWILIO_FORM = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered", "To": "+905321234567"}


@pytest.fixture
def rpc():
    return FakeRpcPool()  # answers nothing: a report must not make any call


@pytest.fixture
def environment(monkeypatch):
    monkeypatch.setenv("SMS_CALLBACK_TOKEN", TOKEN)
    monkeypatch.delenv("SMS_CALLBACK_BASE_URL", raising=False)
    return monkeypatch


def app_with(rpc, events):
    app = build_app(rpc, FakeRpcPool())
    app.extensions["events"] = events
    return app


@pytest.fixture
def client(rpc, events, environment):
    return app_with(rpc, events).test_client()


def path(provider="verimor", token=TOKEN, query=""):
    return "/api/v1/sms/callbacks/{}/{}{}".format(provider, token, query)


def forwarded(events):
    [event] = events.published
    assert (event["event_name"], event["event_version"], event["application_no"]) == (
        "sms_report_received", EVENT_VERSION, None)
    return event["provider"], event["callback"]


# The token

def test_a_report_with_the_right_token_is_published_and_answered_once_confirmed(client, rpc, events):
    response = client.post(path(), json=VERIMOR_PUSH)

    assert response.status_code == 200
    assert response.get_json() == {"received": True}
    assert rpc.calls == []
    provider, callback = forwarded(events)
    assert provider == "verimor"
    assert callback == {"url": "http://localhost" + path(), "content_type": "application/json", "form": {},
                        "json": VERIMOR_PUSH, "signature": None}


@pytest.mark.parametrize("token", ["wrong", TOKEN[:-1], TOKEN + "x", TOKEN.upper(), "x" * len(TOKEN)])
def test_a_wrong_token_is_403_and_nothing_reaches_a_service(client, events, token):
    response = client.post(path(token=token), json=VERIMOR_PUSH)

    error_of(response, 403, "forbidden")
    assert events.published == []
    assert TOKEN.encode() not in response.data


@pytest.mark.parametrize("configured", [None, ""])
def test_without_a_configured_token_every_report_is_403(rpc, events, environment, configured):
    if configured is None:
        environment.delenv("SMS_CALLBACK_TOKEN")
    else:
        environment.setenv("SMS_CALLBACK_TOKEN", configured)
    client = app_with(rpc, events).test_client()

    for token in (TOKEN, "None", "null", "-"):
        error_of(client.post(path(token=token), json=VERIMOR_PUSH), 403, "forbidden")
    assert events.published == []


def test_the_token_is_compared_in_constant_time(client, rpc, monkeypatch):
    compared, constant_time = [], hmac.compare_digest

    def compare_digest(given, expected):
        compared.append((given, expected))
        return constant_time(given, expected)

    monkeypatch.setattr(callbacks_module.hmac, "compare_digest", compare_digest)

    client.post(path(token="wrong"), json=VERIMOR_PUSH)
    client.post(path(), json=VERIMOR_PUSH)

    assert compared == [(b"wrong", TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def test_a_non_ascii_token_is_compared_not_crashed_on(client, events):
    error_of(client.post(path(token="jeton-ğüş"), json=VERIMOR_PUSH), 403, "forbidden")
    assert events.published == []


def test_no_bearer_token_is_needed_and_a_staff_one_opens_nothing(client, events):
    response = client.post(path(token="wrong"), json=VERIMOR_PUSH, headers={"Authorization": "Bearer whatever"})

    error_of(response, 403, "forbidden")
    assert events.published == []


def test_reports_are_posted_not_read(client, events):
    response = client.get(path())

    error_of(response, 405, "method_not_allowed")
    assert events.published == []


# What is forwarded

def test_a_twilio_form_post_forwards_the_form_the_signature_and_the_url_with_its_query(client, events):
    query = "?message_id=5d8e89124ddd482baea0899ed704a33e"

    client.post(path("twilio", query=query), data=TWILIO_FORM,
                headers={"X-Twilio-Signature": "c2lnbmF0dXJl"})

    provider, callback = forwarded(events)
    assert provider == "twilio"
    assert callback == {"url": "http://localhost" + path("twilio", query=query),
                        "content_type": "application/x-www-form-urlencoded", "form": TWILIO_FORM, "json": None,
                        "signature": "c2lnbmF0dXJl"}


def test_the_url_is_the_configured_base_when_behind_a_proxy(rpc, events, environment):
    environment.setenv("SMS_CALLBACK_BASE_URL", "https://acikkapi.example/")
    client = app_with(rpc, events).test_client()  # settings are read when the app is made
    query = "?message_id=m1"

    client.post(path("twilio", query=query), data=TWILIO_FORM, base_url="http://10.0.0.7:8000")

    _, callback = forwarded(events)
    assert callback["url"] == "https://acikkapi.example" + path("twilio", query=query)


def test_the_configured_base_without_a_query_adds_no_question_mark(rpc, events, environment):
    environment.setenv("SMS_CALLBACK_BASE_URL", "https://acikkapi.example")
    client = app_with(rpc, events).test_client()

    client.post(path(), json=VERIMOR_PUSH)

    assert forwarded(events)[1]["url"] == "https://acikkapi.example" + path()


def test_a_json_body_that_does_not_parse_is_forwarded_as_no_json(client, events):
    client.post(path(), data="[{not json", content_type="application/json")

    _, callback = forwarded(events)
    assert (callback["json"], callback["form"]) == (None, {})


def test_a_body_of_another_type_forwards_neither_form_nor_json(client, events):
    client.post(path(), data="status=DELIVERED", content_type="text/plain")

    _, callback = forwarded(events)
    assert (callback["content_type"], callback["form"], callback["json"]) == ("text/plain", {}, None)


def test_a_body_over_the_size_limit_is_413_and_nothing_is_published(client, events):
    response = client.post(path(), data="[" + " " * MAX_BODY_BYTES + "]", content_type="application/json")

    error_of(response, 413, "payload_too_large")
    assert events.published == []


# What the broker says

def test_a_report_the_broker_did_not_confirm_asks_the_provider_to_retry(client, events):
    events.refuse()

    response = client.post(path(), json=VERIMOR_PUSH)

    error_of(response, 503, "service_unavailable")
    assert response.headers["Retry-After"] == RETRY_AFTER


def test_every_report_is_its_own_event(client, events):
    client.post(path(), json=VERIMOR_PUSH)
    client.post(path(), json=VERIMOR_PUSH)

    first, second = events.published
    assert first["event_id"] != second["event_id"] and first["callback"] == second["callback"]


# The URL forwarded is the one Twilio signed



@pytest.mark.parametrize("token", ["Zq3-callback_token.9f1c~", "abc+def=", "jeton-ğüş"])
@pytest.mark.parametrize("base_url", [None, "https://acikkapi.example"])
def test_a_twilio_status_callback_forwarded_by_the_gateway_passes_twilios_signature_check(
        rpc, events, environment, token, base_url):
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
    client = app_with(rpc, events).test_client()

    response = client.post(called.path + "?" + called.query, data=TWILIO_FORM,
                           headers={"X-Twilio-Signature": signature_for(status_callback, TWILIO_FORM, "auth")})

    assert response.status_code == 200
    _, callback = forwarded(events)
    assert callback["url"] == status_callback
    [report] = twilio.parse_delivery_report(CallbackRequest.from_dict(callback))
    assert (report.message_id, report.state) == ("5d8e89124ddd482baea0899ed704a33e", "delivered")
