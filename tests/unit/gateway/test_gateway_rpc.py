"""The gateway's RPC pool never lets a request run after its caller has given up (issue 16):
no consumer → refused before publishing; every request stamped with the latest time it may start
and a broker TTL of the same length; the services drop what arrives too late. Since issue 20 it
speaks nameko's wire protocol itself on pika (gateway/rpc.py); the services answer a direct
reply-to through the default exchange (common/rpc.py)."""
import json
import sys
import time
from types import SimpleNamespace

import pytest
from kombu import Exchange
from nameko.exceptions import serialize

from common import logs
from common import rpc as common_rpc
from common.errors import NotFound
from gateway import rpc as gateway_rpc
from gateway.amqp import BrokerBlocked
from gateway.rpc import RpcPool, RpcTimedOut, ServiceUnavailable, start_budget


class FakeChannel:
    """Stands for a thread's RPC channel on a broker with ``consumers`` per queue: records what
    each call publishes and answers with ``answer`` (a reply body, or None: no reply in time)."""

    def __init__(self, broker):
        self.broker = broker
        self.published, self.counts_asked = [], []

    def consumer_count(self, queue_name):
        self.counts_asked.append(queue_name)
        if self.broker.dead:
            raise ConnectionResetError("the broker restarted")
        return self.broker.consumers.get(queue_name, 0)

    def request(self, routing_key, body, headers, expiration_seconds):
        self.published.append((routing_key, json.loads(body), dict(headers), expiration_seconds))
        return "c-1"

    def reply(self, deadline):
        return self.broker.answer


class FakeConnections:
    """Stands for gateway.amqp.ThreadConnections: one channel per 'connection', a new one after discard."""

    def __init__(self):
        self.consumers = {"rpc-intake": 1, "rpc-routing": 0}
        self.answer = b'{"result": "ok", "error": null}'
        self.dead = False
        self.blocking = False  # the broker blocks publishers (an alarm); this thread has heard it
        self.blocked_meanwhile = False  # heard only while waiting for the reply
        self.made, self.discarded = [], 0
        self.current = None

    def fresh(self):
        pass

    def ensure_not_blocked(self):
        if self.blocking:
            raise BrokerBlocked()

    def blocked(self):
        return self.blocking or self.blocked_meanwhile

    def channel(self, name, open_channel):
        if self.current is None:
            self.current = FakeChannel(self)
            self.made.append(self.current)
        return self.current

    def discard(self):
        self.discarded += 1
        self.current = None

    def forget(self, name):
        self.current = None


@pytest.fixture
def broker():
    return FakeConnections()


def pool_on(broker, timeout=5):
    return RpcPool("amqp://guest:guest@127.0.0.1:5672/", timeout=timeout, connections=broker)


def test_the_start_budget_leaves_time_to_finish_before_the_timeout():
    assert start_budget(5) == 4
    assert start_budget(2) == 1.5
    assert start_budget(0.4) == pytest.approx(0.3)


def test_a_service_without_consumers_is_refused_before_anything_is_published(broker):
    with pytest.raises(ServiceUnavailable) as refused:
        pool_on(broker).call("routing", "list_applications", {})

    assert refused.value.args == ("routing",)
    (made,) = broker.made
    assert made.published == []


def test_every_call_carries_its_latest_start_time_its_ttl_and_nameko_s_body(broker):
    before = time.time()
    assert pool_on(broker).call("intake", "submit_application", {"a": 1}, idempotency_key="k") == "ok"
    after = time.time()

    ((routing_key, body, headers, expiration),) = broker.made[0].published
    assert routing_key == "intake.submit_application"
    assert body == {"args": [{"a": 1}], "kwargs": {"idempotency_key": "k"}}
    assert (before + 4) * 1000 - 1 <= headers[common_rpc.START_BY_MS_HEADER] <= (after + 4) * 1000
    assert (before + 5) * 1000 - 1 <= headers[common_rpc.ANSWER_BY_MS_HEADER] <= (after + 5) * 1000
    assert expiration == 4


def test_the_current_request_id_travels_as_nameko_s_header_per_call(broker):
    pool = pool_on(broker)
    for request_id in ("first-request", "second-request"):
        token = logs.bind_request_id(request_id)
        try:
            pool.call("intake", "ping")
        finally:
            logs.unbind_request_id(token)
    pool.call("intake", "ping")  # outside any request: no id, and no None header

    assert [headers.get("nameko.request_id", "absent") for _, _, headers, _ in broker.made[0].published] == [
        "first-request", "second-request", "absent"]


def test_an_app_error_in_the_reply_is_raised_as_its_class(broker):
    broker.answer = json.dumps({"result": None, "error": serialize(NotFound("application"))}).encode()
    with pytest.raises(NotFound) as raised:
        pool_on(broker).call("intake", "ping")
    assert raised.value.args == ("application",)


def test_no_reply_in_time_is_a_timeout_and_the_connection_is_replaced(broker):
    broker.answer = None
    with pytest.raises(RpcTimedOut) as timed_out:
        pool_on(broker).call("intake", "ping")
    assert timed_out.value.args == ("intake",)
    assert broker.discarded == 1


def test_a_broker_blocking_publishers_is_503_broker_before_anything_is_published(broker):
    broker.blocking = True

    with pytest.raises(ServiceUnavailable) as unavailable:
        pool_on(broker).call("intake", "ping")

    assert unavailable.value.args == ("broker",)
    assert all(channel.published == [] and channel.counts_asked == [] for channel in broker.made)


def test_no_reply_in_time_on_a_connection_the_broker_blocked_meanwhile_is_503_broker(broker):
    broker.answer, broker.blocked_meanwhile = None, True

    with pytest.raises(ServiceUnavailable) as unavailable:
        pool_on(broker).call("intake", "ping")

    assert unavailable.value.args == ("broker",)
    assert len(broker.made[0].published) == 1 and broker.discarded == 1


def test_the_consumer_count_is_remembered_briefly_per_service(broker, monkeypatch):
    monkeypatch.setattr(gateway_rpc, "CONSUMERS_FRESH_SECONDS", 0.2)
    pool = pool_on(broker)

    for _ in range(50):
        pool.call("intake", "ping")
    (made,) = broker.made
    assert made.counts_asked == ["rpc-intake"]

    broker.consumers["rpc-intake"] = 0  # intake died
    time.sleep(0.25)
    with pytest.raises(ServiceUnavailable):
        pool.call("intake", "ping")
    assert made.counts_asked == ["rpc-intake", "rpc-intake"]
    assert len(made.published) == 50


def test_a_connection_that_died_is_replaced_once_at_once(broker, monkeypatch):
    monkeypatch.setattr(gateway_rpc, "CONSUMERS_FRESH_SECONDS", -1)  # asked at every call
    pool = pool_on(broker)
    pool.call("intake", "ping")
    (broken,) = broker.made

    def dead(queue_name):
        raise ConnectionResetError("the broker restarted")

    broken.consumer_count = dead
    assert pool.call("intake", "ping") == "ok"

    assert len(broker.made) == 2 and broker.made[1].published and broker.discarded == 1


def test_a_broker_that_stays_gone_is_503_broker_after_one_retry(broker):
    broker.dead = True
    with pytest.raises(ServiceUnavailable) as refused:
        pool_on(broker).call("intake", "ping")
    assert refused.value.args == ("broker",)
    assert len(broker.made) == 2 and not any(made.published for made in broker.made)


# The services' side (common/rpc.py)

@pytest.mark.parametrize("headers, now, late", [
    ({"nameko.rpc_start_by": 100.0}, 100.5, True),
    ({"nameko.rpc_start_by": 100.0}, 99.5, False),
    ({"nameko.rpc_start_by": 100}, 101, True),
    ({}, 10 ** 12, False),  # no stamp (health checks, tests): runs
    (None, 10 ** 12, False),
    ({"nameko.rpc_start_by": "100"}, 101, False),  # not a number: as if absent
    ({"nameko.rpc_start_by": True}, 101, False),
    ({"nameko.rpc_start_by_ms": 100_000}, 100.5, True),  # the gateway's, in milliseconds (pika: no floats)
    ({"nameko.rpc_start_by_ms": 100_000}, 99.5, False),
    ({"nameko.rpc_start_by_ms": 100_000, "nameko.rpc_start_by": 50.0}, 99.5, False),  # milliseconds win
    ({"nameko.rpc_start_by_ms": False}, 101, False),
])
def test_a_request_is_late_only_with_a_start_time_that_has_passed(headers, now, late):
    assert common_rpc.expired(headers, now) is late


class FakeMessage:
    def __init__(self, headers, routing_key="intake.submit_application"):
        self.headers = headers
        self.delivery_info = {"routing_key": routing_key}
        self.properties = {}


class FakeContainer:
    service_name = "intake"

    def __init__(self):
        self.spawned = []
        self.service_cls = SimpleNamespace(submit_application=lambda self, body: None)

    def spawn_worker(self, entrypoint, args, kwargs, context_data=None, handle_result=None):
        self.spawned.append((args, kwargs, context_data))


class FakeQueueConsumer:
    def __init__(self):
        self.acked = []

    def ack_message(self, message):
        self.acked.append(message)


def entrypoint():
    container, queue_consumer = FakeContainer(), FakeQueueConsumer()
    consumer = common_rpc.ReplyTolerantRpcConsumer()
    consumer.queue_consumer = queue_consumer
    rpc = common_rpc.ReplyTolerantRpc()
    rpc.container, rpc.method_name, rpc.rpc_consumer = container, "submit_application", consumer
    return rpc, container, queue_consumer


def expired_total():
    return common_rpc.RPC_REQUESTS_EXPIRED.labels("intake", "submit_application")._value.get()


def test_a_late_request_is_acked_counted_and_never_started(caplog):
    rpc, container, queue_consumer = entrypoint()
    message = FakeMessage({"nameko.rpc_start_by": time.time() - 1, "nameko.request_id": "r-1"})
    counted = expired_total()

    rpc.handle_message({"args": [{"national_id": "10000000146"}], "kwargs": {}}, message)

    assert container.spawned == []
    assert queue_consumer.acked == [message]
    assert expired_total() == counted + 1
    assert "rpc intake.submit_application dropped unrun" in caplog.text
    assert "10000000146" not in caplog.text


def test_a_request_in_time_runs_without_the_start_time_in_its_context():
    rpc, container, queue_consumer = entrypoint()
    message = FakeMessage({"nameko.rpc_start_by_ms": int(time.time() * 1000) + 5000, "nameko.request_id": "r-2"})

    rpc.handle_message({"args": [{}], "kwargs": {}}, message)

    ((args, kwargs, context_data),) = container.spawned
    assert args == [{}] and queue_consumer.acked == []
    assert context_data == {"request_id": "r-2"}


@pytest.mark.parametrize("reply_to, exchange", [
    ("amq.rabbitmq.reply-to.g1h2AA5yZXBseUAxMjM0.abc", ""),  # the gateway's direct reply-to
    ("e4f1b7a0-9a7e-4c51-8d7a-2b9c2c7f0e11", "nameko-rpc"),  # a nameko proxy's reply queue
    (None, "nameko-rpc"),
])
def test_a_reply_goes_to_the_default_exchange_only_for_a_direct_reply_to(reply_to, exchange):
    assert common_rpc.reply_exchange(reply_to, Exchange("nameko-rpc", type="topic")).name == exchange


class Request:
    properties = {"content_type": "application/json"}


def test_a_reply_carries_the_result_or_the_error_encoded_as_the_request_was():
    (content_type, _, body), result, exc_info = common_rpc.serialised_reply(Request(), {"no": "2026-000001"}, None)
    assert content_type == "application/json" and json.loads(body) == {"result": {"no": "2026-000001"},
                                                                       "error": None}
    assert (result, exc_info) == ({"no": "2026-000001"}, None)

    try:
        raise ValueError("kötü")
    except ValueError:
        failure = sys.exc_info()
    (_, _, body), _, exc_info = common_rpc.serialised_reply(Request(), None, failure)
    assert json.loads(body)["error"]["exc_type"] == "ValueError" and exc_info is failure


def test_a_result_that_cannot_be_encoded_becomes_an_error_not_a_dead_service():
    (_, _, body), result, exc_info = common_rpc.serialised_reply(Request(), {"at": object()}, None)
    assert json.loads(body)["error"]["exc_type"] == "UnserializableValueError"
    assert result is None and exc_info[0] is not None
