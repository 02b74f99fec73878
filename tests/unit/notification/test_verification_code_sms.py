"""The one-time code proving a phone number (issue 24): ``phone_verification_requested`` queues one
SMS with the code to the phone, under a pseudo application number, however often the event comes;
the dispatcher sends it until ``expires_at`` at most, and once it is final its text and values
keep no code and its recipient no phone; it owes no event (sent, failed or delivered), is in no
staff list or export, and neither the code nor the phone reaches a log line. On mongomock and the
embedded store (the unique key, the erased recipient and the queries are engine matters)."""
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from nameko.testing.services import worker_factory

from common import clock
from common.errors import NotFound
from contracts.events import new_event
from services.notification import domain, verification_codes
from services.notification.delivery_reports import DeliveryReports
from services.notification.domain import DELIVERED, FAILED, QUEUED, SENT
from services.notification.providers import SmsSendError
from services.notification.segments import measure
from services.notification.service import NotificationService
from services.notification.store import NotificationStore
from tests.support.samples import staff_principal
from tests.unit.notification.test_notification import FakeProvider, make_dispatcher

VERIFICATION_ID = "3f1c9a7e52b84d0c9e6a1b2c3d4e5f60"
PSEUDO_NO = "dogrulama:" + VERIFICATION_ID
PHONE = "+905321234567"
CODE = "482915"
MASK = "******"
ISTANBUL_ADMIN = staff_principal("istanbul.admin")
VERIMOR_ENVIRONMENT = {"VERIMOR_USERNAME": "908501234567", "VERIMOR_PASSWORD": "api-secret"}


@pytest.fixture
def store(database_on_each_engine):
    store = NotificationStore(database_on_each_engine)
    store.create_indexes()
    return store


@pytest.fixture
def reports(store, monkeypatch, tmp_path):
    for name, value in VERIMOR_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SMS_PROVIDER", raising=False)
    reports = DeliveryReports(store="messages")
    reports.setup()
    reports.store = store
    return reports


@pytest.fixture
def notification(store, reports, kick_counter):
    return worker_factory(NotificationService, messages=store, delivery_reports=reports, send_queued_sms=kick_counter)


def utc_iso(moment):
    """As intake writes ``expires_at``: ISO-8601 in UTC."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def requested(language="tr", expires_in=timedelta(minutes=5), verification_id=VERIFICATION_ID, code=CODE):
    return new_event("phone_verification_requested", None, verification_id=verification_id, phone=PHONE, code=code,
                     language=language, expires_at=utc_iso(datetime.now(UTC) + expires_in))


def code_messages(store):
    return list(store.messages.find({"template": domain.VERIFICATION_CODE}))


def owed(store):
    return [event for message in store.messages.find({}) for event in message.get("outbox", [])]


def assert_forgotten(store, message):
    """The code is masked in the stored text and values; the pseudo recipient keeps no phone."""
    stored = store.messages.find_one({"_id": message["_id"]})
    assert CODE not in str(stored)
    assert stored["values"]["code"] == MASK and MASK in stored["text"]
    recipient = store.recipient(PSEUDO_NO)
    assert recipient["phone"] is None and recipient["erased_at"] is not None
    assert PHONE not in str(recipient)
    return stored


def verimor_push(message_id, status, campaign_id="prov-1"):
    return {"url": "https://acikkapi.example/api/v1/sms/callbacks/verimor/t", "content_type": "application/json",
            "form": {}, "signature": None,
            "json": [{"type": "outbound", "campaign_id": campaign_id, "message_custom_id": message_id,
                      "message_id": "13582302", "dest": PHONE[1:], "status": status, "gsm_error": "0",
                      "sent_at": "2026-03-02 10:15:01", "done_at": "2026-03-02 10:15:09"}]}


class VerimorNamed(FakeProvider):
    """The fake provider under Verimor's name, so Verimor's delivery reports are about its messages."""

    name = "verimor"


# The handler

def test_the_event_queues_one_sms_with_the_code_to_the_phone(notification, store, kick_counter):
    notification.handle_phone_verification_requested(requested())

    [message] = code_messages(store)
    assert message["application_no"] == PSEUDO_NO
    assert (message["state"], message["language"], message["values"]) == (QUEUED, "tr", {
        "application_no": PSEUDO_NO, "code": CODE})
    assert message["text"] == ("Açık Kapı doğrulama kodunuz: {}. 5 dakika geçerlidir; kimseyle paylaşmayın. "
                               "Siz istemediyseniz dikkate almayın.".format(CODE))
    assert message["segments"] == measure(message["text"]).segments == 1
    assert clock.aware(message["send_until"]) - clock.now() <= timedelta(minutes=5)
    recipient = store.recipient(PSEUDO_NO)
    assert (recipient["phone"], recipient["language"], recipient["province_code"], recipient["email"]) == (
        PHONE, "tr", None, None)
    assert kick_counter.count == 1
    assert owed(store) == []


def test_the_code_goes_in_the_citizens_language(notification, store):
    notification.handle_phone_verification_requested(requested(language="en"))

    [message] = code_messages(store)
    assert message["text"].startswith("Your Acik Kapi verification code: {}.".format(CODE))
    assert store.recipient(PSEUDO_NO)["language"] == "en"


def test_a_redelivered_event_queues_nothing_more(notification, store, kick_counter):
    event = requested()
    notification.handle_phone_verification_requested(event)
    kick_counter.count = 0

    notification.handle_phone_verification_requested(event)

    assert len(code_messages(store)) == 1
    assert kick_counter.count == 0


def test_a_redelivered_event_after_the_sms_went_brings_back_neither_code_nor_phone(notification, store, kick_counter):
    event = requested()
    notification.handle_phone_verification_requested(event)
    make_dispatcher(store, FakeProvider()).run_once()
    kick_counter.count = 0

    notification.handle_phone_verification_requested(event)

    [message] = code_messages(store)
    assert_forgotten(store, message)
    assert kick_counter.count == 0


def test_each_verification_gets_its_own_sms():
    """Two verifications of one phone are two facts: their pseudo numbers differ."""
    first = verification_codes.code_message(requested(), clock.now())
    second = verification_codes.code_message(requested(verification_id="9" * 32), clock.now())

    assert first["application_no"] != second["application_no"]
    assert (first["template"], first["occasion"], first["resend_of"]) == (domain.VERIFICATION_CODE, None, None)


def test_the_pseudo_number_cannot_be_an_application_number():
    pseudo = verification_codes.pseudo_application_no(VERIFICATION_ID)

    assert not re.fullmatch(r"\d{4}-\d{6,}", pseudo)
    assert verification_codes.is_pseudo(pseudo)
    assert not verification_codes.is_pseudo("2026-000123") and not verification_codes.is_pseudo(None)


# The dispatcher

def test_the_dispatcher_sends_the_code_and_then_keeps_neither_code_nor_phone(notification, store):
    notification.handle_phone_verification_requested(requested())
    provider = FakeProvider()

    make_dispatcher(store, provider).run_once()

    [sms] = provider.sent
    [message] = code_messages(store)
    assert (sms.phone, sms.message_id) == (PHONE, message["_id"])
    assert CODE in sms.text
    stored = assert_forgotten(store, message)
    assert stored["state"] == SENT
    assert stored["text"] == sms.text.replace(CODE, MASK)
    assert owed(store) == []


def test_an_expired_code_fails_without_being_sent_and_owes_nothing(notification, store):
    notification.handle_phone_verification_requested(requested(expires_in=-timedelta(seconds=1)))
    provider = FakeProvider()

    make_dispatcher(store, provider).run_once()

    assert provider.sent == []
    [message] = code_messages(store)
    stored = assert_forgotten(store, message)
    assert (stored["state"], stored["provider"]) == (FAILED, "fake")
    assert stored["last_error"].startswith("gave up")
    assert owed(store) == []


def test_a_refused_code_fails_owing_no_sms_failed(notification, store):
    notification.handle_phone_verification_requested(requested())

    make_dispatcher(store, FakeProvider(SmsSendError("INVALID_DESTINATION_ADDRESS", retryable=False))).run_once()

    [message] = code_messages(store)
    stored = assert_forgotten(store, message)
    assert (stored["state"], stored["provider"], stored["last_error"]) == (FAILED, "fake",
                                                                           "INVALID_DESTINATION_ADDRESS")
    assert owed(store) == []


def test_a_retry_is_due_no_later_than_the_expiry_and_then_given_up(notification, store):
    notification.handle_phone_verification_requested(requested(expires_in=timedelta(seconds=3)))
    provider = FakeProvider(SmsSendError("verimor: HTTP 503", retryable=True))
    dispatcher = make_dispatcher(store, provider)

    dispatcher.run_once()

    [waiting] = code_messages(store)
    assert waiting["state"] == QUEUED and CODE in waiting["text"]  # still to be sent
    assert clock.aware(waiting["next_attempt_at"]) <= clock.aware(waiting["send_until"])
    past = clock.now() - timedelta(seconds=1)
    store.messages.update_one({"_id": waiting["_id"]}, {"$set": {"send_until": past, "next_attempt_at": past}})

    dispatcher.run_once()

    assert len(provider.sent) == 1
    assert assert_forgotten(store, waiting)["state"] == FAILED
    assert owed(store) == []


def test_a_provider_reason_quoting_the_code_is_masked(notification, store, caplog):
    notification.handle_phone_verification_requested(requested())
    refusal = SmsSendError("rejected text 'kodunuz: {}'".format(CODE), retryable=False)

    with caplog.at_level(logging.DEBUG):
        make_dispatcher(store, FakeProvider(refusal)).run_once()

    [message] = code_messages(store)
    assert assert_forgotten(store, message)["last_error"] == "rejected text 'kodunuz: {}'".format(MASK)
    assert CODE not in caplog.text


def test_neither_code_nor_phone_is_logged(notification, store, caplog):
    with caplog.at_level(logging.DEBUG):
        notification.handle_phone_verification_requested(requested())
        make_dispatcher(store, FakeProvider(SmsSendError("verimor: HTTP 503", retryable=True))).run_once()
        store.messages.update_many({}, {"$set": {"next_attempt_at": clock.now() - timedelta(seconds=1)}})
        make_dispatcher(store, FakeProvider()).run_once()

    assert code_messages(store)[0]["state"] == SENT
    assert caplog.records  # the failed attempt was logged, by message id
    assert CODE not in caplog.text and PHONE[1:] not in caplog.text and PHONE[3:] not in caplog.text


def test_other_templates_keep_their_text_and_recipient(notification, store, received_event):
    notification.handle_application_received(received_event("2026-000001", phone=PHONE, tracking_code="K7M2PQ9X"))

    make_dispatcher(store, FakeProvider()).run_once()

    [message] = store.messages.find({"application_no": "2026-000001"})
    assert message["state"] == SENT and "K7M2PQ9X" in message["text"]
    assert store.recipient("2026-000001")["phone"] == PHONE


# Delivery reports after the code is gone

@pytest.mark.parametrize("status, state", [("DELIVERED", DELIVERED), ("NOT_DELIVERED", FAILED)])
def test_a_later_report_finds_the_message_and_owes_no_event(notification, store, status, state):
    notification.handle_phone_verification_requested(requested())
    make_dispatcher(store, VerimorNamed()).run_once()
    [message] = code_messages(store)

    outcome = notification.record_delivery_report("verimor", verimor_push(message["_id"], status))

    assert outcome == {"applied": 1, "ignored": 0}
    stored = assert_forgotten(store, message)
    assert stored["state"] == state
    assert owed(store) == []


def test_a_delivery_after_a_reported_failure_owes_no_sms_delivered(notification, store):
    notification.handle_phone_verification_requested(requested())
    make_dispatcher(store, VerimorNamed()).run_once()
    [message] = code_messages(store)

    notification.record_delivery_report("verimor", verimor_push(message["_id"], "NOT_DELIVERED"))
    notification.record_delivery_report("verimor", verimor_push(message["_id"], "DELIVERED"))

    assert store.messages.find_one({"_id": message["_id"]})["state"] == DELIVERED
    assert owed(store) == []


def test_a_report_by_the_providers_own_id_finds_it_too(notification, store):
    notification.handle_phone_verification_requested(requested())
    make_dispatcher(store, VerimorNamed()).run_once()
    [message] = code_messages(store)
    assert message["provider_message_id"] == "prov-1"

    [found] = store.reported_messages([_report(None, "prov-1")], "verimor")

    assert found["_id"] == message["_id"]


def _report(message_id, provider_message_id):
    from services.notification.providers import DeliveryReport

    return DeliveryReport(message_id=message_id, provider_message_id=provider_message_id, state=DELIVERED)


# Staff lists and exports

def test_no_staff_list_or_export_shows_it(notification, store):
    notification.handle_phone_verification_requested(requested())
    make_dispatcher(store, FakeProvider(SmsSendError("INVALID_DESTINATION_ADDRESS", retryable=False))).run_once()
    assert code_messages(store)[0]["state"] == FAILED

    assert notification.list_failed_messages(ISTANBUL_ADMIN) == []
    assert notification.list_messages(ISTANBUL_ADMIN, PSEUDO_NO) == []
    assert notification.export_personal_data(ISTANBUL_ADMIN, [PSEUDO_NO]) == {}
    with pytest.raises(NotFound):
        notification.resend_message(ISTANBUL_ADMIN, code_messages(store)[0]["_id"])


def test_the_failed_list_does_not_even_read_it(store):
    """Verification SMS may fail by the hundred while a provider is down; the province's list
    reads only real applications' failed messages."""
    message = verification_codes.code_message(requested(), clock.now())
    store.remember_recipient(*verification_codes.recipient(requested()))
    store.enqueue(dict(message, state=FAILED))

    assert store.failed_in_province("34", 100) == []
    assert store.failed_in_province(None, 100) == []


# The rules

def test_gives_up_at_send_until_and_not_before():
    now = clock.now()
    message = {"attempts": 1, "created_at": now, "send_until": now + timedelta(seconds=1)}

    assert not domain.gives_up(message, now)
    assert domain.gives_up(message, now + timedelta(seconds=1))
    assert not domain.gives_up({"attempts": 1, "created_at": now}, now + timedelta(hours=1))


def test_a_retry_is_never_due_past_send_until():
    now = clock.now()

    assert domain.retry_at({"attempts": 7, "send_until": now + timedelta(seconds=2)}, now) == now + timedelta(
        seconds=2)
    assert domain.retry_at({"attempts": 0}, now) <= now + timedelta(seconds=1)


def test_only_the_code_owes_no_events():
    code = verification_codes.code_message(requested(), clock.now())
    received = domain.received_message({"application_no": "2026-000001", "tracking_code": "K7M2PQ9X"}, clock.now())

    assert domain.failed_event(code, "verimor", "EXPIRED") is None
    assert domain.delivered_event(code, "verimor") is None
    assert domain.failed_event(received, "verimor", "EXPIRED")["event_name"] == "sms_failed"
    assert domain.delivered_event(received, "verimor")["event_name"] == "sms_delivered"


def test_forgetting_masks_the_code_only():
    message = verification_codes.code_message(requested(code="555555"), clock.now())

    fields = verification_codes.forgotten(message)

    assert fields["text"] == message["text"].replace("555555", MASK)
    assert "5 dakika" in fields["text"]
    assert fields["values"] == {"application_no": PSEUDO_NO, "code": MASK}
    assert not verification_codes.holds_code(dict(message, **fields))


def test_a_weeks_old_verification_sms_and_its_recipient_are_discarded_at_most_hourly(notification, store):
    old_id, recent_id = "a" * 32, "b" * 32
    notification.handle_phone_verification_requested(requested(verification_id=old_id))
    week_ago = clock.now() - verification_codes.KEPT_FOR - timedelta(minutes=1)
    store.messages.update_many({"application_no": "dogrulama:" + old_id}, {"$set": {"created_at": week_ago}})
    store.erase_recipient("dogrulama:" + old_id, week_ago)
    store.verification_sms_discarded_at = clock.now() - timedelta(minutes=10)  # looked ten minutes ago

    notification.handle_phone_verification_requested(requested(verification_id=recent_id))
    assert store.messages.count_documents({"application_no": "dogrulama:" + old_id}) == 1  # not yet: hourly

    store.verification_sms_discarded_at = clock.now() - verification_codes.DISCARD_EVERY
    notification.handle_phone_verification_requested(requested(verification_id=recent_id))

    assert store.messages.count_documents({"application_no": "dogrulama:" + old_id}) == 0
    assert store.recipient("dogrulama:" + old_id) is None
    assert store.messages.count_documents({"application_no": "dogrulama:" + recent_id}) == 1
    assert store.recipient("dogrulama:" + recent_id)["phone"] == PHONE
    assert store.messages.count_documents({"template": {"$ne": domain.VERIFICATION_CODE}}) == 0


def test_discarding_leaves_every_real_applications_records(notification, store, received_event):
    notification.handle_application_received(received_event())
    long_ago = clock.now() - timedelta(days=400)
    store.messages.update_many({}, {"$set": {"created_at": long_ago}})
    store.erase_recipient(received_event()["application_no"], long_ago)

    notification.handle_phone_verification_requested(requested())

    assert store.messages.count_documents({"template": "application_received"}) == 1
    assert store.recipient(received_event()["application_no"]) is not None
