"""The status poller: asks the provider about sent messages whose report never came."""
from datetime import timedelta

from common import clock
from services.notification import domain
from services.notification.providers import DeliveryReport, SendReceipt
from services.notification.status_polling import StatusPoller


class PollingProvider:
    name = "verimor"

    def __init__(self, states):
        self.states = states  # provider message id -> reported state
        self.asked = []

    def poll_status(self, provider_message_ids):
        self.asked.append(list(provider_message_ids))
        return [DeliveryReport(message_id=None, provider_message_id=pid, state=self.states[pid])
                for pid in provider_message_ids if pid in self.states]


def sent_message(store, received_event, number, provider_message_id, sent_ago):
    message = domain.received_message(received_event(number, tracking_code="K7M2PQ9X"), clock.now())
    store.enqueue(message)
    store.claim_next(clock.now(), clock.now() + timedelta(minutes=1))
    receipt = SendReceipt(provider="verimor", provider_message_id=provider_message_id)
    store.mark_sent([message["_id"]], receipt, clock.now() - sent_ago)
    return message


def poller(store, provider, batch=15):
    polling = StatusPoller(store="messages")
    polling.store, polling.provider = store, provider
    polling.batch, polling.report_grace = batch, timedelta(minutes=15)
    return polling


def state_of(store, message):
    return store.messages.find_one({"_id": message["_id"]})["state"]


def test_a_message_without_a_report_after_the_grace_period_is_polled_and_moved_forward(store, received_event):
    late = sent_message(store, received_event, "2026-000001", "c-1", sent_ago=timedelta(minutes=30))
    provider = PollingProvider({"c-1": "delivered"})

    poller(store, provider).run_once()

    assert provider.asked == [["c-1"]]
    assert state_of(store, late) == domain.DELIVERED



def test_a_recent_message_is_left_to_its_pushed_report(store, received_event):
    sent_message(store, received_event, "2026-000001", "c-1", sent_ago=timedelta(minutes=1))
    provider = PollingProvider({"c-1": "delivered"})

    poller(store, provider).run_once()

    assert provider.asked == []


def test_each_round_asks_about_a_batch_and_the_least_recently_asked_first(store, received_event):
    for n in range(3):
        sent_message(store, received_event, "2026-00000{}".format(n + 1), "c-{}".format(n + 1),
                     sent_ago=timedelta(minutes=30))
    provider = PollingProvider({})
    polling = poller(store, provider, batch=2)

    polling.run_once()
    polling.run_once()

    first, second = provider.asked
    assert len(first) == 2 and len(second) == 2
    assert set(first) | set(second) == {"c-1", "c-2", "c-3"}


def test_a_provider_without_polling_is_never_asked(store, received_event):
    sent_message(store, received_event, "2026-000001", "c-1", sent_ago=timedelta(minutes=30))

    class NoPolling:
        name = "log"

    assert poller(store, NoPolling()).run_once() is False
