"""Readiness: the gateway's /readyz asks every service to answer over RPC."""
from common.rpc import rpc


class Pingable:
    """Mixed into every service: an RPC that answers only if the service consumes its queue."""

    @rpc
    def ping(self):
        return {"service": self.name, "ok": True}
