"""Where events travel: exchanges and queues, named in one place (docs/architecture.md#events).

Each producer publishes to its topic exchange ``<producer>.events``. Each consumer service has
one durable queue per event it handles, ``evt-<producer>-<event>--<consumer>``, shared by all of
its processes, plus ``<queue>.retry`` (delayed retries, dead-lettered back into the queue) and
``<queue>.dead`` (events given up on, for an operator).

A queue must exist before its first event is published, or RabbitMQ drops the event (or, with
``mandatory``, refuses it). So the consumers' queues are declared twice over: by the consumer on
every (re)connection, and by the producer's outbox relay for every consumer the catalogue lists,
before it publishes. A consumer started after events were published still finds them waiting.

Every queue a service declares — its RPC queue ``rpc-<service>``, its handler queues and their
retry and dead-letter queues — is of the type ``QUEUE_TYPE`` names (docs/operations.md#quorum-queues):
``classic`` (a queue lives on one node; the default, for one broker) or ``quorum`` (replicated over
a cluster's nodes by Raft, a message confirmed once a majority has it). Quorum queues dead-letter
at least once (``x-dead-letter-strategy``, which needs ``x-overflow: reject-publish``): a retry
that expires back into its handler queue is kept by the retry queue until the handler queue has
confirmed it, so a node lost in the hand-over loses nothing.
"""
from typing import Any

from kombu import Exchange, Queue
from nameko.rpc import RPC_QUEUE_TEMPLATE
from nameko.standalone.events import get_event_exchange

from common import config
from contracts.events import CATALOGUE

RETRY_SUFFIX = ".retry"
DEAD_SUFFIX = ".dead"

CLASSIC = "classic"
QUORUM = "quorum"
QUEUE_TYPES = (CLASSIC, QUORUM)
_TYPE_ARGUMENTS = {
    CLASSIC: {},
    QUORUM: {"x-queue-type": QUORUM, "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"},
}


def queue_type() -> str:
    """``QUEUE_TYPE`` (``classic`` unless set); anything else is refused, naming the setting."""
    kind = config.setting("QUEUE_TYPE", CLASSIC).strip().lower()
    if kind not in QUEUE_TYPES:
        raise ValueError("QUEUE_TYPE must be one of {}, not {!r}".format(", ".join(QUEUE_TYPES), kind))
    return kind


def type_arguments(kind: str | None = None) -> dict[str, str]:
    """The declaration arguments that make a queue of ``kind`` (default: ``QUEUE_TYPE``)."""
    return dict(_TYPE_ARGUMENTS[kind or queue_type()])


def event_exchange(producer: str) -> Exchange:
    """``<producer>.events``, declared exactly as nameko's dispatchers and handlers declare it."""
    return get_event_exchange(producer, {})


def handler_queue_name(producer: str, event_name: str, consumer: str) -> str:
    return "evt-{}-{}--{}".format(producer, event_name, consumer)


def handler_queue(producer: str, event_name: str, consumer: str, kind: str | None = None) -> Queue:
    return Queue(handler_queue_name(producer, event_name, consumer), exchange=event_exchange(producer),
                 routing_key=event_name, durable=True, auto_delete=False, exclusive=False,
                 queue_arguments=type_arguments(kind))


def retry_queue(queue_name: str, kind: str | None = None) -> Queue:
    """Messages wait here for their per-message expiry, then go back to ``queue_name``."""
    return Queue(queue_name + RETRY_SUFFIX, durable=True, queue_arguments=dict(
        type_arguments(kind), **{"x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue_name}))


def dead_letter_queue(queue_name: str, kind: str | None = None) -> Queue:
    return Queue(queue_name + DEAD_SUFFIX, durable=True, queue_arguments=type_arguments(kind))


def side_queues(queue_name: str, kind: str | None = None) -> list[Queue]:
    return [retry_queue(queue_name, kind), dead_letter_queue(queue_name, kind)]


def rpc_queue(service: str, exchange: Exchange, kind: str | None = None) -> Queue:
    """``rpc-<service>``, bound as nameko binds it (``<service>.*``), of the configured type."""
    return Queue(RPC_QUEUE_TEMPLATE.format(service), exchange=exchange, routing_key="{}.*".format(service),
                 durable=True, queue_arguments=type_arguments(kind))


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
