"""Verimor delivery reports: the documented push, its status table, polling /v2/status, and the
fake pushing reports twice and out of order."""
from datetime import datetime, timedelta, timezone

import pytest
import requests

from services.notification.providers import (
    CallbackRequest,
    DeliveryReport,
    OutgoingSms,
    SmsSendError,
    build_provider,
)
from services.notification.segments import GSM7_TURKISH
from tests.fakes.verimor_server import FakeVerimor

USERNAME, PASSWORD = "908501234567", "api-secret"
PHONE = "+905321234567"
SMS = OutgoingSms("msg-0001", PHONE, "Başvurunuz alındı. Takip kodu: ABCD2345.", GSM7_TURKISH)
TURKEY = timezone(timedelta(hours=3))

# The push example of the user guide ("PUSH ile Gönderim Raporu Alımı"), verbatim in its fields.
GUIDE_PUSH = [
    {"type": "outbound", "campaign_id": 20121, "campaign_custom_id": "123456789", "message_id": "13582302",
     "message_custom_id": "1234", "dest": "905319876543", "size": 1, "international_multiplier": 1, "credits": 1,
     "status": "DELIVERED", "gsm_error": "0", "sent_at": "2015-02-20 16:06:00", "done_at": "2015-02-20 16:06:00"},
    {"type": "outbound", "campaign_id": 20121, "campaign_custom_id": "123456789", "message_id": "13582303",
     "message_custom_id": "1235", "dest": "905319876544", "size": 1, "international_multiplier": 1, "credits": 1,
     "status": "DELIVERED", "gsm_error": "0", "sent_at": "2015-02-20 16:06:00", "done_at": "2015-02-20 16:06:00"},
]


def settings(url, **overrides):
    return {"SMS_PROVIDER": "verimor", "VERIMOR_API_URL": url, "VERIMOR_USERNAME": USERNAME,
            "VERIMOR_PASSWORD": PASSWORD, **overrides}


def push(body):
    return CallbackRequest(url="https://acikkapi.example/api/v1/sms/callbacks/verimor/t",
                           content_type="application/json", json=body)


@pytest.fixture
def verimor():
    return build_provider(settings("http://127.0.0.1:9"))


def report(status, gsm_error="0", **fields):
    return {**GUIDE_PUSH[0], "status": status, "gsm_error": gsm_error, **fields}


def test_the_guides_push_example_parses(verimor):
    reports = verimor.parse_delivery_report(push(GUIDE_PUSH))

    at = datetime(2015, 2, 20, 16, 6, tzinfo=TURKEY)
    assert reports == [
        DeliveryReport(message_id="1234", provider_message_id="20121", state="delivered", reason=None, at=at),
        DeliveryReport(message_id="1235", provider_message_id="20121", state="delivered", reason=None, at=at),
    ]


@pytest.mark.parametrize(
    "status, state",
    [
        ("DELIVERED", "delivered"),
        ("SENDING", "sent"),
        ("WAITING", "sent"),
        ("SENT", "sent"),
        ("NOT_DELIVERED", "failed"),
        ("EXPIRED", "failed"),
        ("INVALID_DESTINATION_ADDRESS", "failed"),
        ("REJECTED", "failed"),
        ("BLACKLISTED_DESTINATION_ADDRESS", "failed"),
        ("MISSING_TARIFF", "failed"),
        ("ROUTE_NOT_AVAILABLE", "failed"),
        ("NETWORK_NOTCOVERED", "failed"),
        ("SEND_ERROR", "failed"),
        ("INTERNATIONAL_DENIED", "failed"),
    ],
)
def test_every_documented_status_has_a_state(verimor, status, state):
    [parsed] = verimor.parse_delivery_report(push([report(status)]))

    assert parsed.state == state


def test_a_double_send_error_is_not_about_the_message_we_sent_and_is_skipped(verimor):
    """Verimor refuses a same-day copy (same text, number, sender) with DOUBLE_SEND_ERROR; the copy's
    report carries our message id, yet the first campaign did go out, so it must not fail the message."""
    body = [report("DOUBLE_SEND_ERROR", campaign_id=20122), report("DELIVERED")]

    [parsed] = verimor.parse_delivery_report(push(body))

    assert (parsed.state, parsed.provider_message_id) == ("delivered", "20121")
    assert verimor.parse_delivery_report(push([report("DOUBLE_SEND_ERROR")])) == []


def test_a_failure_names_the_status_and_the_operator_error(verimor):
    [parsed] = verimor.parse_delivery_report(push([report("NOT_DELIVERED", gsm_error="27", sent_at=None)]))

    assert parsed.state == "failed"
    assert parsed.reason == "NOT_DELIVERED gsm_error=27"
    assert "905319876543" not in parsed.reason


def test_sent_is_not_taken_for_delivered(verimor):
    [parsed] = verimor.parse_delivery_report(push([report("SENT")]))

    assert parsed.state == "sent" and "unconfirmed" in parsed.reason


def test_unknown_statuses_and_inbound_messages_are_skipped(verimor):
    body = [report("SOMETHING_NEW"), {"type": "inbound", "message_id": 1, "content": "merhaba"}, report("DELIVERED")]

    [parsed] = verimor.parse_delivery_report(push(body))

    assert parsed.state == "delivered"


@pytest.mark.parametrize(
    "body",
    [None, {"status": "DELIVERED"}, "DELIVERED", [1], [{"status": "DELIVERED"}], [{"campaign_id": 1}],
     [{"campaign_id": 1, "status": 5}]],
)
def test_a_malformed_push_is_a_value_error(verimor, body):
    with pytest.raises(ValueError):
        verimor.parse_delivery_report(push(body))


def test_a_replayed_push_gives_the_same_reports(verimor):
    assert verimor.parse_delivery_report(push(GUIDE_PUSH)) == verimor.parse_delivery_report(push(GUIDE_PUSH))


def test_a_timestamp_with_an_offset_is_kept_and_a_bad_one_dropped(verimor):
    [with_offset, bad] = verimor.parse_delivery_report(
        push([report("DELIVERED", done_at="2017-01-01T09:00:00.000+03:00"), report("DELIVERED", done_at="yesterday")])
    )

    assert with_offset.at == datetime(2017, 1, 1, 9, tzinfo=TURKEY)
    assert bad.at is None


# --- the fake pushes reports; the provider parses them


@pytest.fixture
def fake(sink):
    with FakeVerimor(USERNAME, PASSWORD, callback_url=sink.url + "/api/v1/sms/callbacks/verimor/t") as server:
        yield server


def test_the_fake_pushes_twice_and_out_of_order(fake, sink):
    provider = build_provider(settings(fake.url))
    campaign_id = provider.send(SMS).provider_message_id

    answer = requests.post(
        fake.url + "/_fake/report",
        json={"message_id": "msg-0001", "status": "delivered", "repeat": 2, "reverse_order_with": "sent"},
        timeout=5,
    ).json()

    assert [push["status"] for push in answer["pushed"]] == ["delivered", "delivered", "sent", "sent"]
    assert all(push["http_status"] == 200 for push in answer["pushed"])
    forwarded = sink.callback_requests()
    assert [request.content_type for request in forwarded] == ["application/json"] * 4
    assert all(request.signature is None for request in forwarded)  # Verimor does not sign
    reports = [parsed for request in forwarded for parsed in provider.parse_delivery_report(request)]
    assert [(r.message_id, r.provider_message_id, r.state) for r in reports] == [
        ("msg-0001", campaign_id, "delivered"),
        ("msg-0001", campaign_id, "delivered"),
        ("msg-0001", campaign_id, "sent"),
        ("msg-0001", campaign_id, "sent"),
    ]
    assert all(r.at is not None and r.at.utcoffset() == timedelta(hours=3) for r in reports)


def test_a_failed_push_carries_the_operator_error(fake, sink):
    provider = build_provider(settings(fake.url))
    provider.send(SMS)

    requests.post(fake.url + "/_fake/report", json={"message_id": "msg-0001", "status": "failed"}, timeout=5)

    [request] = sink.callback_requests()
    [parsed] = provider.parse_delivery_report(request)
    assert parsed.state == "failed" and parsed.reason == "NOT_DELIVERED gsm_error=1"
    assert "5321234567" not in repr(parsed)


def test_a_report_for_an_unknown_message_is_refused(fake):
    answer = requests.post(fake.url + "/_fake/report", json={"message_id": "nope", "status": "delivered"}, timeout=5)

    assert answer.status_code == 404


# --- polling /v2/status


def test_polling_follows_the_message(fake):
    provider = build_provider(settings(fake.url))
    campaign_id = provider.send(SMS).provider_message_id

    [waiting] = provider.poll_status([campaign_id])
    requests.post(fake.url + "/_fake/report", json={"message_id": "msg-0001", "status": "delivered"}, timeout=5)
    [delivered] = provider.poll_status([campaign_id])

    assert (waiting.message_id, waiting.provider_message_id, waiting.state) == ("msg-0001", campaign_id, "sent")
    assert delivered.state == "delivered" and delivered.at is not None


def test_polling_an_unknown_campaign_gives_nothing(fake):
    assert build_provider(settings(fake.url)).poll_status(["99999"]) == []


def test_polling_with_a_wrong_password_is_not_retryable(fake):
    provider = build_provider(settings(fake.url, VERIMOR_PASSWORD="wrong"))

    with pytest.raises(SmsSendError) as raised:
        provider.poll_status(["20210"])

    assert not raised.value.retryable and "401" in raised.value.reason
    assert "wrong" not in raised.value.reason


def test_polling_past_the_rate_limit_is_retryable():
    with FakeVerimor(USERNAME, PASSWORD, status_limit_per_minute=2) as fake:
        provider = build_provider(settings(fake.url))
        campaign_id = provider.send(SMS).provider_message_id
        provider.poll_status([campaign_id])
        provider.poll_status([campaign_id])

        with pytest.raises(SmsSendError) as raised:
            provider.poll_status([campaign_id])

    assert raised.value.retryable and "429" in raised.value.reason


def test_polling_asks_with_the_documented_query(fake):
    provider = build_provider(settings(fake.url))
    campaign_id = provider.send(SMS).provider_message_id

    answer = requests.get(
        fake.url + "/v2/status", params={"id": campaign_id, "username": USERNAME, "password": PASSWORD}, timeout=5
    )
    by_custom_id = requests.get(
        fake.url + "/v2/status", params={"custom_id": "msg-0001", "username": USERNAME, "password": PASSWORD}, timeout=5
    )

    assert answer.status_code == 200 and by_custom_id.json() == answer.json()
    [entry] = answer.json()
    assert entry["campaign_id"] == int(campaign_id) and entry["message_custom_id"] == "msg-0001"


# --- deduplication: none by id; Verimor's content rule


def test_the_same_text_to_the_same_number_on_the_same_day_ends_as_double_send_error(fake):
    provider = build_provider(settings(fake.url))
    first = provider.send(SMS).provider_message_id
    second = provider.send(OutgoingSms("msg-0002", PHONE, SMS.text, GSM7_TURKISH)).provider_message_id

    assert len(fake.messages) == 2  # both taken: Verimor answers with a campaign id either way
    [first_report] = provider.poll_status([first])
    assert first_report.state == "sent"
    assert provider.poll_status([second]) == []  # DOUBLE_SEND_ERROR: about the copy, not the message


# --- batches: one campaign, each message under its own id (issue 20)


def test_a_batch_is_one_campaign_whose_reports_name_each_message(fake):
    provider = build_provider(settings(fake.url))
    batch = [OutgoingSms(f"msg-00{i}", f"+90532123450{i}", f"Başvurunuz alındı. Takip kodu: ABCD000{i}.",
                         GSM7_TURKISH) for i in range(3)]

    campaign_id = provider.send_batch(batch).provider_message_id

    assert [(record["message_id"], record["campaign_id"]) for record in fake.messages] == [
        (sms.message_id, campaign_id) for sms in batch]
    assert {record["custom_id"] for record in fake.messages} == {None}  # the campaign names no one message
    reports = provider.poll_status([campaign_id, campaign_id])  # asked once, however many of its messages wait
    assert sorted(report.message_id for report in reports) == ["msg-000", "msg-001", "msg-002"]


def test_a_campaign_of_one_carries_the_message_id_as_its_custom_id_too(fake):
    build_provider(settings(fake.url)).send_batch([SMS])

    [record] = fake.messages
    assert (record["custom_id"], record["message_id"]) == ("msg-0001", "msg-0001")


def test_a_batch_of_two_encodings_is_refused_before_any_call(fake):
    provider = build_provider(settings(fake.url))

    with pytest.raises(ValueError, match="one datacoding"):
        provider.send_batch([SMS, OutgoingSms("msg-0002", PHONE, "Merhaba", "ucs2")])

    assert fake.messages == []


def test_one_bad_number_refuses_the_whole_campaign_and_the_reason_names_no_number(fake):
    provider = build_provider(settings(fake.url))
    bad = OutgoingSms("msg-0002", "+4915112345678", "Hallo", GSM7_TURKISH)

    with pytest.raises(SmsSendError) as raised:
        provider.send_batch([SMS, bad])

    assert not raised.value.retryable and "INVALID_DESTINATION_ADDRESS" in raised.value.reason
    assert "4915112345678" not in raised.value.reason and fake.messages == []
