"""The gateway's broker connections: one pika ``BlockingConnection`` per gunicorn thread.

A blocking connection belongs to the thread that uses it, so each thread opens its own on first
use and keeps it; the RPC client (gateway/rpc.py) and the event publisher (gateway/events.py)
keep their channels on it. nameko's machinery (eventlet-minded proxies, a connection pool, a
reply queue per proxy) is not needed for a thread that sends one request and waits for its answer.

Never a hang when the broker is gone:
- opening a connection gives up after ``CONNECT_SECONDS`` (a refused port fails at once);
- before a request goes out, ``fresh()`` reads what the broker sent since the last use (no
  waiting): a connection the broker closed while the thread was idle (a restart, a heartbeat
  timeout) shows up there and is replaced once, at once, before anything is published;
- the wait the gateway controls (an RPC's reply) has its caller's deadline; pika's own
  synchronous round trips (an event's confirm, a passive declare, opening a channel) are bounded
  by the connection: a closed socket fails them at once, and a broker that stops answering
  without closing it is given up after its heartbeat (``HEARTBEAT_SECONDS`` and a little more);
- a broker that blocks publishers (a memory or disk alarm) is answered at once, see below.

A memory or disk alarm: RabbitMQ stops reading from a connection the moment it publishes and sends
it ``connection.blocked``; a connection that does not publish is told nothing. So the first thread
to publish during an alarm learns of it (and its request waits out its timeout: the broker holds
it unread, then drops it as late), and tells the process (``BrokerAlarm``). From then on, before a
thread publishes anything (``ensure_not_blocked``): a thread whose own connection is blocked is
refused at once (``BrokerBlocked``, a 503); any other thread first publishes a probe that routes
nowhere and waits up to ``PROBE_SECONDS`` for ``connection.blocked`` — blocked, refused at once,
its request never sent; not blocked, the alarm is over and the request goes out. A blocked
connection reads ``connection.unblocked`` at its thread's next call (``fresh``), or is closed by
pika after ``BLOCKED_SECONDS`` and replaced. The probes stop ``ALARM_MEMORY_SECONDS`` after the
last sign of an alarm.

A cluster's nodes, listed in ``AMQP_URI`` as kombu's failover list, are tried in turn by every new
connection, each starting one node further along: the threads spread over the nodes, and a
thread whose node went away is on another one at its next call.
"""
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import pika
import pika.exceptions

from common import config

log = logging.getLogger(__name__)
# pika tells every channel and connection opened and closed at INFO: noise at one connection per thread.
logging.getLogger("pika").setLevel(logging.WARNING)

# What "the broker cannot be reached" looks like from pika and from the socket underneath it.
BROKER_GONE = (OSError, pika.exceptions.AMQPError)

CONNECT_SECONDS = 2.0
HEARTBEAT_SECONDS = 20
BLOCKED_SECONDS = 5.0
PROBE_SECONDS = 0.2  # RabbitMQ answers a publish during an alarm with connection.blocked at once
ALARM_MEMORY_SECONDS = 30.0
PROBE_ROUTING_KEY = "acikkapi.gateway.alarm-probe"  # no queue has this name: the probe is dropped


class BrokerBlocked(Exception):
    """The broker blocks this process's publishers (a memory or disk alarm): nothing was published."""


class BrokerAlarm:
    """When a connection of this process last heard ``connection.blocked`` (``time.monotonic()``),
    until one hears ``connection.unblocked`` or a probe goes through. Shared by the threads: a
    float assigned whole, no lock needed."""

    def __init__(self) -> None:
        self.heard_at: float | None = None

    def raised(self) -> None:
        self.heard_at = time.monotonic()

    def cleared(self) -> None:
        self.heard_at = None

    def recent(self) -> bool:
        heard_at = self.heard_at
        return heard_at is not None and time.monotonic() - heard_at < ALARM_MEMORY_SECONDS


def connection_parameters(amqp_uri: str) -> list[pika.URLParameters]:
    """pika's parameters for each node of ``amqp_uri`` (kombu's ``;`` failover list), failing fast."""
    return [_node_parameters(node) for node in config.amqp_nodes(amqp_uri)]


def _node_parameters(node_uri: str) -> pika.URLParameters:
    parameters = pika.URLParameters(node_uri)
    parameters.connection_attempts = 1
    parameters.retry_delay = 0
    parameters.socket_timeout = CONNECT_SECONDS
    parameters.stack_timeout = CONNECT_SECONDS
    parameters.heartbeat = HEARTBEAT_SECONDS
    parameters.blocked_connection_timeout = BLOCKED_SECONDS
    parameters.client_properties = {"connection_name": "gateway {}".format(os.getpid())}
    return parameters


class ThreadConnections:
    """Each thread's connection to the broker, and the channels kept on it by name.

    ``channel(name, open_channel)`` returns what ``open_channel(connection)`` made on the thread's
    current connection (a channel, or an object holding one), made again when the connection
    was replaced or ``forget(name)`` was called. Shared by every pool of the app: one connection
    per thread, whatever uses it.
    """

    def __init__(self, amqp_uri: str) -> None:
        self.parameters = connection_parameters(amqp_uri)
        self.alarm = BrokerAlarm()
        self._local = threading.local()
        self._opened = itertools.count()

    def connection(self) -> pika.BlockingConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None or not connection.is_open:
            self.discard()
            connection = pika.BlockingConnection(self._nodes_in_turn())
            connection.add_on_connection_blocked_callback(self._on_blocked)
            connection.add_on_connection_unblocked_callback(self._on_unblocked)
            self._local.connection, self._local.channels = connection, {}
        return connection

    def blocked(self) -> bool:
        """Whether this thread's connection is blocked by the broker now."""
        return getattr(self._local, "blocked", False)

    def ensure_not_blocked(self) -> None:
        """Raises ``BrokerBlocked`` at once, before anything is published, while the broker blocks
        publishers (see the module's text); call it after ``fresh``."""
        if self.blocked():
            raise BrokerBlocked()
        if not self.alarm.recent():
            return
        probe = self.channel("alarm-probe", lambda connection: connection.channel())
        probe.basic_publish("", PROBE_ROUTING_KEY, b"")
        self.connection().process_data_events(time_limit=PROBE_SECONDS)  # returns once blocked is read
        if self.blocked():
            raise BrokerBlocked()
        self.alarm.cleared()

    def _on_blocked(self, connection: Any, method_frame: Any) -> None:
        self._local.blocked = True  # pika calls back in the thread that owns the connection
        if not self.alarm.recent():
            log.warning("the broker blocks publishers (a memory or disk alarm): calls are answered 503")
        self.alarm.raised()

    def _on_unblocked(self, connection: Any, method_frame: Any) -> None:
        self._local.blocked = False
        self.alarm.cleared()

    def _nodes_in_turn(self) -> list[pika.URLParameters]:
        """Every node, each new connection starting one further along: the threads spread over a
        cluster's nodes, and one whose node went away tries the others in turn."""
        start = next(self._opened) % len(self.parameters)
        return self.parameters[start:] + self.parameters[:start]

    def fresh(self) -> pika.BlockingConnection:
        """The thread's connection, replaced once if the broker closed it since its last use."""
        try:
            connection = self.connection()
            connection.process_data_events(0)
            return connection
        except BROKER_GONE as gone:
            log.info("broker connection lost while idle (%s); opening another", type(gone).__name__)
            self.discard()
            return self.connection()

    def channel(self, name: str, open_channel: Callable[[pika.BlockingConnection], Any]) -> Any:
        connection = self.connection()
        channels = self._local.channels
        if name not in channels:
            channels[name] = open_channel(connection)
        return channels[name]

    def forget(self, name: str) -> None:
        """The channel ``name`` is made again on next use (the broker closed it)."""
        getattr(self._local, "channels", {}).pop(name, None)

    def discard(self) -> None:
        """Closes the thread's connection (if it is still open) and forgets it and its channels."""
        connection = getattr(self._local, "connection", None)
        self._local.connection, self._local.channels, self._local.blocked = None, {}, False
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except Exception:  # broken already: nothing is left to close cleanly
                pass
