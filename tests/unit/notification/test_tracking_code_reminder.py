"""The tracking code sent again (issue 19): ``tracking_code_requested`` queues one reminder SMS per
request, to the phone on record, in the applicant's language, however often the event comes; an
erased applicant gets nothing. On mongomock and the embedded store (the unique key is an index
matter)."""
import pytest
from nameko.testing.services import worker_factory

from common import clock
from contracts.events import new_event
from services.notification import domain
from services.notification.domain import CANCELLED, FAILED, QUEUED, SENT
from services.notification.providers import SmsSendError
from services.notification.segments import measure
from services.notification.service import NotificationService
from services.notification.store import NotificationStore
from tests.support.samples import staff_principal
from tests.unit.notification.test_notification import FakeProvider, make_dispatcher

NUMBER = "2026-000001"
CODE = "K7M2PQ9X"
PHONE = "+905321234567"
ANKARA_ADMIN = staff_principal("ankara.admin")


@pytest.fixture
def store(database_on_each_engine):
    store = NotificationStore(database_on_each_engine)
    store.create_indexes()
    return store


@pytest.fixture
def notification(store, kick_counter):
    return worker_factory(NotificationService, messages=store, send_queued_sms=kick_counter)


def requested(requested_at="2026-03-05T10:00:00.000+03:00", number=NUMBER):
    return new_event("tracking_code_requested", number, tracking_code=CODE, requested_at=requested_at)


def reminders(store, number=NUMBER):
    return list(store.messages.find({"application_no": number, "template": domain.REMINDER}))


def received(notification, received_event, **overrides):
    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE, phone=PHONE, **overrides))


def test_a_request_queues_the_code_for_the_phone_on_record(notification, store, received_event, kick_counter):
    received(notification, received_event)
    kick_counter.count = 0

    notification.handle_tracking_code_requested(requested())

    [message] = reminders(store)
    assert (message["state"], message["language"]) == (QUEUED, "tr")
    assert message["text"].startswith("Açık Kapı takip kodunuz: {}.".format(CODE))
    assert "acikkapi.gov.tr/takip?no={}".format(NUMBER) in message["text"]
    assert message["segments"] == measure(message["text"]).segments == 1
    assert kick_counter.count == 1


def test_the_reminder_is_in_the_applicants_language(notification, store, received_event):
    received(notification, received_event, language="en")

    notification.handle_tracking_code_requested(requested())

    [message] = reminders(store)
    assert message["language"] == "en"
    assert message["text"].startswith("Your Acik Kapi tracking code: {}.".format(CODE))


def test_a_redelivered_event_queues_nothing_more(notification, store, received_event, kick_counter):
    received(notification, received_event)
    event = requested()

    notification.handle_tracking_code_requested(event)
    kick_counter.count = 0
    notification.handle_tracking_code_requested(event)

    assert len(reminders(store)) == 1
    assert kick_counter.count == 0


def test_each_request_gets_its_own_reminder_beside_the_received_sms(notification, store, received_event):
    received(notification, received_event)

    notification.handle_tracking_code_requested(requested("2026-03-05T10:00:00.000+03:00"))
    notification.handle_tracking_code_requested(requested("2026-03-05T11:00:01.000+03:00"))

    assert len(reminders(store)) == 2
    assert store.messages.count_documents({"application_no": NUMBER}) == 3


def test_an_erased_applicant_gets_nothing(notification, store, received_event):
    received(notification, received_event)
    notification.handle_applicant_data_erased(new_event("applicant_data_erased", NUMBER))

    notification.handle_tracking_code_requested(requested())

    assert reminders(store) == []


def test_a_reminder_queued_before_the_erasure_is_never_sent(notification, store, received_event):
    received(notification, received_event)
    notification.handle_tracking_code_requested(requested())

    notification.handle_applicant_data_erased(new_event("applicant_data_erased", NUMBER))

    [message] = reminders(store)
    assert message["state"] == CANCELLED


def test_before_the_recipient_is_known_the_reminder_waits_for_the_language(notification, store, received_event):
    notification.handle_tracking_code_requested(requested())
    [waiting] = reminders(store)
    assert waiting["text"] is None

    received(notification, received_event, language="en")

    [message] = reminders(store)
    assert message["language"] == "en" and CODE in message["text"]


def test_the_dispatcher_sends_it_to_the_recipients_phone(notification, store, received_event):
    received(notification, received_event)
    store.messages.delete_many({"template": domain.RECEIVED})
    notification.handle_tracking_code_requested(requested())
    provider = FakeProvider()

    make_dispatcher(store, provider).run_once()

    [sms] = provider.sent
    [message] = reminders(store)
    assert (sms.phone, sms.message_id, message["state"]) == (PHONE, message["_id"], SENT)
    assert CODE in sms.text


def test_a_failed_reminder_is_resent_once_as_a_reminder(notification, store, received_event):
    received(notification, received_event, province_code="06")
    store.messages.delete_many({"template": domain.RECEIVED})
    notification.handle_tracking_code_requested(requested())
    make_dispatcher(store, FakeProvider(SmsSendError("verimor: HTTP 503", retryable=False))).run_once()
    [failed] = reminders(store)
    assert failed["state"] == FAILED

    resent = notification.resend_message(ANKARA_ADMIN, failed["_id"])

    copy = store.messages.find_one({"_id": resent["message_id"]})
    assert (copy["template"], copy["occasion"], copy["resend_of"]) == (domain.REMINDER, failed["occasion"],
                                                                      failed["_id"])
    assert CODE in copy["text"]


def test_the_reminder_message_is_keyed_by_its_request():
    event = requested("2026-03-05T10:00:00.000+03:00")

    message = domain.reminder_message(event, "tr", clock.now())

    assert (message["template"], message["occasion"], message["resend_of"]) == (
        "tracking_code_reminder", "2026-03-05T10:00:00.000+03:00", None)
    assert domain.received_message(event | {"language": "tr"}, clock.now())["occasion"] is None
