"""The gateway's AMQP work on pika against the real services and RabbitMQ (issue 20): RPC with
replies on direct reply-to, errors coming back as their classes, nameko's own proxies still
answered, and delivery reports published as confirmed events that notification takes."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from common.errors import NotFound
from contracts.events import new_event
from gateway.amqp import ThreadConnections
from gateway.events import EventPublisher
from gateway.rpc import RpcPool, RpcTimedOut, ServiceUnavailable
from tests.support.processes import wait_until
from tests.support.samples import staff_principal


@pytest.fixture
def pool(running_system):
    return RpcPool(running_system.amqp_uri, timeout=5)


def test_a_call_is_answered_on_direct_reply_to(pool):
    assert pool.call("intake", "ping")["ok"]
    assert pool.call("tracking", "ping")["ok"]


def test_an_app_error_comes_back_as_its_class(pool):
    with pytest.raises(NotFound):
        pool.call("tracking", "get_application_status", "2026-999999", "NOPE2345")


def test_arguments_and_a_structured_answer_cross_intact(pool):
    answer = pool.call("routing", "list_applications", staff_principal("ankara.router"), {"page_size": 5})
    assert set(answer) >= {"items"}


def test_threads_each_get_their_own_connection_and_answers(running_system):
    connections = ThreadConnections(running_system.amqp_uri)
    pool = RpcPool(running_system.amqp_uri, timeout=5, connections=connections)
    opened = []

    def call(_):
        answer = pool.call("intake", "ping")
        opened.append(id(connections.connection()))
        return answer["ok"]

    with ThreadPoolExecutor(max_workers=4) as threads:
        assert all(threads.map(call, range(40)))
    assert 1 <= len(set(opened)) <= 4


def test_nameko_proxies_still_get_their_replies(running_system):
    with ClusterRpcProxy({"AMQP_URI": running_system.amqp_uri, "serializer": "json"}, timeout=10) as cluster:
        assert cluster.intake.ping()["ok"]


def test_a_method_that_does_not_exist_is_nameko_s_error_not_a_hang(pool):
    from nameko.exceptions import MethodNotFound

    started = time.monotonic()
    with pytest.raises(MethodNotFound):
        pool.call("intake", "no_such_method")
    assert time.monotonic() - started < 2


def test_a_call_that_outlives_its_timeout_is_504_and_the_next_call_is_answered(running_system):
    short = RpcPool(running_system.amqp_uri, timeout=0.001)
    with pytest.raises((RpcTimedOut, ServiceUnavailable)):
        short.call("intake", "ping")
    assert RpcPool(running_system.amqp_uri, timeout=5).call("intake", "ping")["ok"]


def _refused_reports(running_system):
    body = requests.get(running_system.metrics_url("notification"), timeout=5).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines()
               if line.startswith("acikkapi_sms_delivery_reports_refused_total{"))


def test_a_published_report_is_confirmed_and_taken_by_notification(running_system):
    """An unknown provider's report: confirmed to the gateway, then refused (counted) by notification."""
    publisher = EventPublisher(ThreadConnections(running_system.amqp_uri))
    before = _refused_reports(running_system)
    callback = {"url": "http://localhost/x", "content_type": "application/json", "form": {}, "json": [],
                "signature": None}

    publisher.publish(new_event("sms_report_received", None, provider="nosuchsms", callback=callback))

    wait_until(lambda: _refused_reports(running_system) == before + 1, timeout=10, what="notification took it")


def test_with_no_broker_publishing_and_calling_are_503_at_once():
    uri = "amqp://guest:guest@127.0.0.1:1/"
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as refused:
        RpcPool(uri, timeout=5).call("intake", "ping")
    assert refused.value.args == ("broker",)
    with pytest.raises(ServiceUnavailable):
        EventPublisher(ThreadConnections(uri)).publish(new_event(
            "sms_report_received", None, provider="verimor", callback={}))
    assert time.monotonic() - started < 2
