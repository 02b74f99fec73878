"""RPC from the gateway to the services: one started proxy per worker thread, with a timeout.

A nameko standalone proxy is not thread-safe, and opening one per request
is about 4x slower (stack notes), so each gunicorn thread keeps its own.
A proxy whose connection broke, or whose call timed out, is dropped and opened again on next use.

With the broker down a client must hear 503 within seconds, never wait: kombu's defaults retry
a publish for up to ~9 s, so calls here retry once, at once (enough to reconnect a proxy whose
socket died in a broker restart), and a new proxy first checks the broker's port answers at all.

Every call carries the current request id (gateway/request_ids.py) as nameko context data
``request_id`` (message header ``nameko.request_id``). A standalone proxy reads its context data
from the dict it was created with at every publish, so each thread's proxy gets its own dict and
``call`` sets the id in it just before publishing.
"""
import socket
import threading
import urllib.parse

from nameko.exceptions import RpcTimeout, UnknownService
from nameko.standalone.rpc import ClusterProxy, ClusterRpcProxy, ServiceProxy

from common import logs
from common.broker import BROKER_GONE

RETRY_ONCE_AT_ONCE = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
PUBLISH_OPTIONS = {"retry_policy": RETRY_ONCE_AT_ONCE, "transport_options": RETRY_ONCE_AT_ONCE}
BROKER_PROBE_SECONDS = 1.0


class ServiceUnavailable(Exception):
    """The broker or a service cannot be reached now; ``args[0]`` names which."""


class RpcTimedOut(Exception):
    """A service did not answer within the timeout; ``args[0]`` names it."""


class RpcPool:
    def __init__(self, amqp_uri, timeout):
        self._config = {"AMQP_URI": amqp_uri, "serializer": "json"}
        self._timeout = timeout
        self._local = threading.local()

    def call(self, service, method, *args, **kwargs):
        try:
            proxy = self._proxy()
            self._set_request_id(logs.current_request_id())
            return getattr(getattr(proxy, service), method)(*args, **kwargs)
        except RpcTimeout:
            # After a broker restart a proxy's reply consumer can be dead without an error: its
            # calls go out but no answer comes back. A fresh proxy costs one connection.
            self._discard()
            raise RpcTimedOut(service) from None
        except UnknownService:
            raise ServiceUnavailable(service) from None
        except BROKER_GONE:
            self._discard()
            raise ServiceUnavailable("broker") from None

    def _proxy(self):
        cluster = getattr(self._local, "cluster", None)
        if cluster is None:
            _probe_broker(self._config["AMQP_URI"])
            context = {}  # the proxy's worker context keeps this very dict as its data
            runner = FailFastClusterRpcProxy(self._config, context_data=context, timeout=self._timeout)
            cluster = runner.start()
            self._local.runner, self._local.cluster, self._local.context = runner, cluster, context
        return cluster

    def _set_request_id(self, request_id):
        context = self._local.context
        if request_id:
            context[logs.REQUEST_ID_KEY] = request_id
        else:  # nameko warns about (and drops) None header values
            context.pop(logs.REQUEST_ID_KEY, None)

    def _discard(self):
        runner = getattr(self._local, "runner", None)
        self._local.runner = self._local.cluster = None
        if runner is not None:
            try:
                runner.stop()
            except Exception:  # the connection is already gone; nothing to close cleanly
                pass


class FailFastClusterProxy(ClusterProxy):
    def __getattr__(self, name):
        if name not in self._proxies:
            self._proxies[name] = ServiceProxy(self._worker_ctx, name, self._reply_listener, **PUBLISH_OPTIONS)
        return self._proxies[name]


class FailFastClusterRpcProxy(ClusterRpcProxy):
    """nameko's cluster proxy, publishing with ``PUBLISH_OPTIONS``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._proxy = FailFastClusterProxy(self._worker_ctx, self._reply_listener)


def _probe_broker(amqp_uri):
    """Raises OSError at once if nothing listens on the broker's port (kombu would wait 2 s)."""
    parts = urllib.parse.urlparse(amqp_uri.split(";")[0])  # kombu's failover list: the first
    default_port = 5671 if parts.scheme == "amqps" else 5672
    socket.create_connection((parts.hostname or "localhost", parts.port or default_port),
                             timeout=BROKER_PROBE_SECONDS).close()


def services():
    """The RPC pool of the running Flask app."""
    from flask import current_app

    return current_app.extensions["rpc"]
