"""Event handlers that retry a failing event a bounded number of times, with a growing delay,
then park it in a dead-letter queue (docs/architecture.md#handler-retries).

nameko's own handler acks a failed event and it is gone (or, with ``requeue_on_error``, loops
hot); an event that cannot even be decoded stops its consumer altogether. Here any event that
fails — the handler raised, the body could not be decoded, or it is of a version or kind this
handler does not know — is republished, byte for byte, to ``<queue>.retry``, whose messages
expire after the delay and dead-letter back into ``<queue>``; after ``HANDLER_MAX_ATTEMPTS`` it
goes to ``<queue>.dead`` instead, where an operator can see and replay it (common/dead_letters.py).
The original is acked only once its copy is confirmed by the broker.

Queues are named by common/topology.py, not by the handler's method name, so producers can
declare them before their first event.
"""
import logging
from typing import Any

from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import EventHandler

from common import config, topology
from common.broker import ResilientQueueConsumer
from contracts.events import EVENT_VERSION

log = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-acikkapi-attempt"
ERROR_HEADER = "x-acikkapi-error"


class UnsupportedEvent(Exception):
    """The event is not a JSON object of this handler's name and a version it knows."""


class UndecodableEvent(Exception):
    """The message body is not JSON (or not of an accepted content type)."""


def retry_delay_seconds(attempt: int, base_seconds: float) -> float:
    """Doubling from ``base_seconds``, at most a minute: never a hot loop, never a long stall."""
    return min(base_seconds * 2 ** (attempt - 1), 60.0)


def unsupported_reason(event: Any, event_type: str) -> str | None:
    """Why ``event`` is not one this handler may act on, or None."""
    if not isinstance(event, dict):
        return "not a JSON object"
    if event.get("event_name", event_type) != event_type:
        return "event_name is not " + event_type
    if event.get("event_version", EVENT_VERSION) != EVENT_VERSION:
        return "unknown event_version"
    return None


def as_sent(message: Any) -> dict[str, str]:
    """Publish arguments that copy ``message``'s body byte for byte, decodable or not."""
    return dict(content_type=message.content_type or "application/data",
                content_encoding=message.content_encoding or "binary")


class DeadLetteringQueueConsumer(ResilientQueueConsumer):
    """A resilient queue consumer (common/broker.py) that also declares each handler's retry and
    dead-letter queues on every (re)connection, and hands undecodable messages to their handler
    instead of dying."""

    def get_consumers(self, consumer_cls: Any, channel: Any) -> Any:
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            for queue in topology.side_queues(provider.queue.name):
                queue(channel).declare()
            consumer.on_decode_error = provider.handle_undecodable
        return consumers


class RetryingEventHandler(EventHandler):
    queue_consumer = DeadLetteringQueueConsumer()

    def setup(self) -> None:
        super().setup()
        self.queue = topology.handler_queue(self.source_service, self.event_type, self.container.service_name)
        self.max_attempts = int(config.setting("HANDLER_MAX_ATTEMPTS", "5"))
        self.base_delay = float(config.setting("HANDLER_RETRY_SECONDS", "1"))
        amqp_uri = self.container.config.get(AMQP_URI_CONFIG_KEY) or config.amqp_uri()
        self.publisher = Publisher(amqp_uri, use_confirms=True, retry=True)

    def handle_message(self, body: Any, message: Any) -> Any:
        if self.refused(body, message):
            return None
        return super().handle_message(body, message)

    def refused(self, body: Any, message: Any) -> bool:
        """True when ``body`` is not an event this handler may act on; it is then retried or parked."""
        reason = unsupported_reason(body, self.event_type)
        if reason is None:
            return False
        log.warning("event on %s refused: %s", self.queue.name, reason)
        self.retry_or_park(message, UnsupportedEvent.__name__)
        return True

    def handle_undecodable(self, message: Any, exc: BaseException) -> None:
        log.warning("event on %s could not be decoded: %s", self.queue.name, type(exc).__name__)
        self.retry_or_park(message, UndecodableEvent.__name__)

    def handle_message_processed(self, message: Any, result: Any = None, exc_info: Any = None) -> Any:
        if exc_info is None or isinstance(exc_info[1], self.expected_exceptions):
            return super().handle_message_processed(message, result, exc_info)
        return self.retry_or_park(message, exc_info[0].__name__)

    def retry_or_park(self, message: Any, error_name: str) -> None:
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 1))
        headers = dict(message.headers or {}, **{ATTEMPT_HEADER: attempt + 1, ERROR_HEADER: error_name})
        retry = attempt < self.max_attempts
        destination = self.queue.name + (topology.RETRY_SUFFIX if retry else topology.DEAD_SUFFIX)
        if not retry:
            log.error("event on %s failed %d times (%s); parked in %s",
                      self.queue.name, attempt, error_name, destination)
        try:
            self.publisher.publish(
                message.body, routing_key=destination, headers=headers, **as_sent(message),
                expiration=retry_delay_seconds(attempt, self.base_delay) if retry else None)
        except Exception:  # the broker did not take the copy: keep the original rather than lose it
            log.exception("could not move a failed event out of %s; requeued", self.queue.name)
            self.queue_consumer.requeue_message(message)
            return None
        self.queue_consumer.ack_message(message)
        return None


event_handler = RetryingEventHandler.decorator
