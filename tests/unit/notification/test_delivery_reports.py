"""The report types every provider shares: DeliveryReport, CallbackRequest (what the gateway
forwards), CallbackRejected, and which providers can be polled."""
from datetime import UTC, datetime

import pytest

from services.notification.providers import (
    CallbackRejected,
    CallbackRequest,
    DeliveryReport,
    StatusPolling,
    build_provider,
)


def test_a_report_takes_the_three_states_only():
    for state in ("sent", "delivered", "failed"):
        assert DeliveryReport(message_id="m", provider_message_id=None, state=state).state == state
    with pytest.raises(ValueError, match="state"):
        DeliveryReport(message_id="m", provider_message_id="p", state="read")


def test_a_report_time_must_be_aware():
    aware = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)

    assert DeliveryReport("m", "p", "delivered", at=aware).at == aware
    with pytest.raises(ValueError, match="aware"):
        DeliveryReport("m", "p", "delivered", at=datetime(2026, 1, 5, 9, 30))


def test_a_report_names_its_message_somehow():
    with pytest.raises(ValueError):
        DeliveryReport(message_id=None, provider_message_id=None, state="sent")


def test_reports_are_frozen_and_comparable():
    report = DeliveryReport("m", "p", "failed", reason="EXPIRED")

    assert report == DeliveryReport("m", "p", "failed", reason="EXPIRED")
    with pytest.raises(AttributeError):
        report.state = "delivered"


def test_a_callback_request_travels_as_json():
    forwarded = {
        "url": "https://acikkapi.example/api/v1/sms/callbacks/twilio/t?message_id=m1",
        "content_type": "application/x-www-form-urlencoded; charset=utf-8",
        "form": {"MessageSid": "SM1", "MessageStatus": "delivered"},
        "json": None,
        "signature": "abc=",
    }

    request = CallbackRequest.from_dict(forwarded)

    assert request.to_dict() == forwarded
    assert request.media_type == "application/x-www-form-urlencoded"


def test_a_callback_request_defaults_to_nothing():
    request = CallbackRequest.from_dict({"url": "https://x.example/cb", "json": [1]})

    assert (request.content_type, dict(request.form), request.json, request.signature) == ("", {}, [1], None)


@pytest.mark.parametrize(
    "data",
    [None, [], {}, {"url": ""}, {"url": 5}, {"url": "https://x", "form": {"a": 1}}, {"url": "https://x", "form": []},
     {"url": "https://x", "signature": 5}, {"url": "https://x", "content_type": 3}],
)
def test_a_malformed_callback_request_is_a_value_error(data):
    with pytest.raises(ValueError):
        CallbackRequest.from_dict(data)


def test_callback_rejected_is_not_a_value_error():
    """The gateway answers 403 for one and 400 for the other."""
    assert not issubclass(CallbackRejected, ValueError)


def test_which_providers_can_be_polled(tmp_path):
    log = build_provider({"DATA_DIR": str(tmp_path)})
    verimor = build_provider({"SMS_PROVIDER": "verimor", "VERIMOR_USERNAME": "u", "VERIMOR_PASSWORD": "p"})
    ileti = build_provider({"SMS_PROVIDER": "iletimerkezi", "ILETIMERKEZI_KEY": "k", "ILETIMERKEZI_HASH": "h"})
    twilio = build_provider({"SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t",
                             "TWILIO_FROM": "ACIKKAPI"})

    assert [isinstance(p, StatusPolling) for p in (log, verimor, ileti, twilio)] == [False, True, True, True]


def test_the_log_provider_has_no_reports(tmp_path):
    with pytest.raises(ValueError):
        build_provider({"DATA_DIR": str(tmp_path)}).parse_delivery_report(CallbackRequest(url="https://x.example/"))
