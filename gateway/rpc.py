"""RPC from the gateway to the services: nameko's wire protocol over each thread's pika connection.

A request is what a nameko proxy sends: JSON ``{"args": [...], "kwargs": {...}}`` to the
``nameko-rpc`` exchange with routing key ``<service>.<method>``, a ``correlation_id``, a
``reply_to`` and nameko's context headers (``nameko.call_id_stack``, ``nameko.request_id``: the
current request id of gateway/request_ids.py, ``nameko.rpc_start_by_ms``: see below). Replies come
on RabbitMQ's direct reply-to (``amq.rabbitmq.reply-to``), consumed by each thread's RPC channel:
no reply queue to declare or delete, nothing stored by the broker. The services send replies to
such an address through the default exchange (common/rpc.py). A reply's error is rebuilt by
nameko's ``deserialize``: the registered ``common.errors`` classes come back as themselves.

With the broker down a client hears 503 within seconds, never waits: the connection is opened
with short timeouts (gateway/amqp.py), and a call meeting a connection that died while its thread
was idle (a broker restart) retries once, at once, on a new one, before anything was published.

A 503 or a 504 means "not done", always (a client told its submission failed must never find it
made later, nor get a second one by retrying). RPC queues are durable and outlive their consumers,
so a request published while a service is down would wait there and run when it comes back:
- a call to a service whose queue has no consumer is refused at once (503), without publishing;
  the consumer count comes from a passive declare, remembered per service for at most
  ``CONSUMERS_FRESH_SECONDS`` so the hot path does not pay a second round trip per call;
- a request that is published carries the latest time it may start (``common.rpc``'s
  ``START_BY_MS_HEADER``, epoch milliseconds) and expires in the broker at that moment, so neither a
  service that comes back nor one that was paused runs what its caller gave up on;
- requests are published ``mandatory``: one no queue takes (the service's queue is gone) comes
  back at once, a 503, rather than as a 504 after the timeout;
- it also carries the time its caller stops waiting (``ANSWER_BY_MS_HEADER``), so a service that
  waits on something outside bounds that wait by it.
A request must start a little before the caller's timeout (``start_budget``), or it could start
in time and finish after the caller has answered 504. A call that times out replaces its
thread's connection, so a reply arriving later is never read as another call's.

Requests are transient and published without confirms, on purpose. The reply is the confirmation:
a request the broker lost (it restarted, refused it) gets no reply, the caller answers 504 or 503,
and that means "not done" — the request was lost before any service could start it. A persistent
request would be written to disk by the broker, only to be discarded after a restart anyway (it
would be late). A confirm would add a round trip to every call and tell nothing the reply does not.
The one window where 503 cannot be sure: the connection drops after the request went out and
before the reply came; the client's Idempotency-Key makes its retry safe there.
"""
import itertools
import os
import time
from typing import Any

import pika
import pika.exceptions
from kombu.utils import json
from nameko.exceptions import deserialize
from nameko.rpc import RPC_QUEUE_TEMPLATE

from common import logs
from common.rpc import ANSWER_BY_MS_HEADER, DIRECT_REPLY_TO, START_BY_MS_HEADER
from gateway.amqp import BROKER_GONE, BrokerBlocked, ThreadConnections

RPC_EXCHANGE = "nameko-rpc"
CALL_ID_STACK_HEADER = "nameko.call_id_stack"
REQUEST_ID_HEADER = "nameko." + logs.REQUEST_ID_KEY
CONSUMERS_FRESH_SECONDS = 1.0
FINISH_MARGIN_SECONDS = 1.0  # at most; see start_budget
NOT_FOUND = 404
TRANSIENT = 1


def start_budget(timeout):
    """Seconds a request may wait before it starts: the caller's timeout less the time left to
    finish it and reply (1 s — a submission takes tens of milliseconds — or a quarter of a short
    timeout)."""
    return timeout - min(FINISH_MARGIN_SECONDS, timeout / 4)


class ServiceUnavailable(Exception):
    """The broker or a service cannot be reached now; ``args[0]`` names which."""


class RpcTimedOut(Exception):
    """A service did not answer within the timeout; ``args[0]`` names it."""


class Returned(Exception):
    """The broker returned a ``mandatory`` request: no queue is bound to its routing key."""


class RpcChannel:
    """A thread's RPC channel: consumes its direct reply-to, publishes requests, waits for one reply.

    Correlation ids need only be unique on this channel (its replies come to it alone): a counter
    behind a per-channel prefix, no random bytes per call.
    """

    def __init__(self, connection):
        self.connection = connection
        self.channel = connection.channel()
        self.channel.add_on_return_callback(self._on_return)
        self.channel.basic_consume(DIRECT_REPLY_TO, self._on_reply, auto_ack=True)
        self._prefix = "{}-{}".format(os.getpid(), os.urandom(4).hex())
        self._numbers = itertools.count(1)
        self._awaited = None
        self._reply = None
        self._returned = False

    def consumer_count(self, queue_name):
        """Consumers of ``queue_name`` now; raises ``pika.exceptions.ChannelClosedByBroker`` (404,
        the channel closed) if it does not exist."""
        return self.channel.queue_declare(queue_name, passive=True).method.consumer_count

    def request(self, routing_key, body, headers, expiration_seconds):
        """Publishes a request; returns its correlation id."""
        correlation_id = "{}.{}".format(self._prefix, next(self._numbers))
        headers = dict(headers, **{CALL_ID_STACK_HEADER: ["gateway.call." + correlation_id]})
        properties = pika.BasicProperties(
            content_type="application/json", content_encoding="utf-8", headers=headers,
            delivery_mode=TRANSIENT, correlation_id=correlation_id, reply_to=DIRECT_REPLY_TO,
            expiration=str(max(1, int(expiration_seconds * 1000))))
        self._awaited, self._reply, self._returned = correlation_id, None, False
        self.channel.basic_publish(RPC_EXCHANGE, routing_key, body, properties, mandatory=True)
        return correlation_id

    def reply(self, deadline):
        """The awaited reply's body; None once ``deadline`` (monotonic) passes; raises Returned."""
        while True:
            if self._reply is not None:
                return self._reply
            if self._returned:
                raise Returned()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.connection.process_data_events(time_limit=remaining)

    def _on_reply(self, channel, method, properties, body):
        if properties.correlation_id == self._awaited:  # else a reply to a call given up on
            self._reply = body

    def _on_return(self, channel, method, properties, body):
        if properties.correlation_id == self._awaited:
            self._returned = True


class RpcPool:
    """``call(service, method, *args, **kwargs)`` on the calling thread's connection."""

    def __init__(self, amqp_uri, timeout, connections=None):
        self._connections = connections or ThreadConnections(amqp_uri)
        self._timeout = timeout
        self._start_budget = start_budget(timeout)
        self._consumers = {}  # service: (monotonic time checked, consumer count); shared by threads

    def call(self, service, method, *args, **kwargs):
        deadline = time.monotonic() + self._timeout
        body = json.dumps({"args": args, "kwargs": kwargs}).encode("utf-8")
        sent_at = time.time()
        headers = {START_BY_MS_HEADER: int((sent_at + self._start_budget) * 1000),
                   ANSWER_BY_MS_HEADER: int((sent_at + self._timeout) * 1000)}
        request_id = logs.current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        channel = self._published(service, "{}.{}".format(service, method), body, headers)
        try:
            reply = channel.reply(deadline)
        except Returned:
            raise ServiceUnavailable(service) from None
        except BROKER_GONE:
            self._connections.discard()
            raise ServiceUnavailable("broker") from None
        if reply is None:
            blocked = self._connections.blocked()
            self._connections.discard()
            # Either way not done (the request expired unstarted); a blocked broker is named as such.
            raise ServiceUnavailable("broker") if blocked else RpcTimedOut(service)
        answer = json.loads(reply)
        if answer.get("error"):
            raise deserialize(answer["error"])
        return answer.get("result")

    def _published(self, service, routing_key, body, headers):
        """The channel a request went out on; at most one fresh connection on the way."""
        for attempt in (1, 2):
            try:
                channel = self._channel(fresh=attempt == 1)
                self._require_consumer(channel, service)
                channel.request(routing_key, body, headers, self._start_budget)
                return channel
            except ServiceUnavailable:
                raise
            except BrokerBlocked:
                raise ServiceUnavailable("broker") from None
            except BROKER_GONE:
                self._connections.discard()
        raise ServiceUnavailable("broker")

    def _channel(self, fresh):
        if fresh:
            self._connections.fresh()
        self._connections.ensure_not_blocked()
        return self._connections.channel("rpc", RpcChannel)

    def _require_consumer(self, channel, service):
        checked = self._consumers.get(service)
        if checked is None or time.monotonic() - checked[0] > CONSUMERS_FRESH_SECONDS:
            try:
                count = channel.consumer_count(RPC_QUEUE_TEMPLATE.format(service))
            except pika.exceptions.ChannelClosedByBroker as closed:
                if closed.reply_code != NOT_FOUND:
                    raise
                # The service never ran on this broker; the broker closed the channel, not the connection.
                self._connections.forget("rpc")
                count = 0
            checked = self._consumers[service] = (time.monotonic(), count)
        if not checked[1]:
            raise ServiceUnavailable(service)


def services() -> Any:
    """The RPC pool of the running Flask app."""
    from flask import current_app

    return current_app.extensions["rpc"]

