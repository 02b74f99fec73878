"""KVKK at notification: ``applicant_data_erased`` takes the phone away and stops any SMS still
waiting; the messages' record (template, states, times) stays; late or replayed events bring
nothing back. The export shows what it holds about an application's applicant."""
import pytest
from nameko.testing.services import worker_factory

from common import clock
from contracts.events import new_event
from docstore import EmbeddedClient
from services.notification import domain
from services.notification.domain import CANCELLED, QUEUED, SENT
from services.notification.providers import SendReceipt
from services.notification.service import NotificationService
from services.notification.store import NotificationStore
from tests.support.files_on_disk import holding
from tests.support.samples import staff_principal
from tests.unit.notification.test_notification import FakeProvider, make_dispatcher

NUMBER = "2026-000001"
CODE = "K7M2PQ9X"
PHONE = "+905321234567"
ISTANBUL_ADMIN = staff_principal("istanbul.admin")
ANKARA_ADMIN = staff_principal("ankara.admin")


@pytest.fixture
def received(received_event):
    return received_event(NUMBER, tracking_code=CODE, phone=PHONE)


def erased_event(number=NUMBER):
    return new_event("applicant_data_erased", number)


def answered_event(number=NUMBER):
    return new_event("application_answered", number, unit_id="34-health", outcome="positive",
                     answer_text="Yapıldı.", answered_at=clock.to_iso(clock.now(), "milliseconds"), step=2,
                     answers_objection=False, verification_code="7KQ2M-9XH4T")


def messages_of(store, number=NUMBER):
    return list(store.messages.find({"application_no": number}))


def test_erasure_takes_the_phone_and_cancels_the_queued_sms(notification, store, received):
    notification.handle_application_received(received)

    notification.handle_applicant_data_erased(erased_event())

    recipient = store.recipient(NUMBER)
    assert recipient["phone"] is None and recipient["erased_at"] is not None
    [message] = messages_of(store)
    assert message["state"] == CANCELLED
    assert (message["template"], message["created_at"] is not None) == ("application_received", True)
    assert PHONE not in str(list(store.recipients.find())) + str(messages_of(store))


def test_a_cancelled_sms_is_never_sent(notification, store, received):
    notification.handle_application_received(received)
    notification.handle_applicant_data_erased(erased_event())
    provider = FakeProvider()

    assert make_dispatcher(store, provider).run_once() is False
    assert provider.sent == []


def test_a_message_being_sent_when_erased_stays_cancelled(notification, store, received):
    """The dispatcher had claimed it; whatever the provider call's outcome, it stays cancelled."""
    notification.handle_application_received(received)
    [claimed] = [store.claim_next(clock.now(), clock.now())]
    notification.handle_applicant_data_erased(erased_event())

    store.mark_sent([claimed["_id"]], SendReceipt("fake", "p-1"), clock.now())
    store.mark_retry(claimed["_id"], clock.now(), "timeout", clock.now())

    assert store.messages.find_one({"_id": claimed["_id"]})["state"] == CANCELLED


def test_sent_messages_keep_their_record(notification, store, received):
    notification.handle_application_received(received)
    make_dispatcher(store, FakeProvider()).run_once()

    notification.handle_applicant_data_erased(erased_event())

    [message] = messages_of(store)
    assert message["state"] == SENT and message["sent_at"] is not None
    assert store.recipient(NUMBER)["phone"] is None


def test_erasure_replayed_changes_nothing(notification, store, received):
    notification.handle_application_received(received)
    event = erased_event()
    notification.handle_applicant_data_erased(event)
    first = (store.recipient(NUMBER), messages_of(store))

    notification.handle_applicant_data_erased(event)
    notification.handle_applicant_data_erased(erased_event())

    assert (store.recipient(NUMBER), messages_of(store)) == first


def test_a_received_event_after_the_erasure_brings_back_no_phone_and_no_sms(notification, store, received,
                                                                            kick_counter):
    notification.handle_applicant_data_erased(erased_event())

    notification.handle_application_received(received)  # late, or replayed from a dead-letter queue

    assert store.recipient(NUMBER)["phone"] is None
    assert messages_of(store) == []
    assert kick_counter.count == 0


def test_in_a_batch_only_the_erased_applicant_gets_no_phone_and_no_sms(notification, store, received,
                                                                        received_event, kick_counter):
    other = received_event("2026-000002", tracking_code=CODE, phone=PHONE)
    notification.handle_applicant_data_erased(erased_event())

    notification.handle_application_received(received, other)

    assert store.recipient(NUMBER)["phone"] is None and messages_of(store) == []
    assert store.recipient("2026-000002")["phone"] == PHONE
    assert [message["template"] for message in messages_of(store, "2026-000002")] == ["application_received"]
    assert kick_counter.count == 1


def test_an_answer_after_the_erasure_queues_no_sms(notification, store, received):
    notification.handle_application_received(received)
    notification.handle_applicant_data_erased(erased_event())

    notification.handle_application_answered(answered_event())

    assert [message["template"] for message in messages_of(store)] == ["application_received"]


def test_a_message_queued_just_after_the_erasure_is_cancelled_by_the_dispatcher(notification, store, received):
    """The erasure landed between the received handler's recipient write and its queueing: the
    handler does not read the recipient again; the dispatcher, which reads it anyway, cancels."""
    store.remember_recipient(NUMBER, PHONE, "tr", "34")
    notification.handle_applicant_data_erased(erased_event())
    notification.queue(domain.received_message(received, clock.now()))
    provider = FakeProvider()

    make_dispatcher(store, provider).run_once()

    [message] = messages_of(store)
    assert message["state"] == CANCELLED
    assert provider.sent == []


def test_other_applications_are_untouched(notification, store, received, received_event):
    notification.handle_application_received(received)
    notification.handle_application_received(received_event("2026-000002", phone="+905329876543"))

    notification.handle_applicant_data_erased(erased_event())

    assert store.recipient("2026-000002")["phone"] == "+905329876543"
    assert [message["state"] for message in messages_of(store, "2026-000002")] == [QUEUED]


# --- export ----------------------------------------------------------------------------------

def test_export_shows_the_recipient_and_the_sms_records(notification, store, received):
    notification.handle_application_received(received)
    make_dispatcher(store, FakeProvider()).run_once()

    exported = notification.export_personal_data(ISTANBUL_ADMIN, [NUMBER])

    part = exported[NUMBER]
    assert part["recipient"] == {"phone": PHONE, "language": "tr", "email": None}
    assert part["erased_at"] is None
    [message] = part["messages"]
    assert (message["template"], message["state"], message["provider"]) == ("application_received", SENT, "fake")
    assert message["sent_at"] and message["created_at"] and message["delivered_at"] is None


def test_export_after_erasure_holds_no_phone(notification, store, received):
    notification.handle_application_received(received)
    notification.handle_applicant_data_erased(erased_event())

    part = notification.export_personal_data(ISTANBUL_ADMIN, [NUMBER])[NUMBER]

    assert part["recipient"] is None and part["erased_at"]
    assert PHONE not in str(part)


def test_export_leaves_out_another_provinces_applications(notification, received):
    notification.handle_application_received(received)

    assert notification.export_personal_data(ANKARA_ADMIN, [NUMBER]) == {}


def test_the_erased_phone_is_in_no_file_of_the_embedded_store(tmp_path, received_event, kick_counter):
    """After the erased event is handled, the phone is in none of notification's store files (the
    embedded engine's log too); another applicant's still is."""
    client = EmbeddedClient(str(tmp_path / "notification.db"))
    embedded = NotificationStore(client.get_database("notification"))
    embedded.create_indexes()
    service = worker_factory(NotificationService, messages=embedded, send_queued_sms=kick_counter)
    service.handle_application_received(received_event(NUMBER, tracking_code=CODE, phone=PHONE))
    service.handle_application_received(received_event("2026-000002", phone="+905337654321"))
    assert holding(tmp_path, PHONE)

    service.handle_applicant_data_erased(erased_event())

    assert holding(tmp_path, PHONE) == set() and holding(tmp_path, PHONE[3:]) == set()
    assert holding(tmp_path, "+905337654321") == {"notification.db"}
    client.close()
