"""RPC entrypoints that outlive a broker restart, and never run what their caller gave up on.

nameko's responder raises when it cannot publish a reply (the broker went away mid-call), and
that error kills the whole service container: every RPC service would die with the broker.
Here a reply that cannot be sent is logged and dropped instead. The request stays unacked, so
the broker hands it out again once the service has reconnected; by then its caller has usually
given up and the request is dropped as late (below); if not, the client's idempotency key makes
running it twice harmless.

A caller that stops waiting answers "not done" (the gateway's 503/504), so a request must not run
after that. The gateway sends with each request the latest time it may start and the same
per-message TTL in the broker. The time travels as header ``nameko.rpc_start_by_ms`` (epoch
milliseconds, an integer: pika cannot put a float in a header table), or, from nameko proxies
(tests, tools) and gateways before issue 20, as ``nameko.rpc_start_by`` (``START_BY_KEY``: nameko
context data, epoch seconds); both are read. The TTL alone is not enough: the broker does not take back a message it has
already handed to a consumer (prefetched while the service was paused, or held in its socket),
so each entrypoint checks the time itself before it starts a worker; a late request is acked
and dropped, logged by method name only and counted in ``acikkapi_rpc_requests_expired_total``.
Requests without the header (health checks, tests, bench tools) run as before. The check compares
clocks of two machines: they must be kept in step (NTP), which keeps them within milliseconds.

A request that starts in time must also finish in time. Most take milliseconds; one that waits on
something outside (intake asking the population registry) bounds that wait by the caller's own
deadline, which the gateway sends as ``nameko.rpc_answer_by_ms`` (``ANSWER_BY_MS_HEADER``, epoch
milliseconds): a worker reads what is left with ``time_left(worker_ctx.data)``. It stays in the
worker's context data, which no service passes on (services call no one over RPC).

Replies. The gateway waits on RabbitMQ's direct reply-to (``reply_to`` ``amq.rabbitmq.reply-to.…``),
a pseudo-queue reached only through the default exchange; nameko's responder sends every reply to
the ``nameko-rpc`` exchange, where such a key routes nowhere. So a reply goes to the default
exchange when its address is a direct reply-to one, and to ``nameko-rpc`` otherwise (nameko's own
proxies, in tests and tools, bind their reply queues there). Replies are transient and published
without confirms: a confirm would hold the worker for a round trip and tell it nothing it could act
on — the work is done whatever happens to the reply, and a reply the broker loses leaves the caller
to answer 504, which it does at its timeout anyway. They go out on one connection the process
keeps (common/reply_publisher.py), not on a publisher made per reply. A reply that cannot even be
written (the connection is gone, and a new one too) is logged and the request left unacked, as above.
"""
import logging
import sys
import time
from collections.abc import Mapping
from typing import Any, TypeGuard

import kombu.serialization
from kombu import Exchange
from nameko.constants import AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, LOGIN_METHOD_CONFIG_KEY
from nameko.exceptions import UnserializableValueError, serialize
from nameko.rpc import Rpc, RpcConsumer, get_rpc_exchange
from prometheus_client import Counter

from common import topology
from common.broker import BROKER_GONE, ResilientQueueConsumer
from common.reply_publisher import KeptReplyPublisher

log = logging.getLogger(__name__)

START_BY_KEY = "rpc_start_by"
START_BY_HEADER = "nameko." + START_BY_KEY
START_BY_MS_KEY = "rpc_start_by_ms"
START_BY_MS_HEADER = "nameko." + START_BY_MS_KEY
ANSWER_BY_MS_KEY = "rpc_answer_by_ms"
ANSWER_BY_MS_HEADER = "nameko." + ANSWER_BY_MS_KEY
DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"
DEFAULT_EXCHANGE = Exchange("")

RPC_REQUESTS_EXPIRED = Counter("acikkapi_rpc_requests_expired_total",
                               "RPC requests dropped unrun: their caller had given up before they could start",
                               ["service", "method"])


def start_by(headers: Mapping[str, Any] | None) -> float | None:
    """The latest start time a request's headers carry, or None (absent or not a number)."""
    headers = headers or {}
    milliseconds = headers.get(START_BY_MS_HEADER)
    if _is_number(milliseconds):
        return milliseconds / 1000
    seconds = headers.get(START_BY_HEADER)
    return seconds if _is_number(seconds) else None


def time_left(context_data: Mapping[str, Any] | None, now: float | None = None) -> float | None:
    """Seconds until the caller stops waiting (negative once past), or None when it did not say."""
    answer_by = (context_data or {}).get(ANSWER_BY_MS_KEY)
    if not _is_number(answer_by):
        return None
    return answer_by / 1000 - (time.time() if now is None else now)


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def expired(headers: Mapping[str, Any] | None, now: float) -> bool:
    latest = start_by(headers)
    return latest is not None and now > latest


def reply_exchange(reply_to: str | None, rpc_exchange: Exchange) -> Exchange:
    """Where a reply to ``reply_to`` is published: the default exchange for a direct reply-to."""
    return DEFAULT_EXCHANGE if (reply_to or "").startswith(DIRECT_REPLY_TO) else rpc_exchange


def serialised_reply(message: Any, result: Any, exc_info: Any) -> tuple[tuple[str, str, bytes], Any, Any]:
    """``((content type, encoding, body), result, exc_info)`` of the reply to ``message``, as
    nameko's responder makes it: encoded as the request was; a result that cannot be encoded
    becomes an ``UnserializableValueError`` (the caller gets an error, the service lives on)."""
    serializer = kombu.serialization.registry.type_to_name[message.properties["content_type"]]
    error = serialize(exc_info[1]) if exc_info is not None else None
    try:
        return kombu.serialization.dumps({"result": result, "error": error}, serializer), result, exc_info
    except Exception:
        exc_info = sys.exc_info()
        error = serialize(UnserializableValueError(result))
        return kombu.serialization.dumps({"result": None, "error": error}, serializer), None, exc_info


class ReplyTolerantRpcConsumer(RpcConsumer):
    queue_consumer = ResilientQueueConsumer()

    def setup(self) -> None:
        # nameko's RpcConsumer.setup, with the queue of the configured type (common/topology.py).
        if self.queue is None:  # type: ignore[has-type]  # nameko's class attribute, untyped
            self.queue = topology.rpc_queue(self.container.service_name, get_rpc_exchange(self.container.config))
            self.queue_consumer.register_provider(self)
            self._registered = True
        config = self.container.config
        self.replies = KeptReplyPublisher(config[AMQP_URI_CONFIG_KEY], ssl=config.get(AMQP_SSL_CONFIG_KEY),
                                          login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        self.rpc_exchange = get_rpc_exchange(config)  # once, not per reply

    def stop(self) -> None:
        super().stop()
        self.replies.close()

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        exchange = reply_exchange(message.properties.get("reply_to"), self.rpc_exchange)
        (content_type, encoding, body), result, exc_info = serialised_reply(message, result, exc_info)
        try:
            self.replies.publish(body, content_type, encoding, exchange.name, message.properties["reply_to"],
                                 message.properties.get("correlation_id"))
        except BROKER_GONE as error:
            log.warning("reply to %s not sent, the broker is unreachable: %s",
                        message.delivery_info.get("routing_key"), type(error).__name__)
            return result, exc_info
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def drop(self, message: Any) -> None:
        self.queue_consumer.ack_message(message)


class ReplyTolerantRpc(Rpc):
    rpc_consumer = ReplyTolerantRpcConsumer()

    def handle_message(self, body: Any, message: Any) -> None:
        if expired(message.headers, time.time()):
            service = self.container.service_name
            log.warning("rpc %s.%s dropped unrun: its caller had given up", service, self.method_name)
            RPC_REQUESTS_EXPIRED.labels(service, self.method_name).inc()
            self.rpc_consumer.drop(message)
            return
        super().handle_message(body, message)

    def unpack_message_headers(self, message: Any) -> dict[str, Any]:
        """The caller's context data, without the start time: it is this hop's alone."""
        context_data = super().unpack_message_headers(message)
        context_data.pop(START_BY_KEY, None)
        context_data.pop(START_BY_MS_KEY, None)
        return context_data


rpc = ReplyTolerantRpc.decorator
