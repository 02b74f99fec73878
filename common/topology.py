"""Where events travel: exchanges and queues, named in one place (docs/architecture.md#events).

Each producer publishes to its topic exchange ``<producer>.events``. Each consumer service has
one durable queue per event it handles, ``evt-<producer>-<event>--<consumer>``, shared by all of
its processes, plus ``<queue>.retry`` (delayed retries, dead-lettered back into the queue) and
``<queue>.dead`` (events given up on, for an operator).

A queue must exist before its first event is published, or RabbitMQ drops the event (or, with
``mandatory``, refuses it). So the consumers' queues are declared twice over: by the consumer on
every (re)connection, and by the producer's outbox relay for every consumer the catalogue lists,
before it publishes. A consumer started after events were published still finds them waiting.
"""
from typing import Any

from kombu import Exchange, Queue
from nameko.standalone.events import get_event_exchange

from contracts.events import CATALOGUE

RETRY_SUFFIX = ".retry"
DEAD_SUFFIX = ".dead"


def event_exchange(producer: str) -> Exchange:
    """``<producer>.events``, declared exactly as nameko's dispatchers and handlers declare it."""
    return get_event_exchange(producer, {})


def handler_queue_name(producer: str, event_name: str, consumer: str) -> str:
    return "evt-{}-{}--{}".format(producer, event_name, consumer)


def handler_queue(producer: str, event_name: str, consumer: str) -> Queue:
    return Queue(handler_queue_name(producer, event_name, consumer), exchange=event_exchange(producer),
                 routing_key=event_name, durable=True, auto_delete=False, exclusive=False)


def retry_queue(queue_name: str) -> Queue:
    """Messages wait here for their per-message expiry, then go back to ``queue_name``."""
    return Queue(queue_name + RETRY_SUFFIX, durable=True, queue_arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue_name})


def dead_letter_queue(queue_name: str) -> Queue:
    return Queue(queue_name + DEAD_SUFFIX, durable=True)


def side_queues(queue_name: str) -> list[Queue]:
    return [retry_queue(queue_name), dead_letter_queue(queue_name)]


def subscriptions(producer: str | None = None) -> list[tuple[str, str, str]]:
    """``(producer, event_name, consumer)`` for every handler the catalogue lists (of ``producer``)."""
    return [(spec.producer, event_name, consumer)
            for event_name, spec in CATALOGUE.items() if producer in (None, spec.producer)
            for consumer in spec.consumers]


def handler_queue_names() -> list[str]:
    return sorted(handler_queue_name(*subscription) for subscription in subscriptions())


def declare_consumer_queues(channel: Any, producer: str) -> None:
    """Declares the exchange of ``producer`` and every consumer queue bound to it (idempotent)."""
    event_exchange(producer)(channel).declare()
    for subscription in subscriptions(producer):
        queue = handler_queue(*subscription)
        for declarable in [queue, *side_queues(queue.name)]:
            declarable(channel).declare()
