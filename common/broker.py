"""Staying up while the broker goes away and comes back.

nameko 2.14 kills a whole service container when an ack or a reply meets a connection the broker
has closed (it catches only amqp's own ConnectionError, not the socket's), and after an outage its
consumers wait up to 30 s between reconnection attempts. Both are mended here, once, for the RPC
and the event consumers of every service.
"""
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from amqp.exceptions import AMQPError
from kombu.exceptions import OperationalError
from nameko.messaging import QueueConsumer

log = logging.getLogger(__name__)

BROKER_GONE = (OSError, AMQPError, OperationalError)

# Seconds between reconnection attempts: 1, 2, then every 3 (kombu's default grows to 30).
RECONNECT_INTERVALS = {"interval_start": 1, "interval_step": 1, "interval_max": 3}


class ResilientQueueConsumer(QueueConsumer):
    """nameko's queue consumer that reconnects within seconds, and treats an ack or requeue on a
    dead connection as what it is: nothing to do, the broker hands the message out again."""

    @contextmanager
    def establish_connection(self) -> Iterator[Any]:
        with self.create_connection() as connection:
            connection.ensure_connection(self.on_connection_error, self.connect_max_retries, **RECONNECT_INTERVALS)
            yield connection

    def ack_message(self, message: Any) -> None:
        try:
            super().ack_message(message)
        except BROKER_GONE as error:
            log.warning("ack lost with the connection (%s); the message will come again", type(error).__name__)

    def requeue_message(self, message: Any) -> None:
        try:
            super().requeue_message(message)
        except BROKER_GONE as error:
            log.warning("requeue lost with the connection (%s); the broker requeues it", type(error).__name__)
