"""common.batch_handlers: events gathered into one worker by count or by time, each message acked
after its batch, a failed batch's events handled again alone (the failing one retried or parked on
its own), refused events never gathered, gathered ones handed out at stop or requeued when the
container is being killed. The broker's side is in tests/integration/test_batched_events_on_the_broker.py."""
import sys
from types import SimpleNamespace

import eventlet
import pytest
from nameko.exceptions import ContainerBeingKilled

from common.batch_handlers import BatchingEventHandler
from common.handlers import ATTEMPT_HEADER, ERROR_HEADER
from contracts.events import EVENT_VERSION

EVENT = "many_happened"


class Message:
    def __init__(self, n):
        self.n, self.headers, self.body = n, {}, b"{}"
        self.content_type, self.content_encoding = "application/json", "utf-8"

    def __repr__(self):
        return "Message({})".format(self.n)


class QueueConsumer:
    prefetch_count = 10

    def __init__(self):
        self.acked, self.requeued = [], []

    def ack_message(self, message):
        self.acked.append(message.n)

    def requeue_message(self, message):
        self.requeued.append(message.n)


class Container:
    """Runs each worker at once, in the caller's green thread; ``handle`` is the service method."""

    service_name = "test"

    def __init__(self, handle):
        self.handle, self.workers, self.being_killed = handle, [], False

    def spawn_worker(self, entrypoint, args, kwargs, context_data=None, handle_result=None):
        if self.being_killed:
            raise ContainerBeingKilled()
        self.workers.append([event["n"] for event in args])
        worker_ctx = SimpleNamespace(args=args)
        try:
            result, exc_info = self.handle(*args), None
        except Exception:
            result, exc_info = None, sys.exc_info()
        handle_result(worker_ctx, result, exc_info)


class Publisher:
    def __init__(self):
        self.published = []

    def publish(self, body, routing_key, headers, **options):
        self.published.append((routing_key, headers))


def handler_on(container, batch_size=3, batch_seconds=0.05):
    handler = BatchingEventHandler("source", EVENT)
    handler.method_name = "handle_" + EVENT
    handler.container, handler.queue_consumer, handler.publisher = container, QueueConsumer(), Publisher()
    handler.queue = SimpleNamespace(name="evt-source-many_happened--test")
    handler.max_attempts, handler.base_delay, handler.expected_exceptions = 3, 1.0, ()
    handler.gather(batch_size, batch_seconds)
    return handler


def event(n, **extra):
    return dict({"n": n, "event_name": EVENT, "event_version": EVENT_VERSION}, **extra)


def deliver(handler, *numbers, **extra):
    for n in numbers:
        handler.handle_message(event(n, **extra), Message(n))


def handled_all(*events):
    return None


def test_a_full_batch_goes_to_one_worker_at_once_in_arrival_order_and_each_message_is_acked():
    container = Container(handled_all)
    handler = handler_on(container, batch_size=3)

    deliver(handler, 1, 2)
    assert container.workers == []  # still gathering
    deliver(handler, 3)

    assert container.workers == [[1, 2, 3]]
    assert handler.queue_consumer.acked == [1, 2, 3]


def test_a_batch_that_does_not_fill_goes_out_after_the_gathering_time():
    container = Container(handled_all)
    handler = handler_on(container, batch_size=10, batch_seconds=0.05)

    deliver(handler, 1, 2)
    eventlet.sleep(0.01)
    assert container.workers == []
    eventlet.sleep(0.1)

    assert container.workers == [[1, 2]]
    assert handler.queue_consumer.acked == [1, 2]
    deliver(handler, 3)  # a new batch starts its own clock
    eventlet.sleep(0.1)
    assert container.workers == [[1, 2], [3]]


def test_messages_arriving_while_a_full_batch_is_handed_out_never_make_it_larger_nor_wait_forever():
    """nameko hands each message to the handler in a green thread of its own, and cancelling the
    gathering timer yields (eventlet's kill does): messages arriving meanwhile start the next batch."""
    container = Container(handled_all)
    handler = handler_on(container, batch_size=3, batch_seconds=0.05)

    pool = eventlet.GreenPool()
    for n in range(1, 11):
        pool.spawn(deliver, handler, n)
    pool.waitall()
    eventlet.sleep(0.1)  # the last, partial batch goes out on its timer

    assert max(len(worker) for worker in container.workers) <= 3
    assert sorted(n for worker in container.workers for n in worker) == list(range(1, 11))


def test_a_failed_batch_is_handled_again_event_by_event_and_only_the_failing_one_is_retried():
    def fails_on_poison(*events):
        if any(event.get("poison") for event in events):
            raise ValueError("poison")

    container = Container(fails_on_poison)
    handler = handler_on(container, batch_size=3)

    handler.handle_message(event(1), Message(1))
    handler.handle_message(event(2, poison=True), Message(2))
    handler.handle_message(event(3), Message(3))
    eventlet.sleep(0)  # the events alone are spawned from a green thread of their own

    assert container.workers == [[1, 2, 3], [1], [2], [3]]
    assert sorted(handler.queue_consumer.acked) == [1, 2, 3]  # 2 once its copy went to the retry queue
    [(routing_key, headers)] = handler.publisher.published
    assert routing_key == "evt-source-many_happened--test.retry"
    assert headers[ATTEMPT_HEADER] == 2 and headers[ERROR_HEADER] == "ValueError"


def test_a_refused_event_is_retried_at_once_and_never_joins_a_batch():
    container = Container(handled_all)
    handler = handler_on(container, batch_size=2)

    deliver(handler, 1)
    handler.handle_message(dict(event(2), event_version=EVENT_VERSION + 98), Message(2))
    handler.handle_message(["not", "an", "object"], Message(3))
    deliver(handler, 4)

    assert container.workers == [[1, 4]]
    assert [headers[ERROR_HEADER] for _, headers in handler.publisher.published] == ["UnsupportedEvent"] * 2
    assert sorted(handler.queue_consumer.acked) == [1, 2, 3, 4]


def test_stopping_hands_the_gathered_events_to_a_last_worker(monkeypatch):
    container = Container(handled_all)
    handler = handler_on(container, batch_size=10, batch_seconds=60)
    monkeypatch.setattr("nameko.messaging.Consumer.stop", lambda self: None)  # no queue consumer here

    deliver(handler, 1, 2)
    handler.stop()

    assert container.workers == [[1, 2]]
    assert handler.queue_consumer.acked == [1, 2]


@pytest.mark.parametrize("ending", ["kill", "being_killed"])
def test_gathered_events_of_a_killed_container_are_not_acked(ending):
    container = Container(handled_all)
    handler = handler_on(container, batch_size=10, batch_seconds=0.05)

    deliver(handler, 1, 2)
    if ending == "kill":
        handler.kill()
    else:
        container.being_killed = True
    eventlet.sleep(0.1)

    assert container.workers == []
    assert handler.queue_consumer.acked == []
    # killed: left to the broker with the connection; being killed at the flush: handed back at once
    assert handler.queue_consumer.requeued == ([] if ending == "kill" else [1, 2])
