"""Twilio: X-Twilio-Signature (Twilio's published example vector and tampering), the form send
with our id in the StatusCallback URL, status callbacks, and polling."""
import pytest
import requests

from services.notification.providers import (
    CallbackRejected,
    CallbackRequest,
    OutgoingSms,
    SmsSendError,
    TwilioProvider,
    build_provider,
    verify_signature,
)
from services.notification.providers.twilio import signature_for
from services.notification.segments import GSM7_TURKISH
from tests.fakes.twilio_server import FakeTwilio

# Twilio's published example (twilio-php docs/usage/validation.rst, and the RequestValidator
# tests of Twilio's helper libraries): auth token 12345, this URL and these POST parameters.
EXAMPLE_TOKEN = "12345"
EXAMPLE_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
EXAMPLE_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
EXAMPLE_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="

ACCOUNT_SID, AUTH_TOKEN = "AC" + "0" * 31 + "1", "twilio-auth-token"
PHONE = "+905321234567"
SMS = OutgoingSms("msg-0001", PHONE, "Başvurunuz alındı. Takip kodu: ABCD2345.", GSM7_TURKISH)


def settings(url, **overrides):
    values = {"SMS_PROVIDER": "twilio", "TWILIO_API_URL": url, "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
              "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_FROM": "ACIKKAPI",
              "SMS_CALLBACK_BASE_URL": "https://acikkapi.example", "SMS_CALLBACK_TOKEN": "cb-secret", **overrides}
    return {name: value for name, value in values.items() if value is not None}


# --- the signature


def test_twilios_published_example_vector():
    assert signature_for(EXAMPLE_URL, EXAMPLE_PARAMS, EXAMPLE_TOKEN) == EXAMPLE_SIGNATURE
    assert verify_signature(EXAMPLE_URL, EXAMPLE_PARAMS, EXAMPLE_SIGNATURE, EXAMPLE_TOKEN)


def test_parameter_order_does_not_matter():
    reordered = dict(reversed(list(EXAMPLE_PARAMS.items())))

    assert verify_signature(EXAMPLE_URL, reordered, EXAMPLE_SIGNATURE, EXAMPLE_TOKEN)


@pytest.mark.parametrize(
    "url, params",
    [
        ("https://mycompany.com/myapp.php?foo=1&bar=3", EXAMPLE_PARAMS),  # tampered query
        ("http://mycompany.com/myapp.php?foo=1&bar=2", EXAMPLE_PARAMS),  # scheme
        ("https://mycompany.com/myapp.php?foo=1&bar=2&message_id=x", EXAMPLE_PARAMS),  # added query
        ("https://evil.example/myapp.php?foo=1&bar=2", EXAMPLE_PARAMS),  # host
        (EXAMPLE_URL, {**EXAMPLE_PARAMS, "Digits": "9999"}),  # tampered value
        (EXAMPLE_URL, {**EXAMPLE_PARAMS, "Extra": "1"}),  # added parameter
        (EXAMPLE_URL, {k: v for k, v in EXAMPLE_PARAMS.items() if k != "Digits"}),  # dropped parameter
    ],
)
def test_tampering_with_the_url_or_a_parameter_fails(url, params):
    assert not verify_signature(url, params, EXAMPLE_SIGNATURE, EXAMPLE_TOKEN)


@pytest.mark.parametrize("signature, token", [(None, EXAMPLE_TOKEN), ("", EXAMPLE_TOKEN),
                                              ("not base64 ğ", EXAMPLE_TOKEN),
                                              (EXAMPLE_SIGNATURE, "54321"), (EXAMPLE_SIGNATURE, "")])
def test_a_missing_or_foreign_signature_fails(signature, token):
    assert not verify_signature(EXAMPLE_URL, EXAMPLE_PARAMS, signature, token)


# --- settings


def test_defaults_and_the_callback_url():
    provider = build_provider(settings(None, TWILIO_API_URL=None))

    assert isinstance(provider, TwilioProvider)
    assert provider.send_url == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert provider.status_callback_for("msg 1/ü") == (
        "https://acikkapi.example/api/v1/sms/callbacks/twilio/cb-secret?message_id=msg+1%2F%C3%BC"
    )


def test_a_sender_is_required():
    with pytest.raises(ValueError, match="TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID"):
        build_provider(settings("http://127.0.0.1:9", TWILIO_FROM=None))


@pytest.mark.parametrize("missing", ["SMS_CALLBACK_BASE_URL", "SMS_CALLBACK_TOKEN"])
def test_the_callback_settings_come_together(missing):
    with pytest.raises(ValueError, match=missing):
        build_provider(settings("http://127.0.0.1:9", **{missing: None}))


def test_without_callback_settings_there_is_no_status_callback():
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        build_provider(settings(fake.url, SMS_CALLBACK_BASE_URL=None, SMS_CALLBACK_TOKEN=None)).send(SMS)

        [message] = fake.messages

    assert message["status_callback"] is None and message["message_id"] is None


# --- sending


@pytest.fixture
def fake():
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as server:
        yield server


@pytest.fixture
def provider(fake, sink):
    return build_provider(settings(fake.url, SMS_CALLBACK_BASE_URL=sink.url))


def test_a_send_is_the_documented_form_post(fake, sink, provider):
    receipt = provider.send(SMS)

    [message] = fake.messages
    assert receipt.provider_message_id == message["sid"] and message["sid"].startswith("SM")
    assert message["to"] == PHONE and message["from"] == "ACIKKAPI" and message["body"] == SMS.text
    assert message["status_callback"] == f"{sink.url}/api/v1/sms/callbacks/twilio/cb-secret?message_id=msg-0001"
    assert message["message_id"] == "msg-0001" and message["status"] == "queued"


def test_a_messaging_service_can_send(fake):
    provider = build_provider(settings(fake.url, TWILIO_FROM=None, TWILIO_MESSAGING_SERVICE_SID="MG" + "1" * 32))

    provider.send(SMS)

    [message] = fake.messages
    assert message["messaging_service_sid"] == "MG" + "1" * 32 and message["from"] is None
    assert message["status"] == "accepted"


def test_an_invalid_number_is_not_retryable_and_not_quoted(fake, provider):
    foreign = OutgoingSms("msg-2", "004915112345678", "Hallo", GSM7_TURKISH)

    with pytest.raises(SmsSendError) as raised:
        provider.send(foreign)

    assert not raised.value.retryable and "21211" in raised.value.reason
    assert "4915112345678" not in raised.value.reason


# --- status callbacks


def test_the_fake_signs_its_callbacks_and_the_provider_parses_them(fake, sink, provider):
    sid = provider.send(SMS).provider_message_id

    answer = requests.post(
        fake.url + "/_fake/report",
        json={"message_id": "msg-0001", "status": "delivered", "repeat": 2, "reverse_order_with": "sent"},
        timeout=5,
    ).json()

    assert [push["http_status"] for push in answer["pushed"]] == [200] * 4
    forwarded = sink.callback_requests()
    assert all(request.signature for request in forwarded)
    reports = [r for request in forwarded for r in provider.parse_delivery_report(request)]
    assert [(r.message_id, r.provider_message_id, r.state) for r in reports] == [
        ("msg-0001", sid, "delivered"), ("msg-0001", sid, "delivered"),
        ("msg-0001", sid, "sent"), ("msg-0001", sid, "sent"),
    ]


@pytest.mark.parametrize("status, state, reason", [("failed", "failed", "failed ErrorCode=30008"),
                                                   ("undelivered", "failed", "undelivered ErrorCode=30003"),
                                                   ("sending", "sent", None), ("queued", "sent", None),
                                                   ("read", "delivered", None), ("canceled", "failed", "canceled")])
def test_status_mapping(fake, sink, provider, status, state, reason):
    provider.send(SMS)
    requests.post(fake.url + "/_fake/report", json={"message_id": "msg-0001", "status": status}, timeout=5)

    [request] = sink.callback_requests()
    [parsed] = provider.parse_delivery_report(request)

    assert (parsed.state, parsed.reason) == (state, reason)
    assert "5321234567" not in repr(parsed)


def test_an_unknown_or_inbound_status_is_skipped(fake, sink, provider):
    provider.send(SMS)
    for status in ("received", "teleported"):
        requests.post(fake.url + "/_fake/report", json={"message_id": "msg-0001", "status": status}, timeout=5)

    assert [provider.parse_delivery_report(request) for request in sink.callback_requests()] == [[], []]


def test_a_replayed_callback_parses_the_same(fake, sink, provider):
    provider.send(SMS)
    requests.post(fake.url + "/_fake/report", json={"message_id": "msg-0001", "status": "delivered"}, timeout=5)
    [request] = sink.callback_requests()

    assert provider.parse_delivery_report(request) == provider.parse_delivery_report(request)


def _delivered(fake, sink, provider):
    provider.send(SMS)
    requests.post(fake.url + "/_fake/report", json={"message_id": "msg-0001", "status": "delivered"}, timeout=5)
    [request] = sink.callback_requests()
    return request


def replace(request, **changes):
    return CallbackRequest(**{**request.to_dict(), **changes})


def test_a_tampered_callback_is_rejected(fake, sink, provider):
    request = _delivered(fake, sink, provider)
    other_id = request.url.replace("message_id=msg-0001", "message_id=msg-9999")

    for forged in (
        replace(request, url=other_id),
        replace(request, form={**request.form, "MessageStatus": "failed"}),
        replace(request, form={**request.form, "ErrorCode": "30003"}),
        replace(request, signature=None),
        replace(request, signature=signature_for(request.url, request.form, "another-token")),
    ):
        with pytest.raises(CallbackRejected):
            provider.parse_delivery_report(forged)


def test_a_signed_callback_without_the_fields_is_a_value_error(provider):
    url = "https://acikkapi.example/api/v1/sms/callbacks/twilio/cb-secret?message_id=msg-0001"
    form = {"MessageStatus": "delivered"}

    with pytest.raises(ValueError):
        provider.parse_delivery_report(
            CallbackRequest(url=url, content_type="application/x-www-form-urlencoded", form=form,
                            signature=signature_for(url, form, AUTH_TOKEN))
        )


def test_a_json_callback_is_a_value_error(provider):
    with pytest.raises(ValueError):
        provider.parse_delivery_report(CallbackRequest(url="https://x.example/", content_type="application/json",
                                                       json={"MessageSid": "SM1"}))


# --- polling


def test_polling_follows_the_message(fake, provider):
    sid = provider.send(SMS).provider_message_id

    [queued] = provider.poll_status([sid])
    requests.post(fake.url + "/_fake/report", json={"provider_message_id": sid, "status": "undelivered"}, timeout=5)
    [undelivered] = provider.poll_status([sid])

    assert (queued.provider_message_id, queued.state) == (sid, "sent")
    assert (undelivered.state, undelivered.reason) == ("failed", "undelivered ErrorCode=30003")
    assert undelivered.at is not None and undelivered.at.utcoffset().total_seconds() == 0


def test_polling_an_unknown_sid_gives_nothing(provider):
    assert provider.poll_status(["SM" + "0" * 32]) == []


def test_polling_with_a_wrong_token_is_not_retryable(fake, sink):
    provider = build_provider(settings(fake.url, TWILIO_AUTH_TOKEN="wrong-token"))

    with pytest.raises(SmsSendError) as raised:
        provider.poll_status(["SM" + "0" * 32])

    assert not raised.value.retryable and "20003" in raised.value.reason
    assert "wrong-token" not in raised.value.reason
