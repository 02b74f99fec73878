"""Delivery reports reaching notification (issue 5): ``record_delivery_report(provider, callback)``
parses with the provider named, applies forward-only, owes sms_failed, and sms_delivered only where
it clears an earlier failure (issue 20); and the
staff views of messages (``list_messages``, ``list_failed_messages``)."""
import json
import logging

import pytest
from nameko.testing.services import worker_factory
from prometheus_client import REGISTRY

from common import clock
from common.errors import NotAllowed, NotFound, ValidationFailed
from services.notification import domain
from services.notification.delivery_reports import DeliveryReports
from services.notification.domain import DELIVERED, FAILED, SENDING, SENT
from services.notification.providers import SendReceipt
from services.notification.providers.twilio import signature_for
from services.notification.service import NotificationService
from tests.support.samples import APPLICANT_PHONE_E164 as PHONE
from tests.support.samples import staff_principal

NUMBER = "2026-000001"
CALLBACK_URL = "https://acikkapi.example/api/v1/sms/callbacks/{}/secret-token"
TWILIO_TOKEN = "twilio-auth-token"
PROVIDER_ENVIRONMENT = {
    "VERIMOR_USERNAME": "908501234567", "VERIMOR_PASSWORD": "api-secret",
    "ILETIMERKEZI_KEY": "k", "ILETIMERKEZI_HASH": "h",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 31 + "1", "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_FROM": "ACIKKAPI",
}


@pytest.fixture(autouse=True)
def provider_environment(monkeypatch, tmp_path):
    for name, value in PROVIDER_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    for name in ("SMS_PROVIDER", "SMS_CALLBACK_BASE_URL", "SMS_CALLBACK_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def reports(store):
    reports = DeliveryReports(store="messages")
    reports.setup()
    reports.store = store
    return reports


@pytest.fixture
def notification(store, reports, kick_counter):
    return worker_factory(NotificationService, messages=store, delivery_reports=reports, send_queued_sms=kick_counter)


def sent_message(store, received_event, number=NUMBER, provider="verimor", provider_message_id="20121",
                 province_code="34", template=domain.RECEIVED):
    """``number``'s SMS, sent through ``provider`` (the dispatcher's writes, as it makes them)."""
    store.remember_recipient(number, PHONE, "tr", province_code)
    if template == domain.RECEIVED:
        message = domain.received_message(received_event(number), clock.now())
    else:
        message = domain.concluded_message({"application_no": number}, "tr", clock.now())
    store.enqueue(message)
    store.messages.update_one({"_id": message["_id"]}, {"$set": {"state": SENDING, "attempts": 1}})
    receipt = SendReceipt(provider=provider, provider_message_id=provider_message_id)
    store.mark_sent([message["_id"]], receipt, clock.now())
    return stored(store, message)


def stored(store, message):
    return store.messages.find_one({"_id": message["_id"]})


def owed(store, message):
    return [event["event_name"] for event in stored(store, message).get("outbox", [])]


def verimor_push(*reports):
    return {"url": CALLBACK_URL.format("verimor"), "content_type": "application/json", "form": {},
            "json": list(reports), "signature": None}


def verimor_report(message_id, status, campaign_id=20121, gsm_error="0"):
    return {"type": "outbound", "campaign_id": campaign_id, "message_custom_id": message_id,
            "message_id": "13582302", "dest": PHONE[1:], "status": status, "gsm_error": gsm_error,
            "sent_at": "2026-03-02 10:15:01", "done_at": "2026-03-02 10:15:09"}


def iletimerkezi_webhook(packet_id, status):
    return {"url": CALLBACK_URL.format("iletimerkezi"), "content_type": "application/json", "form": {},
            "json": {"report": {"id": 1, "packet_id": packet_id, "status": status, "to": PHONE,
                                "body": "Başvurunuz alındı."}}, "signature": None}


def twilio_callback(message_id, sid, status, token=TWILIO_TOKEN, **form):
    url = CALLBACK_URL.format("twilio") + "?message_id=" + message_id
    form = dict({"MessageSid": sid, "MessageStatus": status, "To": PHONE}, **form)
    return {"url": url, "content_type": "application/x-www-form-urlencoded", "form": form, "json": None,
            "signature": signature_for(url, form, token)}


def counted(provider, state, template=domain.RECEIVED):
    return REGISTRY.get_sample_value("acikkapi_sms_messages_total",
                                     {"provider": provider, "template": template, "state": state}) or 0.0


# Wiring

def test_the_service_records_reports_through_delivery_reports_on_its_message_store():
    from nameko.rpc import Rpc

    from common.errors import AppError

    assert isinstance(NotificationService.delivery_reports, DeliveryReports)
    assert NotificationService.delivery_reports.store_attr == "messages"
    for name in ("record_delivery_report", "list_messages", "list_failed_messages"):
        [entrypoint] = [entrypoint for entrypoint in getattr(NotificationService, name).nameko_entrypoints
                        if isinstance(entrypoint, Rpc)]
        expected = entrypoint.expected_exceptions
        assert issubclass(AppError, expected if isinstance(expected, tuple) else (expected,)), name
    assert issubclass(NotAllowed, AppError)


# Applied forward-only

def test_a_delivered_report_delivers_the_message_and_owes_no_event(notification, store, received_event):
    """Issue 20: nothing failed before, so there is no notice to clear; staff ask notification."""
    message = sent_message(store, received_event)
    before = counted("verimor", DELIVERED)

    outcome = notification.record_delivery_report("verimor", verimor_push(verimor_report(message["_id"], "DELIVERED")))

    assert outcome == {"applied": 1, "ignored": 0}
    document = stored(store, message)
    assert document["state"] == DELIVERED
    assert document["delivered_at"] is not None
    assert owed(store, message) == []
    assert counted("verimor", DELIVERED) == before + 1


def test_a_delivery_after_the_message_itself_failed_owes_sms_delivered(notification, store, received_event):
    """A handset can report delivery after we gave up: tracking's notice is to be cleared."""
    message = sent_message(store, received_event)
    notification.record_delivery_report("verimor", verimor_push(verimor_report(message["_id"], "EXPIRED")))

    outcome = notification.record_delivery_report("verimor", verimor_push(verimor_report(message["_id"], "DELIVERED")))

    assert outcome == {"applied": 1, "ignored": 0}
    assert owed(store, message) == ["sms_failed", "sms_delivered"]
    event = stored(store, message)["outbox"][-1]
    assert (event["application_no"], event["message_id"], event["template"], event["provider"]) == (
        NUMBER, message["_id"], domain.RECEIVED, "verimor")


def test_a_delivery_of_a_resend_after_the_first_failed_owes_sms_delivered(notification, store, received_event):
    failed = sent_message(store, received_event)
    store.advance(failed["_id"], FAILED, {}, None, clock.now())
    resend = domain.resent_message(stored(store, failed), store.recipient(NUMBER), "istanbul.admin", clock.now())
    store.enqueue(resend)
    store.messages.update_one({"_id": resend["_id"]}, {"$set": {"state": SENDING}})
    store.mark_sent([resend["_id"]], SendReceipt("verimor", "20130"), clock.now())

    notification.record_delivery_report("verimor", verimor_push(verimor_report(resend["_id"], "DELIVERED", 20130)))

    assert owed(store, resend) == ["sms_delivered"]


def test_a_failure_of_another_template_owes_no_delivered_event(notification, store, received_event):
    received = sent_message(store, received_event, provider_message_id="20121")
    concluded = sent_message(store, received_event, template=domain.CONCLUDED, provider_message_id="20125")
    store.advance(received["_id"], FAILED, {}, None, clock.now())

    notification.record_delivery_report("verimor", verimor_push(verimor_report(concluded["_id"], "DELIVERED", 20125)))

    assert (stored(store, concluded)["state"], owed(store, concluded)) == (DELIVERED, [])


def test_a_failure_and_a_delivery_of_one_message_in_one_push_owe_both_events(notification, store, received_event):
    message = sent_message(store, received_event)

    outcome = notification.record_delivery_report("verimor", verimor_push(
        verimor_report(message["_id"], "EXPIRED"), verimor_report(message["_id"], "DELIVERED")))

    assert outcome == {"applied": 2, "ignored": 0}
    assert owed(store, message) == ["sms_failed", "sms_delivered"]


def test_a_push_of_many_deliveries_is_two_reads_and_one_write(notification, store, received_event):
    messages = [sent_message(store, received_event, f"2026-00010{i}", provider_message_id="20140") for i in range(5)]
    calls = []
    for method in ("find", "find_one", "update_one", "update_many"):
        original = getattr(store.messages, method)
        setattr(store.messages, method, lambda *args, _original=original, _method=method, **kwargs: (
            calls.append(_method), _original(*args, **kwargs))[1])

    outcome = notification.record_delivery_report("verimor", verimor_push(
        *(verimor_report(message["_id"], "DELIVERED", 20140) for message in messages)))

    assert outcome == {"applied": 5, "ignored": 0}
    assert sorted(calls) == ["find", "find", "update_many"]
    assert {stored(store, message)["state"] for message in messages} == {DELIVERED}


def test_a_failed_report_fails_the_message_with_the_reason(notification, store, received_event):
    message = sent_message(store, received_event)
    before = counted("verimor", FAILED)

    outcome = notification.record_delivery_report(
        "verimor", verimor_push(verimor_report(message["_id"], "NOT_DELIVERED", gsm_error="27")))

    assert outcome == {"applied": 1, "ignored": 0}
    document = stored(store, message)
    assert (document["state"], document["last_error"]) == (FAILED, "NOT_DELIVERED gsm_error=27")
    event = document["outbox"][-1]
    assert (event["event_name"], event["reason"], event["provider"]) == (
        "sms_failed", "NOT_DELIVERED gsm_error=27", "verimor")
    assert counted("verimor", FAILED) == before + 1


def test_a_replayed_report_changes_nothing(notification, store, received_event):
    message = sent_message(store, received_event)
    push = verimor_push(verimor_report(message["_id"], "DELIVERED"))
    notification.record_delivery_report("verimor", push)
    before, counted_before = stored(store, message), counted("verimor", DELIVERED)

    assert notification.record_delivery_report("verimor", push) == {"applied": 0, "ignored": 1}

    assert stored(store, message) == before
    assert counted("verimor", DELIVERED) == counted_before


@pytest.mark.parametrize("late", ["SENT", "WAITING", "NOT_DELIVERED"])
def test_a_late_report_after_delivered_changes_nothing(notification, store, received_event, late):
    message = sent_message(store, received_event)
    notification.record_delivery_report("verimor", verimor_push(verimor_report(message["_id"], "DELIVERED")))
    before = stored(store, message)

    assert notification.record_delivery_report("verimor", verimor_push(verimor_report(message["_id"], late))) == {
        "applied": 0, "ignored": 1}

    assert stored(store, message) == before


def test_a_sent_report_adds_nothing_to_our_own_write(notification, store, received_event):
    message = sent_message(store, received_event)
    before = stored(store, message)

    assert notification.record_delivery_report("verimor", verimor_push(verimor_report(message["_id"], "SENT"))) == {
        "applied": 0, "ignored": 1}

    assert stored(store, message) == before


def test_a_report_that_arrives_while_the_message_is_being_sent_is_applied(notification, store, received_event):
    store.remember_recipient(NUMBER, PHONE, "tr", "34")
    message = domain.received_message(received_event(NUMBER), clock.now())
    store.enqueue(message)
    store.claim_next(clock.now(), clock.now() + domain.SENDING_LEASE, "verimor")

    assert notification.record_delivery_report(
        "verimor", verimor_push(verimor_report(message["_id"], "DELIVERED")))["applied"] == 1

    receipt = SendReceipt("verimor", "20121")
    store.mark_sent([message["_id"]], receipt, clock.now())
    document = stored(store, message)
    assert (document["state"], document["provider_message_id"]) == (DELIVERED, "20121")
    assert owed(store, message) == []


def test_a_push_of_several_reports_counts_what_it_applied(notification, store, received_event):
    first = sent_message(store, received_event, "2026-000001", provider_message_id="20121")
    second = sent_message(store, received_event, "2026-000002", provider_message_id="20122")
    notification.record_delivery_report("verimor", verimor_push(verimor_report(second["_id"], "DELIVERED", 20122)))

    outcome = notification.record_delivery_report("verimor", verimor_push(
        verimor_report(first["_id"], "DELIVERED"), verimor_report(second["_id"], "EXPIRED", 20122),
        verimor_report("not-ours", "DELIVERED", 30000)))

    assert outcome == {"applied": 1, "ignored": 2}
    assert [stored(store, message)["state"] for message in (first, second)] == [DELIVERED, DELIVERED]


def test_verimors_double_send_error_does_not_fail_the_message_that_went_out(notification, store, received_event):
    """A re-send after a crash is refused by Verimor as a same-day copy; its report carries our
    message id, but the first campaign is what reached the phone."""
    message = sent_message(store, received_event, provider_message_id="20122")

    outcome = notification.record_delivery_report(
        "verimor", verimor_push(verimor_report(message["_id"], "DOUBLE_SEND_ERROR", 20122)))

    assert outcome["applied"] == 0
    assert stored(store, message)["state"] == SENT
    assert notification.record_delivery_report(
        "verimor", verimor_push(verimor_report(message["_id"], "DELIVERED", 20121)))["applied"] == 1


def test_iletimerkezi_reports_find_the_message_by_the_order_id(notification, store, received_event):
    message = sent_message(store, received_event, provider="iletimerkezi", provider_message_id="7001")

    assert notification.record_delivery_report("iletimerkezi", iletimerkezi_webhook(7001, "accepted")) == {
        "applied": 0, "ignored": 1}
    assert notification.record_delivery_report("iletimerkezi", iletimerkezi_webhook(7001, "undelivered")) == {
        "applied": 1, "ignored": 0}

    document = stored(store, message)
    assert (document["state"], document["last_error"]) == (FAILED, "undelivered")
    assert owed(store, message) == ["sms_failed"]


def test_a_signed_twilio_report_is_applied(notification, store, received_event):
    message = sent_message(store, received_event, provider="twilio", provider_message_id="SM" + "1" * 32)

    outcome = notification.record_delivery_report("twilio", twilio_callback(message["_id"], "SM" + "1" * 32,
                                                                            "delivered"))

    assert outcome == {"applied": 1, "ignored": 0}
    assert stored(store, message)["state"] == DELIVERED


def test_the_concluded_sms_is_reported_with_its_own_template(notification, store, received_event):
    message = sent_message(store, received_event, template=domain.CONCLUDED, provider_message_id="20125")
    before = counted("verimor", DELIVERED, template=domain.CONCLUDED)

    notification.record_delivery_report("verimor", verimor_push(verimor_report(message["_id"], "EXPIRED", 20125)))

    assert stored(store, message)["outbox"][-1]["template"] == domain.CONCLUDED
    notification.record_delivery_report("verimor", verimor_push(verimor_report(message["_id"], "DELIVERED", 20125)))
    assert counted("verimor", DELIVERED, template=domain.CONCLUDED) == before + 1


# Refused and unknown

def test_a_bad_twilio_signature_is_not_allowed_and_changes_nothing(notification, store, received_event):
    message = sent_message(store, received_event, provider="twilio", provider_message_id="SM1")
    before = stored(store, message)

    for forged in (twilio_callback(message["_id"], "SM1", "failed", token="not-the-token"),
                   dict(twilio_callback(message["_id"], "SM1", "failed"), signature=None)):
        with pytest.raises(NotAllowed):
            notification.record_delivery_report("twilio", forged)

    assert stored(store, message) == before


@pytest.mark.parametrize("provider, callback", [
    ("verimor", {"url": CALLBACK_URL.format("verimor"), "content_type": "application/json", "json": None}),
    ("verimor", {"url": CALLBACK_URL.format("verimor"), "content_type": "application/json",
                 "json": {"status": "DELIVERED"}}),
    ("verimor", {"url": CALLBACK_URL.format("verimor"), "json": [{"campaign_id": 1}]}),
    ("iletimerkezi", {"url": CALLBACK_URL.format("iletimerkezi"), "json": ["not", "a", "report"]}),
    ("twilio", {"url": CALLBACK_URL.format("twilio"), "content_type": "application/json", "json": {}}),
    ("verimor", {"url": "", "json": []}),
    ("verimor", {"url": CALLBACK_URL.format("verimor"), "form": {"a": 1}}),
    ("verimor", ["not", "an", "object"]),
    ("log", {"url": CALLBACK_URL.format("log"), "json": []}),
])
def test_an_unreadable_report_is_a_validation_failure_on_body(notification, provider, callback):
    with pytest.raises(ValidationFailed) as raised:
        notification.record_delivery_report(provider, callback)

    assert set(raised.value.fields) == {"body"}


@pytest.mark.parametrize("provider", ["nexmo", "VERIMOR", "../verimor"])
def test_an_unknown_provider_is_not_found(notification, provider):
    with pytest.raises(NotFound):
        notification.record_delivery_report(provider, verimor_push(verimor_report("m", "DELIVERED")))


def test_a_report_for_an_unknown_message_is_acknowledged_and_logged_without_personal_data(
        notification, store, caplog):
    with caplog.at_level(logging.DEBUG):
        outcome = notification.record_delivery_report("iletimerkezi", iletimerkezi_webhook(99999, "delivered"))
        outcome_by_id = notification.record_delivery_report(
            "verimor", verimor_push(verimor_report("not-one-of-ours", "DELIVERED")))

    assert outcome == outcome_by_id == {"applied": 0, "ignored": 1}
    assert store.messages.count_documents({}) == 0
    assert "unknown message" in caplog.text
    for private in (PHONE, PHONE[1:], "Başvurunuz alındı"):
        assert private not in caplog.text


def test_the_report_is_read_from_json_as_it_crossed_the_wire(notification, store, received_event):
    message = sent_message(store, received_event)
    over_the_wire = json.loads(json.dumps(verimor_push(verimor_report(message["_id"], "DELIVERED"))))

    assert notification.record_delivery_report("verimor", over_the_wire)["applied"] == 1


def test_providers_are_built_once_per_name(reports, store, received_event):
    message = sent_message(store, received_event)
    reports.record("verimor", verimor_push(verimor_report(message["_id"], "SENT")))
    first = reports.providers["verimor"]

    reports.record("verimor", verimor_push(verimor_report(message["_id"], "SENT")))

    assert reports.providers["verimor"] is first and first.name == "verimor"


# What staff see

ROUTER = staff_principal("ankara.router")
ANKARA_ADMIN = staff_principal("ankara.admin")
ISTANBUL_ADMIN = staff_principal("istanbul.admin")


def test_list_messages_gives_the_views_of_an_applications_sms(notification, store, received_event):
    received = sent_message(store, received_event)
    concluded = sent_message(store, received_event, template=domain.CONCLUDED, provider_message_id="20125")
    sent_message(store, received_event, number="2026-000002")

    views = notification.list_messages(ROUTER, NUMBER)

    assert views == [domain.message_view(stored(store, message)) for message in (received, concluded)]
    for view in views:
        for private in (PHONE, PHONE[1:], received["text"], concluded["text"], received["values"]["tracking_code"]):
            assert private not in json.dumps(view, ensure_ascii=False)


def test_list_messages_of_an_application_without_sms_is_empty(notification):
    assert notification.list_messages(ROUTER, "2026-000404") == []


def test_failed_messages_are_the_admins_province_only(notification, store, received_event):
    ankara = sent_message(store, received_event, number="2026-000001", province_code="06")
    istanbul = sent_message(store, received_event, number="2026-000002", province_code="34",
                            provider_message_id="20122")
    delivered = sent_message(store, received_event, number="2026-000003", province_code="06",
                             provider_message_id="20123")
    notification.record_delivery_report("verimor", verimor_push(
        verimor_report(ankara["_id"], "EXPIRED"), verimor_report(istanbul["_id"], "REJECTED", 20122),
        verimor_report(delivered["_id"], "DELIVERED", 20123)))

    ankara_failed = notification.list_failed_messages(ANKARA_ADMIN)
    istanbul_failed = notification.list_failed_messages(ISTANBUL_ADMIN)

    assert ankara_failed == [domain.failed_message_view(stored(store, ankara), store.recipient("2026-000001"))]
    assert istanbul_failed == [domain.failed_message_view(stored(store, istanbul), store.recipient("2026-000002"))]
    assert (ankara_failed[0]["state"], ankara_failed[0]["last_error"]) == (FAILED, "EXPIRED")
    assert PHONE not in json.dumps(ankara_failed)


def test_failed_messages_are_limited(notification, store, received_event):
    for index in range(3):
        message = sent_message(store, received_event, number="2026-00000{}".format(index + 1), province_code="06",
                               provider_message_id="2012{}".format(index))
        store.advance(message["_id"], FAILED, {"last_error": "EXPIRED"},
                      domain.failed_event(message, "verimor", "EXPIRED"), clock.now())

    assert len(notification.list_failed_messages(ANKARA_ADMIN, 2)) == 2
    assert len(notification.list_failed_messages(ANKARA_ADMIN)) == 3
    assert len(notification.list_failed_messages(ANKARA_ADMIN, "1")) == 1


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_below_one_returns_no_failed_messages(notification, store, received_event, limit):
    for index in range(2):
        message = sent_message(store, received_event, number="2026-00000{}".format(index + 1), province_code="06",
                               provider_message_id="2012{}".format(index))
        store.advance(message["_id"], FAILED, {"last_error": "EXPIRED"},
                      domain.failed_event(message, "verimor", "EXPIRED"), clock.now())

    try:
        listed = notification.list_failed_messages(ANKARA_ADMIN, limit)
    except ValidationFailed:
        return  # refusing such a limit is as good as an empty list
    assert listed == []


def test_a_report_of_one_provider_never_applies_to_a_message_sent_through_another(
        notification, store, received_event):
    through_verimor = sent_message(store, received_event, provider="verimor", provider_message_id="7001")
    before = stored(store, through_verimor)

    outcome = notification.record_delivery_report("iletimerkezi", iletimerkezi_webhook(7001, "undelivered"))

    assert outcome == {"applied": 0, "ignored": 1}
    assert stored(store, through_verimor) == before


def test_a_report_naming_our_message_id_through_another_provider_changes_nothing(
        notification, store, received_event):
    """Our id is the one thing every provider's report may echo: it must come from the provider
    the message was handed to (a Twilio report never moves a message sent through Verimor)."""
    through_verimor = sent_message(store, received_event, provider="verimor", provider_message_id="7001")
    before = stored(store, through_verimor)

    outcome = notification.record_delivery_report(
        "twilio", twilio_callback(through_verimor["_id"], "SM" + "0" * 32, "undelivered", ErrorCode="30003"))

    assert outcome == {"applied": 0, "ignored": 1}
    assert stored(store, through_verimor) == before
    assert notification.record_delivery_report(
        "verimor", verimor_push(verimor_report(through_verimor["_id"], "DELIVERED", 7001)))["applied"] == 1


def test_while_sending_only_the_provider_it_was_handed_to_is_heard(notification, store, received_event):
    store.remember_recipient(NUMBER, PHONE, "tr", "34")
    message = domain.received_message(received_event(NUMBER), clock.now())
    store.enqueue(message)
    store.claim_next(clock.now(), clock.now() + domain.SENDING_LEASE, "verimor")

    through_twilio = twilio_callback(message["_id"], "SM" + "1" * 32, "delivered")
    assert notification.record_delivery_report("twilio", through_twilio)["applied"] == 0
    assert stored(store, message)["state"] == SENDING
    assert notification.record_delivery_report(
        "verimor", verimor_push(verimor_report(message["_id"], "DELIVERED")))["applied"] == 1
