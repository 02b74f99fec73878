from datetime import timedelta

import pytest
from nameko.testing.services import worker_factory

from common import clock
from services.notification import domain
from services.notification.dispatcher import SmsDispatcher
from services.notification.domain import FAILED, MAX_ATTEMPTS, QUEUED, SENDING, SENT
from services.notification.providers import SendReceipt, SmsSendError
from services.notification.service import NotificationService
from tests.unit.conftest import InlinePool

NUMBER = "2026-000001"
CODE = "K7M2PQ9X"
PHONE = "+905321234567"


class FakeProvider:
    """Records every SMS handed to it; raises the queued errors first, then accepts."""

    name = "fake"

    def __init__(self, *errors):
        self.sent = []
        self.errors = list(errors)

    def send(self, sms):
        self.sent.append(sms)
        if self.errors:
            raise self.errors.pop(0)
        return SendReceipt(provider=self.name, provider_message_id="prov-{}".format(len(self.sent)))


@pytest.fixture
def queued_message(store, received_event):
    """The received SMS for NUMBER, queued and due, with its recipient on record."""
    store.remember_recipient(NUMBER, PHONE, "tr", "34")
    message = domain.received_message(received_event(NUMBER, tracking_code=CODE), clock.now())
    store.enqueue(message)
    return message


def make_dispatcher(store, provider):
    """A dispatcher whose sends run inline (``run_once`` returns once the message's fate is stored)."""
    dispatcher = SmsDispatcher(store="messages")
    dispatcher.store, dispatcher.provider, dispatcher.pool = store, provider, InlinePool()
    return dispatcher


def stored(store, message):
    return store.messages.find_one({"_id": message["_id"]})


def make_due_now(store, message):
    store.messages.update_one({"_id": message["_id"]},
                              {"$set": {"next_attempt_at": clock.now() - timedelta(seconds=1)}})


# The event handler

def test_received_event_handled_twice_queues_one_message_and_kicks_once(
        notification, store, kick_counter, received_event):
    event = received_event(NUMBER, tracking_code=CODE, phone=PHONE)

    notification.handle_application_received(event)
    notification.handle_application_received(event)

    assert store.messages.count_documents({}) == 1
    assert kick_counter.count == 1
    assert store.phone_for(NUMBER) == PHONE


class StoreCalls:
    """Records the store's calls by name, passing each through (a fake that counts, not a mock)."""

    def __init__(self, store, monkeypatch):
        self.names = []
        for name in ("remember_recipient", "remember_recipients", "recipient", "enqueue", "enqueue_all",
                     "unrendered", "set_rendering", "cancel_unsent", "recipients_of"):
            original = getattr(store, name)
            monkeypatch.setattr(store, name, self._counting(name, original))

    def _counting(self, name, original):
        def counted(*args, **kwargs):
            self.names.append(name)
            return original(*args, **kwargs)
        return counted


def test_a_received_event_costs_three_store_calls(notification, store, received_event, monkeypatch):
    """Issue 20: the recipient is known from the event, so it is not read back; a recipient erased
    meanwhile is the dispatcher's to see."""
    calls = StoreCalls(store, monkeypatch)

    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE, phone=PHONE))

    assert calls.names == ["remember_recipients", "enqueue_all", "unrendered"]


def test_a_batch_of_received_events_costs_three_store_calls_and_one_kick(
        notification, store, received_event, monkeypatch, kick_counter):
    calls = StoreCalls(store, monkeypatch)
    numbers = ["2026-000{}".format(n) for n in range(401, 405)]

    notification.handle_application_received(*(received_event(number, phone=PHONE) for number in numbers))

    assert calls.names == ["remember_recipients", "enqueue_all", "unrendered"]
    assert kick_counter.count == 1
    queued = store.messages.find({"template": "application_received"})
    assert sorted(message["application_no"] for message in queued) == numbers


def test_a_concluded_message_of_a_known_recipient_reads_nothing_more(notification, store, received_event,
                                                                     monkeypatch):
    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE, phone=PHONE))
    calls = StoreCalls(store, monkeypatch)

    notification.handle_application_answered(answered_event())

    assert calls.names == ["recipient", "enqueue"]


def test_a_concluded_message_before_the_received_event_gets_its_text_from_it(notification, store, received_event):
    notification.handle_application_answered(answered_event())
    assert store.messages.find_one({"template": domain.CONCLUDED})["text"] is None

    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE, phone=PHONE, language="en"))

    concluded = store.messages.find_one({"template": domain.CONCLUDED})
    assert concluded["language"] == "en" and concluded["text"]


def answered_event():
    from contracts.events import new_event

    return new_event("application_answered", NUMBER, unit_id="34-health", outcome="positive", answer_text="Yapıldı.",
                     answered_at=clock.to_iso(clock.now(), "milliseconds"), step=2,
                     answers_objection=False, verification_code="7KQ2M-9XH4T")


def test_received_event_remembers_the_recipients_province(notification, store, received_event):
    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE, phone=PHONE,
                                                            province_code="06", language="en"))

    recipient = store.recipient(NUMBER)
    assert (recipient["phone"], recipient["language"], recipient["province_code"]) == (PHONE, "en", "06")


def test_message_for_the_same_application_from_a_second_event_is_not_queued(
        notification, store, kick_counter, received_event):
    notification.handle_application_received(received_event(NUMBER))
    notification.handle_application_received(received_event(NUMBER))  # a new event_id, same fact

    assert store.messages.count_documents({}) == 1
    assert kick_counter.count == 1


def test_queued_message_carries_number_and_code_in_turkish(notification, store, received_event):
    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE))

    message = store.messages.find_one({"application_no": NUMBER})
    assert NUMBER in message["text"] and CODE in message["text"]
    assert message["text"].startswith("Başvurunuz alındı")
    assert message["state"] == QUEUED
    assert message["segments"] == 1
    assert PHONE not in message["text"]


def test_queued_message_is_in_english_for_an_english_applicant(notification, store, received_event):
    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE, language="en"))

    message = store.messages.find_one({"application_no": NUMBER})
    assert message["text"].startswith("Your application has been received")
    assert NUMBER in message["text"] and CODE in message["text"]
    assert message["language"] == "en"


# The dispatcher

def test_nothing_due_means_no_work(store):
    dispatcher = make_dispatcher(store, FakeProvider())

    assert dispatcher.run_once() is False


def test_sent_message_is_marked_sent_and_owes_no_event(store, queued_message):
    """Issue 20: sms_sent is no longer published; the staff record asks notification."""
    provider = FakeProvider()
    dispatcher = make_dispatcher(store, provider)

    assert dispatcher.run_once() is True

    [sms] = provider.sent
    assert (sms.phone, sms.text, sms.message_id) == (PHONE, queued_message["text"], queued_message["_id"])
    message = stored(store, queued_message)
    assert message["state"] == SENT
    assert (message["provider"], message["provider_message_id"]) == ("fake", "prov-1")
    assert not message.get("outbox_pending") and not message.get("outbox")


def test_sent_message_is_not_sent_again(store, queued_message):
    provider = FakeProvider()
    dispatcher = make_dispatcher(store, provider)

    dispatcher.run_once()

    assert dispatcher.run_once() is False
    assert len(provider.sent) == 1


def test_retryable_error_puts_the_message_back_for_later(store, queued_message):
    dispatcher = make_dispatcher(store, FakeProvider(SmsSendError("provider busy", retryable=True)))
    before = clock.now()

    dispatcher.run_once()

    message = stored(store, queued_message)
    assert message["state"] == QUEUED
    assert message["attempts"] == 1
    assert message["last_error"] == "provider busy"
    assert message["next_attempt_at"] > before
    assert "outbox" not in message
    assert dispatcher.run_once() is False  # not due yet


def test_retried_message_is_sent_once_due_again(store, queued_message):
    provider = FakeProvider(SmsSendError("provider busy", retryable=True))
    dispatcher = make_dispatcher(store, provider)
    dispatcher.run_once()
    make_due_now(store, queued_message)

    dispatcher.run_once()

    message = stored(store, queued_message)
    assert message["state"] == SENT
    assert message["attempts"] == 2
    assert len(provider.sent) == 2


def test_non_retryable_error_fails_the_message_and_owes_sms_failed(store, queued_message):
    dispatcher = make_dispatcher(store, FakeProvider(SmsSendError("number barred", retryable=False)))

    dispatcher.run_once()

    message = stored(store, queued_message)
    assert message["state"] == FAILED
    assert message["last_error"] == "number barred"
    [event] = message["outbox"]
    assert event["event_name"] == "sms_failed"
    assert (event["reason"], event["provider"], event["message_id"]) == (
        "number barred", "fake", queued_message["_id"])


def test_message_fails_after_max_attempts_of_retryable_errors(store, queued_message):
    busy = [SmsSendError("provider busy", retryable=True) for _ in range(MAX_ATTEMPTS)]
    provider = FakeProvider(*busy)
    dispatcher = make_dispatcher(store, provider)

    states = []
    for _ in range(MAX_ATTEMPTS):
        make_due_now(store, queued_message)
        dispatcher.run_once()
        states.append(stored(store, queued_message)["state"])

    assert states == [QUEUED] * (MAX_ATTEMPTS - 1) + [FAILED]
    assert len(provider.sent) == MAX_ATTEMPTS
    assert [event["event_name"] for event in stored(store, queued_message)["outbox"]] == ["sms_failed"]
    make_due_now(store, queued_message)
    assert dispatcher.run_once() is False


def test_message_without_a_recipient_yet_waits_without_calling_the_provider(store, received_event):
    message = domain.received_message(received_event("2026-000009"), clock.now())
    store.enqueue(message)
    provider = FakeProvider()
    dispatcher = make_dispatcher(store, provider)

    dispatcher.run_once()

    assert provider.sent == []
    waiting = stored(store, message)
    assert waiting["state"] == QUEUED
    assert waiting["next_attempt_at"] > clock.now()


# Claiming

def test_claimed_message_is_not_claimed_twice(store, queued_message):
    now = clock.now()

    first = store.claim_next(now, now + domain.SENDING_LEASE)

    assert first["_id"] == queued_message["_id"]
    assert first["state"] == SENDING
    assert store.claim_next(now, now + domain.SENDING_LEASE) is None


def test_message_whose_sending_lease_expired_is_claimable_again(store, queued_message):
    now = clock.now()
    store.claim_next(now, now + domain.SENDING_LEASE)  # then the claiming process crashed
    after_lease = now + domain.SENDING_LEASE + timedelta(seconds=1)

    again = store.claim_next(after_lease, after_lease + domain.SENDING_LEASE)

    assert again["_id"] == queued_message["_id"]
    assert again["attempts"] == 2


def test_message_within_its_sending_lease_is_not_claimable(store, queued_message):
    now = clock.now()
    store.claim_next(now, now + domain.SENDING_LEASE)

    assert store.claim_next(now + timedelta(seconds=30), now + timedelta(seconds=90)) is None


def test_message_not_yet_due_is_not_claimed(store, queued_message):
    store.messages.update_one({"_id": queued_message["_id"]},
                              {"$set": {"next_attempt_at": clock.now() + timedelta(minutes=1)}})

    assert store.claim_next(clock.now(), clock.now() + domain.SENDING_LEASE) is None


def test_backoff_grows_and_is_capped_at_five_minutes():
    now = clock.now()

    assert domain.next_attempt_at(1, now) - now <= timedelta(seconds=2)
    assert timedelta(seconds=4) <= domain.next_attempt_at(3, now) - now <= timedelta(seconds=8)
    assert timedelta(seconds=150) <= domain.next_attempt_at(20, now) - now <= timedelta(seconds=300)


def test_message_whose_send_keeps_crashing_fails_after_max_attempts(store, queued_message):
    crashes = [OSError("disk full") for _ in range(MAX_ATTEMPTS + 1)]
    provider = FakeProvider(*crashes)
    dispatcher = make_dispatcher(store, provider)

    for _ in range(MAX_ATTEMPTS + 1):
        store.messages.update_one({"_id": queued_message["_id"]},
                                  {"$set": {"lease_until": clock.now() - timedelta(seconds=1)}})
        make_due_now(store, queued_message)
        try:
            dispatcher.run_once()
        except OSError:
            pass  # the background loop logs it and carries on

    assert len(provider.sent) <= MAX_ATTEMPTS
    assert stored(store, queued_message)["state"] == FAILED


# The "concluded" SMS

ANSWER_TEXT = "Kaldırım onarımı için ekip yönlendirildi."


def answered_event():
    from contracts.events import new_event

    return new_event("application_answered", NUMBER, unit_id="34-health", outcome="positive",
                     answer_text=ANSWER_TEXT, answered_at="2026-03-05T14:00:00.000+03:00", step=2,
                     answers_objection=False, verification_code="7KQ2M-9XH4T")


# The "concluded" texts begin with where to read the answer: the tracking page, the number filled in.
CONCLUDED_TR = "Başvurunuz sonuçlandı. Yanıtı takip kodunuzla acikkapi.gov.tr/takip?no={} ".format(NUMBER)
CONCLUDED_EN = "Your application has been concluded. Read the answer at acikkapi.gov.tr/takip?no={} ".format(NUMBER)


def concluded(store):
    return list(store.messages.find({"application_no": NUMBER, "template": domain.CONCLUDED}))


def test_answered_application_queues_one_concluded_sms(notification, store, kick_counter, received_event):
    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE, phone=PHONE))
    kick_counter.count = 0

    notification.handle_application_answered(answered_event())

    [message] = concluded(store)
    assert message["template"] == "application_answered"
    assert message["state"] == QUEUED
    assert message["language"] == "tr"
    assert message["text"].startswith(CONCLUDED_TR)
    assert message["segments"] == 2  # the link takes the text past one (tests/unit/notification/test_sms_templates.py)
    assert kick_counter.count == 1


def test_concluded_sms_is_in_english_for_an_english_applicant(notification, store, received_event):
    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE, language="en"))

    notification.handle_application_answered(answered_event())

    [message] = concluded(store)
    assert message["language"] == "en"
    assert message["text"].startswith(CONCLUDED_EN)


def test_answered_event_twice_still_queues_one_concluded_sms(notification, store, kick_counter, received_event):
    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE))
    event = answered_event()

    notification.handle_application_answered(event)
    notification.handle_application_answered(event)
    notification.handle_application_answered(answered_event())  # another event_id, the same fact

    assert len(concluded(store)) == 1
    assert kick_counter.count == 2  # the received SMS, then the concluded one


def test_concluded_sms_says_where_to_read_the_answer_never_the_answer(notification, store, received_event):
    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE, phone=PHONE))

    notification.handle_application_answered(answered_event())

    [message] = concluded(store)
    assert NUMBER in message["text"]
    assert "acikkapi.gov.tr" in message["text"]
    for private in (ANSWER_TEXT, "Kaldırım", "positive", PHONE, CODE):
        assert private not in message["text"]


def test_concluded_sms_goes_to_the_phone_of_the_received_event(store, notification, received_event):
    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE, phone=PHONE))
    notification.handle_application_answered(answered_event())
    store.messages.delete_many({"template": domain.RECEIVED})
    provider = FakeProvider()

    make_dispatcher(store, provider).run_once()

    [sms] = provider.sent
    assert (sms.phone, sms.message_id) == (PHONE, concluded(store)[0]["_id"])
    assert concluded(store)[0]["state"] == SENT


def test_concluded_sms_is_in_english_even_when_the_answer_is_handled_first(notification, store, received_event):
    notification.handle_application_answered(answered_event())
    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE, language="en"))

    [message] = concluded(store)
    assert message["text"].startswith("Your application")
    assert message["language"] == "en"
    assert message["segments"] == 1


def test_concluded_sms_handled_before_the_recipient_is_known_waits_unrendered(notification, store, kick_counter):
    notification.handle_application_answered(answered_event())

    [message] = concluded(store)
    assert message["state"] == QUEUED
    assert (message["language"], message["text"], message.get("encoding"), message.get("segments")) == (
        None, None, None, None)
    assert message["values"] == {"application_no": NUMBER}
    assert ANSWER_TEXT not in str(message)
    assert kick_counter.count == 1


def test_rendering_a_waiting_concluded_sms_leaves_the_received_sms_and_other_applications_alone(
        notification, store, received_event):
    other = answered_event()
    other["application_no"] = "2026-000002"
    notification.handle_application_answered(other)
    notification.handle_application_answered(answered_event())

    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE, language="en"))

    [message] = concluded(store)
    assert message["text"].startswith(CONCLUDED_EN)
    [received_sms] = store.messages.find({"application_no": NUMBER, "template": domain.RECEIVED})
    assert received_sms["text"].startswith("Your application has been received")
    [waiting] = store.messages.find({"application_no": "2026-000002"})
    assert waiting["text"] is None


def test_concluded_message_without_a_language_is_rendered_later_in_the_language_given():
    event = answered_event()
    now = clock.now()

    waiting = domain.concluded_message(event, None, now)
    at_once = domain.concluded_message(event, "en", now)

    assert waiting["text"] is None and waiting["language"] is None
    assert domain.rendered(waiting, "en") == {field: at_once[field]
                                              for field in ("language", "text", "encoding", "segments")}
    assert at_once["text"].startswith(CONCLUDED_EN)


def test_concluded_sms_without_text_yet_waits_without_calling_the_provider(notification, store):
    store.remember_recipient(NUMBER, PHONE, "tr", "34")  # the recipient, as if remembered meanwhile
    store.enqueue(domain.concluded_message(answered_event(), None, clock.now()))
    provider = FakeProvider()

    make_dispatcher(store, provider).run_once()

    assert provider.sent == []
    [waiting] = concluded(store)
    assert waiting["state"] == QUEUED
    assert waiting["attempts"] == 1
    assert waiting["next_attempt_at"] > clock.now()


def test_concluded_sms_without_text_fails_after_max_attempts(store):
    store.enqueue(domain.concluded_message(answered_event(), None, clock.now()))
    provider = FakeProvider()
    dispatcher = make_dispatcher(store, provider)

    for _ in range(MAX_ATTEMPTS + 1):
        for message in concluded(store):
            make_due_now(store, message)
        dispatcher.run_once()

    assert provider.sent == []
    [message] = concluded(store)
    assert message["state"] == FAILED
    assert [event["event_name"] for event in message["outbox"]] == ["sms_failed"]


def test_concluded_sms_rendered_after_waiting_is_sent_in_the_applicants_language(
        notification, store, received_event):
    notification.handle_application_answered(answered_event())
    provider = FakeProvider()
    dispatcher = make_dispatcher(store, provider)
    dispatcher.run_once()  # nothing to send yet: waits
    notification.handle_application_received(received_event(NUMBER, tracking_code=CODE, phone=PHONE,
                                                            language="en"))
    store.messages.delete_many({"template": domain.RECEIVED})
    for message in concluded(store):
        make_due_now(store, message)

    dispatcher.run_once()

    [sms] = provider.sent
    assert sms.phone == PHONE
    assert sms.text.startswith(CONCLUDED_EN)
    assert concluded(store)[0]["state"] == SENT


class ReceivedMeanwhile:
    """The store as a worker handling application_answered sees it when another worker (or process)
    handles application_received between this worker's read of the recipient and its enqueue."""

    def __init__(self, store, other_worker):
        self._store = store
        self._other_worker = other_worker

    def recipient(self, application_no):
        found = self._store.recipient(application_no)
        if self._other_worker is not None:
            other_worker, self._other_worker = self._other_worker, None
            other_worker()
        return found

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_concluded_sms_is_rendered_when_the_received_event_is_handled_while_it_is_being_queued(
        store, kick_counter, received_event):
    other = worker_factory(NotificationService, messages=store, send_queued_sms=kick_counter)
    racing = ReceivedMeanwhile(store, lambda: other.handle_application_received(
        received_event(NUMBER, tracking_code=CODE, phone=PHONE, language="en")))
    notification = worker_factory(NotificationService, messages=racing, send_queued_sms=kick_counter)

    notification.handle_application_answered(answered_event())

    [message] = concluded(store)
    assert message["text"] is not None
    assert message["text"].startswith(CONCLUDED_EN)
