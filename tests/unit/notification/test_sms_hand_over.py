"""Issue 20: a new SMS whose text is ready is written already claimed by its own process's
dispatcher and handed to it in memory; the next round sends it with no claim. One that cannot be
sent from memory (no room left on its lease, or the process died) lapses and is claimed as any."""
from datetime import timedelta

from common import clock
from services.notification import domain
from services.notification.domain import QUEUED, SENDING, SENT
from tests.support.samples import APPLICANT_PHONE_E164 as PHONE
from tests.unit.notification.test_notification import make_dispatcher, stored
from tests.unit.notification.test_sms_dispatch import Provider

NUMBER = "2026-000001"


class CountingStore:
    """The store, passing every call through, counting the claims."""

    def __init__(self, store):
        self._store = store
        self.claims = 0

    def claim_due(self, *args):
        self.claims += 1
        return self._store.claim_due(*args)

    def __getattr__(self, name):
        return getattr(self._store, name)


def handed_message(store, dispatcher, received_event, number=NUMBER):
    """A received SMS as the service queues it: leased, stored, handed over."""
    store.remember_recipient(number, PHONE, "tr", "34")
    message = dispatcher.leased(domain.received_message(received_event(number), clock.now()))
    assert store.enqueue(message)
    dispatcher.hand_over(message)
    return message


def lapse(store, message):
    store.messages.update_one({"_id": message["_id"]},
                              {"$set": {"lease_until": clock.now() - timedelta(seconds=1)}})


def test_a_handed_message_is_stored_claimed_and_sent_by_the_next_round_without_a_claim(store, received_event):
    provider = Provider("fake")
    dispatcher = make_dispatcher(store, provider)
    dispatcher._due_looked_at = float("inf")  # looked for due ones just now
    message = handed_message(store, dispatcher, received_event)
    assert (stored(store, message)["state"], stored(store, message)["claim"]) == (SENDING, dispatcher.claim)
    counting = CountingStore(store)
    dispatcher.store = counting

    assert dispatcher.run_once() is True

    assert counting.claims == 0
    assert [sms.message_id for sms in provider.sent] == [message["_id"]]
    assert stored(store, message)["state"] == SENT
    assert dispatcher.run_once() is False and len(provider.sent) == 1


def test_a_round_handed_nothing_looks_for_due_messages(store, received_event):
    provider = Provider("fake")
    dispatcher = make_dispatcher(store, provider)
    store.remember_recipient(NUMBER, PHONE, "tr", "34")
    queued = domain.received_message(received_event(NUMBER), clock.now())
    store.enqueue(queued)
    dispatcher.hand_over(queued)  # not leased to it: ignored

    dispatcher.run_once()

    assert [sms.message_id for sms in provider.sent] == [queued["_id"]]


def test_a_message_without_its_text_yet_is_written_queued_and_never_handed(store, received_event):
    dispatcher = make_dispatcher(store, Provider("fake"))
    message = domain.concluded_message({"application_no": NUMBER}, None, clock.now())

    leased = dispatcher.leased(message)
    dispatcher.hand_over(leased)

    assert leased["state"] == QUEUED and "claim" not in leased
    assert dispatcher._handed == []


def test_handed_messages_leave_due_ones_to_the_lookup_every_due_lookup_seconds(store, received_event):
    provider = Provider("fake")
    dispatcher = make_dispatcher(store, provider)
    dispatcher.batch_size = 5
    store.remember_recipient("2026-000002", PHONE, "tr", "34")
    due = domain.received_message(received_event("2026-000002"), clock.now())
    store.enqueue(due)
    dispatcher.due_lookup_seconds = 3600
    dispatcher._due_looked_at = float("inf")
    handed = handed_message(store, dispatcher, received_event)

    dispatcher.run_once()
    assert [sms.message_id for sms in provider.sent] == [handed["_id"]]

    dispatcher.run_once()  # handed nothing: it looks
    assert [sms.message_id for sms in provider.sent] == [handed["_id"], due["_id"]]


def test_a_handed_message_whose_lease_leaves_no_room_for_a_call_lapses_and_is_claimed_once(store, received_event):
    provider = Provider("fake")
    dispatcher = make_dispatcher(store, provider)
    message = handed_message(store, dispatcher, received_event)
    dispatcher._handed[0]["lease_until"] = clock.now() + timedelta(seconds=dispatcher.call_timeout_seconds / 2)

    assert dispatcher.run_once() is False
    assert provider.sent == [] and dispatcher._handed == []

    lapse(store, message)
    dispatcher.run_once()
    assert [sms.message_id for sms in provider.sent] == [message["_id"]]
    assert stored(store, message)["attempts"] == 2


def test_after_a_crash_a_handed_message_waits_for_its_lease_and_is_then_sent_once(store, received_event):
    dying = make_dispatcher(store, Provider("fake"))
    message = handed_message(store, dying, received_event)  # the process dies before its round
    provider = Provider("fake")
    restarted = make_dispatcher(store, provider)

    assert restarted.run_once() is False

    lapse(store, message)
    restarted.run_once()
    restarted.run_once()
    assert [sms.message_id for sms in provider.sent] == [message["_id"]]
    assert stored(store, message)["state"] == SENT
