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

A 503 or a 504 means "not done", always (a client told its submission failed must never find it
made later, nor get a second one by retrying). RPC queues are durable and outlive their consumers,
so a request published while a service is down would wait there and run when it comes back:
- a call to a service whose queue has no consumer is refused at once (503), without publishing;
  the consumer count comes from a passive declare, remembered per service for at most
  ``CONSUMERS_FRESH_SECONDS`` so the hot path does not pay a second round trip per call;
- a request that is published carries the latest time it may start (``common.rpc``'s
  ``START_BY_KEY``, epoch seconds) and expires in the broker at that moment, so neither a
  service that comes back nor one that was paused runs what its caller gave up on.
A request must start a little before the caller's timeout (``start_budget``), or it could start
in time and finish after the caller has answered 504.
"""
import socket
import threading
import time
import urllib.parse

from amqp.exceptions import NotFound
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.rpc import RPC_QUEUE_TEMPLATE
from nameko.standalone.rpc import ClusterProxy, ClusterRpcProxy, ServiceProxy

from common import logs
from common.broker import BROKER_GONE
from common.rpc import START_BY_KEY

RETRY_ONCE_AT_ONCE = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
PUBLISH_OPTIONS = {"retry_policy": RETRY_ONCE_AT_ONCE, "transport_options": RETRY_ONCE_AT_ONCE}
BROKER_PROBE_SECONDS = 1.0
CONSUMERS_FRESH_SECONDS = 1.0
FINISH_MARGIN_SECONDS = 1.0  # at most; see start_budget


def start_budget(timeout):
    """Seconds a request may wait before it starts: the caller's timeout less the time left to
    finish it and reply (1 s — a submission takes tens of milliseconds — or a quarter of a short
    timeout)."""
    return timeout - min(FINISH_MARGIN_SECONDS, timeout / 4)


class ServiceUnavailable(Exception):
    """The broker or a service cannot be reached now; ``args[0]`` names which."""


class RpcTimedOut(Exception):
    """A service did not answer within the timeout; ``args[0]`` names it."""


class RpcPool:
    def __init__(self, amqp_uri, timeout):
        self._config = {"AMQP_URI": amqp_uri, "serializer": "json"}
        self._timeout = timeout
        self._start_budget = start_budget(timeout)
        self._local = threading.local()
        self._consumers = {}  # service: (monotonic time checked, consumer count); shared by threads

    def call(self, service, method, *args, **kwargs):
        try:
            self._require_consumer(service)
            proxy = self._proxy()
            self._set_context(logs.current_request_id(), time.time() + self._start_budget)
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
            runner = FailFastClusterRpcProxy(self._config, context_data=context, timeout=self._timeout,
                                             expiration=self._start_budget)
            cluster = runner.start()
            self._local.runner, self._local.cluster, self._local.context = runner, cluster, context
        return cluster

    def _require_consumer(self, service):
        self._proxy()  # the count is asked on the thread's own connection
        checked = self._consumers.get(service)
        if checked is None or time.monotonic() - checked[0] > CONSUMERS_FRESH_SECONDS:
            try:
                count = self._local.runner.consumer_count(RPC_QUEUE_TEMPLATE.format(service))
            except BROKER_GONE:  # a proxy whose connection died in a broker restart: one fresh try
                self._discard()
                self._proxy()
                count = self._local.runner.consumer_count(RPC_QUEUE_TEMPLATE.format(service))
            checked = self._consumers[service] = (time.monotonic(), count)
        if not checked[1]:
            raise ServiceUnavailable(service)

    def _set_context(self, request_id, start_by):
        context = self._local.context
        if request_id:
            context[logs.REQUEST_ID_KEY] = request_id
        else:  # nameko warns about (and drops) None header values
            context.pop(logs.REQUEST_ID_KEY, None)
        context[START_BY_KEY] = start_by

    def _discard(self):
        runner = getattr(self._local, "runner", None)
        self._local.runner = self._local.cluster = None
        if runner is not None:
            try:
                runner.stop()
            except Exception:  # the connection is already gone; nothing to close cleanly
                pass


class FailFastClusterProxy(ClusterProxy):
    def __init__(self, worker_ctx, reply_listener, **options):
        super().__init__(worker_ctx, reply_listener)
        self._options = options

    def __getattr__(self, name):
        if name not in self._proxies:
            self._proxies[name] = ServiceProxy(self._worker_ctx, name, self._reply_listener, **self._options)
        return self._proxies[name]


class FailFastClusterRpcProxy(ClusterRpcProxy):
    """nameko's cluster proxy, publishing with ``PUBLISH_OPTIONS`` and, with ``expiration``
    (seconds), a per-message TTL; it also tells how many consumers a queue has."""

    def __init__(self, *args, expiration=None, **kwargs):
        super().__init__(*args, **kwargs)
        options = dict(PUBLISH_OPTIONS, expiration=expiration) if expiration else PUBLISH_OPTIONS
        self._proxy = FailFastClusterProxy(self._worker_ctx, self._reply_listener, **options)

    def consumer_count(self, queue_name):
        """Consumers of ``queue_name`` now (0 if it does not exist), on the reply connection."""
        channel = self._reply_listener.queue_consumer.connection.channel()
        try:
            return channel.queue_declare(queue=queue_name, passive=True).consumer_count
        except NotFound:  # the service never ran on this broker: the broker has closed the channel
            return 0
        finally:
            try:
                channel.close()
            except BROKER_GONE:
                pass


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
