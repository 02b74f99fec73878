"""Event handlers that retry a failing event a bounded number of times, with a growing delay,
then park it in a dead-letter queue (design.md §5).

nameko's own handler acks a failed event and it is gone (or, with ``requeue_on_error``, loops
hot). Here a failed event is republished to ``<queue>.retry``, whose messages expire after the
delay and dead-letter back into ``<queue>``; after ``HANDLER_MAX_ATTEMPTS`` it goes to
``<queue>.dead`` instead, where an operator can see and replay it. The original is acked only
once its copy is confirmed by the broker.
"""
import logging

from kombu import Connection, Queue
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import EventHandler

from common import config

log = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-acikkapi-attempt"
ERROR_HEADER = "x-acikkapi-error"


def retry_queue(queue_name):
    return Queue(queue_name + ".retry", durable=True, queue_arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue_name})


def dead_letter_queue(queue_name):
    return Queue(queue_name + ".dead", durable=True)


def retry_delay_seconds(attempt, base_seconds):
    """Doubling from ``base_seconds``, at most a minute: never a hot loop, never a long stall."""
    return min(base_seconds * 2 ** (attempt - 1), 60.0)


class RetryingEventHandler(EventHandler):
    def setup(self):
        super().setup()
        amqp_uri = self.container.config.get(AMQP_URI_CONFIG_KEY) or config.amqp_uri()
        self.max_attempts = int(config.setting("HANDLER_MAX_ATTEMPTS", "5"))
        self.base_delay = float(config.setting("HANDLER_RETRY_SECONDS", "1"))
        self.retry_queue = retry_queue(self.queue.name)
        self.dead_letter_queue = dead_letter_queue(self.queue.name)
        self.publisher = Publisher(amqp_uri, use_confirms=True, retry=True)
        with Connection(amqp_uri) as connection:  # the dead letters' queue exists before any is needed
            for queue in (self.retry_queue, self.dead_letter_queue):
                queue(connection.default_channel).declare()

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None or isinstance(exc_info[1], self.expected_exceptions):
            return super().handle_message_processed(message, result, exc_info)
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 1))
        headers = dict(message.headers or {}, **{ATTEMPT_HEADER: attempt + 1,
                                                  ERROR_HEADER: exc_info[0].__name__})
        try:
            if attempt < self.max_attempts:
                self.publisher.publish(message.payload, routing_key=self.retry_queue.name, headers=headers,
                                       expiration=retry_delay_seconds(attempt, self.base_delay))
            else:
                log.error("event %s failed %d times; parked in %s", self.event_type, attempt,
                          self.dead_letter_queue.name)
                self.publisher.publish(message.payload, routing_key=self.dead_letter_queue.name, headers=headers)
        except Exception:  # the broker did not take the copy: keep the original rather than lose it
            log.exception("could not park a failed %s event; requeued", self.event_type)
            self.queue_consumer.requeue_message(message)
            return None
        self.queue_consumer.ack_message(message)
        return None


event_handler = RetryingEventHandler.decorator
