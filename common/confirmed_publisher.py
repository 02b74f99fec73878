"""Publishing many messages and waiting for the broker's confirms once (docs/architecture.md#outbox).

One connection and one channel in confirm mode, kept between batches. Every message of a batch
is published at once with ``mandatory``, then the publisher reads the broker's answers until each
message has one: ``basic.ack`` (one, or with ``multiple`` every earlier tag too), ``basic.nack``,
or ``basic.return`` for a message no queue would take, which RabbitMQ sends *before* that
message's ack (https://www.rabbitmq.com/docs/confirms#server-sent-acks): a returned message is
not confirmed, whatever ack follows. Messages are told apart on return by their ``message_id``.

A broken connection, a closed channel or answers that do not come within ``confirm_timeout``
leave every message without an answer unconfirmed; the connection is dropped and the next batch
opens a new one (delivery tags count from 1 again on a new channel).
"""
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kombu import Exchange, Producer
from kombu.common import maybe_declare

from common.kept_connection import open_prepared, release_quietly

log = logging.getLogger(__name__)

PERSISTENT = 2


@dataclass(frozen=True)
class Outgoing:
    """One message: ``message_id`` names it in the answer (unique within a batch)."""
    exchange: Exchange
    routing_key: str
    body: Any
    message_id: str


@dataclass
class Confirmation:
    """``confirmed``: the ids the broker took (acked and not returned); ``failure``: why the
    connection was given up (the others may or may not have reached a queue), else None."""
    confirmed: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    failure: BaseException | None = None


class ConfirmedPublisher:
    def __init__(self, amqp_uri: str, confirm_timeout: float = 10.0, connect_timeout: float = 5.0) -> None:
        self.amqp_uri = amqp_uri
        self.confirm_timeout = confirm_timeout
        self.connect_timeout = connect_timeout
        self._connection: Any = None
        self._producer: Any = None
        self._last_tag = 0  # of the channel's publishes so far: the broker numbers them 1, 2, ...
        self._waiting: dict[int, str] = {}  # delivery tag -> message id, of the batch in flight
        self._returned: set[str] = set()
        self._answer: Confirmation = Confirmation()

    def publish(self, messages: Sequence[Outgoing]) -> Confirmation:
        """Publishes ``messages`` in order; returns once each has an answer or the connection failed."""
        self._answer = Confirmation()
        self._returned = set()
        if not messages:
            return self._answer
        try:
            producer = self._open()
            for message in messages:
                maybe_declare(message.exchange, producer.channel)
                producer.publish(message.body, exchange=message.exchange, routing_key=message.routing_key,
                                 serializer="json", delivery_mode=PERSISTENT, mandatory=True,
                                 message_id=message.message_id)
                self._last_tag += 1
                self._waiting[self._last_tag] = message.message_id
            while self._waiting:
                self._connection.drain_events(timeout=self.confirm_timeout)
        except Exception as exc:  # the broker went away, closed the channel, or did not answer in time
            self._answer.failure = exc
            self.close()
        return self._answer

    def close(self) -> None:
        connection, self._connection, self._producer = self._connection, None, None
        self._waiting, self._last_tag = {}, 0
        release_quietly(connection)

    def _open(self) -> Any:
        if self._producer is None:
            self._connection, self._producer = open_prepared(self.amqp_uri, self._confirming_producer,
                                                             connect_timeout=self.connect_timeout)
        return self._producer

    def _confirming_producer(self, connection: Any) -> Any:
        channel = connection.channel()
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        return Producer(channel, on_return=self._on_return)

    def _answered(self, delivery_tag: int, multiple: bool) -> list[str]:
        tags = [tag for tag in self._waiting if tag <= delivery_tag] if multiple else [delivery_tag]
        return [self._waiting.pop(tag) for tag in tags if tag in self._waiting]

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        for message_id in self._answered(delivery_tag, multiple):
            (self._answer.refused if message_id in self._returned else self._answer.confirmed).add(message_id)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._answer.refused.update(self._answered(delivery_tag, multiple))

    def _on_return(self, exception: Any, exchange: str, routing_key: str, message: Any) -> None:
        self._returned.add(message.properties.get("message_id"))
