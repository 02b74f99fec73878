"""İleti Merkezi: the documented send body, its webhook, get-report polling, the content-based
duplicate-order refusal, and the fake's report pushes."""
import pytest
import requests

from services.notification.providers import (
    AlreadySent,
    CallbackRequest,
    DeliveryReport,
    IletiMerkeziProvider,
    OutgoingSms,
    SmsSendError,
    build_provider,
)
from services.notification.segments import GSM7_TURKISH
from tests.fakes.iletimerkezi_server import FakeIletiMerkezi

KEY, HASH = "507caf2e1fcdb5eea9786332ca2d8785", "0db4e316db72c519ba08121985f6ddf479809053d555c"
PHONE = "+905321234567"
SMS = OutgoingSms("msg-0001", PHONE, "Başvurunuz alındı. Takip kodu: ABCD2345.", GSM7_TURKISH)


def settings(url, **overrides):
    return {"SMS_PROVIDER": "iletimerkezi", "ILETIMERKEZI_API_URL": url, "ILETIMERKEZI_KEY": KEY,
            "ILETIMERKEZI_HASH": HASH, **overrides}


def webhook(body):
    return CallbackRequest(url="https://acikkapi.example/api/v1/sms/callbacks/iletimerkezi/t",
                           content_type="application/json", json=body)


@pytest.fixture
def fake(sink):
    with FakeIletiMerkezi(KEY, HASH, callback_url=sink.url + "/api/v1/sms/callbacks/iletimerkezi/t") as server:
        yield server


@pytest.fixture
def provider(fake):
    return build_provider(settings(fake.api_url))


def test_defaults():
    provider = build_provider({"SMS_PROVIDER": "iletimerkezi", "ILETIMERKEZI_KEY": "k", "ILETIMERKEZI_HASH": "h"})

    assert isinstance(provider, IletiMerkeziProvider)
    assert provider.send_url == "https://api.iletimerkezi.com/v1/send-sms/json"
    assert provider.report_url == "https://api.iletimerkezi.com/v1/get-report/json"
    assert provider.sender == "ACIKKAPI" and provider.timeout_seconds == 10


def test_a_send_is_a_transactional_one_recipient_order(fake, provider):
    receipt = provider.send(SMS)

    [message] = fake.messages
    assert receipt.provider_message_id == message["order_id"]
    assert message["number"] == "905321234567" and message["text"] == SMS.text
    assert message["sender"] == "ACIKKAPI" and message["iys"] == "0"
    assert message["message_id"] is None  # the API has nowhere to carry our id


def test_the_configured_sender_is_used_and_an_unapproved_one_refused(sink):
    with FakeIletiMerkezi(KEY, HASH, senders={"ACIKKAPI TR"}) as fake:
        build_provider(settings(fake.api_url, SMS_SENDER="ACIKKAPI TR")).send(SMS)
        with pytest.raises(SmsSendError) as raised:
            build_provider(settings(fake.api_url, SMS_SENDER="OTHER")).send(SMS)

    assert not raised.value.retryable and "450" in raised.value.reason


def test_the_same_text_to_the_same_number_within_ten_minutes_is_refused_as_already_sent(fake, provider):
    """451 means an earlier order of ours got there: the message counts as sent (AlreadySent), not failed."""
    provider.send(SMS)

    with pytest.raises(AlreadySent) as raised:
        provider.send(OutgoingSms("msg-0002", PHONE, SMS.text, GSM7_TURKISH))

    assert not isinstance(raised.value, SmsSendError)
    assert "451" in raised.value.reason
    assert PHONE not in raised.value.reason and SMS.text not in raised.value.reason
    assert len(fake.messages) == 1
    provider.send(OutgoingSms("msg-0003", PHONE, SMS.text + " (2)", GSM7_TURKISH))  # other text: fine
    assert len(fake.messages) == 2


def test_a_rejection_in_the_body_is_read_from_the_body(fake, provider):
    with pytest.raises(SmsSendError) as raised:
        provider.send(OutgoingSms("msg-4", "+905321234567", "   ", GSM7_TURKISH))

    assert not raised.value.retryable and raised.value.reason.startswith("iletimerkezi: 454 Mesaj metni boş")


def test_the_wrong_hash_is_named_as_the_api_names_it(fake):
    with pytest.raises(SmsSendError) as raised:
        build_provider(settings(fake.api_url, ILETIMERKEZI_HASH="nope")).send(SMS)

    assert raised.value.reason == "iletimerkezi: 401 Üyelik bilgileri hatalı" and not raised.value.retryable


# --- the webhook


def test_the_documented_webhook_example_parses():
    provider = build_provider(settings("http://127.0.0.1:9"))
    body = {"report": {"id": 1599558518, "packet_id": 104525848, "status": "accepted", "to": "+90505702xxxx",
                       "body": "Webhook test mesaji"}}

    assert provider.parse_delivery_report(webhook(body)) == [
        DeliveryReport(message_id=None, provider_message_id="104525848", state="sent", reason=None, at=None)
    ]


@pytest.mark.parametrize("status, state, reason", [("accepted", "sent", None), ("delivered", "delivered", None),
                                                   ("undelivered", "failed", "undelivered")])
def test_the_webhook_statuses(status, state, reason):
    provider = build_provider(settings("http://127.0.0.1:9"))
    body = {"report": {"id": 1, "packet_id": "77", "status": status, "to": PHONE, "body": SMS.text}}

    [parsed] = provider.parse_delivery_report(webhook(body))

    assert (parsed.provider_message_id, parsed.state, parsed.reason) == ("77", state, reason)
    assert "5321234567" not in repr(parsed) and "Takip" not in repr(parsed)


def test_an_undocumented_webhook_status_is_skipped():
    provider = build_provider(settings("http://127.0.0.1:9"))

    assert provider.parse_delivery_report(webhook({"report": {"packet_id": 1, "status": "expired"}})) == []


@pytest.mark.parametrize("body", [None, [], {"report": None}, {"report": {"status": "delivered"}},
                                  {"report": {"packet_id": 1}}, {"report": {"packet_id": {}, "status": "delivered"}}])
def test_a_malformed_webhook_is_a_value_error(body):
    with pytest.raises(ValueError):
        build_provider(settings("http://127.0.0.1:9")).parse_delivery_report(webhook(body))


def test_the_fake_pushes_the_documented_shape_twice_and_out_of_order(fake, sink, provider):
    order_id = provider.send(SMS).provider_message_id

    answer = requests.post(
        fake.url + "/_fake/report",
        json={"provider_message_id": order_id, "status": "delivered", "repeat": 2, "reverse_order_with": "accepted"},
        timeout=5,
    ).json()

    assert [push["http_status"] for push in answer["pushed"]] == [200] * 4
    forwarded = sink.callback_requests()
    assert set(forwarded[0].json["report"]) == {"id", "packet_id", "status", "to", "body"}
    states = [r.state for request in forwarded for r in provider.parse_delivery_report(request)]
    assert states == ["delivered", "delivered", "sent", "sent"]
    assert {r.provider_message_id
            for request in forwarded for r in provider.parse_delivery_report(request)} == {order_id}


def test_the_fake_cannot_find_a_message_by_our_id(fake, provider):
    provider.send(SMS)

    answer = requests.post(fake.url + "/_fake/report", json={"message_id": "msg-0001", "status": "delivered"},
                           timeout=5)

    assert answer.status_code == 404


def test_a_failed_push_is_undelivered(fake, sink, provider):
    order_id = provider.send(SMS).provider_message_id

    requests.post(fake.url + "/_fake/report", json={"order_id": order_id, "status": "failed"}, timeout=5)

    [request] = sink.callback_requests()
    assert request.json["report"]["status"] == "undelivered"
    [parsed] = provider.parse_delivery_report(request)
    assert parsed.state == "failed"


# --- get-report


def test_polling_follows_the_order(fake, provider):
    order_id = provider.send(SMS).provider_message_id

    [accepted] = provider.poll_status([order_id])
    requests.post(fake.url + "/_fake/report", json={"order_id": order_id, "status": "failed"}, timeout=5)
    [failed] = provider.poll_status([order_id])

    assert (accepted.provider_message_id, accepted.state) == (order_id, "sent")
    assert (failed.state, failed.reason) == ("failed", "112 not sent")


def test_polling_an_unknown_order_gives_nothing(provider):
    assert provider.poll_status(["1"]) == []


def test_polling_a_provider_that_does_not_answer_is_retryable():
    dead = build_provider(settings("http://127.0.0.1:9/v1"))

    with pytest.raises(SmsSendError) as raised:
        dead.poll_status(["104525848"])

    assert raised.value.retryable
