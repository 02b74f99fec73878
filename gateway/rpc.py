"""RPC from the gateway to the services: one started proxy per worker thread, with a timeout.

A nameko standalone proxy is not thread-safe, and opening one per request
is about 4x slower (stack notes), so each gunicorn thread keeps its own.
A proxy whose connection broke, or whose call timed out, is dropped and opened again on next use.
"""
import threading

from amqp.exceptions import AMQPError
from kombu.exceptions import OperationalError
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.standalone.rpc import ClusterRpcProxy


class ServiceUnavailable(Exception):
    """The broker or a service cannot be reached now; ``args[0]`` names which."""


class RpcTimedOut(Exception):
    """A service did not answer within the timeout; ``args[0]`` names it."""


_BROKEN_CONNECTION = (OSError, AMQPError, OperationalError)


class RpcPool:
    def __init__(self, amqp_uri, timeout):
        self._config = {"AMQP_URI": amqp_uri, "serializer": "json"}
        self._timeout = timeout
        self._local = threading.local()

    def call(self, service, method, *args, **kwargs):
        try:
            proxy = self._proxy()
            return getattr(getattr(proxy, service), method)(*args, **kwargs)
        except RpcTimeout:
            # After a broker restart a proxy's reply consumer can be dead without an error: its
            # calls go out but no answer comes back. A fresh proxy costs one connection.
            self._discard()
            raise RpcTimedOut(service) from None
        except UnknownService:
            raise ServiceUnavailable(service) from None
        except _BROKEN_CONNECTION:
            self._discard()
            raise ServiceUnavailable("broker") from None

    def _proxy(self):
        cluster = getattr(self._local, "cluster", None)
        if cluster is None:
            runner = ClusterRpcProxy(self._config, timeout=self._timeout)
            cluster = runner.start()
            self._local.runner, self._local.cluster = runner, cluster
        return cluster

    def _discard(self):
        runner = getattr(self._local, "runner", None)
        self._local.runner = self._local.cluster = None
        if runner is not None:
            try:
                runner.stop()
            except Exception:  # the connection is already gone; nothing to close cleanly
                pass


def services():
    """The RPC pool of the running Flask app."""
    from flask import current_app

    return current_app.extensions["rpc"]
