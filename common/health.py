"""Readiness: the gateway's /readyz asks every service to answer over RPC."""
from typing import Any

from common.queue_types import QueueTypeCheck
from common.request_context import RequestLogContext
from common.rpc import rpc


class Pingable:
    """Mixed into every service: an RPC that answers only if the service consumes its queue;
    and, riding along, the request id of each RPC in the worker's log lines (common/request_context.py)
    and the check that the broker's queues are of the type ``QUEUE_TYPE`` names (common/queue_types.py)."""

    name: str  # the service class's own
    request_log_context = RequestLogContext()
    queue_type_check = QueueTypeCheck()

    @rpc
    def ping(self) -> dict[str, Any]:
        return {"service": self.name, "ok": True}
