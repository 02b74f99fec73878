"""A submission the citizen was told failed (503/504) never happens later (issue 16).

RPC queues are durable: before, a request sent while intake was down waited in ``rpc-intake`` and
ran when intake came back, after the gateway had answered 504, so a citizen who retried got two
applications. Each test breaks intake in its own system, checks what the client hears, mends
intake, and then checks that nothing was made of the refused request: the next submission gets
the number right after the last one given before the break, and the fake SMS provider holds one
message per number given, no more.
"""
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from kombu import Connection
from nameko.exceptions import RpcTimeout
from nameko.standalone.rpc import ClusterRpcProxy

from common.rpc import START_BY_KEY
from gateway.rpc import CONSUMERS_FRESH_SECONDS, RpcPool, ServiceUnavailable
from tests.support.broker import temporary_vhost
from tests.support.processes import RunningSystem, wait_until
from tests.support.samples import application_body

RPC_TIMEOUT_SECONDS = 2


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with temporary_vhost() as amqp_uri:
        system = RunningSystem(amqp_uri, tmp_path_factory.mktemp("rpc-not-done"),
                               extra_env={"RPC_TIMEOUT_SECONDS": str(RPC_TIMEOUT_SECONDS)})
        try:
            yield system.start()
        finally:
            system.stop()


def submit(system):
    started = time.monotonic()
    answer = requests.post(system.url + "/api/v1/applications", json=application_body(), timeout=30)
    return answer, time.monotonic() - started


def sequence(application_no):
    return int(application_no.split("-")[1])


def submitted(system):
    answer, _ = submit(system)
    assert answer.status_code == 201, answer.text
    return answer.json()["application_no"]


def intake_consumers(system):
    with Connection(system.amqp_uri) as connection:
        channel = connection.channel()
        try:
            return channel.queue_declare(queue="rpc-intake", passive=True).consumer_count
        finally:
            channel.close()


def restart_intake(system):
    system.start_service("intake")
    wait_until(lambda: intake_consumers(system) > 0, timeout=60, what="intake consuming again")
    time.sleep(CONSUMERS_FRESH_SECONDS + 0.2)  # the gateway's remembered count is fresh again


def assert_nothing_made_after(system, last_given):
    """The next submission is numbered right after ``last_given``, and the fake holds one SMS per
    number given (this system's numbers start at 1): no application was made of a refused request."""
    time.sleep(2)  # anything late would run well within this
    following = submitted(system)
    assert sequence(following) == sequence(last_given) + 1, (last_given, following)
    # A restarted intake's relay and notification may take a while on a busy machine: waiting
    # longer proves nothing less, the exact count below is the check.
    wait_until(lambda: len(system.sms_messages()) >= sequence(following), timeout=45, what="every SMS owed")
    time.sleep(1)
    assert len(system.sms_messages()) == sequence(following)
    return following


def expired_count(system):
    body = requests.get(system.metrics_url("intake"), timeout=5).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines()
               if line.startswith("acikkapi_rpc_requests_expired_total{"))


def test_with_intake_killed_a_submission_is_refused_at_once_and_never_made(system):
    last_given = submitted(system)

    system.processes["intake"].stop(signal.SIGKILL)
    wait_until(lambda: intake_consumers(system) == 0, timeout=10, what="the broker sees intake gone")
    time.sleep(CONSUMERS_FRESH_SECONDS + 0.2)
    answers = [submit(system) for _ in range(3)]
    restart_intake(system)

    assert_nothing_made_after(system, last_given)
    for answer, elapsed in answers:
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"]
        assert answer.json()["error"]["code"] == "service_unavailable"
        assert elapsed <= 2.0, "503 took {:.2f} s".format(elapsed)
    print("503 with intake down in {:.3f} s at most".format(max(elapsed for _, elapsed in answers)))


def test_a_request_that_timed_out_while_intake_was_paused_never_runs(system):
    """SIGSTOP keeps intake's consumer registered: the gateway publishes, intake's socket takes
    the messages it may prefetch and the rest wait in the queue. After the 504s, SIGCONT: the
    prefetched ones reach intake's check and are dropped, the queued ones have expired."""
    last_given = submitted(system)
    expired_before = expired_count(system)
    intake = system.processes["intake"]

    os.killpg(intake.popen.pid, signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:  # more than intake prefetches (10)
            answers = list(pool.map(lambda _: submit(system), range(12)))
    finally:
        os.killpg(intake.popen.pid, signal.SIGCONT)

    assert {answer.status_code for answer, _ in answers} == {504}, [answer.text for answer, _ in answers]
    assert_nothing_made_after(system, last_given)
    dropped = expired_count(system) - expired_before
    # the prefetched ones reach intake's own check; the others expired in the broker, unseen
    assert 0 < dropped < len(answers), dropped
    assert intake.popen.poll() is None, "intake died"


def test_a_request_whose_start_time_has_passed_is_dropped_by_the_service(system):
    """The service's own check, without the broker's TTL: a caller (not the gateway) sends a
    request stamped to start by a second ago."""
    last_given = submitted(system)
    expired_before = expired_count(system)
    config = {"AMQP_URI": system.amqp_uri, "serializer": "json"}

    with ClusterRpcProxy(config, context_data={START_BY_KEY: time.time() - 1}, timeout=2) as late:
        with pytest.raises(RpcTimeout):
            late.intake.submit_application(application_body())
    with ClusterRpcProxy(config, timeout=10) as unstamped:  # health checks, bench tools: run as before
        assert unstamped.intake.ping()["ok"]

    wait_until(lambda: expired_count(system) == expired_before + 1, timeout=5, what="the drop counted")
    assert_nothing_made_after(system, last_given)
    log = system.processes["intake"].output()
    assert "rpc intake.submit_application dropped unrun" in log


def test_a_service_that_never_ran_is_refused_at_once_and_the_connection_serves_on(system):
    """The passive declare of a queue that does not exist closes its channel, not the
    connection the pool's thread goes on using."""
    pool = RpcPool(system.amqp_uri, timeout=RPC_TIMEOUT_SECONDS)

    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as refused:
        pool.call("nosuchservice", "ping")
    elapsed = time.monotonic() - started

    assert refused.value.args == ("nosuchservice",)
    assert elapsed < 2.0
    assert pool.call("intake", "ping")["ok"]
    assert pool.call("tracking", "ping")["ok"]
