"""The gateway's RPC pool never lets a request run after its caller has given up (issue 16):
no consumer → refused before publishing; every request stamped with the latest time it may start
and a broker TTL of the same length; the services drop what arrives too late."""
import time
from types import SimpleNamespace

import pytest

from common import rpc as common_rpc
from gateway import rpc as gateway_rpc
from gateway.rpc import RpcPool, ServiceUnavailable, start_budget


class FakeRunner:
    """Stands for the cluster proxy runner: a broker with ``consumers`` per queue, recording what
    each call would publish."""

    consumers = {}
    made = []

    def __init__(self, config, context_data=None, timeout=None, expiration=None):
        self.context_data, self.timeout, self.expiration = context_data, timeout, expiration
        self.published, self.counts_asked = [], []
        FakeRunner.made.append(self)

    def consumer_count(self, queue_name):
        self.counts_asked.append(queue_name)
        return FakeRunner.consumers.get(queue_name, 0)

    def start(self):
        runner = self

        class Service:
            def __init__(self, name):
                self.name = name

            def __getattr__(self, method):
                def call(*args, **kwargs):
                    runner.published.append((self.name, method, dict(runner.context_data)))
                    return "ok"
                return call

        class Cluster:
            def __getattr__(self, name):
                return Service(name)

        return Cluster()

    def stop(self):
        pass


@pytest.fixture
def runner(monkeypatch):
    FakeRunner.made, FakeRunner.consumers = [], {"rpc-intake": 1, "rpc-routing": 0}
    monkeypatch.setattr(gateway_rpc, "FailFastClusterRpcProxy", FakeRunner)
    monkeypatch.setattr(gateway_rpc, "_probe_broker", lambda uri: None)
    return FakeRunner


def test_the_start_budget_leaves_time_to_finish_before_the_timeout():
    assert start_budget(5) == 4
    assert start_budget(2) == 1.5
    assert start_budget(0.4) == pytest.approx(0.3)


def test_a_service_without_consumers_is_refused_before_anything_is_published(runner):
    pool = RpcPool("amqp://guest:guest@127.0.0.1:5672/", timeout=5)

    with pytest.raises(ServiceUnavailable) as refused:
        pool.call("routing", "list_applications", {})

    assert refused.value.args == ("routing",)
    (made,) = runner.made
    assert made.published == []


def test_every_call_carries_its_latest_start_time_and_the_proxy_its_ttl(runner):
    pool = RpcPool("amqp://guest:guest@127.0.0.1:5672/", timeout=5)

    before = time.time()
    assert pool.call("intake", "submit_application", {}) == "ok"
    after = time.time()

    (made,) = runner.made
    ((service, method, context),) = made.published
    assert (service, method) == ("intake", "submit_application")
    assert before + 4 <= context[common_rpc.START_BY_KEY] <= after + 4
    assert made.expiration == 4 and made.timeout == 5


def test_the_consumer_count_is_remembered_briefly_per_service(runner, monkeypatch):
    monkeypatch.setattr(gateway_rpc, "CONSUMERS_FRESH_SECONDS", 0.2)
    pool = RpcPool("amqp://guest:guest@127.0.0.1:5672/", timeout=5)

    for _ in range(50):
        pool.call("intake", "ping")
    (made,) = runner.made
    assert made.counts_asked == ["rpc-intake"]

    runner.consumers["rpc-intake"] = 0  # intake died
    time.sleep(0.25)
    with pytest.raises(ServiceUnavailable):
        pool.call("intake", "ping")
    assert made.counts_asked == ["rpc-intake", "rpc-intake"]
    assert len(made.published) == 50


def test_a_proxy_whose_connection_died_is_replaced_once_for_the_count(runner, monkeypatch):
    monkeypatch.setattr(gateway_rpc, "CONSUMERS_FRESH_SECONDS", -1)  # asked at every call
    pool = RpcPool("amqp://guest:guest@127.0.0.1:5672/", timeout=5)
    pool.call("intake", "ping")
    (broken,) = runner.made

    def dead(queue_name):
        raise ConnectionResetError("the broker restarted")

    broken.consumer_count = dead
    assert pool.call("intake", "ping") == "ok"

    assert len(runner.made) == 2 and runner.made[1].published


def test_the_real_proxy_publishes_with_the_ttl_and_the_start_time_header():
    context = {}
    runner = gateway_rpc.FailFastClusterRpcProxy({"AMQP_URI": "amqp://guest:guest@127.0.0.1:1/"},
                                                 context_data=context, timeout=5, expiration=4)
    method = runner._proxy.intake.submit_application

    context[common_rpc.START_BY_KEY] = 1234.5

    assert method.publisher.expiration == 4  # kombu makes it the message's "expiration": "4000"
    assert method.get_message_headers(method.worker_ctx)[common_rpc.START_BY_HEADER] == 1234.5
    assert method.publisher.retry_policy == gateway_rpc.RETRY_ONCE_AT_ONCE


# The services' side (common/rpc.py)

@pytest.mark.parametrize("headers, now, late", [
    ({"nameko.rpc_start_by": 100.0}, 100.5, True),
    ({"nameko.rpc_start_by": 100.0}, 99.5, False),
    ({"nameko.rpc_start_by": 100}, 101, True),
    ({}, 10 ** 12, False),  # no stamp (health checks, tests): runs
    (None, 10 ** 12, False),
    ({"nameko.rpc_start_by": "100"}, 101, False),  # not a number: as if absent
    ({"nameko.rpc_start_by": True}, 101, False),
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
    message = FakeMessage({"nameko.rpc_start_by": time.time() + 5, "nameko.request_id": "r-2"})

    rpc.handle_message({"args": [{}], "kwargs": {}}, message)

    ((args, kwargs, context_data),) = container.spawned
    assert args == [{}] and queue_consumer.acked == []
    assert context_data == {"request_id": "r-2"}
