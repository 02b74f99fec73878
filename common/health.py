"""Readiness: the gateway's /readyz asks every service to answer over RPC."""
from common.request_context import RequestLogContext
from common.rpc import rpc


class Pingable:
    """Mixed into every service: an RPC that answers only if the service consumes its queue;
    and, riding along, the request id of each RPC in the worker's log lines (common/request_context.py)."""

    request_log_context = RequestLogContext()

    @rpc
    def ping(self):
        return {"service": self.name, "ok": True}
