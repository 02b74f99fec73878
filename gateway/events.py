"""Events the gateway publishes (producer ``gateway`` of contracts/events.py), each confirmed.

``publish(event)`` returns once the broker has taken the event into every queue bound to it, or
raises ``ServiceUnavailable("broker")``: the broker is unreachable, or it returned the event (no
queue would take it), nacked it, or did not answer within the timeout. Whoever called may then
tell its own caller to retry; nothing was promised.

Each thread publishes on its own channel in confirm mode, on its broker connection
(gateway/amqp.py). When that channel is opened (once per connection) the exchange and every
consumer queue of producer ``gateway`` the catalogue lists are declared, with their ``.retry``
and ``.dead`` side queues, exactly as their consumers declare them (common/topology.py): an event
published before its consumer ever ran waits for it rather than being returned.

pika's blocking channel waits for the confirm with no time limit of its own: what bounds the wait
is the connection's (gateway/amqp.py) — a closed socket at once, a broker alarm at once (nothing is
published while the broker blocks publishers) or after ``BLOCKED_SECONDS`` for the publish that
meets it first, a broker that stopped answering after its heartbeat. Events are persistent and
``mandatory``, like those of the services' outbox relays.
"""
import logging
from typing import Any

import pika
import pika.exceptions
from kombu.utils import json

from common.topology import event_exchange, handler_queue, side_queues, subscriptions
from gateway.amqp import BROKER_GONE, BrokerBlocked, ThreadConnections
from gateway.rpc import ServiceUnavailable

log = logging.getLogger(__name__)

PRODUCER = "gateway"
PROPERTIES = pika.BasicProperties(content_type="application/json", content_encoding="utf-8", delivery_mode=2)


def confirmed_channel(connection, producer):
    """A channel in confirm mode, the producer's exchange and consumer queues declared on it."""
    channel = connection.channel()
    declare_consumer_queues(channel, producer)
    channel.confirm_delivery()
    return channel


class EventPublisher:
    def __init__(self, connections: ThreadConnections, producer: str = PRODUCER) -> None:
        self._connections = connections
        self._producer = producer
        self._channel_name = "events:" + producer
        self._exchange = event_exchange(producer).name

    def publish(self, event: dict[str, Any]) -> None:
        body = json.dumps(event).encode("utf-8")
        try:
            self._connections.fresh()
            self._connections.ensure_not_blocked()
            channel = self._connections.channel(
                self._channel_name, lambda connection: confirmed_channel(connection, self._producer))
            channel.basic_publish(self._exchange, event["event_name"], body, PROPERTIES, mandatory=True)
        except (pika.exceptions.UnroutableError, pika.exceptions.NackError) as refused:
            log.warning("event %s refused by the broker: %s", event["event_name"], type(refused).__name__)
            raise ServiceUnavailable("broker") from None
        except BrokerBlocked:
            raise ServiceUnavailable("broker") from None
        except BROKER_GONE:
            self._connections.discard()
            raise ServiceUnavailable("broker") from None


def declare_consumer_queues(channel: Any, producer: str) -> None:
    """common.topology's declarations of ``producer``'s exchange and consumer queues, on a pika channel."""
    exchange = event_exchange(producer)
    channel.exchange_declare(exchange.name, exchange_type=exchange.type, durable=exchange.durable,
                             auto_delete=exchange.auto_delete)
    for subscription in subscriptions(producer):
        queue = handler_queue(*subscription)
        for declarable in [queue, *side_queues(queue.name)]:
            channel.queue_declare(declarable.name, durable=declarable.durable, exclusive=declarable.exclusive,
                                  auto_delete=declarable.auto_delete,
                                  arguments=getattr(declarable, "queue_arguments", None))
        channel.queue_bind(queue.name, exchange.name, routing_key=queue.routing_key)
