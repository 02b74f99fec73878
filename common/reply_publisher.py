"""RPC replies on one kept connection per service process (common/rpc.py sends them).

nameko's responder builds a ``Publisher`` per reply: a new kombu ``Connection`` object, a lookup in
kombu's producer pool keyed by it, a retrying ``ensure`` wrapper, and the result serialised twice
(once to check it can be, once to send it): 136–195 µs of CPU per reply, against 44 µs here
(bench/README.md, "Issue 20, second session"). A reply needs none of it: it is transient, has no
confirm, and a reply that cannot be written is given up (common/rpc.py). So one connection and
one producer are kept and shared by the process's workers under a lock (a green lock: nameko
runs on eventlet); a connection the broker closed is opened again before the reply is sent, and one
that breaks while it is sent is opened again once before the reply is given up.
"""
from typing import Any

import eventlet.patcher
import eventlet.semaphore
from kombu import Producer

from common.broker import BROKER_GONE
from common.kept_connection import open_prepared, release_quietly

TRANSIENT = 1
_select = eventlet.patcher.original("select").select


class KeptReplyPublisher:
    def __init__(self, amqp_uri: str, ssl: Any = None, login_method: Any = None, connect_timeout: float = 5.0) -> None:
        self.amqp_uri, self.ssl, self.login_method = amqp_uri, ssl, login_method
        self.connect_timeout = connect_timeout
        self._lock = eventlet.semaphore.Semaphore()
        self._connection: Any = None
        self._producer: Any = None

    def publish(self, body: bytes, content_type: str, content_encoding: str, exchange: str, routing_key: str,
                correlation_id: str | None) -> None:
        """Sends one serialised reply; raises one of ``BROKER_GONE`` if even a new connection fails."""
        with self._lock:
            for attempt in range(2):
                try:
                    self._open().publish(body, exchange=exchange, routing_key=routing_key,
                                         correlation_id=correlation_id, content_type=content_type,
                                         content_encoding=content_encoding, delivery_mode=TRANSIENT)
                    return
                except BROKER_GONE:
                    self._close()
                    if attempt:
                        raise

    def close(self) -> None:
        with self._lock:
            self._close()

    def _open(self) -> Any:
        if self._producer is not None and self._broker_closed():
            self._close()
        if self._producer is None:
            self._connection, self._producer = open_prepared(
                self.amqp_uri, lambda connection: Producer(connection.channel()), ssl=self.ssl,
                login_method=self.login_method, connect_timeout=self.connect_timeout)
        return self._producer

    def _broker_closed(self) -> bool:
        """Nothing comes on a reply connection (no consumer, no confirms, no heartbeats) but the
        broker closing it: a restarted broker's FIN, or its ``connection.close``. A write on such a
        socket may still succeed once and the reply be lost, so a readable socket means open anew.
        One ``select`` with no wait per reply: the original, not eventlet's green one, which costs a
        hub switch (~30 µs, as much as the rest of the publish) to learn the same."""
        try:
            readable, _, _ = _select([self._connection.connection.sock.fileno()], [], [], 0)
        except (OSError, ValueError, AttributeError):  # closed already, or no socket at all
            return True
        return bool(readable)

    def _close(self) -> None:
        connection, self._connection, self._producer = self._connection, None, None
        release_quietly(connection)
