"""A service refuses to start against queues of the other type than ``QUEUE_TYPE`` names.

RabbitMQ never changes a queue's type: declaring a queue with other arguments than it has closes
the channel (``PRECONDITION_FAILED``), and nameko's consumers would meet that at every reconnect,
without saying why. So before any consumer starts, ``QueueTypeCheck`` declares every queue the
service declares (its RPC queue, its handler queues with their retry and dead-letter queues, and
the queues of its events' consumers, which its outbox relay declares) with the configured type;
where RabbitMQ refuses, it finds which type the queue has and stops the service with one line
naming the queue, both types and the way to migrate (docs/operations.md#changing-the-queue-type).
A broker that cannot be reached is left to the consumers, which wait for it anyway.
"""
import logging
from typing import Any

from amqp.exceptions import PreconditionFailed
from kombu import Connection, Queue
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from nameko.rpc import get_rpc_exchange

from common import config, topology
from common.broker import BROKER_GONE

log = logging.getLogger(__name__)

MIGRATION = "docs/operations.md#changing-the-queue-type"


class QueueTypeMismatch(RuntimeError):
    """A queue on the broker is not what this service would declare."""


def declared_queues(service: str, rpc_exchange: Any, kind: str) -> list[Queue]:
    """Every queue ``service`` declares, as a queue of ``kind`` (the same order for every kind)."""
    handled = [topology.handler_queue(*subscription, kind=kind) for subscription in topology.subscriptions()
               if subscription[2] == service]
    fed = [topology.handler_queue(*subscription, kind=kind) for subscription in topology.subscriptions(service)]
    return [topology.rpc_queue(service, rpc_exchange, kind),
            *[queue for handler in handled + fed for queue in (handler, *topology.side_queues(handler.name, kind))]]


def mismatch_message(queue_name: str, wanted: str, found: str | None, refusal: str) -> str:
    if found is None:
        return ("queue {} exists with other arguments than this version declares (RabbitMQ: {}); "
                "see {}".format(queue_name, refusal, MIGRATION))
    return ("queue {} is a {} queue on the broker, but QUEUE_TYPE is {}: a queue's type never changes. "
            "Drain the service's queues, delete them and start it again, or move their messages with a "
            "shovel: {}".format(queue_name, found, wanted, MIGRATION))


def check_queue_types(connection: Any, service: str, rpc_exchange: Any, wanted: str) -> None:
    """Declares each of ``service``'s queues as ``wanted``; raises ``QueueTypeMismatch`` for the first
    the broker holds otherwise."""
    others = [kind for kind in topology.QUEUE_TYPES if kind != wanted]
    variants = {kind: declared_queues(service, rpc_exchange, kind) for kind in (wanted, *others)}
    declaring = _Declaring(connection)
    for position, queue in enumerate(variants[wanted]):
        refusal = declaring.refusal(queue)
        if refusal is None:
            continue
        found = next((kind for kind in others if declaring.refusal(variants[kind][position]) is None), None)
        raise QueueTypeMismatch(mismatch_message(queue.name, wanted, found, refusal))


class _Declaring:
    """Declarations on one channel, opened again after the broker closed it for a refusal."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.channel = connection.channel()

    def refusal(self, queue: Queue) -> str | None:
        """None if ``queue`` was declared (or is there as declared), else RabbitMQ's reason."""
        try:
            queue(self.channel).queue_declare()
            return None
        except PreconditionFailed as refused:
            self.channel = self.connection.channel()
            return str(refused)


class QueueTypeCheck(DependencyProvider):
    """Runs ``check_queue_types`` in ``setup``, before the service's consumers start."""

    def setup(self) -> None:
        service = self.container.service_name
        amqp_uri = self.container.config.get(AMQP_URI_CONFIG_KEY) or config.amqp_uri()
        try:
            with Connection(amqp_uri, connect_timeout=5) as connection:
                connection.ensure_connection(max_retries=1)
                check_queue_types(connection, service, get_rpc_exchange(self.container.config), topology.queue_type())
        except QueueTypeMismatch as mismatch:
            log.error("%s does not start: %s", service, mismatch)
            raise
        except BROKER_GONE as error:
            log.warning("queue types not checked, the broker is unreachable: %s", type(error).__name__)
