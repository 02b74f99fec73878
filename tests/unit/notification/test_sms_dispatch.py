"""The SMS dispatcher of issue 5: sends through a green pool (a hanging provider call holds up no
other message), a configurable sending lease, AlreadySent counts as sent, bounds by attempts and
age, forward-only writes, and prometheus metrics of what it did."""
import logging
from datetime import timedelta

import eventlet
import pytest
from eventlet.event import Event
from eventlet.greenpool import GreenPool
from prometheus_client import REGISTRY

from common import clock
from services.notification import domain
from services.notification.dispatcher import SmsDispatcher
from services.notification.domain import DELIVERED, FAILED, MAX_AGE, MAX_ATTEMPTS, QUEUED, SENDING, SENT
from services.notification.providers import AlreadySent, SendReceipt, SmsSendError
from tests.support.samples import APPLICANT_PHONE_E164 as PHONE
from tests.unit.conftest import InlinePool

NUMBER = "2026-000001"


class Provider:
    """Takes every SMS (recording it), after raising the queued outcomes in turn; ``during``
    runs inside the call (what happens in the world while it is in flight)."""

    def __init__(self, name, *outcomes, during=None):
        self.name = name
        self.sent = []
        self.outcomes = list(outcomes)
        self.during = during

    def send(self, sms):
        self.sent.append(sms)
        if self.during is not None:
            self.during(sms)
        if self.outcomes:
            raise self.outcomes.pop(0)
        return SendReceipt(provider=self.name, provider_message_id="prov-{}".format(len(self.sent)))


class HeldPool:
    """A pool that keeps what it is given without running it."""

    def __init__(self):
        self.spawned = []

    def spawn_n(self, function, *args):
        self.spawned.append((function, args))


def queue_message(store, received_event, number=NUMBER, created_at=None):
    store.remember_recipient(number, PHONE, "tr", "34")
    message = domain.received_message(received_event(number), created_at or clock.now())
    message["next_attempt_at"] = clock.now() - timedelta(seconds=1)
    store.enqueue(message)
    return message


@pytest.fixture
def queued(store, received_event):
    return queue_message(store, received_event)


def make_dispatcher(store, provider, pool=None):
    dispatcher = SmsDispatcher(store="messages")
    dispatcher.store, dispatcher.provider, dispatcher.pool = store, provider, pool or InlinePool()
    return dispatcher


def stored(store, message):
    return store.messages.find_one({"_id": message["_id"]})


def sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def messages_counted(provider, state, template=domain.RECEIVED):
    return sample("acikkapi_sms_messages_total", provider=provider, template=template, state=state)


def calls_timed(provider, outcome):
    return sample("acikkapi_sms_provider_call_seconds_count", provider=provider, outcome=outcome)


# The pool and the lease

def test_run_once_claims_the_message_and_hands_its_sending_to_the_pool(store, queued):
    pool, provider = HeldPool(), Provider("fake")
    dispatcher = make_dispatcher(store, provider, pool)

    assert dispatcher.run_once() is True

    [(function, ([message],))] = pool.spawned
    assert message["_id"] == queued["_id"]
    assert stored(store, queued)["state"] == SENDING
    assert provider.sent == []  # nothing waited on the provider in run_once
    function([message])
    assert stored(store, queued)["state"] == SENT


def test_the_class_default_lease_is_the_domains():
    assert SmsDispatcher.lease == domain.SENDING_LEASE


@pytest.fixture
def dispatcher_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    for name in ("SMS_PROVIDER", "SMS_CONCURRENCY", "SMS_SENDING_LEASE_SECONDS", "SMS_BATCH_SIZE", "SMS_BATCH_WAIT_MS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_setup_gives_a_green_pool_of_eight_and_the_default_lease(dispatcher_environment):
    dispatcher = SmsDispatcher(store="messages")

    dispatcher.setup()

    assert isinstance(dispatcher.pool, GreenPool)
    assert dispatcher.pool.size == 8
    assert dispatcher.lease == domain.SENDING_LEASE
    assert dispatcher.batch_size == 50
    assert dispatcher.provider.name == "log"


def test_concurrency_and_lease_come_from_the_environment(dispatcher_environment):
    dispatcher_environment.setenv("SMS_CONCURRENCY", "3")
    dispatcher_environment.setenv("SMS_SENDING_LEASE_SECONDS", "90")
    dispatcher_environment.setenv("SMS_BATCH_SIZE", "20")
    dispatcher = SmsDispatcher(store="messages")

    dispatcher.setup()

    assert dispatcher.pool.size == 3
    assert dispatcher.lease == timedelta(seconds=90)
    assert dispatcher.batch_size == 20


def test_the_configured_lease_is_the_one_a_claim_takes(store, queued):
    dispatcher = make_dispatcher(store, Provider("fake"), HeldPool())
    dispatcher.lease = timedelta(seconds=5)
    before = clock.now()

    dispatcher.run_once()

    lease_until = stored(store, queued)["lease_until"]
    assert before + timedelta(seconds=4) <= lease_until <= clock.now() + timedelta(seconds=5)


def test_a_hanging_provider_call_holds_up_no_other_message(store, received_event):
    """A real GreenPool: the first call blocks on an Event; the second message is sent meanwhile."""
    release = Event()
    provider = Provider("fake", during=lambda sms: release.wait() if len(provider.sent) == 1 else None)
    messages = {message["_id"]: message for message in (
        queue_message(store, received_event, "2026-000001"), queue_message(store, received_event, "2026-000002"))}
    dispatcher = make_dispatcher(store, provider, GreenPool(4))

    with eventlet.Timeout(5):  # an inline send would block here on the first message
        assert dispatcher.run_once() is True
        assert dispatcher.run_once() is True
        assert dispatcher.run_once() is False

    hanging, other = (sms.message_id for sms in wait_for(lambda: len(provider.sent) == 2 and provider.sent))
    wait_for(lambda: stored(store, messages[other])["state"] == SENT)
    assert stored(store, messages[hanging])["state"] == SENDING  # still in its call
    release.send()
    with eventlet.Timeout(5):
        dispatcher.pool.waitall()
    assert [stored(store, message)["state"] for message in messages.values()] == [SENT, SENT]


def wait_for(condition, seconds=5):
    """Yields to the green threads until ``condition()`` is truthy; returns it."""
    with eventlet.Timeout(seconds):
        while True:
            value = condition()
            if value:
                return value
            eventlet.sleep(0.001)


def test_stop_waits_for_the_sends_in_flight(store, queued, dispatcher_environment):
    release = Event()
    dispatcher = SmsDispatcher(store="messages")
    dispatcher.setup()
    dispatcher.store, dispatcher.provider = store, Provider("fake", during=lambda sms: release.wait())
    dispatcher.run_once()
    eventlet.spawn_after(0.01, release.send)

    with eventlet.Timeout(5):
        dispatcher.stop()

    assert stored(store, queued)["state"] == SENT


def test_an_unexpected_error_in_a_send_is_logged_and_the_lease_brings_the_message_back(
        store, queued, caplog, monkeypatch):
    dispatcher = make_dispatcher(store, Provider("fake"))
    monkeypatch.setattr(store, "recipients_of", lambda numbers: (_ for _ in ()).throw(RuntimeError("store gone")))

    with caplog.at_level(logging.ERROR, logger="services.notification.dispatcher"):
        assert dispatcher.run_once() is True

    assert "store gone" in caplog.text and PHONE not in caplog.text
    assert stored(store, queued)["state"] == SENDING
    later = clock.now() + domain.SENDING_LEASE + timedelta(seconds=1)
    assert store.claim_next(later, later + domain.SENDING_LEASE)["_id"] == queued["_id"]


# What the provider's answer does

def test_already_sent_counts_as_sent(store, queued):
    provider = Provider("iletimerkezi-test", AlreadySent("iletimerkezi: 451 the same text went to this number"))
    dispatcher = make_dispatcher(store, provider)
    before = (messages_counted("iletimerkezi-test", SENT), calls_timed("iletimerkezi-test", "already_sent"))

    dispatcher.run_once()

    message = stored(store, queued)
    assert message["state"] == SENT
    assert (message["provider"], message["provider_message_id"]) == ("iletimerkezi-test", None)
    assert not message.get("outbox")
    assert len(provider.sent) == 1
    assert (messages_counted("iletimerkezi-test", SENT), calls_timed("iletimerkezi-test", "already_sent")) == (
        before[0] + 1, before[1] + 1)
    make_due = {"$set": {"next_attempt_at": clock.now() - timedelta(seconds=1)}}
    store.messages.update_one({"_id": queued["_id"]}, make_due)
    assert dispatcher.run_once() is False


def test_a_retryable_error_after_a_report_said_delivered_does_not_queue_the_message_again(store, queued):
    """The call timed out on our side, yet the SMS went out and its report came in meanwhile."""
    def delivered_meanwhile(sms):
        message = stored(store, queued)
        store.advance(sms.message_id, DELIVERED, {}, domain.delivered_event(message, "fake"), clock.now())

    dispatcher = make_dispatcher(store, Provider("fake", SmsSendError("timed out", retryable=True),
                                                 during=delivered_meanwhile))

    dispatcher.run_once()

    message = stored(store, queued)
    assert message["state"] == DELIVERED
    assert [event["event_name"] for event in message["outbox"]] == ["sms_delivered"]


def test_a_non_retryable_error_after_a_report_said_delivered_does_not_fail_the_message(store, queued):
    def delivered_meanwhile(sms):
        message = stored(store, queued)
        store.advance(sms.message_id, DELIVERED, {}, domain.delivered_event(message, "fake"), clock.now())

    dispatcher = make_dispatcher(store, Provider("fake", SmsSendError("HTTP 400", retryable=False),
                                                 during=delivered_meanwhile))

    dispatcher.run_once()

    message = stored(store, queued)
    assert message["state"] == DELIVERED
    assert [event["event_name"] for event in message["outbox"]] == ["sms_delivered"]


def test_a_report_before_our_own_write_keeps_delivered_and_the_provider_id(store, queued):
    def delivered_meanwhile(sms):
        message = stored(store, queued)
        store.advance(sms.message_id, DELIVERED, {}, domain.delivered_event(message, "fake"), clock.now())

    dispatcher = make_dispatcher(store, Provider("fake", during=delivered_meanwhile))

    dispatcher.run_once()

    message = stored(store, queued)
    assert (message["state"], message["provider_message_id"]) == (DELIVERED, "prov-1")
    assert [event["event_name"] for event in message["outbox"]] == ["sms_delivered"]


# Bounds: attempts and age

def test_a_message_older_than_max_age_fails_without_calling_the_provider(store, received_event):
    old = queue_message(store, received_event, created_at=clock.now() - MAX_AGE - timedelta(minutes=1))
    provider = Provider("fake")

    make_dispatcher(store, provider).run_once()

    assert provider.sent == []
    message = stored(store, old)
    assert message["state"] == FAILED
    [event] = message["outbox"]
    assert event["event_name"] == "sms_failed" and "gave up" in event["reason"]


class MovableClock:
    """The dispatcher's clock, moved on by hand."""

    def __init__(self):
        self.moment = clock.now()

    def now(self):
        return self.moment


def test_a_retryable_error_once_the_message_is_too_old_fails_it(store, received_event, monkeypatch):
    moving = MovableClock()
    monkeypatch.setattr("services.notification.dispatcher.clock", moving)
    nearly_old = queue_message(store, received_event, created_at=moving.now() - MAX_AGE + timedelta(seconds=30))

    def a_minute_passes(sms):
        moving.moment += timedelta(minutes=1)

    provider = Provider("fake", SmsSendError("provider busy", retryable=True), during=a_minute_passes)

    make_dispatcher(store, provider).run_once()

    assert len(provider.sent) == 1
    message = stored(store, nearly_old)
    assert message["state"] == FAILED
    assert [event["event_name"] for event in message["outbox"]] == ["sms_failed"]


def test_a_young_message_with_a_retryable_error_goes_back_to_the_queue(store, queued):
    make_dispatcher(store, Provider("fake", SmsSendError("provider busy", retryable=True))).run_once()

    message = stored(store, queued)
    assert (message["state"], message["attempts"], message["last_error"]) == (QUEUED, 1, "provider busy")


def test_a_message_claimed_again_after_max_attempts_fails_without_calling_the_provider(store, queued):
    store.messages.update_one({"_id": queued["_id"]}, {"$set": {"attempts": MAX_ATTEMPTS}})
    provider = Provider("fake")

    make_dispatcher(store, provider).run_once()

    assert provider.sent == []
    assert stored(store, queued)["state"] == FAILED


# Metrics

def test_a_sent_message_is_counted_and_its_call_timed(store, queued):
    before = (messages_counted("metrics-sent", SENT), calls_timed("metrics-sent", "sent"),
              sample("acikkapi_sms_provider_call_seconds_sum", provider="metrics-sent", outcome="sent"))

    make_dispatcher(store, Provider("metrics-sent")).run_once()

    assert messages_counted("metrics-sent", SENT) == before[0] + 1
    assert calls_timed("metrics-sent", "sent") == before[1] + 1
    assert sample("acikkapi_sms_provider_call_seconds_sum", provider="metrics-sent", outcome="sent") >= before[2]


def test_a_failed_message_is_counted_and_its_call_timed_as_an_error(store, queued):
    before = (messages_counted("metrics-failed", FAILED), calls_timed("metrics-failed", "error"),
              messages_counted("metrics-failed", SENT))

    make_dispatcher(store, Provider("metrics-failed", SmsSendError("number barred", retryable=False))).run_once()

    assert messages_counted("metrics-failed", FAILED) == before[0] + 1
    assert calls_timed("metrics-failed", "error") == before[1] + 1
    assert messages_counted("metrics-failed", SENT) == before[2]


def test_a_retry_is_not_counted_as_failed(store, queued):
    before = messages_counted("metrics-retry", FAILED), calls_timed("metrics-retry", "error")

    make_dispatcher(store, Provider("metrics-retry", SmsSendError("busy", retryable=True))).run_once()

    assert messages_counted("metrics-retry", FAILED) == before[0]
    assert calls_timed("metrics-retry", "error") == before[1] + 1


def test_a_crashing_provider_call_is_timed_as_a_crash(store, queued):
    before = calls_timed("metrics-crash", "crash")

    make_dispatcher(store, Provider("metrics-crash", OSError("disk full"))).run_once()

    assert calls_timed("metrics-crash", "crash") == before + 1
    assert stored(store, queued)["state"] == QUEUED


def test_metric_labels_carry_no_personal_data(store, queued):
    make_dispatcher(store, Provider("metrics-labels")).run_once()

    for metric in REGISTRY.collect():
        if metric.name.startswith("acikkapi_sms"):
            for each in metric.samples:
                labels = " ".join(each.labels.values())
                for private in (PHONE, PHONE[1:], NUMBER, queued["_id"], queued["values"]["tracking_code"]):
                    assert private not in labels


# Batches (issue 20): through a provider that takes several messages per call

class BatchProvider(Provider):
    """Takes a batch in one call (recording each call's message ids), after raising the queued
    outcomes in turn; a single send is a batch of one."""

    def __init__(self, name, *outcomes):
        super().__init__(name, *outcomes)
        self.calls = []

    def send_batch(self, messages):
        self.calls.append([sms.message_id for sms in messages])
        self.sent.extend(messages)
        if self.outcomes:
            raise self.outcomes.pop(0)
        return SendReceipt(provider=self.name, provider_message_id="campaign-{}".format(len(self.calls)))

    def send(self, sms):
        return self.send_batch([sms])


def queue_many(store, received_event, count, language="tr"):
    return [queue_message(store, received_event, "2026-{:06d}".format(100 + i)) for i in range(count)]


def test_a_round_claims_a_batch_and_sends_it_in_one_call_and_one_write(store, received_event):
    queued = queue_many(store, received_event, 5)
    provider = BatchProvider("batch-sent")
    dispatcher = make_dispatcher(store, provider)
    dispatcher.batch_size = 50
    before = messages_counted("batch-sent", SENT)

    assert dispatcher.run_once() is True

    [call] = provider.calls
    assert sorted(call) == sorted(message["_id"] for message in queued)
    assert {stored(store, message)["state"] for message in queued} == {SENT}
    assert {stored(store, message)["provider_message_id"] for message in queued} == {"campaign-1"}
    assert {stored(store, message)["attempts"] for message in queued} == {1}
    assert messages_counted("batch-sent", SENT) == before + 5
    assert dispatcher.run_once() is False


def test_a_batch_takes_at_most_the_batch_size(store, received_event):
    queue_many(store, received_event, 5)
    provider = BatchProvider("batch-size")
    dispatcher = make_dispatcher(store, provider)
    dispatcher.batch_size = 2

    while dispatcher.run_once():
        pass

    assert [len(call) for call in provider.calls] == [2, 2, 1]


def test_a_provider_without_a_batch_api_gets_one_message_per_call(store, received_event):
    queue_many(store, received_event, 3)
    provider = Provider("one-by-one")
    dispatcher = make_dispatcher(store, provider)
    dispatcher.batch_size = 50

    assert dispatcher.run_once() is True

    assert len(provider.sent) == 1


def test_messages_of_two_encodings_go_in_two_calls(store, received_event):
    turkish, other = queue_many(store, received_event, 2)
    store.messages.update_one({"_id": other["_id"]}, {"$set": {"encoding": "ucs2"}})
    pool, provider = HeldPool(), BatchProvider("batch-encodings")
    dispatcher = make_dispatcher(store, provider, pool)
    dispatcher.batch_size = 50

    dispatcher.run_once()

    assert sorted(len(messages) for _, (messages,) in pool.spawned) == [1, 1]  # two calls, each its own slot
    for function, args in pool.spawned:
        function(*args)
    assert sorted(provider.calls) == sorted([[turkish["_id"]], [other["_id"]]])


def test_a_retryable_failure_of_a_batch_queues_each_message_again(store, received_event):
    queued = queue_many(store, received_event, 3)
    dispatcher = make_dispatcher(store, BatchProvider("batch-busy", SmsSendError("HTTP 503", retryable=True)))
    dispatcher.batch_size = 50

    dispatcher.run_once()

    assert {(stored(store, m)["state"], stored(store, m)["last_error"]) for m in queued} == {(QUEUED, "HTTP 503")}


def test_a_refused_batch_is_sent_one_by_one_so_only_the_bad_message_fails(store, received_event):
    """Verimor refuses a whole campaign for one bad number and does not say which."""
    good, bad, other = queue_many(store, received_event, 3)
    refusal = SmsSendError("verimor: HTTP 400 INVALID_DESTINATION_ADDRESS", retryable=False)
    provider = BatchProvider("batch-refused", refusal)
    original = provider.send
    provider.send = lambda sms: (_ for _ in ()).throw(refusal) if sms.message_id == bad["_id"] else original(sms)
    dispatcher = make_dispatcher(store, provider)
    dispatcher.batch_size = 50

    dispatcher.run_once()

    assert len(provider.calls[0]) == 3 and sorted(provider.calls[1:]) == sorted([[good["_id"]], [other["_id"]]])
    assert [stored(store, m)["state"] for m in (good, bad, other)] == [SENT, FAILED, SENT]
    [event] = stored(store, bad)["outbox"]
    assert event["event_name"] == "sms_failed"


def test_one_by_one_stops_where_the_lease_leaves_no_room_for_a_call(store, received_event):
    queued = queue_many(store, received_event, 2)
    provider = BatchProvider("batch-lease", SmsSendError("HTTP 400", retryable=False))
    dispatcher = make_dispatcher(store, provider)
    dispatcher.batch_size = 50
    dispatcher.call_timeout_seconds = domain.SENDING_LEASE.total_seconds()  # no call fits in the lease

    dispatcher.run_once()

    assert len(provider.calls) == 1  # the batch only
    assert {stored(store, m)["state"] for m in queued} == {QUEUED}


def test_a_batch_sorts_out_its_messages_before_the_call(store, received_event):
    """Too old: failed; no recipient yet: back in the queue; erased meanwhile: cancelled; the rest sent."""
    sendable = queue_message(store, received_event, "2026-000201")
    old = queue_message(store, received_event, "2026-000202", created_at=clock.now() - MAX_AGE - timedelta(minutes=1))
    unknown = queue_message(store, received_event, "2026-000203")
    store.recipients.delete_one({"_id": "2026-000203"})
    erased = queue_message(store, received_event, "2026-000204")
    store.erase_recipient("2026-000204", clock.now())
    provider = BatchProvider("batch-sorted")
    dispatcher = make_dispatcher(store, provider)
    dispatcher.batch_size = 50

    dispatcher.run_once()

    assert provider.calls == [[sendable["_id"]]]
    assert [stored(store, m)["state"] for m in (sendable, old, unknown, erased)] == [
        SENT, FAILED, QUEUED, domain.CANCELLED]


def test_two_dispatchers_never_claim_the_same_message(store, received_event):
    queued = queue_many(store, received_event, 6)
    now = clock.now()
    first = store.claim_due(now, now + domain.SENDING_LEASE, "a", 4)
    second = store.claim_due(now, now + domain.SENDING_LEASE, "b", 4)

    assert (len(first), len(second)) == (4, 2)
    assert {m["_id"] for m in first} | {m["_id"] for m in second} == {m["_id"] for m in queued}
    assert [m["state"] for m in first + second] == [SENDING] * 6
    assert stored(store, first[0])["providers"] == ["a"]


def test_a_claim_that_lost_some_messages_to_another_returns_only_its_own(store, received_event, monkeypatch):
    """Another process claims two between this claim's read and its write."""
    queued = queue_many(store, received_event, 4)
    original_update_many = store.messages.update_many

    def another_process_first(query, update):
        now = clock.now()
        for message in queued[:2]:
            # leased as a real claim leases (a lease ending "now" is due again within the same millisecond)
            store.messages.update_one({"_id": message["_id"]},
                                      {"$set": {"state": SENDING, "lease_until": now + domain.SENDING_LEASE}})
        return original_update_many(query, update)

    monkeypatch.setattr(store.messages, "update_many", another_process_first)
    now = clock.now()

    claimed = store.claim_due(now, now + domain.SENDING_LEASE, "verimor", 10)

    assert sorted(m["_id"] for m in claimed) == sorted(m["_id"] for m in queued[2:])
    assert {m["attempts"] for m in claimed} == {1}


def test_after_a_round_short_of_a_batch_the_next_waits_so_calls_carry_more(store, received_event, monkeypatch):
    waits = []
    monkeypatch.setattr("services.notification.dispatcher.eventlet.sleep", waits.append)
    queue_many(store, received_event, 3)
    dispatcher = make_dispatcher(store, BatchProvider("batch-wait"))
    dispatcher.batch_size, dispatcher.batch_wait_seconds = 2, 0.1

    assert dispatcher.run_once() is True  # a full batch: the next round at once
    assert waits == []
    assert dispatcher.run_once() is True  # one of two: the next round waits
    assert waits == [0.1]
    assert dispatcher.run_once() is False


def test_the_batch_wait_comes_from_the_environment(dispatcher_environment):
    dispatcher_environment.setenv("SMS_BATCH_WAIT_MS", "250")
    dispatcher = SmsDispatcher(store="messages")

    dispatcher.setup()

    assert dispatcher.batch_wait_seconds == 0.25
