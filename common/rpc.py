"""RPC entrypoints that outlive a broker restart, and never run what their caller gave up on.

nameko's responder raises when it cannot publish a reply (the broker went away mid-call), and
that error kills the whole service container: every RPC service would die with the broker.
Here a reply that cannot be sent is logged and dropped instead. The request stays unacked, so
the broker hands it out again once the service has reconnected; by then its caller has usually
given up and the request is dropped as late (below); if not, the client's idempotency key makes
running it twice harmless.

A caller that stops waiting answers "not done" (the gateway's 503/504), so a request must not run
after that. The gateway sends with each request the latest time it may start (``START_BY_KEY``:
nameko context data, header ``nameko.rpc_start_by``, epoch seconds) and the same per-message TTL
in the broker. The TTL alone is not enough: the broker does not take back a message it has
already handed to a consumer (prefetched while the service was paused, or held in its socket),
so each entrypoint checks the time itself before it starts a worker; a late request is acked
and dropped, logged by method name only and counted in ``acikkapi_rpc_requests_expired_total``.
Requests without the header (health checks, tests, bench tools) run as before. The check compares
clocks of two machines: they must be kept in step (NTP), which keeps them within milliseconds.
"""
import logging
import time
from collections.abc import Mapping
from typing import Any

from nameko.rpc import Rpc, RpcConsumer
from prometheus_client import Counter

from common.broker import BROKER_GONE, ResilientQueueConsumer

log = logging.getLogger(__name__)

START_BY_KEY = "rpc_start_by"
START_BY_HEADER = "nameko." + START_BY_KEY

RPC_REQUESTS_EXPIRED = Counter("acikkapi_rpc_requests_expired_total",
                               "RPC requests dropped unrun: their caller had given up before they could start",
                               ["service", "method"])


def start_by(headers: Mapping[str, Any] | None) -> float | None:
    """The latest start time a request's headers carry, or None (absent or not a number)."""
    value = (headers or {}).get(START_BY_HEADER)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def expired(headers: Mapping[str, Any] | None, now: float) -> bool:
    latest = start_by(headers)
    return latest is not None and now > latest


class ReplyTolerantRpcConsumer(RpcConsumer):
    queue_consumer = ResilientQueueConsumer()

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        try:
            return super().handle_result(message, result, exc_info)
        except BROKER_GONE as error:
            log.warning("reply to %s not sent, the broker is unreachable: %s",
                        message.delivery_info.get("routing_key"), type(error).__name__)
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
        return context_data


rpc = ReplyTolerantRpc.decorator
